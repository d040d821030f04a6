/**
 * Role assignments owned with the identity, the requests (the decisions are in roleAssignmentPlan.ts):
 * - {@link ensureRoleAssignments}: one PUT per declared assignment, under its deterministic name, with
 *   `principalType: ServicePrincipal` (managed identities are service principals), so that ARM takes it while the new
 *   principal is still replicating; `PrincipalNotFound` all the same is retried with a capped backoff, then reported;
 *   `RoleAssignmentExists` under another name is adopted with a warning.
 * - {@link deleteRoleAssignments}: DELETE each; one already gone is no error.
 * - {@link readRoleAssignments}: GET each, for `refresh`: one deleted behind Pulumi's back drops out.
 * Sources: docs/arm-behavior.md, "Role assignments".
 */
import type { ArmClient } from "./arm/client";
import { isArmError } from "./arm/errors";
import { reportedRetryWait, type TransportEvent } from "./arm/events";
import { armIdKey } from "./grammar/armId";
import { currentCancellation, reportTransportEvent } from "./progress";
import { ErrorCodes, VmssIdentityError } from "./errors";
import { operationError } from "./operationError";
import {
  PRINCIPAL_NOT_FOUND_DELAYS_MS,
  assignmentId,
  assignmentName,
  builtInRoleName,
  createdHere,
  roleDefinitionIdFor,
  type RoleAssignmentDeclaration,
  type RoleAssignmentInPlace,
} from "./roleAssignmentPlan";

/** ARM's code for a principal unknown to the Microsoft.Authorization replica that answered (docs/arm-behavior.md). */
const PRINCIPAL_NOT_FOUND = "PrincipalNotFound";

/** Microsoft.Authorization api-version of role assignment requests (the latest stable, with principalType). */
export const ROLE_ASSIGNMENT_API_VERSION = "2022-04-01";

/** What the role assignment requests need besides the client. */
export interface RoleAssignmentContext {
  /** Where warnings go (an adopted or released assignment). */
  warn: (message: string) => void;
  /** Waits before the retries of a `PrincipalNotFound`, in ms; default PRINCIPAL_NOT_FOUND_DELAYS_MS. */
  principalNotFoundDelaysMs?: readonly number[];
  /**
   * Ends the `PrincipalNotFound` waits (the plugin's Cancel, the engine going away). Default: the running operation's
   * cancellation (provider/progress.ts `currentCancellation`), the one the ARM clients' own waits obey.
   */
  signal?: AbortSignal;
  /** Where the waits are reported, as the transport reports its own (default: progress.ts reportTransportEvent). */
  onEvent?: (event: TransportEvent) => void;
}

/**
 * Makes each declared assignment (in parallel) and returns them as in place, in declaration order, each with its
 * origin: `created` (ARM answered 201) or `adopted` (it existed already: 200 under our name, or 409
 * RoleAssignmentExists under another). Adoptions are warned of once all succeeded. When one fails, those this call
 * created are deleted again (never one it adopted: someone else's access) and the first failure is thrown.
 * @param principalOf the principal each identity (`"system"` or a user identity ID) has now.
 * @throws Error naming the assignment and ARM's error, once retries are spent for PrincipalNotFound.
 */
export async function ensureRoleAssignments(
  client: ArmClient,
  declared: readonly RoleAssignmentDeclaration[],
  principalOf: (identity: string) => string | undefined,
  ctx: RoleAssignmentContext,
): Promise<RoleAssignmentInPlace[]> {
  const settled = await Promise.allSettled(declared.map((d) => ensureOne(client, d, principalOf(d.identity), ctx)));
  const made = settled
    .filter((r): r is PromiseFulfilledResult<RoleAssignmentInPlace> => r.status === "fulfilled")
    .map((r) => r.value);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed === undefined) {
    for (const a of made.filter((m) => !createdHere(m))) {
      ctx.warn(
        `VmssManagedIdentity adopted the role assignment ${a.id} (${describeAssignment(a)}), which already existed ` +
          `(made by hand, by another stack or by another resource): it records it but will not delete it; dropping ` +
          `the entry or deleting the resource releases it and leaves it in place.`,
      );
    }
    return made;
  }
  // All or nothing: the state will not record this step, so what it made must not stay behind unowned.
  await deleteRoleAssignments(client, made.filter(createdHere)).catch(() => undefined);
  throw failed.reason;
}

/** `Reader on <scope> for the system-assigned identity`. */
export function describeAssignment(d: RoleAssignmentDeclaration): string {
  return `${builtInRoleName(d.role) ?? d.role} on ${d.scope} for ${d.identity === "system" ? "the system-assigned identity" : d.identity}`;
}

async function ensureOne(
  client: ArmClient,
  declared: RoleAssignmentDeclaration,
  principalId: string | undefined,
  ctx: RoleAssignmentContext,
): Promise<RoleAssignmentInPlace> {
  const what = describeAssignment(declared);
  if (principalId === undefined) {
    // The scale set reported no principal for it (a shape ARM does not document for an assigned identity).
    throw new VmssIdentityError(`cannot assign ${what}: the scale set reports no principal ID for that identity`, {
      code: ErrorCodes.unexpected,
      operation: `assigning ${what}`,
      resourceId: declared.scope,
    });
  }
  const name = assignmentName(declared.scope, declared.role, principalId);
  const id = assignmentId(declared.scope, name);
  const inPlace = (assignment: string, origin: "created" | "adopted"): RoleAssignmentInPlace => {
    const roleName = builtInRoleName(declared.role);
    return { ...declared, ...(roleName === undefined ? {} : { roleName }), principalId, id: assignment, origin };
  };
  const delays = ctx.principalNotFoundDelaysMs ?? PRINCIPAL_NOT_FOUND_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      const got = await client.request({
        method: "PUT",
        path: id,
        apiVersion: ROLE_ASSIGNMENT_API_VERSION,
        body: {
          properties: {
            roleDefinitionId: roleDefinitionIdFor(declared.scope, declared.role),
            principalId,
            principalType: "ServicePrincipal",
          },
        },
      });
      // 201: made now; 200: it existed under this name already (docs/arm-behavior.md, "Role assignments").
      return inPlace(id, got.status === 201 ? "created" : "adopted");
    } catch (e) {
      if (isArmError(e) && e.code === PRINCIPAL_NOT_FOUND && attempt < delays.length) {
        await waitForPrincipal(id, attempt, delays[attempt], principalId, ctx);
        continue;
      }
      if (isArmError(e) && e.code === "RoleAssignmentExists") {
        const existing = existingAssignmentName(e.armMessage) ?? (await findExisting(client, declared, principalId));
        if (existing !== undefined) return inPlace(assignmentId(declared.scope, existing), "adopted");
      }
      const spent =
        isArmError(e) && e.code === PRINCIPAL_NOT_FOUND
          ? ` (retried ${delays.length} times over ${Math.round(delays.reduce((a, b) => a + b, 0) / 1000)} s: the principal ${principalId} did not replicate)`
          : "";
      throw operationError(`assigning ${what}${spent} as`, id, e);
    }
  }
}

/**
 * The wait before retrying a PUT refused with PrincipalNotFound, through the machinery of the transport's own waits:
 * reported as a retry (progress.ts says it, on the resource's row or stderr), ended by the operation's cancellation.
 * @throws the cancellation's reason when it ends the wait.
 */
async function waitForPrincipal(
  path: string,
  attempt: number,
  delayMs: number,
  principalId: string,
  ctx: RoleAssignmentContext,
): Promise<void> {
  const reason = `PrincipalNotFound: the principal ${principalId} has not replicated to every Microsoft.Authorization replica yet`;
  await reportedRetryWait(
    { method: "PUT", path, retry: attempt + 1, delayMs, reason, status: 400, code: PRINCIPAL_NOT_FOUND },
    ctx.onEvent ?? reportTransportEvent,
    ctx.signal ?? currentCancellation(),
  );
}

/**
 * The name of the assignment that gives this principal this role at exactly this scope, from a list of the scope's
 * assignments for the principal (`$filter=atScope() and assignedTo('{principal}')`): for a RoleAssignmentExists whose
 * message does not name it (docs/arm-behavior.md, "Role assignments"). Undefined when none is found.
 */
async function findExisting(
  client: ArmClient,
  declared: RoleAssignmentDeclaration,
  principalId: string,
): Promise<string | undefined> {
  try {
    const got = await client.request<{
      value?: { id?: unknown; name?: unknown; properties?: Record<string, unknown> }[];
    }>({
      method: "GET",
      path: `${declared.scope}/providers/Microsoft.Authorization/roleAssignments`,
      apiVersion: ROLE_ASSIGNMENT_API_VERSION,
      query: { $filter: `atScope() and assignedTo('${principalId}')` },
    });
    const match = (got.body?.value ?? []).find((a) => {
      const p = a.properties ?? {};
      return (
        typeof p.scope === "string" &&
        armIdKey(p.scope) === armIdKey(declared.scope) &&
        typeof p.roleDefinitionId === "string" &&
        p.roleDefinitionId.toLowerCase().endsWith(`/${declared.role.toLowerCase()}`) &&
        typeof p.principalId === "string" &&
        p.principalId.toLowerCase() === principalId.toLowerCase()
      );
    });
    return typeof match?.name === "string" ? match.name.toLowerCase() : undefined;
  } catch {
    return undefined; // the 409 is reported as it came
  }
}

/** The existing assignment's name in ARM's RoleAssignmentExists message (32 hex digits), as a GUID. */
function existingAssignmentName(message: string): string | undefined {
  const hex = /existing role assignment is ([0-9a-f]{32})/i.exec(message)?.[1]?.toLowerCase();
  if (hex === undefined) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Deletes the assignments this resource created and releases (leaves in place, with a warning) those it adopted:
 * the ownership rule of README "Role assignments".
 */
export async function releaseRoleAssignments(
  client: ArmClient,
  assignments: readonly RoleAssignmentInPlace[],
  ctx: Pick<RoleAssignmentContext, "warn">,
): Promise<void> {
  for (const a of assignments.filter((m) => !createdHere(m))) {
    ctx.warn(
      `VmssManagedIdentity released the role assignment ${a.id} (${describeAssignment(a)}): it existed before this ` +
        `resource adopted it, so it is left in place; delete it yourself if nothing else needs it.`,
    );
  }
  await deleteRoleAssignments(client, assignments.filter(createdHere));
}

/** Deletes each assignment (in parallel); an assignment already gone is no error. */
export async function deleteRoleAssignments(
  client: ArmClient,
  assignments: readonly RoleAssignmentInPlace[],
): Promise<void> {
  await Promise.all(
    assignments.map(async (assignment) => {
      try {
        await client.request({ method: "DELETE", path: assignment.id, apiVersion: ROLE_ASSIGNMENT_API_VERSION });
      } catch (e) {
        if (isArmError(e) && e.statusCode === 404) return;
        throw operationError("removing the role assignment", assignment.id, e);
      }
    }),
  );
}

/** The assignments still in place (one GET each); those deleted behind Pulumi's back are left out. */
export async function readRoleAssignments(
  client: ArmClient,
  assignments: readonly RoleAssignmentInPlace[],
): Promise<RoleAssignmentInPlace[]> {
  const found = await Promise.all(
    assignments.map(async (assignment) => {
      try {
        await client.request({ method: "GET", path: assignment.id, apiVersion: ROLE_ASSIGNMENT_API_VERSION });
        return assignment;
      } catch (e) {
        if (isArmError(e) && e.statusCode === 404) return undefined;
        throw operationError("reading the role assignment", assignment.id, e);
      }
    }),
  );
  return found.filter((a): a is RoleAssignmentInPlace => a !== undefined);
}
