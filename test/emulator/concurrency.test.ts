// Many writers at once: 50 concurrent PATCHes on 50 distinct scale sets all succeed with the right
// identity each; 50 concurrent PATCHes on one scale set let exactly one through while the rest get
// 409 Conflict (docs/arm-behavior.md, "Errors").
import assert from "node:assert/strict";
import {
  canonicalIdentityId,
  createGroup,
  createIdentity,
  howToScaleSetBody,
  identityId,
  scaleSetPath,
  startHarness,
  type Harness,
} from "./support/harness";

describe("emulator: concurrent writers", function () {
  let h: Harness;
  const COUNT = 50;

  before(async function () {
    h = await startHarness({ opDurationMs: 20 });
    await createGroup(h, "rg");
    for (const name of ["ID1", "ID2"]) await createIdentity(h, "rg", name);
    const created = await Promise.all(
      Array.from({ length: COUNT }, (_, i) =>
        h.arm("PUT", scaleSetPath(h.sub, "rg", `vmss${i}`), { body: howToScaleSetBody(h.sub) }),
      ),
    );
    assert.deepEqual(new Set(created.map((result) => result.status)), new Set([201]));
    await Promise.all(created.map((result) => h.waitForOperation(result.headers["azure-asyncoperation"])));
  });

  after(async function () {
    await h.close();
  });

  it("50 concurrent PATCHes on distinct scale sets: all 200, all operations succeed, each identity is its own", async function () {
    const identityFor = (i: number): string[] => (i % 3 === 0 ? ["ID1"] : i % 3 === 1 ? ["ID2"] : ["ID1", "ID2"]);
    const responses = await Promise.all(
      Array.from({ length: COUNT }, (_, i) =>
        h.arm("PATCH", scaleSetPath(h.sub, "rg", `vmss${i}`), {
          body: {
            identity: {
              type: i % 2 === 0 ? "SystemAssigned, UserAssigned" : "UserAssigned",
              userAssignedIdentities: Object.fromEntries(
                identityFor(i).map((name) => [identityId(h.sub, "rg", name), {}]),
              ),
            },
          },
        }),
      ),
    );
    assert.deepEqual(
      responses.map((result) => result.status),
      Array<number>(COUNT).fill(200),
    );
    const operations = await Promise.all(
      responses.map((result) => h.waitForOperation(result.headers["azure-asyncoperation"])),
    );
    assert.deepEqual(new Set(operations.map((operation) => operation.status)), new Set(["Succeeded"]));
    assert.equal(new Set(operations.map((operation) => operation.name)).size, COUNT, "one operation each");

    const after = await Promise.all(
      Array.from({ length: COUNT }, (_, i) => h.arm("GET", scaleSetPath(h.sub, "rg", `vmss${i}`))),
    );
    after.forEach((result, i) => {
      assert.equal(result.body.properties.provisioningState, "Succeeded");
      assert.equal(
        result.body.identity.type,
        i % 2 === 0 ? "SystemAssigned, UserAssigned" : "UserAssigned",
        `vmss${i}`,
      );
      assert.deepEqual(
        Object.keys(result.body.identity.userAssignedIdentities),
        identityFor(i).map((name) => canonicalIdentityId(h.sub, "rg", name)),
        `vmss${i}`,
      );
    });
  });

  it("50 concurrent PATCHes on one scale set: exactly one 200, the other 49 get 409 Conflict", async function () {
    h.emulator.admin.setOperationDuration(600_000);
    const path = scaleSetPath(h.sub, "rg", "vmss0");
    const responses = await Promise.all(
      Array.from({ length: COUNT }, (_, i) => h.arm("PATCH", path, { body: { tags: { writer: String(i) } } })),
    );
    const statuses = responses.map((result) => result.status);
    assert.equal(statuses.filter((status) => status === 200).length, 1);
    assert.equal(statuses.filter((status) => status === 409).length, COUNT - 1);
    assert.ok(
      responses.filter((result) => result.status === 409).every((result) => result.body.error.code === "Conflict"),
    );
    const winner = responses.find((result) => result.status === 200);
    h.emulator.admin.finishOperations();
    const after = await h.arm("GET", path);
    assert.deepEqual(after.body.tags, winner?.body.tags, "the one accepted write is the one applied");
  });
});
