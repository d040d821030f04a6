/**
 * The Python SDK (sdk/python) under the real engine: the Python example (examples/python) as an Automation API inline
 * program (test/support/inline_example.py; Pulumi's Python language host is not served here, the inline program
 * serves the language runtime itself), the plugin installed from its archive and nothing on PATH but the CLI and
 * Node.js. Up, a no-change preview, the ops identity dropped, destroy; the emulator's state checked after each.
 *
 * The SDK and `pulumi` (PyPI, pinned: PYTHON_PULUMI) go into a virtualenv in .sdk-test/python (git-ignored), made
 * anew when the SDK changes.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { automationDriver, must, ROOT, runScenario, STAGING, startLanguageWorld } from "../support/languages";
import type { World } from "../support/world";

/** `pulumi` from PyPI for the virtualenv: the newest PyPI serves that the generated SDK accepts (>= 3.269). */
const PYTHON_PULUMI = "3.272.0";

/** A virtualenv with the SDK and `pulumi` installed; reused while sdk/python and the pin stay the same. */
async function virtualenv(): Promise<string> {
  const hash = crypto.createHash("sha256").update(PYTHON_PULUMI);
  for (const file of fs.readdirSync(path.join(ROOT, "sdk/python"), { recursive: true, encoding: "utf8" }).sort()) {
    const full = path.join(ROOT, "sdk/python", file);
    if (fs.statSync(full).isFile()) hash.update(file).update(fs.readFileSync(full));
  }
  const venv = path.join(STAGING, "python", "venv");
  const stamp = path.join(venv, ".sdk-hash");
  const want = hash.digest("hex");
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === want) return venv;
  fs.rmSync(venv, { recursive: true, force: true });
  await must("python3", ["-m", "venv", venv]);
  // pip builds the SDK in a copy, so that sdk/python gets no build/ or egg-info.
  const copy = path.join(STAGING, "python", "sdk");
  fs.rmSync(copy, { recursive: true, force: true });
  fs.cpSync(path.join(ROOT, "sdk/python"), copy, { recursive: true });
  await must(path.join(venv, "bin/pip"), ["install", "--quiet", copy, `pulumi==${PYTHON_PULUMI}`]);
  fs.writeFileSync(stamp, want);
  return venv;
}

describe("e2e (Python): the Python SDK, the Python example as an Automation API inline program", function () {
  this.timeout(900_000);
  let world: World;
  after(async () => world?.close());

  it("comes up, previews no change, drops an identity and destroys", async () => {
    const venv = await virtualenv();
    const lw = await startLanguageWorld({ extraEnv: { VIRTUAL_ENV: venv } });
    world = lw.world;
    const driver = automationDriver(lw, path.join(venv, "bin/python"), [
      path.join(ROOT, "test/support/inline_example.py"),
      path.join(ROOT, "examples/python/__main__.py"),
    ]);
    await runScenario(world, lw.scene, driver);
  });
});
