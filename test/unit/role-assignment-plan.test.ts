// The pure part of role assignments (provider/roleAssignmentPlan.ts): role names, the deterministic name, the change
// between the assignments in place and those declared, and the preview's words for it.
import assert from "node:assert/strict";
import {
  assignmentName,
  describeRoleAssignmentChange,
  roleAssignmentChange,
  roleGuidOf,
  type RoleAssignmentInPlace,
} from "../../provider/roleAssignmentPlan";

const SUB = "33333333-3333-4333-8333-333333333333";
const RG = `/subscriptions/${SUB}/resourceGroups/rg`;
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const PRINCIPAL = "0d44f8a1-b209-46ab-8960-d8f79be0c402";

describe("role assignment plan (pure)", function () {
  it("roles: built-in names in any casing, GUIDs, definition IDs with or without a subscription; nothing else", function () {
    assert.equal(roleGuidOf("reader"), READER);
    assert.equal(roleGuidOf(" Storage Blob Data Reader "), "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1");
    assert.equal(roleGuidOf(READER.toUpperCase()), READER);
    assert.equal(
      roleGuidOf(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${READER}`),
      READER,
    );
    assert.equal(roleGuidOf(`/providers/microsoft.authorization/roledefinitions/${READER}`), READER);
    assert.equal(roleGuidOf("Readers"), undefined);
    assert.equal(
      roleGuidOf(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/${READER}`),
      undefined,
    );
  });

  it("names: a version-5 UUID of scope, role and principal, the same whatever the casing", function () {
    const name = assignmentName(RG, READER, PRINCIPAL);
    assert.match(name, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(
      assignmentName(RG.replace("resourceGroups", "resourcegroups"), READER.toUpperCase(), PRINCIPAL.toUpperCase()),
      name,
    );
    assert.notEqual(assignmentName(`${RG}2`, READER, PRINCIPAL), name);
    assert.notEqual(assignmentName(RG, READER, PRINCIPAL.replace("0d44", "0d45")), name);
  });

  it("change: adds what is declared and missing, removes what is no longer declared or was made for an old principal", function () {
    const inPlace = (identity: string, role: string, principalId: string): RoleAssignmentInPlace => ({
      identity,
      role,
      scope: RG,
      principalId,
      id: `${RG}/providers/Microsoft.Authorization/roleAssignments/${assignmentName(RG, role, principalId)}`,
    });
    const reader = inPlace("system", READER, PRINCIPAL);
    const declared = [{ identity: "system", role: READER, scope: RG.toLowerCase() }];
    assert.deepEqual(roleAssignmentChange([reader], declared), { add: [], remove: [] }, "casing is no change");
    assert.deepEqual(roleAssignmentChange([reader], []), { add: [], remove: [reader] });
    assert.deepEqual(roleAssignmentChange([], declared), { add: declared, remove: [] });
    const turnedOffAndOn = roleAssignmentChange([reader], declared, () => "9a9a9a9a-0000-4000-8000-000000000000");
    assert.deepEqual(turnedOffAndOn, { add: declared, remove: [reader] });
    assert.equal(
      describeRoleAssignmentChange(turnedOffAndOn),
      `add Reader on ${RG.toLowerCase()} for the system-assigned identity; remove Reader on ${RG} for the system-assigned identity`,
    );
    assert.equal(describeRoleAssignmentChange({ add: [], remove: [] }), undefined);
  });
});
