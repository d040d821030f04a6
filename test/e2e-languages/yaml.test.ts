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
import { cliDriver, ROOT, runScenario, startLanguageWorld } from "../support/languages";
import type { World } from "../support/world";

describe("e2e (YAML): the plugin archive installed with pulumi plugin install, the YAML example", function () {
  this.timeout(600_000);
  let world: World;
  after(async () => world?.close());

  it("installs from the archive, then comes up, previews no change, drops an identity and destroys", async () => {
    const lw = await startLanguageWorld();
    world = lw.world;
    console.log(`      pulumi plugin install --file:\n${lw.installed.replace(/^/gm, "        ").trimEnd()}`);
    assert.match(lw.installed, /Finished installing dependencies/);
    const driver = await cliDriver(lw, {
      programDir: ROOT,
      projectName: "vmss-identity-yaml",
      projectFile: fs.readFileSync(path.join(ROOT, "examples/yaml/Pulumi.yaml"), "utf8"),
    });
    await runScenario(world, lw.scene, driver);
  });
});
