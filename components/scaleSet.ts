import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentName } from "../provider/grammar/cloud";
import { type VmssIdentityCredentials, secretCredentials, withSecretCredentials } from "../provider/credentials";
import type { SecretProperties } from "./secretProperties";
import type { ScaleSetInputs } from "./scaleSetBody";
import type { ScaleSetOutputs } from "./scaleSetRuntime";
import type { ScaleSetExtraProperties, ScaleSetSku, ScaleSetUpgradePolicy, ScaleSetVmProfile } from "./scaleSetArgs";

/** Arguments of {@link ScaleSet}: the scale set's address and ARM body, with the secrets apart. */
export interface ScaleSetArgs {
  /**
   * Subscription GUID. Default: `AZURE_SUBSCRIPTION_ID`, else `ARM_SUBSCRIPTION_ID`, read when the program runs
   * (`check` fails when there is none). Changing it replaces the scale set.
   */
  readonly subscriptionId?: pulumi.Input<string>;
  /** Resource group (must exist). Changing it replaces the scale set. */
  readonly resourceGroupName: pulumi.Input<string>;
  /** Name of the scale set. Changing it replaces the scale set. */
  readonly scaleSetName: pulumi.Input<string>;
  /** Azure region. Changing it replaces the scale set. */
  readonly location: pulumi.Input<string>;
  /** VM size, tier and capacity (number of virtual machines). Updated in place. */
  readonly sku: pulumi.Input<ScaleSetSku>;
  /** `properties.upgradePolicy`. Updated in place. */
  readonly upgradePolicy?: pulumi.Input<ScaleSetUpgradePolicy>;
  /** `properties.overprovision`. Updated in place. */
  readonly overprovision?: pulumi.Input<boolean>;
  /** `properties.virtualMachineProfile`, ARM shape, without secrets (they go in `secretProperties`). */
  readonly virtualMachineProfile?: pulumi.Input<ScaleSetVmProfile>;
  /** Tags, replaced as a whole on update. */
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Availability zones. Changing them replaces the scale set. */
  readonly zones?: pulumi.Input<pulumi.Input<string>[]>;
  /** Other ARM `properties`, sent as given. */
  readonly extraProperties?: pulumi.Input<ScaleSetExtraProperties>;
  /** System-assigned identity in the creation PUT. Later changes are not this resource's (see ScaleSetWithIdentity). */
  readonly systemAssigned?: pulumi.Input<boolean>;
  /** User-assigned identities in the creation PUT. Later changes are not this resource's. */
  readonly userAssignedIdentities?: pulumi.Input<pulumi.Input<string>[]>;
  /** Compute api-version. Default `2024-11-01`. */
  readonly apiVersion?: pulumi.Input<string>;
  /** Azure cloud: `public` (default), `usgovernment` or `china`. */
  readonly environment?: pulumi.Input<EnvironmentName>;
  /** Explicit ARM endpoint (the emulator); default from `VMSS_IDENTITY_ARM_ENDPOINT`, else the cloud's. */
  readonly endpoint?: pulumi.Input<string>;
  /**
   * The principal to sign in as, instead of the environment's, as for `VmssManagedIdentity` (provider/credentials.ts).
   * Always stored as a secret, in inputs and outputs; refresh and delete sign in as the same principal; a change is
   * an update (the next request uses the new principal), never a replacement.
   */
  readonly credentials?: pulumi.Input<VmssIdentityCredentials>;
  /** `adminPassword`, `customData`, extensions' `protectedSettings` (by extension name). Always stored as a secret. */
  readonly secretProperties?: pulumi.Input<SecretProperties>;
}

/**
 * An Azure VM scale set created with one ARM PUT that carries the full body (sku, location, identity, properties),
 * as the how-to does; updated with PATCHes that never carry `identity`; deleted with DELETE. The building block of
 * {@link ScaleSetWithIdentity}, which is what most programs want: this resource alone never changes the identity
 * after creation.
 *
 * Credentials come from `credentials`, else from the environment (`ARM_*`/`AZURE_*` variables, then
 * `DefaultAzureCredential`; docs/transport.md, "Which credential"); `credentials` is always a secret in state.
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
        // re-marks outputs under the same key (docs/component.md, "Secrets").
        secretProperties: args.secretProperties === undefined ? undefined : pulumi.secret(args.secretProperties),
        credentials: secretCredentials(args.credentials),
        provisioningState: undefined,
        uniqueId: undefined,
      },
      withSecretCredentials({
        ...opts,
        additionalSecretOutputs: [...new Set([...(opts?.additionalSecretOutputs ?? []), "secretProperties"])],
      }),
      "pulumi-vmss-identity",
      "ScaleSet",
    );
  }
}

/** The subscription other Azure tools use: `AZURE_SUBSCRIPTION_ID` (Azure SDKs), else `ARM_SUBSCRIPTION_ID`. */
function defaultSubscriptionId(): string | undefined {
  return process.env.AZURE_SUBSCRIPTION_ID || process.env.ARM_SUBSCRIPTION_ID || undefined;
}

/** The implementation module, loaded by package name in the provider process (components/scaleSetRuntime.ts). */
type Runtime = typeof import("./scaleSetRuntime");
/** The runtime's functions take the properties as Pulumi hands them over: plain JSON records. */
type Props = Record<string, unknown>;

/**
 * The dynamic provider. Pulumi serialises this object into every resource's state and runs it in a separate process,
 * so it captures nothing and loads its implementation by package name there (see docs/component.md):
 * `pulumi-vmss-identity/components/runtime` is components/scaleSetRuntime.ts. Plain methods only: an arrow function
 * capturing `this` cannot be serialised.
 */
export const scaleSetProvider: pulumi.dynamic.ResourceProvider<ScaleSetInputs, ScaleSetOutputs> = {
  async check(olds, news) {
    const runtime: Runtime = require("pulumi-vmss-identity/components/runtime");
    const { inputs, failures } = runtime.check(olds as unknown as Props, news as unknown as Props);
    return { inputs: inputs as unknown as ScaleSetInputs, failures };
  },
  async diff(_id, olds, news) {
    const runtime: Runtime = require("pulumi-vmss-identity/components/runtime");
    return runtime.diff(olds as unknown as Props, news as unknown as Props);
  },
  async create(inputs) {
    const runtime: Runtime = require("pulumi-vmss-identity/components/runtime");
    return runtime.create(inputs as unknown as Props);
  },
  async read(id, props) {
    const runtime: Runtime = require("pulumi-vmss-identity/components/runtime");
    const outs = props === undefined ? undefined : await runtime.read(props as unknown as Props);
    // A blank id tells the engine the scale set is gone.
    return outs === undefined ? { id: "", props: {} as ScaleSetOutputs } : { id, props: outs };
  },
  async update(_id, olds, news) {
    const runtime: Runtime = require("pulumi-vmss-identity/components/runtime");
    return runtime.update(olds as unknown as Props, news as unknown as Props);
  },
  async delete(_id, props) {
    const runtime: Runtime = require("pulumi-vmss-identity/components/runtime");
    await runtime.remove(props as unknown as Props);
  },
};
