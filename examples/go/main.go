// The quickstart's identity change in Go, through the provider plugin `vmss-identity` (README "Go").
//
// Turns on the scale set's system-assigned identity and adds the user-assigned identities listed in `identityIds`,
// in one ARM PATCH that keeps every identity someone else assigned. Drop an ID from the list and `pulumi up` removes
// exactly that one; `pulumi destroy` removes what this stack added and nothing else.
//
// Config: `scaleSetId` (the scale set's ARM ID) and `identityIds` (a list of user-assigned identity ARM IDs).
package main

import (
	"github.com/pulumi-vmss-identity/pulumi-vmss-identity/sdk/go/vmssidentity"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(quickstart)
}

// quickstart declares the stack: one VmssManagedIdentity and its outputs.
func quickstart(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	var identityIDs []string
	cfg.RequireObject("identityIds", &identityIDs)

	teamIdentities, err := vmssidentity.NewVmssManagedIdentity(ctx, "team-identities", &vmssidentity.VmssManagedIdentityArgs{
		ScaleSetId:             pulumi.String(cfg.Require("scaleSetId")),
		SystemAssigned:         pulumi.Bool(true),
		UserAssignedIdentities: pulumi.ToStringArray(identityIDs),
	})
	if err != nil {
		return err
	}

	// The scale set's identity type after the stack, e.g. "SystemAssigned, UserAssigned".
	ctx.Export("identityType", teamIdentities.IdentityType)
	// The system-assigned identity's principal: what a role assignment needs.
	ctx.Export("principalId", teamIdentities.PrincipalId)
	// The user-assigned identities this stack owns, each with its principal and client ID.
	ctx.Export("userIdentities", teamIdentities.UserIdentities)
	return nil
}
