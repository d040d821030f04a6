// Microsoft.Authorization/roleAssignments at any scope (subscription, resource group, resource):
// PUT/GET/DELETE `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}` and the list at a scope.
// A PUT is checked in ARM's order (docs/arm-behavior.md, "Role assignments"):
// 1. the caller may write role assignments at that scope (403 AuthorizationFailed);
// 2. the name is a GUID, the group of the scope exists, the body names a role and a principal;
// 3. the role is a built-in role (400 RoleDefinitionDoesNotExist);
// 4. an assignment of that name already exists: the same principal and role → 200 (description and condition may
//    change), another → 409 RoleAssignmentUpdateNotPermitted;
// 5. the principal exists, and either principalType is given or the principal has replicated (400 PrincipalNotFound);
//    a given principalType matches the principal's kind (400 UnmatchedPrincipalType);
// 6. no other assignment gives that principal that role at that scope (409 RoleAssignmentExists naming it);
// 7. 201 with the new assignment. It outlives its principal: deleting a principal deletes no assignment.
import { requireWrite } from "./access-checks";
import {
  invalidRoleAssignmentId,
  invalidRoleAssignmentRequest,
  methodNotAllowed,
  principalNotFound,
  roleAssignmentExists,
  roleAssignmentUpdateNotPermitted,
  roleAssignmentNotFound,
  roleDefinitionNotFound,
  unmatchedPrincipalType,
} from "./arm-errors";
import type { EmulatorCore } from "./core";
import { readJsonObject, type ArmCall, type Reply } from "./exchange";
import { isPlainObject, property } from "./identity";
import { findPrincipal, isReplicated } from "./principals";
import { groupForRead, groupForWrite } from "./resource-groups";
import { isGuid, roleAssignmentId, roleAssignmentLookupKey } from "./resource-ids";
import { roleDefinitionId, roleOfDefinitionId } from "./role-definitions";
import { parseAssignmentFilter } from "./role-filters";
import type { RoleAssignmentRecord } from "./store";

const TYPE = "Microsoft.Authorization/roleAssignments";

/** The scope part of a Microsoft.Authorization path. */
export interface AuthorizationScope {
  /** As sent, with a leading slash and no trailing one: /subscriptions/{sub}[/resourceGroups/{rg}[/providers/…]]. */
  path: string;
  subscriptionId: string;
  resourceGroup?: string;
}

/** principalType values the specs' PrincipalType enum lists (2022-04-01; Device from later versions). */
const PRINCIPAL_TYPES = ["User", "Group", "ServicePrincipal", "ForeignGroup", "Device"];

/** principalType exists from 2018-09-01-preview on; older versions have no such property, so ARM ignores it there. */
function honoursPrincipalType(apiVersion: string): boolean {
  return apiVersion >= "2018-09-01-preview";
}

/** `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}` */
export function handleRoleAssignment(
  core: EmulatorCore,
  call: ArmCall,
  scope: AuthorizationScope,
  name: string,
): Reply {
  const key = roleAssignmentLookupKey(scope.path, name);
  const id = roleAssignmentId(scope.path, name);
  switch (call.method) {
    case "GET": {
      const record = core.store.roleAssignments.get(key);
      if (record === undefined) throw roleAssignmentNotFound(name);
      return { status: 200, body: renderRoleAssignment(record, call.apiVersion ?? "") };
    }
    case "PUT":
      return putRoleAssignment(core, call, scope, name, key, id);
    case "DELETE": {
      requireWrite(core, call, id, `${TYPE}/delete`);
      const record = core.store.roleAssignments.get(key);
      if (record === undefined) return { status: 204 };
      core.store.roleAssignments.delete(key);
      core.store.onChange();
      return { status: 200, body: renderRoleAssignment(record, call.apiVersion ?? "") };
    }
    default:
      throw methodNotAllowed(call.method, ["GET", "PUT", "DELETE"]);
  }
}

function putRoleAssignment(
  core: EmulatorCore,
  call: ArmCall,
  scope: AuthorizationScope,
  name: string,
  key: string,
  id: string,
): Reply {
  requireWrite(core, call, id, `${TYPE}/write`);
  if (!isGuid(name)) throw invalidRoleAssignmentId(name);
  if (scope.resourceGroup !== undefined) groupForWrite(core, scope.subscriptionId, scope.resourceGroup);
  const request = readRequest(call);
  const role = roleOfDefinitionId(request.roleDefinitionId);
  if (role === undefined) throw roleDefinitionNotFound(lastSegment(request.roleDefinitionId), 400);
  const apiVersion = call.apiVersion ?? "";
  const now = new Date(call.now).toISOString();
  const caller = call.objectId ?? "";

  const existing = core.store.roleAssignments.get(key);
  if (existing !== undefined) {
    if (existing.principalId !== request.principalId || existing.roleGuid !== role.guid) {
      throw roleAssignmentUpdateNotPermitted();
    }
    existing.description = request.description;
    existing.condition = request.condition;
    existing.conditionVersion = request.conditionVersion;
    existing.updatedOn = now;
    existing.updatedBy = caller;
    core.store.onChange();
    return { status: 200, body: renderRoleAssignment(existing, apiVersion) };
  }

  const tenantId = core.config.tenantId;
  if (core.directory.takeForcedNotFound()) throw principalNotFound(request.principalId, tenantId);
  const principal = findPrincipal(core, request.principalId);
  if (principal === undefined) throw principalNotFound(request.principalId, tenantId);
  const typeGiven = request.principalType !== undefined && honoursPrincipalType(apiVersion);
  const replicated = isReplicated(core, principal, call.now);
  if (!typeGiven && !replicated) throw principalNotFound(request.principalId, tenantId);
  if (typeGiven && replicated && request.principalType !== principal.principalType) {
    throw unmatchedPrincipalType(request.principalId, principal.principalType, request.principalType as string);
  }

  const scopeKey = scope.path.toLowerCase();
  for (const other of core.store.roleAssignments.values()) {
    if (
      other.scope.toLowerCase() === scopeKey &&
      other.principalId === request.principalId &&
      other.roleGuid === role.guid
    ) {
      throw roleAssignmentExists(other.name);
    }
  }

  const record: RoleAssignmentRecord = {
    scope: scope.path,
    name,
    roleGuid: role.guid,
    principalId: request.principalId,
    principalType: typeGiven ? (request.principalType as string) : principal.principalType,
    createdOn: now,
    updatedOn: now,
    createdBy: caller,
    updatedBy: caller,
  };
  if (request.description !== undefined) record.description = request.description;
  if (request.condition !== undefined) record.condition = request.condition;
  if (request.conditionVersion !== undefined) record.conditionVersion = request.conditionVersion;
  core.store.roleAssignments.set(key, record);
  core.store.onChange();
  return { status: 201, body: renderRoleAssignment(record, apiVersion) };
}

interface AssignmentRequest {
  roleDefinitionId: string;
  principalId: string;
  principalType?: string;
  description?: string;
  condition?: string;
  conditionVersion?: string;
}

function readRequest(call: ArmCall): AssignmentRequest {
  const body = readJsonObject(call);
  const properties = property(body, "properties");
  if (!isPlainObject(properties)) {
    throw invalidRoleAssignmentRequest(
      `The request content was invalid: 'properties' must be an object with roleDefinitionId and principalId, got ${JSON.stringify(properties ?? null)}.`,
    );
  }
  const text = (name: string, required: boolean): string | undefined => {
    const value = property(properties, name);
    if (value === undefined || value === null) {
      if (required) {
        throw invalidRoleAssignmentRequest(
          `The request content was invalid: 'properties.${name}' is required (a string), got ${JSON.stringify(value ?? null)}.`,
        );
      }
      return undefined;
    }
    if (typeof value !== "string") {
      throw invalidRoleAssignmentRequest(
        `The request content was invalid: 'properties.${name}' must be a string, got ${JSON.stringify(value)}.`,
      );
    }
    return value;
  };
  const principalId = text("principalId", true) as string;
  if (!isGuid(principalId)) {
    throw invalidRoleAssignmentRequest(
      `The request content was invalid: 'properties.principalId' must be an object ID (a GUID), got ${JSON.stringify(principalId)}.`,
    );
  }
  const principalType = text("principalType", false);
  if (principalType !== undefined && !PRINCIPAL_TYPES.includes(principalType)) {
    throw invalidRoleAssignmentRequest(
      `The request content was invalid: 'properties.principalType' must be one of ${PRINCIPAL_TYPES.join(", ")}, got ${JSON.stringify(principalType)}.`,
    );
  }
  const request: AssignmentRequest = {
    roleDefinitionId: text("roleDefinitionId", true) as string,
    principalId: principalId.toLowerCase(),
  };
  if (principalType !== undefined) request.principalType = principalType;
  for (const name of ["description", "condition", "conditionVersion"] as const) {
    const value = text(name, false);
    if (value !== undefined) request[name] = value;
  }
  return request;
}

/**
 * `{scope}/providers/Microsoft.Authorization/roleAssignments`: without a filter, the assignments at, above and below the
 * scope; `atScope()`: at or above it; `principalId eq '{id}'` / `assignedTo('{id}')`: that principal's at, above or
 * below it (the REST spec's $filter description; docs/arm-behavior.md, "Role assignments").
 */
export function listRoleAssignments(core: EmulatorCore, call: ArmCall, scope: AuthorizationScope): Reply {
  if (call.method !== "GET") throw methodNotAllowed(call.method, ["GET"]);
  if (scope.resourceGroup !== undefined) groupForRead(core, scope.subscriptionId, scope.resourceGroup);
  const filter = parseAssignmentFilter(call.query.get("$filter") ?? undefined);
  const target = scope.path.toLowerCase();
  const within = (outer: string, inner: string): boolean => inner === outer || inner.startsWith(`${outer}/`);
  const records = [...core.store.roleAssignments.values()].filter((record) => {
    const at = record.scope.toLowerCase();
    const aboveOrAt = within(at, target);
    if (filter.atScope && !aboveOrAt) return false;
    if (!filter.atScope && !aboveOrAt && !within(target, at)) return false;
    return filter.principalId === undefined || record.principalId === filter.principalId;
  });
  return { status: 200, body: { value: records.map((record) => renderRoleAssignment(record, call.apiVersion ?? "")) } };
}

/** A role assignment as the api-version shows it: principalType from 2018-09-01-preview, audit fields from 2020-04-01-preview. */
function renderRoleAssignment(record: RoleAssignmentRecord, apiVersion: string): Record<string, unknown> {
  const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(record.scope)?.[1];
  const properties: Record<string, unknown> = {
    roleDefinitionId: roleDefinitionId(subscriptionId, record.roleGuid),
    principalId: record.principalId,
  };
  if (honoursPrincipalType(apiVersion)) properties.principalType = record.principalType;
  properties.scope = record.scope;
  if (apiVersion >= "2020-04-01-preview") {
    Object.assign(properties, {
      condition: record.condition ?? null,
      conditionVersion: record.conditionVersion ?? null,
      createdOn: record.createdOn,
      updatedOn: record.updatedOn,
      createdBy: record.createdBy,
      updatedBy: record.updatedBy,
      delegatedManagedIdentityResourceId: null,
      description: record.description ?? null,
    });
  }
  return { properties, id: roleAssignmentId(record.scope, record.name), type: TYPE, name: record.name };
}

function lastSegment(value: string): string {
  return (
    value
      .split("/")
      .filter((part) => part !== "")
      .pop() ?? value
  );
}
