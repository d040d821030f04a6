// The directory (Entra ID) as Microsoft.Authorization sees it: which principals exist, of which kind, and since when.
// Principals are not stored of their own: they are the emulator's resources seen from the directory side, so that
// they appear and disappear with them, as on Azure (docs/arm-behavior.md, "Role assignments"):
// 1. a scale set's system-assigned identity: its principalId, from the PUT or PATCH that turns it on until the PATCH
//    that turns it off or the end of the scale set's deletion;
// 2. a user-assigned identity: its principalId, from its PUT until its DELETE;
// 3. the service principal of the client the token endpoint serves (its object ID, the token's `oid`).
// New principals reach the replica ARM reads role assignment checks from only after the replication delay;
// `principalType` on the assignment skips that lookup (https://aka.ms/docs-principaltype).
import type { EmulatorCore } from "./core";

/**
 * How long a new principal stays invisible to role assignment checks that name no principalType, in ms (default
 * 30 s: Microsoft's docs say a new principal can take minutes to replicate; 30 s is long enough that every program
 * creating an identity and assigning it a role at once meets it, short enough for a test to wait it out).
 */
export const DEFAULT_REPLICATION_DELAY_MS = 30_000;

/** A principal the directory knows. */
export interface Principal {
  /** The object ID, lower-case. */
  principalId: string;
  /** Managed identities and applications are service principals in the directory. */
  principalType: "ServicePrincipal";
  /** What it is, for messages and Graph-style answers: the scale set's, identity's or client's name. */
  displayName: string;
  /** The application (client) ID, where the emulator knows one (user-assigned identities, the token client). */
  appId?: string;
  /** Microsoft Graph's servicePrincipalType: managed identities and the token endpoint's application. */
  servicePrincipalType: "ManagedIdentity" | "Application";
  /** When it was created (ms since the epoch); undefined when it predates this process (then it is replicated). */
  createdAt: number | undefined;
}

/** Creation times of principals and the directory's switches. */
export class Directory {
  private readonly created = new Map<string, number>();
  /** How many role assignment writes from now on fail PrincipalNotFound whatever they send (admin). */
  forcedNotFound = 0;

  constructor(
    /** See DEFAULT_REPLICATION_DELAY_MS. */
    public replicationDelayMs: number,
  ) {}

  /** Records that a principal was created at `at` (ms since the epoch). */
  noteCreated(principalId: string, at: number): void {
    this.created.set(principalId.toLowerCase(), at);
  }

  /** When a principal was created, if this process saw it happen. */
  createdAt(principalId: string): number | undefined {
    return this.created.get(principalId.toLowerCase());
  }

  /** Takes one forced PrincipalNotFound, if any is armed. */
  takeForcedNotFound(): boolean {
    if (this.forcedNotFound <= 0) return false;
    this.forcedNotFound -= 1;
    return true;
  }

  /** Back to the configured delay, no forced failures (creation times stay: the principals still exist). */
  reset(replicationDelayMs: number): void {
    this.replicationDelayMs = replicationDelayMs;
    this.forcedNotFound = 0;
  }
}

/** The principal with this object ID, if it exists now. */
export function findPrincipal(core: EmulatorCore, principalId: string): Principal | undefined {
  const wanted = principalId.toLowerCase();
  const found = (
    displayName: string,
    servicePrincipalType: Principal["servicePrincipalType"],
    appId?: string,
  ): Principal => ({
    principalId: wanted,
    principalType: "ServicePrincipal",
    displayName,
    servicePrincipalType,
    ...(appId === undefined ? {} : { appId }),
    createdAt: core.directory.createdAt(wanted),
  });
  for (const scaleSet of core.store.scaleSets.values()) {
    if (scaleSet.identity?.system?.principalId.toLowerCase() === wanted) return found(scaleSet.name, "ManagedIdentity");
  }
  for (const identity of core.store.identities.values()) {
    if (identity.principalId.toLowerCase() === wanted) {
      return found(identity.name, "ManagedIdentity", identity.clientId);
    }
  }
  if (core.objectIdOf(core.config.clientId) === wanted) {
    return found("vmss-identity-emulator client", "Application", core.config.clientId);
  }
  return undefined;
}

/** True when a role assignment check that names no principalType can already see the principal. */
export function isReplicated(core: EmulatorCore, principal: Principal, now: number): boolean {
  return principal.createdAt === undefined || now - principal.createdAt >= core.directory.replicationDelayMs;
}
