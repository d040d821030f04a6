/**
 * Argument types of {@link ScaleSetWithIdentity}, in ARM's JSON shape.
 *
 * Where `@pulumi/azure-native` has the same shape (sku, upgrade policy, storage and OS profiles, extra scale set
 * properties) the types are its own, imported with `import type`: the compiled JavaScript never loads that very
 * large package (an optional peer dependency, needed only to type-check). Where azure-native flattens ARM's
 * `properties` wrappers (network interface and IP configurations, extensions), these types keep ARM's JSON shape,
 * as the how-to sends it (the how-to: docs/arm-behavior.md), because the body goes to ARM verbatim.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { EnvironmentName } from "../provider/grammar/cloud";
import type { VmssManagedIdentityArgs } from "../provider/vmssManagedIdentity";
import type { VirtualMachineScaleSetArgs } from "@pulumi/azure-native/compute";
import type * as azure from "@pulumi/azure-native/types/input";

type AzureVmProfile = azure.compute.VirtualMachineScaleSetVMProfileArgs;

/** `sku` of a scale set: `{ name, tier?, capacity? }` (capacity = number of virtual machines). */
export type ScaleSetSku = azure.compute.SkuArgs;

/** `properties.upgradePolicy`: `{ mode: "Manual" | "Automatic" | "Rolling", … }`. */
export type ScaleSetUpgradePolicy = azure.compute.UpgradePolicyArgs;

/** A public IP configuration of an IP configuration, ARM shape `{ name, properties?, sku? }`. */
export interface ScaleSetPublicIpConfiguration {
  /** Name of the public IP configuration. */
  name: pulumi.Input<string>;
  /** ARM's `properties` (idle timeout, DNS settings, IP tags, prefix, version, delete option). */
  properties?: pulumi.Input<Omit<azure.compute.VirtualMachineScaleSetPublicIPAddressConfigurationArgs, "name" | "sku">>;
  /** SKU of the public IP addresses. */
  sku?: pulumi.Input<azure.compute.PublicIPAddressSkuArgs>;
}

/** ARM's `properties` of an IP configuration. */
export interface ScaleSetIpConfigurationProperties
  extends Omit<azure.compute.VirtualMachineScaleSetIPConfigurationArgs, "name" | "publicIPAddressConfiguration"> {
  /** Public IP addresses per virtual machine, ARM shape. */
  publicIPAddressConfiguration?: pulumi.Input<ScaleSetPublicIpConfiguration>;
}

/** An IP configuration of a network interface configuration, ARM shape `{ name, properties }`. */
export interface ScaleSetIpConfiguration {
  /** Name of the IP configuration. */
  name: pulumi.Input<string>;
  /** Subnet, load balancer pools, primary flag… */
  properties?: pulumi.Input<ScaleSetIpConfigurationProperties>;
}

/** ARM's `properties` of a network interface configuration. */
export interface ScaleSetNetworkConfigurationProperties
  extends Omit<azure.compute.VirtualMachineScaleSetNetworkConfigurationArgs, "name" | "ipConfigurations"> {
  /** The IP configurations of the network interface, ARM shape. */
  ipConfigurations: pulumi.Input<pulumi.Input<ScaleSetIpConfiguration>[]>;
}

/** A network interface configuration, ARM shape `{ name, properties: { primary, ipConfigurations, … } }`. */
export interface ScaleSetNetworkConfiguration {
  /** Name of the network interface configuration. */
  name: pulumi.Input<string>;
  /** Primary flag, IP forwarding, accelerated networking, IP configurations… */
  properties: pulumi.Input<ScaleSetNetworkConfigurationProperties>;
}

/** `virtualMachineProfile.networkProfile`, ARM shape. */
export interface ScaleSetNetworkProfile
  extends Omit<azure.compute.VirtualMachineScaleSetNetworkProfileArgs, "networkInterfaceConfigurations"> {
  /** The network interface configurations of every virtual machine. */
  networkInterfaceConfigurations?: pulumi.Input<pulumi.Input<ScaleSetNetworkConfiguration>[]>;
}

/**
 * A scale set extension, ARM shape `{ name, properties: { publisher, type, typeHandlerVersion, settings,
 * protectedSettings, … } }`. `properties.protectedSettings` is taken out of the body and kept as a Pulumi secret.
 */
export interface ScaleSetExtension {
  /** Name of the extension; required when it has `protectedSettings` (they are matched back by name). */
  name?: pulumi.Input<string>;
  /** Publisher, type, version, settings, protected settings… */
  properties?: pulumi.Input<Omit<azure.compute.VirtualMachineScaleSetExtensionArgs, "name">>;
}

/** `virtualMachineProfile.extensionProfile`, ARM shape. */
export interface ScaleSetExtensionProfile
  extends Omit<azure.compute.VirtualMachineScaleSetExtensionProfileArgs, "extensions"> {
  /** The extensions of every virtual machine. */
  extensions?: pulumi.Input<pulumi.Input<ScaleSetExtension>[]>;
}

/**
 * `properties.virtualMachineProfile` in ARM's JSON shape: storage and OS profiles as in azure-native (same shape),
 * network and extension profiles with ARM's `properties` wrappers. `osProfile.adminPassword`, `osProfile.customData`
 * and every extension's `properties.protectedSettings` become Pulumi secrets.
 */
export interface ScaleSetVmProfile extends Omit<AzureVmProfile, "networkProfile" | "extensionProfile"> {
  /** Network interfaces of every virtual machine, ARM shape. */
  networkProfile?: pulumi.Input<ScaleSetNetworkProfile>;
  /** Extensions of every virtual machine, ARM shape. */
  extensionProfile?: pulumi.Input<ScaleSetExtensionProfile>;
}

/** Scale set properties with a dedicated argument, or that ARM computes; not accepted in `extraProperties`. */
export type DedicatedPropertyName =
  | "virtualMachineProfile"
  | "upgradePolicy"
  | "overprovision"
  | "identity"
  | "location"
  | "tags"
  | "sku"
  | "zones"
  | "resourceGroupName"
  | "vmScaleSetName"
  | "extendedLocation"
  | "plan";

/**
 * Any other property of ARM's `properties` object of a scale set (`singlePlacementGroup`, `platformFaultDomainCount`,
 * `orchestrationMode`, `scaleInPolicy`, `automaticRepairsPolicy`, `proximityPlacementGroup`, …): azure-native's
 * flattened scale set arguments are exactly ARM's `properties`, so its types apply. Sent as given.
 */
export type ScaleSetExtraProperties = Omit<VirtualMachineScaleSetArgs, DedicatedPropertyName>;

/** Arguments of {@link ScaleSetWithIdentity}. */
export interface ScaleSetWithIdentityArgs {
  /** Resource group of the scale set (must exist). Changing it replaces the scale set. */
  readonly resourceGroupName: pulumi.Input<string>;
  /** Name of the scale set. Default: the component's name. Changing it replaces the scale set. */
  readonly scaleSetName?: pulumi.Input<string>;
  /** Azure region, e.g. `eastus` (any spelling ARM accepts: `East US` too). Changing it replaces the scale set. */
  readonly location: pulumi.Input<string>;
  /**
   * Subscription GUID. Default: `AZURE_SUBSCRIPTION_ID`, else `ARM_SUBSCRIPTION_ID`, read when the program runs.
   * Changing it replaces the scale set.
   */
  readonly subscriptionId?: pulumi.Input<string>;
  /** Azure cloud: `public` (default), `usgovernment` or `china`, as for `VmssManagedIdentity`. */
  readonly environment?: pulumi.Input<EnvironmentName>;
  /** Explicit ARM endpoint (the local emulator, Azure Stack), as for `VmssManagedIdentity`. */
  readonly endpoint?: pulumi.Input<string>;
  /**
   * Compute api-version of every request. Default `2024-11-01`. `2017-12-01` and `2018-04-01` carry user identities
   * as `identityIds`, later ones as the `userAssignedIdentities` dictionary.
   */
  readonly apiVersion?: pulumi.Input<string>;

  /** `sku`: VM size (`name`), `tier`, and `capacity` (number of virtual machines, a whole number, 0 or more). */
  readonly sku: pulumi.Input<ScaleSetSku>;
  /** `properties.upgradePolicy`, e.g. `{ mode: "Manual" }`. Updated in place. */
  readonly upgradePolicy?: pulumi.Input<ScaleSetUpgradePolicy>;
  /** `properties.overprovision`. Updated in place. */
  readonly overprovision?: pulumi.Input<boolean>;
  /**
   * `properties.virtualMachineProfile` in ARM's JSON shape (storage, OS, network and extension profiles, as in the
   * how-to). Required unless `extraProperties.orchestrationMode` is `Flexible`. `osProfile.computerNamePrefix` and
   * `osProfile.adminUsername` cannot change in place (replacement); the rest updates in place.
   */
  readonly virtualMachineProfile?: pulumi.Input<ScaleSetVmProfile>;
  /** Resource tags. Replaced as a whole on update; removing the argument removes the tags it had set. */
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Availability zones, e.g. `["1", "2"]`. Changing them replaces the scale set. */
  readonly zones?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Typed escape hatch: any other property of ARM's `properties` object, sent as given. `orchestrationMode` and
   * `platformFaultDomainCount` cannot change in place (replacement); the others update in place.
   */
  readonly extraProperties?: pulumi.Input<ScaleSetExtraProperties>;

  /**
   * Whether the scale set has its system-assigned identity. Created with it in the PUT; later changes go through the
   * child `VmssManagedIdentity` as a PATCH. Absent: created without it, and left alone afterwards.
   */
  readonly systemAssigned?: pulumi.Input<boolean>;
  /**
   * ARM IDs of user-assigned identities to assign. Created with them in the PUT; later additions and removals go
   * through the child `VmssManagedIdentity`, which never touches identities that something else assigned.
   */
  readonly userAssignedIdentities?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Role assignments for the scale set's identities (`identity` `"system"` or one of `userAssignedIdentities`),
   * owned by the child `VmssManagedIdentity`: made once the identity exists, removed before it is (see
   * `VmssManagedIdentityArgs.roleAssignments`).
   */
  readonly roleAssignments?: VmssManagedIdentityArgs["roleAssignments"];
}
