// The quickstart's identity change in C#, through the provider plugin `vmss-identity` (README "C#").
//
// Turns on the scale set's system-assigned identity and adds the user-assigned identities listed in `identityIds`,
// in one ARM PATCH that keeps every identity someone else assigned. Drop an ID from the list and `pulumi up` removes
// exactly that one; `pulumi destroy` removes what this stack added and nothing else.
//
// Config: `scaleSetId` (the scale set's ARM ID) and `identityIds` (a list of user-assigned identity ARM IDs).
using System.Collections.Generic;
using Pulumi;
using PulumiVmssIdentity.VmssIdentity;

return await Deployment.RunAsync(() =>
{
    var config = new Config();

    var teamIdentities = new VmssManagedIdentity("team-identities", new VmssManagedIdentityArgs
    {
        ScaleSetId = config.Require("scaleSetId"),
        SystemAssigned = true,
        UserAssignedIdentities = config.RequireObject<string[]>("identityIds"),
    });

    return new Dictionary<string, object?>
    {
        // The scale set's identity type after the stack, e.g. "SystemAssigned, UserAssigned".
        ["identityType"] = teamIdentities.IdentityType,
        // The system-assigned identity's principal: what a role assignment needs.
        ["principalId"] = teamIdentities.PrincipalId,
        // The user-assigned identities this stack owns, each with its principal and client ID.
        ["userIdentities"] = teamIdentities.UserIdentities,
    };
});
