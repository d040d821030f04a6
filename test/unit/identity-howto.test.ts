// Every operation of the how-to (docs/arm-behavior.md; bodies in
// test/emulator/fixtures/qs-configure-rest-vmss.requests.json), in both body formats:
//   1. the scale set's identity as a GET returns it (read with readIdentityState),
//   2. what the resource declares (create, update from an old declaration, or delete),
//   3. the exact PATCH body the algebra plans, and, where the algebra agrees with the how-to, the how-to's own
//      body (type and key spelling normalised) equals it. Where it deliberately differs, the row says why.
import { deepEqual, equal } from "node:assert/strict";
import {
  type BodyFormat,
  type Declaration,
  type IdentityChange,
  type IdentityPatch,
  type IdentityState,
  armIdKey,
  bodyFormatFor,
  changeForCreate,
  changeForDelete,
  changeForUpdate,
  identityForCreate,
  parseIdentityType,
  parseUserAssignedIdentityId,
  planPatch,
  readIdentityState,
} from "../../provider/identity";
import { applyPatch } from "../support/patchModel";
import { ID1, ID2, docId, getIdentity, getIdentity2017 } from "./identity-fixtures";

const additive = (d: Partial<Declaration>): Declaration => ({ userAssignedIdentities: [], mode: "additive", ...d });

interface Row {
  /** The how-to's heading for the operation. */
  operation: string;
  format: BodyFormat;
  /** Current identity: system on, and user identity IDs as the GET spells them. */
  current: { system: boolean; user: string[] };
  /** How the resource reaches the operation. */
  change: (current: IdentityState) => IdentityChange;
  expected: IdentityPatch;
  /** The how-to's body, if it shows one for this format, and whether the plan must equal it. */
  doc?: { body: DocBody; same: true } | { body: DocBody; same: false; why: string };
}

/** A body as the how-to writes it: any type spelling, IDs in any casing. */
interface DocBody {
  identity: {
    type: string;
    userAssignedIdentities?: Record<string, Record<string, never> | null>;
    identityIds?: string[];
  };
}

const NOT_RESENT =
  "the how-to re-sends the unchanged identities as {}; the algebra names only what changes, since naming an " +
  "identity makes ARM check the assign permission on it (azure-cli PR 6845, docs/arm-behavior.md, PATCH merge rules)";

const rows: Row[] = [
  {
    operation: "Enable system-assigned managed identity on an existing scale set (no user identities)",
    format: "dictionary",
    current: { system: false, user: [] },
    change: (c) => changeForCreate(c, additive({ systemAssigned: true })),
    expected: { identity: { type: "SystemAssigned" } },
    doc: { body: { identity: { type: "SystemAssigned" } }, same: true },
  },
  {
    operation: "Enable system-assigned managed identity on an existing scale set (no user identities)",
    format: "identityIds",
    current: { system: false, user: [] },
    change: (c) => changeForCreate(c, additive({ systemAssigned: true })),
    expected: { identity: { type: "SystemAssigned" } },
  },
  {
    operation: "Enable system-assigned managed identity on a scale set with user identities ID1, ID2",
    format: "dictionary",
    current: { system: false, user: [docId("ID1"), docId("ID2")] },
    change: (c) => changeForCreate(c, additive({ systemAssigned: true })),
    expected: { identity: { type: "SystemAssigned, UserAssigned" } },
    doc: {
      body: {
        identity: {
          type: "SystemAssigned,UserAssigned",
          userAssignedIdentities: { [docId("ID1")]: {}, [docId("ID2")]: {} },
        },
      },
      same: false,
      why: NOT_RESENT,
    },
  },
  {
    operation: "Enable system-assigned managed identity on a scale set with user identities ID1, ID2",
    format: "identityIds",
    current: { system: false, user: [docId("ID1"), docId("ID2")] },
    change: (c) => changeForCreate(c, additive({ systemAssigned: true })),
    expected: { identity: { type: "SystemAssigned, UserAssigned", identityIds: [ID1, ID2] } },
    doc: {
      body: { identity: { type: "SystemAssigned,UserAssigned", identityIds: [docId("ID1"), docId("ID2")] } },
      same: true,
    },
  },
  {
    operation: "Disable system-assigned managed identity (no user identities)",
    format: "dictionary",
    current: { system: true, user: [] },
    change: (c) => changeForUpdate(c, additive({ systemAssigned: true }), additive({ systemAssigned: false })),
    expected: { identity: { type: "None" } },
    doc: { body: { identity: { type: "None" } }, same: true },
  },
  {
    operation: "Disable system-assigned managed identity (no user identities)",
    format: "identityIds",
    current: { system: true, user: [] },
    change: (c) => changeForUpdate(c, additive({ systemAssigned: true }), additive({ systemAssigned: false })),
    expected: { identity: { type: "None" } },
  },
  {
    // The how-to gives no body: "remove SystemAssigned from the type value while keeping the UserAssigned value
    // and the userAssignedIdentities dictionary values"; keys not named are kept (docs/arm-behavior.md).
    operation: "Disable system-assigned managed identity, keeping user identity ID1",
    format: "dictionary",
    current: { system: true, user: [docId("ID1")] },
    change: (c) => changeForDelete(c, additive({ systemAssigned: true })),
    expected: { identity: { type: "UserAssigned" } },
  },
  {
    // "If you are using API version 2017-12-01 or earlier, keep the identityIds array."
    operation: "Disable system-assigned managed identity, keeping user identity ID1",
    format: "identityIds",
    current: { system: true, user: [docId("ID1")] },
    change: (c) => changeForDelete(c, additive({ systemAssigned: true })),
    expected: { identity: { type: "UserAssigned", identityIds: [ID1] } },
  },
  {
    operation: "Assign the first user-assigned identity ID1 to a scale set without identities",
    format: "dictionary",
    current: { system: false, user: [] },
    change: (c) => changeForCreate(c, additive({ userAssignedIdentities: [docId("ID1")] })),
    expected: { identity: { type: "UserAssigned", userAssignedIdentities: { [ID1]: {} } } },
    doc: { body: { identity: { type: "userAssigned", userAssignedIdentities: { [docId("ID1")]: {} } } }, same: true },
  },
  {
    operation: "Assign the first user-assigned identity ID1 to a scale set without identities",
    format: "identityIds",
    current: { system: false, user: [] },
    change: (c) => changeForCreate(c, additive({ userAssignedIdentities: [docId("ID1")] })),
    expected: { identity: { type: "UserAssigned", identityIds: [ID1] } },
    doc: { body: { identity: { type: "userAssigned", identityIds: [docId("ID1")] } }, same: true },
  },
  {
    operation: "Add user identity ID2 to a scale set with the system identity and ID1",
    format: "dictionary",
    current: { system: true, user: [docId("ID1")] },
    change: (c) => changeForCreate(c, additive({ userAssignedIdentities: [ID2] })),
    expected: { identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [ID2]: {} } } },
    doc: {
      body: {
        identity: {
          type: "SystemAssigned, UserAssigned",
          userAssignedIdentities: { [docId("ID1")]: {}, [docId("ID2")]: {} },
        },
      },
      same: false,
      why: NOT_RESENT,
    },
  },
  {
    operation: "Add user identity ID2 to a scale set with the system identity and ID1",
    format: "identityIds",
    current: { system: true, user: [docId("ID1")] },
    change: (c) => changeForCreate(c, additive({ userAssignedIdentities: [ID2] })),
    expected: { identity: { type: "SystemAssigned, UserAssigned", identityIds: [ID1, ID2] } },
    doc: {
      body: { identity: { type: "SystemAssigned, UserAssigned", identityIds: [docId("ID1"), docId("ID2")] } },
      same: true,
    },
  },
  {
    operation: "Remove user identity ID2, keeping ID1 and the system identity",
    format: "dictionary",
    current: { system: true, user: [docId("ID1"), docId("ID2")] },
    change: (c) =>
      changeForUpdate(c, additive({ userAssignedIdentities: [ID1, ID2] }), additive({ userAssignedIdentities: [ID1] })),
    expected: { identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [ID2]: null } } },
    doc: {
      body: { identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [docId("ID2")]: null } } },
      same: true,
    },
  },
  {
    operation: "Remove user identity ID2, keeping ID1 and the system identity",
    format: "identityIds",
    current: { system: true, user: [docId("ID1"), docId("ID2")] },
    change: (c) =>
      changeForUpdate(c, additive({ userAssignedIdentities: [ID1, ID2] }), additive({ userAssignedIdentities: [ID1] })),
    expected: { identity: { type: "SystemAssigned, UserAssigned", identityIds: [ID1] } },
    doc: { body: { identity: { type: "SystemAssigned,UserAssigned", identityIds: [docId("ID1")] } }, same: true },
  },
  {
    operation: "Remove all user identities, keeping the system identity",
    format: "dictionary",
    current: { system: true, user: [docId("ID1"), docId("ID2")] },
    change: (c) => changeForDelete(c, additive({ userAssignedIdentities: [ID1, ID2] })),
    expected: { identity: { type: "SystemAssigned" } },
    doc: { body: { identity: { type: "SystemAssigned" } }, same: true },
  },
  {
    operation: "Remove all user identities, keeping the system identity",
    format: "identityIds",
    current: { system: true, user: [docId("ID1"), docId("ID2")] },
    change: (c) => changeForDelete(c, additive({ userAssignedIdentities: [ID1, ID2] })),
    expected: { identity: { type: "SystemAssigned" } },
  },
  {
    operation: "Remove all user identities of a scale set that has only user identities",
    format: "dictionary",
    current: { system: false, user: [docId("ID1"), docId("ID2")] },
    change: (c) => changeForDelete(c, additive({ userAssignedIdentities: [ID1, ID2] })),
    expected: { identity: { type: "None" } },
    doc: { body: { identity: { type: "None" } }, same: true },
  },
  {
    operation: "Remove all user identities of a scale set that has only user identities",
    format: "identityIds",
    current: { system: false, user: [docId("ID1"), docId("ID2")] },
    change: (c) => changeForDelete(c, additive({ userAssignedIdentities: [ID1, ID2] })),
    expected: { identity: { type: "None" } },
  },
];

/** The how-to's body with the type parsed and identity IDs in canonical spelling. */
function normalise(body: DocBody): IdentityPatch {
  const identity = body.identity;
  const out: IdentityPatch = { identity: { type: parseIdentityType(identity.type) } };
  if (identity.userAssignedIdentities !== undefined) {
    out.identity.userAssignedIdentities = Object.fromEntries(
      Object.entries(identity.userAssignedIdentities).map(([k, v]) => [parseUserAssignedIdentityId(k).id, v]),
    );
  }
  if (identity.identityIds !== undefined) {
    out.identity.identityIds = identity.identityIds.map((id) => parseUserAssignedIdentityId(id).id);
  }
  return out;
}

function currentState(row: Row): IdentityState {
  const read = row.format === "dictionary" ? getIdentity : getIdentity2017;
  return readIdentityState(read(row.current.system, row.current.user));
}

describe("identity algebra: every operation of the how-to, both body formats", () => {
  for (const row of rows) {
    describe(`${row.operation} (${row.format})`, () => {
      it("plans exactly the expected PATCH body", () => {
        const current = currentState(row);
        deepEqual(planPatch(current, row.change(current), row.format), row.expected);
      });

      const doc = row.doc;
      if (doc?.same === true) {
        it("plans the how-to's own body (type and ID spelling normalised)", () => {
          const current = currentState(row);
          deepEqual(planPatch(current, row.change(current), row.format), normalise(doc.body));
        });
      } else if (doc?.same === false) {
        it(`differs from the how-to on purpose, reaching the same state: ${doc.why}`, () => {
          const current = currentState(row);
          const ours = applyPatch(current, row.expected, row.format);
          const theirs = applyPatch(current, normalise(doc.body), row.format);
          deepEqual([ours.system, [...ours.user.keys()].sort()], [theirs.system, [...theirs.user.keys()].sort()]);
        });
      }

      it("is done after one PATCH: planning again on the resulting state gives nothing", () => {
        const current = currentState(row);
        const after = applyPatch(current, row.expected, row.format);
        equal(planPatch(after, row.change(after), row.format), undefined);
      });
    });
  }

  describe("creating a scale set with identities (the how-to's PUT bodies)", () => {
    it("system-assigned only: the same identity in both formats", () => {
      deepEqual(identityForCreate(true, [], "dictionary"), { type: "SystemAssigned" });
      deepEqual(identityForCreate(true, [], "identityIds"), { type: "SystemAssigned" });
    });

    it("user-assigned ID1 at 2018-06-01: a dictionary with {} values, as the how-to sends", () => {
      const doc = { identity: { type: "UserAssigned", userAssignedIdentities: { [docId("ID1")]: {} } } };
      const identity = identityForCreate(false, [docId("ID1")], bodyFormatFor("2018-06-01"));
      deepEqual(identity, { type: "UserAssigned", userAssignedIdentities: { [ID1]: {} } });
      deepEqual({ identity }, normalise(doc));
    });

    it("user-assigned ID1 at 2017-12-01: an identityIds array, as the how-to sends", () => {
      const doc = { identity: { type: "UserAssigned", identityIds: [docId("ID1")] } };
      const identity = identityForCreate(false, [docId("ID1")], bodyFormatFor("2017-12-01"));
      deepEqual(identity, { type: "UserAssigned", identityIds: [ID1] });
      deepEqual({ identity }, normalise(doc));
    });

    it("no identity at all: no identity key", () => {
      equal(identityForCreate(false, [], "dictionary"), undefined);
    });
  });

  describe("the GET before every change (the how-to's 'list the identities first')", () => {
    it("reads the system identity and both user identities with their IDs, whatever the key casing", () => {
      const state = readIdentityState(getIdentity(true, [docId("ID1"), docId("ID2")]));
      equal(state.system, true);
      deepEqual([...state.user.keys()], [armIdKey(ID1), armIdKey(ID2)]);
      deepEqual(
        [...state.user.values()].map((u) => u.id),
        [ID1, ID2],
      );
    });
  });
});
