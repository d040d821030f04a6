// Runs mocha with the environment every test expects:
// - the emulator workspace package (emulator/) built: tests load it by name (`vmss-identity-emulator`, its
//   emulator/dist), so a build older than its sources is redone first (`npm test` builds anyway; this covers
//   `npm run test:unit` and the other subsets after an edit of emulator/*.ts);
// - a test CA in .test-tls/ (made once by the emulator's ensureCa) trusted through NODE_EXTRA_CA_CERTS, which Node
//   reads only at process start: that is why this wrapper exists. Emulators started by tests reuse that CA
//   (`tls: { caDir }`), so the real @azure/identity can talk to their https token endpoint;
// - the Pulumi CLI (built or reused by scripts/ensure-pulumi.sh) for the end-to-end tests, unless
//   VMSS_IDENTITY_SKIP_E2E=1 (then the e2e files are not even loaded, and this is said);
// - the whole suite in parallel mocha workers (VMSS_TEST_JOBS, default one per core, 2 to 4): every file starts its
//   own emulator on its own port, with its own temporary folders and Pulumi state, so files share nothing.
// Arguments are passed on to mocha (e.g. a file list), which then runs them in one process unless VMSS_TEST_JOBS > 1.
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
  const whole = args.length === 0;
  const skipE2e = process.env.VMSS_IDENTITY_SKIP_E2E === "1";
  const e2e = whole ? !skipE2e : args.some((a) => a.includes("e2e"));
  const jobs = testJobs(whole);
  if (whole) args.push(...(jobs > 1 ? parallelOrder(e2e) : serialOrder(e2e)));
  if (jobs > 1) args.push("--parallel", "--jobs", String(jobs));
  if (skipE2e) console.log("run-tests: VMSS_IDENTITY_SKIP_E2E=1, end-to-end tests not run");
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

/**
 * How many mocha workers: VMSS_TEST_JOBS when set (1 = one process, as mocha runs by default), else, for the whole
 * suite, one per core up to 4 (at least 2: most of the suite waits on child processes: the Pulumi CLI, its language
 * host and dynamic providers, `az`, emulator processes). A file list given as arguments runs in one process.
 */
function testJobs(whole) {
  const set = process.env.VMSS_TEST_JOBS;
  if (set !== undefined && set !== "") {
    const n = Number(set);
    if (!Number.isInteger(n) || n < 1) {
      console.error(
        `run-tests: VMSS_TEST_JOBS is ${JSON.stringify(set)}: expected a whole number of workers, 1 or more`,
      );
      process.exit(2);
    }
    return n;
  }
  return whole ? Math.min(4, Math.max(2, require("node:os").availableParallelism())) : 1;
}

/** The test layers (folders of test/), cheapest first. */
function layers(e2e) {
  return ["unit", "emulator", "provider", ...(e2e ? ["e2e"] : [])];
}

/** One process: layer by layer, cheapest first, so that a broken unit fails in seconds. */
function serialOrder(e2e) {
  return layers(e2e).map((layer) => `test/${layer}/**/*.test.ts`);
}

/**
 * Parallel workers take the files in this order, one at a time, and a worker keeps its module state from file to
 * file. So: every unit file first (component mock tests under Pulumi's runtime mocks time out in a process that ran
 * provider tests before them); then the longest files, so that no worker is left alone with one at the end; then the
 * provider files, some of which wait on timers (retries, pacing) while the other worker computes; last the many short
 * emulator files, busy from start to end, which even the workers out. Durations: one process on 2 cores.
 */
function parallelOrder(e2e) {
  const first = [
    "test/e2e/recipes.test.ts", // ~110 s
    "test/emulator/azure-cli.test.ts", // ~50 s, a fifth of it waiting for az
    "test/e2e/preview-plan.test.ts", // ~45 s
    "test/e2e/role-assignments.test.ts", // ~40 s
    "test/e2e/yaml-plugin.test.ts", // ~35 s
    "test/e2e/quickstart.test.ts", // ~30 s
    "test/emulator/state-durability.test.ts", // ~20 s
  ].filter((file) => (e2e || !file.startsWith("test/e2e/")) && fs.existsSync(path.join(root, file)));
  const rest = [...(e2e ? ["e2e"] : []), "provider", "emulator"]
    .flatMap((layer) => testFiles(`test/${layer}`))
    .filter((file) => !first.includes(file));
  return [...testFiles("test/unit"), ...first, ...rest];
}

/** The *.test.ts files anywhere under a folder of the repository, sorted. */
function testFiles(dir) {
  return fs
    .readdirSync(path.join(root, dir), { recursive: true })
    .filter((name) => name.endsWith(".test.ts"))
    .sort()
    .map((name) => path.join(dir, name));
}
