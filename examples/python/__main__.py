"""The quickstart's identity change in Python, through the provider plugin `vmss-identity` (README "Python").

Turns on the scale set's system-assigned identity and adds the user-assigned identities listed in `identityIds`, in
one ARM PATCH that keeps every identity someone else assigned. Drop an ID from the list and `pulumi up` removes exactly
that one; `pulumi destroy` removes what this stack added and nothing else.

Config: `scaleSetId` (the scale set's ARM ID) and `identityIds` (a list of user-assigned identity ARM IDs).
"""

import pulumi
import pulumi_vmss_identity as vmss_identity

config = pulumi.Config()

team_identities = vmss_identity.VmssManagedIdentity(
    "team-identities",
    scale_set_id=config.require("scaleSetId"),
    system_assigned=True,
    user_assigned_identities=config.require_object("identityIds"),
)

# The scale set's identity type after the stack, e.g. "SystemAssigned, UserAssigned".
pulumi.export("identityType", team_identities.identity_type)
# The system-assigned identity's principal: what a role assignment needs.
pulumi.export("principalId", team_identities.principal_id)
# The user-assigned identities this stack owns, each with its principal and client ID.
pulumi.export("userIdentities", team_identities.user_identities)
