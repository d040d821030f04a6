import { deepEqual } from "node:assert/strict";
import { UNKNOWN, diffOf, planChange } from "../../provider/identity";
import { ID1, ID2, SCALE_SET_ID, SUB, docId } from "./identity-fixtures";

const OLDS = {
  scaleSetId: SCALE_SET_ID,
  userAssignedIdentities: [ID1, ID2],
  systemAssigned: true,
  mode: "additive",
  apiVersion: "2024-11-01",
  endpoint: "https://127.0.0.1:8443",
  // outputs stored alongside the inputs are not inputs: never compared
  type: "SystemAssigned, UserAssigned",
  principalId: "p",
  __provider: "exports.handler=…",
};

type DeclarationDiff = ReturnType<typeof diffOf>;
const diffDeclarations = (olds: Record<string, unknown>, news: Record<string, unknown>) =>
  diffOf(planChange(olds, news));

const NONE: DeclarationDiff = { changes: false, replaces: [] };
const UPDATE: DeclarationDiff = { changes: true, replaces: [] };
const REPLACE: DeclarationDiff = { changes: true, replaces: ["scaleSetId"] };

describe("diff (a projection of planChange): comparing the recorded state with the new inputs without any I/O", () => {
  const cases: [string, Record<string, unknown>, DeclarationDiff][] = [
    ["the same inputs", {}, NONE],
    [
      "IDs that differ only in casing",
      {
        scaleSetId: SCALE_SET_ID.toLowerCase(),
        userAssignedIdentities: [docId("ID1"), ID2.toUpperCase().replace(SUB.toUpperCase(), SUB)],
      },
      NONE,
    ],
    ["the identities in another order", { userAssignedIdentities: [ID2, ID1] }, NONE],
    ["apiVersion alone", { apiVersion: "2018-06-01" }, NONE],
    ["an unknown apiVersion alone", { apiVersion: UNKNOWN }, NONE],
    ["the same endpoint spelt differently", { endpoint: "HTTPS://127.0.0.1:8443/" }, NONE],
    ["an identity added", { userAssignedIdentities: [ID1, ID2, docId("ID3")] }, UPDATE],
    ["an identity dropped", { userAssignedIdentities: [ID1] }, UPDATE],
    ["systemAssigned true to absent (stop managing)", { systemAssigned: undefined }, UPDATE],
    ["systemAssigned true to false", { systemAssigned: false }, UPDATE],
    ["mode to exclusive", { mode: "exclusive" }, UPDATE],
    [
      "another endpoint (an update that converges there, not a replacement)",
      { endpoint: "https://127.0.0.1:9443" },
      UPDATE,
    ],
    ["an environment instead of the endpoint", { endpoint: undefined, environment: "public" }, UPDATE],
    ["another scale set", { scaleSetId: SCALE_SET_ID.replace("myVMSS", "otherVMSS") }, REPLACE],
    ["an unknown scale set (preview)", { scaleSetId: UNKNOWN }, REPLACE],
    ["an unknown identity list", { userAssignedIdentities: UNKNOWN }, UPDATE],
    ["one unknown identity", { userAssignedIdentities: [ID1, UNKNOWN] }, UPDATE],
    ["an unknown systemAssigned", { systemAssigned: UNKNOWN }, UPDATE],
    ["an unknown mode", { mode: UNKNOWN }, UPDATE],
  ];
  for (const [what, overrides, expected] of cases) {
    it(`${what}: ${expected.replaces.length > 0 ? "replace" : expected.changes ? "update" : "no change"}`, () => {
      const news: Record<string, unknown> = { ...OLDS, ...overrides };
      for (const key of ["type", "principalId"]) delete news[key];
      deepEqual(diffDeclarations(OLDS, news), expected);
    });
  }

  it("an absent mode equals additive, and an absent identity list equals an empty one", () => {
    deepEqual(
      diffDeclarations(
        { scaleSetId: SCALE_SET_ID },
        { scaleSetId: SCALE_SET_ID, mode: "additive", userAssignedIdentities: [] },
      ),
      NONE,
    );
  });
});
