// Microsoft.Authorization/roleDefinitions: the built-in roles, read-only. GET by ID at any scope (subscription,
// resource group, resource, or the tenant root `/providers/…`), and list at a scope with `$filter=roleName eq '…'`
// or `$filter=type eq 'BuiltInRole'`. The IDs are Azure's own built-in role GUIDs (docs/arm-behavior.md, "Role
// assignments"; https://learn.microsoft.com/azure/role-based-access-control/built-in-roles). Permissions are
// abbreviated: the emulator grants nothing by role, it only names them.
import { methodNotAllowed, roleDefinitionNotFound, roleFilterNotSupported } from "./arm-errors";
import type { ArmCall, Reply } from "./exchange";
import { odataEquals } from "./role-filters";

/** A built-in role as the emulator serves it. */
export interface BuiltInRole {
  /** The role definition's GUID (its `name`). */
  guid: string;
  roleName: string;
  description: string;
  actions: string[];
  notActions?: string[];
  dataActions?: string[];
}

/** Azure's built-in roles the emulator knows, with their real GUIDs (learn.microsoft.com, "Azure built-in roles"). */
export const BUILT_IN_ROLES: readonly BuiltInRole[] = [
  {
    guid: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    roleName: "Owner",
    description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    actions: ["*"],
  },
  {
    guid: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    roleName: "Contributor",
    description:
      "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
    actions: ["*"],
    notActions: [
      "Microsoft.Authorization/*/Delete",
      "Microsoft.Authorization/*/Write",
      "Microsoft.Authorization/elevateAccess/Action",
    ],
  },
  {
    guid: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    roleName: "Reader",
    description: "View all resources, but does not allow you to make any changes.",
    actions: ["*/read"],
  },
  {
    guid: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    roleName: "User Access Administrator",
    description: "Lets you manage user access to Azure resources.",
    actions: ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
  },
  {
    guid: "f1a07417-d97a-45cb-824c-7a7467783830",
    roleName: "Managed Identity Operator",
    description: "Read and Assign User Assigned Identity",
    actions: [
      "Microsoft.ManagedIdentity/userAssignedIdentities/*/read",
      "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
      "Microsoft.Authorization/*/read",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
    ],
  },
  {
    guid: "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
    roleName: "Managed Identity Contributor",
    description: "Create, Read, Update, and Delete User Assigned Identity",
    actions: [
      "Microsoft.ManagedIdentity/userAssignedIdentities/read",
      "Microsoft.ManagedIdentity/userAssignedIdentities/write",
      "Microsoft.ManagedIdentity/userAssignedIdentities/delete",
      "Microsoft.Authorization/*/read",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
    ],
  },
  {
    guid: "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
    roleName: "Virtual Machine Contributor",
    description:
      "Create and manage virtual machines, manage disks, install and run software, reset password of the root user of the virtual machine using VM extensions, and manage local user accounts using VM extensions. This role does not grant you management access to the virtual network or storage account the virtual machines are connected to. This role does not allow you to assign roles in Azure RBAC.",
    actions: ["Microsoft.Compute/virtualMachines/*", "Microsoft.Compute/virtualMachineScaleSets/*"],
  },
  {
    guid: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    roleName: "Storage Blob Data Reader",
    description: "Allows for read access to Azure Storage blob containers and data",
    actions: [
      "Microsoft.Storage/storageAccounts/blobServices/containers/read",
      "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
    ],
    dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
  },
  {
    guid: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    roleName: "Storage Blob Data Contributor",
    description: "Allows for read, write and delete access to Azure Storage blob containers and data",
    actions: [
      "Microsoft.Storage/storageAccounts/blobServices/containers/delete",
      "Microsoft.Storage/storageAccounts/blobServices/containers/read",
      "Microsoft.Storage/storageAccounts/blobServices/containers/write",
      "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
    ],
    dataActions: [
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
    ],
  },
  {
    guid: "4633458b-17de-408a-b874-0445c86b69e6",
    roleName: "Key Vault Secrets User",
    description:
      "Read secret contents. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    actions: [],
    dataActions: [
      "Microsoft.KeyVault/vaults/secrets/getSecret/action",
      "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
    ],
  },
  {
    guid: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    roleName: "Key Vault Secrets Officer",
    description:
      "Perform any action on the secrets of a key vault, except manage permissions. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    actions: ["Microsoft.Authorization/*/read", "Microsoft.KeyVault/vaults/*/read"],
    dataActions: ["Microsoft.KeyVault/vaults/secrets/*"],
  },
  {
    guid: "21090545-7ca7-4776-b22c-e363652d74d2",
    roleName: "Key Vault Reader",
    description:
      "Read metadata of key vaults and its certificates, keys, and secrets. Cannot read sensitive values such as secret contents or key material. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    actions: ["Microsoft.Authorization/*/read", "Microsoft.KeyVault/vaults/*/read"],
    dataActions: ["Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
  },
  {
    guid: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    roleName: "AcrPull",
    description: "acr pull",
    actions: ["Microsoft.ContainerRegistry/registries/pull/read"],
  },
];

const BY_GUID = new Map(BUILT_IN_ROLES.map((role) => [role.guid, role]));

/** The built-in role with this GUID (any casing). */
export function builtInRole(guid: string): BuiltInRole | undefined {
  return BY_GUID.get(guid.toLowerCase());
}

const ROLE_DEFINITION_ID =
  /^(?:\/subscriptions\/([0-9a-f-]{36}))?\/providers\/microsoft\.authorization\/roledefinitions\/([0-9a-f-]{36})$/i;

/**
 * The role a `roleDefinitionId` names: `/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}`
 * or the tenant form `/providers/Microsoft.Authorization/roleDefinitions/{guid}`; undefined when it is neither or the
 * GUID is not a built-in role.
 */
export function roleOfDefinitionId(value: string): BuiltInRole | undefined {
  const match = ROLE_DEFINITION_ID.exec(value.trim());
  return match === null ? undefined : builtInRole(match[2]);
}

/** The ID of a role definition as ARM returns it under a subscription (the form `az role` compares with). */
export function roleDefinitionId(subscriptionId: string | undefined, guid: string): string {
  const prefix = subscriptionId === undefined ? "" : `/subscriptions/${subscriptionId}`;
  return `${prefix}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}

/** `{scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}`: GET only (the built-in roles cannot change). */
export function handleRoleDefinition(call: ArmCall, subscriptionId: string | undefined, guid: string): Reply {
  if (call.method !== "GET") throw methodNotAllowed(call.method, ["GET"]);
  const role = builtInRole(guid);
  if (role === undefined) throw roleDefinitionNotFound(guid);
  return { status: 200, body: renderRoleDefinition(role, subscriptionId, call.apiVersion ?? "") };
}

/**
 * `{scope}/providers/Microsoft.Authorization/roleDefinitions`: every built-in role (they apply at every scope), or those
 * `$filter=roleName eq '…'` (exact name, case-insensitive as ARM matches it) or `$filter=type eq 'BuiltInRole'` names.
 */
export function listRoleDefinitions(call: ArmCall, subscriptionId: string | undefined): Reply {
  if (call.method !== "GET") throw methodNotAllowed(call.method, ["GET"]);
  const filter = call.query.get("$filter") ?? undefined;
  let roles = [...BUILT_IN_ROLES];
  if (filter !== undefined && filter.trim() !== "") {
    const roleName = odataEquals(filter, "roleName");
    const type = odataEquals(filter, "type");
    if (roleName !== undefined) roles = roles.filter((role) => role.roleName.toLowerCase() === roleName.toLowerCase());
    else if (type !== undefined) roles = type.toLowerCase() === "builtinrole" ? roles : [];
    else throw roleFilterNotSupported(filter);
  }
  return {
    status: 200,
    body: { value: roles.map((role) => renderRoleDefinition(role, subscriptionId, call.apiVersion ?? "")) },
  };
}

const BUILT_IN_DATE = "2015-02-02T21:55:09.8806423Z";

function renderRoleDefinition(
  role: BuiltInRole,
  subscriptionId: string | undefined,
  apiVersion: string,
): Record<string, unknown> {
  const permission: Record<string, unknown> = { actions: role.actions, notActions: role.notActions ?? [] };
  // dataActions arrived with 2018-01-01-preview (its RoleDefinitionsCalls spec); older versions do not carry them.
  if (apiVersion >= "2018-01-01-preview") {
    permission.dataActions = role.dataActions ?? [];
    permission.notDataActions = [];
  }
  return {
    properties: {
      roleName: role.roleName,
      type: "BuiltInRole",
      description: role.description,
      assignableScopes: ["/"],
      permissions: [permission],
      createdOn: BUILT_IN_DATE,
      updatedOn: BUILT_IN_DATE,
      createdBy: null,
      updatedBy: null,
    },
    id: roleDefinitionId(subscriptionId, role.guid),
    type: "Microsoft.Authorization/roleDefinitions",
    name: role.guid,
  };
}
