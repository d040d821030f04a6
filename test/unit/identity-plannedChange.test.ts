/** The planned change a preview shows: one case per kind of change, from the recorded state and the new inputs. */
import assert from "node:assert/strict";
import {
  UNKNOWN,
  adoptionWarning,
  foreignRemovalWarning,
  changeForCreate,
  changesIdentity,
  describePlannedChange,
  identityIdsWarning,
  planChange,
  planPatch,
  readIdentityState,
  systemIdentityOffWarning,
} from "../../provider/identity";
import { reportPlannedChange } from "../../provider/previewPlan";
import { ID1, ID2, ID3, SCALE_SET_ID, docId } from "./identity-fixtures";

const OTHER_SCALE_SET = SCALE_SET_ID.replace("myVMSS", "otherVMSS");

/** A recorded state (outputs) of a resource on SCALE_SET_ID. */
const recorded = (fields: Record<string, unknown>) => ({
  scaleSetId: SCALE_SET_ID,
  mode: "additive",
  userAssignedIdentities: [],
  otherUserAssignedIdentities: [],
  identityType: "None",
  systemAssignedOwned: false,
  ...fields,
});
/** Checked new inputs on SCALE_SET_ID. */
const inputs = (fields: Record<string, unknown>) => ({
  scaleSetId: SCALE_SET_ID,
  mode: "additive",
  userAssignedIdentities: [],
  ...fields,
});

describe("planChange: what up will do, from the recorded state and the new inputs", () => {
  it("adds a newly declared identity and removes one no longer declared", () => {
    const plan = planChange(
      recorded({
        userAssignedIdentities: [ID1, ID2],
        otherUserAssignedIdentities: [ID3],
        identityType: "UserAssigned",
      }),
      inputs({ userAssignedIdentities: [docId("ID1")] }),
    );
    assert.deepEqual(plan.identity, {
      add: [],
      adopt: [],
      remove: [ID2],
      removeForeign: [],
      complete: true,
      mode: "additive",
    });
    assert.equal(plan.changes, true);
    assert.equal(describePlannedChange(plan), `remove ${ID2}`);
  });

  it("names the identity exclusive mode removes because someone else assigned it", () => {
    const plan = planChange(
      recorded({ userAssignedIdentities: [ID1], otherUserAssignedIdentities: [ID3], identityType: "UserAssigned" }),
      inputs({ userAssignedIdentities: [ID1], mode: "exclusive", systemAssigned: false }),
    );
    assert.deepEqual(plan.identity?.remove, [ID3]);
    assert.deepEqual(plan.identity?.removeForeign, [ID3]);
    assert.equal(describePlannedChange(plan), `remove ${ID3} (assigned by someone else)`);
    assert.deepEqual(plan.warnings, [foreignRemovalWarning([ID3])]);
  });

  it("names an identity it takes over: already assigned, newly declared", () => {
    const plan = planChange(
      recorded({ userAssignedIdentities: [ID1], otherUserAssignedIdentities: [ID3], identityType: "UserAssigned" }),
      inputs({ userAssignedIdentities: [ID1, docId("ID3")] }),
    );
    assert.deepEqual(plan.identity?.adopt, [ID3]);
    assert.equal(changesIdentity(plan.identity!), false);
    assert.deepEqual(plan.properties, { "userAssignedIdentities[1]": { kind: "add", replace: false } });
    assert.equal(describePlannedChange(plan), `adopt ${ID3} (already assigned)`);
    // Adoption is a warning in an update as it is at creation (the runtime's "now owns identities …").
    assert.deepEqual(plan.warnings, [adoptionWarning([ID3])]);
  });

  it("says when the system identity turns off (exclusive, not declared) and on (declared true)", () => {
    const off = planChange(
      recorded({
        userAssignedIdentities: [ID1],
        identityType: "SystemAssigned, UserAssigned",
        principalId: "249cbddd-667e-47d7-a927-a4ae18fb422b",
      }),
      inputs({ userAssignedIdentities: [ID1], mode: "exclusive", systemAssigned: false }),
    );
    assert.equal(off.identity?.systemAssigned, "off");
    assert.equal(describePlannedChange(off), "turn the system-assigned identity off");
    assert.deepEqual(off.warnings, [systemIdentityOffWarning("249cbddd-667e-47d7-a927-a4ae18fb422b")]);
    const on = planChange(
      recorded({ userAssignedIdentities: [ID1], identityType: "UserAssigned" }),
      inputs({ userAssignedIdentities: [ID1, ID2], systemAssigned: true }),
    );
    assert.equal(on.identity?.systemAssigned, "on");
    assert.deepEqual(on.identity?.add, [ID2]);
    assert.equal(describePlannedChange(on), `add ${ID2}; turn the system-assigned identity on`);
  });

  it("exclusive mode plans and removes an identity whose name only ARM accepted (shorter than today's rule)", () => {
    const old = `${ID3.slice(0, ID3.lastIndexOf("/"))}/ab`;
    const plan = planChange(
      recorded({ userAssignedIdentities: [ID1], otherUserAssignedIdentities: [old], identityType: "UserAssigned" }),
      inputs({ userAssignedIdentities: [ID1], mode: "exclusive", systemAssigned: false }),
    );
    assert.deepEqual(plan.identity?.removeForeign, [old]);
    const current = readIdentityState({ type: "UserAssigned", userAssignedIdentities: { [ID1]: {}, [old]: {} } });
    const declared = { mode: "exclusive", systemAssigned: false, userAssignedIdentities: [ID1] } as const;
    assert.deepEqual(planPatch(current, changeForCreate(current, declared), "dictionary"), {
      identity: { type: "UserAssigned", userAssignedIdentities: { [old]: null } },
    });
  });

  it("plans nothing when the state already matches, casing aside", () => {
    const plan = planChange(
      recorded({ userAssignedIdentities: [ID1], otherUserAssignedIdentities: [ID3], identityType: "UserAssigned" }),
      inputs({ userAssignedIdentities: [docId("ID1")] }),
    );
    assert.equal(plan.changes, false);
    assert.equal(changesIdentity(plan.identity!), false);
    assert.equal(describePlannedChange(plan), undefined);
  });

  it("a creation plans the declared identities, and in exclusive mode says it removes every other one found", () => {
    const plan = planChange(
      undefined,
      inputs({ userAssignedIdentities: [ID2, ID1], mode: "exclusive", systemAssigned: false }),
    );
    assert.equal(plan.creating, true);
    assert.equal(plan.identity?.complete, false);
    assert.deepEqual(plan.identity?.add, [ID1, ID2]);
    assert.equal(
      describePlannedChange(plan),
      `add ${ID1}, ${ID2}; turn the system-assigned identity off; remove every other identity found on the scale ` +
        "set (exclusive mode)",
    );
  });

  it("a replacement names what the new scale set gets and what deleting the old resource removes", () => {
    const plan = planChange(
      recorded({
        userAssignedIdentities: [ID1],
        otherUserAssignedIdentities: [ID3],
        identityType: "SystemAssigned, UserAssigned",
        systemAssigned: true,
        systemAssignedOwned: true,
        principalId: "249cbddd-667e-47d7-a927-a4ae18fb422b",
      }),
      inputs({ scaleSetId: OTHER_SCALE_SET, userAssignedIdentities: [ID2] }),
    );
    assert.deepEqual(plan.replaces, ["scaleSetId"]);
    assert.equal(plan.scaleSetId, OTHER_SCALE_SET);
    assert.deepEqual(plan.released, { scaleSetId: SCALE_SET_ID, remove: [ID1], systemAssigned: "off" });
    assert.equal(
      describePlannedChange(plan),
      // What the new scale set gets, the engine's creation check of the new inputs shows.
      `replace (scaleSetId changes); deleting the old resource on ${SCALE_SET_ID}: remove ${ID1}, turn the ` +
        "system-assigned identity off",
    );
    // Turning the old scale set's system identity off loses its principal, as an update doing the same warns.
    assert.deepEqual(plan.warnings, [
      `deleting the old resource on ${SCALE_SET_ID}: ${systemIdentityOffWarning("249cbddd-667e-47d7-a927-a4ae18fb422b")}`,
    ]);
  });

  it("an update or creation whose identity list is unknown says what is known and that up decides the rest", () => {
    const update = planChange(
      recorded({ userAssignedIdentities: [ID1], identityType: "UserAssigned" }),
      inputs({ userAssignedIdentities: UNKNOWN, endpoint: "https://127.0.0.1:8443" }),
    );
    assert.equal(update.identity, undefined);
    assert.equal(
      describePlannedChange(update),
      "userAssignedIdentities, endpoint change; the identity change is known only at up (userAssignedIdentities not " +
        "known yet)",
    );
    const creation = planChange(undefined, inputs({ userAssignedIdentities: [ID1, UNKNOWN] }));
    assert.equal(
      describePlannedChange(creation),
      "create; the identity change is known only at up (userAssignedIdentities not known yet)",
    );
  });

  it("compares a recorded state that does not parse as it is, and plans nothing from it", () => {
    const old = recorded({ userAssignedIdentities: ["/subscriptions/not-a-guid/identities/x"] });
    const same = planChange(old, inputs({ userAssignedIdentities: ["/subscriptions/not-a-guid/identities/x"] }));
    assert.deepEqual([same.changes, same.identity], [false, undefined]);
    const other = planChange(old, inputs({ userAssignedIdentities: [ID1] }));
    assert.deepEqual([other.changes, other.identity], [true, undefined]);
  });

  it("warns with the identityIds api-versions when up writes or when switching to them, and only then", () => {
    for (const apiVersion of ["2017-12-01", "2018-04-01"]) {
      assert.deepEqual(planChange(undefined, inputs({ userAssignedIdentities: [ID1], apiVersion })).warnings, [
        identityIdsWarning(apiVersion),
      ]);
      // Unknown identities still mean a write.
      assert.deepEqual(planChange(undefined, inputs({ userAssignedIdentities: [UNKNOWN], apiVersion })).warnings, [
        identityIdsWarning(apiVersion),
      ]);
      const state = recorded({ userAssignedIdentities: [ID1], identityType: "UserAssigned", apiVersion });
      assert.deepEqual(planChange(state, inputs({ userAssignedIdentities: [ID1], apiVersion })).warnings, []);
      // Switching to it changes nothing yet, and is the moment to say what it risks.
      const switched = planChange(
        { ...state, apiVersion: "2024-11-01" },
        inputs({ userAssignedIdentities: [ID1], apiVersion }),
      );
      assert.deepEqual([switched.changes, switched.warnings], [false, [identityIdsWarning(apiVersion)]]);
    }
    assert.deepEqual(
      planChange(undefined, inputs({ userAssignedIdentities: [ID1], apiVersion: "2018-06-01" })).warnings,
      [],
    );
    assert.deepEqual(planChange(undefined, inputs({ userAssignedIdentities: [ID1] })).warnings, []);
    assert.match(identityIdsWarning("2017-12-01"), /removed again, and both writes report success/);
  });
});

describe("reportPlannedChange: the lines a preview shows", () => {
  it("writes the plan from the recorded outputs, and nothing when nothing changes", () => {
    const lines: string[] = [];
    const state = recorded({
      userAssignedIdentities: [ID1],
      otherUserAssignedIdentities: [ID3],
      identityType: "UserAssigned",
    });
    reportPlannedChange(
      state,
      inputs({ mode: "exclusive", systemAssigned: false, userAssignedIdentities: [ID1] }),
      (m) => lines.push(m.severity === "warning" ? `warning: ${m.text}` : m.text),
    );
    assert.deepEqual(lines, [
      `VmssManagedIdentity plan for ${SCALE_SET_ID}: remove ${ID3} (assigned by someone else)`,
      `warning: VmssManagedIdentity on ${SCALE_SET_ID}: ${foreignRemovalWarning([ID3])}`,
    ]);
    lines.length = 0;
    reportPlannedChange(state, inputs({ userAssignedIdentities: [ID1] }), (m) =>
      lines.push(m.severity === "warning" ? `warning: ${m.text}` : m.text),
    );
    assert.deepEqual(lines, []);
  });

  it("shows only the warnings for the component's silent child at creation, also before the scale set is known", () => {
    const lines: string[] = [];
    const news = inputs({ userAssignedIdentities: [ID2], apiVersion: "2017-12-01", adoption: "silent" });
    reportPlannedChange(undefined, news, (m) => lines.push(m.severity === "warning" ? `warning: ${m.text}` : m.text));
    assert.deepEqual(lines, [`warning: VmssManagedIdentity on ${SCALE_SET_ID}: ${identityIdsWarning("2017-12-01")}`]);
    lines.length = 0;
    reportPlannedChange(undefined, { ...news, scaleSetId: UNKNOWN }, (m) =>
      lines.push(m.severity === "warning" ? `warning: ${m.text}` : m.text),
    );
    assert.deepEqual(lines, [
      `warning: VmssManagedIdentity on a scale set not known before up: ${identityIdsWarning("2017-12-01")}`,
    ]);
  });

  it("says that identities not known before up are known only at up", () => {
    const lines: string[] = [];
    const plan = reportPlannedChange(undefined, inputs({ userAssignedIdentities: [UNKNOWN] }), (m) =>
      lines.push(m.severity === "warning" ? `warning: ${m.text}` : m.text),
    );
    assert.equal(plan.identity, undefined);
    assert.deepEqual(lines, [
      `VmssManagedIdentity plan for ${SCALE_SET_ID}: create; the identity change is known only at up ` +
        "(userAssignedIdentities not known yet)",
    ]);
  });
});
