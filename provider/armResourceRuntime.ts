/**
 * The implementation behind {@link ArmResource}: PUT, follow the operation, GET; DELETE, follow the operation.
 * Loaded by package name in the provider process, like provider/runtime.ts.
 */
import { ArmClient, isResourceGone, sharedClientFor } from "./arm";
import { jsonEqual } from "./jsonEqual";
import { ENVIRONMENTS, UNKNOWN, canonicalEndpoint, parseEndpoint, type CheckFailure } from "./identity";

type Props = Record<string, unknown>;

// Subscription-scoped ARM IDs only, segment by segment; no query, fragment, dot segments or encoded characters, so an
// input cannot steer the request to another path.
const ARM_RESOURCE_ID = /^\/subscriptions\/[0-9a-fA-F-]{36}(\/[A-Za-z0-9_()-][A-Za-z0-9_.()-]*)+$/;
const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

/** Validates `resourceId`, `apiVersion` and `body`; unknown values (preview) pass. Pure. */
export function checkArmResource(news: Props): { inputs: Props; failures: CheckFailure[] } {
  const failures: CheckFailure[] = [];
  const { resourceId, apiVersion, body } = news;
  if (resourceId !== UNKNOWN && (typeof resourceId !== "string" || !ARM_RESOURCE_ID.test(resourceId))) {
    failures.push({
      property: "resourceId",
      reason: `resourceId ${JSON.stringify(resourceId)} is not an ARM resource ID; expected /subscriptions/<GUID>/resourceGroups/<name>[/providers/<namespace>/<type>/<name>]`,
    });
  }
  if (apiVersion !== UNKNOWN && (typeof apiVersion !== "string" || !API_VERSION.test(apiVersion))) {
    failures.push({
      property: "apiVersion",
      reason: `apiVersion ${JSON.stringify(apiVersion)} is not an api-version; expected YYYY-MM-DD or YYYY-MM-DD-preview`,
    });
  }
  if (body !== UNKNOWN && (typeof body !== "object" || body === null || Array.isArray(body))) {
    failures.push({ property: "body", reason: `body must be a JSON object, got ${JSON.stringify(body)}` });
  }
  const { environment, endpoint } = news;
  const inputs = { ...news };
  if (environment !== undefined && environment !== UNKNOWN) {
    if (typeof environment === "string" && (ENVIRONMENTS as readonly string[]).includes(environment.toLowerCase())) {
      inputs.environment = environment.toLowerCase();
    } else {
      failures.push({
        property: "environment",
        reason: `expected "public", "usgovernment" or "china", got ${JSON.stringify(environment)}`,
      });
    }
  }
  if (endpoint !== undefined && endpoint !== UNKNOWN) {
    try {
      inputs.endpoint = parseEndpoint(String(endpoint));
    } catch (e) {
      failures.push({ property: "endpoint", reason: (e as Error).message });
    }
  }
  if (environment !== undefined && endpoint !== undefined) {
    failures.push({ property: "endpoint", reason: "both environment and endpoint are set; set one of them" });
  }
  return { inputs, failures };
}

/**
 * A new PUT when the body, api-version, environment or endpoint changes; a new resource when the ID changes
 * (case-insensitive). A changed endpoint is an update, as for VmssManagedIdentity: a replacement would try to delete
 * through the old endpoint, which may be gone (the emulator's port changes on every start).
 */
export function diffArmResource(
  olds: Props,
  news: Props,
): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
  const replaces: string[] = [];
  if (String(olds.resourceId).toLowerCase() !== String(news.resourceId).toLowerCase()) replaces.push("resourceId");
  const changes =
    replaces.length > 0 ||
    olds.apiVersion !== news.apiVersion ||
    olds.environment !== news.environment ||
    canonicalEndpoint(olds.endpoint) !== canonicalEndpoint(news.endpoint) ||
    !jsonEqual(olds.body, news.body);
  return { changes, replaces, deleteBeforeReplace: false };
}

/** PUT, follow the operation, GET. Also used for updates: a PUT is idempotent and carries the whole body. */
export async function createArmResource(inputs: Props, client?: ArmClient): Promise<{ id: string; outs: Props }> {
  const arm = client ?? sharedClientFor(inputs);
  const done = await arm.execute<Record<string, unknown>>({
    method: "PUT",
    path: String(inputs.resourceId),
    apiVersion: String(inputs.apiVersion),
    body: inputs.body,
  });
  const id = typeof done.body.id === "string" ? done.body.id : String(inputs.resourceId);
  return { id, outs: { ...inputs, resource: done.body } };
}

/** GET; `undefined` when the resource is gone. */
export async function readArmResource(props: Props, client?: ArmClient): Promise<Props | undefined> {
  const arm = client ?? sharedClientFor(props);
  try {
    const got = await arm.request<Record<string, unknown>>({
      method: "GET",
      path: String(props.resourceId),
      apiVersion: String(props.apiVersion),
    });
    return { ...props, resource: got.body };
  } catch (e) {
    if (isResourceGone(e)) return undefined;
    throw e;
  }
}

/** DELETE and follow the operation; a resource already gone is not an error. */
export async function deleteArmResource(props: Props, client?: ArmClient): Promise<void> {
  const arm = client ?? sharedClientFor(props);
  try {
    await arm.execute({ method: "DELETE", path: String(props.resourceId), apiVersion: String(props.apiVersion) });
  } catch (e) {
    if (isResourceGone(e)) return;
    throw e;
  }
}
