/**
 * The one owner of the ARM resource ID grammar: scale sets, user-assigned identities, and any subscription-scoped
 * resource (for `ArmResource`).
 *
 * The grammar is strict because an ID becomes a request path: no input may steer a request to another path or add a
 * query (no `..`, `?`, `#`, `%`, whitespace, control characters, empty segments or trailing slash). Fixed segments
 * match case-insensitively; IDs compare case-insensitively everywhere, because ARM treats them so and returns them in
 * varying casing (docs/arm-behavior.md, "IDs and casing").
 */
import { ErrorCodes, InvalidInputError } from "../errors";
import { quote } from "./describeValue";

/** A parsed scale set ID. `id` is the canonical spelling. */
export interface ScaleSetRef {
  /** `/subscriptions/{sub, lower-case}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachineScaleSets/{name}`. */
  id: string;
  /** The subscription GUID, lower-case. */
  subscriptionId: string;
  /** The resource group name as given. */
  resourceGroupName: string;
  /** The scale set name as given. */
  name: string;
}

/** A parsed user-assigned identity ID. `id` is the canonical spelling. */
export interface UserIdentityRef {
  /** `/subscriptions/{sub, lower-case}/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}`. */
  id: string;
  /** The subscription GUID, lower-case. */
  subscriptionId: string;
  /** The resource group name as given. */
  resourceGroupName: string;
  /** The identity name as given. */
  name: string;
}

/** Options of the ID parsers. */
export interface ParseArmIdOptions {
  /**
   * `true` relaxes only the *name* rules of the last segment (any 1–260 characters the structural rules
   * allow). Meant for IDs that ARM itself returned: ARM is the authority on names it already accepted, and
   * such names only travel in JSON bodies, never in a URL. Default `false` (inputs get the full rules).
   */
  lenientNames?: boolean;
}

/** Shape expected of a scale set ID (named in error messages). */
export const SCALE_SET_ID_SHAPE =
  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/virtualMachineScaleSets/{scaleSetName}";

/** Shape expected of a user-assigned identity ID (named in error messages). */
export const USER_IDENTITY_ID_SHAPE =
  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{identityName}";

/** An ARM ID that does not match the expected grammar (code `InvalidArmId`; `instanceof` works across copies). */
export class InvalidArmIdError extends InvalidInputError {
  override readonly name = "InvalidArmIdError";
  /** The rejected input, unchanged. */
  readonly value: string;
  /** The expected shape, e.g. {@link SCALE_SET_ID_SHAPE}. */
  readonly expected: string;
  /** What is wrong, in a few words. */
  readonly reason: string;

  constructor(kind: string, value: string, expected: string, reason: string) {
    super(`invalid ${kind} ID ${quote(value)}: ${reason}; expected ${expected}`, { code: ErrorCodes.invalidArmId });
    this.value = value;
    this.expected = expected;
    this.reason = reason;
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a subscription ID (a GUID, any casing). */
export function isSubscriptionId(value: unknown): value is string {
  return typeof value === "string" && GUID.test(value);
}

/** Azure's rule for resource group names, as messages state it. */
export const RESOURCE_GROUP_NAME_RULE = "1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'";

/** Azure's rule for scale set names, as messages state it. */
export const SCALE_SET_NAME_RULE =
  "1-64 letters, digits, '_', '.' or '-', starting with a letter or digit and ending with one or '_'";

// Resource group: 1-90 characters, letters or digits as Char.IsLetterOrDigit defines them, or _ - . ( ),
// not ending in '.'. Source: https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
// (Microsoft.Resources / resourcegroups).
const RESOURCE_GROUP = /^[\p{L}\p{Nd}_\-.()]{1,90}$/u;

// Scale set: 1-64 characters, alphanumerics, '_', '.', '-'; starts alphanumeric, ends alphanumeric or '_'.
// Source: https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.VMSS.Name/ (the Microsoft rules page gives
// 1-64 for Linux, 1-15 for Windows; the 15 limit is the Windows computer name prefix, not this name).
const SCALE_SET_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?$/;

// User-assigned identity: 3-128 characters, alphanumerics, '-', '_'; starts with a letter or digit.
// Source: resource-name-rules page above (Microsoft.ManagedIdentity / userAssignedIdentities) and
// https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.Identity.UserAssignedName/
const IDENTITY_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/;

const LENIENT_NAME_MAX = 260;

interface ResourceGrammar {
  kind: string;
  expected: string;
  namespace: string;
  type: string;
  nameRule: RegExp;
  nameRuleText: string;
  /** Spellings of the type segment that must be rejected with a specific hint. */
  typeHints?: Record<string, string>;
}

const SCALE_SET_GRAMMAR: ResourceGrammar = {
  kind: "scale set",
  expected: SCALE_SET_ID_SHAPE,
  namespace: "Microsoft.Compute",
  type: "virtualMachineScaleSets",
  nameRule: SCALE_SET_NAME,
  nameRuleText: SCALE_SET_NAME_RULE,
};

const USER_IDENTITY_GRAMMAR: ResourceGrammar = {
  kind: "user-assigned identity",
  expected: USER_IDENTITY_ID_SHAPE,
  namespace: "Microsoft.ManagedIdentity",
  type: "userAssignedIdentities",
  nameRule: IDENTITY_NAME,
  nameRuleText: "3-128 letters, digits, '-' or '_', starting with a letter or digit",
  // The 2017-12-01 spec text says ".../Microsoft.ManagedIdentity/identities/{identityName}" (docs/arm-behavior.md),
  // but Microsoft's own 2017-12-01 examples use userAssignedIdentities, and `identities` is the type of the
  // system-assigned identity extension resource. Accepting it would give one identity two spellings.
  typeHints: {
    identities:
      "'identities' is the 2017-12-01 spec's typo for user-assigned identities (docs/arm-behavior.md); use 'userAssignedIdentities'",
  },
};

/**
 * Parses a scale set ID. Fixed segments (`subscriptions`, `resourceGroups`, `providers`, `Microsoft.Compute`,
 * `virtualMachineScaleSets`) match in any casing; the subscription must be a GUID; names follow Azure's rules.
 * @returns the parts and the canonical spelling (subscription lower-case, names as given).
 * @throws InvalidArmIdError naming the value, the problem and the expected shape.
 */
export function parseScaleSetId(value: string, options: ParseArmIdOptions = {}): ScaleSetRef {
  return parseResourceId(value, SCALE_SET_GRAMMAR, options);
}

/**
 * Parses a user-assigned identity ID (`…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}`,
 * fixed segments in any casing, e.g. the `resourcegroups` the Managed Identity service returns). The
 * 2017-12-01 spelling `…/Microsoft.ManagedIdentity/identities/…` is rejected with a hint (see docs/arm-behavior.md).
 * @returns the parts and the canonical spelling (subscription lower-case, names as given).
 * @throws InvalidArmIdError naming the value, the problem and the expected shape.
 */
export function parseUserAssignedIdentityId(value: string, options: ParseArmIdOptions = {}): UserIdentityRef {
  return parseResourceId(value, USER_IDENTITY_GRAMMAR, options);
}

/**
 * The comparison key of an ARM ID: IDs are equal when their keys are. Case-insensitive everywhere
 * (`resourceGroups` vs `resourcegroups`, upper- or lower-case names). Pass IDs that went through a parser
 * (they then have no stray slashes or spaces that would make equal IDs differ).
 */
export function armIdKey(id: string): string {
  return id.toLowerCase();
}

/** A parsed subscription-scoped ARM ID of any resource type (see {@link parseArmResourceId}). */
export interface ArmResourceRef {
  /** The ID with the subscription lower-case and the fixed segments in canonical casing. */
  id: string;
  /** The subscription GUID, lower-case. */
  subscriptionId: string;
  /** The resource group name, absent for the subscription itself. */
  resourceGroupName?: string;
  /**
   * The resource type, `Microsoft.Resources/resourceGroups` for a resource group, else `{namespace}/{type}` with
   * child types appended (`Microsoft.Network/virtualNetworks/subnets`); `Microsoft.Resources/subscriptions` for the
   * subscription itself.
   */
  resourceType: string;
  /** The last name segment (the resource group name for a resource group). */
  name?: string;
}

/** Shape expected of an ARM resource ID (named in error messages). */
export const ARM_RESOURCE_ID_SHAPE =
  "/subscriptions/{subscriptionId}[/resourceGroups/{resourceGroupName}[/providers/{namespace}/{type}/{name}[/{childType}/{childName}]…]]";

/**
 * Parses a subscription-scoped ARM resource ID of any type: the subscription, a resource group, or a resource in one
 * (child resources included). The same structural rules as the scale set grammar keep it from steering a request;
 * names are 1-260 characters (each type's own name rules are ARM's to apply).
 * @throws InvalidArmIdError naming the value, the problem and the expected shape.
 */
export function parseArmResourceId(value: string): ArmResourceRef {
  const fail = (reason: string): never => {
    throw new InvalidArmIdError("ARM resource", value, ARM_RESOURCE_ID_SHAPE, reason);
  };
  if (typeof value !== "string") fail(`expected a string, got ${typeof value}`);
  checkStructure(value, fail);
  const segments = value.slice(1).split("/");
  for (const segment of segments) {
    if (segment === ".") fail("contains a '.' segment");
    if (segment.length > LENIENT_NAME_MAX) fail(`a segment is longer than ${LENIENT_NAME_MAX} characters`);
  }
  const [subscriptions, subscriptionId, resourceGroups, resourceGroupName, providers, namespace, ...rest] = segments;
  expectFixed(subscriptions as string, "subscriptions", 1, fail);
  if (subscriptionId === undefined || !GUID.test(subscriptionId)) {
    fail(`subscription ID ${quote(String(subscriptionId ?? ""))} is not a GUID`);
  }
  const sub = (subscriptionId as string).toLowerCase();
  if (resourceGroups === undefined) {
    return { id: `/subscriptions/${sub}`, subscriptionId: sub, resourceType: "Microsoft.Resources/subscriptions" };
  }
  expectFixed(resourceGroups, "resourceGroups", 3, fail);
  if (resourceGroupName === undefined) fail("has no resource group name after 'resourceGroups'");
  const rg = resourceGroupName as string;
  if (!RESOURCE_GROUP.test(rg) || rg.endsWith(".")) {
    fail(`resource group name ${quote(rg)} is not ${RESOURCE_GROUP_NAME_RULE}`);
  }
  const groupId = `/subscriptions/${sub}/resourceGroups/${rg}`;
  if (providers === undefined) {
    return {
      id: groupId,
      subscriptionId: sub,
      resourceGroupName: rg,
      resourceType: "Microsoft.Resources/resourceGroups",
      name: rg,
    };
  }
  expectFixed(providers, "providers", 5, fail);
  if (namespace === undefined || rest.length === 0 || rest.length % 2 !== 0) {
    fail("expected /providers/{namespace}/{type}/{name}, each child as /{type}/{name}");
  }
  const types = rest.filter((_, i) => i % 2 === 0);
  const names = rest.filter((_, i) => i % 2 === 1);
  return {
    id: `${groupId}/providers/${namespace as string}/${rest.join("/")}`,
    subscriptionId: sub,
    resourceGroupName: rg,
    resourceType: [namespace as string, ...types].join("/"),
    name: names[names.length - 1],
  };
}

function parseResourceId(value: string, g: ResourceGrammar, options: ParseArmIdOptions): ScaleSetRef {
  const fail = (reason: string): never => {
    throw new InvalidArmIdError(g.kind, value, g.expected, reason);
  };
  if (typeof value !== "string") fail(`expected a string, got ${typeof value}`);
  checkStructure(value, fail);

  const segments = value.slice(1).split("/");
  if (segments.length !== 8) fail(`has ${segments.length} segments, expected 8`);
  const [subscriptions, subscriptionId, resourceGroups, resourceGroupName, providers, namespace, type, name] =
    segments as [string, string, string, string, string, string, string, string];

  expectFixed(subscriptions, "subscriptions", 1, fail);
  if (!GUID.test(subscriptionId)) fail(`subscription ID ${quote(subscriptionId)} is not a GUID`);
  expectFixed(resourceGroups, "resourceGroups", 3, fail);
  if (!RESOURCE_GROUP.test(resourceGroupName) || resourceGroupName.endsWith(".")) {
    fail(`resource group name ${quote(resourceGroupName)} is not ${RESOURCE_GROUP_NAME_RULE}`);
  }
  expectFixed(providers, "providers", 5, fail);
  if (namespace.toLowerCase() !== g.namespace.toLowerCase() || type.toLowerCase() !== g.type.toLowerCase()) {
    const hint = namespace.toLowerCase() === g.namespace.toLowerCase() ? g.typeHints?.[type.toLowerCase()] : undefined;
    fail(hint ?? `resource type is ${quote(`${namespace}/${type}`)}, expected ${quote(`${g.namespace}/${g.type}`)}`);
  }
  const nameOk = options.lenientNames ? name.length <= LENIENT_NAME_MAX : g.nameRule.test(name);
  if (!nameOk) {
    fail(
      `${g.kind} name ${quote(name)} is not ${options.lenientNames ? `1-${LENIENT_NAME_MAX} characters` : g.nameRuleText}`,
    );
  }

  const sub = subscriptionId.toLowerCase();
  return {
    id: `/subscriptions/${sub}/resourceGroups/${resourceGroupName}/providers/${g.namespace}/${g.type}/${name}`,
    subscriptionId: sub,
    resourceGroupName,
    name,
  };
}

// Structural rules shared by every ID: they are what keeps an ID from steering a request elsewhere.
function checkStructure(value: string, fail: (reason: string) => never): void {
  if (value.length === 0) fail("is empty");
  if (/\s/u.test(value)) fail("contains whitespace");
  if (/[\u0000-\u001f\u007f]/.test(value)) fail("contains a control character");
  for (const [char, what] of [
    ["?", "'?' (a query)"],
    ["#", "'#' (a fragment)"],
    ["%", "'%' (percent-encoding)"],
    ["\\", "'\\'"],
  ] as const) {
    if (value.includes(char)) fail(`contains ${what}`);
  }
  if (value.includes("..")) fail("contains '..'");
  if (!value.startsWith("/")) fail("does not start with '/'");
  if (value.length > 1 && value.endsWith("/")) fail("ends with '/'");
  if (value.includes("//") || value === "/") fail("has an empty segment");
}

function expectFixed(actual: string, expected: string, position: number, fail: (reason: string) => never): void {
  if (actual.toLowerCase() !== expected.toLowerCase()) {
    fail(`segment ${position} is ${quote(actual)}, expected ${quote(expected)}`);
  }
}
