/**
 * {@link ScaleSetWithIdentityArgs} typed with `@pulumi/azure-native`'s own input types wherever azure-native has
 * ARM's JSON shape (sku, upgrade policy, storage and OS profiles, image, disks, extra scale set properties), for
 * programs that already depend on azure-native: `import type { ScaleSetWithIdentityArgs } from
 * "pulumi-vmss-identity/azure-native"`. Type-only: the compiled module is empty and never loads azure-native.
 *
 * {@link ScaleSetWithIdentityArgs} here extends the package's own (`./scaleSetArgs`), so the compiler checks, when the
 * package is built, that a value typed here is accepted by `ScaleSetWithIdentity` as is. Network interface and
 * IP configurations and extensions keep ARM's `properties` wrappers (azure-native flattens them), because the body
 * goes to ARM verbatim.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { VirtualMachineScaleSetArgs } from "@pulumi/azure-native/compute";
import type * as azure from "@pulumi/azure-native/types/input";
import type * as own from "./scaleSetArgs";

/** `sku` of a scale set, azure-native's `SkuArgs`. */
export type ScaleSetSku = azure.compute.SkuArgs;

/** `properties.upgradePolicy`, azure-native's `UpgradePolicyArgs`. */
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

/** A scale set extension, ARM shape `{ name, properties: { publisher, type, typeHandlerVersion, … } }`. */
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
 * network and extension profiles with ARM's `properties` wrappers.
 */
export interface ScaleSetVmProfile
  extends Omit<azure.compute.VirtualMachineScaleSetVMProfileArgs, "networkProfile" | "extensionProfile"> {
  /** Network interfaces of every virtual machine, ARM shape. */
  networkProfile?: pulumi.Input<ScaleSetNetworkProfile>;
  /** Extensions of every virtual machine, ARM shape. */
  extensionProfile?: pulumi.Input<ScaleSetExtensionProfile>;
}

/**
 * Scale set properties with a dedicated argument, or outside ARM's `properties`: not in `extraProperties` (of these
 * types or of the package's own, components/scaleSetArgs.ts).
 */
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

/** Any other property of ARM's `properties` object of a scale set, as azure-native's `VirtualMachineScaleSetArgs`. */
export type ScaleSetExtraProperties = Omit<VirtualMachineScaleSetArgs, DedicatedPropertyName>;

/** Arguments of `ScaleSetWithIdentity`, the nested ARM shapes typed as azure-native types them. */
export interface ScaleSetWithIdentityArgs extends own.ScaleSetWithIdentityArgs {
  /** `sku`: VM size (`name`), `tier`, and `capacity` (number of virtual machines, a whole number, 0 or more). */
  readonly sku: pulumi.Input<ScaleSetSku>;
  /** `properties.upgradePolicy`, e.g. `{ mode: "Manual" }`. Updated in place. */
  readonly upgradePolicy?: pulumi.Input<ScaleSetUpgradePolicy>;
  /** `properties.virtualMachineProfile` in ARM's JSON shape. */
  readonly virtualMachineProfile?: pulumi.Input<ScaleSetVmProfile>;
  /** Any other property of ARM's `properties` object, sent as given. */
  readonly extraProperties?: pulumi.Input<ScaleSetExtraProperties>;
}
