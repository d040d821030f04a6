/**
 * The one derivation of what changes. From the state Pulumi recorded for a `VmssManagedIdentity` (its outputs: the
 * declaration as it stood on the scale set at the last create, update or refresh, and the identities it does not
 * own; nothing at creation) and the new checked inputs, {@link planChange} computes what `up` will do: the
 * identities it assigns, adopts and removes (and whose they are), the system identity turning on or off, whether the
 * resource is replaced and which property forces it, which properties changed, whether anything changes at all, and
 * the warnings a reviewer needs. Everything that decides or shows a change is a thin projection of that result:
 * - `diff` of both doors (provider/runtime.ts): {@link diffOf};
 * - the provider plugin's detailed diff (plugin/vmssManagedIdentity.ts): {@link detailedDiffOf};
 * - the preview's plan line and warnings (provider/previewPlan.ts): {@link describePlannedChange} and
 *   {@link PlannedChange.warnings}.
 *
 * The identity part runs what `up` runs on the recorded identity (`changeForCreate`/`changeForUpdate`, then
 * `planPatch`), so the preview and `up` agree on the same state; `up` itself re-reads the scale set, and what
 * changed there since the state was recorded (another writer, a refresh not run) can still change what it does.
 * Pure: no I/O, no credential. Identity IDs compare by their keys (identityIds.ts): casing and order are never a
 * change.
 */
import { DEFAULT_API_VERSION, FIRST_DICTIONARY_API_VERSION, bodyFormatFor } from "../grammar/apiVersion";
import { armIdKey, parseScaleSetId } from "../grammar/armId";
import { canonicalEndpoint } from "../grammar/settings";
import { jsonEqual } from "../jsonEqual";
import { type Declaration, type Mode, changeForCreate, changeForDelete, changeForUpdate } from "./declaration";
import { identityKeys, recordedIdentityKey, sortedIdentityIds } from "./identityIds";
import { type IdentityChange, planPatch } from "./plan";
import { type RecordedIdentity, recordedIdentityOf } from "./record";
import { type IdentityState, NO_IDENTITY } from "./state";
import { hasSystem } from "./types";
import { UNKNOWN, containsUnknown, declarationOf } from "./validate";

type Props = Readonly<Record<string, unknown>>;

/** What happened to one property path (Pulumi's `PropertyDiff`). */
export interface PropertyChange {
  /** `add`: absent before; `delete`: absent after; `update`: both present, different. */
  kind: "add" | "delete" | "update";
  /** Whether this change alone forces a replacement of the resource. */
  replace: boolean;
}

/** What `up` does to the identity of the scale set the new inputs address. All IDs canonical, sorted. */
export interface IdentityEffect {
  /** User-assigned identities `up` assigns (declared, not on the scale set). */
  add: string[];
  /**
   * Declared identities already on the scale set that the resource did not own: `up` sends nothing for them, but
   * from then on the resource owns them, and deleting it removes them.
   */
  adopt: string[];
  /** User-assigned identities `up` removes, whoever assigned them. */
  remove: string[];
  /** Of {@link remove}: those someone else assigned, which exclusive mode removes because they are not declared. */
  removeForeign: string[];
  /** `"on"` or `"off"` when `up` turns the system-assigned identity on or off; absent when it leaves it. */
  systemAssigned?: "on" | "off";
  /**
   * Whether the recorded state is enough to know: `false` for a creation, where the scale set is read only by `up`
   * (declared identities already assigned are then adopted rather than added, and exclusive mode also removes every
   * identity found that is not declared).
   */
  complete: boolean;
  /** The mode `up` follows. */
  mode: Mode;
}

/** On a replacement: what deleting the old resource does to the scale set it managed. */
export interface ReleasedIdentity {
  /** The old scale set. */
  scaleSetId: string;
  /** The owned user-assigned identities removed from it (canonical, sorted). */
  remove: string[];
  /** `"off"` when the resource turned the system identity on, so that deleting it turns it off. */
  systemAssigned?: "off";
}

/** What `up` will do, as far as the recorded state and the new inputs tell. */
export interface PlannedChange {
  /** Whether the resource is being created (there is no recorded state). */
  creating: boolean;
  /** The scale set the new inputs address (canonical); absent while unknown (a preview). */
  scaleSetId?: string;
  /** Whether `up` has anything to do: an update or a replacement (always `true` for a creation). */
  changes: boolean;
  /** The properties whose change forces a replacement: `scaleSetId` (another scale set, or unknown), or none. */
  replaces: string[];
  /**
   * Every property that changes, by Pulumi property path (`userAssignedIdentities[1]`): the detailed diff. An
   * identity assigned or adopted indexes the new inputs' `userAssignedIdentities`, one removed the recorded
   * `userAssignedIdentities`, one that someone else assigned the recorded `otherUserAssignedIdentities`; a removal
   * and an addition at the same index become one `update`. Empty for a creation.
   */
  properties: Record<string, PropertyChange>;
  /**
   * What `up` does to the identity of {@link scaleSetId}; absent when that cannot be known before `up`: an identity
   * input (or, for a replacement, the new scale set) is still unknown, or the recorded state does not parse (state
   * from another version of the package, whose properties are then compared as they are).
   */
  identity?: IdentityEffect;
  /** On a replacement, what deleting the old resource does to its scale set (when the recorded state parses). */
  released?: ReleasedIdentity;
  /** The identity inputs still unknown (a preview): `systemAssigned`, `userAssignedIdentities`, `mode`. */
  unknownInputs: string[];
  /** Warnings a reviewer should see with the plan (e.g. the lost-update risk of the identityIds api-versions). */
  warnings: string[];
}

/**
 * Derives what `up` will do.
 * - `scaleSetId` naming another scale set (case-insensitive), or unknown in a preview: a replacement, since the
 *   resource then manages another scale set (as Terraform marks an unknown force-new value).
 * - `systemAssigned`, the set of `userAssignedIdentities`, `mode`: a change; so is what `up` would do to the
 *   recorded identity (exclusive mode removes identities someone else assigned since the last refresh).
 * - `environment` or `endpoint`: a change (an update, not a replacement): the update re-reads the scale set at the
 *   new endpoint and converges it, instead of silently doing nothing; a replacement would try to delete through the
 *   old endpoint, which may be gone (an emulator's port changes on every start). So is `credentials`.
 * - `apiVersion` alone: no change; it says how to talk to ARM, not what the identity should be. The provider uses
 *   the new value at the next real change. `adoption` alone: no change (it only matters at creation).
 * - any other unknown value: a change.
 * @param recorded the resource's recorded outputs; `undefined` (or without `scaleSetId`) for a creation.
 * @param news the new inputs after `check` (canonical, defaults filled; may hold unknown values in a preview).
 */
export function planChange(recorded: Props | undefined, news: Props): PlannedChange {
  const scaleSetId = knownScaleSetId(news.scaleSetId);
  const next = knownDeclaration(news);
  if (recorded === undefined || recorded.scaleSetId === undefined) {
    const plan: PlannedChange = {
      creating: true,
      changes: true,
      replaces: [],
      properties: {},
      unknownInputs: unknownInputsOf(news),
      warnings: [],
    };
    if (scaleSetId !== undefined) plan.scaleSetId = scaleSetId;
    if (next !== undefined) plan.identity = effectOf(undefined, next);
    plan.warnings = warningsOf(plan, news, undefined, undefined);
    return plan;
  }

  const properties: Record<string, PropertyChange> = {};
  const set = (path: string, kind: PropertyChange["kind"], replace = false) => {
    const previous = properties[path];
    properties[path] = previous && previous.kind !== kind ? { kind: "update", replace } : { kind, replace };
  };
  const replaces = sameScaleSet(recorded.scaleSetId, news.scaleSetId) ? [] : ["scaleSetId"];
  if (replaces.length > 0) set("scaleSetId", "update", true);
  compareIdentityLists(recorded.userAssignedIdentities, news.userAssignedIdentities, set);
  compareScalar(set, "systemAssigned", recorded.systemAssigned, news.systemAssigned, (v) => v ?? undefined);
  compareScalar(set, "mode", recorded.mode, news.mode, (v) => v ?? "additive");
  compareScalar(set, "environment", recorded.environment, news.environment, (v) =>
    typeof v === "string" ? v.toLowerCase() : (v ?? undefined),
  );
  compareScalar(set, "endpoint", recorded.endpoint, news.endpoint, canonicalEndpoint);
  // Another principal (the dynamic door's `credentials`, e.g. a rotated secret): an update, so that the state holds
  // what refresh and delete will sign in with.
  if (news.credentials === UNKNOWN || !jsonEqual(recorded.credentials ?? undefined, news.credentials ?? undefined)) {
    set("credentials", "update");
  }

  const before = recordedIdentityOf(recorded);
  const plan: PlannedChange = {
    creating: false,
    changes: false,
    replaces,
    properties,
    unknownInputs: unknownInputsOf(news),
    warnings: [],
  };
  if (scaleSetId !== undefined) plan.scaleSetId = scaleSetId;
  if (replaces.length > 0) {
    if (next !== undefined && scaleSetId !== undefined) plan.identity = effectOf(undefined, next);
    if (before !== undefined) plan.released = releasedBy(before, String(recorded.scaleSetId));
  } else if (next !== undefined && before !== undefined) {
    const identity = effectOf(before, next);
    plan.identity = identity;
    // What only the recorded state knows: identities someone else assigned, the system identity as it stood.
    const foreign = new Set(identity.removeForeign.map(armIdKey));
    before.others.forEach(
      (id, i) => foreign.has(recordedIdentityKey(id)) && set(`otherUserAssignedIdentities[${i}]`, "delete"),
    );
    if (identity.systemAssigned !== undefined && properties.systemAssigned === undefined) {
      set("systemAssigned", "update");
    }
  }
  plan.changes = replaces.length > 0 || Object.keys(properties).length > 0;
  plan.warnings = warningsOf(plan, news, recorded, before);
  return plan;
}

/** The `diff` both doors report: whether anything changes, and what forces a replacement. */
export function diffOf(plan: PlannedChange): { changes: boolean; replaces: string[] } {
  return { changes: plan.changes, replaces: [...plan.replaces] };
}

/** The detailed diff the provider plugin reports (`DiffResponse.detailedDiff`): empty when nothing changes. */
export function detailedDiffOf(plan: PlannedChange): Record<string, PropertyChange> {
  return plan.changes && !plan.creating ? { ...plan.properties } : {};
}

/** Whether an effect changes the scale set's identity (adopting alone changes only what the resource owns). */
export function changesIdentity(effect: IdentityEffect): boolean {
  return effect.add.length > 0 || effect.remove.length > 0 || effect.systemAssigned !== undefined;
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

/** The warning shown when `up` turns off a system identity whose principal the state recorded. */
export function systemIdentityOffWarning(principalId: string): string {
  return (
    `turning the system-assigned identity off deletes its principal ${principalId}: role assignments granted to it ` +
    `stop working, and turning it on again creates a new principal that needs them granted again`
  );
}

/** The warning shown when `up` takes over identities already assigned to the scale set (an update declaring them). */
export function adoptionWarning(ids: readonly string[]): string {
  return (
    `now owns identities that were already assigned to the scale set: ${ids.join(", ")}. Deleting this resource ` +
    `removes them`
  );
}

/** The warning shown when exclusive mode removes identities someone else assigned. */
export function foreignRemovalWarning(ids: readonly string[]): string {
  return (
    `exclusive mode removes identities someone else assigned to the scale set, because this resource does not ` +
    `declare them: ${ids.join(", ")}`
  );
}

/**
 * The plan in one sentence per change, for a preview: e.g. `add …/ID2; remove …/other (assigned by someone else;
 * exclusive mode removes identities it does not declare); turn the system-assigned identity off`; for a replacement,
 * what deleting the old resource does to its scale set (`replace (scaleSetId changes); deleting the old resource on
 * …/vmss-a: remove …/ID1`). `undefined` when the plan says nothing about the identity (no change, or not known before
 * `up`).
 */
export function describePlannedChange(plan: PlannedChange): string | undefined {
  if (plan.replaces.length > 0) {
    // On a replacement the engine checks the new inputs again as a creation (pulumi/pulumi
    // pkg/resource/deploy/step_generator.go, "recompute the default values"), and that check shows what the new scale
    // set gets: here only what deleting the old resource does to the old one.
    const old = plan.released;
    const onOld = old === undefined ? [] : describeRelease(old);
    if (onOld.length === 0) return undefined;
    return `replace (${plan.replaces.join(", ")} changes); deleting the old resource on ${old!.scaleSetId}: ${onOld.join(", ")}`;
  }
  if (plan.identity === undefined) return plan.changes ? describeUnknown(plan) : undefined;
  const parts = describeEffect(plan.identity);
  return parts.length === 0 ? undefined : parts.join("; ");
}

/** A change whose identity part only `up` knows: what is known, and why the rest is not. */
function describeUnknown(plan: PlannedChange): string {
  const changed = Object.keys(plan.properties)
    .map((path) => path.replace(/\[\d+\]$/, ""))
    .filter((name, i, all) => all.indexOf(name) === i);
  const why =
    plan.unknownInputs.length > 0
      ? `${plan.unknownInputs.join(", ")} not known yet`
      : "the recorded state is not one this version reads";
  const known = plan.creating ? "create" : `${changed.join(", ")} ${changed.length === 1 ? "changes" : "change"}`;
  return `${known}; the identity change is known only at up (${why})`;
}

function describeEffect(effect: IdentityEffect): string[] {
  const parts: string[] = [];
  if (effect.add.length > 0) parts.push(`add ${effect.add.join(", ")}`);
  // What adopting and removing someone else's identities mean, the plan's warnings say (warningsOf).
  if (effect.adopt.length > 0) parts.push(`adopt ${effect.adopt.join(", ")} (already assigned)`);
  const foreign = new Set(effect.removeForeign);
  const own = effect.remove.filter((id) => !foreign.has(id));
  if (own.length > 0) parts.push(`remove ${own.join(", ")}`);
  if (effect.removeForeign.length > 0)
    parts.push(`remove ${effect.removeForeign.join(", ")} (assigned by someone else)`);
  if (effect.systemAssigned !== undefined) parts.push(`turn the system-assigned identity ${effect.systemAssigned}`);
  // At creation the scale set is read only by up, which then says what it found (runtime.ts create); exclusive mode's
  // removal of whatever it finds is the one thing a reviewer must know before.
  if (!effect.complete && effect.mode === "exclusive") {
    parts.push("remove every other identity found on the scale set (exclusive mode)");
  }
  if (!effect.complete && parts.length === 0) parts.push("assign nothing (no identity declared)");
  return parts;
}

function describeRelease(released: ReleasedIdentity): string[] {
  const parts: string[] = [];
  if (released.remove.length > 0) parts.push(`remove ${released.remove.join(", ")}`);
  if (released.systemAssigned === "off") parts.push("turn the system-assigned identity off");
  return parts;
}

/**
 * What `up` does to the identity: the algebra's change on the recorded identity (`before`), or on a scale set not read
 * yet for a creation, turned into the PATCH `up` would send and read back as identities assigned and removed.
 */
function effectOf(before: RecordedIdentity | undefined, next: Declaration): IdentityEffect {
  if (before === undefined) {
    const change = changeForCreate(NO_IDENTITY, next);
    const effect: IdentityEffect = {
      add: sortedIdentityIds(change.add),
      adopt: [],
      remove: [],
      removeForeign: [],
      complete: false,
      mode: next.mode,
    };
    if (change.system !== undefined) effect.systemAssigned = change.system ? "on" : "off";
    return effect;
  }
  const { current, previous } = before;
  const after = applied(current, changeForUpdate(current, previous, next));
  const owned = identityKeys(before.owned);
  const declared = identityKeys(next.userAssignedIdentities);
  // IDs of a state may have names only ARM accepts (see ParseArmIdOptions.lenientNames).
  const idsOf = (state: IdentityState, keep: (key: string) => boolean) =>
    sortedIdentityIds(
      [...state.user].filter(([key]) => keep(key)).map(([, info]) => info.id),
      { lenientNames: true },
    );
  const remove = idsOf(current, (key) => !after.user.has(key));
  const effect: IdentityEffect = {
    add: idsOf(after, (key) => !current.user.has(key)),
    adopt: idsOf(current, (key) => declared.has(key) && !owned.has(key)),
    remove,
    removeForeign: remove.filter((id) => !owned.has(armIdKey(id))),
    complete: true,
    mode: next.mode,
  };
  if (after.system !== current.system) effect.systemAssigned = after.system ? "on" : "off";
  return effect;
}

// The identity after the PATCH `up` would send (in the identityIds format, which lists every identity that stays).
function applied(current: IdentityState, change: IdentityChange): IdentityState {
  const patch = planPatch(current, change, "identityIds");
  if (patch === undefined) return current;
  const remaining = (patch.identity.identityIds ?? []).map((id) => [armIdKey(id), { id }] as const);
  return { system: hasSystem(patch.identity.type), user: new Map(remaining) };
}

function releasedBy(before: RecordedIdentity, scaleSetId: string): ReleasedIdentity {
  // As the runtime's delete: the system identity is the resource's to turn off only if it turned it on.
  const owned: Declaration = {
    ...before.previous,
    systemAssigned: before.previous.systemAssigned === true && before.systemAssignedOwned ? true : undefined,
  };
  const after = applied(before.current, changeForDelete(before.current, owned));
  const released: ReleasedIdentity = {
    scaleSetId: knownScaleSetId(scaleSetId) ?? scaleSetId,
    remove: sortedIdentityIds(
      [...before.current.user].filter(([key]) => !after.user.has(key)).map(([, info]) => info.id),
      { lenientNames: true },
    ),
  };
  if (before.current.system && !after.system) released.systemAssigned = "off";
  return released;
}

function warningsOf(
  plan: PlannedChange,
  news: Props,
  recorded: Props | undefined,
  before: RecordedIdentity | undefined,
): string[] {
  // Warnings concern a write: none when `up` would send nothing, except the api-version's when the change under
  // review is the switch to it (a change of nothing, whose risk the next write runs).
  const writes =
    plan.creating ||
    plan.replaces.length > 0 ||
    (plan.changes && (plan.identity === undefined || changesIdentity(plan.identity)));
  const warnings: string[] = [];
  const apiVersion = news.apiVersion === undefined ? DEFAULT_API_VERSION : news.apiVersion;
  const switched = recorded !== undefined && (recorded.apiVersion ?? DEFAULT_API_VERSION) !== apiVersion;
  // A replacement's creation check warns about the new resource's api-version (see describePlannedChange).
  const replacing = plan.replaces.length > 0;
  if (
    (writes || switched) &&
    !replacing &&
    typeof apiVersion === "string" &&
    apiVersion !== UNKNOWN &&
    usesIdentityIds(apiVersion)
  ) {
    warnings.push(identityIdsWarning(apiVersion));
  }
  if (plan.identity?.systemAssigned === "off" && before?.principalId !== undefined) {
    warnings.push(systemIdentityOffWarning(before.principalId));
  }
  // Adopting and removing someone else's identities change what others rely on: a warning, as creation's adoption is.
  if (plan.identity !== undefined && plan.replaces.length === 0) {
    if (plan.identity.adopt.length > 0) warnings.push(adoptionWarning(plan.identity.adopt));
    if (plan.identity.removeForeign.length > 0) warnings.push(foreignRemovalWarning(plan.identity.removeForeign));
  }
  // A replacement deletes the old resource: when it turned the old scale set's system identity on, that turns it off.
  if (plan.released?.systemAssigned === "off" && before?.principalId !== undefined) {
    warnings.push(
      `deleting the old resource on ${plan.released.scaleSetId}: ${systemIdentityOffWarning(before.principalId)}`,
    );
  }
  return warnings;
}

function usesIdentityIds(apiVersion: string): boolean {
  try {
    return bodyFormatFor(apiVersion) === "identityIds";
  } catch {
    return false; // check reports a bad api-version
  }
}

const DECLARATION_INPUTS = ["systemAssigned", "userAssignedIdentities", "mode"] as const;

function unknownInputsOf(news: Props): string[] {
  return DECLARATION_INPUTS.filter((k) => containsUnknown(news[k]));
}

/** The new declaration, when every input it depends on is known (and valid). */
function knownDeclaration(news: Props): Declaration | undefined {
  if (unknownInputsOf(news).length > 0) return undefined;
  try {
    return declarationOf(news);
  } catch {
    return undefined;
  }
}

function knownScaleSetId(value: unknown): string | undefined {
  if (typeof value !== "string" || value === UNKNOWN) return undefined;
  return canonicalScaleSetId(value);
}

// Old state may predate a grammar change: what does not parse is compared as it is.
function canonicalScaleSetId(value: string): string {
  try {
    return parseScaleSetId(value).id;
  } catch {
    return value;
  }
}

function sameScaleSet(old: unknown, next: unknown): boolean {
  if (containsUnknown(next)) return false;
  if (typeof old !== "string" || typeof next !== "string") return old === next;
  return armIdKey(canonicalScaleSetId(old)) === armIdKey(canonicalScaleSetId(next));
}

/**
 * The identity list's entries: an identity newly listed is an `add` at its index in the new inputs, one no longer
 * listed a `delete` at its index in the recorded list. A recorded value that is not a list of IDs is compared as it
 * is, as a whole.
 */
function compareIdentityLists(
  old: unknown,
  next: unknown,
  set: (path: string, kind: PropertyChange["kind"]) => void,
): void {
  if (containsUnknown(next)) return set("userAssignedIdentities", "update");
  const [a, b] = [idList(old), idList(next)];
  if (a === undefined || b === undefined) {
    if (JSON.stringify(old ?? []) !== JSON.stringify(next ?? [])) set("userAssignedIdentities", "update");
    return;
  }
  const [oldKeys, newKeys] = [a.map(recordedIdentityKey), b.map(recordedIdentityKey)];
  const [oldSet, newSet] = [new Set(oldKeys), new Set(newKeys)];
  oldKeys.forEach((key, i) => newSet.has(key) || set(`userAssignedIdentities[${i}]`, "delete"));
  newKeys.forEach((key, i) => oldSet.has(key) || set(`userAssignedIdentities[${i}]`, "add"));
}

function idList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined;
}

function compareScalar(
  set: (path: string, kind: PropertyChange["kind"]) => void,
  path: string,
  old: unknown,
  next: unknown,
  normalise: (v: unknown) => unknown,
): void {
  if (next === UNKNOWN) return set(path, "update");
  const [a, b] = [normalise(old), normalise(next)];
  if (a === b) return;
  set(path, a === undefined ? "add" : b === undefined ? "delete" : "update");
}
