/**
 * Argument types of {@link ScaleSetWithIdentity}, in ARM's JSON shape (Compute api-version 2024-11-01).
 *
 * They are the package's own, so that a TypeScript program compiles without `@pulumi/azure-native` (an optional peer
 * dependency). Every property ARM documents at the levels the component reads is named here (a misspelt one is a
 * compile error); deeper objects (`imageReference`, `osDisk`, `linuxConfiguration`, …) are ARM JSON objects sent as
 * given. Programs that use azure-native get its precise types for those too from `pulumi-vmss-identity/azure-native`
 * (`components/azureNativeArgs.ts`), assignable to these. Where azure-native flattens ARM's `properties` wrappers
 * (network interface and IP configurations, extensions), these types keep ARM's JSON shape, as the how-to sends it
 * (the how-to: docs/arm-behavior.md), because the body goes to ARM verbatim.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { EnvironmentName } from "../provider/grammar/cloud";
import type { VmssIdentityCredentials } from "../provider/credentials";
import type { VmssManagedIdentityArgs } from "../provider/vmssManagedIdentity";

/**
 * An ARM JSON object (ARM's property names, e.g. `{ publisher, offer, sku, version }` for an `imageReference`),
 * sent as given; nested values may be `pulumi.Input`s.
 */
export type ArmJsonObject = object;

/** `sku` of a scale set: `{ name, tier?, capacity? }` (capacity = number of virtual machines). */
export interface ScaleSetSku {
  /** VM size, e.g. `Standard_B1s`. */
  name?: pulumi.Input<string | undefined>;
  /** `Standard` or `Basic`. */
  tier?: pulumi.Input<string | undefined>;
  /** Number of virtual machines, a whole number, 0 or more. */
  capacity?: pulumi.Input<number | undefined>;
}

/** `properties.upgradePolicy`: `{ mode: "Manual" | "Automatic" | "Rolling", … }`. */
export interface ScaleSetUpgradePolicy {
  /** `Manual`, `Automatic` or `Rolling`. */
  mode?: pulumi.Input<string | undefined>;
  /** `rollingUpgradePolicy` (batch percentages, pause time, …), ARM shape. */
  rollingUpgradePolicy?: pulumi.Input<ArmJsonObject | undefined>;
  /** `automaticOSUpgradePolicy`, ARM shape. */
  automaticOSUpgradePolicy?: pulumi.Input<ArmJsonObject | undefined>;
}

/** `virtualMachineProfile.osProfile`, ARM shape. `adminPassword` and `customData` become Pulumi secrets. */
export interface ScaleSetOsProfile {
  /** Prefix of the virtual machines' computer names (1-15 characters Windows, 1-64 Linux). Replaces on change. */
  computerNamePrefix?: pulumi.Input<string | undefined>;
  /** Administrator account name. Replaces on change. */
  adminUsername?: pulumi.Input<string | undefined>;
  /** Administrator password; kept as a Pulumi secret. */
  adminPassword?: pulumi.Input<string | undefined>;
  /** Base64 custom data; kept as a Pulumi secret. */
  customData?: pulumi.Input<string | undefined>;
  /** `linuxConfiguration` (SSH keys, password authentication, patch settings), ARM shape. */
  linuxConfiguration?: pulumi.Input<ArmJsonObject | undefined>;
  /** `windowsConfiguration`, ARM shape. */
  windowsConfiguration?: pulumi.Input<ArmJsonObject | undefined>;
  /** Key Vault certificate groups, ARM shape. */
  secrets?: pulumi.Input<pulumi.Input<ArmJsonObject>[] | undefined>;
  /** Whether extensions may be installed. */
  allowExtensionOperations?: pulumi.Input<boolean | undefined>;
  /** Whether the guest must signal provisioning. */
  requireGuestProvisionSignal?: pulumi.Input<boolean | undefined>;
}

/** `virtualMachineProfile.storageProfile`, ARM shape. */
export interface ScaleSetStorageProfile {
  /** `imageReference`: `{ publisher, offer, sku, version }` or `{ id }`, ARM shape. */
  imageReference?: pulumi.Input<ArmJsonObject | undefined>;
  /** `osDisk`: `{ createOption, caching, managedDisk, diskSizeGB, … }`, ARM shape. */
  osDisk?: pulumi.Input<ArmJsonObject | undefined>;
  /** Data disks, ARM shape. */
  dataDisks?: pulumi.Input<pulumi.Input<ArmJsonObject>[] | undefined>;
  /** `SCSI` or `NVMe`. */
  diskControllerType?: pulumi.Input<string | undefined>;
}

/** A public IP configuration of an IP configuration, ARM shape `{ name, properties?, sku? }`. */
export interface ScaleSetPublicIpConfiguration {
  /** Name of the public IP configuration. */
  name: pulumi.Input<string>;
  /** ARM's `properties` (idle timeout, DNS settings, IP tags, prefix, version, delete option). */
  properties?: pulumi.Input<ScaleSetPublicIpConfigurationProperties | undefined>;
  /** SKU of the public IP addresses: `{ name: "Basic" | "Standard", tier: "Regional" | "Global" }`. */
  sku?: pulumi.Input<{ name?: pulumi.Input<string | undefined>; tier?: pulumi.Input<string | undefined> } | undefined>;
}

/** ARM's `properties` of a public IP configuration. */
export interface ScaleSetPublicIpConfigurationProperties {
  /** Idle timeout of the public IP addresses, in minutes. */
  idleTimeoutInMinutes?: pulumi.Input<number | undefined>;
  /** `dnsSettings`: `{ domainNameLabel, domainNameLabelScope? }`. */
  dnsSettings?: pulumi.Input<ArmJsonObject | undefined>;
  /** IP tags, ARM shape. */
  ipTags?: pulumi.Input<pulumi.Input<ArmJsonObject>[] | undefined>;
  /** `publicIPPrefix`: `{ id }`. */
  publicIPPrefix?: pulumi.Input<ArmJsonObject | undefined>;
  /** `IPv4` or `IPv6`. */
  publicIPAddressVersion?: pulumi.Input<string | undefined>;
  /** `Delete` or `Detach`, when the virtual machine is deleted. */
  deleteOption?: pulumi.Input<string | undefined>;
}

/** ARM's `properties` of an IP configuration. */
export interface ScaleSetIpConfigurationProperties {
  /** `subnet`: `{ id }`. */
  subnet?: pulumi.Input<ArmJsonObject | undefined>;
  /** Whether this is the primary IP configuration. */
  primary?: pulumi.Input<boolean | undefined>;
  /** Public IP addresses per virtual machine, ARM shape. */
  publicIPAddressConfiguration?: pulumi.Input<ScaleSetPublicIpConfiguration | undefined>;
  /** `IPv4` or `IPv6`. */
  privateIPAddressVersion?: pulumi.Input<string | undefined>;
  /** Application gateway backend pools: `[{ id }]`. */
  applicationGatewayBackendAddressPools?: pulumi.Input<pulumi.Input<ArmJsonObject>[] | undefined>;
  /** Application security groups: `[{ id }]`. */
  applicationSecurityGroups?: pulumi.Input<pulumi.Input<ArmJsonObject>[] | undefined>;
  /** Load balancer backend pools: `[{ id }]`. */
  loadBalancerBackendAddressPools?: pulumi.Input<pulumi.Input<ArmJsonObject>[] | undefined>;
  /** Load balancer inbound NAT pools: `[{ id }]`. */
  loadBalancerInboundNatPools?: pulumi.Input<pulumi.Input<ArmJsonObject>[] | undefined>;
}

/** An IP configuration of a network interface configuration, ARM shape `{ name, properties }`. */
export interface ScaleSetIpConfiguration {
  /** Name of the IP configuration. */
  name: pulumi.Input<string>;
  /** Subnet, load balancer pools, primary flag… */
  properties?: pulumi.Input<ScaleSetIpConfigurationProperties | undefined>;
}

/** ARM's `properties` of a network interface configuration. */
export interface ScaleSetNetworkConfigurationProperties {
  /** The IP configurations of the network interface, ARM shape. */
  ipConfigurations: pulumi.Input<pulumi.Input<ScaleSetIpConfiguration>[]>;
  /** Whether this is the primary network interface. */
  primary?: pulumi.Input<boolean | undefined>;
  /** Accelerated networking. */
  enableAcceleratedNetworking?: pulumi.Input<boolean | undefined>;
  /** IP forwarding. */
  enableIPForwarding?: pulumi.Input<boolean | undefined>;
  /** FPGA networking. */
  enableFpga?: pulumi.Input<boolean | undefined>;
  /** Whether TCP state tracking is disabled. */
  disableTcpStateTracking?: pulumi.Input<boolean | undefined>;
  /** `networkSecurityGroup`: `{ id }`. */
  networkSecurityGroup?: pulumi.Input<ArmJsonObject | undefined>;
  /** `dnsSettings`: `{ dnsServers }`. */
  dnsSettings?: pulumi.Input<ArmJsonObject | undefined>;
  /** `Delete` or `Detach`, when the virtual machine is deleted. */
  deleteOption?: pulumi.Input<string | undefined>;
  /** `None`, `AcceleratedConnections` or `Floating`. */
  auxiliaryMode?: pulumi.Input<string | undefined>;
  /** `None`, `A1`, `A2`, `A4` or `A8`. */
  auxiliarySku?: pulumi.Input<string | undefined>;
}

/** A network interface configuration, ARM shape `{ name, properties: { primary, ipConfigurations, … } }`. */
export interface ScaleSetNetworkConfiguration {
  /** Name of the network interface configuration. */
  name: pulumi.Input<string>;
  /** Primary flag, IP forwarding, accelerated networking, IP configurations… */
  properties: pulumi.Input<ScaleSetNetworkConfigurationProperties>;
}

/** `virtualMachineProfile.networkProfile`, ARM shape. */
export interface ScaleSetNetworkProfile {
  /** The network interface configurations of every virtual machine. */
  networkInterfaceConfigurations?: pulumi.Input<pulumi.Input<ScaleSetNetworkConfiguration>[] | undefined>;
  /** `healthProbe`: `{ id }` of a load balancer probe. */
  healthProbe?: pulumi.Input<ArmJsonObject | undefined>;
  /** Network api-version of the network interfaces (Flexible orchestration), e.g. `2020-11-01`. */
  networkApiVersion?: pulumi.Input<string | undefined>;
}

/** ARM's `properties` of a scale set extension. `protectedSettings` is kept as a Pulumi secret. */
export interface ScaleSetExtensionProperties {
  /** Publisher, e.g. `Microsoft.Azure.Extensions`. */
  publisher?: pulumi.Input<string | undefined>;
  /** Type, e.g. `CustomScript`. */
  type?: pulumi.Input<string | undefined>;
  /** Version, e.g. `2.1`. */
  typeHandlerVersion?: pulumi.Input<string | undefined>;
  /** Whether a newer minor version is used when available at deployment. */
  autoUpgradeMinorVersion?: pulumi.Input<boolean | undefined>;
  /** Whether the platform upgrades the extension automatically. */
  enableAutomaticUpgrade?: pulumi.Input<boolean | undefined>;
  /** Changing it re-runs the extension. */
  forceUpdateTag?: pulumi.Input<string | undefined>;
  /** Public settings, JSON. */
  settings?: pulumi.Input<unknown | undefined>;
  /** Protected settings, JSON; kept as a Pulumi secret. */
  protectedSettings?: pulumi.Input<unknown | undefined>;
  /** `protectedSettingsFromKeyVault`: `{ secretUrl, sourceVault: { id } }`. */
  protectedSettingsFromKeyVault?: pulumi.Input<ArmJsonObject | undefined>;
  /** Names of the extensions this one is provisioned after. */
  provisionAfterExtensions?: pulumi.Input<pulumi.Input<string>[] | undefined>;
  /** Whether failures of the extension are ignored. */
  suppressFailures?: pulumi.Input<boolean | undefined>;
}

/**
 * A scale set extension, ARM shape `{ name, properties: { publisher, type, typeHandlerVersion, settings,
 * protectedSettings, … } }`. `properties.protectedSettings` is taken out of the body and kept as a Pulumi secret.
 */
export interface ScaleSetExtension {
  /** Name of the extension; required when it has `protectedSettings` (they are matched back by name). */
  name?: pulumi.Input<string | undefined>;
  /** Publisher, type, version, settings, protected settings… */
  properties?: pulumi.Input<ScaleSetExtensionProperties | undefined>;
}

/** `virtualMachineProfile.extensionProfile`, ARM shape. */
export interface ScaleSetExtensionProfile {
  /** The extensions of every virtual machine. */
  extensions?: pulumi.Input<pulumi.Input<ScaleSetExtension>[] | undefined>;
  /** Time budget of all extensions, ISO 8601 duration (`PT15M` to `PT2H`). */
  extensionsTimeBudget?: pulumi.Input<string | undefined>;
}

/**
 * `properties.virtualMachineProfile` in ARM's JSON shape: storage, OS, network and extension profiles, with ARM's
 * `properties` wrappers. `osProfile.adminPassword`, `osProfile.customData` and every extension's
 * `properties.protectedSettings` become Pulumi secrets.
 */
export interface ScaleSetVmProfile {
  /** OS profile: computer name prefix, administrator, Linux or Windows configuration. */
  osProfile?: pulumi.Input<ScaleSetOsProfile | undefined>;
  /** Storage profile: image, OS disk, data disks. */
  storageProfile?: pulumi.Input<ScaleSetStorageProfile | undefined>;
  /** Network interfaces of every virtual machine, ARM shape. */
  networkProfile?: pulumi.Input<ScaleSetNetworkProfile | undefined>;
  /** Extensions of every virtual machine, ARM shape. */
  extensionProfile?: pulumi.Input<ScaleSetExtensionProfile | undefined>;
  /** `diagnosticsProfile`: `{ bootDiagnostics: { enabled, storageUri? } }`. */
  diagnosticsProfile?: pulumi.Input<ArmJsonObject | undefined>;
  /** `securityProfile` (trusted launch, encryption at host, …), ARM shape. */
  securityProfile?: pulumi.Input<ArmJsonObject | undefined>;
  /** `hardwareProfile`: `{ vmSizeProperties }`. */
  hardwareProfile?: pulumi.Input<ArmJsonObject | undefined>;
  /** `Regular`, `Low` or `Spot`. */
  priority?: pulumi.Input<string | undefined>;
  /** `Deallocate` or `Delete` (Spot virtual machines). */
  evictionPolicy?: pulumi.Input<string | undefined>;
  /** `billingProfile`: `{ maxPrice }`. */
  billingProfile?: pulumi.Input<ArmJsonObject | undefined>;
  /** `scheduledEventsProfile`, ARM shape. */
  scheduledEventsProfile?: pulumi.Input<ArmJsonObject | undefined>;
  /** `Windows_Client`, `Windows_Server`, `RHEL_BYOS`, `SLES_BYOS`… */
  licenseType?: pulumi.Input<string | undefined>;
  /** Base64 user data. */
  userData?: pulumi.Input<string | undefined>;
  /** `capacityReservation`: `{ capacityReservationGroup: { id } }`. */
  capacityReservation?: pulumi.Input<ArmJsonObject | undefined>;
  /** `applicationProfile`: `{ galleryApplications }`. */
  applicationProfile?: pulumi.Input<ArmJsonObject | undefined>;
  /** `serviceArtifactReference`: `{ id }`. */
  serviceArtifactReference?: pulumi.Input<ArmJsonObject | undefined>;
  /** `securityPostureReference`, ARM shape. */
  securityPostureReference?: pulumi.Input<ArmJsonObject | undefined>;
}

/**
 * Any other property of ARM's `properties` object of a scale set, sent as given. Nested objects are ARM JSON
 * objects; `pulumi-vmss-identity/azure-native` types them as azure-native does.
 */
export interface ScaleSetExtraProperties {
  /** Whether the scale set is limited to one placement group (at most 100 virtual machines). */
  singlePlacementGroup?: pulumi.Input<boolean | undefined>;
  /** Whether virtual machines are spread evenly across zones. */
  zoneBalance?: pulumi.Input<boolean | undefined>;
  /** Fault domain count of each placement group. Replaces on change. */
  platformFaultDomainCount?: pulumi.Input<number | undefined>;
  /** `Uniform` or `Flexible`. Replaces on change. */
  orchestrationMode?: pulumi.Input<string | undefined>;
  /** `proximityPlacementGroup`: `{ id }`. */
  proximityPlacementGroup?: pulumi.Input<ArmJsonObject | undefined>;
  /** `hostGroup`: `{ id }`. */
  hostGroup?: pulumi.Input<ArmJsonObject | undefined>;
  /** `additionalCapabilities`: `{ ultraSSDEnabled, hibernationEnabled }`. */
  additionalCapabilities?: pulumi.Input<ArmJsonObject | undefined>;
  /** `scaleInPolicy`: `{ rules, forceDeletion }`. */
  scaleInPolicy?: pulumi.Input<ArmJsonObject | undefined>;
  /** `automaticRepairsPolicy`: `{ enabled, gracePeriod, repairAction }`. */
  automaticRepairsPolicy?: pulumi.Input<ArmJsonObject | undefined>;
  /** `spotRestorePolicy`: `{ enabled, restoreTimeout }`. */
  spotRestorePolicy?: pulumi.Input<ArmJsonObject | undefined>;
  /** `priorityMixPolicy` (Flexible orchestration), ARM shape. */
  priorityMixPolicy?: pulumi.Input<ArmJsonObject | undefined>;
  /** Whether extensions run only on the virtual machines kept after overprovisioning. */
  doNotRunExtensionsOnOverprovisionedVMs?: pulumi.Input<boolean | undefined>;
  /** Whether the capacity is limited to the quota available. */
  constrainedMaximumCapacity?: pulumi.Input<boolean | undefined>;
  /** `resiliencyPolicy`, ARM shape. */
  resiliencyPolicy?: pulumi.Input<ArmJsonObject | undefined>;
  /** `scheduledEventsPolicy`, ARM shape. */
  scheduledEventsPolicy?: pulumi.Input<ArmJsonObject | undefined>;
  /** `skuProfile` (several VM sizes, Flexible orchestration), ARM shape. */
  skuProfile?: pulumi.Input<ArmJsonObject | undefined>;
  /** `Aligned` or `Unaligned`. */
  zonalPlatformFaultDomainAlignMode?: pulumi.Input<string | undefined>;
}

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
   * The principal both children sign in as, instead of the environment's (`ARM_*`/`AZURE_*` variables): `clientId`,
   * `tenantId`, `clientSecret`, `clientCertificatePath`, `useOidc`, `oidcToken`, … as for `VmssManagedIdentity`.
   * Always stored as a secret; a change (a rotated secret) is an update, never a replacement. The provider plugin
   * does not take it: there the component's children sign in as their provider's principal (its configuration).
   */
  readonly credentials?: pulumi.Input<VmssIdentityCredentials>;
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
