// Every identity validation error of docs/arm-behavior.md, "Errors", with ARM's codes and the verbatim
// messages of docs/arm-behavior.md, "Errors", and proof that a rejected request changes nothing.
// Each case starts from: resource group rg, identities ID1 and ID2 (ID3 does not exist), and scale set
// vmss with a system identity and ID1, its operation finished.
import assert from "node:assert/strict";
import {
  LATEST,
  createGroup,
  createIdentity,
  howToScaleSetBody,
  identityId,
  scaleSetPath,
  startHarness,
  writeAndWait,
  type Harness,
  type HttpResult,
} from "./support/harness";

describe("emulator: identity validation errors", function () {
  let h: Harness;
  let path: string;
  let vmssId: string;
  const id = (name: string): string => identityId(h.sub, "rg", name);

  before(async function () {
    h = await startHarness({ opDurationMs: 0 });
    path = scaleSetPath(h.sub, "rg", "vmss");
    vmssId = `/subscriptions/${h.sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss`;
  });

  beforeEach(async function () {
    h.emulator.admin.reset();
    await createGroup(h, "rg");
    await createIdentity(h, "rg", "ID1");
    await createIdentity(h, "rg", "ID2");
    const { operation } = await writeAndWait(h, "PUT", path, {
      body: howToScaleSetBody(h.sub, {
        type: "SystemAssigned, UserAssigned",
        userAssignedIdentities: { [id("ID1")]: {} },
      }),
    });
    assert.equal(operation.status, "Succeeded");
  });

  after(async function () {
    await h.close();
  });

  /** Sends a request that must fail, and checks status, code, message and that nothing changed. */
  async function expectRejected(
    method: "PUT" | "PATCH",
    body: unknown,
    expected: { status: number; code: string; message?: string | RegExp; target?: string },
    apiVersion = LATEST,
  ): Promise<HttpResult> {
    const before = h.emulator.admin.state();
    const result = await h.arm(method, path, { body, apiVersion });
    assert.equal(result.status, expected.status, result.text);
    assert.equal(result.body.error.code, expected.code);
    if (typeof expected.message === "string") assert.equal(result.body.error.message, expected.message);
    else if (expected.message !== undefined) assert.match(result.body.error.message, expected.message);
    if (expected.target !== undefined) assert.equal(result.body.error.target, expected.target);
    assert.deepEqual(h.emulator.admin.state(), before, "a rejected request changes nothing");
    return result;
  }

  it("UserAssigned with an empty resulting set is 400 MissingIdentityIds (no dictionary, none assigned)", async function () {
    await writeAndWait(h, "PATCH", path, { body: { identity: { type: "SystemAssigned" } } });
    await expectRejected(
      "PATCH",
      { identity: { type: "UserAssigned" } },
      {
        status: 400,
        code: "MissingIdentityIds",
        message: "The identity ids must not be null or empty for 'UserAssigned' identity type.",
      },
    );
  });

  it("removing the last user identity while keeping type UserAssigned is 400 MissingIdentityIds", async function () {
    await expectRejected(
      "PATCH",
      { identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [id("ID1")]: null } } },
      {
        status: 400,
        code: "MissingIdentityIds",
      },
    );
  });

  it("2017-12-01 UserAssigned with an empty identityIds array is 400 MissingIdentityIds", async function () {
    await expectRejected(
      "PATCH",
      { identity: { type: "UserAssigned", identityIds: [] } },
      { status: 400, code: "MissingIdentityIds" },
      "2017-12-01",
    );
  });

  it("SystemAssigned or None with a non-empty dictionary is 400 InvalidParameter", async function () {
    for (const type of ["SystemAssigned", "None"]) {
      await expectRejected(
        "PATCH",
        { identity: { type, userAssignedIdentities: { [id("ID2")]: {} } } },
        {
          status: 400,
          code: "InvalidParameter",
          message:
            "The request format was unexpected, a non-UserAssigned identity type should not contain: userAssignedIdentities",
        },
      );
    }
  });

  it("2017-12-01 SystemAssigned with identityIds is 400 InvalidParameter with the legacy message and target", async function () {
    await expectRejected(
      "PATCH",
      { identity: { type: "SystemAssigned", identityIds: [id("ID1")] } },
      {
        status: 400,
        code: "InvalidParameter",
        message: 'ResourceIdentity identityIds should not be provided if the type is "SystemAssigned".',
        target: "resourceIdentity.identityIds",
      },
      "2017-12-01",
    );
  });

  it("a dictionary value other than {}, null or the stored values is 400 InvalidIdentityValues", async function () {
    const message = `Invalid value for the identities '${id("ID1")}'. The 'UserAssignedIdentities' property keys should only be empty json objects, null or the resource exisiting property.`;
    await expectRejected(
      "PATCH",
      {
        identity: {
          type: "SystemAssigned, UserAssigned",
          userAssignedIdentities: { [id("ID1")]: { principalId: "00000000-0000-0000-0000-000000000000" } },
        },
      },
      { status: 400, code: "InvalidIdentityValues", message },
    );
    // Values for an identity not yet assigned are never "the resource existing property".
    await expectRejected(
      "PATCH",
      {
        identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [id("ID2")]: { clientId: "x" } } },
      },
      { status: 400, code: "InvalidIdentityValues" },
    );
    await expectRejected(
      "PATCH",
      { identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [id("ID2")]: "yes" } } },
      { status: 400, code: "InvalidIdentityValues" },
    );
  });

  it("read-only values echoed back unchanged are accepted (a GET body re-sent with PUT)", async function () {
    const current = await h.arm("GET", path);
    const { response, operation } = await writeAndWait(h, "PUT", path, { body: current.body });
    assert.equal(response.status, 200, response.text);
    assert.equal(operation.status, "Succeeded");
    const after = await h.arm("GET", path);
    assert.deepEqual(after.body.identity, current.body.identity);
  });

  it("a key that is not a user-assigned identity ID is 400 LinkedInvalidPropertyId", async function () {
    for (const bad of [
      "ID1",
      "/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ID1",
      `/subscriptions/${h.sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss`,
    ]) {
      await expectRejected(
        "PATCH",
        { identity: { type: "UserAssigned", userAssignedIdentities: { [bad]: {} } } },
        {
          status: 400,
          code: "LinkedInvalidPropertyId",
          message: `Property id '${bad}' at path '' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/'.`,
        },
      );
    }
  });

  it("an identity that does not exist is 400 FailedIdentityOperation, and one bad ID fails the whole request", async function () {
    const inner = `{"error":{"code":"BadRequest","message":"Resource '/subscriptions/${h.sub}/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ID3' was not found."}}`;
    await expectRejected(
      "PATCH",
      {
        identity: {
          type: "SystemAssigned, UserAssigned",
          userAssignedIdentities: { [id("ID2")]: {}, [id("ID3")]: {} },
        },
      },
      {
        status: 400,
        code: "FailedIdentityOperation",
        message: `Identity operation for resource '${vmssId}' failed with error 'Failed to perform resource identity operation. Status: 'BadRequest'. Response: '${inner}'.'.`,
      },
    );
  });

  it("an unknown identity type is 400 InvalidParameter naming identity.type and the allowed values", async function () {
    const result = await expectRejected(
      "PATCH",
      { identity: { type: "ManagedByMagic" } },
      { status: 400, code: "InvalidParameter", target: "identity.type" },
    );
    assert.match(result.body.error.message, /"ManagedByMagic"/);
    assert.match(result.body.error.message, /'SystemAssigned, UserAssigned'/);
    await expectRejected(
      "PATCH",
      { identity: { type: "UserAssigned, SystemAssigned" } },
      { status: 400, code: "InvalidParameter", target: "identity.type" },
    );
  });

  it("an identity without type is 400 InvalidParameter", async function () {
    await expectRejected(
      "PATCH",
      { identity: { userAssignedIdentities: { [id("ID2")]: {} } } },
      {
        status: 400,
        code: "InvalidParameter",
        message: "Required parameter 'identity.type' is missing (null).",
        target: "identity.type",
      },
    );
  });

  it("null for an identity that is not assigned is 400 by default, and a no-op with setUnassignedRemoval('ignore')", async function () {
    const body = { identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [id("ID2")]: null } } };
    await expectRejected("PATCH", body, {
      status: 400,
      code: "InvalidParameter",
      target: "identity.userAssignedIdentities",
    });
    h.emulator.admin.setUnassignedRemoval("ignore");
    const { response, operation } = await writeAndWait(h, "PATCH", path, { body });
    assert.equal(response.status, 200, response.text);
    assert.equal(operation.status, "Succeeded");
    const after = await h.arm("GET", path);
    assert.deepEqual(Object.keys(after.body.identity.userAssignedIdentities), [
      `/subscriptions/${h.sub}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ID1`,
    ]);
  });

  it("malformed JSON is 400 InvalidRequestContent", async function () {
    const before = h.emulator.admin.state();
    const result = await h.arm("PATCH", path, { rawBody: '{"identity": {"type": "None"' });
    assert.equal(result.status, 400);
    assert.equal(result.body.error.code, "InvalidRequestContent");
    assert.match(result.body.error.message, /^The request content was invalid and could not be deserialized: '/);
    assert.deepEqual(h.emulator.admin.state(), before);
  });

  it("wrong JSON types are 400 InvalidRequestContent (identity, dictionary, identityIds, tags)", async function () {
    await expectRejected("PATCH", { identity: "SystemAssigned" }, { status: 400, code: "InvalidRequestContent" });
    await expectRejected(
      "PATCH",
      { identity: { type: "UserAssigned", userAssignedIdentities: [id("ID2")] } },
      { status: 400, code: "InvalidRequestContent" },
    );
    await expectRejected(
      "PATCH",
      { identity: { type: "UserAssigned", identityIds: id("ID2") } },
      { status: 400, code: "InvalidRequestContent" },
      "2017-12-01",
    );
    await expectRejected("PATCH", { tags: ["a"] }, { status: 400, code: "InvalidRequestContent" });
  });

  it("a PUT without location is 400 LocationRequired", async function () {
    const body = howToScaleSetBody(h.sub);
    delete body.location;
    await expectRejected("PUT", body, {
      status: 400,
      code: "LocationRequired",
      message: "The location property is required for this definition.",
    });
  });

  it("PATCH of a scale set that does not exist is 404 ResourceNotFound; GET too", async function () {
    const missing = scaleSetPath(h.sub, "rg", "nope");
    for (const method of ["PATCH", "GET"]) {
      const result = await h.arm(
        method,
        missing,
        method === "PATCH" ? { body: { identity: { type: "SystemAssigned" } } } : {},
      );
      assert.equal(result.status, 404, result.text);
      assert.equal(result.body.error.code, "ResourceNotFound");
      assert.equal(
        result.body.error.message,
        "The Resource 'Microsoft.Compute/virtualMachineScaleSets/nope' under resource group 'rg' was not found.",
      );
    }
  });

  it("any request in a resource group that does not exist is 404 ResourceGroupNotFound and creates nothing", async function () {
    const before = h.emulator.admin.state();
    for (const method of ["GET", "PUT", "PATCH"]) {
      const result = await h.arm(
        method,
        scaleSetPath(h.sub, "nogroup", "vmss"),
        method === "GET" ? {} : { body: howToScaleSetBody(h.sub) },
      );
      assert.equal(result.status, 404, result.text);
      assert.equal(result.body.error.code, "ResourceGroupNotFound");
      assert.equal(result.body.error.message, "Resource group 'nogroup' could not be found.");
    }
    assert.deepEqual(h.emulator.admin.state(), before);
  });
});
