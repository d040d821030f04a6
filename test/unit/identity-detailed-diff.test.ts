import { deepEqual, equal } from "node:assert/strict";
import { type PropertyChange, UNKNOWN, detailedDiffOf, diffOf, planChange } from "../../provider/identity";
import { ID1, ID2, ID3, SCALE_SET_ID, SUB, canonicalId, docId } from "./identity-fixtures";

const FOREIGN = canonicalId("policy-identity");

/** Recorded state (outputs) of an additive resource owning ID1 and ID2, with a foreign identity beside them. */
const OLDS = {
  scaleSetId: SCALE_SET_ID,
  userAssignedIdentities: [ID1, ID2],
  systemAssigned: true,
  mode: "additive",
  endpoint: "https://127.0.0.1:8443",
  identityType: "SystemAssigned, UserAssigned",
  otherUserAssignedIdentities: [FOREIGN],
  systemAssignedOwned: false,
};
const NEWS = {
  scaleSetId: SCALE_SET_ID,
  userAssignedIdentities: [ID1, ID2],
  systemAssigned: true,
  mode: "additive",
  endpoint: "https://127.0.0.1:8443",
};

const add = { kind: "add", replace: false } as const;
const del = { kind: "delete", replace: false } as const;
const upd = { kind: "update", replace: false } as const;

describe("detailedDiffOf(planChange(…)): the property-by-property diff the plugin shows", () => {
  const cases: [string, Record<string, unknown>, Record<string, PropertyChange>, Record<string, unknown>?][] = [
    ["the same declaration", {}, {}],
    [
      "IDs and endpoint that differ only in casing",
      {
        scaleSetId: SCALE_SET_ID.toLowerCase(),
        userAssignedIdentities: [docId("ID1"), ID2.toUpperCase().replace(SUB.toUpperCase(), SUB)],
        endpoint: "HTTPS://127.0.0.1:8443/",
      },
      {},
    ],
    ["the identities in another order", { userAssignedIdentities: [ID2, ID1] }, {}],
    ["apiVersion alone", { apiVersion: "2018-06-01" }, {}],
    ["an identity added", { userAssignedIdentities: [ID1, ID2, ID3] }, { "userAssignedIdentities[2]": add }],
    ["an identity removed", { userAssignedIdentities: [ID2] }, { "userAssignedIdentities[0]": del }],
    [
      "every identity removed",
      { userAssignedIdentities: [] },
      { "userAssignedIdentities[0]": del, "userAssignedIdentities[1]": del },
    ],
    [
      "one identity swapped for another at the same place",
      { userAssignedIdentities: [ID3, ID2] },
      { "userAssignedIdentities[0]": upd },
    ],
    ["an unknown list (preview)", { userAssignedIdentities: [ID1, UNKNOWN] }, { userAssignedIdentities: upd }],
    ["the system identity turned off", { systemAssigned: false }, { systemAssigned: upd }],
    ["the system identity no longer managed", { systemAssigned: undefined }, { systemAssigned: del }],
    [
      "the system identity turned on where it was not managed",
      { systemAssigned: true },
      { systemAssigned: add },
      { ...OLDS, systemAssigned: undefined },
    ],
    [
      "another scale set: replacement",
      { scaleSetId: SCALE_SET_ID.replace("myVMSS", "other") },
      { scaleSetId: { kind: "update", replace: true } },
    ],
    [
      "an unknown scale set (preview): replacement",
      { scaleSetId: UNKNOWN },
      { scaleSetId: { kind: "update", replace: true } },
    ],
    [
      "exclusive mode removes the identity someone else assigned",
      { mode: "exclusive" },
      { mode: upd, "otherUserAssignedIdentities[0]": del },
    ],
    [
      "exclusive mode that now declares the foreign identity adopts it instead",
      { mode: "exclusive", userAssignedIdentities: [ID1, ID2, FOREIGN] },
      { mode: upd, "userAssignedIdentities[2]": add },
    ],
    [
      "exclusive mode already in force: a newly found foreign identity is removed",
      { mode: "exclusive" },
      { "otherUserAssignedIdentities[0]": del },
      { ...OLDS, mode: "exclusive" },
    ],
    [
      "additive mode that newly declares the foreign identity adopts it (an add, though no PATCH)",
      { userAssignedIdentities: [ID1, ID2, FOREIGN.toLowerCase()] },
      { "userAssignedIdentities[2]": add },
    ],
    [
      "additive mode leaves a foreign identity alone",
      { userAssignedIdentities: [ID1] },
      { "userAssignedIdentities[1]": del },
    ],
    ["endpoint removed", { endpoint: undefined }, { endpoint: del }],
    ["environment added", { environment: "China" }, { environment: add }],
  ];

  for (const [title, change, expected, olds = OLDS] of cases) {
    it(title, () => {
      const news = { ...NEWS, ...change };
      const plan = planChange(olds, news);
      const detailed = detailedDiffOf(plan);
      deepEqual(detailed, expected);
      // The same decision as the dynamic resource's diff: an entry exactly when there is a change.
      equal(Object.keys(detailed).length > 0, diffOf(plan).changes);
    });
  }
});
