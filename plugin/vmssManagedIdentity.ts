/**
 * `vmss-identity:index:VmssManagedIdentity` in the provider plugin: the second front door of provider/runtime.ts,
 * the implementation the dynamic resource runs. Everything that touches ARM (locks, retries, ETags, errors,
 * warnings about adopted identities) is the runtime's; this file only adds what the full provider protocol allows
 * and the dynamic one does not: a detailed diff and import.
 */
import * as runtime from "../provider/runtime";
import { type PropertyChange, detailedDiffOf, diffOf, parseScaleSetId } from "../provider/identity";
import { quote } from "../provider/grammar";

type Props = Record<string, unknown>;

/** The suffix of the resource's ID after the scale set's ARM ID (the dynamic resource's IDs look the same). */
export const ID_SUFFIX = "#managedIdentity";

/** What the plugin's Diff reports. */
export interface PluginDiff {
  changes: boolean;
  replaces: string[];
  detailed: Record<string, PropertyChange>;
}

/**
 * The runtime's diff, described property by property: both are projections of the one derivation of what changes
 * (`runtime.planUpdate`, which also shows the plan). Pure: preview makes no ARM call.
 */
export function diff(olds: Props, news: Props): PluginDiff {
  const plan = runtime.planUpdate(olds, news);
  const base = diffOf(plan);
  const detailed = detailedDiffOf(plan);
  // Role assignments to add or remove (roleAssignmentPlan.ts) show as a change of `roleAssignments`.
  const roles = runtime.roleAssignmentsChangeAnything(plan);
  if (roles) detailed.roleAssignments = { kind: olds.roleAssignments === undefined ? "add" : "update", replace: false };
  return { ...base, changes: base.changes || roles, detailed };
}

/**
 * Parses an import ID: the scale set's ARM ID followed by `#managedIdentity` (the resource's own ID), or the bare
 * scale set ID. Returns the canonical scale set ID.
 * @throws Error naming the value and the expected format.
 */
export function parseImportId(id: string): string {
  const bare = id.toLowerCase().endsWith(ID_SUFFIX.toLowerCase()) ? id.slice(0, -ID_SUFFIX.length) : id;
  try {
    return parseScaleSetId(bare).id;
  } catch (e) {
    throw new Error(
      `invalid import ID ${quote(id)}: expected the scale set's ARM ID followed by "${ID_SUFFIX}", ` +
        `/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachineScaleSets/<name>` +
        `${ID_SUFFIX} (${(e as Error).message})`,
    );
  }
}

/**
 * Import: adopts what is on the scale set. The inputs declare every user-assigned identity found (sorted) and, when
 * the system identity is on, `systemAssigned: true`; the resource did not turn it on, so deleting it keeps it on
 * (`systemAssignedOwned: false`), as when a created resource finds it on. Two GETs: one to see what is there, one
 * through the runtime's read to record it exactly as a refresh would.
 */
export async function importFrom(
  id: string,
  ctx: runtime.RuntimeContext,
): Promise<{ id: string; outs: runtime.VmssIdentityOutputs; inputs: Props }> {
  const scaleSetId = parseImportId(id);
  const found = await runtime.read({ scaleSetId, userAssignedIdentities: [] }, ctx);
  if (found === undefined) throw new Error(`importing ${scaleSetId} failed: the scale set does not exist`);
  const inputs: Props = { scaleSetId, userAssignedIdentities: found.otherUserAssignedIdentities };
  if (found.identityType.startsWith("SystemAssigned")) inputs.systemAssigned = true;
  const outs = await runtime.read({ ...inputs, mode: "additive", systemAssignedOwned: false }, ctx);
  if (outs === undefined) throw new Error(`importing ${scaleSetId} failed: the scale set disappeared while reading`);
  return { id: `${scaleSetId}${ID_SUFFIX}`, outs, inputs };
}
