// The how-to's next step, "grant the identity access to resources": the scale set's system-assigned identity reads
// the blobs of a storage account, its user-assigned identity reads the secrets of a Key Vault. The assignments are
// owned with the identities: made as soon as the identities exist, with principalType ServicePrincipal so that ARM
// takes them while Entra ID still replicates the new principal (no PrincipalNotFound); removed before the PATCH that
// turns the system identity off (systemAssigned=false) and on destroy, so that none is left as "Identity not found".
// Config: resourceGroupName (default myResourceGroup), adminPassword (secret), userIdentityId, storageAccountId,
// keyVaultId, systemAssigned (default true).
import * as pulumi from "@pulumi/pulumi";
import { ScaleSetWithIdentity } from "pulumi-vmss-identity";
import { howToScaleSet, subscriptionOf } from "../howToScaleSet";

const config = new pulumi.Config();
const systemAssigned = config.getBoolean("systemAssigned") ?? true;
const userIdentityId = config.require("userIdentityId");
const scaleSet = new ScaleSetWithIdentity("myVMSS", {
  ...howToScaleSet(
    subscriptionOf(config),
    config.get("resourceGroupName") ?? "myResourceGroup",
    config.requireSecret("adminPassword"),
  ),
  systemAssigned,
  userAssignedIdentities: [userIdentityId],
  roleAssignments: [
    ...(systemAssigned
      ? [{ identity: "system", role: "Storage Blob Data Reader", scope: config.require("storageAccountId") }]
      : []),
    { identity: userIdentityId, role: "Key Vault Secrets User", scope: config.require("keyVaultId") },
  ],
});

export const scaleSetId = scaleSet.scaleSetId;
export const principalId = scaleSet.identity.principalId;
/** Each role assignment's ARM ID. */
export const roleAssignmentIds = scaleSet.identity.roleAssignmentsInPlace.apply((all) => all.map((a) => a.id));
