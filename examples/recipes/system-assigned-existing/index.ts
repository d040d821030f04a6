// How-to: "Enable system-assigned managed identity on an existing virtual machine scale set" and "Disable
// system-assigned managed identity from a virtual machine scale set".
// The resource GETs the scale set first and keeps any user-assigned identity on it (the how-to's IMPORTANT note):
// enabling sends "SystemAssigned" or "SystemAssigned, UserAssigned"; disabling sends "None" or "UserAssigned".
// Config: scaleSetId, systemAssigned (true to enable, false to disable), apiVersion (optional).
import * as pulumi from "@pulumi/pulumi";
import { VmssManagedIdentity } from "pulumi-vmss-identity";

const config = new pulumi.Config();
const identity = new VmssManagedIdentity("system-identity", {
  scaleSetId: config.require("scaleSetId"),
  systemAssigned: config.requireBoolean("systemAssigned"),
  apiVersion: config.get("apiVersion"),
});

export const identityType = identity.identityType;
export const principalId = identity.principalId;
