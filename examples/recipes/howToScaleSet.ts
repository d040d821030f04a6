// The scale set of Azure's how-to ("Configure managed identities … on a virtual machine scale set using REST API
// calls"): Standard_D1_v2 × 3, Windows Server 2016, manual upgrades, one NIC on myVnet/mySubnet. The creation recipes
// share it so that each of them shows only its identity.
import * as pulumi from "@pulumi/pulumi";
import type { ScaleSetWithIdentityArgs } from "pulumi-vmss-identity";

/** The how-to's scale set body (everything but the identity) for a subscription and resource group. */
export function howToScaleSet(
  subscriptionId: string,
  resourceGroupName: string,
  adminPassword: pulumi.Input<string>,
): ScaleSetWithIdentityArgs {
  const subnetId = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Network/virtualNetworks/myVnet/subnets/mySubnet`;
  return {
    subscriptionId,
    resourceGroupName,
    scaleSetName: "myVMSS",
    location: "eastus",
    sku: { tier: "Standard", capacity: 3, name: "Standard_D1_v2" },
    overprovision: true,
    upgradePolicy: { mode: "Manual" },
    virtualMachineProfile: {
      storageProfile: {
        imageReference: {
          sku: "2016-Datacenter",
          publisher: "MicrosoftWindowsServer",
          version: "latest",
          offer: "WindowsServer",
        },
        osDisk: {
          caching: "ReadWrite",
          managedDisk: { storageAccountType: "StandardSSD_LRS" },
          createOption: "FromImage",
        },
      },
      osProfile: { computerNamePrefix: "myVMSS", adminUsername: "azureuser", adminPassword },
      networkProfile: {
        networkInterfaceConfigurations: [
          {
            name: "myVMSS",
            properties: {
              primary: true,
              enableIPForwarding: true,
              ipConfigurations: [{ name: "myVMSS", properties: { subnet: { id: subnetId } } }],
            },
          },
        ],
      },
    },
  };
}

/** Subscription of the recipes: config `subscriptionId`, else AZURE_SUBSCRIPTION_ID / ARM_SUBSCRIPTION_ID. */
export function subscriptionOf(config: pulumi.Config): string {
  const id = config.get("subscriptionId") ?? process.env.AZURE_SUBSCRIPTION_ID ?? process.env.ARM_SUBSCRIPTION_ID;
  if (!id) throw new Error("set the config value subscriptionId or AZURE_SUBSCRIPTION_ID");
  return id;
}
