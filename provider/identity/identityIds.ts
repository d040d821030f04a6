/**
 * Lists of user-assigned identity IDs, normalised in one place: every part of the package that compares, orders or
 * de-duplicates identity IDs (the algebra, the derivation of what changes, the state a resource records) does it
 * with these functions. Two spellings name one identity when their keys are equal: ARM compares IDs
 * case-insensitively and returns them in varying casing (docs/arm-behavior.md, "IDs and casing"), so a casing-only
 * difference is never a change, and the order of a list never matters.
 */
import { type ParseArmIdOptions, armIdKey, parseUserAssignedIdentityId } from "../grammar/armId";

/**
 * The canonical spelling of a user-assigned identity ID (subscription lower-case, fixed segments in canonical
 * casing, names as given).
 * @throws InvalidArmIdError for a value that is not a user-assigned identity ID.
 */
export function canonicalIdentityId(id: string, options?: ParseArmIdOptions): string {
  return parseUserAssignedIdentityId(id, options).id;
}

/**
 * The comparison key of a user-assigned identity ID: two spellings of one identity have the same key. Names are read
 * leniently (ParseArmIdOptions.lenientNames): a comparison never rejects an identity ARM itself returned, whose name
 * may predate today's naming rules; inputs are held to those rules by `check`.
 * @throws InvalidArmIdError for a value that is not shaped like a user-assigned identity ID.
 */
export function identityKey(id: string): string {
  return armIdKey(canonicalIdentityId(id, { lenientNames: true }));
}

/**
 * The key of an ID read from a recorded state, which may predate a grammar change: its {@link identityKey} when it
 * parses, else the value itself (lower-cased), so that old state is compared as it is rather than failing a preview.
 */
export function recordedIdentityKey(id: string): string {
  try {
    return identityKey(id);
  } catch {
    return armIdKey(id);
  }
}

/**
 * The keys of a list of IDs (see {@link identityKey}).
 * @throws InvalidArmIdError for a value that is not shaped like a user-assigned identity ID.
 */
export function identityKeys(ids: readonly string[]): Set<string> {
  return new Set(ids.map(identityKey));
}

/**
 * The canonical spellings of a list of IDs, each identity once (its first spelling), in the list's order.
 * @throws InvalidArmIdError for a value that is not a user-assigned identity ID.
 */
export function canonicalIdentityIds(ids: readonly string[], options?: ParseArmIdOptions): string[] {
  const seen = new Map<string, string>();
  for (const raw of ids) {
    const id = canonicalIdentityId(raw, options);
    if (!seen.has(armIdKey(id))) seen.set(armIdKey(id), id);
  }
  return [...seen.values()];
}

/**
 * {@link canonicalIdentityIds}, sorted by key: the order of every list of IDs the package shows or records where the
 * user's order does not apply (a plan, the identities a resource does not own).
 * @throws InvalidArmIdError for a value that is not a user-assigned identity ID.
 */
export function sortedIdentityIds(ids: readonly string[], options?: ParseArmIdOptions): string[] {
  const key = (id: string) => armIdKey(id);
  return canonicalIdentityIds(ids, options).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * Whether two lists name the same set of identities, ignoring order, casing and repeats.
 * @throws InvalidArmIdError for a value that is not a user-assigned identity ID.
 */
export function sameIdSet(a: readonly string[], b: readonly string[]): boolean {
  const left = identityKeys(a);
  const right = identityKeys(b);
  return left.size === right.size && [...left].every((key) => right.has(key));
}
