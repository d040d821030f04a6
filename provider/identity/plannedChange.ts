/**
 * The planned change: what `up` will do to a scale set's identity, computed without I/O from the state Pulumi
 * recorded (the last create, update or refresh) and the new inputs. A preview shows it, so that the preview is the
 * plan: every identity `up` will add or remove (including those exclusive mode removes because someone else added
 * them, which the state lists in `otherUserAssignedIdentities`) and whether the system identity turns on or off.
 *
 * It runs the same algebra `up` runs (`changeForCreate`/`changeForUpdate`, declaration.ts) on the identity the
 * state recorded, so the two cannot disagree; `up` itself re-reads the scale set, and anything that changed on the
 * scale set since the state was recorded (another writer, a refresh not run) can still change what it does. The
 * provider plugin's detailed diff reuses this function.
 */
import { FIRST_DICTIONARY_API_VERSION, DEFAULT_API_VERSION } from "../grammar/apiVersion";
import { armIdKey, parseUserAssignedIdentityId } from "../grammar/armId";
import { type Declaration, type Mode, changeForCreate, changeForUpdate } from "./declaration";
import { type IdentityState, identityStateOf } from "./state";
import { containsUnknown, declarationOf } from "./validate";

/** The part of a `VmssManagedIdentity`'s recorded state (its outputs) that planning reads. */
export interface RecordedIdentityState {
  /** Owned user-assigned identities present on the scale set when the state was recorded. */
  readonly userAssignedIdentities?: readonly string[];
  /** User-assigned identities on the scale set that the resource did not own. */
  readonly otherUserAssignedIdentities?: readonly string[];
  /** The scale set's identity type when the state was recorded (`None`, `SystemAssigned`, …). */
  readonly identityType?: string;
  /** The declared `systemAssigned` as it stood on the scale set. */
  readonly systemAssigned?: boolean;
  /** The mode then in force. */
  readonly mode?: Mode;
}

/** What `up` will do to the identity, as far as the recorded state tells. All IDs canonical, sorted. */
export interface PlannedChange {
  /** User-assigned identities `up` will assign (declared and not on the scale set). */
  add: string[];
  /** User-assigned identities `up` will remove, whoever assigned them. */
  remove: string[];
  /**
   * Of {@link remove}: the identities someone else assigned, which exclusive mode removes because they are not
   * declared.
   */
  removeForeign: string[];
  /** `"on"` or `"off"` when `up` turns the system-assigned identity on or off; absent when it leaves it. */
  systemAssigned?: "on" | "off";
  /**
   * Whether the recorded state is enough to know: `false` for a creation, where the scale set has not been read yet
   * (exclusive mode then also removes every identity it finds that is not declared, and an identity already assigned
   * is adopted rather than added).
   */
  complete: boolean;
  /** The mode the plan follows. */
  mode: Mode;
  /** Warnings a preview should show (e.g. the lost-update risk of the identityIds api-versions). */
  warnings: string[];
}

/** The warning shown for the `identityIds` api-versions (2017-12-01, 2018-04-01). */
export function identityIdsWarning(apiVersion: string): string {
  return (
    `api-version ${apiVersion} sends the whole identityIds array, which ARM replaces: an identity another writer ` +
    `(another stack, tool or person) assigns to the scale set between this resource's read and its write is ` +
    `removed again, and both writes report success. Use api-version ${FIRST_DICTIONARY_API_VERSION} or later, whose ` +
    `PATCH names only the identities that change`
  );
}

/**
 * Plans what `up` will do, from the recorded state (`undefined` for a creation) and the new declaration.
 * @param recorded the resource's recorded outputs, or `undefined` when the resource is being created.
 * @param previous the old declaration (the recorded inputs), for an update; `undefined` for a creation.
 * @param next the new declaration, validated (see `declarationOf`).
 * @param apiVersion the new inputs' api-version (absent means the default).
 * @throws InvalidArmIdError for an ID that is not a user-assigned identity ID (inputs that did not pass `check`).
 */
export function plannedChange(
  recorded: RecordedIdentityState | undefined,
  previous: Declaration | undefined,
  next: Declaration,
  apiVersion: string = DEFAULT_API_VERSION,
): PlannedChange {
  const warnings = apiVersion.slice(0, 10) < FIRST_DICTIONARY_API_VERSION ? [identityIdsWarning(apiVersion)] : [];
  if (recorded === undefined || previous === undefined) {
    const change = changeForCreate(identityStateOf(false), next);
    return {
      add: canonicalSorted(change.add),
      remove: [],
      removeForeign: [],
      ...(change.system === undefined ? {} : { systemAssigned: change.system ? "on" : "off" }),
      complete: false,
      mode: next.mode,
      warnings,
    };
  }
  const owned = recorded.userAssignedIdentities ?? [];
  const others = recorded.otherUserAssignedIdentities ?? [];
  const current: IdentityState = identityStateOf(systemOn(recorded), [...owned, ...others]);
  const change = changeForUpdate(current, previous, next);
  const removeKeys = new Set(change.remove.map(keyOf));
  const add = canonicalSorted(change.add.filter((id) => !current.user.has(keyOf(id)) && !removeKeys.has(keyOf(id))));
  const remove = canonicalSorted(change.remove.filter((id) => current.user.has(keyOf(id))));
  const foreignKeys = new Set(others.map(keyOf));
  const plan: PlannedChange = {
    add,
    remove,
    removeForeign: remove.filter((id) => foreignKeys.has(keyOf(id))),
    complete: true,
    mode: next.mode,
    warnings,
  };
  if (change.system !== undefined && change.system !== current.system)
    plan.systemAssigned = change.system ? "on" : "off";
  return plan;
}

/** Whether the plan changes anything. */
export function changesAnything(plan: PlannedChange): boolean {
  return plan.add.length > 0 || plan.remove.length > 0 || plan.systemAssigned !== undefined;
}

/**
 * The plan in one sentence per change, for a preview: e.g. `add …/ID2; remove …/other (assigned by someone else;
 * exclusive mode removes identities it does not declare); turn the system-assigned identity off`.
 * `undefined` when nothing changes.
 */
export function describePlannedChange(plan: PlannedChange): string | undefined {
  const parts: string[] = [];
  if (plan.add.length > 0) parts.push(`add ${plan.add.join(", ")}`);
  const own = plan.remove.filter((id) => !plan.removeForeign.includes(id));
  if (own.length > 0) parts.push(`remove ${own.join(", ")}`);
  if (plan.removeForeign.length > 0) {
    parts.push(
      `remove ${plan.removeForeign.join(", ")} (assigned by someone else; exclusive mode removes identities it does ` +
        `not declare)`,
    );
  }
  if (plan.systemAssigned !== undefined) parts.push(`turn the system-assigned identity ${plan.systemAssigned}`);
  if (!plan.complete) {
    parts.push(
      "the scale set is first read at creation: declared identities already assigned are adopted" +
        (plan.mode === "exclusive" ? ", and every identity found that is not declared is removed" : ""),
    );
  }
  return parts.length === 0 ? undefined : parts.join("; ");
}

function systemOn(recorded: RecordedIdentityState): boolean {
  if (typeof recorded.identityType === "string") return /systemassigned/i.test(recorded.identityType);
  return recorded.systemAssigned === true;
}

function keyOf(id: string): string {
  return armIdKey(parseUserAssignedIdentityId(id).id);
}

function canonicalSorted(ids: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const raw of ids) {
    const { id } = parseUserAssignedIdentityId(raw);
    if (!seen.has(armIdKey(id))) seen.set(armIdKey(id), id);
  }
  return [...seen.values()].sort((a, b) => (armIdKey(a) < armIdKey(b) ? -1 : armIdKey(a) > armIdKey(b) ? 1 : 0));
}

/**
 * {@link plannedChange} from the records Pulumi hands a provider: the recorded outputs (`undefined` or empty for a
 * creation) and the new inputs after `check`. `undefined` when the plan cannot be known before `up`: an identity
 * input is still unknown (it depends on another resource), or the records do not parse (old state from another
 * version of the package).
 */
export function plannedChangeOf(
  recorded: Readonly<Record<string, unknown>> | undefined,
  news: Readonly<Record<string, unknown>>,
): PlannedChange | undefined {
  if (
    ["scaleSetId", "systemAssigned", "userAssignedIdentities", "mode", "apiVersion"].some((k) =>
      containsUnknown(news[k]),
    )
  ) {
    return undefined;
  }
  const creating = recorded === undefined || recorded.scaleSetId === undefined;
  try {
    const next = declarationOf(news);
    const apiVersion = typeof news.apiVersion === "string" ? news.apiVersion : undefined;
    if (creating) return plannedChange(undefined, undefined, next, apiVersion);
    return plannedChange(recorded as RecordedIdentityState, declarationOf(recorded), next, apiVersion);
  } catch {
    return undefined;
  }
}
