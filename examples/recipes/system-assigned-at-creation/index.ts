// How-to: "Enable system-assigned managed identity during creation of a virtual machine scale set".
// One PUT of the scale set with "identity": {"type": "SystemAssigned"}; the principal ID is an output, ready for a
// role assignment. Config: resourceGroupName (default myResourceGroup), adminPassword (secret), apiVersion (optional).
import * as pulumi from "@pulumi/pulumi";
import { ScaleSetWithIdentity } from "pulumi-vmss-identity";
import { howToScaleSet, subscriptionOf } from "../howToScaleSet";

const config = new pulumi.Config();
const scaleSet = new ScaleSetWithIdentity("myVMSS", {
  ...howToScaleSet(
    subscriptionOf(config),
    config.get("resourceGroupName") ?? "myResourceGroup",
    config.requireSecret("adminPassword"),
  ),
  apiVersion: config.get("apiVersion"),
  systemAssigned: true,
});

export const scaleSetId = scaleSet.scaleSetId;
export const principalId = scaleSet.principalId;
