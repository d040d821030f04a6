/**
 * The identity part of what a `VmssManagedIdentity` records in its state, and reading it back: the runtime writes it
 * after every create, update and refresh ({@link recordOf}), and the derivation of what changes reads it
 * ({@link recordedIdentityOf}) to know, without I/O, the identity the scale set had when the state was recorded.
 * One is the inverse of the other: the identity read back from a record is the one it was made from.
 */
import { armIdKey } from "../grammar/armId";
import type { Declaration } from "./declaration";
import { canonicalIdentityIds, identityKeys, sortedIdentityIds } from "./identityIds";
import { type IdentityState, identityStateOf } from "./state";
import { type IdentityType, identityTypeOf } from "./types";
import { declarationOf } from "./validate";

/** The identity fields of a `VmssManagedIdentity`'s outputs. */
export interface IdentityRecord {
  /** Owned user-assigned identities present on the scale set (canonical IDs, in declaration order). */
  userAssignedIdentities: string[];
  /** User-assigned identities on the scale set that the resource does not own (canonical IDs, sorted). */
  otherUserAssignedIdentities: string[];
  /** The scale set's effective identity type. */
  identityType: IdentityType;
  /**
   * The system identity as it stands on the scale set, when the resource manages it (it declares
   * `systemAssigned`, or is exclusive); absent otherwise.
   */
  systemAssigned?: boolean;
}

/**
 * What a resource declaring `declared` records of the scale set identity `state`: the declaration as it really
 * stands (so that drift shows in the next diff), and the identities it does not own.
 * @throws InvalidArmIdError for a declared ID that is not a user-assigned identity ID.
 */
export function recordOf(declared: Declaration, state: IdentityState): IdentityRecord {
  const declaredKeys = identityKeys(declared.userAssignedIdentities);
  const others = [...state.user.entries()].filter(([key]) => !declaredKeys.has(key)).map(([, info]) => info.id);
  const record: IdentityRecord = {
    userAssignedIdentities: canonicalIdentityIds(declared.userAssignedIdentities).filter((id) =>
      state.user.has(armIdKey(id)),
    ),
    // ARM already accepted these names (see ParseArmIdOptions.lenientNames).
    otherUserAssignedIdentities: sortedIdentityIds(others, { lenientNames: true }),
    identityType: identityTypeOf(state.system, state.user.size > 0),
  };
  if (declared.mode === "exclusive" || declared.systemAssigned !== undefined) record.systemAssigned = state.system;
  return record;
}

/** What a recorded state says, read back. */
export interface RecordedIdentity {
  /** The scale set's identity when the state was recorded. */
  current: IdentityState;
  /** The declaration the state records: owned identities present, mode, `systemAssigned` as it stood. */
  previous: Declaration;
  /** The recorded `userAssignedIdentities`, as recorded (paths of the detailed diff index it). */
  owned: readonly string[];
  /** The recorded `otherUserAssignedIdentities`, as recorded. */
  others: readonly string[];
  /** The recorded principal of the system identity, when it was on. */
  principalId?: string;
  /** Whether the resource turned the system identity on (then deleting it turns it off). */
  systemAssignedOwned: boolean;
}

/**
 * Reads a recorded state (a resource's outputs) back; `undefined` when it does not parse (a state written by another
 * version of the package), which a preview then compares as it is.
 */
export function recordedIdentityOf(recorded: Readonly<Record<string, unknown>>): RecordedIdentity | undefined {
  const owned = stringList(recorded.userAssignedIdentities);
  const others = stringList(recorded.otherUserAssignedIdentities);
  if (owned === undefined || others === undefined) return undefined;
  try {
    const previous = declarationOf({ ...recorded, userAssignedIdentities: owned });
    // The others came from ARM (see ParseArmIdOptions.lenientNames).
    const current = identityStateOf(systemOn(recorded), [...owned, ...others], { lenientNames: true });
    const read: RecordedIdentity = {
      current,
      previous,
      owned,
      others,
      systemAssignedOwned: recorded.systemAssignedOwned === true,
    };
    if (typeof recorded.principalId === "string") read.principalId = recorded.principalId;
    return read;
  } catch {
    return undefined;
  }
}

function systemOn(recorded: Readonly<Record<string, unknown>>): boolean {
  if (typeof recorded.identityType === "string") return /systemassigned/i.test(recorded.identityType);
  return recorded.systemAssigned === true;
}

// Absent means none; anything but a list of strings does not parse.
function stringList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined;
}
