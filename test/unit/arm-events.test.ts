/** Budget keys, as the pacer names them (pacing.ts readBudgetHeaders), named for people (provider/arm/events.ts). */
import assert from "node:assert/strict";
import { describeBudget, nextWaitId } from "../../provider/arm/events";

describe("transport events: budgets named for people", () => {
  const cases: [string, string][] = [
    ["Microsoft.Compute/GetVMScaleSet3Min", "Compute's GetVMScaleSet3Min budget"],
    ["Microsoft.Compute/GetVMScaleSet30Min", "Compute's GetVMScaleSet30Min budget"],
    ["Microsoft.Compute/VmssQueuedVMOperations", "Compute's VmssQueuedVMOperations budget"],
    ["subscription-reads", "ARM's subscription read budget"],
    ["subscription-writes", "ARM's subscription write budget"],
    ["subscription-deletes", "ARM's subscription delete budget"],
    ["tenant-reads", "ARM's tenant read budget"],
    ["Microsoft.Network/SomePolicy", "Microsoft.Network's SomePolicy budget"],
    ["something-else", "the something-else budget"],
  ];
  for (const [key, name] of cases) {
    it(`${key} → ${name}`, () => assert.equal(describeBudget(key), name));
  }

  it("gives every wait its own ID", () => {
    const a = nextWaitId();
    const b = nextWaitId();
    assert.ok(b > a);
  });
});
