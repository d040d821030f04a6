import * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link ArmResource}. */
export interface ArmResourceArgs {
  /** ARM ID of the resource, e.g. `/subscriptions/<sub>/resourceGroups/<rg>`. Changing it replaces the resource. */
  resourceId: pulumi.Input<string>;
  /** api-version of the resource type, e.g. `2021-04-01` for resource groups, `2023-01-31` for user-assigned identities. */
  apiVersion: pulumi.Input<string>;
  /** The PUT body (at least `location` for most types). A change is a new PUT. */
  body: pulumi.Input<Record<string, unknown>>;
  /** Azure cloud, as for `VmssManagedIdentity`. */
  environment?: pulumi.Input<"public" | "usgovernment" | "china">;
  /** Explicit ARM endpoint (the emulator), as for `VmssManagedIdentity`. */
  endpoint?: pulumi.Input<string>;
}

/**
 * Any ARM resource created with one PUT and removed with one DELETE, following ARM's long-running operations.
 *
 * It exists so that stacks can make the resource groups and user-assigned identities they need on the local emulator
 * (the quickstart does) without `@pulumi/azure-native`, which always talks to the real Azure. On real Azure prefer
 * azure-native. Its outputs are what ARM answers to a GET after the PUT, under `resource` (e.g. `resource.properties.principalId`
 * of a user-assigned identity), and `id` is ARM's own spelling of the ID.
 */
export class ArmResource extends pulumi.dynamic.Resource {
  /** The ARM ID as requested. */
  declare readonly resourceId: pulumi.Output<string>;
  /** ARM's answer to a GET of the resource after the PUT finished. */
  declare readonly resource: pulumi.Output<Record<string, unknown>>;

  constructor(name: string, args: ArmResourceArgs, opts?: pulumi.CustomResourceOptions) {
    super(armResourceProvider, name, { ...args, resource: undefined }, opts, "pulumi-vmss-identity", "ArmResource");
  }
}

/** The dynamic provider of {@link ArmResource}; like VmssManagedIdentity's, it captures nothing and loads its code by name. */
export const armResourceProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return require("pulumi-vmss-identity/provider/runtime").checkArmResource(news);
  },
  async diff(_id, olds, news) {
    return require("pulumi-vmss-identity/provider/runtime").diffArmResource(olds, news);
  },
  async create(inputs) {
    return require("pulumi-vmss-identity/provider/runtime").createArmResource(inputs);
  },
  async read(id, props) {
    const outs = await require("pulumi-vmss-identity/provider/runtime").readArmResource(props);
    return outs === undefined ? { id: "", props: {} } : { id, props: outs };
  },
  async update(_id, _olds, news) {
    return require("pulumi-vmss-identity/provider/runtime").createArmResource(news);
  },
  async delete(_id, props) {
    await require("pulumi-vmss-identity/provider/runtime").deleteArmResource(props);
  },
};
