// Runs mocha with the environment every test expects:
// - the emulator workspace package (emulator/) built: tests load it by name (`vmss-identity-emulator`, its
//   emulator/dist), so a build older than its sources is redone first (`npm test` builds anyway; this covers
//   `npm run test:unit` and the other subsets after an edit of emulator/*.ts);
// - a test CA in .test-tls/ (made once by the emulator's ensureCa) trusted through NODE_EXTRA_CA_CERTS, which Node
//   reads only at process start: that is why this wrapper exists. Emulators started by tests reuse that CA
//   (`tls: { caDir }`), so the real @azure/identity can talk to their https token endpoint;
// - the Pulumi CLI (built or reused by scripts/ensure-pulumi.sh) for the end-to-end tests, unless
//   VMSS_IDENTITY_SKIP_E2E=1 (then the e2e files are not even loaded, and this is said).
// Arguments are passed on to mocha (e.g. a file list).
"use strict";
const { spawnSync, execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const caDir = path.join(root, ".test-tls");

buildEmulatorIfStale();
require("vmss-identity-emulator")
  .ensureCa(caDir)
  .then(({ caPath }) => process.exit(runMocha(caPath)));

/** Builds the emulator workspace when one of its sources is newer than its build, or when it has no build. */
function buildEmulatorIfStale() {
  const dir = path.join(root, "emulator");
  const built = path.join(dir, "dist", "index.js");
  const builtAt = fs.existsSync(built) ? fs.statSync(built).mtimeMs : 0;
  const sources = fs.readdirSync(dir).filter((f) => f.endsWith(".ts") || f === "tsconfig.json");
  if (sources.every((f) => fs.statSync(path.join(dir, f)).mtimeMs <= builtAt)) return;
  console.log("run-tests: emulator/dist is older than emulator/*.ts: building the emulator first");
  execFileSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", dir], { stdio: "inherit" });
}

/** Runs mocha with the CA trusted (and the Pulumi CLI for e2e); returns its exit status. */
function runMocha(caPath) {
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: caPath, VMSS_TEST_CA_DIR: caDir };
  // Spec files: the arguments, else every layer (mocha would add a config "spec" to the arguments, so none is there).
  const args = process.argv.slice(2);
  const layers = ["test/unit/**/*.test.ts", "test/emulator/**/*.test.ts", "test/provider/**/*.test.ts"];
  const e2e = args.length === 0 ? process.env.VMSS_IDENTITY_SKIP_E2E !== "1" : args.some((a) => a.includes("e2e"));
  if (args.length === 0) args.push(...layers, ...(e2e ? ["test/e2e/**/*.test.ts"] : []));
  if (process.env.VMSS_IDENTITY_SKIP_E2E === "1")
    console.log("run-tests: VMSS_IDENTITY_SKIP_E2E=1, end-to-end tests not run");
  if (e2e && !env.PULUMI_CLI) {
    const bin = execFileSync("bash", [path.join(root, "scripts/ensure-pulumi.sh")], {
      stdio: ["ignore", "pipe", "inherit"],
    })
      .toString()
      .trim()
      .split("\n")
      .pop();
    env.PULUMI_CLI = path.join(bin, "pulumi");
  }
  const mocha = path.join(root, "node_modules/mocha/bin/mocha.js");
  const result = spawnSync(process.execPath, [mocha, ...args], { stdio: "inherit", env, cwd: root });
  return result.status ?? 1;
}
