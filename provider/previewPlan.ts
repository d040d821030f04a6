/**
 * Shows the planned change in a preview. The dynamic-provider protocol has no detailed diff, and the engine shows only
 * the inputs that changed, while what `up` will do also depends on the recorded state (identities someone else
 * assigned, the system identity as it stood). So `diff` (which receives the recorded state) and, for a creation,
 * `check` write the plan as one message, and each warning as another, to a {@link PlanWriter} (by default the door's
 * messages, provider/progress.ts: stderr in the dynamic provider, which the engine shows under the preview, a
 * diagnostic in `pulumi preview --json`, "Diagnostics" in `pulumi up`; the engine's Log service in the plugin). What the lines say is a projection of the one derivation of what changes,
 * {@link identity.planChange}; nothing here makes a request.
 */
import * as identity from "./identity";
import { reportMessage } from "./progress";

/**
 * Where plan lines go. Default: the door's messages (provider/progress.ts): stderr in the dynamic provider, which
 * the engine shows with the preview; the engine's Log service on the resource in the plugin.
 */
export type PlanWriter = (message: PlanMessage) => void;

/** The default {@link PlanWriter}: the door's messages. */
export const planToDoor: PlanWriter = (message) => reportMessage(message.severity, message.text);

/** One message of a plan: the plan itself (`info`) or a warning. */
export interface PlanMessage {
  severity: "info" | "warning";
  /** The text, without a severity prefix. */
  text: string;
}

/**
 * What a preview shows of `plan`: the plan (when it says something about the identity), then each warning. Each names
 * the scale set, since the dynamic provider's lines are not attached to a resource.
 */
export function planMessages(plan: identity.PlannedChange): PlanMessage[] {
  const scaleSet = plan.scaleSetId ?? "a scale set not known before up";
  const messages: PlanMessage[] = [];
  const described = identity.describePlannedChange(plan);
  if (described !== undefined) {
    messages.push({ severity: "info", text: `VmssManagedIdentity plan for ${scaleSet}: ${described}` });
  }
  for (const warning of plan.warnings) {
    messages.push({ severity: "warning", text: `VmssManagedIdentity on ${scaleSet}: ${warning}` });
  }
  return messages;
}

/**
 * Derives what `up` will do from the recorded outputs (`undefined` for a creation) and the new inputs, writes the
 * plan's lines, and returns the plan.
 */
export function reportPlannedChange(
  recorded: Readonly<Record<string, unknown>> | undefined,
  news: Readonly<Record<string, unknown>>,
  write: PlanWriter = planToDoor,
): identity.PlannedChange {
  const plan = identity.planChange(recorded, news);
  // ScaleSetWithIdentity's child ("silent") finds at creation what its scale set was just created with: only the
  // warnings concern the user.
  const silent = plan.creating && news.adoption === "silent";
  for (const message of planMessages(plan)) {
    if (silent && message.severity !== "warning") continue;
    write(message);
  }
  return plan;
}
