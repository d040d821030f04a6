// How-to: "Assign a user-assigned managed identity to an existing Azure virtual machine scale set" and "Remove a
// user-assigned managed identity from a virtual machine scale set", in both api-version formats.
// The resource owns the identities it lists: adding one to the list PATCHes it in as {} (2018-06-01+) or rewrites
// identityIds with every identity kept (2017-12-01); dropping one PATCHes it out as null; identities it does not list
// are left alone unless mode is "exclusive".
// Config: scaleSetId, identities (JSON list of identity ARM IDs), apiVersion, mode, environment (all optional).
import * as pulumi from "@pulumi/pulumi";
import { VmssManagedIdentity } from "pulumi-vmss-identity";

const config = new pulumi.Config();
const identity = new VmssManagedIdentity("user-identities", {
  scaleSetId: config.require("scaleSetId"),
  userAssignedIdentities: config.requireObject<string[]>("identities"),
  apiVersion: config.get("apiVersion"),
  mode: config.get("mode") as "additive" | "exclusive" | undefined,
  environment: config.get("environment") as "public" | undefined,
});

export const identityType = identity.identityType;
export const userIdentities = identity.userIdentities;
export const otherUserAssignedIdentities = identity.otherUserAssignedIdentities;
