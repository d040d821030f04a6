/**
 * Shows the planned change in a preview. The dynamic-provider protocol has no detailed diff, and the engine shows only
 * the inputs that changed, while what `up` will do also depends on the recorded state (identities someone else
 * assigned, the system identity as it stood). So `diff` (which receives the recorded state) and, for a creation,
 * `check` write the plan as one line on the provider's stderr; the engine shows it under the preview (a diagnostic in
 * `pulumi preview --json`, "Diagnostics" in `pulumi up`). The plan itself is the pure
 * {@link identity.plannedChange}; nothing here makes a request.
 */
import * as identity from "./identity";
import { reportPlanLine } from "./progress";

/**
 * Where plan lines go. Default: the door's messages (provider/progress.ts): stderr in the dynamic provider, which
 * the engine shows with the preview; the engine's Log service on the resource in the plugin.
 */
export type PlanWriter = (line: string) => void;

const toDoor: PlanWriter = reportPlanLine;

/**
 * The lines a preview shows for `plan` on the scale set `scaleSetId`: the plan (when it changes anything), then each
 * warning.
 */
export function planLines(scaleSetId: string, plan: identity.PlannedChange): string[] {
  const lines: string[] = [];
  const described = identity.describePlannedChange(plan);
  if (described !== undefined) lines.push(`VmssManagedIdentity plan for ${scaleSetId}: ${described}`);
  for (const warning of plan.warnings) lines.push(`warning: VmssManagedIdentity on ${scaleSetId}: ${warning}`);
  return lines;
}

/**
 * Plans from the recorded outputs (`undefined` for a creation) and the new inputs, writes the plan's lines, and
 * returns the plan (`undefined` when it cannot be known before `up`).
 */
export function reportPlannedChange(
  recorded: Readonly<Record<string, unknown>> | undefined,
  news: Readonly<Record<string, unknown>>,
  write: PlanWriter = toDoor,
): identity.PlannedChange | undefined {
  const plan = identity.plannedChangeOf(recorded, news);
  if (plan !== undefined && typeof news.scaleSetId === "string") {
    // ScaleSetWithIdentity's child ("silent") finds at creation what its scale set was just created with: only the
    // warnings concern the user.
    const lines = planLines(news.scaleSetId, plan);
    const shown =
      recorded === undefined && news.adoption === "silent" ? lines.filter((l) => l.startsWith("warning:")) : lines;
    for (const line of shown) write(line);
  }
  return plan;
}
