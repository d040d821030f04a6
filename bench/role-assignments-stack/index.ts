// The stack of `npm run bench:role-assignments -- --engine` (bench/role-assignments.ts): everything new on its first
// `up`, so that both principals are seconds old when their role assignments are made: a resource group and a
// user-assigned identity (ArmResource), the how-to's scale set with its system identity and the user identity
// (ScaleSetWithIdentity), and two role assignments, one per identity (the system one: Reader on the resource group;
// the user one: Storage Blob Data Reader on a storage account of the group).
// Config: subscriptionId, resourceGroupName (one per stack), adminPassword (secret).
import * as pulumi from "@pulumi/pulumi";
import { ArmResource, ScaleSetWithIdentity } from "pulumi-vmss-identity";
import { howToScaleSet } from "../../examples/recipes/howToScaleSet";

const config = new pulumi.Config();
const subscriptionId = config.require("subscriptionId");
const resourceGroupName = config.require("resourceGroupName");

const group = new ArmResource("group", {
  resourceId: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}`,
  apiVersion: "2021-04-01",
  body: { location: "eastus" },
});
const reader = new ArmResource("reader", {
  resourceId: pulumi.interpolate`${group.resourceId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/reader`,
  apiVersion: "2023-01-31",
  body: { location: "eastus" },
});
const scaleSet = new ScaleSetWithIdentity(
  "vmss",
  {
    ...howToScaleSet(subscriptionId, resourceGroupName, config.requireSecret("adminPassword")),
    systemAssigned: true,
    userAssignedIdentities: [reader.resourceId],
    roleAssignments: [
      { identity: "system", role: "Reader", scope: group.resourceId },
      {
        identity: reader.resourceId,
        role: "Storage Blob Data Reader",
        scope: pulumi.interpolate`${group.resourceId}/providers/Microsoft.Storage/storageAccounts/benchdata`,
      },
    ],
  },
  { dependsOn: [group] },
);

export const scaleSetId = scaleSet.scaleSetId;
/** Each role assignment's ARM ID. */
export const roleAssignmentIds = scaleSet.identity.roleAssignmentsInPlace.apply((all) => all.map((a) => a.id));
