import { deepEqual, equal, throws } from "node:assert/strict";
import { type IdentityState, armIdKey, readIdentityState } from "../../provider/identity";
import { ID1, ID2, SUB, SYSTEM_PRINCIPAL, TENANT, docId } from "./identity-fixtures";

/** The state as plain data, for deepEqual. */
function plain(state: IdentityState) {
  return { ...state, user: [...state.user.entries()] };
}

describe("reading a scale set's identity from a GET/PATCH response", () => {
  it("no identity key (ARM omits it) is no identity", () => {
    deepEqual(plain(readIdentityState(undefined)), { system: false, user: [] });
    deepEqual(plain(readIdentityState(null)), { system: false, user: [] });
  });

  it('{"type":"None"} is no identity', () => {
    deepEqual(plain(readIdentityState({ type: "None" })), { system: false, user: [] });
  });

  it("reads a mixed identity as recorded from Compute (2023-12, api 2023-09-01)", () => {
    // Shape of the Azure CLI's recording test_vmss_explicit_msi (2023-12; docs/arm-behavior.md), GET after creation.
    const identity = {
      type: "SystemAssigned, UserAssigned",
      principalId: SYSTEM_PRINCIPAL,
      tenantId: TENANT,
      userAssignedIdentities: {
        [`/subscriptions/${SUB}/resourceGroups/cli_test_vmss_explicit_msi000001/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1`]:
          { principalId: "2aad7bf4-5d06-41b9-aeff-9be64369ddfc", clientId: "0c2c8e5b-2b4a-4b8e-9d0a-3f5e5f6a7b8c" },
      },
    };
    const id = `/subscriptions/${SUB}/resourceGroups/cli_test_vmss_explicit_msi000001/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1`;
    deepEqual(plain(readIdentityState(identity)), {
      system: true,
      principalId: SYSTEM_PRINCIPAL,
      tenantId: TENANT,
      user: [
        [
          armIdKey(id),
          { id, principalId: "2aad7bf4-5d06-41b9-aeff-9be64369ddfc", clientId: "0c2c8e5b-2b4a-4b8e-9d0a-3f5e5f6a7b8c" },
        ],
      ],
    });
  });

  it("reads {} values (a PATCH response while the operation runs) as identities without IDs yet", () => {
    const state = readIdentityState({ type: "UserAssigned", userAssignedIdentities: { [docId("ID1")]: {} } });
    deepEqual(plain(state), { system: false, user: [[armIdKey(ID1), { id: ID1 }]] });
  });

  it('reads "null" strings (identity deleted and re-created, docs/arm-behavior.md, "IDs and casing") as unknown IDs', () => {
    const state = readIdentityState({
      type: "UserAssigned",
      userAssignedIdentities: { [docId("ID1")]: { clientId: "null", principalId: "null" } },
    });
    deepEqual(state.user.get(armIdKey(ID1)), { id: ID1 });
  });

  it("reads lower-cased keys and property names in any casing, canonicalising the IDs", () => {
    const state = readIdentityState({
      Type: "systemassigned,userassigned",
      PrincipalId: SYSTEM_PRINCIPAL,
      UserAssignedIdentities: { [ID1.toLowerCase()]: { PrincipalId: "p", ClientId: "c" } },
    });
    equal(state.system, true);
    equal(state.principalId, SYSTEM_PRINCIPAL);
    deepEqual(state.user.get(armIdKey(ID1)), {
      id: `/subscriptions/${SUB}/resourceGroups/myresourcegroup/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1`,
      principalId: "p",
      clientId: "c",
    });
  });

  it("merges two keys differing only in casing into one identity (ARM matches keys case-insensitively)", () => {
    const state = readIdentityState({
      type: "UserAssigned",
      userAssignedIdentities: { [docId("ID1")]: {}, [ID1.toLowerCase()]: { principalId: "p", clientId: "c" } },
    });
    deepEqual(plain(state), { system: false, user: [[armIdKey(ID1), { id: ID1, principalId: "p", clientId: "c" }]] });
  });

  it("reads the 2017-12-01 identityIds format", () => {
    const state = readIdentityState({
      type: "SystemAssigned, UserAssigned",
      principalId: SYSTEM_PRINCIPAL,
      tenantId: TENANT,
      identityIds: [docId("ID1"), docId("ID2")],
    });
    deepEqual(
      [...state.user.values()].map((u) => u.id),
      [ID1, ID2],
    );
    equal(state.system, true);
  });

  it("ignores unknown extra properties so a newer api-version cannot break reading", () => {
    equal(readIdentityState({ type: "SystemAssigned", somethingNew: { a: 1 } }).system, true);
  });

  const malformed: [string, unknown, string][] = [
    ["a string", "SystemAssigned", `unexpected scale set identity: identity is "SystemAssigned"; expected an object`],
    ["an array", [], `unexpected scale set identity: identity is an array; expected an object`],
    ["no type", { principalId: "x" }, `unexpected scale set identity: identity.type is missing`],
    ["a numeric type", { type: 3 }, `unexpected scale set identity: identity.type is 3`],
    [
      "an unknown type",
      { type: "Both" },
      `unexpected scale set identity: identity.type is "Both", not an identity type`,
    ],
    [
      "both Type and type",
      { type: "None", Type: "None" },
      `unexpected scale set identity: identity has both "type" and "Type"`,
    ],
    [
      "a dictionary that is an array",
      { type: "UserAssigned", userAssignedIdentities: [ID1] },
      `unexpected scale set identity: identity.userAssignedIdentities is an array; expected an object keyed by identity ID`,
    ],
    [
      "a key that is not an identity ID",
      { type: "UserAssigned", userAssignedIdentities: { key3951: {} } },
      `unexpected scale set identity: identity.userAssignedIdentities["key3951"] is not a user-assigned identity ID: ` +
        `invalid user-assigned identity ID "key3951": does not start with '/'; expected ` +
        `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{identityName}`,
    ],
    [
      "a null value",
      { type: "UserAssigned", userAssignedIdentities: { [ID1]: null } },
      `unexpected scale set identity: identity.userAssignedIdentities[${JSON.stringify(ID1)}] is null; expected an object`,
    ],
    [
      "a numeric clientId",
      { type: "UserAssigned", userAssignedIdentities: { [ID1]: { clientId: 5 } } },
      `unexpected scale set identity: identity.userAssignedIdentities[${JSON.stringify(ID1)}].clientId is 5; expected a string`,
    ],
    [
      "identityIds that is not an array",
      { type: "UserAssigned", identityIds: ID1 },
      `unexpected scale set identity: identity.identityIds is ${JSON.stringify(ID1)}; expected an array of identity IDs`,
    ],
    [
      "both formats",
      { type: "UserAssigned", userAssignedIdentities: { [ID1]: {} }, identityIds: [ID1] },
      `unexpected scale set identity: identity has both userAssignedIdentities and identityIds; expected one format`,
    ],
    [
      "type UserAssigned without identities",
      { type: "UserAssigned" },
      `unexpected scale set identity: identity has type "UserAssigned" but lists no user-assigned identity`,
    ],
    [
      "type SystemAssigned with identities",
      { type: "SystemAssigned", userAssignedIdentities: { [ID1]: {} } },
      `unexpected scale set identity: identity has type "SystemAssigned" but lists user-assigned identities`,
    ],
  ];
  for (const [what, identity, message] of malformed) {
    it(`rejects ${what} with a typed error naming where`, () => {
      throws(() => readIdentityState(identity), { name: "IdentityShapeError", message });
    });
  }
});
