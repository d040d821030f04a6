/**
 * The implementation behind the `VmssManagedIdentity` dynamic provider.
 *
 * The provider object that Pulumi serialises into state (provider/vmssManagedIdentity.ts) holds no code of its own:
 * each method loads this module by package name in the provider process and calls it. Here:
 * - `check` and `diff` are pure functions of their inputs (no network, no credential): preview stays offline.
 * - `create`, `update` and `delete` are one read-modify-write each: GET the scale set, plan the PATCH with the identity
 *   algebra, PATCH only when something changes (with If-Match where the api-version has ETags), follow the operation
 *   to its end, read back. Writes to one scale set are serialised inside the process.
 * - `read` reports drift truthfully; a scale set that is gone removes the resource.
 */
import * as identity from "./identity";
import type { ArmClient } from "./arm/client";
import { isArmError, isResourceGone } from "./arm/errors";
import { sharedClientFor } from "./sharedClients";
import { withScaleSetWriteLock } from "./scaleSetLock";
import { operationError } from "./operationError";
import { type PlanWriter, planToDoor, reportPlannedChange } from "./previewPlan";
import { reportMessage, withStreamLabel } from "./progress";
import {
  createdHere,
  describeRoleAssignmentChange,
  roleAssignmentChange,
  validateRoleAssignments,
  type RoleAssignmentChange,
  type RoleAssignmentDeclaration,
  type RoleAssignmentInPlace,
} from "./roleAssignmentPlan";
import { ensureRoleAssignments, readRoleAssignments, releaseRoleAssignments } from "./roleAssignmentRuntime";

/** Inputs after `check`: canonical spelling, defaults filled. */
export interface VmssIdentityInputs {
  scaleSetId: string;
  systemAssigned?: boolean;
  userAssignedIdentities?: string[];
  mode?: identity.Mode;
  apiVersion?: string;
  environment?: string;
  endpoint?: string;
  /** How to report identities found already assigned on create: "warn" (default) or "silent" (used by components). */
  adoption?: "warn" | "silent";
  /** Explicit credential settings (the dynamic door's `credentials`): a Pulumi secret in state. */
  credentials?: Record<string, unknown>;
  /** Role assignments for the identities it manages, canonical (roleAssignmentPlan.ts). */
  roleAssignments?: RoleAssignmentDeclaration[];
}

/** One user-assigned identity owned by the resource, as the scale set reports it. */
export interface UserIdentityOutput {
  id: string;
  principalId?: string;
  clientId?: string;
}

/** What the resource records in state. The declaration fields describe what is *actually* in place, so drift shows. */
export interface VmssIdentityOutputs extends VmssIdentityInputs {
  /** Owned user-assigned identities present on the scale set (canonical IDs, in declaration order). */
  userAssignedIdentities: string[];
  /** The scale set's effective identity type. */
  identityType: identity.IdentityType;
  /** The system-assigned identity's principal (object) ID, when it is enabled. */
  principalId?: string;
  /** The tenant of the system-assigned identity, when it is enabled. */
  tenantId?: string;
  /** Per owned user-assigned identity: its principal and client IDs. */
  userIdentities: UserIdentityOutput[];
  /** User-assigned identities on the scale set that this resource does not own (canonical IDs, sorted). */
  otherUserAssignedIdentities: string[];
  /**
   * Whether this resource turned the system-assigned identity on. Only then does delete turn it off: a system
   * identity that was already on is kept, since its principal (and every role assignment on it) cannot be brought
   * back once it is disabled.
   */
  systemAssignedOwned: boolean;
  /** The role assignments in place that this resource owns, each with its ARM ID (roleAssignmentPlan.ts). */
  roleAssignmentsInPlace: RoleAssignmentInPlace[];
}

/** What the I/O operations need; tests inject a client, the provider process uses the shared one per endpoint. */
export interface RuntimeContext {
  client?: ArmClient;
  /**
   * Where warnings go. Default: the door's messages (provider/progress.ts): stderr in the dynamic provider, which the
   * Pulumi engine shows as a diagnostic, the engine's Log service on the resource in the plugin.
   */
  warn?: (message: string) => void;
  /** Where what a deletion did goes (kept, severity info). Default: the door's messages, as for {@link warn}. */
  info?: (message: string) => void;
  /** Waits before retrying a role assignment refused with PrincipalNotFound, ms (roleAssignmentPlan.ts's default). */
  principalNotFoundDelaysMs?: readonly number[];
}

type Props = Record<string, unknown>;

/** api-version for reading a user-assigned identity's principal and client IDs (Microsoft.ManagedIdentity). */
const USER_IDENTITY_API_VERSION = "2023-01-31";
/**
 * Reads of user-assigned identities in flight, by armIdKey: changes that add one identity to many scale sets at once
 * share one read. Nothing is kept once a read is answered: an identity deleted and created again under the same
 * name has a new principal, and a remembered one would end up in role assignments.
 */
const userIdentityDetails = new Map<string, Promise<UserIdentityDetails>>();
/** How many times a PATCH is re-planned after ARM answered 412 (someone wrote between our GET and our PATCH). */
const MAX_PRECONDITION_RETRIES = 5;

/** Validates and canonicalises the inputs; for a creation, shows the planned change (previewPlan.ts). No I/O. */
export function check(olds: Props, news: Props): { inputs: Props; failures: identity.CheckFailure[] } {
  const { roleAssignments, ...declaration } = news;
  const result = identity.validateDeclarationInputs(declaration);
  const roles = validateRoleAssignments(
    roleAssignments,
    result.inputs.systemAssigned,
    result.inputs.userAssignedIdentities,
    (value) => value === identity.UNKNOWN,
  );
  if (roles.value !== undefined) result.inputs.roleAssignments = roles.value;
  result.failures.push(...roles.failures);
  if (result.failures.length === 0 && olds.scaleSetId === undefined) {
    reportPlannedChange(undefined, declarationOnly(result.inputs));
    reportRolePlan(result.inputs, roleAssignmentChange([], declaredRoles(result.inputs)));
  }
  return result;
}

/** The inputs without `roleAssignments`, for the identity derivation (which knows nothing of them). */
function declarationOnly(props: Props): Props {
  const { roleAssignments: _roles, roleAssignmentsInPlace: _inPlace, ...rest } = props;
  return rest;
}

/** The declared role assignments, canonical (after check); [] when none or still unknown. */
function declaredRoles(props: Props): RoleAssignmentDeclaration[] {
  return Array.isArray(props.roleAssignments) ? (props.roleAssignments as RoleAssignmentDeclaration[]) : [];
}

/** The role assignments recorded as in place. */
function rolesInPlace(props: Props): RoleAssignmentInPlace[] {
  return Array.isArray(props.roleAssignmentsInPlace) ? (props.roleAssignmentsInPlace as RoleAssignmentInPlace[]) : [];
}

/** The principal each identity has in a recorded state or a converged identity state. */
function principalsOf(props: Props, state?: identity.IdentityState): (identityName: string) => string | undefined {
  return (identityName) => {
    if (identityName === "system") {
      if (state !== undefined) return state.system ? state.principalId : undefined;
      return typeof props.principalId === "string" ? props.principalId : undefined;
    }
    if (state !== undefined) return state.user.get(identity.armIdKey(identityName))?.principalId;
    const users = Array.isArray(props.userIdentities) ? (props.userIdentities as UserIdentityOutput[]) : [];
    return users.find((u) => identity.armIdKey(u.id) === identity.armIdKey(identityName))?.principalId;
  };
}

/** Writes the preview's line for the role assignments `up` adds and removes (0 requests), if any. */
function reportRolePlan(news: Props, change: RoleAssignmentChange, write: PlanWriter = planToDoor): void {
  const described = describeRoleAssignmentChange(change);
  if (described === undefined || typeof news.scaleSetId !== "string") return;
  write({ severity: "info", text: `VmssManagedIdentity role assignments for ${news.scaleSetId}: ${described}` });
}

/**
 * Derives what `up` will do from the recorded state and the new inputs (the one derivation,
 * provider/identity/plannedChange.ts), and shows it (previewPlan.ts). No I/O. Both doors' `diff` project its result.
 * @param write where the plan's messages go (default: the door's messages, provider/progress.ts).
 */
export function planUpdate(olds: Props, news: Props, write?: PlanWriter): UpdatePlan {
  const plan = reportPlannedChange(declarationOnly(olds), declarationOnly(news), write);
  const unknown =
    news.roleAssignments === identity.UNKNOWN ||
    (Array.isArray(news.roleAssignments) && news.roleAssignments.some((d) => d === identity.UNKNOWN));
  const roles = unknown ? "unknown" : roleAssignmentChange(rolesInPlace(olds), declaredRoles(news), principalsOf(olds));
  if (roles !== "unknown") reportRolePlan(news, roles, write);
  return { ...plan, roles };
}

/** The one derivation of what changes (identity.PlannedChange), with the role assignments `up` adds and removes. */
export type UpdatePlan = identity.PlannedChange & {
  /** "unknown": the declared assignments are not known yet (preview of a program with unknown values). */
  roles: RoleAssignmentChange | "unknown";
};

/** Whether the plan adds or removes a role assignment (or cannot tell yet). */
export function roleAssignmentsChangeAnything(plan: UpdatePlan): boolean {
  return plan.roles === "unknown" || plan.roles.add.length > 0 || plan.roles.remove.length > 0;
}

/**
 * Compares the recorded state with the new inputs, and shows the planned change: {@link planUpdate}'s result as the
 * dynamic provider reports it. No I/O: a casing-only difference is never a change.
 */
export function diff(olds: Props, news: Props): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
  const plan = planUpdate(olds, news);
  const base = identity.diffOf(plan);
  return { ...base, changes: base.changes || roleAssignmentsChangeAnything(plan), deleteBeforeReplace: false };
}

/**
 * Runs one of this module's operations on `props` with the lines of its waits (on a plain stream: the dynamic
 * provider's stderr) labelled by what the resource declares, e.g. `VmssManagedIdentity (app-identity,
 * system-assigned)`: two resources on one scale set are then told apart (provider/progress.ts withStreamLabel).
 */
export function labelled<T>(props: Props, operation: () => T): T {
  return withStreamLabel(labelOf(props), operation);
}

/** What a resource declares, as a label for lines that stand alone. */
export function labelOf(props: Props): string {
  const names = Array.isArray(props.userAssignedIdentities)
    ? props.userAssignedIdentities.map((id) => String(id).split("/").pop())
    : [];
  if (props.systemAssigned === true) names.push("system-assigned");
  return names.length > 0 ? `VmssManagedIdentity (${names.join(", ")})` : "VmssManagedIdentity";
}

/** Applies the declaration to the scale set and records the outcome. */
export async function create(
  inputs: Props,
  ctx: RuntimeContext = {},
): Promise<{ id: string; outs: VmssIdentityOutputs }> {
  const declared = identity.declarationOf(inputs);
  const { ref, client, apiVersion } = target(inputs, ctx);
  const id = `${ref.id}#managedIdentity`;
  let converged;
  try {
    converged = await converge(client, ref.id, apiVersion, "assigning identities to", (current) =>
      identity.changeForCreate(current, declared),
    );
  } catch (e) {
    // A cancelled creation whose PATCH ARM accepted may still land: the resource is reported as created but not
    // initialised (a door that can, records it), with what was read before the PATCH and the ownership it claimed,
    // so that `pulumi refresh` or the next `up` finds the truth and delete knows what it turned on.
    const left = (e as { leftRunning?: identity.IdentityState }).leftRunning;
    if (left !== undefined) {
      const owned = declared.systemAssigned === true && !left.system;
      Object.assign(e as object, {
        id,
        properties: outputsOf(inputs, left, owned, []),
        reasons: [(e as Error).message],
      });
    }
    throw e;
  }
  const { before, after } = converged;
  const adopted = identity.adoptedIdentities(before, declared);
  if (adopted.length > 0 && inputs.adoption !== "silent") {
    (ctx.warn ?? warnThroughDoor)(
      `VmssManagedIdentity now owns identities that were already assigned to ${ref.id}: ${adopted.join(", ")}. ` +
        `Deleting this resource removes them.`,
    );
  }
  if (declared.systemAssigned === true && before.system && inputs.adoption !== "silent") {
    (ctx.warn ?? warnThroughDoor)(
      `the system-assigned identity of ${ref.id} was already on (principal ${before.principalId ?? "unknown"}); ` +
        `VmssManagedIdentity keeps it on and will not turn it off when deleted.`,
    );
  }
  if (inputs.adoption !== "silent") {
    const did = describeCreation(declarationOnly(inputs), before, after, adopted);
    if (did !== undefined) (ctx.info ?? infoThroughDoor)(`VmssManagedIdentity created on ${ref.id}: ${did}`);
  }
  const systemAssignedOwned = declared.systemAssigned === true && !before.system;
  // The assignments once the identities they name are in place (their principals exist from the PATCH on).
  let roles: RoleAssignmentInPlace[];
  try {
    roles = await ensureRoleAssignments(client, declaredRoles(inputs), principalsOf(inputs, after), roleCtx(ctx));
  } catch (e) {
    // A failed create records nothing: undo what it changed (the identities it added, the system identity it turned
    // on), so that the next `up` starts from the scale set as this one found it, not from identities it must adopt.
    const adoptedKeys = new Set(adopted.map(identity.armIdKey));
    const undo: identity.Declaration = {
      ...declared,
      userAssignedIdentities: declared.userAssignedIdentities.filter((id) => !adoptedKeys.has(identity.armIdKey(id))),
      systemAssigned: systemAssignedOwned ? true : undefined,
    };
    await converge(client, ref.id, apiVersion, "undoing the identity change of", (current) =>
      identity.changeForDelete(current, undo),
    ).catch(() => undefined);
    throw e;
  }
  return { id, outs: outputsOf(inputs, after, systemAssignedOwned, roles) };
}

/** Applies the delta between the old and the new declaration. */
export async function update(
  olds: Props,
  news: Props,
  ctx: RuntimeContext = {},
): Promise<{ outs: VmssIdentityOutputs }> {
  const previous = identity.declarationOf(olds);
  const declared = identity.declarationOf(news);
  const { ref, client, apiVersion } = target(news, ctx);
  const inPlace = rolesInPlace(olds);
  // Assignments whose principal the PATCH deletes (the system identity turned off, a user identity dropped) go
  // first, so that none is left behind as "Identity not found". Every other removal waits until the additions
  // succeeded: a failed `up` must not take away access it does not give back.
  const dropped = roleAssignmentChange(inPlace, declaredRoles(news)).remove;
  const early = dropped.filter((a) => principalGoes(a, declared));
  await releaseRoleAssignments(client, early, roleCtx(ctx));
  let kept = inPlace.filter((a) => !early.includes(a));
  let converged;
  try {
    converged = await converge(client, ref.id, apiVersion, "updating identities of", (current) =>
      identity.changeForUpdate(current, previous, declared),
    );
  } catch (e) {
    // The principals are still there: put back what was deleted for them (same deterministic names), so that the
    // state, which still records them, stays true.
    const restored = await restoreRoleAssignments(client, early.filter(createdHere), ctx);
    kept = [...kept, ...restored, ...early.filter((a) => !createdHere(a))];
    if (restored.length < early.filter(createdHere).length)
      throw withPartialState(e, olds, { roleAssignmentsInPlace: kept });
    throw e;
  }
  const { before, after } = converged;
  const systemAssignedOwned = declared.systemAssigned === true && (olds.systemAssignedOwned === true || !before.system);
  // Then what is declared and missing (new entries, drift, a principal that changed behind Pulumi's back); only once
  // they are in place, what is no longer declared (or was made for a principal that is gone).
  const principals = principalsOf(news, after);
  const change = roleAssignmentChange(kept, declaredRoles(news), principals);
  let added: RoleAssignmentInPlace[];
  try {
    added = await ensureRoleAssignments(client, change.add, principals, roleCtx(ctx));
  } catch (e) {
    // The identities changed and the additions were undone: record the scale set as it now stands.
    throw withPartialState(e, olds, outputsOf(news, after, systemAssignedOwned, kept));
  }
  const stays = kept.filter((a) => !change.remove.includes(a));
  try {
    await releaseRoleAssignments(client, change.remove, roleCtx(ctx));
  } catch (e) {
    // Which removals went through is read back, so that the state lists what is really there.
    const left = await readRoleAssignments(client, change.remove).catch(() => change.remove);
    throw withPartialState(e, olds, outputsOf(news, after, systemAssignedOwned, [...stays, ...left, ...added]));
  }
  return { outs: outputsOf(news, after, systemAssignedOwned, [...stays, ...added]) };
}

/** Whether the PATCH of the new declaration deletes the assignment's principal: its identity is no longer declared. */
function principalGoes(assignment: RoleAssignmentInPlace, declared: identity.Declaration): boolean {
  if (assignment.identity === "system") return declared.systemAssigned !== true;
  const key = identity.armIdKey(assignment.identity);
  return !declared.userAssignedIdentities.some((id) => identity.armIdKey(id) === key);
}

/** PUTs back assignments deleted by an update that then failed; returns those in place again. */
async function restoreRoleAssignments(
  client: ArmClient,
  deleted: readonly RoleAssignmentInPlace[],
  ctx: RuntimeContext,
): Promise<RoleAssignmentInPlace[]> {
  const back = await Promise.allSettled(
    deleted.map(async (a) => {
      const [again] = await ensureRoleAssignments(client, [a], () => a.principalId, {
        ...roleCtx(ctx),
        warn: () => {},
      });
      return { ...again, origin: a.origin ?? again.origin };
    }),
  );
  return back.filter((r) => r.status === "fulfilled").map((r) => r.value);
}

/**
 * The error of an update that changed something before it failed, carrying the state as it now stands (`olds`
 * overridden by `now`): a door that can records it (the plugin: ErrorResourceInitFailed), so that the next `up`
 * starts from the truth; the dynamic door keeps the old state, which `pulumi refresh` corrects.
 */
function withPartialState(e: unknown, olds: Props, now: Partial<VmssIdentityOutputs>): unknown {
  if (typeof e !== "object" || e === null || typeof olds.scaleSetId !== "string") return e;
  const id = `${identity.parseScaleSetId(olds.scaleSetId).id}#managedIdentity`;
  return Object.assign(e, { id, properties: { ...olds, ...now }, reasons: [(e as Error).message] });
}

/** Removes what the resource owns and leaves everything else. A scale set that is already gone is not an error. */
export async function remove(props: Props, ctx: RuntimeContext = {}): Promise<void> {
  const declared = identity.declarationOf(props);
  // The system identity is ours to turn off only if we turned it on (see VmssIdentityOutputs.systemAssignedOwned).
  const owned: identity.Declaration = {
    ...declared,
    systemAssigned: declared.systemAssigned === true && props.systemAssignedOwned === true ? true : undefined,
  };
  const { ref, client, apiVersion } = target(props, ctx);
  // The assignments first, while their principals exist: the PATCH below may delete them. Those it adopted are
  // released, not deleted (README "Role assignments").
  const roles = rolesInPlace(props);
  await releaseRoleAssignments(client, roles, roleCtx(ctx));
  let converged;
  try {
    converged = await converge(client, ref.id, apiVersion, "removing identities from", (current) =>
      identity.changeForDelete(current, owned),
    );
  } catch (e) {
    if (isResourceGone(e)) return;
    throw e;
  }
  // A deletion changes the scale set as much as an update does: say what it did (a destroy's preview cannot: the
  // engine does not ask the provider then).
  (ctx.info ?? infoThroughDoor)(
    describeRemoval(ref.id, declared, converged.before, converged.after, roles.filter(createdHere).length),
  );
}

/**
 * What creating did, when the scale set was not as the creation's plan (shown by `check`, before the scale set was
 * read) assumed: identities already assigned, adopted rather than added; the system identity already on; identities
 * exclusive mode found and removed. `undefined` when creating did what the plan said, which then stands.
 */
function describeCreation(
  inputs: Props,
  before: identity.IdentityState,
  after: identity.IdentityState,
  adopted: string[],
): string | undefined {
  const planned = identity.planChange(undefined, inputs).identity;
  const ids = (keys: Iterable<string>, state: identity.IdentityState) =>
    identity.sortedIdentityIds(
      [...keys].map((key) => state.user.get(key)!.id),
      { lenientNames: true },
    );
  const added = ids(
    [...after.user.keys()].filter((key) => !before.user.has(key)),
    after,
  );
  const removed = ids(
    [...before.user.keys()].filter((key) => !after.user.has(key)),
    before,
  );
  const system = after.system === before.system ? undefined : after.system ? "on" : "off";
  const keysOf = (list: readonly string[]) => list.map(identity.armIdKey).sort().join(" ");
  const asPlanned =
    planned !== undefined &&
    keysOf(planned.add) === keysOf(added) &&
    adopted.length === 0 &&
    removed.length === 0 &&
    planned.systemAssigned === system;
  if (asPlanned) return undefined;
  const parts: string[] = [];
  if (added.length > 0) parts.push(`added ${added.join(", ")}`);
  if (adopted.length > 0)
    parts.push(`adopted ${identity.sortedIdentityIds(adopted, { lenientNames: true }).join(", ")} (already assigned)`);
  if (removed.length > 0) parts.push(`removed ${removed.join(", ")}`);
  if (system !== undefined) parts.push(`turned the system-assigned identity ${system}`);
  else if (inputs.systemAssigned === true) parts.push("kept the system-assigned identity on (it was already on)");
  if (parts.length === 0) parts.push("nothing to change");
  return parts.join("; ");
}

/** What deleting a resource did to its scale set, in one line. */
function describeRemoval(
  scaleSetId: string,
  declared: identity.Declaration,
  before: identity.IdentityState,
  after: identity.IdentityState,
  roleAssignments: number,
): string {
  const removed = identity.sortedIdentityIds(
    [...before.user].filter(([key]) => !after.user.has(key)).map(([, info]) => info.id),
    { lenientNames: true },
  );
  const parts: string[] = [];
  if (roleAssignments > 0) parts.push(`deleted ${roleAssignments} role assignment${roleAssignments === 1 ? "" : "s"}`);
  parts.push(removed.length > 0 ? `removed ${removed.join(", ")}` : "no identity to remove");
  if (before.system && !after.system) parts.push("turned the system-assigned identity off");
  else if (declared.systemAssigned === true && after.system) {
    parts.push("kept the system-assigned identity on (it was on before this resource)");
  }
  return `VmssManagedIdentity deleted from ${scaleSetId}: ${parts.join("; ")}`;
}

/** Reads the scale set and reports what is really in place; `undefined` when the scale set is gone. */
export async function read(props: Props, ctx: RuntimeContext = {}): Promise<VmssIdentityOutputs | undefined> {
  const { ref, client, apiVersion } = target(props, ctx);
  try {
    const got = await client.request<ScaleSetBody>({ method: "GET", path: ref.id, apiVersion });
    const roles = await readRoleAssignments(client, rolesInPlace(props));
    return outputsOf(props, identity.readIdentityState(got.body.identity), props.systemAssignedOwned === true, roles);
  } catch (e) {
    if (isResourceGone(e)) return undefined;
    throw operationError("reading identities of", ref.id, e);
  }
}

interface ScaleSetBody {
  identity?: unknown;
  etag?: string;
}

/**
 * GET → plan → PATCH (only when the plan says so) → follow the operation → read back, under the scale set's lock.
 * With an ETag (api-version 2024-03-01 and later: docs/arm-behavior.md, "Shapes by api-version") the PATCH carries If-Match, and a
 * 412 means another writer got in between: read again and plan again.
 */
async function converge(
  client: ArmClient,
  scaleSetId: string,
  apiVersion: string,
  operation: string,
  changeFor: (current: identity.IdentityState) => identity.IdentityChange,
): Promise<{ before: identity.IdentityState; after: identity.IdentityState }> {
  const format = identity.bodyFormatFor(apiVersion);
  return withScaleSetWriteLock(scaleSetId, async () => {
    for (let attempt = 0; ; attempt++) {
      let got;
      try {
        got = await client.request<ScaleSetBody>({ method: "GET", path: scaleSetId, apiVersion });
      } catch (e) {
        throw operationError(`the read before ${operation}`, scaleSetId, e);
      }
      const before = identity.readIdentityState(got.body.identity);
      const patch = identity.planPatch(before, changeFor(before), format);
      if (!patch) return { before, after: before };
      const etag = got.headers["etag"];
      // The identities this PATCH adds show `{}` in its response: their principal and client IDs are read from the
      // identities themselves, while the operation runs rather than after it.
      const added = Object.entries(patch.identity.userAssignedIdentities ?? {})
        .filter(([, value]) => value !== null)
        .map(([id]) => id);
      const prefetched = new Map(added.map((id) => [identity.armIdKey(id), userIdentityDetailsOf(client, id)]));
      for (const read of prefetched.values()) read.catch(() => undefined); // a failed read is handled where it is used
      let done;
      try {
        // The PATCH response already shows the identity as it stands once the operation succeeds (a failed one
        // throws), so no second read of the scale set: docs/arm-behavior.md "Long-running operations".
        done = await client.execute<ScaleSetBody>({
          method: "PATCH",
          path: scaleSetId,
          apiVersion,
          body: patch,
          headers: etag ? { "If-Match": etag } : undefined,
          result: "response",
          // The body is a computed target (`{}` adds, `null` removes, or the whole `identityIds`), never an
          // increment: sent twice it leaves the state of once (docs/arm-behavior.md, "PATCH merge rules").
          idempotent: true,
        });
      } catch (e) {
        if (isArmError(e) && e.statusCode === 412 && attempt < MAX_PRECONDITION_RETRIES) continue;
        // When the answer to our PATCH is lost, the client sends it again; the first one may have landed, and then
        // Compute can refuse the repeat for what the first did (a `null` for an identity no longer assigned, see
        // docs/emulator.md "Choices where ARM is unknown"). If the scale set now needs no PATCH, the change is in.
        if (isArmError(e) && e.statusCode === 400) {
          const now = await client
            .request<ScaleSetBody>({ method: "GET", path: scaleSetId, apiVersion })
            .catch(() => undefined);
          const current = now === undefined ? undefined : identity.readIdentityState(now.body.identity);
          if (current !== undefined && !identity.planPatch(current, changeFor(current), format)) {
            return {
              before,
              after: await withUserIdentityDetails(client, scaleSetId, apiVersion, current, prefetched),
            };
          }
        }
        const error = operationError(operation, scaleSetId, e);
        // Cancelled after ARM accepted the PATCH: what was read before it, for the caller to report (see create).
        if (isArmError(e) && e.writeState === "accepted") Object.assign(error, { leftRunning: before });
        throw error;
      }
      const after = identity.readIdentityState(done.body.identity);
      return { before, after: await withUserIdentityDetails(client, scaleSetId, apiVersion, after, prefetched) };
    }
  });
}

/**
 * Fills in the principal and client IDs that the PATCH response shows as `{}` (identities the operation added) from
 * the identities themselves: they are properties of the user-assigned identity resource, read from the Managed
 * Identity service, whose reads Compute's scale set budget does not count. If one cannot be read, one GET of the
 * scale set says them all.
 */
async function withUserIdentityDetails(
  client: ArmClient,
  scaleSetId: string,
  apiVersion: string,
  state: identity.IdentityState,
  prefetched: ReadonlyMap<string, Promise<UserIdentityDetails>>,
): Promise<identity.IdentityState> {
  const missing = [...state.user.values()].filter((info) => info.principalId === undefined);
  if (missing.length === 0 || identity.bodyFormatFor(apiVersion) !== "dictionary") return state;
  try {
    const details = await Promise.all(
      missing.map(async (info) => {
        const key = identity.armIdKey(info.id);
        return [key, await (prefetched.get(key) ?? userIdentityDetailsOf(client, info.id))] as const;
      }),
    );
    const user = new Map(state.user);
    for (const [key, read] of details) user.set(key, { ...user.get(key)!, ...read });
    return { ...state, user };
  } catch {
    try {
      const got = await client.request<ScaleSetBody>({ method: "GET", path: scaleSetId, apiVersion });
      return identity.readIdentityState(got.body.identity);
    } catch (e) {
      throw operationError("reading back identities of", scaleSetId, e);
    }
  }
}

type UserIdentityDetails = { principalId?: string; clientId?: string };

/** One read of a user-assigned identity's IDs, shared by the changes that ask for it while it is in flight. */
function userIdentityDetailsOf(client: ArmClient, id: string): Promise<UserIdentityDetails> {
  const key = identity.armIdKey(id);
  let details = userIdentityDetails.get(key);
  if (details === undefined) {
    details = readUserIdentityDetails(client, id);
    userIdentityDetails.set(key, details);
    const forget = () => userIdentityDetails.delete(key);
    details.then(forget, forget);
  }
  return details;
}

async function readUserIdentityDetails(client: ArmClient, id: string): Promise<UserIdentityDetails> {
  const got = await client.request<{ properties?: { principalId?: unknown; clientId?: unknown } }>({
    method: "GET",
    path: identity.canonicalIdentityId(id),
    apiVersion: USER_IDENTITY_API_VERSION,
  });
  const properties = got.body?.properties ?? {};
  return dropUndefined({
    principalId: typeof properties.principalId === "string" ? properties.principalId : undefined,
    clientId: typeof properties.clientId === "string" ? properties.clientId : undefined,
  });
}

function target(
  props: Props,
  ctx: RuntimeContext,
): { ref: identity.ScaleSetRef; client: ArmClient; apiVersion: string } {
  const ref = identity.parseScaleSetId(String(props.scaleSetId));
  const apiVersion = typeof props.apiVersion === "string" ? props.apiVersion : identity.DEFAULT_API_VERSION;
  const client = ctx.client ?? sharedClientFor(props);
  return { ref, client, apiVersion };
}

/** The state record: the declaration as it really stands on the scale set, plus what role assignments need. */
function outputsOf(
  props: Props,
  state: identity.IdentityState,
  systemAssignedOwned: boolean,
  roleAssignmentsInPlace: RoleAssignmentInPlace[],
): VmssIdentityOutputs {
  const declared = identity.declarationOf(props);
  const { systemAssigned, ...record } = identity.recordOf(declared, state);
  const outs: VmssIdentityOutputs = {
    scaleSetId: identity.parseScaleSetId(String(props.scaleSetId)).id,
    mode: declared.mode,
    ...record,
    userIdentities: record.userAssignedIdentities.map((id) => {
      const info = state.user.get(identity.armIdKey(id));
      return dropUndefined({ id, principalId: info?.principalId, clientId: info?.clientId });
    }),
    systemAssignedOwned,
    roleAssignmentsInPlace,
  };
  if (Array.isArray(props.roleAssignments)) outs.roleAssignments = props.roleAssignments as RoleAssignmentDeclaration[];
  for (const key of ["apiVersion", "environment", "endpoint", "adoption"] as const) {
    if (typeof props[key] === "string") (outs as unknown as Props)[key] = props[key];
  }
  // Kept so that refresh and delete sign in as the same principal (stored as a secret: provider/credentials.ts).
  if (typeof props.credentials === "object" && props.credentials !== null) {
    outs.credentials = props.credentials as Record<string, unknown>;
  }
  if (systemAssigned !== undefined) outs.systemAssigned = systemAssigned;
  if (state.system && state.principalId) outs.principalId = state.principalId;
  if (state.system && state.tenantId) outs.tenantId = state.tenantId;
  return outs;
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function roleCtx(ctx: RuntimeContext): {
  warn: (message: string) => void;
  principalNotFoundDelaysMs?: readonly number[];
} {
  return { warn: ctx.warn ?? warnThroughDoor, principalNotFoundDelaysMs: ctx.principalNotFoundDelaysMs };
}

/** The default of `ctx.warn`: the door's messages (provider/progress.ts): stderr in the dynamic provider. */
function warnThroughDoor(message: string): void {
  reportMessage("warning", message);
}

/** The default of `ctx.info`: the door's messages, kept with severity info. */
function infoThroughDoor(message: string): void {
  reportMessage("info", message);
}

export {
  checkArmResource,
  diffArmResource,
  createArmResource,
  readArmResource,
  deleteArmResource,
} from "./armResourceRuntime";
