// Two teams each own some identities of one scale set, from one stack: both resources land, neither wipes the
// other's identities. The provider serialises their GET → PATCH per scale set, so no update is lost and no PATCH
// meets ARM's 409 Conflict. Config: scaleSetId, appIdentities and opsIdentities (JSON lists of identity ARM IDs).
import * as pulumi from "@pulumi/pulumi";
import { VmssManagedIdentity } from "pulumi-vmss-identity";

const config = new pulumi.Config();
const app = new VmssManagedIdentity("app-team", {
  scaleSetId: config.require("scaleSetId"),
  userAssignedIdentities: config.requireObject<string[]>("appIdentities"),
});
const ops = new VmssManagedIdentity("ops-team", {
  scaleSetId: config.require("scaleSetId"),
  userAssignedIdentities: config.requireObject<string[]>("opsIdentities"),
  systemAssigned: true,
});

export const appIdentities = app.userAssignedIdentities;
export const opsIdentities = ops.userAssignedIdentities;
