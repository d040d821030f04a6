/**
 * The preview is the plan, under the real Pulumi engine: `pulumi preview --diff` names every identity `up` will add
 * or remove (also those exclusive mode removes because someone else assigned them, which only the recorded state
 * knows), says when the system identity turns on or off, and warns about the identityIds api-versions; no request
 * reaches ARM during the preview. Each case then runs `up` and checks the plan came true.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { parseUserAssignedIdentityId } from "../../provider/identity";
import { PulumiProject, type CliResult } from "../support/pulumiProject";
import {
  createIdentity,
  createResourceGroup,
  createScaleSet,
  identityOf,
  patchIdentity,
  startWorld,
  userIds,
  type World,
} from "../support/world";

const RECIPES = path.resolve(__dirname, "../../examples/recipes");

function cli(): string {
  const cliPath = process.env.PULUMI_CLI;
  if (!cliPath) throw new Error("PULUMI_CLI is not set: run the tests through scripts/run-tests.js (npm test)");
  return cliPath;
}

/** What the user sees of a command: stdout and stderr (the engine prints provider diagnostics of a preview there). */
const shown = (result: CliResult) => `${result.stdout}\n${result.stderr}`;
const canonical = (id: string) => parseUserAssignedIdentityId(id).id;
const lower = (...ids: string[]) => ids.map((s) => s.toLowerCase()).sort();

describe("e2e: the preview is the plan", function () {
  this.timeout(300_000);
  let world: World;
  let id1: string;
  let id2: string;
  let foreign: string;

  async function project(recipe: string): Promise<PulumiProject> {
    return PulumiProject.create({
      cli: cli(),
      env: world.env,
      worldDir: world.dir,
      stateDir: path.join(world.dir, "state"),
      programDir: path.join(RECIPES, recipe),
      projectName: `plan-${recipe}`,
      inProcess: true,
    });
  }

  /** `pulumi preview --diff`, asserting that not one request reached the emulator. */
  async function previewDiff(stack: PulumiProject): Promise<string> {
    world.emulator.admin.clearRequests();
    const output = shown(await stack.must(["preview", "--diff"]));
    assert.deepEqual(world.emulator.admin.requests(), [], "preview talked to ARM");
    return output;
  }

  before(async () => {
    world = await startWorld();
    await createResourceGroup(world, "planRg");
    id1 = await createIdentity(world, "planRg", "ID1");
    id2 = await createIdentity(world, "planRg", "ID2");
    foreign = await createIdentity(world, "planRg", "assigned-by-someone-else");
  });
  after(async () => world?.close());

  it("names the identities an update adds and removes", async () => {
    const scaleSetId = await createScaleSet(world, "planRg", "plan-additive");
    const stack = await project("user-assigned-existing");
    await stack.configure({ scaleSetId, identities: [id1] });
    assert.match(
      await previewDiff(stack),
      new RegExp(`VmssManagedIdentity plan for ${esc(scaleSetId)}: add ${esc(canonical(id1))}\n`),
    );
    await stack.up();

    await stack.configure({ identities: [id2] });
    const output = await previewDiff(stack);
    assert.ok(
      output.includes(`VmssManagedIdentity plan for ${scaleSetId}: add ${canonical(id2)}; remove ${canonical(id1)}\n`),
      output,
    );
    await stack.up();
    assert.deepEqual(userIds(await identityOf(world, scaleSetId)), lower(id2));
  });

  it("names the identity exclusive mode removes because someone else assigned it (listed in the state)", async () => {
    const scaleSetId = await createScaleSet(world, "planRg", "plan-exclusive");
    const stack = await project("user-assigned-existing");
    await stack.configure({ scaleSetId, identities: [id1] });
    await stack.up();
    // Someone else assigns an identity; a refresh records it in otherUserAssignedIdentities.
    await patchIdentity(world, scaleSetId, {
      type: "UserAssigned",
      userAssignedIdentities: { [foreign]: {} },
    });
    await stack.refresh();

    await stack.configure({ mode: "exclusive" });
    const output = await previewDiff(stack);
    assert.ok(
      output.includes(
        `VmssManagedIdentity plan for ${scaleSetId}: remove ${canonical(foreign)} (assigned by someone else)\n`,
      ) && output.includes(`warning: VmssManagedIdentity on ${scaleSetId}: exclusive mode removes identities someone`),
      output,
    );
    await stack.up();
    assert.deepEqual(userIds(await identityOf(world, scaleSetId)), lower(id1), "up did what the preview said");
  });

  it("says when the system identity turns on, and off", async () => {
    const scaleSetId = await createScaleSet(world, "planRg", "plan-system", {
      type: "UserAssigned",
      userAssignedIdentities: { [foreign]: {} },
    });
    const stack = await project("system-assigned-existing");
    await stack.configure({ scaleSetId, systemAssigned: "true" });
    assert.match(await previewDiff(stack), /: turn the system-assigned identity on\n/);
    await stack.up();
    assert.equal((await identityOf(world, scaleSetId)).system, true);

    await stack.configure({ systemAssigned: "false" });
    const output = await previewDiff(stack);
    assert.ok(
      output.includes(`VmssManagedIdentity plan for ${scaleSetId}: turn the system-assigned identity off\n`),
      output,
    );
    await stack.up();
    const after = await identityOf(world, scaleSetId);
    assert.equal(after.system, false);
    assert.deepEqual(userIds(after), lower(foreign));
  });

  it("warns with an identityIds api-version that a concurrent writer's identities can be lost", async () => {
    const scaleSetId = await createScaleSet(world, "planRg", "plan-ids");
    const stack = await project("user-assigned-existing");
    await stack.configure({ scaleSetId, identities: [id1], apiVersion: "2018-04-01" });
    const output = await previewDiff(stack);
    assert.ok(
      output.includes(
        `warning: VmssManagedIdentity on ${scaleSetId}: api-version 2018-04-01 sends the whole identityIds array, ` +
          `which ARM replaces: an identity another writer`,
      ),
      output,
    );
    await stack.configure({ apiVersion: "2018-06-01" });
    assert.doesNotMatch(await previewDiff(stack), /identityIds array/);
  });
});

function esc(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
