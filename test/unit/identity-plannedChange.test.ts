/** The planned change a preview shows: one case per kind of change, from the recorded state and the new inputs. */
import assert from "node:assert/strict";
import {
  type Declaration,
  changesAnything,
  describePlannedChange,
  identityIdsWarning,
  plannedChange,
  UNKNOWN,
} from "../../provider/identity";
import { reportPlannedChange } from "../../provider/previewPlan";
import { ID1, ID2, ID3, docId } from "./identity-fixtures";

const additive = (ids: string[], systemAssigned?: boolean): Declaration => ({
  userAssignedIdentities: ids,
  mode: "additive",
  ...(systemAssigned === undefined ? {} : { systemAssigned }),
});
const exclusive = (ids: string[], systemAssigned = false): Declaration => ({
  userAssignedIdentities: ids,
  mode: "exclusive",
  systemAssigned,
});

describe("plannedChange: what up will do, from the recorded state and the new inputs", () => {
  it("adds a newly declared identity and removes one no longer declared", () => {
    const plan = plannedChange(
      { userAssignedIdentities: [ID1, ID2], otherUserAssignedIdentities: [ID3], identityType: "UserAssigned" },
      additive([ID1, ID2]),
      additive([docId("ID1")].concat([])),
    );
    assert.deepEqual(plan.add, []);
    assert.deepEqual(plan.remove, [ID2]);
    assert.deepEqual(plan.removeForeign, []);
    assert.equal(plan.systemAssigned, undefined);
    assert.equal(describePlannedChange(plan), `remove ${ID2}`);
  });

  it("names the identity exclusive mode removes because someone else assigned it", () => {
    const plan = plannedChange(
      { userAssignedIdentities: [ID1], otherUserAssignedIdentities: [ID3], identityType: "UserAssigned" },
      additive([ID1]),
      exclusive([ID1]),
    );
    assert.deepEqual(plan.remove, [ID3]);
    assert.deepEqual(plan.removeForeign, [ID3]);
    assert.equal(
      describePlannedChange(plan),
      `remove ${ID3} (assigned by someone else; exclusive mode removes identities it does not declare)`,
    );
  });

  it("says when the system identity turns off (exclusive, not declared) and on (declared true)", () => {
    const off = plannedChange(
      { userAssignedIdentities: [ID1], otherUserAssignedIdentities: [], identityType: "SystemAssigned, UserAssigned" },
      additive([ID1]),
      exclusive([ID1]),
    );
    assert.equal(off.systemAssigned, "off");
    assert.equal(describePlannedChange(off), "turn the system-assigned identity off");
    const on = plannedChange(
      { userAssignedIdentities: [ID1], identityType: "UserAssigned" },
      additive([ID1]),
      additive([ID1, ID2], true),
    );
    assert.equal(on.systemAssigned, "on");
    assert.deepEqual(on.add, [ID2]);
    assert.equal(describePlannedChange(on), `add ${ID2}; turn the system-assigned identity on`);
  });

  it("plans nothing when the state already matches, casing aside", () => {
    const plan = plannedChange(
      { userAssignedIdentities: [ID1], otherUserAssignedIdentities: [ID3], identityType: "UserAssigned" },
      additive([ID1]),
      additive([docId("ID1")]),
    );
    assert.equal(changesAnything(plan), false);
    assert.equal(describePlannedChange(plan), undefined);
  });

  it("a creation plans the declared identities and says the scale set is read at up", () => {
    const plan = plannedChange(undefined, undefined, exclusive([ID2, ID1]));
    assert.equal(plan.complete, false);
    assert.deepEqual(plan.add, [ID1, ID2]);
    assert.equal(
      describePlannedChange(plan),
      `add ${ID1}, ${ID2}; turn the system-assigned identity off; the scale set is first read at creation: declared ` +
        "identities already assigned are adopted, and every identity found that is not declared is removed",
    );
  });

  it("warns with the identityIds api-versions, and only with them", () => {
    for (const version of ["2017-12-01", "2018-04-01"]) {
      assert.deepEqual(plannedChange(undefined, undefined, additive([ID1]), version).warnings, [
        identityIdsWarning(version),
      ]);
    }
    assert.deepEqual(plannedChange(undefined, undefined, additive([ID1]), "2018-06-01").warnings, []);
    assert.deepEqual(plannedChange(undefined, undefined, additive([ID1])).warnings, []);
    assert.match(identityIdsWarning("2017-12-01"), /removed again, and both writes report success/);
  });
});

describe("reportPlannedChange: the lines a preview shows", () => {
  const SCALE_SET = `/subscriptions/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0/resourceGroups/myResourceGroup/providers/Microsoft.Compute/virtualMachineScaleSets/myVMSS`;

  it("writes the plan from the recorded outputs, and nothing when nothing changes", () => {
    const lines: string[] = [];
    const recorded = {
      scaleSetId: SCALE_SET,
      mode: "additive",
      userAssignedIdentities: [ID1],
      otherUserAssignedIdentities: [ID3],
      identityType: "UserAssigned",
    };
    reportPlannedChange(recorded, { scaleSetId: SCALE_SET, mode: "exclusive", userAssignedIdentities: [ID1] }, (l) =>
      lines.push(l),
    );
    assert.deepEqual(lines, [
      `VmssManagedIdentity plan for ${SCALE_SET}: remove ${ID3} (assigned by someone else; exclusive mode removes ` +
        "identities it does not declare)",
    ]);
    lines.length = 0;
    reportPlannedChange(recorded, { scaleSetId: SCALE_SET, mode: "additive", userAssignedIdentities: [ID1] }, (l) =>
      lines.push(l),
    );
    assert.deepEqual(lines, []);
  });

  it("shows only the warnings for the component's silent child at creation, and nothing for unknown inputs", () => {
    const lines: string[] = [];
    const news = { scaleSetId: SCALE_SET, mode: "additive", userAssignedIdentities: [ID2], apiVersion: "2017-12-01" };
    reportPlannedChange(undefined, { ...news, adoption: "silent" }, (l) => lines.push(l));
    assert.deepEqual(lines, [`warning: VmssManagedIdentity on ${SCALE_SET}: ${identityIdsWarning("2017-12-01")}`]);
    lines.length = 0;
    const plan = reportPlannedChange(undefined, { ...news, userAssignedIdentities: [UNKNOWN] }, (l) => lines.push(l));
    assert.equal(plan, undefined);
    assert.deepEqual(lines, []);
  });
});
