import { isArmError } from "./arm";

/**
 * Wraps a failure of an identity operation in an error that names the scale set, the operation and ARM's `code`
 * and request id (STYLE habit 7: wrap with context, keep the cause).
 *
 * `LinkedAuthorizationFailed` gets a sentence that says what to do: the caller needs the Managed Identity Operator
 * role (action `Microsoft.ManagedIdentity/userAssignedIdentities/assign/action`) on the identity ARM names in its
 * message (shared/research/arm-facts.md §2.2; https://github.com/Azure/aad-pod-identity/issues/613).
 */
export function operationError(operation: string, scaleSetId: string, cause: unknown): Error {
  const detail = cause instanceof Error ? cause.message : String(cause);
  // An ArmError's message already reads "<code>: <ARM message> (<METHOD> <path>, HTTP <status>, request id <id>)".
  let message = `${operation} ${scaleSetId} failed: ${detail}`;
  if (!isArmError(cause)) return new Error(message, { cause });
  if (cause.code === "LinkedAuthorizationFailed") {
    const scopes = linkedScopes(cause.message);
    const which = scopes.length > 0 ? scopes.join(", ") : "the user-assigned identities in the request";
    message +=
      `. The caller is missing the Managed Identity Operator role` +
      ` (Microsoft.ManagedIdentity/userAssignedIdentities/assign/action) on ${which}`;
  }
  const wrapped = new Error(message, { cause });
  Object.assign(wrapped, { code: cause.code, statusCode: cause.statusCode, requestId: cause.requestId });
  return wrapped;
}

/** The linked scope(s) ARM quotes in a LinkedAuthorizationFailed message: "... on the linked scope(s) '<id>' ...". */
function linkedScopes(message: string): string[] {
  const match = /linked scope\(s\) '([^']+)'/i.exec(message);
  return match ? match[1].split(",").map((s) => s.trim()) : [];
}
