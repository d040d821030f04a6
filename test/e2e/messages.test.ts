/**
 * What the user is told, under the real engine with no `-v`, in both doors (provider/progress.ts):
 * 1. the provider plugin, from a Pulumi YAML program (`vmss-identity:endpoint` in the stack's config):
 *    a. `pulumi preview` of `apiVersion: "2018-04-01"` shows the lost-update warning, and the plan line, under the
 *       resource (Log service on its URN, severities warning and info);
 *    b. `pulumi up` meeting an injected 429 (emulator fault `throttle`, `retryAfterSeconds: 1`) shows the retry on
 *       the resource's row, as an ephemeral status that the final diagnostics do not keep;
 *    c. with Compute's `GetVMScaleSet3Min` set to 1 GET per 3 minutes (its real window; emulator `setRateLimits`),
 *       two owners of one scale set: the second's GET is held about 180 s, and the row says which budget and how
 *       long. One Ctrl-C then: the engine calls the plugin's `Cancel`, the hold ends at once, and the run ends
 *       within seconds, its error saying which wait was interrupted and that nothing more was sent.
 * 2. the dynamic resource (recipe two-owners, program in the test process): the same hold is one line on the
 *    provider's stderr, which the engine shows as a diagnostic, saying how to stop it (Ctrl-C twice: the dynamic
 *    provider's host ignores the engine's Cancel).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { PulumiProject } from "../support/pulumiProject";
import {
  createIdentity,
  createResourceGroup,
  createScaleSet,
  pluginOnPath,
  startWorld,
  type World,
} from "../support/world";

const ROOT = path.resolve(__dirname, "../..");
const TYPE = "vmss-identity:index:VmssManagedIdentity";
/** Compute's scale set GET budget cut to one request in its real 3-minute window. */
const ONE_GET_PER_3_MIN = {
  computePolicies: [{ name: "GetVMScaleSet3Min", appliesTo: "getScaleSet" as const, limit: 1, windowSeconds: 180 }],
};
const HOLD = /waiting 1(79|80) s for Compute's GetVMScaleSet3Min budget/;

function cli(): string {
  const cliPath = process.env.PULUMI_CLI;
  if (!cliPath) throw new Error("PULUMI_CLI is not set: run the tests through scripts/run-tests.js (npm test)");
  return cliPath;
}

/** A Pulumi YAML program of VmssManagedIdentity resources by name. */
function program(resources: Record<string, Record<string, unknown>>): string {
  const lines = ["name: yaml-messages", "runtime: yaml", "resources:"];
  for (const [name, properties] of Object.entries(resources)) {
    lines.push(`  ${name}:`, `    type: ${TYPE}`, `    properties: ${JSON.stringify(properties)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The "Diagnostics:" section of a run's output: what the engine keeps once the run is over. */
const kept = (stdout: string) => stdout.slice(stdout.indexOf("Diagnostics:"));

describe("e2e: messages reach the user in both doors", function () {
  this.timeout(300_000);
  let world: World;
  let appIdentity: string;
  let opsIdentity: string;
  after(async () => world?.close());

  before(async () => {
    world = await startWorld();
    await createResourceGroup(world, "rg");
    [appIdentity, opsIdentity] = await Promise.all(
      ["app-identity", "ops-identity"].map((n) => createIdentity(world, "rg", n)),
    );
  });

  it("the plugin: the plan and its warning under preview, a retry and a budget hold on the resource's row", async () => {
    const scaleSetId = await createScaleSet(world, "rg", "yaml-vmss");
    const shared = await createScaleSet(world, "rg", "yaml-shared");
    const { VMSS_IDENTITY_ARM_ENDPOINT: _fromConfigInstead, ...env } = world.env;
    env.PATH = `${pluginOnPath(world)}${path.delimiter}${env.PATH}`;
    const ids = { scaleSetId, userAssignedIdentities: [appIdentity], apiVersion: "2018-04-01" };
    const stack = await PulumiProject.create({
      cli: cli(),
      env,
      worldDir: world.dir,
      stateDir: path.join(world.dir, "state"),
      programDir: ROOT,
      projectName: "yaml-messages",
      projectFile: program({ ids }),
    });
    await stack.configure({ "vmss-identity:endpoint": world.emulator.url });

    // a. preview, no -v: the plan (info) and the warning, kept under the resource.
    const preview = await stack.must(["preview"]);
    console.log(`      pulumi preview:\n${indent(preview.stdout.trimEnd())}`);
    assert.match(
      kept(preview.stdout),
      new RegExp(
        `${esc(TYPE)} \\(ids\\):\\n` +
          `\\s+VmssManagedIdentity plan for ${esc(scaleSetId)}: add [^\\n]*\\n` +
          `\\s+warning: VmssManagedIdentity on ${esc(scaleSetId)}: api-version 2018-04-01 sends the whole identityIds array`,
      ),
    );

    // b. up meets a 429: the retry shows on the row while it waits, and is not kept.
    world.emulator.admin.injectFault({ method: "PATCH", count: 1, kind: "throttle", retryAfterSeconds: 1 });
    const up = await stack.up();
    console.log(`      pulumi up (an injected 429):\n${indent(up.stdout.trimEnd())}`);
    assert.match(up.stdout, /ids creating \(\d+s\) retrying PATCH in 1\.0 s \(retry 1\): throttled \(HTTP 429\)\n/);
    assert.doesNotMatch(kept(up.stdout), /retrying PATCH/, "a status, not kept once the resource is done");

    // c. two owners of one scale set, one GET per 3 minutes: the second owner's GET waits for the budget.
    world.emulator.admin.setRateLimits(ONE_GET_PER_3_MIN);
    try {
      fs.writeFileSync(
        path.join(stack.dir, "Pulumi.yaml"),
        program({
          ids,
          app: { scaleSetId: shared, userAssignedIdentities: [appIdentity] },
          ops: { scaleSetId: shared, userAssignedIdentities: [opsIdentity] },
        }),
      );
      const held = await stack.runUntil(["up", "--yes", "--skip-preview"], (stdout) => HOLD.test(stdout), 120_000, 1);
      console.log(
        `      pulumi up (one GET per 3 minutes), one Ctrl-C, ended ${held.stoppedAfterMs} ms later:\n` +
          indent(held.stdout.trimEnd()),
      );
      assert.ok(held.interrupted, "the hold was shown");
      assert.match(held.stdout, new RegExp(`${esc(TYPE)} (app|ops) creating \\(\\d+s\\) ${HOLD.source}\\n`));
      assert.notEqual(held.code, 0);
      assert.ok(held.stoppedAfterMs! < 20_000, `one Ctrl-C ended the run in ${held.stoppedAfterMs} ms, not 180 s`);
      assert.match(
        kept(held.stdout),
        new RegExp(
          `failed: RequestAborted: cancelled after waiting [\\d.]+ s of 1(79|80) s for Compute's GetVMScaleSet3Min ` +
            `budget before the GET; nothing more was sent`,
        ),
      );
    } finally {
      world.emulator.admin.setRateLimits({ computePolicies: [] });
    }
  });

  it("the dynamic resource: a budget hold is one line on the provider's stderr, a diagnostic", async () => {
    const scaleSetId = await createScaleSet(world, "rg", "dynamic-shared");
    const stack = await PulumiProject.create({
      cli: cli(),
      env: world.env,
      worldDir: world.dir,
      stateDir: path.join(world.dir, "state"),
      programDir: path.join(ROOT, "examples/recipes/two-owners"),
      projectName: "dynamic-messages",
      inProcess: true,
    });
    await stack.configure({ scaleSetId, appIdentities: [appIdentity], opsIdentities: [opsIdentity] });
    world.emulator.admin.setRateLimits(ONE_GET_PER_3_MIN);
    try {
      const held = await stack.runUntil(["up", "--yes", "--skip-preview"], (stdout) => HOLD.test(stdout));
      console.log(`      pulumi up (dynamic, one GET per 3 minutes), interrupted:\n${indent(held.stdout.trimEnd())}`);
      assert.ok(held.interrupted, "the hold was shown");
      // The provider's stderr is the stack's: the line says which request waits.
      // The provider's host ignores the engine's Cancel: the line says how to stop (Ctrl-C twice ends the engine).
      assert.match(
        held.stdout,
        new RegExp(
          `pulumi:pulumi:Stack .* ${HOLD.source} before GET ${esc(scaleSetId)} ` +
            `\\(press Ctrl-C twice to stop: nothing is sent while it waits\\)\\n`,
        ),
      );
    } finally {
      world.emulator.admin.setRateLimits({ computePolicies: [] });
    }
  });
});

function indent(text: string): string {
  return text.replace(/^/gm, "        ");
}

function esc(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
