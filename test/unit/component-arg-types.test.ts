// The component's own argument types (components/scaleSetArgs.ts) name every property that @pulumi/azure-native
// names at the same level, so a program written against azure-native's documentation compiles without it too.
// The check is the compiler's: each record below type-checks only when no key is missing (tsc names the missing
// key); `npm test` type-checks the tests. At run time the records are empty.
import { deepEqual } from "node:assert/strict";
import type { VirtualMachineScaleSetArgs } from "@pulumi/azure-native/compute";
import type * as azure from "@pulumi/azure-native/types/input";
import type { DedicatedPropertyName } from "../../components/azureNativeArgs";
import type * as own from "../../components/scaleSetArgs";

/** Keys azure-native has and the package's own type lacks, ARM's `properties` wrappers aside. */
type Missing<Azure, Own, Flattened extends PropertyKey = never> = Exclude<keyof Azure, keyof Own | Flattened>;
const missing: Record<string, Record<never, true>> = {
  sku: {} satisfies Record<Missing<azure.compute.SkuArgs, own.ScaleSetSku>, true>,
  upgradePolicy: {} satisfies Record<Missing<azure.compute.UpgradePolicyArgs, own.ScaleSetUpgradePolicy>, true>,
  vmProfile: {} satisfies Record<
    Missing<azure.compute.VirtualMachineScaleSetVMProfileArgs, own.ScaleSetVmProfile>,
    true
  >,
  osProfile: {} satisfies Record<
    Missing<azure.compute.VirtualMachineScaleSetOSProfileArgs, own.ScaleSetOsProfile>,
    true
  >,
  storageProfile: {} satisfies Record<
    Missing<azure.compute.VirtualMachineScaleSetStorageProfileArgs, own.ScaleSetStorageProfile>,
    true
  >,
  networkProfile: {} satisfies Record<
    Missing<azure.compute.VirtualMachineScaleSetNetworkProfileArgs, own.ScaleSetNetworkProfile>,
    true
  >,
  networkConfiguration: {} satisfies Record<
    Missing<
      azure.compute.VirtualMachineScaleSetNetworkConfigurationArgs,
      own.ScaleSetNetworkConfigurationProperties,
      "name"
    >,
    true
  >,
  ipConfiguration: {} satisfies Record<
    Missing<azure.compute.VirtualMachineScaleSetIPConfigurationArgs, own.ScaleSetIpConfigurationProperties, "name">,
    true
  >,
  publicIpConfiguration: {} satisfies Record<
    Missing<
      azure.compute.VirtualMachineScaleSetPublicIPAddressConfigurationArgs,
      own.ScaleSetPublicIpConfigurationProperties,
      "name" | "sku"
    >,
    true
  >,
  extensionProfile: {} satisfies Record<
    Missing<azure.compute.VirtualMachineScaleSetExtensionProfileArgs, own.ScaleSetExtensionProfile>,
    true
  >,
  extension: {} satisfies Record<
    Missing<azure.compute.VirtualMachineScaleSetExtensionArgs, own.ScaleSetExtensionProperties, "name">,
    true
  >,
  extraProperties: {} satisfies Record<
    Missing<VirtualMachineScaleSetArgs, own.ScaleSetExtraProperties, DedicatedPropertyName>,
    true
  >,
};

describe("ScaleSetWithIdentity's own argument types", () => {
  it("name every property azure-native names at the levels the component types (checked by tsc)", () => {
    deepEqual(
      Object.entries(missing).filter(([, keys]) => Object.keys(keys).length > 0),
      [],
    );
  });
});
