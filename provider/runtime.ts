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
import { reportPlannedChange } from "./previewPlan";
import { reportMessage } from "./progress";

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
}

/** What the I/O operations need; tests inject a client, the provider process uses the shared one per endpoint. */
export interface RuntimeContext {
  client?: ArmClient;
  /**
   * Where warnings go. Default: the door's messages (provider/progress.ts): stderr in the dynamic provider, which the
   * Pulumi engine shows as a diagnostic, the engine's Log service on the resource in the plugin.
   */
  warn?: (message: string) => void;
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
  const result = identity.validateDeclarationInputs(news);
  if (result.failures.length === 0 && olds.scaleSetId === undefined) reportPlannedChange(undefined, result.inputs);
  return result;
}

/**
 * Compares the recorded state with the new inputs, and shows the planned change (previewPlan.ts). No I/O: a
 * casing-only difference is never a change.
 */
export function diff(olds: Props, news: Props): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
  const result = identity.diffDeclarations(olds, news);
  let changes = result.changes;
  // Exclusive mode owns the whole identity: identities someone else added since the last refresh are drift too.
  if (news.mode === "exclusive" && Array.isArray(olds.otherUserAssignedIdentities)) {
    changes ||= olds.otherUserAssignedIdentities.length > 0;
  }
  // The preview names what up will add and remove, from the recorded state (previewPlan.ts).
  const plan = result.replaces.length === 0 ? reportPlannedChange(olds, news) : undefined;
  if (plan !== undefined) changes ||= identity.changesAnything(plan);
  return { changes, replaces: result.replaces, deleteBeforeReplace: false };
}

/** Applies the declaration to the scale set and records the outcome. */
export async function create(
  inputs: Props,
  ctx: RuntimeContext = {},
): Promise<{ id: string; outs: VmssIdentityOutputs }> {
  const declared = identity.declarationOf(inputs);
  const { ref, client, apiVersion } = target(inputs, ctx);
  const { before, after } = await converge(client, ref.id, apiVersion, "assigning identities to", (current) =>
    identity.changeForCreate(current, declared),
  );
  const adopted = identity.adoptedIdentities(before, declared);
  if (adopted.length > 0 && inputs.adoption !== "silent") {
    (ctx.warn ?? warnOnStderr)(
      `VmssManagedIdentity now owns identities that were already assigned to ${ref.id}: ${adopted.join(", ")}. ` +
        `Deleting this resource removes them.`,
    );
  }
  if (declared.systemAssigned === true && before.system && inputs.adoption !== "silent") {
    (ctx.warn ?? warnOnStderr)(
      `the system-assigned identity of ${ref.id} was already on (principal ${before.principalId ?? "unknown"}); ` +
        `VmssManagedIdentity keeps it on and will not turn it off when deleted.`,
    );
  }
  const systemAssignedOwned = declared.systemAssigned === true && !before.system;
  return { id: `${ref.id}#managedIdentity`, outs: outputsOf(inputs, after, systemAssignedOwned) };
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
  const { before, after } = await converge(client, ref.id, apiVersion, "updating identities of", (current) =>
    identity.changeForUpdate(current, previous, declared),
  );
  const systemAssignedOwned = declared.systemAssigned === true && (olds.systemAssignedOwned === true || !before.system);
  return { outs: outputsOf(news, after, systemAssignedOwned) };
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
  try {
    await converge(client, ref.id, apiVersion, "removing identities from", (current) =>
      identity.changeForDelete(current, owned),
    );
  } catch (e) {
    if (isResourceGone(e)) return;
    throw e;
  }
}

/** Reads the scale set and reports what is really in place; `undefined` when the scale set is gone. */
export async function read(props: Props, ctx: RuntimeContext = {}): Promise<VmssIdentityOutputs | undefined> {
  const { ref, client, apiVersion } = target(props, ctx);
  try {
    const got = await client.request<ScaleSetBody>({ method: "GET", path: ref.id, apiVersion });
    return outputsOf(props, identity.readIdentityState(got.body.identity), props.systemAssignedOwned === true);
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
        throw operationError(`reading (before ${operation})`, scaleSetId, e);
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
        throw operationError(operation, scaleSetId, e);
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
    path: identity.parseUserAssignedIdentityId(id).id,
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
function outputsOf(props: Props, state: identity.IdentityState, systemAssignedOwned: boolean): VmssIdentityOutputs {
  const declared = identity.declarationOf(props);
  const declaredKeys = new Set(declared.userAssignedIdentities.map(identity.armIdKey));
  const owned = declared.userAssignedIdentities.filter((id) => state.user.has(identity.armIdKey(id)));
  const others = [...state.user.entries()]
    .filter(([key]) => !declaredKeys.has(key))
    .map(([, info]) => identity.parseUserAssignedIdentityId(info.id).id)
    .sort();
  const systemAssigned =
    declared.mode === "exclusive" || declared.systemAssigned !== undefined ? state.system : undefined;
  const outs: VmssIdentityOutputs = {
    scaleSetId: identity.parseScaleSetId(String(props.scaleSetId)).id,
    mode: declared.mode,
    userAssignedIdentities: owned,
    identityType: identity.identityTypeOf(state.system, state.user.size > 0),
    userIdentities: owned.map((id) => {
      const info = state.user.get(identity.armIdKey(id));
      return dropUndefined({ id, principalId: info?.principalId, clientId: info?.clientId });
    }),
    otherUserAssignedIdentities: others,
    systemAssignedOwned,
  };
  for (const key of ["apiVersion", "environment", "endpoint", "adoption"] as const) {
    if (typeof props[key] === "string") (outs as unknown as Props)[key] = props[key];
  }
  if (systemAssigned !== undefined) outs.systemAssigned = systemAssigned;
  if (state.system && state.principalId) outs.principalId = state.principalId;
  if (state.system && state.tenantId) outs.tenantId = state.tenantId;
  return outs;
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The default of `ctx.warn`: the door's messages (provider/progress.ts), stderr outside a door's scope. */
function warnOnStderr(message: string): void {
  reportMessage("warning", message);
}

export {
  checkArmResource,
  diffArmResource,
  createArmResource,
  readArmResource,
  deleteArmResource,
} from "./armResourceRuntime";
