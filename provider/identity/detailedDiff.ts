/**
 * The property-by-property diff of a `VmssManagedIdentity`, as the provider plugin reports it to the engine
 * (`DiffResponse.detailedDiff`): which identity is added, which is removed (exclusive mode's removals of identities
 * someone else assigned included), the system identity turning on or off, and what forces a replacement. Pure: no
 * network, no credential. It describes the same change that {@link diffDeclarations} decides, with the same
 * normalisation (casing of ARM IDs and endpoints, order of the list), so a casing-only difference has no entry.
 *
 * Paths follow Pulumi's property-path syntax (`userAssignedIdentities[1]`): an addition indexes the new inputs, a
 * removal the old state. A removal and an addition at the same index become one `update` (one identity swapped for
 * another), since a path can only have one kind.
 */
import { armIdKey, canonicalEndpoint, parseScaleSetId, parseUserAssignedIdentityId } from "../grammar";
import { UNKNOWN, containsUnknown } from "./validate";

/** What happened to one property path. */
export interface PropertyChange {
  /** `add`: absent before; `delete`: absent after; `update`: both present, different. */
  kind: "add" | "delete" | "update";
  /** Whether this change alone forces a replacement of the resource. */
  replace: boolean;
}

/**
 * The detailed diff between the recorded state `olds` (the outputs: the declaration as it really stood at the last
 * refresh, plus `otherUserAssignedIdentities`) and checked new inputs `news`. Empty when nothing changes.
 */
export function detailedDeclarationDiff(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Record<string, PropertyChange> {
  const out: Record<string, PropertyChange> = {};
  const set = (path: string, kind: PropertyChange["kind"], replace = false) => {
    const previous = out[path];
    out[path] = previous && previous.kind !== kind ? { kind: "update", replace } : { kind, replace };
  };

  if (news.scaleSetId === UNKNOWN || key(olds.scaleSetId, scaleSetKey) !== key(news.scaleSetId, scaleSetKey)) {
    set("scaleSetId", "update", true);
  }

  const oldIds = idList(olds.userAssignedIdentities);
  const newKeys = new Set<string>();
  if (containsUnknown(news.userAssignedIdentities)) {
    set("userAssignedIdentities", "update");
  } else {
    const newIds = idList(news.userAssignedIdentities);
    newIds.forEach((k) => newKeys.add(k));
    const oldKeys = new Set(oldIds);
    oldIds.forEach((k, i) => newKeys.has(k) || set(`userAssignedIdentities[${i}]`, "delete"));
    newIds.forEach((k, i) => oldKeys.has(k) || set(`userAssignedIdentities[${i}]`, "add"));
  }

  // Exclusive mode owns the whole identity: what someone else assigned is removed, unless now declared.
  if (news.mode === "exclusive" && !containsUnknown(news.userAssignedIdentities)) {
    idList(olds.otherUserAssignedIdentities).forEach(
      (k, i) => newKeys.has(k) || set(`otherUserAssignedIdentities[${i}]`, "delete"),
    );
  }

  scalar(set, "systemAssigned", olds.systemAssigned, news.systemAssigned, (v) => v ?? undefined);
  scalar(set, "mode", olds.mode ?? "additive", news.mode ?? "additive", (v) => v);
  scalar(set, "environment", olds.environment, news.environment, (v) =>
    typeof v === "string" ? v.toLowerCase() : (v ?? undefined),
  );
  scalar(set, "endpoint", olds.endpoint, news.endpoint, canonicalEndpoint);
  return out;
}

function scalar(
  set: (path: string, kind: PropertyChange["kind"]) => void,
  path: string,
  old: unknown,
  next: unknown,
  normalise: (v: unknown) => unknown,
): void {
  if (next === UNKNOWN) return set(path, "update");
  const [a, b] = [normalise(old), normalise(next)];
  if (a === b) return;
  set(path, a === undefined ? "add" : b === undefined ? "delete" : "update");
}

// Lower-cased canonical keys of a list of identity IDs; a value that is not a list of IDs is an empty list (old state
// that predates a grammar change is compared as it is rather than failing a preview).
function idList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((v) => key(v, (s) => parseUserAssignedIdentityId(s).id));
}

function scaleSetKey(s: string): string {
  return parseScaleSetId(s).id;
}

function key(value: unknown, canonical: (s: string) => string): string {
  if (typeof value !== "string") return String(value);
  try {
    return armIdKey(canonical(value));
  } catch {
    return value;
  }
}
