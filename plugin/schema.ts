/**
 * The Pulumi package schema of the `vmss-identity` provider plugin: what `GetSchema` returns, what
 * `pulumi package get-schema` prints and what the SDKs in sdk/ are generated from (scripts/gen-sdk.sh). Every
 * property is described, in the words of the dynamic resource's own documentation (provider/vmssManagedIdentity.ts).
 */
import { CREDENTIAL_SETTINGS, CREDENTIAL_SETTING_NAMES } from "../provider/grammar/settings";

import type { ScaleSetWithIdentityOutput } from "../components/scaleSetWithIdentity";

/** The package name: type tokens are `vmss-identity:index:<Type>`, config keys `vmss-identity:<key>`. */
export const PACKAGE = "vmss-identity";

/**
 * Where the engine downloads the plugin when an SDK asks for it and it is not installed: the GitHub releases of the
 * repository (package.json `repository`), whose assets are the archives scripts/pack-plugin.js makes
 * (`pulumi-resource-vmss-identity-v<version>-<os>-<arch>.tar.gz`; docs/plugin.md "Releasing").
 */
export const PLUGIN_DOWNLOAD_URL = "github://api.github.com/pulumi-vmss-identity/pulumi-vmss-identity";

/** Type token of the identity resource. */
export const VMSS_MANAGED_IDENTITY = `${PACKAGE}:index:VmssManagedIdentity`;
/** Type token of the scale set resource (the component's child that creates the scale set). */
export const SCALE_SET = `${PACKAGE}:index:ScaleSet`;
/** Type token of the component, served through `Construct`. */
export const SCALE_SET_WITH_IDENTITY = `${PACKAGE}:index:ScaleSetWithIdentity`;

const SCALE_SET_ID =
  "ARM ID of the scale set, e.g. `/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Compute/" +
  "virtualMachineScaleSets/<name>`. Any casing of the fixed segments is accepted (`resourcegroups` too). " +
  "Changing it replaces the resource.";
const ENVIRONMENT =
  "Azure cloud: `public`, `usgovernment` or `china` (any casing). Default: the provider's `environment`, else " +
  "`AZURE_ENVIRONMENT` / `ARM_ENVIRONMENT`, else `public`. Set it or `endpoint`, not both.";
const ENDPOINT =
  "An explicit Azure Resource Manager endpoint (the local emulator, an Azure Stack hub): https, or http on " +
  "loopback; no credentials, query or fragment. Default: the provider's `endpoint`, else " +
  "`VMSS_IDENTITY_ARM_ENDPOINT`, else the endpoint of `environment`.";

/** Input properties of `VmssManagedIdentity` (the arguments of the dynamic resource, one for one). */
const INPUTS: Record<string, object> = {
  scaleSetId: { type: "string", description: SCALE_SET_ID },
  systemAssigned: {
    type: "boolean",
    description:
      "`true` ensures the system-assigned identity is on, `false` ensures it is off; absent leaves it alone " +
      "(in `exclusive` mode absent means off). The system identity is turned off on delete only if this resource " +
      "turned it on.",
  },
  userAssignedIdentities: {
    type: "array",
    items: { type: "string" },
    description:
      "ARM IDs of the user-assigned identities this resource owns: added on create, removed on delete. Order and " +
      "casing do not matter; listing one identity twice is an error.",
  },
  mode: {
    type: "string",
    description:
      '`"additive"` (default) never touches identities this resource does not list. `"exclusive"` makes the ' +
      "scale set's identity exactly what is declared: user-assigned identities someone else assigned are removed, " +
      "and an absent `systemAssigned` means off.",
  },
  apiVersion: {
    type: "string",
    description:
      "Compute api-version of the requests (`YYYY-MM-DD`, optionally `-preview`, 2017-12-01 or later). Default " +
      "`2024-11-01`; `2017-12-01` and `2018-04-01` use the `identityIds` format. Changing it alone is no change.",
  },
  environment: { type: "string", description: ENVIRONMENT },
  endpoint: { type: "string", description: ENDPOINT },
  adoption: {
    type: "string",
    description:
      'What to say when creation finds declared identities already assigned: `"warn"` (default) warns that this ' +
      'resource now owns them (deleting it removes them); `"silent"` says nothing.',
  },
  roleAssignments: {
    type: "array",
    items: { $ref: "#/types/vmss-identity:index:RoleAssignment" },
    description:
      "Role assignments for the identities this resource manages, owned with them: made once the identity is in " +
      "place (`principalType: ServicePrincipal`, a deterministic name, `PrincipalNotFound` retried), removed " +
      "before the PATCH that turns the system identity off or removes a user identity, and on delete.",
  },
};

/** Output properties: the inputs as they really stand on the scale set, plus what role assignments need. */
const OUTPUTS: Record<string, object> = {
  ...INPUTS,
  scaleSetId: { type: "string", description: "Canonical ARM ID of the scale set." },
  systemAssigned: {
    type: "boolean",
    description: "The declared system-assigned setting, as it stands on the scale set (absent when not managed).",
  },
  userAssignedIdentities: {
    type: "array",
    items: { type: "string" },
    description: "Canonical IDs of the owned user-assigned identities present on the scale set.",
  },
  mode: { type: "string", description: "The mode in force: `additive` or `exclusive`." },
  identityType: {
    type: "string",
    description:
      "The scale set's effective identity type: `None`, `SystemAssigned`, `UserAssigned` or " +
      "`SystemAssigned, UserAssigned`.",
  },
  principalId: {
    type: "string",
    description: "Principal (object) ID of the system-assigned identity, when it is on: hand it to role assignments.",
  },
  tenantId: { type: "string", description: "Tenant ID of the system-assigned identity, when it is on." },
  userIdentities: {
    type: "array",
    items: { $ref: "#/types/vmss-identity:index:OwnedUserIdentity" },
    description: "Per owned user-assigned identity: its ID, principal ID and client ID.",
  },
  otherUserAssignedIdentities: {
    type: "array",
    items: { type: "string" },
    description:
      "User-assigned identities on the scale set that this resource does not own (canonical IDs, sorted). In " +
      "`exclusive` mode the next update removes them.",
  },
  systemAssignedOwned: {
    type: "boolean",
    description:
      "Whether this resource turned the system-assigned identity on. Only then does deleting it turn it off: a " +
      "system identity that was already on is kept, with its principal and role assignments.",
  },
  roleAssignmentsInPlace: {
    type: "array",
    items: { $ref: "#/types/vmss-identity:index:RoleAssignmentInPlace" },
    description:
      "The role assignments in place for this resource's identities, each with its ARM ID and whether this resource " +
      "created it (deleted with it) or adopted it (released, left in place).",
  },
};

const ANY = "pulumi.json#/Any";
const SKU = { $ref: `#/types/${PACKAGE}:index:Sku` };

/** What the component and its scale set child are given: the scale set's address and ARM body. */
const SCALE_SET_BODY: Record<string, object> = {
  subscriptionId: {
    type: "string",
    description:
      "Subscription GUID. Default: `AZURE_SUBSCRIPTION_ID`, else `ARM_SUBSCRIPTION_ID`, of the environment the " +
      "deployment runs in. Changing it replaces the scale set.",
  },
  resourceGroupName: {
    type: "string",
    description: "Resource group (must exist). Changing it replaces the scale set.",
  },
  location: { type: "string", description: "Azure region. Changing it replaces the scale set." },
  sku: { ...SKU, description: "VM size, tier and capacity (number of virtual machines). Updated in place." },
  upgradePolicy: { $ref: ANY, description: "`properties.upgradePolicy`, ARM shape. Updated in place." },
  overprovision: { type: "boolean", description: "`properties.overprovision`. Updated in place." },
  virtualMachineProfile: {
    $ref: ANY,
    description:
      "`properties.virtualMachineProfile`, ARM shape. `osProfile.adminPassword`, `osProfile.customData` and " +
      "extensions' `protectedSettings` are taken out of it and kept as a secret.",
  },
  tags: {
    type: "object",
    additionalProperties: { type: "string" },
    description: "Tags, replaced as a whole on update.",
  },
  zones: {
    type: "array",
    items: { type: "string" },
    description: "Availability zones. Changing them replaces the scale set.",
  },
  extraProperties: { $ref: ANY, description: "Other ARM `properties` of the scale set, sent as given." },
  systemAssigned: {
    type: "boolean",
    description: "Whether the scale set has the system-assigned identity; created with it, managed afterwards.",
  },
  userAssignedIdentities: {
    type: "array",
    items: { type: "string" },
    description: "ARM IDs of user-assigned identities the scale set has; created with them, managed afterwards.",
  },
  apiVersion: { type: "string", description: "Compute api-version of the requests. Default `2024-11-01`." },
  environment: { type: "string", description: ENVIRONMENT },
  endpoint: { type: "string", description: ENDPOINT },
};

const SCALE_SET_INPUTS: Record<string, object> = {
  ...SCALE_SET_BODY,
  scaleSetName: { type: "string", description: "Name of the scale set. Changing it replaces the scale set." },
  secretProperties: {
    $ref: ANY,
    secret: true,
    description:
      "`adminPassword`, `customData` and extensions' `protectedSettings` (by extension name), merged into request " +
      "bodies only in the provider. Always a secret.",
  },
};

const SCALE_SET_OUTPUTS: Record<string, object> = {
  ...SCALE_SET_INPUTS,
  sku: { ...SKU, description: "The declared sku; after a refresh, as ARM reports it (drift shows)." },
  tags: {
    type: "object",
    additionalProperties: { type: "string" },
    description: "The declared tags; after a refresh, as ARM reports them.",
  },
  provisioningState: {
    type: "string",
    description: "`properties.provisioningState` after the last operation, e.g. `Succeeded`.",
  },
  uniqueId: { type: "string", description: "`properties.uniqueId`: ARM's GUID for this scale set." },
};

const COMPONENT_INPUTS: Record<string, object> = {
  ...SCALE_SET_BODY,
  roleAssignments: {
    type: "array",
    items: { $ref: `#/types/${PACKAGE}:index:RoleAssignment` },
    description:
      "Role assignments for the scale set's identities, owned by the child VmssManagedIdentity (see its " +
      "`roleAssignments`); with them that child is deleted before the scale set, assignments first.",
  },
  scaleSetName: { type: "string", description: "Name of the scale set. Default: the component's name." },
};

/** Exactly the outputs of the one component class (components/scaleSetWithIdentity.ts): the compiler holds them equal. */
const COMPONENT_OUTPUTS: Record<ScaleSetWithIdentityOutput, object> = {
  scaleSetId: { type: "string", description: "ARM ID of the scale set (canonical spelling)." },
  scaleSetName: { type: "string", description: "Name of the scale set." },
  principalId: {
    type: "string",
    description: "Principal (object) ID of the system-assigned identity, when it is on: hand it to role assignments.",
  },
  tenantId: { type: "string", description: "Tenant of the system-assigned identity, when it is on." },
  userIdentities: {
    type: "array",
    items: { $ref: `#/types/${PACKAGE}:index:OwnedUserIdentity` },
    description: "Per declared user-assigned identity: its ID, principal ID and client ID.",
  },
  provisioningState: {
    type: "string",
    description: "`properties.provisioningState` after the last operation on the scale set, e.g. `Succeeded`.",
  },
  uniqueId: { type: "string", description: "`properties.uniqueId`: ARM's GUID for this scale set." },
};

/**
 * The provider's configuration: where resources go, and the credential settings named as azure-native names them
 * (provider/grammar/settings.ts owns their parsing; secret ones are marked secret, so the SDKs and the engine keep
 * them encrypted in configuration and state).
 */
const CONFIG: Record<string, object> = {
  environment: { type: "string", description: ENVIRONMENT.replace("the provider's `environment`, else ", "") },
  endpoint: { type: "string", description: ENDPOINT.replace("the provider's `endpoint`, else ", "") },
  ...Object.fromEntries(
    CREDENTIAL_SETTING_NAMES.map((name) => {
      const spec = CREDENTIAL_SETTINGS[name];
      const variables = spec.env.map((v) => `\`${v}\``).join(", ");
      return [
        name,
        {
          type: spec.kind === "boolean" ? "boolean" : "string",
          description:
            `${spec.description} Default: ${variables}, unless another credential setting is configured ` +
            "(configured credentials are complete on their own).",
          ...(spec.secret ? { secret: true } : {}),
        },
      ];
    }),
  ),
};

/**
 * The schema as an object.
 * @param version the plugin's version (package.json), which the SDKs pin.
 */
export function schemaOf(version: string): Record<string, unknown> {
  return {
    name: PACKAGE,
    displayName: "VMSS Managed Identity",
    version,
    description:
      "Manage the managed identities of Azure virtual machine scale sets safely: additive by default, " +
      "casing-proof, one delta PATCH per change.",
    keywords: ["pulumi", "azure", "vmss", "managed-identity", "category/cloud", "kind/native"],
    homepage: "https://www.npmjs.com/package/pulumi-vmss-identity",
    license: "Apache-2.0",
    publisher: "pulumi-vmss-identity",
    repository: "https://github.com/pulumi-vmss-identity/pulumi-vmss-identity",
    pluginDownloadURL: PLUGIN_DOWNLOAD_URL,
    config: { variables: CONFIG },
    provider: {
      description:
        "The vmss-identity provider. Credentials come from its configuration (`clientId`, `tenantId`, " +
        "`clientSecret`, `clientCertificatePath`, `useOidc`, `oidcToken`, `oidcTokenFilePath`, `oidcRequestToken`/" +
        "`oidcRequestUrl`, `useMsi`, as azure-native names them; secret ones stay secrets in state), else from the " +
        "environment (`ARM_*`, then `AZURE_*`), else `DefaultAzureCredential`. Two explicit providers may sign in " +
        "as two principals in one stack.",
      inputProperties: CONFIG,
      properties: CONFIG,
    },
    types: {
      [`${PACKAGE}:index:OwnedUserIdentity`]: {
        type: "object",
        description: "One user-assigned identity owned by a VmssManagedIdentity.",
        properties: {
          id: { type: "string", description: "Canonical ARM ID of the identity." },
          principalId: {
            type: "string",
            description: "Principal (object) ID of the identity: what role assignments need.",
          },
          clientId: { type: "string", description: "Client (application) ID of the identity." },
        },
        required: ["id"],
      },
      [`${PACKAGE}:index:RoleAssignment`]: {
        type: "object",
        description: "One role assignment declared on a VmssManagedIdentity.",
        properties: {
          identity: {
            type: "string",
            description: '`"system"` (needs `systemAssigned: true`) or the ARM ID of one of `userAssignedIdentities`.',
          },
          role: {
            type: "string",
            description:
              "A built-in role name (`Reader`, `Storage Blob Data Reader`, …; any casing), a role definition GUID or " +
              "a role definition ID.",
          },
          scope: {
            type: "string",
            description: "ARM ID of the scope: a subscription, a resource group or a resource.",
          },
        },
        required: ["identity", "role", "scope"],
      },
      [`${PACKAGE}:index:RoleAssignmentInPlace`]: {
        type: "object",
        description: "A role assignment in place, owned by a VmssManagedIdentity.",
        properties: {
          identity: { type: "string", description: '`"system"` or the user-assigned identity\'s canonical ID.' },
          role: { type: "string", description: "The role definition's GUID." },
          roleName: { type: "string", description: "The built-in role's name, for a built-in role." },
          scope: { type: "string", description: "Canonical ARM ID of the scope." },
          principalId: { type: "string", description: "The principal (object) ID it grants the role to." },
          id: { type: "string", description: "The role assignment's ARM ID." },
          origin: {
            type: "string",
            description:
              '`"created"`: this resource made it and deletes it when the entry or the resource goes; `"adopted"`: ' +
              "it existed already (made by hand, by another stack or resource), so it is released, not deleted.",
          },
        },
        required: ["identity", "role", "scope", "principalId", "id"],
      },
      [`${PACKAGE}:index:Sku`]: {
        type: "object",
        description: "The scale set's `sku`.",
        properties: {
          name: { type: "string", description: "VM size, e.g. `Standard_D2s_v3`." },
          tier: { type: "string", description: "`Standard` or `Basic`." },
          capacity: { type: "integer", description: "Number of virtual machines." },
        },
      },
    },
    resources: {
      [VMSS_MANAGED_IDENTITY]: {
        description:
          "The managed identities of an Azure VM scale set, or the part of them that this resource owns. Every " +
          "change is a GET of the scale set and an ARM PATCH that carries only the delta, so identities another " +
          "tool or stack assigned are never wiped in the default `additive` mode. Preview makes no ARM call.\n\n" +
          "## Import\n\nThe import ID is the scale set's ARM ID followed by `#managedIdentity` (the resource's own " +
          "ID); the bare scale set ID is accepted too. Importing adopts what is on the scale set: every " +
          "user-assigned identity, and the system identity when it is on (it stays on when the resource is " +
          "deleted).\n\n```sh\npulumi import vmss-identity:index:VmssManagedIdentity ids " +
          "'/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachineScaleSets/<name>" +
          "#managedIdentity'\n```\n",
        inputProperties: INPUTS,
        requiredInputs: ["scaleSetId"],
        properties: OUTPUTS,
        required: [
          "scaleSetId",
          "userAssignedIdentities",
          "mode",
          "identityType",
          "userIdentities",
          "otherUserAssignedIdentities",
          "systemAssignedOwned",
          "roleAssignmentsInPlace",
        ],
      },
      [SCALE_SET_WITH_IDENTITY]: {
        isComponent: true,
        description:
          "An Azure VM scale set created with its managed identities in one ARM PUT, whose identities are managed " +
          "afterwards by a child VmssManagedIdentity: later identity changes are delta PATCHes that never wipe " +
          "identities something else assigned. Children: `<name>-scaleset` (ScaleSet) and `<name>-identity` " +
          "(VmssManagedIdentity, deleted with the scale set).",
        inputProperties: COMPONENT_INPUTS,
        requiredInputs: ["resourceGroupName", "location", "sku"],
        properties: COMPONENT_OUTPUTS,
        required: ["scaleSetId", "scaleSetName", "userIdentities"],
      },
      [SCALE_SET]: {
        description:
          "An Azure VM scale set created with one ARM PUT that carries the full body, updated with PATCHes that " +
          "never carry `identity`, deleted with DELETE: the building block of ScaleSetWithIdentity, which is what " +
          "most programs want (this resource alone never changes the identity after creation). It never takes " +
          "over an existing scale set and cannot be imported.",
        inputProperties: SCALE_SET_INPUTS,
        requiredInputs: ["resourceGroupName", "scaleSetName", "location", "sku"],
        properties: SCALE_SET_OUTPUTS,
        required: ["subscriptionId", "resourceGroupName", "scaleSetName", "location", "sku"],
      },
    },
    language: {
      nodejs: {
        packageName: "pulumi-vmss-identity-sdk",
        packageDescription: "Pulumi SDK of the vmss-identity provider plugin (generated).",
        respectSchemaVersion: true,
      },
      python: {
        packageName: "pulumi_vmss_identity",
        respectSchemaVersion: true,
      },
      go: {
        importBasePath: "github.com/pulumi-vmss-identity/pulumi-vmss-identity/sdk/go/vmssidentity",
        generateResourceContainerTypes: true,
        respectSchemaVersion: true,
      },
      csharp: { rootNamespace: "PulumiVmssIdentity", packageReferences: { Pulumi: "3.*" }, respectSchemaVersion: true },
    },
  };
}
