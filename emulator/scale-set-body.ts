// The scale-set resource body: what the emulator keeps from a PUT, how a PATCH merges into it, and the
// response shape. Key order follows the recorded GET/PATCH responses (the Azure CLI's recordings: docs/arm-behavior.md): name, id,
// type, location, tags, identity, sku, properties.
import { identityFormat, supportsEtag } from "./api-versions";
import { invalidRequestContent } from "./arm-errors";
import { isPlainObject, property, renderIdentity } from "./identity";
import { scaleSetId, type KeyCasing } from "./resource-ids";
import type { ScaleSetRecord } from "./store";
import { checkTags } from "./naming-rules";

/** Top-level properties of VirtualMachineScaleSet a client may write (derived bicep types, 2018-06-01 to 2026-03-01). */
const WRITABLE = ["sku", "plan", "properties", "zones", "extendedLocation", "tags", "placement"] as const;
/** Of those, what VirtualMachineScaleSetUpdate (PATCH) accepts (docs/arm-behavior.md, "Shapes by api-version"). */
const PATCHABLE = ["sku", "plan", "properties", "zones", "tags"] as const;
/** Read-only values under `properties` that clients echo back and the service ignores. */
const READ_ONLY_PROPERTIES = ["provisioningState", "uniqueId", "timeCreated"];

/**
 * The writable part of a PUT body. Unknown top-level properties are dropped, as the service's
 * deserialiser drops them; read-only ones too (`id`, `name`, `type`, `etag`, `identity` is handled apart).
 */
export function writableResource(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of WRITABLE) {
    const value = property(body, name);
    if (value !== undefined && value !== null) out[name] = checkedValue(name, value);
  }
  if (isPlainObject(out.properties)) out.properties = withoutReadOnly(out.properties);
  return out;
}

/**
 * Applies a PATCH body to the stored resource: `properties`, `sku` and `plan` are JSON merge-patched
 * (RFC 7396, as the ARM RPC prescribes for PATCH), `tags` and `zones` are replaced wholesale.
 */
export function patchedResource(
  stored: Record<string, unknown>,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const out = structuredClone(stored);
  for (const name of PATCHABLE) {
    const value = property(body, name);
    if (value === undefined) continue;
    if (value === null) {
      delete out[name];
      continue;
    }
    const checked = checkedValue(name, value);
    out[name] = name === "tags" || name === "zones" ? checked : mergePatch(out[name], checked);
  }
  if (isPlainObject(out.properties)) out.properties = withoutReadOnly(out.properties);
  return out;
}

/** The scale set as a response shows it at `apiVersion`. */
export function renderScaleSet(record: ScaleSetRecord, apiVersion: string, casing: KeyCasing): Record<string, unknown> {
  const { tags, sku, properties, ...rest } = record.resource;
  const out: Record<string, unknown> = {
    name: record.name,
    id: scaleSetId(record.subscriptionId, record.resourceGroup, record.name),
    type: "Microsoft.Compute/virtualMachineScaleSets",
    location: record.location,
  };
  if (tags !== undefined) out.tags = tags;
  const identity = renderIdentity(record.identity, identityFormat(apiVersion), casing);
  if (identity !== undefined) out.identity = identity;
  if (sku !== undefined) out.sku = sku;
  Object.assign(out, rest);
  if (supportsEtag(apiVersion)) out.etag = etagValue(record);
  out.properties = {
    ...(isPlainObject(properties) ? properties : {}),
    provisioningState: record.provisioningState,
    uniqueId: record.uniqueId,
    timeCreated: record.timeCreated,
  };
  return out;
}

/** ETag as header and body carry it: the counter in double quotes (docs/arm-behavior.md, "Shapes by api-version"). */
export function etagValue(record: ScaleSetRecord): string {
  return `"${record.etag}"`;
}

function checkedValue(name: string, value: unknown): unknown {
  const wantsArray = name === "zones";
  if (wantsArray ? !Array.isArray(value) : !isPlainObject(value)) {
    throw invalidRequestContent(
      `Error converting value ${JSON.stringify(value)} to type '${wantsArray ? "IList<string>" : name}'. Path '${name}'`,
    );
  }
  return name === "tags" ? checkTags(value as Record<string, unknown>) : structuredClone(value);
}

function withoutReadOnly(properties: Record<string, unknown>): Record<string, unknown> {
  const out = { ...properties };
  for (const name of READ_ONLY_PROPERTIES) delete out[name];
  // The admin password is write-only (inferred: the service does not return secrets), and the emulator
  // does not even keep it, so it never reaches a state file.
  const profile = out.virtualMachineProfile;
  if (isPlainObject(profile) && isPlainObject(profile.osProfile) && "adminPassword" in profile.osProfile) {
    const osProfile = { ...profile.osProfile };
    delete osProfile.adminPassword;
    out.virtualMachineProfile = { ...profile, osProfile };
  }
  return out;
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}
