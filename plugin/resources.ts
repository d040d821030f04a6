/**
 * The custom resources the plugin serves, by type token, each a thin adapter over the runtime the matching dynamic
 * resource runs (one implementation, two front doors):
 * - `VmssManagedIdentity`: provider/runtime.ts, plus a detailed diff and import (plugin/vmssManagedIdentity.ts);
 * - `ScaleSet`: components/scaleSetRuntime.ts, the building block of the `ScaleSetWithIdentity` component.
 */
import * as scaleSetRuntime from "../components/scaleSetRuntime";
import type { PropertyChange } from "../provider/identity/plannedChange";
import * as runtime from "../provider/runtime";
import { SCALE_SET, VMSS_MANAGED_IDENTITY } from "./schema";
import * as vmssIdentity from "./vmssManagedIdentity";

type Props = Record<string, unknown>;

/** What one resource type needs from the plugin's gRPC methods. */
export interface ResourceHandler {
  check(olds: Props, news: Props): { inputs: Props; failures: { property: string; reason: string }[] };
  /** Pure. `detailed` absent: the engine derives what to show from the old and new values. */
  diff(
    olds: Props,
    news: Props,
  ): { changes: boolean; replaces: string[]; deleteBeforeReplace?: boolean; detailed?: Record<string, PropertyChange> };
  create(inputs: Props, ctx: runtime.RuntimeContext): Promise<{ id: string; outs: object }>;
  /** `undefined`: the resource is gone. */
  read(props: Props, ctx: runtime.RuntimeContext): Promise<object | undefined>;
  update(olds: Props, news: Props, ctx: runtime.RuntimeContext): Promise<{ outs: object }>;
  remove(props: Props, ctx: runtime.RuntimeContext): Promise<void>;
  /** Properties always returned as secrets, whatever the request marked. */
  secretOutputs?: string[];
  /** `pulumi import`: the resource's state and inputs from its ID alone. */
  importFrom(id: string, ctx: runtime.RuntimeContext): Promise<{ id: string; outs: object; inputs: Props }>;
}

/**
 * The plugin door takes credentials from its provider's configuration (plugin/config.ts), never from a resource's
 * inputs: `credentials` is not in the schema, and a request that carries it anyway (a raw gRPC client) is refused
 * rather than stored, since the runtimes would keep it in state and nothing here marks it secret.
 */
function refusingCredentials(check: ResourceHandler["check"]): ResourceHandler["check"] {
  return (olds, news) => {
    if (news.credentials === undefined) return check(olds, news);
    const { inputs } = check(olds, { ...news, credentials: undefined });
    return {
      inputs,
      failures: [
        {
          property: "credentials",
          reason:
            "a resource of the vmss-identity provider takes no credentials input: set them on its provider " +
            "(vmss-identity:clientId, vmss-identity:clientSecret, …, or an explicit provider resource)",
        },
      ],
    };
  };
}

/** The handlers by type token. */
export const RESOURCES: Record<string, ResourceHandler> = {
  [VMSS_MANAGED_IDENTITY]: {
    check: refusingCredentials(runtime.check),
    diff: vmssIdentity.diff,
    create: runtime.create,
    read: runtime.read,
    update: runtime.update,
    remove: runtime.remove,
    importFrom: vmssIdentity.importFrom,
  },
  [SCALE_SET]: {
    // As the dynamic ScaleSet's `additionalSecretOutputs`: encrypted in state whatever the program passed.
    secretOutputs: ["secretProperties"],
    // The subscription other Azure tools use, as the dynamic ScaleSet defaults it in the program's process.
    check: refusingCredentials((olds, news) =>
      scaleSetRuntime.check(olds, {
        subscriptionId: process.env.AZURE_SUBSCRIPTION_ID || process.env.ARM_SUBSCRIPTION_ID || undefined,
        ...news,
      }),
    ),
    diff: scaleSetRuntime.diff,
    create: scaleSetRuntime.create,
    read: scaleSetRuntime.read,
    update: scaleSetRuntime.update,
    remove: scaleSetRuntime.remove,
    async importFrom() {
      // The runtime refuses to take over an existing scale set (a PUT would replace its configuration); importing
      // one would hand it a state it never created.
      throw new Error(
        `${SCALE_SET} cannot be imported: it creates its scale set and never takes over an existing one. Import ` +
          `the scale set's identities with ${VMSS_MANAGED_IDENTITY} instead`,
      );
    },
  },
};
