// Quickstart: a scale set with its system-assigned identity, plus two user-assigned identities added by a
// VmssManagedIdentity, all in the local ARM emulator (`npm run demo` starts it and sets the environment below).
//
// 1. A resource group and two user-assigned identities (ArmResource: one PUT each, as the how-to's prerequisites).
// 2. ScaleSetWithIdentity: one PUT of the full scale set body with `"identity": {"type": "SystemAssigned"}`.
// 3. VmssManagedIdentity: GET the scale set, then one PATCH that adds both user identities as `{}` and keeps the
//    system identity (`"type": "SystemAssigned, UserAssigned"`).
// Config: `adminPassword` (secret, required), `location` (default eastus), `capacity` (default 3),
// `assignSecondIdentity` (default true: set it to false to see a removal in `pulumi preview --diff`). The subscription comes from AZURE_SUBSCRIPTION_ID.
import * as pulumi from "@pulumi/pulumi";
import { ArmResource, ScaleSetWithIdentity, VmssManagedIdentity } from "pulumi-vmss-identity";

const config = new pulumi.Config();
const location = config.get("location") ?? "eastus";
const subscriptionId =
  config.get("subscriptionId") ?? process.env.AZURE_SUBSCRIPTION_ID ?? process.env.ARM_SUBSCRIPTION_ID;
if (!subscriptionId) throw new Error("set AZURE_SUBSCRIPTION_ID (or the config value subscriptionId)");

const group = new ArmResource("group", {
  resourceId: `/subscriptions/${subscriptionId}/resourceGroups/quickstart-rg`,
  apiVersion: "2021-04-01",
  body: { location },
});

const identityNames =
  config.getBoolean("assignSecondIdentity") === false ? ["app-identity"] : ["app-identity", "ops-identity"];
const identities = ["app-identity", "ops-identity"].map(
  (name) =>
    new ArmResource(name, {
      resourceId: pulumi.interpolate`${group.resourceId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`,
      apiVersion: "2023-01-31",
      body: { location },
    }),
);

const scaleSet = new ScaleSetWithIdentity(
  "vmss",
  {
    subscriptionId,
    resourceGroupName: "quickstart-rg",
    scaleSetName: "myVMSS",
    location,
    sku: { name: "Standard_D1_v2", tier: "Standard", capacity: config.getNumber("capacity") ?? 3 },
    upgradePolicy: { mode: "Manual" },
    overprovision: true,
    virtualMachineProfile: {
      storageProfile: {
        imageReference: {
          publisher: "MicrosoftWindowsServer",
          offer: "WindowsServer",
          sku: "2016-Datacenter",
          version: "latest",
        },
        osDisk: {
          caching: "ReadWrite",
          createOption: "FromImage",
          managedDisk: { storageAccountType: "StandardSSD_LRS" },
        },
      },
      osProfile: {
        computerNamePrefix: "myVMSS",
        adminUsername: "azureuser",
        adminPassword: config.requireSecret("adminPassword"),
      },
      networkProfile: {
        networkInterfaceConfigurations: [
          {
            name: "myVMSS",
            properties: {
              primary: true,
              enableIPForwarding: true,
              ipConfigurations: [
                {
                  name: "myVMSS",
                  properties: {
                    subnet: {
                      id: `/subscriptions/${subscriptionId}/resourceGroups/quickstart-rg/providers/Microsoft.Network/virtualNetworks/myVnet/subnets/mySubnet`,
                    },
                  },
                },
              ],
            },
          },
        ],
      },
    },
    systemAssigned: true,
  },
  { dependsOn: [group] },
);

// Owns the user-assigned identities it lists and nothing else: an identity someone else assigns later survives.
const teamIdentities = new VmssManagedIdentity("team-identities", {
  scaleSetId: scaleSet.scaleSetId,
  userAssignedIdentities: identities.filter((_, i) => i < identityNames.length).map((identity) => identity.id),
});

/** The system-assigned identity's principal: what a role assignment needs. */
export const systemPrincipalId = scaleSet.principalId;
/** Principal IDs of the user-assigned identities on the scale set. */
export const userPrincipalIds = teamIdentities.userIdentities.apply((list) => list.map((u) => u.principalId));
/** The scale set's identity type after the stack. */
export const identityType = teamIdentities.identityType;
