/**
 * Pure `diff` of two `VmssManagedIdentity` input sets: no network, no credential. A casing-only difference of
 * an ARM ID is never a change (the perpetual-diff bug of other tools,
 * docs/arm-behavior.md, "IDs and casing"); neither is the order of `userAssignedIdentities`.
 */
import { armIdKey, parseScaleSetId, parseUserAssignedIdentityId } from "../grammar/armId";
import { sameIdSet } from "./declaration";
import { canonicalEndpoint } from "../grammar/settings";
import { jsonEqual } from "../jsonEqual";
import { UNKNOWN, containsUnknown } from "./validate";

/** What `diff` reports to Pulumi. */
export interface DeclarationDiff {
  /** Whether an update (or replacement) is needed. */
  changes: boolean;
  /** Properties whose change needs a replacement: only `scaleSetId`. */
  replaces: string[];
}

/**
 * Compares old and new inputs (olds may be the stored outputs: keys other than inputs are ignored).
 * - `scaleSetId` naming another scale set (case-insensitive), or unknown in a preview: replacement, since the
 *   resource then manages another scale set (as Terraform marks an unknown force-new value).
 * - `systemAssigned`, the set of `userAssignedIdentities`, `mode`: a change.
 * - `environment` or `endpoint`: a change (an update, not a replacement): the update re-reads the scale set at
 *   the new endpoint and converges it, instead of silently doing nothing; a replacement would try to delete
 *   through the old endpoint, which may be gone (an emulator's port changes on every start).
 * - `apiVersion` alone: no change; it says how to talk to ARM, not what the identity should be. The provider
 *   uses the new value at the next real change.
 * - any other unknown value: a change.
 */
export function diffDeclarations(olds: Record<string, unknown>, news: Record<string, unknown>): DeclarationDiff {
  const replaces: string[] = [];
  if (containsUnknown(news.scaleSetId) || !sameScaleSet(olds.scaleSetId, news.scaleSetId)) replaces.push("scaleSetId");

  const changed =
    replaces.length > 0 ||
    differs(olds.systemAssigned, news.systemAssigned, (v) => v ?? undefined) ||
    !sameIdentityList(olds.userAssignedIdentities, news.userAssignedIdentities) ||
    differs(olds.mode, news.mode, (v) => v ?? "additive") ||
    differs(olds.environment, news.environment, (v) => (typeof v === "string" ? v.toLowerCase() : (v ?? undefined))) ||
    differs(olds.endpoint, news.endpoint, canonicalEndpoint) ||
    // Another principal (e.g. a rotated secret): an update, so that state holds what refresh and delete will use.
    !jsonEqual(olds.credentials ?? undefined, news.credentials ?? undefined);

  return { changes: changed, replaces };
}

function differs(old: unknown, next: unknown, normalise: (v: unknown) => unknown): boolean {
  if (next === UNKNOWN) return true;
  return normalise(old) !== normalise(next);
}

function sameScaleSet(old: unknown, next: unknown): boolean {
  if (typeof old !== "string" || typeof next !== "string") return old === next;
  return (
    armIdKey(canonicalOr(old, (s) => parseScaleSetId(s).id)) ===
    armIdKey(canonicalOr(next, (s) => parseScaleSetId(s).id))
  );
}

function sameIdentityList(old: unknown, next: unknown): boolean {
  if (containsUnknown(next)) return false;
  const list = (v: unknown): string[] | undefined =>
    v === undefined || v === null
      ? []
      : Array.isArray(v) && v.every((id) => typeof id === "string")
        ? v.map((id: string) => canonicalOr(id, (s) => parseUserAssignedIdentityId(s).id))
        : undefined;
  const [a, b] = [list(old), list(next)];
  if (a === undefined || b === undefined) return JSON.stringify(old) === JSON.stringify(next);
  return sameIdSet(a, b);
}

// Old state may predate a grammar change; compare what cannot be parsed as it is rather than fail a preview.
function canonicalOr(value: string, parse: (s: string) => string): string {
  try {
    return parse(value);
  } catch {
    return value;
  }
}
