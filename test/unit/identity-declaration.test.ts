import { deepEqual, equal, throws } from "node:assert/strict";
import {
  type Declaration,
  NO_IDENTITY,
  adoptedIdentities,
  changeForCreate,
  changeForDelete,
  changeForUpdate,
  identityStateOf,
  planPatch,
} from "../../provider/identity";
import { applyPatch, userIdsOf } from "../support/patchModel";
import { ID1, ID2, ID3, canonicalId, docId } from "./identity-fixtures";

const decl = (d: Partial<Declaration>): Declaration => ({ userAssignedIdentities: [], mode: "additive", ...d });
const FOREIGN = canonicalId("assigned-by-policy"); // another tool's identity (docs/arm-behavior.md, "IDs and casing")

describe("declarations to changes", () => {
  describe("create", () => {
    it("additive adds the declared identities and leaves the system identity alone when undeclared", () => {
      deepEqual(changeForCreate(identityStateOf(true, [FOREIGN]), decl({ userAssignedIdentities: [ID1] })), {
        add: [ID1],
        remove: [],
      });
    });

    it("additive with systemAssigned false turns the system identity off", () => {
      deepEqual(changeForCreate(identityStateOf(true), decl({ systemAssigned: false })), {
        add: [],
        remove: [],
        system: false,
      });
    });

    it("exclusive removes every identity not declared and turns an undeclared system identity off", () => {
      deepEqual(
        changeForCreate(
          identityStateOf(true, [FOREIGN, ID1]),
          decl({ mode: "exclusive", userAssignedIdentities: [docId("ID1")] }),
        ),
        { system: false, add: [docId("ID1")], remove: [FOREIGN] },
      );
    });
  });

  describe("update", () => {
    it("additive removes only what the old declaration owned and the new one dropped", () => {
      const current = identityStateOf(false, [FOREIGN, ID1, ID2]);
      deepEqual(
        changeForUpdate(
          current,
          decl({ userAssignedIdentities: [ID1, ID2] }),
          decl({ userAssignedIdentities: [ID2, ID3] }),
        ),
        { add: [ID2, ID3], remove: [ID1] },
      );
    });

    it("an ID re-spelt in the new declaration is not removed", () => {
      const change = changeForUpdate(
        identityStateOf(false, [ID1]),
        decl({ userAssignedIdentities: [ID1] }),
        decl({ userAssignedIdentities: [ID1.toLowerCase()] }),
      );
      deepEqual(change.remove, []);
    });

    it("systemAssigned true then undefined stops managing it: the system identity stays", () => {
      const change = changeForUpdate(identityStateOf(true), decl({ systemAssigned: true }), decl({}));
      equal("system" in change, false);
      equal(planPatch(identityStateOf(true), change, "dictionary"), undefined);
    });

    it("systemAssigned true then false turns it off", () => {
      equal(
        changeForUpdate(identityStateOf(true), decl({ systemAssigned: true }), decl({ systemAssigned: false })).system,
        false,
      );
    });

    it("switching to exclusive behaves as creating exclusively", () => {
      const current = identityStateOf(true, [FOREIGN, ID1]);
      const news = decl({ mode: "exclusive", systemAssigned: true, userAssignedIdentities: [ID1] });
      deepEqual(
        changeForUpdate(current, decl({ userAssignedIdentities: [ID1] }), news),
        changeForCreate(current, news),
      );
    });
  });

  describe("delete", () => {
    it("removes the owned identities and the system identity it turned on, nothing else", () => {
      const current = identityStateOf(true, [FOREIGN, ID1]);
      const change = changeForDelete(current, decl({ systemAssigned: true, userAssignedIdentities: [ID1] }));
      deepEqual(change, { add: [], remove: [ID1], system: false });
      const after = applyPatch(current, planPatch(current, change, "dictionary")!, "dictionary");
      deepEqual(userIdsOf(after), [FOREIGN]);
      equal(after.system, false);
    });

    it("an exclusive resource also removes only what it declared", () => {
      deepEqual(changeForDelete(NO_IDENTITY, decl({ mode: "exclusive", userAssignedIdentities: [ID1] })), {
        add: [],
        remove: [ID1],
      });
    });

    it("systemAssigned false or undefined leaves the system identity alone", () => {
      equal("system" in changeForDelete(NO_IDENTITY, decl({ systemAssigned: false })), false);
      equal("system" in changeForDelete(NO_IDENTITY, decl({})), false);
    });

    it("identities already gone plan nothing (deleting twice is safe)", () => {
      const current = identityStateOf(false, [FOREIGN]);
      equal(
        planPatch(current, changeForDelete(current, decl({ userAssignedIdentities: [ID1] })), "dictionary"),
        undefined,
      );
    });
  });

  it("adoptedIdentities lists the declared identities already present, canonical, once", () => {
    const current = identityStateOf(false, [docId("ID1"), FOREIGN]);
    deepEqual(adoptedIdentities(current, decl({ userAssignedIdentities: [ID1.toUpperCase(), ID2, docId("ID1")] })), [
      canonicalId("ID1", "MYRESOURCEGROUP"),
    ]);
  });
});

describe("planPatch details", () => {
  it("remove wins over add for an ID in both (user' = (C ∪ add) \\ remove)", () => {
    deepEqual(planPatch(identityStateOf(false, [ID1]), { add: [ID1, ID2], remove: [docId("ID1")] }, "dictionary"), {
      identity: { type: "UserAssigned", userAssignedIdentities: { [ID2]: {}, [ID1]: null } },
    });
    equal(planPatch(NO_IDENTITY, { add: [ID1], remove: [ID1] }, "dictionary"), undefined);
  });

  it("never sends null for an identity that is not assigned", () => {
    deepEqual(planPatch(identityStateOf(false, [ID1]), { add: [ID2], remove: [ID3] }, "dictionary"), {
      identity: { type: "UserAssigned", userAssignedIdentities: { [ID2]: {} } },
    });
  });

  it("swapping the only identity sends both the addition and the removal", () => {
    deepEqual(planPatch(identityStateOf(false, [ID1]), { add: [ID2], remove: [ID1] }, "dictionary"), {
      identity: { type: "UserAssigned", userAssignedIdentities: { [ID2]: {}, [ID1]: null } },
    });
    deepEqual(planPatch(identityStateOf(false, [ID1]), { add: [ID2], remove: [ID1] }, "identityIds"), {
      identity: { type: "UserAssigned", identityIds: [ID2] },
    });
  });

  it("adding an identity listed twice in different casing names it once", () => {
    deepEqual(planPatch(NO_IDENTITY, { add: [ID1, docId("ID1")], remove: [] }, "identityIds"), {
      identity: { type: "UserAssigned", identityIds: [ID1] },
    });
  });

  it("rejects an invalid ID in a change with InvalidArmIdError", () => {
    throws(() => planPatch(NO_IDENTITY, { add: ["/subscriptions/x"], remove: [] }, "dictionary"), {
      name: "InvalidArmIdError",
    });
  });
});

describe("applyPatch: the model of ARM's merge", () => {
  it("keeps unnamed keys and the principal IDs of kept identities", () => {
    const current = {
      system: true,
      principalId: "sp",
      tenantId: "t",
      user: new Map([[ID1.toLowerCase(), { id: ID1, principalId: "p1" }]]),
    };
    const after = applyPatch(
      current,
      { identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [ID2]: {} } } },
      "dictionary",
    );
    deepEqual([...after.user.values()], [{ id: ID1, principalId: "p1" }, { id: ID2 }]);
    equal(after.principalId, "sp");
  });

  it("type SystemAssigned drops every user identity (how-to: 'switching to use only system-assigned')", () => {
    equal(
      applyPatch(identityStateOf(true, [ID1, ID2]), { identity: { type: "SystemAssigned" } }, "dictionary").user.size,
      0,
    );
  });

  const rejected: [string, Parameters<typeof applyPatch>, string][] = [
    [
      "UserAssigned leaving no identity",
      [
        identityStateOf(false, [ID1]),
        { identity: { type: "UserAssigned", userAssignedIdentities: { [ID1]: null } } },
        "dictionary",
      ],
      "MissingIdentityIds",
    ],
    [
      "SystemAssigned with a dictionary",
      [NO_IDENTITY, { identity: { type: "SystemAssigned", userAssignedIdentities: { [ID1]: {} } } }, "dictionary"],
      "InvalidParameter",
    ],
    [
      "null for an absent identity",
      [
        identityStateOf(false, [ID1]),
        { identity: { type: "UserAssigned", userAssignedIdentities: { [ID2]: null } } },
        "dictionary",
      ],
      "BadRequest",
    ],
    [
      "an echoed read-only value",
      [
        identityStateOf(false, [ID1]),
        { identity: { type: "UserAssigned", userAssignedIdentities: { [ID1]: { principalId: "p" } as never } } },
        "dictionary",
      ],
      "InvalidIdentityValues",
    ],
    [
      "identityIds with type None",
      [NO_IDENTITY, { identity: { type: "None", identityIds: [ID1] } }, "identityIds"],
      "InvalidParameter",
    ],
    [
      "a dictionary sent in the identityIds format",
      [NO_IDENTITY, { identity: { type: "UserAssigned", userAssignedIdentities: { [ID1]: {} } } }, "identityIds"],
      "InvalidParameter",
    ],
  ];
  for (const [what, args, code] of rejected) {
    it(`rejects ${what} with ${code}, as ARM answers 400`, () => {
      throws(
        () => applyPatch(...args),
        (e: unknown) => (e as Error).name === "RejectedPatchError" && (e as { code: string }).code === code,
      );
    });
  }
});
