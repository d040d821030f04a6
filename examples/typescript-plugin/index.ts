// The quickstart's identity change in TypeScript through the provider plugin `vmss-identity` and its Node.js SDK
// (README "TypeScript through the plugin"); examples/quickstart does the same with the dynamic resource, which needs
// no plugin. The plugin adds a detailed diff (`pulumi preview --diff` names each identity added or removed) and
// `pulumi import`.
//
// Turns on the scale set's system-assigned identity and adds the user-assigned identities listed in `identityIds`,
// in one ARM PATCH that keeps every identity someone else assigned. Drop an ID from the list and `pulumi up` removes
// exactly that one; `pulumi destroy` removes what this stack added and nothing else.
//
// Config: `scaleSetId` (the scale set's ARM ID) and `identityIds` (a list of user-assigned identity ARM IDs).
import * as pulumi from "@pulumi/pulumi";
import * as vmssIdentity from "pulumi-vmss-identity-sdk";

const config = new pulumi.Config();

const teamIdentities = new vmssIdentity.VmssManagedIdentity("team-identities", {
  scaleSetId: config.require("scaleSetId"),
  systemAssigned: true,
  userAssignedIdentities: config.requireObject<string[]>("identityIds"),
});

/** The scale set's identity type after the stack, e.g. "SystemAssigned, UserAssigned". */
export const identityType = teamIdentities.identityType;
/** The system-assigned identity's principal: what a role assignment needs. */
export const principalId = teamIdentities.principalId;
/** The user-assigned identities this stack owns, each with its principal and client ID. */
export const userIdentities = teamIdentities.userIdentities;
