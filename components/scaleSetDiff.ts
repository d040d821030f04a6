/**
 * Pure `diff` of `ScaleSet` inputs: which changes ARM applies in place (a PATCH) and which need a new scale set.
 *
 * Replacement (ARM refuses to change these on an existing scale set):
 * - `subscriptionId`, `resourceGroupName`, `scaleSetName`: another ARM ID, so another resource (compared
 *   case-insensitively, as ARM compares IDs: docs/arm-behavior.md, "IDs and casing");
 * - `location` (compared as ARM normalises it: `East US` = `eastus`), `zones` (as a set);
 * - `virtualMachineProfile.osProfile.computerNamePrefix` and `.adminUsername`;
 * - `extraProperties.orchestrationMode` and `extraProperties.platformFaultDomainCount`.
 * When the ARM ID stays the same, the old scale set must go first (`deleteBeforeReplace`): creating the new one
 * first would PUT over the old one, then delete the result.
 *
 * Not a change of the scale set:
 * - `systemAssigned`, `userAssignedIdentities`: they shape the creation PUT only; afterwards the identity belongs to
 *   the component's `VmssManagedIdentity`, which changes it with delta PATCHes;
 * - `apiVersion` alone: how to talk to ARM, not what the scale set is (the next real change uses the new one).
 *
 * In place: `sku` (incl. capacity), `tags`, `overprovision`, `upgradePolicy`, the rest of `virtualMachineProfile`,
 * the other `extraProperties`, the secrets, and `environment`/`endpoint`: a new endpoint addresses the same scale
 * set through another door (an emulator restarted on another port), so the update re-reads it there and fails
 * clearly if it is not there; a replacement would try to delete it through the old endpoint, which may be gone
 * (the same rule as `VmssManagedIdentity`: provider/identity/plannedChange.ts). So is `credentials`: another
 * principal (a rotated secret) reaches the same scale set, and the state must hold the one refresh and delete use.
 * A replacement property that is unknown in a preview counts as replaced, as Terraform marks unknown force-new values.
 */
import { UNKNOWN, canonicalEndpoint } from "../provider/identity";
import { jsonEqual } from "../provider/jsonEqual";
import { isPlainObject } from "./secretProperties";

type Json = Record<string, unknown>;

/** What `diff` reports to Pulumi. */
export interface ScaleSetDiff {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

interface Rule {
  /** Property path, reported in `replaces`. */
  path: string;
  get: (inputs: Json) => unknown;
  /** Two values are the same when their normalised forms are `jsonEqual`. */
  normalise: (value: unknown) => unknown;
}

const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : v);
const identity = (v: unknown) => v;
const at =
  (...path: string[]) =>
  (inputs: Json): unknown => {
    let value: unknown = inputs;
    for (const key of path) {
      if (value === UNKNOWN) return UNKNOWN;
      value = isPlainObject(value) ? value[key] : undefined;
    }
    return value ?? undefined;
  };

/** Parts of the ARM ID. */
const ADDRESS: readonly Rule[] = [
  { path: "subscriptionId", get: at("subscriptionId"), normalise: lower },
  { path: "resourceGroupName", get: at("resourceGroupName"), normalise: lower },
  { path: "scaleSetName", get: at("scaleSetName"), normalise: lower },
];

/** Properties ARM cannot change in place. */
const REPLACING: readonly Rule[] = [
  {
    path: "location",
    get: at("location"),
    normalise: (v) => (typeof v === "string" ? v.replace(/\s+/g, "").toLowerCase() : v),
  },
  { path: "zones", get: at("zones"), normalise: (v) => (Array.isArray(v) ? [...v].sort() : v) },
  {
    path: "virtualMachineProfile.osProfile.computerNamePrefix",
    get: at("virtualMachineProfile", "osProfile", "computerNamePrefix"),
    normalise: identity,
  },
  {
    path: "virtualMachineProfile.osProfile.adminUsername",
    get: at("virtualMachineProfile", "osProfile", "adminUsername"),
    normalise: identity,
  },
  { path: "extraProperties.orchestrationMode", get: at("extraProperties", "orchestrationMode"), normalise: lower },
  {
    path: "extraProperties.platformFaultDomainCount",
    get: at("extraProperties", "platformFaultDomainCount"),
    normalise: identity,
  },
];

/** Properties updated in place (whole values; the PATCH computes the details). */
const IN_PLACE: readonly Rule[] = [
  ...[
    "sku",
    "tags",
    "overprovision",
    "upgradePolicy",
    "virtualMachineProfile",
    "extraProperties",
    "secretProperties",
  ].map((path): Rule => ({ path, get: at(path), normalise: identity })),
  { path: "environment", get: at("environment"), normalise: lower },
  { path: "endpoint", get: at("endpoint"), normalise: canonicalEndpoint },
  { path: "credentials", get: at("credentials"), normalise: identity },
];

/** Compares the recorded state (`olds`: outputs, extra keys ignored) with the new inputs. Pure. */
export function diffScaleSet(olds: Json, news: Json): ScaleSetDiff {
  const differs = (rule: Rule) => {
    const next = rule.get(news);
    if (containsUnknownAnywhere(next)) return true;
    return !jsonEqual(rule.normalise(rule.get(olds)), rule.normalise(next));
  };
  const movedAddress = ADDRESS.filter(differs).map((r) => r.path);
  const replaces = [...movedAddress, ...REPLACING.filter(differs).map((r) => r.path)];
  const changes = replaces.length > 0 || IN_PLACE.some(differs);
  return { changes, replaces, deleteBeforeReplace: replaces.length > 0 && movedAddress.length === 0 };
}

/** Whether a value is, or contains at any depth, Pulumi's unknown sentinel. */
export function containsUnknownAnywhere(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknownAnywhere);
  if (isPlainObject(value)) return Object.values(value).some(containsUnknownAnywhere);
  return false;
}
