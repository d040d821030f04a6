/**
 * The Go SDK (sdk/go) under the real engine: the Go example (examples/go) as an Automation API inline program
 * (examples/go/automation_test.go runs quickstart() with github.com/pulumi/pulumi/sdk/v3/go/auto; Pulumi's Go language
 * host is not served here, the inline program serves the language runtime itself), the plugin installed from its
 * archive and nothing on PATH but the CLI and Node.js. Up, a no-change preview, the ops identity dropped, destroy;
 * the emulator's state checked after each.
 *
 * `go test -c` builds the example and its driver once into .sdk-test/go (git-ignored), with the Go module proxy.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { automationDriver, must, ROOT, runScenario, STAGING, startLanguageWorld } from "../support/languages";
import type { World } from "../support/world";

describe("e2e (Go): the Go SDK, the Go example as an Automation API inline program", function () {
  this.timeout(900_000);
  let world: World;
  after(async () => world?.close());

  it("comes up, previews no change, drops an identity and destroys", async () => {
    const binary = path.join(STAGING, "go", "example.test");
    fs.mkdirSync(path.dirname(binary), { recursive: true });
    await must("go", ["test", "-c", "-o", binary, "."], { cwd: path.join(ROOT, "examples/go") });
    const lw = await startLanguageWorld();
    world = lw.world;
    await runScenario(world, lw.scene, automationDriver(lw, binary, ["-test.run", "^TestAutomation$", "-test.v"]));
  });
});
