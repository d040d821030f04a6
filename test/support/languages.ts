/**
 * What the language tests (test/e2e-languages/) share: the plugin archive installed as Pulumi installs plugins, a
 * PATH with no plugin on it, the quickstart's scene in the emulator, and the examples' scenario (up, a no-change
 * preview, an identity dropped, destroy) with its checks after each step, whatever the language that runs it: a test
 * supplies an {@link ExampleDriver} (the CLI on a project folder, {@link cliDriver}, or an Automation API program,
 * {@link automationDriver}) and {@link runScenario} does the rest.
 *
 * Every example (examples/yaml, python, go, typescript-plugin) is the same program: a VmssManagedIdentity on the
 * scale set `scaleSetId` with `systemAssigned: true` and the user-assigned identities of the list `identityIds`, whose
 * outputs are `identityType`, `principalId` and `userIdentities`.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PulumiProject } from "./pulumiProject";
import {
  createIdentity,
  createResourceGroup,
  createScaleSet,
  identityOf,
  startWorld,
  userIds,
  type World,
} from "./world";

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

/** A started world with the plugin installed from its archive and the scene made: see {@link startLanguageWorld}. */
export interface LanguageWorld {
  world: World;
  /** The world's environment with a PATH that holds no plugin, plus the caller's additions. */
  env: NodeJS.ProcessEnv;
  scene: Scene;
  /** What `pulumi plugin install --file` printed. */
  installed: string;
}

/**
 * Starts a world, installs the plugin archive into its PULUMI_HOME (PATH: `pathFirst`, then what
 * {@link pathWithoutPlugin} adds; `extraEnv` on top of the world's environment) and makes the scene. Closes the world
 * when a step fails; otherwise the caller closes it.
 */
export async function startLanguageWorld(
  options: { pathFirst?: string[]; extraEnv?: NodeJS.ProcessEnv } = {},
): Promise<LanguageWorld> {
  const world = await startWorld();
  try {
    const env = { ...world.env, PATH: pathWithoutPlugin(options.pathFirst), ...options.extraEnv };
    const installed = await installPlugin(env);
    const scene = await makeScene(world);
    return { world, env, scene, installed };
  } catch (e) {
    await world.close();
    throw e;
  }
}

/** How a language test runs the example: each step with the program's `identityIds` (its `scaleSetId` is the scene's). */
export interface ExampleDriver {
  /** `up`; resolves to the stack outputs. */
  up(identityIds: string[]): Promise<ExampleOutputs>;
  /** A preview, which the driver checks finds no change. */
  previewNoChanges(identityIds: string[]): Promise<void>;
  /** Runs before the change's `up`, ahead of the emulator's request log being cleared (e.g. the config change). */
  beforeChange?(identityIds: string[]): Promise<void>;
  /** `destroy`. */
  destroy(identityIds: string[]): Promise<void>;
}

/**
 * The examples' scenario: up with the app and ops identities, a no-change preview, the ops identity dropped (one PATCH,
 * the system identity keeps its principal), destroy; the emulator's state and the outputs checked after each.
 */
export async function runScenario(world: World, scene: Scene, driver: ExampleDriver): Promise<void> {
  const both = [scene.app, scene.ops];
  await checkUp(world, scene, both, await driver.up(both));
  await driver.previewNoChanges(both);

  const appOnly = [scene.app];
  const before = (await identityOf(world, scene.scaleSetId)).principalId;
  await driver.beforeChange?.(appOnly);
  world.emulator.admin.clearRequests();
  const outputs = await driver.up(appOnly);
  await checkChange(world, scene, before);
  await checkUp(world, scene, appOnly, outputs);

  await driver.destroy(appOnly);
  await checkDestroyed(world, scene);
}

/**
 * The example run as users run it, by the CLI on a project folder (`pulumi up` etc., see PulumiProject): the stack's
 * config is `scaleSetId` and `identityIds[i]` set one by one (`config set --path`, `config rm --path` for those
 * dropped). Every `up` checks the engine took no plugin from PATH; the no-change preview is
 * `preview --expect-no-changes`. `afterChangeConfigured` runs once the change's config is set, before its `up`.
 */
export async function cliDriver(
  lw: LanguageWorld,
  project: { programDir: string; projectName: string; projectFile?: string },
  afterChangeConfigured?: (stack: PulumiProject) => Promise<void>,
): Promise<ExampleDriver> {
  const { world, env, scene } = lw;
  const stack = await PulumiProject.create({
    cli: pulumiCli(),
    env,
    worldDir: world.dir,
    stateDir: path.join(world.dir, "state"),
    ...project,
  });
  await stack.must(["config", "set", "scaleSetId", scene.scaleSetId]);
  let configured: string[] = [];
  const configure = async (identityIds: string[]) => {
    for (const [i, id] of identityIds.entries()) {
      if (configured[i] !== id) await stack.must(["config", "set", "--path", `identityIds[${i}]`, id]);
    }
    for (let i = configured.length - 1; i >= identityIds.length; i--) {
      await stack.must(["config", "rm", "--path", `identityIds[${i}]`]);
    }
    configured = [...identityIds];
  };
  return {
    async up(identityIds) {
      await configure(identityIds);
      const up = await stack.up();
      assert.doesNotMatch(`${up.stdout}${up.stderr}`, /from \$PATH/, "the engine took no plugin from PATH");
      return stack.outputs();
    },
    async previewNoChanges(identityIds) {
      await configure(identityIds);
      await stack.must(["preview", "--expect-no-changes"]);
    },
    async beforeChange(identityIds) {
      await configure(identityIds);
      await afterChangeConfigured?.(stack);
    },
    async destroy(identityIds) {
      await configure(identityIds);
      await stack.destroy();
    },
  };
}

/**
 * The example as an Automation API inline program: `command args` run in the world's folder (the engine's working
 * folder, where the plugin starts: not this repository, whose tsconfig.json @pulumi/pulumi's plugin runner would
 * read, docs/plugin.md "Installing the plugin"), told the step by VMSS_EXAMPLE_OP, VMSS_EXAMPLE_STACK and
 * VMSS_EXAMPLE_CONFIG, answering with a `VMSS_EXAMPLE_RESULT` line ({@link exampleResult}).
 */
export function automationDriver(lw: LanguageWorld, command: string, args: string[]): ExampleDriver {
  const { world, env, scene } = lw;
  const step = async (op: string, identityIds: string[]) => {
    const out = await must(command, args, {
      cwd: world.dir,
      env: {
        ...env,
        VMSS_EXAMPLE_OP: op,
        VMSS_EXAMPLE_STACK: "dev",
        VMSS_EXAMPLE_CONFIG: JSON.stringify({ scaleSetId: scene.scaleSetId, identityIds }),
      },
    });
    return exampleResult(out);
  };
  return {
    up: async (identityIds) => (await step("up", identityIds)).outputs ?? {},
    previewNoChanges: async (identityIds) => assertNoChanges((await step("preview", identityIds)).changes),
    destroy: async (identityIds) => void (await step("destroy", identityIds)),
  };
}
