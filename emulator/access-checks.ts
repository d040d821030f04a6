// The two 403s of the permission model, raised where ARM raises them: before the resource provider
// sees the request (docs/arm-behavior.md, "Errors").
import { authorizationFailed, linkedAuthorizationFailed } from "./arm-errors";
import type { EmulatorCore } from "./core";
import type { ArmCall } from "./exchange";
import { identityIdAsEchoed, type IdentityRef } from "./resource-ids";

/** @throws ArmFailure 403 AuthorizationFailed when the caller may not perform `action` on `resourceId`. */
export function requireWrite(core: EmulatorCore, call: ArmCall, resourceId: string, action: string): void {
  if (!core.permissions.mayWrite(call.clientId, resourceId)) {
    throw authorizationFailed(call.objectId ?? "", action, resourceId);
  }
}

/**
 * @throws ArmFailure 403 LinkedAuthorizationFailed when the caller may not assign one of the identities
 * the request names (added, kept or removed: ARM checks the IDs in the body, not the current ones).
 */
export function requireAssign(core: EmulatorCore, call: ArmCall, scaleSetId: string, named: IdentityRef[]): void {
  const denied = named.filter((ref) => !core.permissions.mayAssign(call.clientId, ref.lookupKey));
  if (denied.length > 0) {
    throw linkedAuthorizationFailed(call.objectId ?? "", scaleSetId, denied.map(identityIdAsEchoed));
  }
}
