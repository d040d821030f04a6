/**
 * The one place that turns identity state into a request body: `(current state, change, format) → PATCH body`,
 * or nothing when the change changes nothing. The rules are the identity algebra:
 *
 *   user'   = (C.user ∪ add) \ remove        (case-insensitive; an ID in both add and remove is removed)
 *   system' = change.system ?? C.system
 *   type'   = identityTypeOf(system', user' ≠ ∅)
 */
import { armIdKey } from "../grammar/armId";
import { canonicalIdentityId, identityKeys } from "./identityIds";
import type { BodyFormat } from "../grammar/apiVersion";
import type { IdentityState } from "./state";
import { NO_IDENTITY } from "./state";
import { type IdentityType, identityTypeOf } from "./types";

/** A change to a scale set's identity. */
export interface IdentityChange {
  /** `true` turns the system identity on, `false` off; `undefined` leaves it as it is. */
  system?: boolean;
  /** User-assigned identity IDs to ensure present (any casing). */
  add: readonly string[];
  /** User-assigned identity IDs to ensure absent (any casing). Wins over `add` for an ID in both. */
  remove: readonly string[];
}

/** A dictionary value in a PATCH body: `{}` adds the identity, `null` removes it. */
export type UserIdentityPatchValue = Record<string, never> | null;

/** The body of a scale set PATCH (or the `identity` part of a PUT) that changes only the identity. */
export interface IdentityPatch {
  identity: {
    /** The resulting type, canonical spelling. */
    type: IdentityType;
    /** `dictionary` format: only the identities that change, keyed by canonical ID. */
    userAssignedIdentities?: Record<string, UserIdentityPatchValue>;
    /** `identityIds` format: every user identity the scale set keeps, canonical IDs. */
    identityIds?: string[];
  };
}

/**
 * Plans the PATCH body that applies `change` to `current`, or `undefined` when nothing would change (then no
 * request is sent).
 *
 * `dictionary` format (2018-06-01+) sends only the delta: `{}` for an identity added and absent now, `null` for
 * one removed and present now. It never names an identity that is not changing: naming one makes ARM check the
 * caller's assign permission on it (azure-cli PR 6845, docs/arm-behavior.md, "PATCH merge rules"), and a `null` for an absent key may be
 * rejected (docs/arm-behavior.md, "Errors", terraform-provider-azurerm#25058). The dictionary is omitted when the delta is
 * empty (e.g. only the system identity changes: ARM keeps unnamed keys, docs/arm-behavior.md, "PATCH merge rules") and
 * when no user identity remains (the type then drops UserAssigned, which removes them all, as the how-to does).
 *
 * `identityIds` format (2017-12-01, 2018-04-01) sends the whole array of remaining identities, since a PATCH
 * replaces it (how-to, "API VERSION 2017-12-01"); it is omitted when none remain.
 *
 * Keys and array entries use the canonical spelling.
 * @throws InvalidArmIdError for an ID in `change` that is not a user-assigned identity ID.
 */
export function planPatch(
  current: IdentityState,
  change: IdentityChange,
  format: BodyFormat,
): IdentityPatch | undefined {
  const removeKeys = identityKeys(change.remove);
  const added = new Map<string, string>();
  for (const raw of change.add) {
    const id = canonicalIdentityId(raw);
    const key = armIdKey(id);
    if (!current.user.has(key) && !removeKeys.has(key) && !added.has(key)) added.set(key, id);
  }
  const removed = [...current.user].filter(([key]) => removeKeys.has(key)).map(([, info]) => info.id);
  const system = change.system ?? current.system;

  if (system === current.system && added.size === 0 && removed.length === 0) return undefined;

  const kept = [...current.user].filter(([key]) => !removeKeys.has(key)).map(([, info]) => info.id);
  const remaining = [...kept, ...added.values()];
  const identity: IdentityPatch["identity"] = { type: identityTypeOf(system, remaining.length > 0) };

  if (remaining.length > 0) {
    if (format === "identityIds") {
      identity.identityIds = remaining;
    } else if (added.size > 0 || removed.length > 0) {
      const delta: Record<string, UserIdentityPatchValue> = {};
      for (const id of added.values()) delta[id] = {};
      for (const id of removed) delta[id] = null;
      identity.userAssignedIdentities = delta;
    }
  }
  return { identity };
}

/**
 * The `identity` of a PUT that creates a scale set with the given identities (the how-to's creation bodies),
 * or `undefined` for a scale set without identity (ARM then has no `identity` key).
 * @throws InvalidArmIdError for an ID that is not a user-assigned identity ID.
 */
export function identityForCreate(
  system: boolean,
  userAssignedIdentities: readonly string[],
  format: BodyFormat,
): IdentityPatch["identity"] | undefined {
  return planPatch(NO_IDENTITY, { system, add: userAssignedIdentities, remove: [] }, format)?.identity;
}
