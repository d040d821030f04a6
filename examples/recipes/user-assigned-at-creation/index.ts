// How-to: "Assign a user-assigned managed identity during the creation of a virtual machine scale set".
// One PUT with "identity": {"type": "UserAssigned", …}: with api-version 2018-06-01 and later the identity goes in the
// `userAssignedIdentities` dictionary as {}, with 2017-12-01 in the `identityIds` array; the component picks the
// format from `apiVersion`. Config: identityId (the ARM ID of ID1), resourceGroupName, adminPassword (secret),
// apiVersion (e.g. 2018-06-01 or 2017-12-01).
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
  userAssignedIdentities: [config.require("identityId")],
});

export const scaleSetId = scaleSet.scaleSetId;
export const userIdentities = scaleSet.userIdentities;
