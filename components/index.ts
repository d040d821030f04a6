/**
 * Components of pulumi-vmss-identity: {@link ScaleSetWithIdentity} (a scale set created with its identities, managed
 * afterwards by a `VmssManagedIdentity`) and its building block {@link ScaleSet}.
 */
export { ScaleSetWithIdentity, SCALE_SET_WITH_IDENTITY_TYPE } from "./scaleSetWithIdentity";
export type {
  ScaleSetWithIdentityArgs,
  ScaleSetSku,
  ScaleSetUpgradePolicy,
  ScaleSetVmProfile,
  ScaleSetOsProfile,
  ScaleSetStorageProfile,
  ScaleSetNetworkProfile,
  ScaleSetNetworkConfiguration,
  ScaleSetNetworkConfigurationProperties,
  ScaleSetIpConfiguration,
  ScaleSetIpConfigurationProperties,
  ScaleSetPublicIpConfiguration,
  ScaleSetPublicIpConfigurationProperties,
  ScaleSetExtensionProfile,
  ScaleSetExtension,
  ScaleSetExtensionProperties,
  ScaleSetExtraProperties,
  ArmJsonObject,
} from "./scaleSetArgs";
export { ScaleSet, type ScaleSetArgs } from "./scaleSet";
export type { SecretProperties } from "./secretProperties";
