// A VM scale set on real Azure, created with its identities in one PUT by ScaleSetWithIdentity, composed with
// @pulumi/azure-native resources:
//   1. a resource group, a virtual network and a subnet, and a user-assigned identity (azure-native);
//   2. the scale set (ScaleSetWithIdentity): Ubuntu 24.04, two Standard_B1s instances on the subnet, with its
//      system-assigned identity and the user-assigned one from step 1, in the creation PUT;
//   3. a role assignment that gives the scale set's system-assigned principal the Reader role on the resource group.
// Later changes of `systemAssigned` / `userAssignedIdentities` go through the component's VmssManagedIdentity as
// delta PATCHes; identities assigned by anything else (Azure Policy, another stack) are kept.
//
// Config: `adminPassword` (secret, required; Azure's Linux rule: 6-72 characters, 3 of lower/upper/digit/special),
// `location` (default eastus), `capacity` (default 2). Credentials: whatever DefaultAzureCredential finds
// (`az login`, AZURE_CLIENT_ID/AZURE_CLIENT_SECRET/AZURE_TENANT_ID, a managed identity). See README.md.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import { ScaleSetWithIdentity } from "pulumi-vmss-identity";

const config = new pulumi.Config();
const location = config.get("location") ?? "eastus";
const capacity = config.getNumber("capacity") ?? 2;
const adminPassword = config.requireSecret("adminPassword");
const client = authorization.getClientConfigOutput();

const group = new resources.ResourceGroup("vmss-identity", { location });

const vnet = new network.VirtualNetwork("vnet", {
  resourceGroupName: group.name,
  location,
  addressSpace: { addressPrefixes: ["10.10.0.0/16"] },
});

const subnet = new network.Subnet("instances", {
  resourceGroupName: group.name,
  virtualNetworkName: vnet.name,
  addressPrefix: "10.10.1.0/24",
});

// Its `id` comes back with a lower-case `resourcegroups` (pulumi/pulumi-azure-native#2152): the component compares
// identity IDs case-insensitively, so that is never a diff.
const appIdentity = new managedidentity.UserAssignedIdentity("app", { resourceGroupName: group.name, location });

const web = new ScaleSetWithIdentity("web", {
  subscriptionId: client.subscriptionId,
  resourceGroupName: group.name,
  location,
  sku: { name: "Standard_B1s", tier: "Standard", capacity },
  upgradePolicy: { mode: "Manual" },
  overprovision: false,
  virtualMachineProfile: {
    storageProfile: {
      imageReference: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
      osDisk: { createOption: "FromImage", caching: "ReadWrite", managedDisk: { storageAccountType: "Standard_LRS" } },
    },
    osProfile: {
      computerNamePrefix: "web",
      adminUsername: "azureuser",
      // A Pulumi secret: it travels in the scale set's secretProperties, encrypted in state.
      adminPassword,
      linuxConfiguration: { disablePasswordAuthentication: false },
    },
    // ARM's JSON shape (`properties` wrappers), not azure-native's flattened one.
    networkProfile: {
      networkInterfaceConfigurations: [
        {
          name: "web-nic",
          properties: {
            primary: true,
            ipConfigurations: [{ name: "web-ip", properties: { primary: true, subnet: { id: subnet.id } } }],
          },
        },
      ],
    },
  },
  tags: { example: "pulumi-vmss-identity" },
  systemAssigned: true,
  userAssignedIdentities: [appIdentity.id],
});

// Built-in role "Reader" (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

const systemPrincipal = web.principalId.apply((id) => {
  if (id === undefined) throw new Error("the scale set has no system-assigned identity");
  return id;
});

new authorization.RoleAssignment("web-reads-group", {
  scope: group.id,
  principalId: systemPrincipal,
  // The principal is new: telling ARM its type avoids a replication race (PrincipalNotFound).
  principalType: authorization.PrincipalType.ServicePrincipal,
  roleDefinitionId: pulumi.interpolate`/subscriptions/${client.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
});

/** ARM ID of the scale set. */
export const scaleSetId = web.scaleSetId;
/** Principal ID of the scale set's system-assigned identity. */
export const principalId = systemPrincipal;
/** Principal and client IDs of the user-assigned identities on the scale set. */
export const userIdentities = web.userIdentities;
