import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentName } from "./grammar/cloud";
import { type VmssIdentityCredentials, secretCredentials, withSecretCredentials } from "./credentials";
import type { ArmResourceInputs, ArmResourceOutputs } from "./armResourceRuntime";

/** Arguments of {@link ArmResource}. */
export interface ArmResourceArgs {
  /**
   * ARM ID of the resource: a resource group (`/subscriptions/<sub>/resourceGroups/<rg>`) or a resource in one
   * (`…/providers/<namespace>/<type>/<name>`, child resources too). Changing it (other than in casing) replaces the
   * resource.
   */
  readonly resourceId: pulumi.Input<string>;
  /**
   * api-version of the resource type, e.g. `2021-04-01` for resource groups, `2023-01-31` for user-assigned
   * identities. For scale sets and user-assigned identities, `check` refuses a version the type does not serve and
   * names the nearest served ones.
   */
  readonly apiVersion: pulumi.Input<string>;
  /** The PUT body (at least `location` for most types). A change is a new PUT. */
  readonly body: pulumi.Input<Record<string, unknown>>;
  /** Azure cloud, as for `VmssManagedIdentity` (`public`, `usgovernment`, `china`, or an alias such as `AzureCloud`). */
  readonly environment?: pulumi.Input<EnvironmentName>;
  /** Explicit ARM endpoint (the emulator), as for `VmssManagedIdentity`. */
  readonly endpoint?: pulumi.Input<string>;
  /** The principal to sign in as, as for `VmssManagedIdentity`; always stored as a secret. */
  readonly credentials?: pulumi.Input<VmssIdentityCredentials>;
}

/**
 * Any ARM resource created with one PUT and removed with one DELETE, following ARM's long-running operations.
 *
 * It exists so that stacks can make the resource groups and user-assigned identities they need on the local emulator
 * (the quickstart does) without `@pulumi/azure-native`, which always talks to the real Azure. On real Azure prefer
 * azure-native. Its outputs are what ARM answers to a GET after the PUT, under `resource` (e.g.
 * `resource.properties.principalId` of a user-assigned identity), and `id` is ARM's own spelling of the ID.
 *
 * - Create and update: one PUT with the whole body, its operation followed to the end, then a GET.
 * - Delete: one DELETE, followed to the end; a resource already gone is not an error.
 * - Refresh: a GET; a resource that is gone (`ResourceNotFound`, `ResourceGroupNotFound`) leaves the stack.
 * - Preview makes no request. Credentials come from `credentials`, else from the environment, as for
 *   `VmssManagedIdentity` (docs/transport.md); `credentials` is always a secret in state.
 */
export class ArmResource extends pulumi.dynamic.Resource {
  /** The ARM ID as requested, in canonical spelling. */
  declare readonly resourceId: pulumi.Output<string>;
  /** ARM's answer to a GET of the resource after the PUT finished. */
  declare readonly resource: pulumi.Output<Record<string, unknown>>;

  constructor(name: string, args: ArmResourceArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      armResourceProvider,
      name,
      { ...args, credentials: secretCredentials(args.credentials), resource: undefined },
      withSecretCredentials(opts),
      "pulumi-vmss-identity",
      "ArmResource",
    );
  }
}

/** The implementation module, loaded by package name in the provider process (provider/armResourceRuntime.ts). */
type Runtime = typeof import("./armResourceRuntime");

/**
 * The dynamic provider of {@link ArmResource}; like VmssManagedIdentity's, it captures nothing and loads its code by
 * name in the provider process (see provider/vmssManagedIdentity.ts).
 */
export const armResourceProvider: pulumi.dynamic.ResourceProvider<ArmResourceInputs, ArmResourceOutputs> = {
  async check(_olds, news) {
    const runtime: Runtime = require("pulumi-vmss-identity/provider/runtime");
    const { inputs, failures } = runtime.checkArmResource(news as unknown as Record<string, unknown>);
    return { inputs: inputs as unknown as ArmResourceInputs, failures };
  },
  async diff(_id, olds, news) {
    const runtime: Runtime = require("pulumi-vmss-identity/provider/runtime");
    return runtime.diffArmResource(olds, news);
  },
  async create(inputs) {
    const runtime: Runtime = require("pulumi-vmss-identity/provider/runtime");
    return runtime.createArmResource(inputs);
  },
  async read(id, props) {
    const runtime: Runtime = require("pulumi-vmss-identity/provider/runtime");
    const outs = props === undefined ? undefined : await runtime.readArmResource(props);
    // A blank id tells the engine the resource is gone.
    return outs === undefined ? { id: "", props: {} as ArmResourceOutputs } : { id, props: outs };
  },
  async update(_id, _olds, news) {
    const runtime: Runtime = require("pulumi-vmss-identity/provider/runtime");
    return runtime.createArmResource(news);
  },
  async delete(_id, props) {
    const runtime: Runtime = require("pulumi-vmss-identity/provider/runtime");
    await runtime.deleteArmResource(props);
  },
};
