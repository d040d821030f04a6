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
import { ErrorCodes, VmssIdentityError } from "./errors";
import { operationError } from "./operationError";
import {
  PRINCIPAL_NOT_FOUND_DELAYS_MS,
  assignmentId,
  assignmentName,
  builtInRoleName,
  roleDefinitionIdFor,
  type RoleAssignmentDeclaration,
  type RoleAssignmentInPlace,
} from "./roleAssignmentPlan";

/** Microsoft.Authorization api-version of role assignment requests (the latest stable, with principalType). */
export const ROLE_ASSIGNMENT_API_VERSION = "2022-04-01";

/** What the role assignment requests need besides the client. */
export interface RoleAssignmentContext {
  /** Where warnings go (an adopted assignment). */
  warn: (message: string) => void;
  /** Waits before the retries of a `PrincipalNotFound`, in ms; default PRINCIPAL_NOT_FOUND_DELAYS_MS. */
  principalNotFoundDelaysMs?: readonly number[];
}

/**
 * Makes each declared assignment (in parallel) and returns them as in place, in declaration order. When one fails,
 * those made are deleted again and the first failure is thrown.
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
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed === undefined) return settled.map((r) => (r as PromiseFulfilledResult<RoleAssignmentInPlace>).value);
  // All or nothing: the state will not record this step, so what it made must not stay behind unowned.
  const made = settled
    .filter((r): r is PromiseFulfilledResult<RoleAssignmentInPlace> => r.status === "fulfilled")
    .map((r) => r.value);
  await deleteRoleAssignments(client, made).catch(() => undefined);
  throw failed.reason;
}

async function ensureOne(
  client: ArmClient,
  declared: RoleAssignmentDeclaration,
  principalId: string | undefined,
  ctx: RoleAssignmentContext,
): Promise<RoleAssignmentInPlace> {
  const what = `${builtInRoleName(declared.role) ?? declared.role} on ${declared.scope} for ${declared.identity === "system" ? "the system-assigned identity" : declared.identity}`;
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
  const inPlace = (assignment: string): RoleAssignmentInPlace => {
    const roleName = builtInRoleName(declared.role);
    return { ...declared, ...(roleName === undefined ? {} : { roleName }), principalId, id: assignment };
  };
  const delays = ctx.principalNotFoundDelaysMs ?? PRINCIPAL_NOT_FOUND_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      await client.request({
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
      return inPlace(id);
    } catch (e) {
      if (isArmError(e) && e.code === "PrincipalNotFound" && attempt < delays.length) {
        await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
        continue;
      }
      if (isArmError(e) && e.code === "RoleAssignmentExists") {
        const existing = existingAssignmentName(e.armMessage);
        if (existing !== undefined) {
          const adopted = assignmentId(declared.scope, existing);
          ctx.warn(
            `VmssManagedIdentity now owns the role assignment ${adopted} (${what}), which existed under another name. ` +
              `Deleting this resource or dropping the entry removes it.`,
          );
          return inPlace(adopted);
        }
      }
      const spent =
        isArmError(e) && e.code === "PrincipalNotFound"
          ? ` (retried ${delays.length} times over ${Math.round(delays.reduce((a, b) => a + b, 0) / 1000)} s: the principal ${principalId} did not replicate)`
          : "";
      throw operationError(`assigning ${what}${spent} as`, id, e);
    }
  }
}

/** The existing assignment's name in ARM's RoleAssignmentExists message (32 hex digits), as a GUID. */
function existingAssignmentName(message: string): string | undefined {
  const hex = /existing role assignment is ([0-9a-f]{32})/i.exec(message)?.[1]?.toLowerCase();
  if (hex === undefined) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
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
