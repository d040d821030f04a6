import * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link VmssManagedIdentity}. */
export interface VmssManagedIdentityArgs {
  /**
   * ARM ID of the scale set, e.g. `/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachineScaleSets/<name>`.
   * Any casing of the fixed segments is accepted (`resourcegroups` too). Changing it replaces the resource.
   */
  scaleSetId: pulumi.Input<string>;
  /** `true` ensures the system-assigned identity is on, `false` ensures it is off; absent leaves it alone. */
  systemAssigned?: pulumi.Input<boolean>;
  /** ARM IDs of the user-assigned identities this resource owns: added on create, removed on delete. */
  userAssignedIdentities?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * `"additive"` (default) never touches identities this resource does not list. `"exclusive"` makes the scale set's
   * identity exactly what is declared (an absent `systemAssigned` then means off).
   */
  mode?: pulumi.Input<"additive" | "exclusive">;
  /** Compute api-version of the requests. Default `2024-11-01`; `2017-12-01` and `2018-04-01` use `identityIds`. */
  apiVersion?: pulumi.Input<string>;
  /**
   * Azure cloud: `public` (default), `usgovernment` or `china`. Default from `AZURE_ENVIRONMENT` / `ARM_ENVIRONMENT`.
   */
  environment?: pulumi.Input<"public" | "usgovernment" | "china">;
  /**
   * An explicit Azure Resource Manager endpoint (the local emulator, an Azure Stack hub): https, or http on loopback.
   * Default from `VMSS_IDENTITY_ARM_ENDPOINT`, else the endpoint of `environment`.
   */
  endpoint?: pulumi.Input<string>;
  /**
   * What to say when creation finds declared identities already assigned: `"warn"` (default) warns that this
   * resource now owns them; `"silent"` says nothing (`ScaleSetWithIdentity` uses it: its scale set was created with
   * them a moment before).
   */
  adoption?: pulumi.Input<"warn" | "silent">;
}

/** One user-assigned identity owned by a {@link VmssManagedIdentity}. */
export interface OwnedUserIdentity {
  /** Canonical ARM ID of the identity. */
  id: string;
  /** Principal (object) ID of the identity: what role assignments need. */
  principalId?: string;
  /** Client (application) ID of the identity. */
  clientId?: string;
}

/**
 * The managed identities of an Azure VM scale set, or the part of them that this resource owns.
 *
 * Every change is a GET of the scale set, a merge planned by the identity algebra, and an ARM PATCH that carries only
 * the delta (`{}` to add, `null` to remove), as Azure's how-to does by hand: identities that another tool or another
 * stack assigned are never wiped in the default `additive` mode. Preview makes no ARM call.
 *
 * Credentials come from the environment (`DefaultAzureCredential`: `AZURE_CLIENT_ID`/`AZURE_CLIENT_SECRET`/
 * `AZURE_TENANT_ID`, managed identity, Azure CLI…) and never reach Pulumi state.
 */
export class VmssManagedIdentity extends pulumi.dynamic.Resource {
  /** Canonical ARM ID of the scale set. */
  declare readonly scaleSetId: pulumi.Output<string>;
  /** The declared system-assigned setting, as it stands on the scale set (absent when not managed). */
  declare readonly systemAssigned: pulumi.Output<boolean | undefined>;
  /** Canonical IDs of the owned user-assigned identities present on the scale set. */
  declare readonly userAssignedIdentities: pulumi.Output<string[]>;
  /** The mode in force. */
  declare readonly mode: pulumi.Output<"additive" | "exclusive">;
  /** The scale set's effective identity type (`None`, `SystemAssigned`, `UserAssigned`, `SystemAssigned, UserAssigned`). */
  declare readonly identityType: pulumi.Output<string>;
  /** Principal ID of the system-assigned identity, when enabled: hand it to role assignments. */
  declare readonly principalId: pulumi.Output<string | undefined>;
  /** Tenant ID of the system-assigned identity, when enabled. */
  declare readonly tenantId: pulumi.Output<string | undefined>;
  /** Per owned user-assigned identity: its principal and client IDs. */
  declare readonly userIdentities: pulumi.Output<OwnedUserIdentity[]>;
  /** User-assigned identities on the scale set that this resource does not own. */
  declare readonly otherUserAssignedIdentities: pulumi.Output<string[]>;
  /** Whether this resource turned the system-assigned identity on (only then does deleting it turn it off). */
  declare readonly systemAssignedOwned: pulumi.Output<boolean>;

  constructor(name: string, args: VmssManagedIdentityArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      vmssManagedIdentityProvider,
      name,
      {
        ...args,
        identityType: undefined,
        principalId: undefined,
        tenantId: undefined,
        userIdentities: undefined,
        otherUserAssignedIdentities: undefined,
        systemAssignedOwned: undefined,
      },
      opts,
      "pulumi-vmss-identity",
      "VmssManagedIdentity",
    );
  }
}

/**
 * The dynamic provider. Pulumi serialises this object into every resource's state and runs it in a separate process,
 * so it captures nothing (no credential, no client, no closure over module state) and loads its implementation by
 * package name there (shared/research/pulumi-dynamic-serialization.md). Keep its methods plain functions: an arrow
 * function capturing `this` cannot be serialised.
 */
export const vmssManagedIdentityProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds, news) {
    return require("pulumi-vmss-identity/provider/runtime").check(olds, news);
  },
  async diff(_id, olds, news) {
    return require("pulumi-vmss-identity/provider/runtime").diff(olds, news);
  },
  async create(inputs) {
    return require("pulumi-vmss-identity/provider/runtime").create(inputs);
  },
  async read(id, props) {
    const outs = await require("pulumi-vmss-identity/provider/runtime").read(props);
    return outs === undefined ? { id: "", props: {} } : { id, props: outs };
  },
  async update(_id, olds, news) {
    return require("pulumi-vmss-identity/provider/runtime").update(olds, news);
  },
  async delete(_id, props) {
    await require("pulumi-vmss-identity/provider/runtime").remove(props);
  },
};
