// A deliberately small permission model: everything is allowed except what a test denies, so tests can
// reproduce 403 LinkedAuthorizationFailed (no Managed Identity Operator role on an identity) and
// 403 AuthorizationFailed (no write on a scope). Source of the semantics: docs/arm-behavior.md, "PATCH merge rules"
// (azure-cli PR 6845: the assign check applies to the identities named in the request).
import { AdminInputError } from "./faults";
import { parseIdentityId } from "./resource-ids";

/** Client/identity and client/scope denials. */
export class Permissions {
  private readonly deniedAssignments = new Set<string>();
  private readonly deniedWrites: { clientId: string; scope: string }[] = [];

  /** Denies `clientId` the assign/action on the identity `identityId` (any casing). */
  denyAssign(clientId: unknown, identityId: unknown): void {
    const client = requireNonEmpty("denyAssign.clientId", clientId);
    const id = requireNonEmpty("denyAssign.identityId", identityId);
    const ref = parseIdentityId(id);
    if (ref === undefined) {
      throw new AdminInputError(
        `denyAssign.identityId: expected a user-assigned identity ID /subscriptions/<guid>/resourceGroups/<rg>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>, got ${JSON.stringify(id)}`,
      );
    }
    this.deniedAssignments.add(`${client.toLowerCase()} ${ref.lookupKey}`);
  }

  /** Denies `clientId` writes (PUT, PATCH, DELETE) on `scopeId` and everything below it (any casing). */
  denyWrite(clientId: unknown, scopeId: unknown): void {
    const client = requireNonEmpty("denyWrite.clientId", clientId);
    const scope = requireNonEmpty("denyWrite.scopeId", scopeId);
    if (!scope.startsWith("/subscriptions/")) {
      throw new AdminInputError(
        `denyWrite.scopeId: expected an ARM ID starting with /subscriptions/, got ${JSON.stringify(scope)}`,
      );
    }
    this.deniedWrites.push({ clientId: client.toLowerCase(), scope: scope.replace(/\/+$/, "").toLowerCase() });
  }

  /** May `clientId` assign or remove the identity with this store key? */
  mayAssign(clientId: string | undefined, identityLookupKey: string): boolean {
    if (this.deniedAssignments.size === 0 || clientId === undefined) return true;
    return !this.deniedAssignments.has(`${clientId.toLowerCase()} ${identityLookupKey}`);
  }

  /** May `clientId` write the resource with this ID? */
  mayWrite(clientId: string | undefined, resourceId: string): boolean {
    if (this.deniedWrites.length === 0 || clientId === undefined) return true;
    const client = clientId.toLowerCase();
    const target = resourceId.toLowerCase();
    return !this.deniedWrites.some(
      (denial) => denial.clientId === client && (target === denial.scope || target.startsWith(`${denial.scope}/`)),
    );
  }

  /** Allows everything again. */
  reset(): void {
    this.deniedAssignments.clear();
    this.deniedWrites.length = 0;
  }
}

function requireNonEmpty(name: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new AdminInputError(`${name}: expected a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value.trim();
}
