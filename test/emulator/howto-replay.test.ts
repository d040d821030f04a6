// Replays, in order, every request of the how-to "Configure managed identities on a virtual machine
// scale set using REST API calls" (docs/arm-behavior.md; request bodies copied in
// fixtures/qs-configure-rest-vmss.requests.json from MicrosoftDocs/azure-docs @01d3bc7b) over real HTTP,
// with a token from the emulator's token endpoint, once per api-version family, and asserts the
// scale set's identity after each step once its operation has ended.
//
// The story, on one scale set (each step leaves the state the how-to intends for that step):
//   1. create the resource group and the identities ID1, ID2; get a token (curl-style form POST)
//   2. PUT myVMSS with SystemAssigned                      → system
//   3. PATCH SystemAssigned ("enable on existing")          → same system principal
//   4. PATCH SystemAssigned,UserAssigned + ID1, ID2         → system + ID1 + ID2
//   5. PATCH None ("disable system")                        → no identity key at all
//   6. PATCH UserAssigned keeping ID1, ID2 (doc prose)      → ID1 + ID2
//   7. PUT with UserAssigned ID1 (replace)                  → ID1
//   8. GET; PATCH userAssigned ID1 (2017 form)               → ID1
//      The dictionary form is documented with api-version=2018-12-01, a version the Compute service does
//      not serve (docs/arm-behavior.md list; the section's own heading says 2018-06-01): sent as documented it
//      gets 400 NoRegisteredProviderFound and changes nothing; the same body at 2018-06-01 works.
//   9. PATCH SystemAssigned, UserAssigned + ID1, ID2        → new system principal + ID1 + ID2
//  10. GET; PATCH removing ID2 (null / shorter array)       → system + ID1
//  11. PATCH SystemAssigned                                → system only
//  12. PATCH None                                          → nothing
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  canonicalIdentityId,
  createGroup,
  createIdentity,
  fetchToken,
  howToScaleSetBody,
  type Harness,
  type Json,
  startHarness,
} from "./support/harness";

interface DocExample {
  title: string;
  method: "PATCH" | "PUT";
  url: string;
  body?: Record<string, unknown>;
  body_identity_only?: Record<string, unknown>;
}

const examples = (
  JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "qs-configure-rest-vmss.requests.json"), "utf8")) as {
    examples: DocExample[];
  }
).examples;

/** What the identity must be after a step: the system principal and the user identities, by name. */
interface Expected {
  system: "new" | "same" | "absent";
  users: ("ID1" | "ID2")[];
}

type Step =
  | { kind: "doc"; index: number; expect: Expected; apiVersion?: string }
  | { kind: "docRejected"; index: number; code: string }
  | { kind: "createWithSystem"; expect: Expected }
  | { kind: "disableSystemKeepingUsers"; format: "dictionary" | "identityIds"; expect: Expected }
  | { kind: "get" };

const dictionaryTrack: Step[] = [
  { kind: "createWithSystem", expect: { system: "new", users: [] } },
  { kind: "doc", index: 0, expect: { system: "same", users: [] } },
  { kind: "doc", index: 1, expect: { system: "same", users: ["ID1", "ID2"] } },
  { kind: "doc", index: 3, expect: { system: "absent", users: [] } },
  { kind: "disableSystemKeepingUsers", format: "dictionary", expect: { system: "absent", users: ["ID1", "ID2"] } },
  { kind: "doc", index: 12, expect: { system: "absent", users: ["ID1"] } },
  { kind: "get" },
  { kind: "docRejected", index: 4, code: "NoRegisteredProviderFound" },
  { kind: "doc", index: 4, apiVersion: "2018-06-01", expect: { system: "absent", users: ["ID1"] } },
  { kind: "doc", index: 6, expect: { system: "new", users: ["ID1", "ID2"] } },
  { kind: "get" },
  { kind: "doc", index: 8, expect: { system: "same", users: ["ID1"] } },
  { kind: "doc", index: 10, expect: { system: "same", users: [] } },
  { kind: "doc", index: 11, expect: { system: "absent", users: [] } },
];

const identityIdsTrack: Step[] = [
  { kind: "createWithSystem", expect: { system: "new", users: [] } },
  { kind: "doc", index: 0, expect: { system: "same", users: [] } },
  { kind: "doc", index: 2, expect: { system: "same", users: ["ID1", "ID2"] } },
  { kind: "doc", index: 3, expect: { system: "absent", users: [] } },
  { kind: "disableSystemKeepingUsers", format: "identityIds", expect: { system: "absent", users: ["ID1", "ID2"] } },
  { kind: "doc", index: 13, expect: { system: "absent", users: ["ID1"] } },
  { kind: "get" },
  { kind: "doc", index: 5, expect: { system: "absent", users: ["ID1"] } },
  { kind: "doc", index: 7, expect: { system: "new", users: ["ID1", "ID2"] } },
  { kind: "get" },
  { kind: "doc", index: 9, expect: { system: "same", users: ["ID1"] } },
  { kind: "doc", index: 10, expect: { system: "same", users: [] } },
  { kind: "doc", index: 11, expect: { system: "absent", users: [] } },
];

describe("emulator: the how-to replayed request by request", function () {
  let h: Harness;
  const identities: Record<string, { principalId: string; clientId: string }> = {};

  before(async function () {
    h = await startHarness({ opDurationMs: 5 });
    // The how-to's curl calls carry a token from `az account get-access-token`; here the same
    // client-credentials exchange a script would do against the emulator's token endpoint.
    h.token = await fetchToken(h.emulator);
    await createGroup(h, "myResourceGroup", "westus");
    for (const name of ["ID1", "ID2"]) {
      const body = await createIdentity(h, "myResourceGroup", name);
      identities[name] = { principalId: body.properties.principalId, clientId: body.properties.clientId };
    }
  });

  after(async function () {
    await h.close();
  });

  for (const [trackName, steps] of [
    ["api-version 2018-06-01 and later (userAssignedIdentities dictionary)", dictionaryTrack],
    ["api-version 2017-12-01 (identityIds array)", identityIdsTrack],
  ] as const) {
    it(`${trackName}: every step leaves the identity the how-to describes`, async function () {
      const vmssName = trackName.startsWith("api-version 2017") ? "myVMSS2017" : "myVMSS";
      const seenPrincipals: string[] = [];
      for (const [position, step] of steps.entries()) {
        const label = `step ${position + 1} (${describeStep(step)})`;
        if (step.kind === "get") {
          // "list the user-assigned managed identities" before changing them (how-to, step 3).
          const result = await h.arm("GET", vmssUrlPath(vmssName), { apiVersion: "2018-06-01" });
          assert.equal(result.status, 200, `${label}: ${result.text}`);
          continue;
        }
        if (step.kind === "docRejected") {
          const before = await h.arm("GET", vmssUrlPath(vmssName), { apiVersion: "2018-06-01" });
          const { method, apiVersion, body } = requestOf(
            { kind: "doc", index: step.index, expect: { system: "absent", users: [] } },
            h.sub,
          );
          const rejected = await h.arm(method, vmssUrlPath(vmssName), { apiVersion, body });
          assert.equal(rejected.status, 400, `${label}: ${rejected.text}`);
          assert.equal(rejected.body.error.code, step.code, label);
          const unchanged = await h.arm("GET", vmssUrlPath(vmssName), { apiVersion: "2018-06-01" });
          assert.deepEqual(unchanged.body, before.body, `${label}: a rejected request changes nothing`);
          continue;
        }
        const { method, apiVersion, body } = requestOf(step, h.sub);
        const response = await h.arm(method, vmssUrlPath(vmssName), { apiVersion, body });
        assert.ok(
          [200, 201].includes(response.status),
          `${label}: ${method} answered ${response.status}: ${response.text}`,
        );
        if (method === "PATCH") assert.equal(response.status, 200, `${label}: PATCH answers 200, never 202`);
        assert.equal(response.headers.location, undefined, `${label}: PUT/PATCH send no Location header`);
        assert.equal(response.body.properties.provisioningState, response.status === 201 ? "Creating" : "Updating");
        const operation = await h.waitForOperation(response.headers["azure-asyncoperation"]);
        assert.equal(operation.status, "Succeeded", label);

        const after = await h.arm("GET", vmssUrlPath(vmssName), { apiVersion: "2018-06-01" });
        assert.equal(after.status, 200, label);
        assert.equal(after.body.properties.provisioningState, "Succeeded", label);
        assertIdentity(after.body.identity, step.expect, seenPrincipals, label);

        const asArray = await h.arm("GET", vmssUrlPath(vmssName), { apiVersion: "2017-12-01" });
        const expectedIds = step.expect.users.map((name) => canonicalIdentityId(h.sub, "myResourceGroup", name));
        assert.deepEqual(asArray.body.identity?.identityIds ?? [], expectedIds, `${label}: the 2017-12-01 view`);
      }
    });
  }

  function vmssUrlPath(name: string): string {
    return `/subscriptions/${h.sub}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;
  }

  function assertIdentity(identity: Json, expected: Expected, seen: string[], label: string): void {
    if (expected.system === "absent" && expected.users.length === 0) {
      assert.equal(identity, undefined, `${label}: no identity key after type None`);
      return;
    }
    const type =
      expected.system !== "absent" && expected.users.length > 0
        ? "SystemAssigned, UserAssigned"
        : expected.system !== "absent"
          ? "SystemAssigned"
          : "UserAssigned";
    assert.equal(identity.type, type, `${label}: canonical type`);
    if (expected.system === "absent") {
      assert.equal(identity.principalId, undefined, label);
      assert.equal(identity.tenantId, undefined, label);
    } else {
      assert.match(identity.principalId, /^[0-9a-f-]{36}$/, label);
      assert.equal(identity.tenantId, h.emulator.tenantId, label);
      if (expected.system === "new") {
        assert.ok(!seen.includes(identity.principalId), `${label}: a new system principal`);
        seen.push(identity.principalId);
      } else {
        assert.equal(identity.principalId, seen[seen.length - 1], `${label}: the same system principal`);
      }
    }
    const expectedUsers: Record<string, unknown> = {};
    for (const name of expected.users) {
      expectedUsers[canonicalIdentityId(h.sub, "myResourceGroup", name)] = identities[name];
    }
    assert.deepEqual(identity.userAssignedIdentities ?? {}, expectedUsers, `${label}: user-assigned identities`);
  }
});

function requestOf(
  step: Exclude<Step, { kind: "get" } | { kind: "docRejected" }>,
  sub: string,
): { method: "PUT" | "PATCH"; apiVersion: string; body: unknown } {
  const fill = (value: unknown): unknown => JSON.parse(JSON.stringify(value).split("<SUBSCRIPTION ID>").join(sub));
  const id = (name: string): string =>
    `/subscriptions/${sub}/resourcegroups/myResourceGroup/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
  switch (step.kind) {
    case "createWithSystem":
      // "Enable system-assigned managed identity during creation": the how-to's full PUT body.
      return { method: "PUT", apiVersion: "2018-06-01", body: howToScaleSetBody(sub, { type: "SystemAssigned" }) };
    case "disableSystemKeepingUsers":
      // The how-to gives this one in prose only: "remove SystemAssigned from the type value while keeping
      // the UserAssigned value and the userAssignedIdentities dictionary values (2018-06-01) / keep the
      // identityIds array (2017-12-01)".
      return step.format === "dictionary"
        ? {
            method: "PATCH",
            apiVersion: "2018-06-01",
            body: { identity: { type: "UserAssigned", userAssignedIdentities: { [id("ID1")]: {}, [id("ID2")]: {} } } },
          }
        : {
            method: "PATCH",
            apiVersion: "2017-12-01",
            body: { identity: { type: "UserAssigned", identityIds: [id("ID1"), id("ID2")] } },
          };
    case "doc": {
      const example = examples[step.index];
      const apiVersion = step.apiVersion ?? /api-version=([^&]+)/.exec(example.url)?.[1] ?? "";
      const body =
        example.body_identity_only !== undefined
          ? howToScaleSetBody(sub, fill(example.body_identity_only.identity))
          : fill(example.body);
      return { method: example.method, apiVersion, body };
    }
  }
}

function describeStep(step: Step): string {
  switch (step.kind) {
    case "doc":
      return examples[step.index].title + (step.apiVersion === undefined ? "" : ` at api-version ${step.apiVersion}`);
    case "docRejected":
      return `${examples[step.index].title}, as documented`;
    case "createWithSystem":
      return "create with a system-assigned identity";
    case "disableSystemKeepingUsers":
      return "disable the system identity, keep the user identities";
    case "get":
      return "list the identities";
  }
}
