// Shared fixtures of the identity algebra tests: the how-to's identities with a real subscription GUID in place
// of its "<SUBSCRIPTION ID>" placeholder, spelt as the how-to spells them (`resourcegroups`) and canonically.

export const SUB = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

/** An identity ID as the how-to and the Managed Identity service spell it (lower-case `resourcegroups`). */
export function docId(name: string, rg = "myResourceGroup"): string {
  return `/subscriptions/${SUB}/resourcegroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
}

/** The canonical spelling of {@link docId}. */
export function canonicalId(name: string, rg = "myResourceGroup"): string {
  return `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
}

export const ID1 = canonicalId("ID1");
export const ID2 = canonicalId("ID2");
export const ID3 = canonicalId("ID3");

export const SCALE_SET_ID = `/subscriptions/${SUB}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/virtualMachineScaleSets/myVMSS`;

export const SYSTEM_PRINCIPAL = "249cbddd-667e-47d7-a927-a4ae18fb422b";
export const TENANT = "54826b22-38d6-4fb2-bad9-b7b93a3e9c5a";

/**
 * The `identity` of a GET response (2018-06-01+) as Compute returns it: canonical type, read-only values filled
 * (shape of the Azure CLI's recording test_vmss_explicit_msi, 2023-12: docs/arm-behavior.md), keys as given.
 */
export function getIdentity(system: boolean, userIds: string[]): Record<string, unknown> | undefined {
  if (!system && userIds.length === 0) return undefined;
  const identity: Record<string, unknown> = {
    type: system ? (userIds.length > 0 ? "SystemAssigned, UserAssigned" : "SystemAssigned") : "UserAssigned",
  };
  if (system) {
    identity.principalId = SYSTEM_PRINCIPAL;
    identity.tenantId = TENANT;
  }
  if (userIds.length > 0) {
    identity.userAssignedIdentities = Object.fromEntries(
      userIds.map((id, i) => [
        id,
        { principalId: `aaaaaaaa-0000-0000-0000-00000000000${i}`, clientId: `cccccccc-0000-0000-0000-00000000000${i}` },
      ]),
    );
  }
  return identity;
}

/** The same identity as a 2017-12-01 GET returns it (`identityIds` array). */
export function getIdentity2017(system: boolean, userIds: string[]): Record<string, unknown> | undefined {
  const identity = getIdentity(system, userIds);
  if (identity === undefined) return undefined;
  delete identity.userAssignedIdentities;
  if (userIds.length > 0) identity.identityIds = [...userIds];
  return identity;
}
