/**
 * The request bodies of the `ScaleSet` resource: the creation PUT and the update PATCH. Pure.
 *
 * - Create is the how-to's body (the how-to, "during creation"): `sku`,
 *   `location`, `identity` in the api-version's format, `properties` (`overprovision`, `virtualMachineProfile`,
 *   `upgradePolicy`, the extra properties), then `tags` and `zones`; the secrets merged back in.
 * - Update is a PATCH of what changed, never carrying `identity`: a PATCH without `identity` leaves it as it is
 *   (docs/arm-behavior.md, "PATCH merge rules"), so identities that a `VmssManagedIdentity` or anything else
 *   assigned after creation survive. A PUT would replace the identity with the one sent.
 */
import { type BodyFormat, identityForCreate } from "../provider/identity";
import { jsonEqual } from "../provider/jsonEqual";
import { type SecretProperties, isPlainObject, mergeSecrets } from "./secretProperties";

type Json = Record<string, unknown>;

/** The inputs of a `ScaleSet` after `check` (plain values, validated). */
export interface ScaleSetInputs {
  subscriptionId: string;
  resourceGroupName: string;
  scaleSetName: string;
  location: string;
  sku: Json;
  upgradePolicy?: Json;
  overprovision?: boolean;
  virtualMachineProfile?: Json;
  tags?: Record<string, string>;
  zones?: string[];
  extraProperties?: Json;
  systemAssigned?: boolean;
  userAssignedIdentities?: string[];
  apiVersion?: string;
  environment?: string;
  endpoint?: string;
  /** Explicit credential settings (provider/credentials.ts): which principal signs the requests, never in a body. */
  credentials?: Json;
  secretProperties?: SecretProperties;
}

/** The body of the PUT that creates the scale set. */
export function createBody(inputs: ScaleSetInputs, format: BodyFormat): Json {
  const body: Json = { sku: inputs.sku, location: inputs.location };
  const identity = identityForCreate(inputs.systemAssigned === true, inputs.userAssignedIdentities ?? [], format);
  if (identity !== undefined) body.identity = identity;
  body.properties = propertiesOf(inputs);
  if (inputs.tags !== undefined) body.tags = inputs.tags;
  if (inputs.zones !== undefined) body.zones = inputs.zones;
  return body;
}

/**
 * The body of the PATCH that takes the scale set from `olds` to `news`, or `undefined` when nothing ARM stores
 * changed. Carries:
 * - `sku` whole, when any of it changed;
 * - `tags` whole (ARM replaces tags as a whole on PATCH: docs/arm-behavior.md, "PATCH merge rules"); `{}` when the argument was removed;
 * - in `properties`, each changed top-level property as a JSON merge patch (RFC 7396, which ARM applies to
 *   `properties`: docs/arm-behavior.md, "PATCH merge rules"): the new value in full, plus `null` for each key the old value had and the new
 *   one lacks, at any depth; `null` for a property no longer declared.
 * Never `identity`, never the replacement-only properties (those go through `diff` as replacements).
 */
export function updateBody(olds: ScaleSetInputs, news: ScaleSetInputs): Json | undefined {
  const body: Json = {};
  if (!jsonEqual(olds.sku, news.sku)) body.sku = news.sku;
  if (!jsonEqual(olds.tags, news.tags)) body.tags = news.tags ?? {};
  const before = propertiesOf(olds);
  const after = propertiesOf(news);
  const properties: Json = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (jsonEqual(before[key], after[key])) continue;
    properties[key] = after[key] === undefined ? null : mergePatch(before[key], after[key]);
  }
  if (Object.keys(properties).length > 0) body.properties = properties;
  return Object.keys(body).length > 0 ? body : undefined;
}

/** ARM's `properties` object for the inputs, secrets merged back into `virtualMachineProfile`. */
function propertiesOf(inputs: ScaleSetInputs): Json {
  const properties: Json = {};
  if (inputs.overprovision !== undefined) properties.overprovision = inputs.overprovision;
  if (inputs.virtualMachineProfile !== undefined) {
    properties.virtualMachineProfile = mergeSecrets(inputs.virtualMachineProfile, inputs.secretProperties);
  }
  if (inputs.upgradePolicy !== undefined) properties.upgradePolicy = inputs.upgradePolicy;
  for (const [key, value] of Object.entries(inputs.extraProperties ?? {})) {
    if (value !== undefined) properties[key] = value;
  }
  return properties;
}

/** The new value in full, with `null` for every key of `before` that `after` lacks (recursively in objects). */
function mergePatch(before: unknown, after: unknown): unknown {
  if (!isPlainObject(before) || !isPlainObject(after)) return after;
  const out: Json = {};
  for (const [key, value] of Object.entries(after)) {
    if (value !== undefined) out[key] = mergePatch(before[key], value);
  }
  for (const key of Object.keys(before)) {
    if (before[key] !== undefined && after[key] === undefined) out[key] = null;
  }
  return out;
}
