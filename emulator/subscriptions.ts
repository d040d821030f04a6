// GET /subscriptions and GET /subscriptions/{id} (docs/arm-behavior.md, "Subscriptions"): clients that
// log in first list subscriptions and refuse an empty list, so the configured default subscription is
// always listed, with every other subscription that holds a resource group. Any GUID "exists".
import { invalidSubscriptionId, methodNotAllowed } from "./arm-errors";
import type { EmulatorCore } from "./core";
import type { ArmCall, Reply } from "./exchange";
import { isGuid } from "./resource-ids";

/** GET /subscriptions */
export function listSubscriptions(core: EmulatorCore, call: ArmCall): Reply {
  if (call.method !== "GET") throw methodNotAllowed(call.method, ["GET"]);
  const ids = new Set([core.config.subscriptionId.toLowerCase()]);
  for (const group of core.store.resourceGroups.values()) ids.add(group.subscriptionId);
  const value = [...ids].map((id) => renderSubscription(core, id));
  return { status: 200, body: { value, count: { type: "Total", value: value.length } } };
}

/** GET /subscriptions/{id} */
export function getSubscription(core: EmulatorCore, call: ArmCall, subscriptionId: string): Reply {
  if (call.method !== "GET") throw methodNotAllowed(call.method, ["GET"]);
  if (!isGuid(subscriptionId)) throw invalidSubscriptionId(subscriptionId);
  return { status: 200, body: renderSubscription(core, subscriptionId.toLowerCase()) };
}

function renderSubscription(core: EmulatorCore, id: string): Record<string, unknown> {
  const isDefault = id === core.config.subscriptionId.toLowerCase();
  return {
    id: `/subscriptions/${id}`,
    authorizationSource: "RoleBased",
    managedByTenants: [],
    subscriptionId: id,
    tenantId: core.config.tenantId,
    displayName: isDefault ? "ARM emulator subscription" : `ARM emulator subscription ${id}`,
    state: "Enabled",
    subscriptionPolicies: {
      locationPlacementId: "Public_2014-09-01",
      quotaId: "PayAsYouGo_2014-09-01",
      spendingLimit: "Off",
    },
  };
}
