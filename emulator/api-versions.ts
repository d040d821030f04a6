// Which api-versions each emulated resource type serves, and what a version changes.
// Sources: docs/arm-behavior.md, "Shapes by api-version"; docs/arm-behavior.md, "api-versions".

/** Microsoft.Compute/virtualMachineScaleSets versions the service accepts, newest first (docs/arm-behavior.md). */
export const SCALE_SET_API_VERSIONS: readonly string[] = [
  "2026-04-01", // answered 200 in May 2026, not yet in the published specs (docs/arm-behavior.md)
  "2026-03-01",
  "2025-11-01",
  "2025-04-01",
  "2024-11-01",
  "2024-07-01",
  "2024-03-01",
  "2023-09-01",
  "2023-07-01",
  "2023-03-01",
  "2022-11-01",
  "2022-08-01",
  "2022-03-01",
  "2021-11-01",
  "2021-07-01",
  "2021-04-01",
  "2021-03-01",
  "2020-12-01",
  "2020-06-01",
  "2019-12-01",
  "2019-07-01",
  "2019-03-01",
  "2018-10-01",
  "2018-06-01",
  "2018-04-01",
  "2017-12-01",
  "2017-03-30",
  "2016-04-30-preview",
  "2016-03-30",
  "2015-06-15",
];

/** Microsoft.ManagedIdentity/userAssignedIdentities versions in real use (docs/arm-behavior.md), newest first. */
export const USER_ASSIGNED_IDENTITY_API_VERSIONS: readonly string[] = [
  "2025-05-31-preview",
  "2025-01-31-preview",
  "2024-11-30",
  "2023-07-31-preview",
  "2023-01-31",
  "2022-01-31-preview",
  "2021-09-30-preview",
  "2018-11-30",
  "2015-08-31-preview",
];

/**
 * Microsoft.Authorization/roleAssignments versions with a RoleAssignmentsCalls spec in azure-rest-api-specs (stable and
 * preview), newest first (docs/arm-behavior.md, "Role assignments").
 */
export const ROLE_ASSIGNMENT_API_VERSIONS: readonly string[] = [
  "2022-04-01",
  "2022-01-01-preview",
  "2021-04-01-preview",
  "2020-10-01-preview",
  "2020-08-01-preview",
  "2020-04-01-preview",
  "2020-03-01-preview",
  "2018-09-01-preview",
  "2018-01-01-preview",
  "2017-10-01-preview",
  "2015-07-01",
];

/** Microsoft.Authorization/roleDefinitions versions with a RoleDefinitionsCalls spec, newest first. */
export const ROLE_DEFINITION_API_VERSIONS: readonly string[] = [
  "2022-05-01-preview",
  "2022-04-01",
  "2018-01-01-preview",
  "2017-10-01-preview",
  "2015-07-01",
];

const SCALE_SET_VERSIONS = new Set(SCALE_SET_API_VERSIONS);
const IDENTITY_VERSIONS = new Set(USER_ASSIGNED_IDENTITY_API_VERSIONS);
const API_VERSION_SHAPE = /^\d{4}-\d{2}-\d{2}(-[A-Za-z0-9]+)?$/;

/** True when `value` looks like an ARM api-version (yyyy-MM-dd with an optional -suffix). */
export function isWellFormedApiVersion(value: string): boolean {
  return API_VERSION_SHAPE.test(value);
}

/** True when the scale-set resource type serves `apiVersion`. */
export function isScaleSetApiVersion(apiVersion: string): boolean {
  return SCALE_SET_VERSIONS.has(apiVersion);
}

/** True when the user-assigned identity resource type serves `apiVersion`. */
export function isIdentityApiVersion(apiVersion: string): boolean {
  return IDENTITY_VERSIONS.has(apiVersion);
}

/** How a scale-set api-version writes user-assigned identities. */
export type IdentityFormat = "identityIds" | "dictionary";

/**
 * `identityIds` array for 2018-04-01 and older (2017-12-01 introduced it; older versions are served the
 * same way by the emulator), the `userAssignedIdentities` dictionary from 2018-06-01 on (docs/arm-behavior.md, "Shapes by api-version").
 */
export function identityFormat(apiVersion: string): IdentityFormat {
  return apiVersion < "2018-06-01" ? "identityIds" : "dictionary";
}

/**
 * ETag header and body `etag`, If-Match and If-None-Match: from 2024-03-01 on. The spec adds the body
 * property at 2023-09-01 but the service answered without it then (docs/arm-behavior.md, "Shapes by api-version").
 */
export function supportsEtag(apiVersion: string): boolean {
  return apiVersion >= "2024-03-01";
}
