// Microsoft.Resources resource groups: PUT/GET/HEAD/PATCH/DELETE and list. Deleting a group is
// asynchronous (202 + Location polled until 200, as Microsoft.Resources does) and deletes every
// identity and scale set in it when the operation ends.
import { randomUUID } from "node:crypto";
import { requireWrite } from "./access-checks";
import {
  ArmFailure,
  locationRequired,
  methodNotAllowed,
  resourceGroupBeingDeleted,
  resourceGroupLocationConflict,
  resourceGroupNotFound,
} from "./arm-errors";
import type { EmulatorCore } from "./core";
import { normalizeLocation, readJsonObject, readTags, type ArmCall, type Reply } from "./exchange";
import { property } from "./identity";
import { resourceGroupId, resourceGroupLookupKey } from "./resource-ids";
import type { ResourceGroupRecord } from "./store";
import { checkResourceGroupLocation, checkResourceGroupName } from "./naming-rules";

/**
 * What a list call covers: the records of one subscription, or of one resource group in it (which must exist, else
 * ResourceGroupNotFound as for any read in that group).
 */
export function recordsInScope<R extends { subscriptionId: string; resourceGroup: string }>(
  core: EmulatorCore,
  records: Iterable<R>,
  subscriptionId: string,
  group: string | undefined,
): R[] {
  const sub = subscriptionId.toLowerCase();
  let inScope = [...records].filter((record) => record.subscriptionId === sub);
  if (group !== undefined) {
    const resourceGroup = groupForRead(core, subscriptionId, group);
    inScope = inScope.filter((record) => record.resourceGroup === resourceGroup.name);
  }
  return inScope;
}

/** A group that must exist (reads). @throws ArmFailure 404 ResourceGroupNotFound. */
export function groupForRead(core: EmulatorCore, subscriptionId: string, name: string): ResourceGroupRecord {
  const group = core.store.resourceGroups.get(resourceGroupLookupKey(subscriptionId, name));
  if (group === undefined) throw resourceGroupNotFound(name);
  return group;
}

/** A group that must exist and not be being deleted (writes of child resources). */
export function groupForWrite(core: EmulatorCore, subscriptionId: string, name: string): ResourceGroupRecord {
  const group = groupForRead(core, subscriptionId, name);
  if (group.deletingOperationId !== undefined) throw resourceGroupBeingDeleted(group.name);
  return group;
}

/** /subscriptions/{sub}/resourcegroups/{name} */
export function handleResourceGroup(core: EmulatorCore, call: ArmCall, subscriptionId: string, name: string): Reply {
  const key = resourceGroupLookupKey(subscriptionId, name);
  const id = resourceGroupId(subscriptionId, name);
  switch (call.method) {
    case "GET":
      return { status: 200, body: renderGroup(groupForRead(core, subscriptionId, name)) };
    case "HEAD":
      return { status: core.store.resourceGroups.has(key) ? 204 : 404 };
    case "PUT": {
      requireWrite(core, call, id, "Microsoft.Resources/subscriptions/resourcegroups/write");
      const body = readJsonObject(call);
      const location = property(body, "location");
      if (typeof location !== "string" || location.trim() === "") throw locationRequired();
      const existing = core.store.resourceGroups.get(key);
      if (existing === undefined) {
        checkResourceGroupName(name);
        checkResourceGroupLocation(normalizeLocation(location));
      }
      const tags = readTags(body);
      if (existing !== undefined) {
        if (existing.deletingOperationId !== undefined) throw resourceGroupBeingDeleted(existing.name);
        if (normalizeLocation(location) !== existing.location) {
          throw resourceGroupLocationConflict(normalizeLocation(location), existing.location);
        }
        if (tags !== undefined) existing.tags = tags;
        else delete existing.tags;
        core.store.onChange();
        return { status: 200, body: renderGroup(existing) };
      }
      const group: ResourceGroupRecord = {
        subscriptionId: subscriptionId.toLowerCase(),
        name,
        location: normalizeLocation(location),
      };
      if (tags !== undefined) group.tags = tags;
      const managedBy = property(body, "managedBy");
      if (typeof managedBy === "string") group.managedBy = managedBy;
      core.store.resourceGroups.set(key, group);
      core.store.onChange();
      return { status: 201, body: renderGroup(group) };
    }
    case "PATCH": {
      requireWrite(core, call, id, "Microsoft.Resources/subscriptions/resourcegroups/write");
      const group = groupForWrite(core, subscriptionId, name);
      const tags = readTags(readJsonObject(call));
      if (tags !== undefined) group.tags = tags;
      core.store.onChange();
      return { status: 200, body: renderGroup(group) };
    }
    case "DELETE": {
      requireWrite(core, call, id, "Microsoft.Resources/subscriptions/resourcegroups/delete");
      const group = groupForRead(core, subscriptionId, name);
      let operationId = group.deletingOperationId;
      if (operationId === undefined) {
        operationId = randomUUID();
        group.deletingOperationId = operationId;
        core.store.startOperation({
          id: operationId,
          subscriptionId: group.subscriptionId,
          location: group.location,
          target: { kind: "resourceGroup", key },
          action: "delete",
          startTime: call.now,
          endsAt: call.now + core.opDurationMs,
          status: "InProgress",
        });
        core.store.onChange();
      }
      return {
        status: 202,
        headers: {
          location: operationResultUrl(call, group.subscriptionId, operationId),
          ...core.retryAfterHeader(),
        },
      };
    }
    default:
      throw methodNotAllowed(call.method, ["GET", "HEAD", "PUT", "PATCH", "DELETE"]);
  }
}

/** /subscriptions/{sub}/resourcegroups */
export function listResourceGroups(core: EmulatorCore, call: ArmCall, subscriptionId: string): Reply {
  if (call.method !== "GET") throw methodNotAllowed(call.method, ["GET"]);
  const sub = subscriptionId.toLowerCase();
  const value = [...core.store.resourceGroups.values()]
    .filter((group) => group.subscriptionId === sub)
    .map(renderGroup);
  return { status: 200, body: { value } };
}

/** /subscriptions/{sub}/operationresults/{id}: 202 while a group deletion runs, then 200 with no body. */
export function getOperationResult(
  core: EmulatorCore,
  call: ArmCall,
  subscriptionId: string,
  operationId: string,
): Reply {
  if (call.method !== "GET") throw methodNotAllowed(call.method, ["GET"]);
  const operation = core.store.operations.get(operationId);
  if (
    operation === undefined ||
    operation.target.kind !== "resourceGroup" ||
    operation.subscriptionId !== subscriptionId.toLowerCase()
  ) {
    throw new ArmFailure(404, "NotFound", `The operation '${operationId}' was not found.`);
  }
  if (operation.status === "InProgress") {
    return {
      status: 202,
      headers: {
        location: operationResultUrl(call, operation.subscriptionId, operation.id),
        ...core.retryAfterHeader(),
      },
    };
  }
  return { status: 200 };
}

function operationResultUrl(call: ArmCall, subscriptionId: string, operationId: string): string {
  return `${call.baseUrl}/subscriptions/${subscriptionId}/operationresults/${operationId}?api-version=${call.apiVersion}`;
}

function renderGroup(group: ResourceGroupRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: resourceGroupId(group.subscriptionId, group.name),
    name: group.name,
    type: "Microsoft.Resources/resourceGroups",
    location: group.location,
  };
  if (group.managedBy !== undefined) out.managedBy = group.managedBy;
  if (group.tags !== undefined) out.tags = group.tags;
  out.properties = { provisioningState: group.deletingOperationId === undefined ? "Succeeded" : "Deleting" };
  return out;
}
