import * as pulumi from "@pulumi/pulumi";
import type { SecretProperties } from "./secretProperties";
import type { ScaleSetExtraProperties, ScaleSetSku, ScaleSetUpgradePolicy, ScaleSetVmProfile } from "./scaleSetArgs";

/** Arguments of {@link ScaleSet}: the scale set's address and ARM body, with the secrets apart. */
export interface ScaleSetArgs {
  /**
   * Subscription GUID. Default: `AZURE_SUBSCRIPTION_ID`, else `ARM_SUBSCRIPTION_ID`, read when the program runs
   * (`check` fails when there is none). Changing it replaces the scale set.
   */
  subscriptionId?: pulumi.Input<string>;
  /** Resource group (must exist). Changing it replaces the scale set. */
  resourceGroupName: pulumi.Input<string>;
  /** Name of the scale set. Changing it replaces the scale set. */
  scaleSetName: pulumi.Input<string>;
  /** Azure region. Changing it replaces the scale set. */
  location: pulumi.Input<string>;
  /** VM size, tier and capacity (number of virtual machines). Updated in place. */
  sku: pulumi.Input<ScaleSetSku>;
  /** `properties.upgradePolicy`. Updated in place. */
  upgradePolicy?: pulumi.Input<ScaleSetUpgradePolicy>;
  /** `properties.overprovision`. Updated in place. */
  overprovision?: pulumi.Input<boolean>;
  /** `properties.virtualMachineProfile`, ARM shape, without secrets (they go in `secretProperties`). */
  virtualMachineProfile?: pulumi.Input<ScaleSetVmProfile>;
  /** Tags, replaced as a whole on update. */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Availability zones. Changing them replaces the scale set. */
  zones?: pulumi.Input<pulumi.Input<string>[]>;
  /** Other ARM `properties`, sent as given. */
  extraProperties?: pulumi.Input<ScaleSetExtraProperties>;
  /** System-assigned identity in the creation PUT. Later changes are not this resource's (see ScaleSetWithIdentity). */
  systemAssigned?: pulumi.Input<boolean>;
  /** User-assigned identities in the creation PUT. Later changes are not this resource's. */
  userAssignedIdentities?: pulumi.Input<pulumi.Input<string>[]>;
  /** Compute api-version. Default `2024-11-01`. */
  apiVersion?: pulumi.Input<string>;
  /** Azure cloud: `public` (default), `usgovernment` or `china`. */
  environment?: pulumi.Input<"public" | "usgovernment" | "china">;
  /** Explicit ARM endpoint (the emulator); default from `VMSS_IDENTITY_ARM_ENDPOINT`, else the cloud's. */
  endpoint?: pulumi.Input<string>;
  /** `adminPassword`, `customData`, extensions' `protectedSettings` (by extension name). Always stored as a secret. */
  secretProperties?: pulumi.Input<SecretProperties>;
}

/**
 * An Azure VM scale set created with one ARM PUT that carries the full body (sku, location, identity, properties),
 * as the how-to does; updated with PATCHes that never carry `identity`; deleted with DELETE. The building block of
 * {@link ScaleSetWithIdentity}, which is what most programs want: this resource alone never changes the identity
 * after creation.
 *
 * Credentials come from the environment (`DefaultAzureCredential` and friends, see docs/transport.md) and never reach
 * Pulumi state.
 */
export class ScaleSet extends pulumi.dynamic.Resource {
  /** Subscription GUID, lower-case. */
  declare readonly subscriptionId: pulumi.Output<string>;
  /** Resource group name. */
  declare readonly resourceGroupName: pulumi.Output<string>;
  /** Scale set name. */
  declare readonly scaleSetName: pulumi.Output<string>;
  /** Region as declared. */
  declare readonly location: pulumi.Output<string>;
  /** The declared sku; after a refresh, as ARM reports it (drift shows). */
  declare readonly sku: pulumi.Output<Record<string, unknown>>;
  /** The declared tags; after a refresh, as ARM reports them. */
  declare readonly tags: pulumi.Output<Record<string, string> | undefined>;
  /** `properties.provisioningState` after the last operation, e.g. `Succeeded`. */
  declare readonly provisioningState: pulumi.Output<string | undefined>;
  /** `properties.uniqueId`: ARM's GUID for this scale set. */
  declare readonly uniqueId: pulumi.Output<string | undefined>;

  constructor(name: string, args: ScaleSetArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      scaleSetProvider,
      name,
      {
        ...args,
        subscriptionId: args.subscriptionId ?? defaultSubscriptionId(),
        // Secret whatever the caller passed: the provider host strips the marks before calling the provider, and
        // re-marks outputs under the same key (research/pulumi-mechanics.md §2.3).
        secretProperties: args.secretProperties === undefined ? undefined : pulumi.secret(args.secretProperties),
        provisioningState: undefined,
        uniqueId: undefined,
      },
      {
        ...opts,
        additionalSecretOutputs: [...new Set([...(opts?.additionalSecretOutputs ?? []), "secretProperties"])],
      },
      "pulumi-vmss-identity",
      "ScaleSet",
    );
  }
}

/** The subscription other Azure tools use: `AZURE_SUBSCRIPTION_ID` (Azure SDKs), else `ARM_SUBSCRIPTION_ID`. */
function defaultSubscriptionId(): string | undefined {
  return process.env.AZURE_SUBSCRIPTION_ID || process.env.ARM_SUBSCRIPTION_ID || undefined;
}

/**
 * The dynamic provider. Pulumi serialises this object into every resource's state and runs it in a separate process,
 * so it captures nothing and loads its implementation by package name there (research/pulumi-dynamic-serialization.md):
 * `pulumi-vmss-identity/components/runtime` is components/scaleSetRuntime.ts. Plain methods only: an arrow function
 * capturing `this` cannot be serialised.
 */
export const scaleSetProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds, news) {
    return require("pulumi-vmss-identity/components/runtime").check(olds, news);
  },
  async diff(_id, olds, news) {
    return require("pulumi-vmss-identity/components/runtime").diff(olds, news);
  },
  async create(inputs) {
    return require("pulumi-vmss-identity/components/runtime").create(inputs);
  },
  async read(id, props) {
    const outs = await require("pulumi-vmss-identity/components/runtime").read(props);
    // A blank id tells the engine the scale set is gone (research/pulumi-mechanics.md §2.4).
    return outs === undefined ? { id: "", props: {} } : { id, props: outs };
  },
  async update(_id, olds, news) {
    return require("pulumi-vmss-identity/components/runtime").update(olds, news);
  },
  async delete(_id, props) {
    await require("pulumi-vmss-identity/components/runtime").remove(props);
  },
};
