// Microsoft.Compute/virtualMachineScaleSets: PUT (201 create / 200 replace), GET, PATCH (always 200),
// DELETE (202), list. Every write starts a long-running operation; the order of checks follows ARM:
// authorization and linked checks first (ARM front door), then the resource provider's own checks.
// Sources: docs/arm-behavior.md; docs/arm-behavior.md, "Shapes by api-version"; the Azure CLI's recordings.
import { randomUUID } from "node:crypto";
import { requireAssign, requireWrite } from "./access-checks";
import { identityFormat, supportsEtag } from "./api-versions";
import {
  concurrentConflict,
  invalidParameter,
  locationRequired,
  markedForDeletion,
  methodNotAllowed,
  preconditionFailed,
  resourceLocationConflict,
  resourceNotFound,
} from "./arm-errors";
import { operationHeaders, startScaleSetOperation } from "./compute-operations";
import type { EmulatorCore } from "./core";
import { computeTimestamp, normalizeLocation, readJsonObject, type ArmCall, type Reply } from "./exchange";
import {
  property,
  readIdentityRequest,
  resolveIdentity,
  type IdentityContext,
  type IdentityRequest,
  type IdentityState,
} from "./identity";
import { scaleSetId, scaleSetLookupKey } from "./resource-ids";
import { groupForRead, groupForWrite, recordsInScope } from "./resource-groups";
import { etagValue, patchedResource, renderScaleSet, writableResource } from "./scale-set-body";
import type { ScaleSetRecord } from "./store";
import { checkResourceLocation, checkScaleSetName } from "./naming-rules";

const TYPE = "Microsoft.Compute/virtualMachineScaleSets";

/** .../providers/Microsoft.Compute/virtualMachineScaleSets/{name} */
export function handleScaleSet(
  core: EmulatorCore,
  call: ArmCall,
  subscriptionId: string,
  group: string,
  name: string,
): Reply {
  switch (call.method) {
    case "GET":
      return getScaleSet(core, call, subscriptionId, group, name);
    case "PUT":
      return putScaleSet(core, call, subscriptionId, group, name);
    case "PATCH":
      return patchScaleSet(core, call, subscriptionId, group, name);
    case "DELETE":
      return deleteScaleSet(core, call, subscriptionId, group, name);
    default:
      throw methodNotAllowed(call.method, ["GET", "PUT", "PATCH", "DELETE"]);
  }
}

/** List in a resource group, or in the subscription when `group` is undefined. */
export function listScaleSets(
  core: EmulatorCore,
  call: ArmCall,
  subscriptionId: string,
  group: string | undefined,
): Reply {
  if (call.method !== "GET") throw methodNotAllowed(call.method, ["GET"]);
  const records = recordsInScope(core, core.store.scaleSets.values(), subscriptionId, group);
  const apiVersion = call.apiVersion ?? "";
  return { status: 200, body: { value: records.map((record) => renderScaleSet(record, apiVersion, core.keyCasing)) } };
}

function getScaleSet(core: EmulatorCore, call: ArmCall, subscriptionId: string, group: string, name: string): Reply {
  groupForRead(core, subscriptionId, group);
  const record = core.store.scaleSets.get(scaleSetLookupKey(subscriptionId, group, name));
  if (record === undefined) throw resourceNotFound(TYPE, name, group);
  return resourceReply(core, call, record, 200);
}

function putScaleSet(core: EmulatorCore, call: ArmCall, subscriptionId: string, group: string, name: string): Reply {
  const key = scaleSetLookupKey(subscriptionId, group, name);
  requireWrite(core, call, scaleSetId(subscriptionId, group, name), `${TYPE}/write`);
  const resourceGroup = groupForWrite(core, subscriptionId, group);
  const body = readJsonObject(call);
  const existing = core.store.scaleSets.get(key);
  const id = scaleSetId(subscriptionId.toLowerCase(), resourceGroup.name, existing?.name ?? name);
  const identityRequest = identityRequestOf(core, call, body, id);

  const location = property(body, "location");
  if (typeof location !== "string" || location.trim() === "") throw locationRequired();
  if (existing === undefined) {
    checkScaleSetName(name);
    checkResourceLocation(normalizeLocation(location), TYPE);
  }
  if (existing !== undefined) checkWritable(existing, "Update Virtual Machine Scale Set");
  checkPreconditions(call, existing);
  if (existing !== undefined && normalizeLocation(location) !== existing.location) {
    throw resourceLocationConflict(existing.name, resourceGroup.name, existing.location, normalizeLocation(location));
  }
  const identity =
    identityRequest === undefined
      ? null
      : resolveIdentity(
          identityRequest,
          identityContext(core, "PUT", call, existing?.identity ?? null, id, existing?.name ?? name),
        );
  const resource = writableResource(body);

  if (existing !== undefined) {
    existing.rollback = { resource: existing.resource, identity: existing.identity };
    existing.resource = resource;
    existing.identity = identity;
    existing.etag += 1;
    existing.provisioningState = "Updating";
    return startWrite(core, call, existing, "update", 200);
  }
  const record: ScaleSetRecord = {
    subscriptionId: subscriptionId.toLowerCase(),
    resourceGroup: resourceGroup.name,
    name,
    location: normalizeLocation(location),
    resource,
    identity,
    etag: 1,
    provisioningState: "Creating",
    uniqueId: randomUUID(),
    timeCreated: computeTimestamp(call.now),
  };
  core.store.scaleSets.set(key, record);
  return startWrite(core, call, record, "create", 201);
}

function patchScaleSet(core: EmulatorCore, call: ArmCall, subscriptionId: string, group: string, name: string): Reply {
  const key = scaleSetLookupKey(subscriptionId, group, name);
  requireWrite(core, call, scaleSetId(subscriptionId, group, name), `${TYPE}/write`);
  const resourceGroup = groupForWrite(core, subscriptionId, group);
  const body = readJsonObject(call);
  const existing = core.store.scaleSets.get(key);
  const id = scaleSetId(subscriptionId.toLowerCase(), resourceGroup.name, existing?.name ?? name);
  const identityRequest = identityRequestOf(core, call, body, id);

  if (existing === undefined) throw resourceNotFound(TYPE, name, group);
  checkWritable(existing, "Update Virtual Machine Scale Set");
  checkPreconditions(call, existing);
  // A PATCH without identity leaves it unchanged (docs/arm-behavior.md).
  const identity =
    identityRequest === undefined
      ? existing.identity
      : resolveIdentity(identityRequest, identityContext(core, "PATCH", call, existing.identity, id, existing.name));
  const resource = patchedResource(existing.resource, body);

  existing.rollback = { resource: existing.resource, identity: existing.identity };
  existing.resource = resource;
  existing.identity = identity;
  existing.etag += 1;
  existing.provisioningState = "Updating";
  // PATCH answers 200, never 202, with Azure-AsyncOperation and no Location (docs/arm-behavior.md, "Long-running operations").
  return startWrite(core, call, existing, "update", 200);
}

function deleteScaleSet(core: EmulatorCore, call: ArmCall, subscriptionId: string, group: string, name: string): Reply {
  const key = scaleSetLookupKey(subscriptionId, group, name);
  requireWrite(core, call, scaleSetId(subscriptionId, group, name), `${TYPE}/delete`);
  groupForRead(core, subscriptionId, group);
  const existing = core.store.scaleSets.get(key);
  // ARM RPC: DELETE of a resource that does not exist answers 204.
  if (existing === undefined) return { status: 204 };
  if (existing.operationId !== undefined) {
    const running = core.store.operations.get(existing.operationId);
    // A repeated DELETE while one runs is accepted again; any other running operation conflicts.
    if (running?.action === "delete") {
      return { status: 202, headers: operationHeaders(core, call, running), requestId: running.id };
    }
    throw concurrentConflict();
  }
  existing.rollback = { resource: existing.resource, identity: existing.identity };
  existing.provisioningState = "Deleting";
  const operation = startScaleSetOperation(core, call, operationTarget(existing, key), "delete");
  existing.operationId = operation.id;
  core.store.onChange();
  return { status: 202, headers: operationHeaders(core, call, operation), requestId: operation.id };
}

function startWrite(
  core: EmulatorCore,
  call: ArmCall,
  record: ScaleSetRecord,
  action: "create" | "update",
  status: 200 | 201,
): Reply {
  const key = scaleSetLookupKey(record.subscriptionId, record.resourceGroup, record.name);
  const operation = startScaleSetOperation(core, call, operationTarget(record, key), action);
  record.operationId = operation.id;
  if (action === "create") delete record.rollback;
  core.store.onChange();
  const reply = resourceReply(core, call, record, status);
  return {
    ...reply,
    headers: { ...reply.headers, ...operationHeaders(core, call, operation) },
    requestId: operation.id,
  };
}

function operationTarget(
  record: ScaleSetRecord,
  key: string,
): { key: string; subscriptionId: string; location: string } {
  return { key, subscriptionId: record.subscriptionId, location: record.location };
}

function resourceReply(core: EmulatorCore, call: ArmCall, record: ScaleSetRecord, status: number): Reply {
  const apiVersion = call.apiVersion ?? "";
  const headers: Record<string, string> = {};
  if (supportsEtag(apiVersion)) headers.etag = etagValue(record);
  return { status, body: renderScaleSet(record, apiVersion, core.keyCasing), headers };
}

/** 409 while an operation runs on the scale set, or while it is being deleted (docs/arm-behavior.md, "Errors"). */
function checkWritable(record: ScaleSetRecord, operationName: string): void {
  if (record.provisioningState === "Deleting") throw markedForDeletion(operationName, record.name);
  if (record.operationId !== undefined) throw concurrentConflict();
}

/**
 * If-Match / If-None-Match from 2024-03-01 on (docs/arm-behavior.md, "Long-running operations"; ARM RPC: 412 when the condition
 * fails). Older api-versions do not declare the headers; the service ignores them there.
 */
function checkPreconditions(call: ArmCall, existing: ScaleSetRecord | undefined): void {
  if (!supportsEtag(call.apiVersion ?? "")) return;
  const ifNoneMatch = headerValue(call, "if-none-match");
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== "*") {
      throw invalidParameter(
        `The value '${ifNoneMatch}' of the If-None-Match header is not supported: only '*' is.`,
        "If-None-Match",
      );
    }
    if (existing !== undefined) {
      throw preconditionFailed(
        `The precondition If-None-Match: * failed: the virtual machine scale set '${existing.name}' already exists (ETag ${etagValue(existing)}).`,
      );
    }
  }
  const ifMatch = headerValue(call, "if-match");
  if (ifMatch === undefined) return;
  const wanted = ifMatch.split(",").map((value) =>
    value
      .trim()
      .replace(/^W\//, "")
      .replace(/^"(.*)"$/, "$1"),
  );
  if (wanted.includes("*")) {
    if (existing === undefined)
      throw preconditionFailed("The precondition If-Match: * failed: the virtual machine scale set does not exist.");
    return;
  }
  if (existing === undefined || !wanted.includes(String(existing.etag))) {
    throw preconditionFailed(
      `The precondition If-Match: ${ifMatch} failed: the current ETag of the virtual machine scale set is ${existing === undefined ? "none (it does not exist)" : etagValue(existing)}.`,
    );
  }
}

function identityContext(
  core: EmulatorCore,
  method: "PUT" | "PATCH",
  call: ArmCall,
  current: IdentityState | null,
  id: string,
  name: string,
): IdentityContext {
  return {
    method,
    format: identityFormat(call.apiVersion ?? ""),
    current,
    scaleSetId: id,
    scaleSetName: name,
    unassignedRemoval: core.unassignedRemoval,
    findIdentity: (ref) => {
      const record = core.store.identities.get(ref.lookupKey);
      return record === undefined
        ? undefined
        : {
            subscriptionId: record.subscriptionId,
            resourceGroup: record.resourceGroup,
            name: record.name,
            principalId: record.principalId,
            clientId: record.clientId,
          };
    },
    newSystemIdentity: () => {
      const principalId = randomUUID();
      core.directory.noteCreated(principalId, call.now); // replicates from now on (principals.ts)
      return { principalId, tenantId: core.config.tenantId };
    },
  };
}

/**
 * The request's identity, read and checked the way ARM's front door does before the resource provider
 * sees it: malformed IDs (LinkedInvalidPropertyId), then the linked assign permission.
 */
function identityRequestOf(
  core: EmulatorCore,
  call: ArmCall,
  body: Record<string, unknown>,
  scaleSetResourceId: string,
): IdentityRequest | undefined {
  const identityBody = property(body, "identity");
  if (identityBody === undefined || identityBody === null) return undefined;
  const request = readIdentityRequest(identityBody, identityFormat(call.apiVersion ?? ""));
  requireAssign(
    core,
    call,
    scaleSetResourceId,
    request.entries.map((entry) => entry.ref),
  );
  return request;
}

function headerValue(call: ArmCall, name: string): string | undefined {
  const value = call.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}
