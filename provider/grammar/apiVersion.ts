/**
 * The one owner of the api-version grammar: the shape of an api-version (what the transport accepts), the versions
 * each resource type this package writes is served at (from the REST specs), and which Compute versions carry
 * user-assigned identities in which body format (docs/arm-behavior.md, "Shapes by api-version").
 *
 * The emulator keeps its own copy of the served lists on purpose (emulator/api-versions.ts), so that it can
 * disagree with the provider the way ARM would.
 */
import { ErrorCodes, InvalidInputError } from "../errors";
import { quote } from "./describeValue";

/** The Compute api-version the provider uses when none is given. */
export const DEFAULT_API_VERSION = "2024-11-01";

/** The first Compute api-version with user-assigned identities (`identityIds`). */
export const FIRST_IDENTITY_API_VERSION = "2017-12-01";

/** The first Compute api-version with the `userAssignedIdentities` dictionary (docs/arm-behavior.md). */
export const FIRST_DICTIONARY_API_VERSION = "2018-06-01";

/** The resource type of a scale set. */
export const SCALE_SET_RESOURCE_TYPE = "Microsoft.Compute/virtualMachineScaleSets";

/** The resource type of a user-assigned identity. */
export const USER_IDENTITY_RESOURCE_TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities";

/**
 * The api-versions ARM serves for each resource type this package knows, newest first. Any other version is answered
 * with 400 `NoRegisteredProviderFound`, so `check` refuses it before `up`.
 *
 * - Scale sets: the versions with a `Microsoft.Compute/virtualMachineScaleSets` resource type in the Compute specs
 *   (https://github.com/Azure/azure-rest-api-specs/tree/main/specification/compute/resource-manager/Microsoft.Compute/ComputeRP),
 *   plus 2026-04-01, which the service answered in May 2026 before its spec was published (docs/arm-behavior.md).
 * - User-assigned identities: the stable and preview folders of the Managed Identity specs
 *   (https://github.com/Azure/azure-rest-api-specs/tree/main/specification/msi/resource-manager/Microsoft.ManagedIdentity).
 *
 * Keys are resource types in lower case (types compare case-insensitively).
 */
export const SERVED_API_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  "microsoft.compute/virtualmachinescalesets": [
    "2026-04-01",
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
  ],
  "microsoft.managedidentity/userassignedidentities": [
    "2026-05-31",
    "2026-04-30",
    "2025-05-31-preview",
    "2025-01-31-preview",
    "2024-11-30",
    "2023-07-31-preview",
    "2023-01-31",
    "2022-01-31-preview",
    "2021-09-30-preview",
    "2018-11-30",
    "2015-08-31-preview",
  ],
};

/** How a request body carries user-assigned identities. */
export type BodyFormat = "dictionary" | "identityIds";

/** A parsed api-version. */
export interface ApiVersion {
  /** `YYYY-MM-DD`. */
  date: string;
  /** Whether it ends in `-preview`. */
  preview: boolean;
}

/** What {@link parseApiVersion} expects (named in error messages). */
export const API_VERSION_EXPECTED =
  `an api-version that ${SCALE_SET_RESOURCE_TYPE} serves, ${FIRST_IDENTITY_API_VERSION} or later ` +
  `(e.g. ${DEFAULT_API_VERSION}; the list is in docs/arm-behavior.md)`;

/** What {@link apiVersionShapeProblem} expects. */
export const API_VERSION_SHAPE_EXPECTED = "an api-version like 2024-11-01 or 2022-01-31-preview";

/** An api-version that is malformed, older than identity support, or not served (code `InvalidApiVersion`). */
export class InvalidApiVersionError extends InvalidInputError {
  override readonly name = "InvalidApiVersionError";
  /** The rejected input. */
  readonly value: string;

  constructor(value: string, reason: string, expected: string = API_VERSION_EXPECTED) {
    super(`invalid api-version ${quote(value)}: ${reason}; expected ${expected}`, {
      code: ErrorCodes.invalidApiVersion,
    });
    this.value = value;
  }
}

const SHAPE = /^(\d{4})-(\d{2})-(\d{2})(-[A-Za-z0-9]+)*$/;
const API_VERSION = /^(\d{4})-(\d{2})-(\d{2})(-preview)?$/;

/**
 * The generic shape every ARM api-version has (`YYYY-MM-DD` with optional `-suffix`es such as `-preview`): what the
 * transport checks before sending, for any resource type.
 * @returns undefined when well-formed, else what was expected.
 */
export function apiVersionShapeProblem(value: string): string | undefined {
  return typeof value === "string" && SHAPE.test(value) ? undefined : `expected ${API_VERSION_SHAPE_EXPECTED}`;
}

/** The api-versions ARM serves for `resourceType` (any casing), newest first; `undefined` for a type not listed. */
export function servedApiVersions(resourceType: string): readonly string[] | undefined {
  return SERVED_API_VERSIONS[resourceType.toLowerCase()];
}

/**
 * The served versions nearest to `value` that are not newer than it (an api-version that is not served most likely
 * names a date between two releases, and the release before it is what it meant), newest first; the oldest served
 * versions after it when fewer than `count` come before it.
 */
export function nearestServedVersions(served: readonly string[], value: string, count = 2): string[] {
  const date = value.slice(0, 10);
  const before = served.filter((v) => v.slice(0, 10) <= date);
  const after = served.filter((v) => v.slice(0, 10) > date).reverse();
  return [...before, ...after].slice(0, count);
}

/**
 * Whether `resourceType` is served at `apiVersion`.
 * @returns undefined when it is (or when the type is not one this package knows), else the reason, naming the nearest
 *   served versions, e.g. `Microsoft.Compute/virtualMachineScaleSets does not serve 2018-12-01; the nearest served
 *   versions are 2018-10-01, 2018-06-01`.
 */
export function unservedApiVersionProblem(resourceType: string, apiVersion: string): string | undefined {
  const served = servedApiVersions(resourceType);
  if (served === undefined || served.includes(apiVersion)) return undefined;
  return (
    `${resourceType} does not serve ${apiVersion}; ` +
    `the nearest served versions are ${nearestServedVersions(served, apiVersion).join(", ")}`
  );
}

/**
 * Parses a Compute api-version for identities: a version the scale set type serves, 2017-12-01 or later.
 * @throws InvalidApiVersionError naming the value, the problem (with the nearest served versions) and what is
 *   expected.
 */
export function parseApiVersion(value: string): ApiVersion {
  const match = typeof value === "string" ? API_VERSION.exec(value) : null;
  if (match === null) throw new InvalidApiVersionError(String(value), "not in the form YYYY-MM-DD[-preview]");
  const [, year, month, day, preview] = match as unknown as [string, string, string, string, string | undefined];
  const date = `${year}-${month}-${day}`;
  const parsed = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) {
    throw new InvalidApiVersionError(value, `${date} is not a calendar date`);
  }
  if (date < FIRST_IDENTITY_API_VERSION) {
    throw new InvalidApiVersionError(value, "it predates user-assigned identities on scale sets");
  }
  const unserved = unservedApiVersionProblem(SCALE_SET_RESOURCE_TYPE, value);
  if (unserved !== undefined) throw new InvalidApiVersionError(value, unserved);
  return { date, preview: preview !== undefined };
}

/**
 * The body format of an api-version: `identityIds` (a whole array, replaced on PATCH) before 2018-06-01, i.e.
 * 2017-12-01 and 2018-04-01; the `userAssignedIdentities` dictionary (merge-patched) from 2018-06-01 on.
 * @throws InvalidApiVersionError for a malformed version or one without identity support.
 */
export function bodyFormatFor(apiVersion: string): BodyFormat {
  return parseApiVersion(apiVersion).date < FIRST_DICTIONARY_API_VERSION ? "identityIds" : "dictionary";
}
