/**
 * What Pulumi stores in every resource's state as `__provider`: the serialised dynamic provider. It must carry no
 * secret (no credential, token or environment value), load its implementation by package name, and stay small.
 */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ArmResource, armResourceProvider } from "../../provider/armResource";
import { VmssManagedIdentity, vmssManagedIdentityProvider } from "../../provider/vmssManagedIdentity";

const SECRET_MARKER = "client-secret-that-must-not-travel";

describe("serialised dynamic providers", () => {
  for (const [name, provider] of [
    ["VmssManagedIdentity", vmssManagedIdentityProvider],
    ["ArmResource", armResourceProvider],
  ] as const) {
    it(`${name}: no secret, loads by package name, small`, async () => {
      process.env.AZURE_CLIENT_SECRET = SECRET_MARKER;
      try {
        const serialised = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
        const text = serialised.text;
        console.log(`      ${name} provider serialises to ${text.length} bytes`);
        assert.equal(serialised.containsSecrets, false);
        assert.ok(!text.includes(SECRET_MARKER));
        assert.ok(!/eyJ[A-Za-z0-9_-]{10,}/.test(text), "something like a token");
        assert.ok(text.includes('require("pulumi-vmss-identity/provider/runtime")'));
        assert.ok(text.length < 4096, `serialised provider is ${text.length} bytes`);
      } finally {
        delete process.env.AZURE_CLIENT_SECRET;
      }
    });
  }

  it("the resources register with __provider and the declared inputs only", async () => {
    const registered: Record<string, Record<string, unknown>> = {};
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          registered[args.name] = args.inputs;
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: () => ({}),
      },
      "project",
      "stack",
      true,
    );
    new VmssManagedIdentity("ids", {
      scaleSetId:
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/s",
      userAssignedIdentities: [],
    });
    new ArmResource("rg", {
      resourceId: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg",
      apiVersion: "2021-04-01",
      body: { location: "eastus" },
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(typeof registered.ids?.__provider === "string");
    assert.deepEqual(Object.keys(registered.ids).sort(), ["__provider", "scaleSetId", "userAssignedIdentities"]);
    assert.ok(typeof registered.rg?.__provider === "string");
  });
});
