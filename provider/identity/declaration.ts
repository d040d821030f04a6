/**
 * Turning what a `VmssManagedIdentity` declares into changes of the scale set's identity, for create, update
 * and delete (the identity algebra, README "How it works"). The resulting change goes to `planPatch`.
 */
import { armIdKey } from "../grammar/armId";
import { canonicalIdentityIds, identityKey, identityKeys } from "./identityIds";
import type { IdentityChange } from "./plan";
import type { IdentityState } from "./state";

/**
 * `additive` (default): identities the resource does not list are never touched (the how-to's warning "to
 * ensure you don't delete any existing user-assigned managed identities"). `exclusive`: the scale set's identity
 * becomes exactly what is declared.
 */
export type Mode = "additive" | "exclusive";

/** What one `VmssManagedIdentity` declares. */
export interface Declaration {
  /** `true` ensures the system identity on, `false` off; `undefined` leaves it alone (not managed). */
  systemAssigned?: boolean;
  /** User-assigned identity IDs the resource owns (any casing). */
  userAssignedIdentities: readonly string[];
  /** See {@link Mode}. */
  mode: Mode;
}

/**
 * The change that creating the resource makes.
 * - additive: add the declared identities; system as declared (`undefined` leaves it).
 * - exclusive: also remove every user identity not declared; system as declared, off when not declared.
 */
export function changeForCreate(current: IdentityState, d: Declaration): IdentityChange {
  if (d.mode === "exclusive") {
    const declared = identityKeys(d.userAssignedIdentities);
    return {
      system: d.systemAssigned ?? false,
      add: [...d.userAssignedIdentities],
      remove: [...current.user].filter(([key]) => !declared.has(key)).map(([, info]) => info.id),
    };
  }
  return withSystem({ add: [...d.userAssignedIdentities], remove: [] }, d.systemAssigned);
}

/**
 * The change that updating the resource from `olds` to `news` makes.
 * - news additive: add the new identities; remove those the old declaration owned that the new one no longer
 *   lists (nothing else); system as newly declared. Old `true`, new `undefined` means "stop managing": the
 *   system identity stays as it is.
 * - news exclusive: the same as creating with `news`.
 */
export function changeForUpdate(current: IdentityState, olds: Declaration, news: Declaration): IdentityChange {
  if (news.mode === "exclusive") return changeForCreate(current, news);
  const kept = identityKeys(news.userAssignedIdentities);
  return withSystem(
    {
      add: [...news.userAssignedIdentities],
      remove: olds.userAssignedIdentities.filter((id) => !kept.has(identityKey(id))),
    },
    news.systemAssigned,
  );
}

/**
 * The change that deleting the resource makes: remove what it owns (its user identities, and the system
 * identity if it declared `systemAssigned: true`) and leave everything else, in either mode.
 */
export function changeForDelete(_current: IdentityState, olds: Declaration): IdentityChange {
  return withSystem(
    { add: [], remove: [...olds.userAssignedIdentities] },
    olds.systemAssigned === true ? false : undefined,
  );
}

/**
 * The declared identities already on the scale set, canonical IDs in declaration order: creating the resource
 * adopts them (and the provider says so in a warning), since dynamic resources cannot be imported.
 */
export function adoptedIdentities(current: IdentityState, d: Declaration): string[] {
  return canonicalIdentityIds(d.userAssignedIdentities).filter((id) => current.user.has(armIdKey(id)));
}

function withSystem(change: IdentityChange, system: boolean | undefined): IdentityChange {
  return system === undefined ? change : { ...change, system };
}
