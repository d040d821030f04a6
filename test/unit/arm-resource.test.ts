/** ArmResource's pure check and diff: strict IDs, validated clouds, key order and endpoint spelling never a change. */
import assert from "node:assert/strict";
import { checkArmResource, diffArmResource } from "../../provider/armResourceRuntime";

const RG = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg";

describe("ArmResource check and diff", () => {
  it("refuses IDs that could steer the request elsewhere, bad api-versions, bodies and clouds", () => {
    const { failures } = checkArmResource({
      resourceId: `${RG}/../other?x=1`,
      apiVersion: "latest",
      body: [],
      environment: "mars",
    });
    assert.deepEqual(
      failures.map((f) => f.property),
      ["resourceId", "apiVersion", "body", "environment"],
    );
    assert.equal(
      failures[0].reason,
      `invalid ARM resource ID "${RG}/../other?x=1": contains '?' (a query); expected ` +
        "/subscriptions/{subscriptionId}[/resourceGroups/{resourceGroupName}[/providers/{namespace}/{type}/{name}" +
        "[/{childType}/{childName}]…]]",
    );
  });

  it("canonicalises the endpoint and refuses it together with an environment", () => {
    assert.equal(
      checkArmResource({ resourceId: RG, apiVersion: "2021-04-01", body: {}, endpoint: "https://LOCALHOST:8443/" })
        .inputs.endpoint,
      "https://localhost:8443",
    );
    const both = checkArmResource({
      resourceId: RG,
      apiVersion: "2021-04-01",
      body: {},
      endpoint: "https://localhost:1",
      environment: "china",
    });
    assert.deepEqual(
      both.failures.map((f) => f.property),
      ["endpoint"],
    );
  });

  it("diff: key order and ID casing are no change; an endpoint change is an update, an ID change a replacement", () => {
    const olds = { resourceId: RG, apiVersion: "2021-04-01", body: { location: "eastus", tags: { a: "1", b: "2" } } };
    assert.deepEqual(
      diffArmResource(olds, {
        ...olds,
        resourceId: RG.toLowerCase(),
        body: { tags: { b: "2", a: "1" }, location: "eastus" },
      }),
      { changes: false, replaces: [], deleteBeforeReplace: false },
    );
    assert.deepEqual(diffArmResource(olds, { ...olds, endpoint: "https://localhost:1" }), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    assert.deepEqual(diffArmResource(olds, { ...olds, resourceId: `${RG}2` }).replaces, ["resourceId"]);
  });
});
