/**
 * `check` under the real Pulumi engine, before any request: an api-version the scale set type does not serve fails
 * the preview naming the property and the nearest served versions (the how-to's own 2018-12-01 among them), and
 * `environment` takes every cloud name the transport knows (`AzureCloud` as `AZURE_ENVIRONMENT` takes it).
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { PulumiProject, stepOf } from "../support/pulumiProject";
import { createIdentity, createResourceGroup, startWorld, type World } from "../support/world";

const RECIPES = path.resolve(__dirname, "../../examples/recipes");
const VMSS_IDENTITY = "pulumi-nodejs:dynamic/pulumi-vmss-identity:VmssManagedIdentity";

describe("e2e: check refuses what ARM would refuse, and accepts every cloud name", function () {
  this.timeout(300_000);
  let world: World;
  let stack: PulumiProject;
  let scaleSetId: string;

  before(async () => {
    world = await startWorld();
    await createResourceGroup(world, "checkRg");
    const id1 = await createIdentity(world, "checkRg", "ID1");
    scaleSetId = `/subscriptions/${world.subscriptionId}/resourceGroups/checkRg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss`;
    const cli = process.env.PULUMI_CLI;
    if (!cli) throw new Error("PULUMI_CLI is not set: run the tests through scripts/run-tests.js (npm test)");
    stack = await PulumiProject.create({
      cli,
      env: world.env,
      worldDir: world.dir,
      stateDir: path.join(world.dir, "state"),
      programDir: path.join(RECIPES, "user-assigned-existing"),
      projectName: "check",
      inProcess: true,
    });
    await stack.configure({ scaleSetId, identities: [id1] });
  });
  after(async () => world?.close());

  for (const [apiVersion, nearest] of [
    ["2018-12-01", "2018-10-01, 2018-06-01"],
    ["2099-01-01", "2026-04-01, 2026-03-01"],
  ] as const) {
    it(`fails the preview for apiVersion ${apiVersion}, naming the nearest served versions, without a request`, async () => {
      await stack.configure({ apiVersion });
      world.emulator.admin.clearRequests();
      const result = await stack.run(["preview"]);
      assert.notEqual(result.code, 0);
      assert.ok(
        `${result.stdout}${result.stderr}`.includes(
          `Microsoft.Compute/virtualMachineScaleSets does not serve ${apiVersion}; the nearest served versions are ${nearest}`,
        ),
        result.stdout + result.stderr,
      );
      assert.match(result.stdout + result.stderr, /apiVersion/);
      assert.deepEqual(world.emulator.admin.requests(), []);
    });
  }

  it("accepts environment AzureCloud (as AZURE_ENVIRONMENT does) and records it as public", async () => {
    await stack.configure({ apiVersion: "2024-11-01", environment: "AzureCloud" });
    const preview = await stack.preview();
    const step = stepOf(preview, VMSS_IDENTITY, "user-identities");
    assert.equal(step?.op, "create");
    assert.equal(step?.newState?.inputs?.environment, "public");
  });

  it("refuses an environment no tool knows, naming the accepted names", async () => {
    await stack.configure({ environment: "mars" });
    const result = await stack.run(["preview"]);
    assert.notEqual(result.code, 0);
    assert.match(result.stdout + result.stderr, /expected one of public, usgovernment, china \(or AzureCloud/);
  });
});
