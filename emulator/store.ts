// The emulator's resources and long-running operations, in memory. Operations end lazily: every
// request first settles the operations whose time is up, so no timers run and a state file written
// mid-operation resumes correctly (the operation just ends on the first request after its time).
import { settledIdentity, type IdentityState } from "./identity";
import { identityLookupKey, resourceGroupLookupKey, roleAssignmentLookupKey, scaleSetLookupKey } from "./resource-ids";

/** A resource group. */
export interface ResourceGroupRecord {
  subscriptionId: string;
  /** Name as first created (responses use it whatever casing later requests use). */
  name: string;
  location: string;
  tags?: Record<string, unknown>;
  managedBy?: string;
  /** Set while the group is being deleted. */
  deletingOperationId?: string;
}

/** A user-assigned identity (Microsoft.ManagedIdentity/userAssignedIdentities). */
export interface IdentityRecord {
  subscriptionId: string;
  /** The resource group name as stored on the group. */
  resourceGroup: string;
  name: string;
  location: string;
  tags: Record<string, unknown>;
  tenantId: string;
  principalId: string;
  clientId: string;
}

/** A role assignment (Microsoft.Authorization/roleAssignments), at any scope. */
export interface RoleAssignmentRecord {
  /** The scope as first written (responses echo it), e.g. /subscriptions/{sub}/resourceGroups/{rg}. */
  scope: string;
  /** The assignment's GUID name, as first written. */
  name: string;
  /** The built-in role's GUID. */
  roleGuid: string;
  /** Lower-case object ID; kept when the principal is deleted (Azure shows "Identity not found"). */
  principalId: string;
  principalType: string;
  description?: string;
  condition?: string;
  conditionVersion?: string;
  /** ISO times and the object ID of the caller that created and last updated it. */
  createdOn: string;
  updatedOn: string;
  createdBy: string;
  updatedBy: string;
}

/** ARM provisioning states the emulator uses for scale sets. */
export type ProvisioningState = "Creating" | "Updating" | "Deleting" | "Succeeded" | "Failed";

/** What a failed operation restores (ARM RPC async-api-reference: a failed update reverts). */
export interface ScaleSetSnapshot {
  resource: Record<string, unknown>;
  identity: IdentityState | null;
}

/** A virtual machine scale set. */
export interface ScaleSetRecord {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  /** The body as the client gave it (sku, plan, zones, tags, properties, …) minus read-only values. */
  resource: Record<string, unknown>;
  identity: IdentityState | null;
  /** ETag counter: +1 on every write (docs/arm-behavior.md, "Shapes by api-version"). */
  etag: number;
  provisioningState: ProvisioningState;
  uniqueId: string;
  timeCreated: string;
  /** The running operation, if any. */
  operationId?: string;
  /** State before the running operation, restored if it fails; absent for a create. */
  rollback?: ScaleSetSnapshot;
}

/** Status values of an Azure-AsyncOperation resource (ARM RPC). */
export type OperationStatus = "InProgress" | "Succeeded" | "Failed";

/** A long-running operation. */
export interface OperationRecord {
  id: string;
  subscriptionId: string;
  /** Region in the operation URL (the scale set's location). */
  location: string;
  target: { kind: "scaleSet" | "resourceGroup"; key: string };
  action: "create" | "update" | "delete";
  /** ms since the epoch. */
  startTime: number;
  /** When the operation ends (ms since the epoch). */
  endsAt: number;
  status: OperationStatus;
  endTime?: number;
  /** Set when the operation is to fail (admin failNextOperations). */
  failure?: { code: string; message: string };
}

/** Serialised store (state file). */
export interface StoreSnapshot {
  resourceGroups: ResourceGroupRecord[];
  identities: IdentityRecord[];
  scaleSets: ScaleSetRecord[];
  operations: OperationRecord[];
  /** Absent in state files written before the emulator served role assignments. */
  roleAssignments?: RoleAssignmentRecord[];
}

const FINISHED_OPERATIONS_KEPT = 10_000;

/** All emulated resources and operations. */
export class Store {
  readonly resourceGroups = new Map<string, ResourceGroupRecord>();
  readonly identities = new Map<string, IdentityRecord>();
  readonly scaleSets = new Map<string, ScaleSetRecord>();
  readonly operations = new Map<string, OperationRecord>();
  /** Keyed by the lower-cased assignment ID ({scope}/providers/microsoft.authorization/roleassignments/{name}). */
  readonly roleAssignments = new Map<string, RoleAssignmentRecord>();
  private readonly running = new Set<string>();
  private nextDue = Number.POSITIVE_INFINITY;

  /** Called after every change, e.g. to schedule a state-file write. */
  onChange: () => void = () => undefined;

  /** Registers a new operation; it is InProgress until `endsAt`. */
  startOperation(operation: OperationRecord): void {
    this.operations.set(operation.id, operation);
    this.running.add(operation.id);
    this.nextDue = Math.min(this.nextDue, operation.endsAt);
    this.pruneFinished();
  }

  /** Ends every operation whose time is up. Cheap when none is due: one comparison. */
  settleDue(now: number): void {
    if (now < this.nextDue) return;
    let nextDue = Number.POSITIVE_INFINITY;
    for (const id of [...this.running]) {
      const operation = this.operations.get(id);
      if (operation === undefined) {
        this.running.delete(id);
      } else if (operation.endsAt <= now) {
        this.finish(operation, operation.endsAt);
      } else {
        nextDue = Math.min(nextDue, operation.endsAt);
      }
    }
    this.nextDue = nextDue;
  }

  /** Ends every running operation now (admin finishOperations). */
  finishAll(now: number): void {
    for (const id of [...this.running]) {
      const operation = this.operations.get(id);
      if (operation !== undefined) this.finish(operation, Math.min(operation.endsAt, now));
    }
    this.running.clear();
    this.nextDue = Number.POSITIVE_INFINITY;
  }

  /** Number of operations still running. */
  runningCount(): number {
    return this.running.size;
  }

  /** Removes everything. */
  clear(): void {
    this.resourceGroups.clear();
    this.identities.clear();
    this.scaleSets.clear();
    this.operations.clear();
    this.roleAssignments.clear();
    this.running.clear();
    this.nextDue = Number.POSITIVE_INFINITY;
    this.onChange();
  }

  /** A deep copy for the state file and admin `state()`. */
  snapshot(): StoreSnapshot {
    return structuredClone({
      resourceGroups: [...this.resourceGroups.values()],
      identities: [...this.identities.values()],
      scaleSets: [...this.scaleSets.values()],
      operations: [...this.operations.values()],
      roleAssignments: [...this.roleAssignments.values()],
    });
  }

  /** Replaces the content with a snapshot (state-file load). */
  restore(snapshot: StoreSnapshot): void {
    this.clear();
    for (const group of snapshot.resourceGroups) {
      this.resourceGroups.set(resourceGroupLookupKey(group.subscriptionId, group.name), group);
    }
    for (const identity of snapshot.identities) {
      this.identities.set(identityLookupKey(identity.subscriptionId, identity.resourceGroup, identity.name), identity);
    }
    for (const scaleSet of snapshot.scaleSets) {
      this.scaleSets.set(scaleSetLookupKey(scaleSet.subscriptionId, scaleSet.resourceGroup, scaleSet.name), scaleSet);
    }
    for (const assignment of snapshot.roleAssignments ?? []) {
      this.roleAssignments.set(roleAssignmentLookupKey(assignment.scope, assignment.name), assignment);
    }
    for (const operation of snapshot.operations) {
      this.operations.set(operation.id, operation);
      if (operation.status === "InProgress") {
        this.running.add(operation.id);
        this.nextDue = Math.min(this.nextDue, operation.endsAt);
      }
    }
  }

  private finish(operation: OperationRecord, endTime: number): void {
    this.running.delete(operation.id);
    operation.status = operation.failure === undefined ? "Succeeded" : "Failed";
    operation.endTime = endTime;
    if (operation.target.kind === "scaleSet") this.finishScaleSetOperation(operation);
    else this.finishResourceGroupDeletion(operation);
    this.onChange();
  }

  private finishScaleSetOperation(operation: OperationRecord): void {
    const record = this.scaleSets.get(operation.target.key);
    if (record === undefined || record.operationId !== operation.id) return;
    const rollback = record.rollback;
    delete record.operationId;
    delete record.rollback;
    if (operation.failure === undefined) {
      if (operation.action === "delete") {
        this.scaleSets.delete(operation.target.key);
        return;
      }
      record.provisioningState = "Succeeded";
      record.identity = settledIdentity(record.identity);
      return;
    }
    // Failed: the change is rolled back and the resource reports Failed (ARM RPC async-api-reference).
    record.provisioningState = "Failed";
    if (rollback !== undefined) {
      record.resource = rollback.resource;
      record.identity = rollback.identity;
      record.etag += 1;
    } else {
      record.identity = settledIdentity(record.identity);
    }
  }

  private finishResourceGroupDeletion(operation: OperationRecord): void {
    const group = this.resourceGroups.get(operation.target.key);
    if (group === undefined || group.deletingOperationId !== operation.id) return;
    if (operation.failure !== undefined) {
      delete group.deletingOperationId;
      return;
    }
    // Deleting a group deletes everything in it.
    const prefix = `${operation.target.key}/`;
    for (const map of [this.identities, this.scaleSets] as Map<string, unknown>[]) {
      for (const key of [...map.keys()]) if (key.startsWith(prefix)) map.delete(key);
    }
    this.resourceGroups.delete(operation.target.key);
  }

  private pruneFinished(): void {
    if (this.operations.size <= FINISHED_OPERATIONS_KEPT + this.running.size) return;
    for (const [id, operation] of this.operations) {
      if (this.operations.size <= FINISHED_OPERATIONS_KEPT / 2) break;
      if (operation.status !== "InProgress") this.operations.delete(id);
    }
  }
}
