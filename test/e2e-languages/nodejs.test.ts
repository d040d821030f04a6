/**
 * The Node.js SDK (sdk/nodejs) under the real engine, on Node.js 22 with the newest @pulumi/pulumi the TypeScript
 * example asks for (examples/typescript-plugin; the SDK needs >= 3.269, whose releases need Node.js 22):
 * 1. in .sdk-test/nodejs (git-ignored), the example's dependencies are installed (npm, on Node.js 22 from
 *    scripts/ensure-node.sh), the SDK is compiled with them (`tsc`, which type-checks it against that @pulumi/pulumi)
 *    and installed as the example's `pulumi-vmss-identity-sdk`, as the README's steps do; then the example is
 *    type-checked (`tsc --noEmit`);
 * 2. the example runs as users run it, `pulumi up` in its folder (the Node.js language host on Node.js 22), with the
 *    plugin installed from its archive and nothing on PATH but Node.js and the CLI: the host reports the plugin the
 *    SDK needs (GetRequiredPackages: vmss-identity with the SDK's download server), the engine finds it installed;
 * 3. up, a no-change preview, the ops identity dropped (its `preview --diff` names it), destroy; the emulator's
 *    state checked after each.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { cliDriver, must, NPM_NETWORK, ROOT, runScenario, STAGING, startLanguageWorld } from "../support/languages";
import type { World } from "../support/world";

const EXAMPLE = path.join(ROOT, "examples/typescript-plugin");
const SDK_PACKAGE = "pulumi-vmss-identity-sdk";

/** Node.js 22's bin folder (scripts/ensure-node.sh prints it on the last line of its stdout). */
function node22(): string {
  const out = execFileSync("bash", [path.join(ROOT, "scripts/ensure-node.sh"), "22"], { encoding: "utf8" });
  return out.trim().split("\n").pop() ?? "";
}

/** The example's folder in .sdk-test/nodejs with its dependencies and the SDK built from sdk/nodejs. */
async function stageExample(nodeBin: string): Promise<string> {
  const dir = path.join(STAGING, "nodejs");
  // npm and tsc on Node.js 22, without the tests' compile-cache preload (test/support/compile-cache.js) and without
  // the test CA (NODE_EXTRA_CA_CERTS): with it, npm on Node.js 22 stalls on its registry requests.
  const { NODE_OPTIONS: _preload, NODE_EXTRA_CA_CERTS: _testCa, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = { ...inherited, PATH: `${nodeBin}${path.delimiter}${process.env.PATH}` };
  const manifest = JSON.parse(fs.readFileSync(path.join(EXAMPLE, "package.json"), "utf8"));
  const sdkSpec = manifest.dependencies[SDK_PACKAGE];
  assert.equal(sdkSpec, "file:../../sdk/nodejs/bin", "the example installs the SDK the README builds");
  delete manifest.dependencies[SDK_PACKAGE];
  fs.mkdirSync(dir, { recursive: true });
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  // Installed once for a given package.json: the stamp is written after a successful install only.
  const stamp = path.join(dir, "node_modules", ".example-package.json");
  if (!fs.existsSync(stamp) || fs.readFileSync(stamp, "utf8") !== manifestText) {
    fs.writeFileSync(path.join(dir, "package.json"), manifestText);
    await must("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: dir,
      env: { ...env, ...NPM_NETWORK },
      timeoutMs: 300_000,
    });
    fs.writeFileSync(stamp, manifestText);
  }
  for (const file of ["index.ts", "tsconfig.json"]) fs.copyFileSync(path.join(EXAMPLE, file), path.join(dir, file));
  // The SDK as the README builds it (npm run build, package.json beside the output), against the example's packages.
  const sdk = path.join(dir, "sdk");
  fs.rmSync(sdk, { recursive: true, force: true });
  fs.cpSync(path.join(ROOT, "sdk/nodejs"), sdk, { recursive: true });
  const tsc = path.join(dir, "node_modules/typescript/bin/tsc");
  await must(path.join(nodeBin, "node"), [tsc, "-p", sdk], { env });
  fs.copyFileSync(path.join(sdk, "package.json"), path.join(sdk, "bin/package.json"));
  const link = path.join(dir, "node_modules", SDK_PACKAGE);
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(path.join("..", "sdk", "bin"), link, "dir");
  const pulumiVersion = JSON.parse(fs.readFileSync(path.join(dir, "node_modules/@pulumi/pulumi/package.json"), "utf8"));
  assert.equal(pulumiVersion.version, manifest.dependencies["@pulumi/pulumi"]);
  await must(path.join(nodeBin, "node"), [tsc, "--noEmit", "-p", dir], { env });
  return dir;
}

describe("e2e (Node.js SDK): the TypeScript example through the plugin, on Node.js 22", function () {
  this.timeout(900_000);
  let world: World;
  after(async () => world?.close());

  it("type-checks, comes up, previews no change, drops an identity and destroys", async () => {
    const nodeBin = node22();
    const programDir = await stageExample(nodeBin);
    const lw = await startLanguageWorld({ pathFirst: [nodeBin] });
    world = lw.world;
    const driver = await cliDriver(
      lw,
      { programDir, projectName: "vmss-identity-typescript-plugin" },
      async (stack) => {
        const diff = await stack.must(["preview", "--diff"]);
        assert.match(diff.stdout, /~ userAssignedIdentities: \[\s+- \[1\]: "[^"]*\/ops-identity"\s+\]/);
      },
    );
    await runScenario(world, lw.scene, driver);
  });
});
