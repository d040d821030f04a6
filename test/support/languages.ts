/**
 * What the language tests (test/e2e-languages/) share: the plugin archive installed as Pulumi installs plugins, a
 * PATH with no plugin on it, the quickstart's scene in the emulator, and the checks of each step of the examples'
 * scenario (up, a no-change preview, an identity dropped, destroy), whatever the language that ran it.
 *
 * Every example (examples/yaml, python, go, typescript-plugin) is the same program: a VmssManagedIdentity on the
 * scale set `scaleSetId` with `systemAssigned: true` and the user-assigned identities of the list `identityIds`, whose
 * outputs are `identityType`, `principalId` and `userIdentities`.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { createIdentity, createResourceGroup, createScaleSet, identityOf, userIds, type World } from "./world";

export const ROOT = path.resolve(__dirname, "../..");
/** The staging folder of the language tests (git-ignored): installed SDKs, built programs, their packages. */
export const STAGING = path.join(ROOT, ".sdk-test");
/** The plugin's version: the package's. */
export const PLUGIN_VERSION: string = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version;
const PLUGIN_EXECUTABLE = "pulumi-resource-vmss-identity";

/**
 * npm's network settings for the tests' installs: a stalled registry request is given up after a minute and retried
 * (npm's defaults wait 5 minutes for each of 3 tries).
 */
export const NPM_NETWORK = { npm_config_fetch_timeout: "60000", npm_config_fetch_retries: "4" };

/** The result of one command. */
export interface RunResult {
  code: number;
  out: string;
}

/**
 * Runs a command with no standard input (as CI runs it); never throws for a non-zero exit (see {@link must}).
 * `timeoutMs` (default 10 minutes) ends a command that hangs, with its output so far.
 */
export function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (out += chunk));
    const limit = options.timeoutMs ?? 600_000;
    const timer = setTimeout(() => {
      out += `\n(killed after ${limit / 1000} s without finishing)`;
      child.kill("SIGKILL");
    }, limit);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ code: 1, out: `${out}${e.message}` });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, out });
    });
  });
}

/** Runs a command and fails with its output when it exits non-zero. */
export async function must(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<string> {
  const result = await run(cmd, args, options);
  if (result.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${result.code}\n${result.out}`);
  return result.out;
}

/** The Pulumi CLI the tests use (scripts/run-tests.js sets it). */
export function pulumiCli(): string {
  const cli = process.env.PULUMI_CLI;
  if (!cli) throw new Error("PULUMI_CLI is not set: run the tests through scripts/run-tests.js");
  return cli;
}

/**
 * A PATH on which no `pulumi-resource-vmss-identity` can be found: the given folders, the Pulumi CLI's (its
 * language hosts), Node.js's, and the system's /usr/bin and /bin. Fails if one of them holds the plugin after all
 * (e.g. an `npm link` into /usr/bin), since the engine would then take it from there.
 */
export function pathWithoutPlugin(first: string[] = []): string {
  const dirs = [...new Set([...first, path.dirname(pulumiCli()), path.dirname(process.execPath), "/usr/bin", "/bin"])];
  for (const dir of dirs) {
    assert.ok(!fs.existsSync(path.join(dir, PLUGIN_EXECUTABLE)), `${dir} holds ${PLUGIN_EXECUTABLE}`);
  }
  return dirs.join(path.delimiter);
}

let archive: Promise<string> | undefined;

/** The plugin archive of this machine's platform, made once per process by scripts/pack-plugin.js. */
export function pluginArchive(): Promise<string> {
  archive ??= (async () => {
    const out = await must(process.execPath, [path.join(ROOT, "scripts/pack-plugin.js"), "--out", STAGING]);
    const file = out.trim().split("\n").pop() ?? "";
    assert.match(path.basename(file), new RegExp(`^${PLUGIN_EXECUTABLE}-v${PLUGIN_VERSION}-(linux|darwin|windows)-`));
    return file;
  })();
  return archive;
}

/**
 * `pulumi plugin install resource vmss-identity <version> --file <archive>` into the PULUMI_HOME of `env`, with
 * nothing on PATH but the CLI and Node.js: the engine has the Node.js language host install the plugin's
 * dependencies. Returns the command's output; checks the plugin is then in the plugin cache as a folder with
 * PulumiPlugin.yaml and its node_modules, at the versions of this repository's package-lock.json.
 */
export async function installPlugin(env: NodeJS.ProcessEnv): Promise<string> {
  const file = await pluginArchive();
  // npm runs without the tests' V8 compile-cache preload (test/support/compile-cache.js): with it, `npm install` can
  // exit 1 without a word.
  const { NODE_OPTIONS: _preload, ...npmEnv } = env;
  const out = await must(
    pulumiCli(),
    ["plugin", "install", "resource", "vmss-identity", PLUGIN_VERSION, "--file", file, "--non-interactive"],
    { env: { ...npmEnv, ...NPM_NETWORK, PATH: pathWithoutPlugin() } },
  );
  const dir = path.join(env.PULUMI_HOME ?? "", "plugins", `resource-vmss-identity-v${PLUGIN_VERSION}`);
  assert.ok(fs.existsSync(path.join(dir, "PulumiPlugin.yaml")), `${dir}/PulumiPlugin.yaml is missing:\n${out}`);
  assert.ok(
    fs.existsSync(path.join(dir, "node_modules/@pulumi/pulumi")),
    `${dir}: dependencies not installed:\n${out}`,
  );
  // The archive's package-lock.json pins what npm installs: the versions this repository's lock has.
  const rootLock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
  for (const name of ["@pulumi/pulumi", "@azure/identity", "undici", "@grpc/grpc-js"]) {
    const installed = JSON.parse(fs.readFileSync(path.join(dir, "node_modules", name, "package.json"), "utf8"));
    assert.equal(installed.version, rootLock.packages[`node_modules/${name}`]?.version, `${name} in ${dir}`);
  }
  return out;
}

/** The "Azure" the examples run against: a scale set someone else gave `foreign`, and two identities to add. */
export interface Scene {
  scaleSetId: string;
  app: string;
  ops: string;
  foreign: string;
}

/** Makes the scene in the world's emulator (outside Pulumi, as the how-to's prerequisites). */
export async function makeScene(world: World): Promise<Scene> {
  await createResourceGroup(world, "rg");
  const [app, ops, foreign] = await Promise.all(
    ["app-identity", "ops-identity", "policy-identity"].map((n) => createIdentity(world, "rg", n)),
  );
  const scaleSetId = await createScaleSet(world, "rg", "vmss", {
    type: "UserAssigned",
    userAssignedIdentities: { [foreign]: {} },
  });
  return { scaleSetId, app, ops, foreign };
}

/** The stack outputs of every example. */
export interface ExampleOutputs {
  identityType?: unknown;
  principalId?: unknown;
  userIdentities?: unknown;
}

/**
 * After an `up` with `owned` (a subset of the scene's app and ops identities): the scale set has the system identity
 * on, exactly `owned` plus the foreign identity, and the outputs say so (the principals are the emulator's).
 */
export async function checkUp(world: World, scene: Scene, owned: string[], outputs: ExampleOutputs): Promise<void> {
  const state = await identityOf(world, scene.scaleSetId);
  assert.equal(state.system, true, "the system-assigned identity is on");
  assert.deepEqual(userIds(state), [...owned, scene.foreign].map((id) => id.toLowerCase()).sort());
  assert.equal(outputs.identityType, "SystemAssigned, UserAssigned");
  assert.equal(outputs.principalId, state.principalId);
  const users = (outputs.userIdentities ?? []) as { id: string; principalId: string }[];
  assert.deepEqual(
    users.map((u) => u.principalId).sort(),
    owned.map((id) => state.user.get(id.toLowerCase())?.principalId).sort(),
  );
}

/** After the change (the ops identity dropped): one PATCH of the scale set, which removed it and nothing else. */
export async function checkChange(world: World, scene: Scene, principalBefore: string | undefined): Promise<void> {
  const patches = world.emulator.admin
    .requests()
    .filter((r) => r.method === "PATCH" && r.path.toLowerCase() === scene.scaleSetId.toLowerCase());
  assert.equal(patches.length, 1, "one PATCH removes the identity");
  const state = await identityOf(world, scene.scaleSetId);
  assert.deepEqual(userIds(state), [scene.app, scene.foreign].map((id) => id.toLowerCase()).sort());
  assert.equal(state.principalId, principalBefore, "the system identity keeps its principal");
}

/** After destroy: what the stack added is gone (it turned the system identity on, so off), the foreign one stays. */
export async function checkDestroyed(world: World, scene: Scene): Promise<void> {
  const state = await identityOf(world, scene.scaleSetId);
  assert.equal(state.system, false, "the system identity the stack turned on is off again");
  assert.deepEqual(userIds(state), [scene.foreign.toLowerCase()]);
}

/** A change summary with nothing created, updated, replaced or deleted (`same` only). */
export function assertNoChanges(changes: Record<string, number>): void {
  const changed = Object.entries(changes).filter(([op, n]) => op !== "same" && n > 0);
  assert.deepEqual(changed, [], `expected no change, got ${JSON.stringify(changes)}`);
  assert.ok((changes.same ?? 0) >= 1, `expected unchanged resources, got ${JSON.stringify(changes)}`);
}

/** The `VMSS_EXAMPLE_RESULT {…}` line an Automation API driver prints (examples/go, test/support/inline_example.py). */
export function exampleResult(out: string): { changes: Record<string, number>; outputs?: ExampleOutputs } {
  const line = out.split("\n").find((l) => l.startsWith("VMSS_EXAMPLE_RESULT "));
  if (!line) throw new Error(`no VMSS_EXAMPLE_RESULT line in:\n${out}`);
  return JSON.parse(line.slice("VMSS_EXAMPLE_RESULT ".length));
}
