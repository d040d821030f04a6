import { isArmError } from "./arm/errors";
import { ErrorCodes, VmssIdentityError } from "./errors";

/**
 * Wraps a failure of an operation on a scale set in a {@link VmssIdentityError} that names the operation and the scale
 * set (`operation`, `resourceId`) and keeps ARM's `code`, `statusCode` and request id, with the cause attached.
 *
 * `LinkedAuthorizationFailed` gets a sentence that says what to do: the caller needs the Managed Identity Operator
 * role (action `Microsoft.ManagedIdentity/userAssignedIdentities/assign/action`) on the identity ARM names in its
 * message (docs/arm-behavior.md, "Errors"; https://github.com/Azure/aad-pod-identity/issues/613).
 */
export function operationError(operation: string, scaleSetId: string, cause: unknown): VmssIdentityError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  // An ArmError's message already reads "<code>: <ARM message> (<METHOD> <path>, HTTP <status>, request id <id>)".
  let message = `${operation} ${scaleSetId} failed: ${detail}`;
  if (!isArmError(cause)) {
    const code = cause instanceof VmssIdentityError ? cause.code : ErrorCodes.unexpected;
    return new VmssIdentityError(message, { code, operation, resourceId: scaleSetId, cause });
  }
  if (cause.code === "LinkedAuthorizationFailed") {
    const scopes = linkedScopes(cause.message);
    const which = scopes.length > 0 ? scopes.join(", ") : "the user-assigned identities in the request";
    message +=
      `. The caller is missing the Managed Identity Operator role` +
      ` (Microsoft.ManagedIdentity/userAssignedIdentities/assign/action) on ${which}`;
  }
  if (cause.writeState === "accepted") {
    // Cancelled after ARM took the write (provider/arm/client.ts `cancellation`): the state recorded may be behind.
    message += `. The change may still complete: run \`pulumi refresh\` (or \`pulumi up\` again) to read what is in place`;
  }
  return new VmssIdentityError(message, {
    code: cause.code,
    statusCode: cause.statusCode,
    requestId: cause.requestId,
    operation,
    resourceId: scaleSetId,
    cause,
  });
}

/** The linked scope(s) ARM quotes in a LinkedAuthorizationFailed message: "... on the linked scope(s) '<id>' ...". */
function linkedScopes(message: string): string[] {
  const match = /linked scope\(s\) '([^']+)'/i.exec(message);
  return match ? match[1].split(",").map((s) => s.trim()) : [];
}
