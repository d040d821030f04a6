// Maps a request path to what serves it. ARM path segments are case-insensitive (`resourceGroups` and
// `resourcegroups`, `Microsoft.Compute` in any casing); names keep the casing the client sent.

/** A recognised ARM path. */
export type ArmRoute =
  | { kind: "subscriptions" }
  | { kind: "subscription"; subscriptionId: string }
  | { kind: "resourceGroups"; subscriptionId: string }
  | { kind: "resourceGroup"; subscriptionId: string; group: string }
  | { kind: "operationResult"; subscriptionId: string; operationId: string }
  | { kind: "computeOperation"; subscriptionId: string; location: string; operationId: string }
  | { kind: "scaleSets"; subscriptionId: string; group?: string }
  | { kind: "scaleSet"; subscriptionId: string; group: string; name: string }
  | { kind: "identities"; subscriptionId: string; group?: string }
  | { kind: "identity"; subscriptionId: string; group: string; name: string }
  | AuthorizationRoute;

/**
 * `{scope}/providers/Microsoft.Authorization/roleAssignments|roleDefinitions[/{name}]`, the scope a subscription, a
 * resource group or a resource in one (role definitions also at the tenant root: `scope` "" and no subscription).
 */
export interface AuthorizationRoute {
  kind: "authorization";
  type: "roleAssignments" | "roleDefinitions";
  /** The scope as sent, with a leading slash, no trailing one; "" for the tenant root. */
  scope: string;
  subscriptionId: string | undefined;
  group: string | undefined;
  /** The assignment's or definition's name; undefined for a list. */
  name: string | undefined;
}

/** A recognised Entra ID (authority) path. */
export type AuthorityRoute =
  | { kind: "openidConfiguration"; tenant: string; version: "v1" | "v2" }
  | { kind: "token"; tenant: string; version: "v1" | "v2" }
  | { kind: "oidcIssuer"; tenant: string; what: "configuration" | "keys" | "token" }
  | { kind: "managedIdentity"; tenant: string }
  | { kind: "keys"; tenant: string };

/** Which api-version family an ARM route belongs to. */
export function routeProvider(route: ArmRoute): "resources" | "compute" | "managedIdentity" | "authorization" {
  switch (route.kind) {
    case "authorization":
      return "authorization";
    case "computeOperation":
    case "scaleSets":
    case "scaleSet":
      return "compute";
    case "identities":
    case "identity":
      return "managedIdentity";
    default:
      return "resources";
  }
}

/** Splits and decodes a path; empty segments (double or trailing slashes) are dropped. */
export function pathSegments(path: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of path.split("/")) {
    if (raw === "") continue;
    try {
      segments.push(decodeURIComponent(raw));
    } catch {
      return undefined;
    }
  }
  return segments;
}

/** The ARM route of a path, if the emulator serves it. */
export function matchArmRoute(segments: string[]): ArmRoute | undefined {
  const s = segments.map((segment) => segment.toLowerCase());
  const authorization = matchAuthorizationRoute(s, segments);
  if (authorization !== undefined) return authorization;
  if (s[0] !== "subscriptions") return undefined;
  if (s.length === 1) return { kind: "subscriptions" };
  const subscriptionId = segments[1];
  if (s.length === 2) return { kind: "subscription", subscriptionId };
  if (s[2] === "resourcegroups") {
    if (s.length === 3) return { kind: "resourceGroups", subscriptionId };
    const group = segments[3];
    if (s.length === 4) return { kind: "resourceGroup", subscriptionId, group };
    if (s[4] !== "providers" || s.length < 7) return undefined;
    return providerRoute(s.slice(5), segments.slice(5), subscriptionId, group);
  }
  if (s[2] === "operationresults" && s.length === 4) {
    return { kind: "operationResult", subscriptionId, operationId: segments[3] };
  }
  if (s[2] === "providers" && s.length >= 5) {
    if (s[3] === "microsoft.compute" && s[4] === "locations" && s[6] === "operations" && s.length === 8) {
      return { kind: "computeOperation", subscriptionId, location: segments[5], operationId: segments[7] };
    }
    return providerRoute(s.slice(3), segments.slice(3), subscriptionId, undefined);
  }
  return undefined;
}

function providerRoute(
  lower: string[],
  original: string[],
  subscriptionId: string,
  group: string | undefined,
): ArmRoute | undefined {
  const [namespace, type] = lower;
  const isScaleSet = namespace === "microsoft.compute" && type === "virtualmachinescalesets";
  const isIdentity = namespace === "microsoft.managedidentity" && type === "userassignedidentities";
  if (!isScaleSet && !isIdentity) return undefined;
  if (lower.length === 2)
    return isScaleSet ? { kind: "scaleSets", subscriptionId, group } : { kind: "identities", subscriptionId, group };
  if (lower.length === 3 && group !== undefined) {
    const name = original[2];
    return isScaleSet
      ? { kind: "scaleSet", subscriptionId, group, name }
      : { kind: "identity", subscriptionId, group, name };
  }
  return undefined;
}

// The last `providers/Microsoft.Authorization/{roleAssignments|roleDefinitions}` in the path, with what is before it
// a scope of a known shape: "", subscriptions/{sub}, …/resourceGroups/{rg}, …/providers/{namespace}/{type}/{name}
// with any number of child type/name pairs.
function matchAuthorizationRoute(lower: string[], original: string[]): AuthorizationRoute | undefined {
  let at = -1;
  for (let i = lower.length - 3; i >= 0; i -= 1) {
    if (lower[i] === "providers" && lower[i + 1] === "microsoft.authorization") {
      at = i;
      break;
    }
  }
  if (at < 0 || lower.length - at > 4) return undefined;
  const typeSegment = lower[at + 2];
  if (typeSegment !== "roleassignments" && typeSegment !== "roledefinitions") return undefined;
  const type = typeSegment === "roleassignments" ? "roleAssignments" : "roleDefinitions";
  const scope = lower.slice(0, at);
  const name = original[at + 3];
  const route = (subscriptionId: string | undefined, group: string | undefined): AuthorizationRoute => ({
    kind: "authorization",
    type,
    scope: scope.length === 0 ? "" : `/${original.slice(0, at).join("/")}`,
    subscriptionId,
    group,
    name,
  });
  if (scope.length === 0) return type === "roleDefinitions" ? route(undefined, undefined) : undefined;
  if (scope[0] !== "subscriptions" || scope.length < 2) return undefined;
  if (scope.length === 2) return route(original[1], undefined);
  if (scope[2] !== "resourcegroups" || scope.length < 4) return undefined;
  if (scope.length === 4) return route(original[1], original[3]);
  const rest = scope.slice(4);
  if (rest[0] !== "providers" || rest.length < 4 || (rest.length - 2) % 2 !== 0) return undefined;
  return route(original[1], original[3]);
}

/** The authority route of a path, if it is one (`/{tenant}/…`). */
export function matchAuthorityRoute(segments: string[]): AuthorityRoute | undefined {
  const s = segments.map((segment) => segment.toLowerCase());
  const tenant = segments[0];
  if (tenant === undefined || s[0] === "subscriptions") return undefined;
  const rest = s.slice(1).join("/");
  if (s[0] === "msi" && rest === "token") return { kind: "managedIdentity", tenant };
  if (s[0] === "_oidc") {
    // The emulator's OIDC issuer (oidc-issuer.ts), not a tenant.
    if (rest === ".well-known/openid-configuration") return { kind: "oidcIssuer", tenant, what: "configuration" };
    if (rest === ".well-known/jwks") return { kind: "oidcIssuer", tenant, what: "keys" };
    if (rest === "token") return { kind: "oidcIssuer", tenant, what: "token" };
    return undefined;
  }
  switch (rest) {
    case "v2.0/.well-known/openid-configuration":
      return { kind: "openidConfiguration", tenant, version: "v2" };
    case ".well-known/openid-configuration":
      return { kind: "openidConfiguration", tenant, version: "v1" };
    case "oauth2/v2.0/token":
      return { kind: "token", tenant, version: "v2" };
    case "oauth2/token":
      return { kind: "token", tenant, version: "v1" };
    case "discovery/v2.0/keys":
    case "discovery/keys":
      return { kind: "keys", tenant };
    default:
      return undefined;
  }
}
