/**
 * The plugin installed as Pulumi installs plugins, driven by the YAML example (examples/yaml) with nothing on PATH:
 * 1. `pulumi plugin install resource vmss-identity <version> --file <archive>` (scripts/pack-plugin.js made the
 *    archive): the engine has the Node.js language host install the plugin's dependencies in the plugin cache;
 * 2. the example's `up` (PATH holds the CLI and Node.js, no `pulumi-resource-vmss-identity`: the engine starts the
 *    installed plugin through the language host's RunPlugin, and says nothing of a plugin taken from $PATH);
 * 3. a no-change preview, the ops identity dropped (one PATCH), destroy; the emulator's state checked after each.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  checkChange,
  checkDestroyed,
  checkUp,
  installPlugin,
  makeScene,
  pathWithoutPlugin,
  pulumiCli,
  ROOT,
} from "../support/languages";
import { PulumiProject } from "../support/pulumiProject";
import { identityOf, startWorld, type World } from "../support/world";

describe("e2e (YAML): the plugin archive installed with pulumi plugin install, the YAML example", function () {
  this.timeout(600_000);
  let world: World;
  after(async () => world?.close());

  it("installs from the archive, then comes up, previews no change, drops an identity and destroys", async () => {
    world = await startWorld();
    const env = { ...world.env, PATH: pathWithoutPlugin() };
    const installed = await installPlugin(env);
    console.log(`      pulumi plugin install --file:\n${installed.replace(/^/gm, "        ").trimEnd()}`);
    assert.match(installed, /Finished installing dependencies/);

    const scene = await makeScene(world);
    const stack = await PulumiProject.create({
      cli: pulumiCli(),
      env,
      worldDir: world.dir,
      stateDir: path.join(world.dir, "state"),
      programDir: ROOT,
      projectName: "vmss-identity-yaml",
      projectFile: fs.readFileSync(path.join(ROOT, "examples/yaml/Pulumi.yaml"), "utf8"),
    });
    await stack.must(["config", "set", "scaleSetId", scene.scaleSetId]);
    await stack.must(["config", "set", "--path", "identityIds[0]", scene.app]);
    await stack.must(["config", "set", "--path", "identityIds[1]", scene.ops]);

    const up = await stack.up();
    assert.doesNotMatch(`${up.stdout}${up.stderr}`, /from \$PATH/, "the engine took no plugin from PATH");
    await checkUp(world, scene, [scene.app, scene.ops], await stack.outputs());
    await stack.must(["preview", "--expect-no-changes"]);

    const before = (await identityOf(world, scene.scaleSetId)).principalId;
    await stack.must(["config", "rm", "--path", "identityIds[1]"]);
    world.emulator.admin.clearRequests();
    await stack.up();
    await checkChange(world, scene, before);
    await checkUp(world, scene, [scene.app], await stack.outputs());

    await stack.destroy();
    await checkDestroyed(world, scene);
  });
});
