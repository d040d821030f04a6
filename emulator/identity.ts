// The identity semantics of Compute for scale sets, as pure functions over the stored identity:
// reading a request's `identity`, validating it, and computing the identity that results.
// Sources: docs/arm-behavior.md, "PATCH merge rules" and "Errors".
import type { IdentityFormat } from "./api-versions";
import {
  dictionaryNotAllowed,
  failedIdentityOperation,
  identityIdsNotAllowed,
  identityNotAssigned,
  invalidIdentityValues,
  invalidParameter,
  invalidRequestContent,
  linkedInvalidPropertyId,
  missingIdentityIds,
} from "./arm-errors";
import { identityIdAsEchoed, identityKey, parseIdentityId, type IdentityRef, type KeyCasing } from "./resource-ids";

/** The system-assigned identity of a scale set. */
export interface SystemIdentity {
  principalId: string;
  tenantId: string;
}

/** A user-assigned identity assigned to a scale set, with the values copied from the identity resource. */
export interface AssignedUserIdentity {
  lookupKey: string;
  /** Names as stored on the identity resource; responses spell the key from them. */
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  principalId: string;
  clientId: string;
  /** Added by an operation that is still running: shown as `{}` until it ends (docs/arm-behavior.md). */
  pending: boolean;
}

/** The identity of a scale set; `null` stands for no identity at all. */
export interface IdentityState {
  system: SystemIdentity | null;
  users: AssignedUserIdentity[];
}

/** Which identity kinds a `type` string names. */
export interface IdentityType {
  system: boolean;
  user: boolean;
}

/** One user-assigned identity named in a request. */
export interface NamedIdentity {
  /** The ID exactly as sent. */
  raw: string;
  ref: IdentityRef;
  /** Dictionary value: `null` removes, an object adds or keeps; always `{}` for identityIds. */
  value: Record<string, unknown> | null;
}

/** A request's `identity` after shape checks. */
export interface IdentityRequest {
  type: IdentityType;
  /** The type as sent, for messages. */
  typeText: string;
  entries: NamedIdentity[];
}

/** What `resolveIdentity` needs from the world. */
export interface IdentityContext {
  method: "PUT" | "PATCH";
  format: IdentityFormat;
  current: IdentityState | null;
  scaleSetId: string;
  scaleSetName: string;
  /** What `null` on an identity that is not assigned does (docs/arm-behavior.md, "Errors": unknown; the emulator's choice). */
  unassignedRemoval: UnassignedRemoval;
  /** The identity resource an ID names, if it exists. */
  findIdentity(ref: IdentityRef): Omit<AssignedUserIdentity, "pending" | "lookupKey"> | undefined;
  /** A new system-assigned principal (a new principalId every time it is enabled). */
  newSystemIdentity(): SystemIdentity;
}

/**
 * `reject`: `null` for an identity that is not assigned fails with 400 (default: the Terraform maintainer
 * saw the backend reject such `null`s, terraform-provider-azurerm#25058, and ACR notes ARM throws on a
 * `null` entry for an identity being created, Azure/acr#441; docs/arm-behavior.md, "Errors"). `ignore`: a no-op.
 */
export type UnassignedRemoval = "reject" | "ignore";

/** All unassigned-removal modes, for validation. */
export const UNASSIGNED_REMOVAL_MODES: readonly UnassignedRemoval[] = ["reject", "ignore"];

/** The canonical spelling responses use (docs/arm-behavior.md: comma and space). */
export function canonicalType(
  type: IdentityType,
): "SystemAssigned" | "UserAssigned" | "SystemAssigned, UserAssigned" | "None" {
  if (type.system && type.user) return "SystemAssigned, UserAssigned";
  if (type.system) return "SystemAssigned";
  if (type.user) return "UserAssigned";
  return "None";
}

const TYPE_FORMS = /^\s*(systemassigned|userassigned|none|systemassigned\s*,\s*userassigned)\s*$/i;

/**
 * Parses `identity.type` in any casing, with or without the space after the comma, as Microsoft's own
 * documented calls send it (`userAssigned`, `SystemAssigned,UserAssigned`; docs/arm-behavior.md, "PATCH merge rules").
 */
export function parseIdentityType(value: unknown): IdentityType {
  if (value === undefined || value === null) {
    throw invalidParameter("Required parameter 'identity.type' is missing (null).", "identity.type");
  }
  const match = typeof value === "string" ? TYPE_FORMS.exec(value) : null;
  if (match === null) {
    throw invalidParameter(
      `The value ${JSON.stringify(value)} of parameter 'identity.type' is invalid. ` +
        `Allowed values: 'SystemAssigned', 'UserAssigned', 'SystemAssigned, UserAssigned', 'None'.`,
      "identity.type",
    );
  }
  const form = match[1].toLowerCase().replace(/\s+/g, "");
  return {
    system: form.startsWith("systemassigned"),
    user: form.endsWith("userassigned"),
  };
}

/**
 * Reads a request's `identity` value: shape (JSON types), type and the IDs it names. Property names
 * match case-insensitively, as the service's JSON deserialiser does.
 * @throws ArmFailure InvalidRequestContent, InvalidParameter (type) or LinkedInvalidPropertyId.
 */
export function readIdentityRequest(identity: unknown, format: IdentityFormat): IdentityRequest {
  if (!isPlainObject(identity)) {
    throw invalidRequestContent(
      `Error converting value ${JSON.stringify(identity)} to type 'VirtualMachineScaleSetIdentity'. Path 'identity'`,
    );
  }
  const typeValue = property(identity, "type");
  const type = parseIdentityType(typeValue);
  const entries: NamedIdentity[] = [];
  if (format === "dictionary") {
    const dictionary = property(identity, "userAssignedIdentities");
    if (dictionary !== undefined && dictionary !== null) {
      if (!isPlainObject(dictionary)) {
        throw invalidRequestContent(
          `Error converting value ${JSON.stringify(dictionary)} to type 'IDictionary<string, UserAssignedIdentitiesValue>'. Path 'identity.userAssignedIdentities'`,
        );
      }
      for (const [raw, value] of Object.entries(dictionary)) {
        const ref = parseIdentityId(raw);
        if (ref === undefined) throw linkedInvalidPropertyId(raw);
        if (value !== null && !isPlainObject(value)) throw invalidIdentityValues(raw);
        entries.push({ raw, ref, value });
      }
    }
  } else {
    const ids = property(identity, "identityIds");
    if (ids !== undefined && ids !== null) {
      if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string")) {
        throw invalidRequestContent(
          `Error converting value ${JSON.stringify(ids)} to type 'IList<string>'. Path 'identity.identityIds'`,
        );
      }
      for (const raw of ids as string[]) {
        const ref = parseIdentityId(raw);
        if (ref === undefined) throw linkedInvalidPropertyId(raw);
        entries.push({ raw, ref, value: {} });
      }
    }
  }
  return { type, typeText: String(typeValue), entries };
}

/**
 * Computes the identity a validated request leaves on the scale set.
 * - 2018-06-01+ PATCH merges the dictionary: `{}` adds, `null` removes, omitted keys stay;
 * - PUT, and any 2017-12-01 request, sets the user identities to exactly those sent;
 * - a type without UserAssigned drops every user identity; SystemAssigned keeps the current
 *   principal or creates a new one.
 * @returns the new identity, or `null` for none.
 * @throws ArmFailure InvalidIdentityValues, InvalidParameter, MissingIdentityIds, FailedIdentityOperation.
 */
export function resolveIdentity(request: IdentityRequest, context: IdentityContext): IdentityState | null {
  const current = context.current ?? { system: null, users: [] };
  const currentByKey = new Map(current.users.map((user) => [user.lookupKey, user]));

  // Read-only values echoed back are accepted when they equal the stored ones (docs/arm-behavior.md, "PATCH merge rules").
  for (const entry of request.entries) {
    if (entry.value === null || Object.keys(entry.value).length === 0) continue;
    const stored = currentByKey.get(entry.ref.lookupKey);
    if (stored === undefined || !echoesStoredValues(entry.value, stored)) throw invalidIdentityValues(entry.raw);
  }

  let users: AssignedUserIdentity[] = [];
  if (!request.type.user) {
    if (request.entries.length > 0) {
      throw context.format === "dictionary"
        ? dictionaryNotAllowed()
        : identityIdsNotAllowed(canonicalType(request.type));
    }
  } else {
    const merged =
      context.format === "dictionary" && context.method === "PATCH"
        ? new Map(currentByKey)
        : new Map<string, AssignedUserIdentity>();
    const toResolve: NamedIdentity[] = [];
    for (const entry of request.entries) {
      const key = entry.ref.lookupKey;
      if (entry.value === null) {
        if (merged.delete(key)) continue;
        if (!currentByKey.has(key) && context.unassignedRemoval === "reject") {
          throw identityNotAssigned(entry.raw, context.scaleSetName);
        }
        continue;
      }
      if (merged.has(key) || toResolve.some((other) => other.ref.lookupKey === key)) continue;
      const existing = currentByKey.get(key);
      if (existing !== undefined) merged.set(key, existing);
      else toResolve.push(entry);
    }
    if (merged.size + toResolve.length === 0) throw missingIdentityIds();
    for (const entry of toResolve) {
      const found = context.findIdentity(entry.ref);
      if (found === undefined) throw failedIdentityOperation(context.scaleSetId, identityIdAsEchoed(entry.ref));
      merged.set(entry.ref.lookupKey, { ...found, lookupKey: entry.ref.lookupKey, pending: true });
    }
    users = [...merged.values()];
  }

  const system = request.type.system ? (current.system ?? context.newSystemIdentity()) : null;
  if (system === null && users.length === 0) return null;
  return { system, users };
}

/** The identity once its operation has ended: every user identity shows its values. */
export function settledIdentity(state: IdentityState | null): IdentityState | null {
  if (state === null || state.users.every((user) => !user.pending)) return state;
  return { system: state.system, users: state.users.map((user) => ({ ...user, pending: false })) };
}

/**
 * The `identity` of a scale-set response, or undefined when there is none: responses then carry no
 * `identity` key at all, also after `type: None` (docs/arm-behavior.md; the Azure CLI's recordings, PATCH None).
 * Key order follows the recordings: type, principalId, tenantId, then the user identities.
 */
export function renderIdentity(
  state: IdentityState | null,
  format: IdentityFormat,
  casing: KeyCasing,
): Record<string, unknown> | undefined {
  if (state === null) return undefined;
  const out: Record<string, unknown> = {
    type: canonicalType({ system: state.system !== null, user: state.users.length > 0 }),
  };
  if (state.system !== null) {
    out.principalId = state.system.principalId;
    out.tenantId = state.system.tenantId;
  }
  if (state.users.length > 0) {
    const keyOf = (user: AssignedUserIdentity): string =>
      identityKey(user.subscriptionId, user.resourceGroup, user.name, casing);
    if (format === "dictionary") {
      const dictionary: Record<string, unknown> = {};
      for (const user of state.users) {
        dictionary[keyOf(user)] = user.pending ? {} : { principalId: user.principalId, clientId: user.clientId };
      }
      out.userAssignedIdentities = dictionary;
    } else {
      out.identityIds = state.users.map(keyOf);
    }
  }
  return out;
}

function echoesStoredValues(value: Record<string, unknown>, stored: AssignedUserIdentity): boolean {
  return Object.entries(value).every(([name, given]) => {
    const lower = name.toLowerCase();
    const expected = lower === "principalid" ? stored.principalId : lower === "clientid" ? stored.clientId : undefined;
    return expected !== undefined && typeof given === "string" && given.toLowerCase() === expected.toLowerCase();
  });
}

/** A property by name, exact match first, else case-insensitive (the service's deserialiser ignores case). */
export function property(object: Record<string, unknown>, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(object, name)) return object[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(object)) if (key.toLowerCase() === lower) return object[key];
  return undefined;
}

/** A JSON object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
