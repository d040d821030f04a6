/**
 * Pure validation of `VmssManagedIdentity` inputs, for the provider's `check`: one failure per bad property,
 * naming the value and what was expected; valid values come back canonicalised. No I/O, no credential: a
 * preview runs it with unknown values (the sentinel {@link UNKNOWN}), which always pass through untouched.
 */
// The rpc module alone: the constant without loading the whole SDK into pure code.
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { API_VERSION_EXPECTED, parseApiVersion } from "../grammar/apiVersion";
import { SCALE_SET_ID_SHAPE, USER_IDENTITY_ID_SHAPE, armIdKey, parseScaleSetId } from "../grammar/armId";
import { canonicalIdentityId } from "./identityIds";
import type { Declaration, Mode } from "./declaration";
import { InvalidInputError } from "../errors";
import { describeValue, quote } from "../grammar/describeValue";
import { checkCredentialsInput, checkTargetSettings } from "../grammar/settings";

/** One invalid input: the property and why, as Pulumi's `check` reports it. */
export interface CheckFailure {
  /** The input property, e.g. `scaleSetId`. */
  property: string;
  /** What is wrong: names the value and what was expected. */
  reason: string;
}

/**
 * Pulumi's unknown-value sentinel (`@pulumi/pulumi`'s `runtime.unknownValue`): an input not known yet during a
 * preview, as a dynamic provider's `check` and `diff` receive it. Never a failure.
 */
export const UNKNOWN: string = unknownValue;

/** The key under which Pulumi's dynamic provider host carries the serialised provider; passed through. */
export const PROVIDER_KEY = "__provider";

/** The input properties of a `VmssManagedIdentity`. */
export const DECLARATION_PROPERTIES = [
  "scaleSetId",
  "systemAssigned",
  "userAssignedIdentities",
  "mode",
  "apiVersion",
  "environment",
  "endpoint",
  "adoption",
  "credentials",
] as const;

const MODES: readonly Mode[] = ["additive", "exclusive"];

/** Whether a value is, or (in an array) contains, Pulumi's unknown sentinel. */
export function containsUnknown(value: unknown): boolean {
  return value === UNKNOWN || (Array.isArray(value) && value.some((v) => v === UNKNOWN));
}

/**
 * Validates and canonicalises the inputs of a `VmssManagedIdentity`:
 * - `scaleSetId` (required): a scale set ARM ID, returned in canonical spelling.
 * - `systemAssigned`: `true`, `false` or absent.
 * - `userAssignedIdentities`: an array of user-assigned identity IDs, each in canonical spelling, user order kept
 *   (order is not significant, but reordering a user's list would be surprising); absent becomes `[]`. An
 *   identity listed twice, in any casing, is a failure naming both spellings.
 * - `mode`: `"additive"` (default, filled in) or `"exclusive"` (an absent `systemAssigned` is then filled in as `false`). Exclusive with neither `systemAssigned` nor a
 *   user identity would strip the scale set of every identity, which is more likely a mistake than a wish: it
 *   is a failure; declare `systemAssigned: false` to mean it.
 * - `apiVersion`: a version the scale set type serves (provider/grammar/apiVersion.ts), 2017-12-01 or later; a
 *   version it does not serve fails naming the nearest served ones. Absent stays absent (the provider's default, so a
 *   package upgrade can move it).
 * - `environment`: a cloud name or alias the transport knows (`public`, `AzureCloud`, `AzureUSGovernment`, …, any
 *   casing; provider/grammar/cloud.ts), returned as the canonical name (`public`, `usgovernment`, `china`).
 * - `endpoint`: https URL, or http to a loopback host, no credentials/query/fragment; canonical spelling.
 *   Giving both `environment` and `endpoint` is a failure (on `endpoint`).
 * - `adoption`: `"warn"` (default when absent) or `"silent"`: how `create` reports identities it finds already
 *   assigned and takes over (ScaleSetWithIdentity's child uses "silent": it put them there itself).
 * - any other property is a failure (a misspelt `userAssignedIdentities` must not silently declare nothing),
 *   except the dynamic provider's own `__provider`.
 * `null` counts as absent. Unknown values (anywhere) pass through untouched and are never a failure.
 */
export function validateDeclarationInputs(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
} {
  const inputs: Record<string, unknown> = { ...news };
  const failures: CheckFailure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  const absent = (property: string) => {
    const value = news[property];
    if (value !== undefined && value !== null) return false;
    delete inputs[property];
    return true;
  };

  for (const property of Object.keys(news)) {
    if (property !== PROVIDER_KEY && !(DECLARATION_PROPERTIES as readonly string[]).includes(property)) {
      fail(property, `unknown property; expected one of ${DECLARATION_PROPERTIES.join(", ")}`);
    }
  }

  const scaleSetId = news.scaleSetId;
  if (absent("scaleSetId")) {
    fail("scaleSetId", `missing; expected the ARM ID of a scale set, ${SCALE_SET_ID_SHAPE}`);
  } else if (scaleSetId !== UNKNOWN) {
    const result = canonical(
      scaleSetId,
      (s) => parseScaleSetId(s).id,
      `the ARM ID of a scale set, ${SCALE_SET_ID_SHAPE}`,
    );
    if ("error" in result) fail("scaleSetId", result.error);
    else inputs.scaleSetId = result.value;
  }

  const systemAssigned = news.systemAssigned;
  if (!absent("systemAssigned") && systemAssigned !== UNKNOWN && typeof systemAssigned !== "boolean") {
    fail(
      "systemAssigned",
      `expected true (system identity on), false (off) or nothing (leave it alone), got ${describeValue(systemAssigned)}`,
    );
  }

  if (absent("userAssignedIdentities")) {
    inputs.userAssignedIdentities = [];
  } else if (news.userAssignedIdentities !== UNKNOWN) {
    const result = validateIdentityList(news.userAssignedIdentities);
    if ("error" in result) fail("userAssignedIdentities", result.error);
    else inputs.userAssignedIdentities = result.value;
  }

  const mode = news.mode;
  if (absent("mode")) {
    inputs.mode = "additive";
  } else if (mode !== UNKNOWN && !MODES.includes(mode as Mode)) {
    fail(
      "mode",
      `expected "additive" (the default: never touch identities not listed) or "exclusive" (the scale set gets ` +
        `exactly what is declared), got ${describeValue(mode)}`,
    );
  }
  if (
    inputs.mode === "exclusive" &&
    inputs.systemAssigned === undefined &&
    Array.isArray(inputs.userAssignedIdentities) &&
    inputs.userAssignedIdentities.length === 0
  ) {
    fail(
      "mode",
      `"exclusive" with neither systemAssigned nor userAssignedIdentities would remove every identity of the ` +
        `scale set; declare systemAssigned: false to mean that, or use mode "additive"`,
    );
  }
  // Exclusive owns the whole identity: an absent systemAssigned means off. Saying so in the inputs keeps the stored
  // state (which records the system identity as it is) and the inputs comparable, so there is no perpetual diff.
  if (inputs.mode === "exclusive" && inputs.systemAssigned === undefined) inputs.systemAssigned = false;

  if (!absent("apiVersion") && news.apiVersion !== UNKNOWN) {
    const result = canonical(news.apiVersion, (v) => (parseApiVersion(v), v), API_VERSION_EXPECTED);
    if ("error" in result) fail("apiVersion", result.error);
  }

  if (!absent("adoption") && news.adoption !== UNKNOWN && news.adoption !== "warn" && news.adoption !== "silent") {
    fail("adoption", `expected "warn" or "silent", got ${describeValue(news.adoption)}`);
  }

  // credentials: checked, kept as given (a Pulumi secret in the dynamic door; provider/credentials.ts).
  for (const failure of checkCredentialsInput(news.credentials, UNKNOWN)) fail(failure.property, failure.reason);

  // environment and endpoint: one grammar for every door (provider/grammar/settings.ts).
  const target = checkTargetSettings(
    {
      environment: absent("environment") ? undefined : news.environment,
      endpoint: absent("endpoint") ? undefined : news.endpoint,
    },
    UNKNOWN,
  );
  for (const failure of target.failures) fail(failure.property, failure.reason);
  if (target.settings.environment !== undefined) inputs.environment = target.settings.environment;
  if (target.settings.endpoint !== undefined) inputs.endpoint = target.settings.endpoint;

  return { inputs, failures };
}

/**
 * The {@link Declaration} of validated, known inputs (`userAssignedIdentities` absent means none, `mode` absent
 * means additive).
 * @throws InvalidInputError naming the property when an input has the wrong kind (inputs that did not pass validation).
 */
export function declarationOf(inputs: Record<string, unknown>): Declaration {
  const { systemAssigned, userAssignedIdentities = [], mode = "additive" } = inputs;
  if (systemAssigned !== undefined && systemAssigned !== null && typeof systemAssigned !== "boolean") {
    throw new InvalidInputError(`systemAssigned: expected a boolean or nothing, got ${describeValue(systemAssigned)}`, {
      property: "systemAssigned",
    });
  }
  if (!Array.isArray(userAssignedIdentities) || !userAssignedIdentities.every((id) => typeof id === "string")) {
    throw new InvalidInputError(
      `userAssignedIdentities: expected an array of strings, got ${describeValue(userAssignedIdentities)}`,
      { property: "userAssignedIdentities" },
    );
  }
  if (!MODES.includes(mode as Mode))
    throw new InvalidInputError(`mode: expected "additive" or "exclusive", got ${describeValue(mode)}`, {
      property: "mode",
    });
  const declaration: Declaration = { userAssignedIdentities, mode: mode as Mode };
  if (typeof systemAssigned === "boolean") declaration.systemAssigned = systemAssigned;
  return declaration;
}

function canonical(
  value: unknown,
  parse: (s: string) => string,
  expected: string,
): { value: string } | { error: string } {
  if (typeof value !== "string") return { error: `expected ${expected}, got ${describeValue(value)}` };
  try {
    return { value: parse(value) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function validateIdentityList(value: unknown): { value: unknown[] } | { error: string } {
  if (!Array.isArray(value)) {
    return {
      error: `expected an array of user-assigned identity IDs, ${USER_IDENTITY_ID_SHAPE}, got ${describeValue(value)}`,
    };
  }
  const problems: string[] = [];
  const out: unknown[] = [];
  const firstByKey = new Map<string, { index: number; spelling: string }>();
  value.forEach((element, index) => {
    if (element === UNKNOWN) {
      out.push(element);
      return;
    }
    const result = canonical(element, (s) => canonicalIdentityId(s), `an identity ID, ${USER_IDENTITY_ID_SHAPE}`);
    if ("error" in result) {
      problems.push(`element ${index}: ${result.error}`);
      out.push(element);
      return;
    }
    const key = armIdKey(result.value);
    const first = firstByKey.get(key);
    if (first !== undefined) {
      problems.push(
        `elements ${first.index} and ${index} name the same identity: ${quote(first.spelling)} and ` +
          `${quote(element as string)} (IDs compare case-insensitively); list each identity once`,
      );
    } else {
      firstByKey.set(key, { index, spelling: element as string });
    }
    out.push(result.value);
  });
  return problems.length > 0 ? { error: problems.join("; ") } : { value: out };
}
