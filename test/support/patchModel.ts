/**
 * Test-only helpers of the identity algebra (not in the shipped build): a pure model of what ARM does with an
 * identity PATCH body, for property tests of the planner (plan → apply → plan again must be nothing), and small ID
 * helpers. The model follows docs/arm-behavior.md ("PATCH merge rules", "Errors"); it is not the emulator, which must
 * be free to disagree with the provider.
 */
import { armIdKey, parseUserAssignedIdentityId } from "../../provider/grammar/armId";
import type { BodyFormat } from "../../provider/grammar/apiVersion";
import type { IdentityPatch } from "../../provider/identity/plan";
import type { IdentityState, UserIdentityInfo } from "../../provider/identity/state";
import { hasSystem, hasUser, parseIdentityType } from "../../provider/identity/types";

/** Whether two ARM IDs name the same resource (case-insensitive). */
export function sameArmId(a: string, b: string): boolean {
  return armIdKey(a) === armIdKey(b);
}

/** The user-assigned identity IDs of a state, in the order ARM listed them. */
export function userIdsOf(state: IdentityState): string[] {
  return [...state.user.values()].map((u) => u.id);
}

/** A body ARM would reject; `code` is the ARM error code it would answer with. Recognise it by `name`. */
export class RejectedPatchError extends Error {
  override readonly name = "RejectedPatchError";
  /** ARM's error code, e.g. `MissingIdentityIds`. */
  readonly code: string;

  constructor(code: string, message: string) {
    super(`ARM would reject this identity PATCH with ${code}: ${message}`);
    this.code = code;
  }
}

/**
 * Applies a PATCH body to a state the way ARM does:
 * - `dictionary`: keys not named are kept; `{}` adds, `null` removes (keys match case-insensitively); a type
 *   without UserAssigned removes every user identity.
 * - `identityIds`: the array replaces the user identities whole; absent, they are kept.
 * - the system identity follows the type; a newly enabled one has no principal ID until ARM reports one.
 *
 * @throws RejectedPatchError where ARM answers 400: an empty user set with type UserAssigned
 *   (`MissingIdentityIds`), user identities with a type without UserAssigned (`InvalidParameter`), a dictionary
 *   value other than `{}`/`null` (`InvalidIdentityValues`), `null` for an identity not assigned (docs/arm-behavior.md,
 *   "PATCH merge rules": the service may reject it; modelled as rejected so the planner is held to never sending one), the
 *   other format's field, or one identity named twice.
 */
export function applyPatch(current: IdentityState, patch: IdentityPatch, format: BodyFormat): IdentityState {
  const type = parseIdentityType(patch.identity.type);
  const { userAssignedIdentities: dictionary, identityIds } = patch.identity;
  const otherField = format === "dictionary" ? identityIds : dictionary;
  if (otherField !== undefined) {
    throw new RejectedPatchError("InvalidParameter", `the ${format} format does not take the other format's field`);
  }

  let user: Map<string, UserIdentityInfo>;
  if (format === "dictionary") {
    user = applyDictionary(current, dictionary ?? {}, hasUser(type));
  } else {
    user = applyIdentityIds(current, identityIds, hasUser(type));
  }

  if (hasUser(type) && user.size === 0) {
    throw new RejectedPatchError(
      "MissingIdentityIds",
      "The identity ids must not be null or empty for 'UserAssigned' identity type.",
    );
  }

  const system = hasSystem(type);
  const next: IdentityState = { system, user };
  if (system && current.system) {
    if (current.principalId !== undefined) next.principalId = current.principalId;
    if (current.tenantId !== undefined) next.tenantId = current.tenantId;
  }
  return next;
}

function applyDictionary(
  current: IdentityState,
  dictionary: Record<string, unknown>,
  keepsUser: boolean,
): Map<string, UserIdentityInfo> {
  const entries = Object.entries(dictionary);
  if (!keepsUser) {
    if (entries.length > 0) {
      throw new RejectedPatchError("InvalidParameter", "a type without UserAssigned takes no userAssignedIdentities");
    }
    return new Map();
  }
  const user = new Map(current.user);
  const seen = new Set<string>();
  for (const [raw, value] of entries) {
    const { id } = parseUserAssignedIdentityId(raw);
    const key = armIdKey(id);
    if (seen.has(key)) throw new RejectedPatchError("InvalidParameter", `identity ${raw} is named twice`);
    seen.add(key);
    if (value === null) {
      if (!user.has(key)) throw new RejectedPatchError("BadRequest", `null for ${raw}, which is not assigned`);
      user.delete(key);
    } else if (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0) {
      if (!user.has(key)) user.set(key, { id });
    } else {
      throw new RejectedPatchError("InvalidIdentityValues", `Invalid value for the identities '${raw}'.`);
    }
  }
  return user;
}

function applyIdentityIds(
  current: IdentityState,
  identityIds: readonly string[] | undefined,
  keepsUser: boolean,
): Map<string, UserIdentityInfo> {
  if (!keepsUser) {
    // "ResourceIdentity identityIds should not be provided if the type is "SystemAssigned"" (docs/arm-behavior.md, "Errors").
    if (identityIds !== undefined && identityIds.length > 0) {
      throw new RejectedPatchError("InvalidParameter", "identityIds should not be provided for this type");
    }
    return new Map();
  }
  if (identityIds === undefined) return new Map(current.user);
  const user = new Map<string, UserIdentityInfo>();
  for (const raw of identityIds) {
    const { id } = parseUserAssignedIdentityId(raw);
    const key = armIdKey(id);
    if (user.has(key)) throw new RejectedPatchError("InvalidParameter", `identity ${raw} is listed twice`);
    user.set(key, current.user.get(key) ?? { id });
  }
  return user;
}
