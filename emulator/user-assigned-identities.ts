// Microsoft.ManagedIdentity/userAssignedIdentities: PUT (synchronous 201 with generated principalId,
// clientId and tenantId), GET, PATCH (tags), DELETE, list. Shapes from the Azure CLI's recordings (identity
// PUT responses of 2020 and 2023): `id` with lower-case `resourcegroups`, a relative Location header.
import { randomUUID } from "node:crypto";
import { requireWrite } from "./access-checks";
import { locationRequired, methodNotAllowed, resourceLocationConflict, resourceNotFound } from "./arm-errors";
import type { EmulatorCore } from "./core";
import { normalizeLocation, readJsonObject, readTags, type ArmCall, type Reply } from "./exchange";
import { property } from "./identity";
import { identityIdFromManagedIdentity, identityLookupKey } from "./resource-ids";
import { groupForRead, groupForWrite, recordsInScope } from "./resource-groups";
import type { IdentityRecord } from "./store";
import { checkIdentityName, checkResourceLocation } from "./naming-rules";

const TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities";

/** .../providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name} */
export function handleIdentity(
  core: EmulatorCore,
  call: ArmCall,
  subscriptionId: string,
  group: string,
  name: string,
): Reply {
  const key = identityLookupKey(subscriptionId, group, name);
  const pathId = identityIdFromManagedIdentity(subscriptionId, group, name);
  switch (call.method) {
    case "GET": {
      groupForRead(core, subscriptionId, group);
      const record = core.store.identities.get(key);
      if (record === undefined) throw resourceNotFound(TYPE, name, group);
      return { status: 200, body: renderIdentityResource(record, call.apiVersion ?? "") };
    }
    case "PUT": {
      requireWrite(core, call, pathId, `${TYPE}/write`);
      const resourceGroup = groupForWrite(core, subscriptionId, group);
      const body = readJsonObject(call);
      const location = property(body, "location");
      if (typeof location !== "string" || location.trim() === "") throw locationRequired();
      const existing = core.store.identities.get(key);
      if (existing === undefined) {
        checkIdentityName(name);
        checkResourceLocation(normalizeLocation(location), TYPE);
      }
      const tags = readTags(body);
      if (existing !== undefined) {
        if (normalizeLocation(location) !== existing.location) {
          throw resourceLocationConflict(
            existing.name,
            resourceGroup.name,
            existing.location,
            normalizeLocation(location),
          );
        }
        existing.tags = tags ?? {};
        core.store.onChange();
        return { status: 200, body: renderIdentityResource(existing, call.apiVersion ?? "") };
      }
      const record: IdentityRecord = {
        subscriptionId: subscriptionId.toLowerCase(),
        resourceGroup: resourceGroup.name,
        name,
        location: normalizeLocation(location),
        tags: tags ?? {},
        tenantId: core.config.tenantId,
        principalId: randomUUID(),
        clientId: randomUUID(),
      };
      core.store.identities.set(key, record);
      core.directory.noteCreated(record.principalId, call.now); // replicates from now on (principals.ts)
      core.store.onChange();
      return {
        status: 201,
        // Relative, as recorded (the Azure CLI's recordings, identity PUT responses: docs/arm-behavior.md).
        headers: { location: identityIdFromManagedIdentity(record.subscriptionId, record.resourceGroup, record.name) },
        body: renderIdentityResource(record, call.apiVersion ?? ""),
      };
    }
    case "PATCH": {
      requireWrite(core, call, pathId, `${TYPE}/write`);
      groupForWrite(core, subscriptionId, group);
      const record = core.store.identities.get(key);
      if (record === undefined) throw resourceNotFound(TYPE, name, group);
      const tags = readTags(readJsonObject(call));
      if (tags !== undefined) record.tags = tags;
      core.store.onChange();
      return { status: 200, body: renderIdentityResource(record, call.apiVersion ?? "") };
    }
    case "DELETE": {
      requireWrite(core, call, pathId, `${TYPE}/delete`);
      groupForRead(core, subscriptionId, group);
      // Scale sets keep referring to a deleted identity, as in Azure (docs/arm-behavior.md, "IDs and casing", aad-pod-identity known issues).
      const existed = core.store.identities.delete(key);
      if (existed) core.store.onChange();
      return { status: existed ? 200 : 204 };
    }
    default:
      throw methodNotAllowed(call.method, ["GET", "PUT", "PATCH", "DELETE"]);
  }
}

/** List in a resource group, or in the subscription when `group` is undefined. */
export function listIdentities(
  core: EmulatorCore,
  call: ArmCall,
  subscriptionId: string,
  group: string | undefined,
): Reply {
  if (call.method !== "GET") throw methodNotAllowed(call.method, ["GET"]);
  const records = recordsInScope(core, core.store.identities.values(), subscriptionId, group);
  return {
    status: 200,
    body: { value: records.map((record) => renderIdentityResource(record, call.apiVersion ?? "")) },
  };
}

function renderIdentityResource(record: IdentityRecord, apiVersion: string): Record<string, unknown> {
  const id = identityIdFromManagedIdentity(record.subscriptionId, record.resourceGroup, record.name);
  const properties: Record<string, unknown> = {
    tenantId: record.tenantId,
    principalId: record.principalId,
    clientId: record.clientId,
  };
  if (apiVersion === "2015-08-31-preview") {
    // The 2020 recording (api 2015-08-31-preview) also has clientSecretUrl, and puts id first.
    properties.clientSecretUrl = `https://control-${record.location}.identity.azure.net${id}/credentials?tid=${record.tenantId}&oid=${record.principalId}&aid=${record.clientId}`;
    return { id, name: record.name, type: TYPE, location: record.location, tags: record.tags, properties };
  }
  return { location: record.location, tags: record.tags, id, name: record.name, type: TYPE, properties };
}
