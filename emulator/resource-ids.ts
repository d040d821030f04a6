// ARM resource IDs of the emulated resources: building them in the casing each service returns, and
// parsing user-assigned identity IDs sent in scale-set bodies. IDs compare case-insensitively
// everywhere (docs/arm-behavior.md, "IDs and casing"), so every map in the emulator is keyed by `lookupKey`.

/** A user-assigned identity ID taken apart. */
export interface IdentityRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  /** The lower-cased canonical ID: the key of the identity in the store. */
  lookupKey: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IDENTITY_ID =
  /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.managedidentity\/userassignedidentities\/([^/]+)\/?$/i;

/** True for a GUID in 8-4-4-4-12 form, any case. */
export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** Parses a user-assigned identity ARM ID in any casing; undefined when it is not one. */
export function parseIdentityId(value: string): IdentityRef | undefined {
  const match = IDENTITY_ID.exec(value);
  if (match === null || !isGuid(match[1])) return undefined;
  const [, subscriptionId, resourceGroup, name] = match;
  return { subscriptionId, resourceGroup, name, lookupKey: identityLookupKey(subscriptionId, resourceGroup, name) };
}

/** Store key of a user-assigned identity. */
export function identityLookupKey(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/providers/microsoft.managedidentity/userassignedidentities/${name}`.toLowerCase();
}

/** Store key of a resource group. */
export function resourceGroupLookupKey(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}`.toLowerCase();
}

/** Store key of a scale set. */
export function scaleSetLookupKey(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/providers/microsoft.compute/virtualmachinescalesets/${name}`.toLowerCase();
}

/** Resource group ID as Microsoft.Resources returns it (camel-case `resourceGroups`). */
export function resourceGroupId(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}

/** Scale set ID as Compute returns it (camel-case `resourceGroups`; the Azure CLI's recordings). */
export function scaleSetId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;
}

/**
 * User-assigned identity ID as the Managed Identity service returns it: lower-case `resourcegroups`
 * (docs/arm-behavior.md; pulumi-azure-native#2152; the Azure CLI's recordings of identity PUT responses).
 */
export function identityIdFromManagedIdentity(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
}

/**
 * How Compute spells identity dictionary keys and identityIds in responses:
 * - `canonical`: camel case `/resourceGroups/…/Microsoft.ManagedIdentity/userAssignedIdentities/…`, whatever
 *   the request used (docs/arm-behavior.md; the Azure CLI's recordings of PATCH responses);
 * - `lowercase`: the whole ID lower-cased (terraform-provider-azurerm#10300, PR #10722);
 * - `resourcegroups`: canonical but with lower-case `resourcegroups` (aad-pod-identity docs, docs/arm-behavior.md, "IDs and casing").
 */
export type KeyCasing = "canonical" | "lowercase" | "resourcegroups";

/** All key casings, for validation. */
export const KEY_CASINGS: readonly KeyCasing[] = ["canonical", "lowercase", "resourcegroups"];

/** Spells an identity ID (from the identity's stored names) in the given casing. */
export function identityKey(subscriptionId: string, resourceGroup: string, name: string, casing: KeyCasing): string {
  const canonical = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
  if (casing === "lowercase") return canonical.toLowerCase();
  if (casing === "resourcegroups") return canonical.replace("/resourceGroups/", "/resourcegroups/");
  return canonical;
}

/** Spells an ID sent by a client the way ARM echoes linked scopes and missing identities: lower-case `resourcegroups`. */
export function identityIdAsEchoed(ref: IdentityRef): string {
  return identityIdFromManagedIdentity(ref.subscriptionId, ref.resourceGroup, ref.name);
}

/** Store key of a role assignment: its ID lower-cased. */
export function roleAssignmentLookupKey(scope: string, name: string): string {
  return roleAssignmentId(scope, name).toLowerCase();
}

/** A role assignment's ID: `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`. */
export function roleAssignmentId(scope: string, name: string): string {
  return `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
}
