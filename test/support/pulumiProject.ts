/**
 * Drives the real Pulumi CLI on a project folder, as a user does: `pulumi up`, `preview --json`, `refresh`, `destroy`.
 *
 * Each project lives in a temporary folder holding only `Pulumi.yaml` (whose `main` points at the example program in
 * this repository, so the program and its dynamic providers resolve `pulumi-vmss-identity` from the repository's
 * node_modules) and the stack's config file; state goes to a local file backend in the same temporary world.
 * With `inProcess`, the engine commands run the program in the test process instead of a language host process
 * (inProcessHost.ts).
 */
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { entryOf, hostProgram, type HostedProgram } from "./inProcessHost";

/** The result of one CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One step of `pulumi preview --json` (docs/arm-behavior.md, "Pulumi facts"). */
export interface PreviewStep {
  op: string;
  urn: string;
  oldState?: { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
  newState?: { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
  diffReasons?: string[];
  replaceReasons?: string[];
}

/** The document `pulumi preview --json` prints. */
export interface PreviewDigest {
  steps: PreviewStep[];
  changeSummary: Record<string, number>;
  diagnostics?: { message: string; severity: string }[];
}

let stacks = 0;

/**
 * The engine's commands: they talk to a language host (`--client` names one) and take `--config key=value`
 * (`pulumi import` takes neither).
 */
const ENGINE_COMMANDS = new Set(["up", "preview", "refresh", "destroy"]);

/** A stack of one project folder. */
export class PulumiProject {
  private constructor(
    readonly dir: string,
    readonly stack: string,
    private readonly cli: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly stateDir: string,
    readonly projectName: string,
    private readonly programDir: string,
    /** Whether the engine commands run the program in this process (see inProcessHost.ts). */
    private inProcess: boolean,
  ) {}

  /**
   * From now on, runs the Node.js program in this process (as the `inProcess` option of {@link create}), e.g. after
   * a first `up` through the language host has shown that path works.
   */
  runProgramInProcess(): void {
    this.inProcess = true;
  }

  /** Plain config values (`key=value`) set by {@link configure} and not yet given to the CLI. */
  private pendingConfig: string[] = [];

  /** Makes the project folder for `programDir` under `worldDir` and runs `pulumi stack init`. */
  static async create(options: {
    cli: string;
    env: NodeJS.ProcessEnv;
    worldDir: string;
    stateDir: string;
    programDir: string;
    projectName: string;
    stack?: string;
    /** The whole Pulumi.yaml instead of a Node.js project running `programDir` (e.g. a Pulumi YAML program). */
    projectFile?: string;
    /**
     * Run the Node.js program inside the test process (inProcessHost.ts: Pulumi's LanguageServer, the CLI's
     * `--client`) instead of in a language host process the CLI starts. The engine and providers stay real.
     */
    inProcess?: boolean;
  }): Promise<PulumiProject> {
    if (options.inProcess && options.projectFile) {
      throw new Error("inProcess runs a Node.js programDir: it cannot go with a projectFile");
    }
    const dir = fs.mkdtempSync(path.join(options.worldDir, `${options.projectName}-`));
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      options.projectFile ??
        `name: ${options.projectName}\nruntime: nodejs\nmain: ${path.resolve(options.programDir)}\n`,
    );
    const project = new PulumiProject(
      dir,
      options.stack ?? `test${++stacks}`,
      options.cli,
      options.env,
      options.stateDir,
      options.projectName,
      options.programDir,
      options.inProcess ?? false,
    );
    await project.must(["stack", "init"]);
    return project;
  }

  /** Runs the CLI in the project folder; never throws for a non-zero exit (see {@link must}). */
  async run(args: string[], env: NodeJS.ProcessEnv = this.env): Promise<CliResult> {
    const engine = ENGINE_COMMANDS.has(args[0]);
    if (engine) {
      args = [args[0], ...this.pendingConfig.map((pair) => `--config=${pair}`), ...args.slice(1)];
      this.pendingConfig = [];
    } else {
      await this.saveConfig();
    }
    const hosted = engine && this.inProcess ? await hostProgram(entryOf(this.programDir), this.env) : undefined;
    let result: CliResult | undefined;
    try {
      result = await this.runCli(args, hosted, env);
      return result;
    } finally {
      hosted?.close(result === undefined || result.code !== 0);
    }
  }

  /**
   * Runs an engine command and interrupts it (SIGINT, then SIGINT again: a user pressing Ctrl-C twice, after which
   * the engine stops its plugins) as soon as `until` holds of its output so far, or after `timeoutMs`. For a wait
   * too long for a test: it shows what the user is told while the wait lasts. With `interrupts: 1`, one Ctrl-C only
   * (the engine cancels its providers and waits for the operations in flight); `stoppedAfterMs` is how long the run
   * took to end after the first.
   */
  async runUntil(
    args: string[],
    until: (stdout: string) => boolean,
    timeoutMs = 120_000,
    interrupts: 1 | 2 = 2,
  ): Promise<CliResult & { interrupted: boolean; stoppedAfterMs?: number }> {
    args = [args[0], ...this.pendingConfig.map((pair) => `--config=${pair}`), ...args.slice(1)];
    this.pendingConfig = [];
    const hosted = this.inProcess ? await hostProgram(entryOf(this.programDir), this.env) : undefined;
    const argv = [
      ...args,
      "--non-interactive",
      "--stack",
      this.stack,
      ...(hosted ? [`--client=${hosted.address}`] : []),
    ];
    const child = spawn(this.cli, argv, { cwd: this.dir, env: this.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
    let interrupted = false;
    let interruptedAt: number | undefined;
    const deadline = Date.now() + timeoutMs;
    let exit: number | undefined;
    exited.then((code) => (exit = code));
    while (exit === undefined && !interrupted) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (until(stdout) || Date.now() > deadline) {
        interrupted = true;
        interruptedAt = Date.now();
        child.kill("SIGINT");
        if (interrupts === 2) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          if (exit === undefined) child.kill("SIGINT");
        }
      }
    }
    const code = await exited;
    const stoppedAfterMs = interruptedAt === undefined ? undefined : Date.now() - interruptedAt;
    hosted?.close(true);
    return { code, stdout, stderr, interrupted, stoppedAfterMs };
  }

  private runCli(
    args: string[],
    hosted: HostedProgram | undefined,
    env: NodeJS.ProcessEnv = this.env,
  ): Promise<CliResult> {
    // Our flags go before a `--`, after which everything is a value.
    const end = args.includes("--") ? args.indexOf("--") : args.length;
    const ours = ["--non-interactive", "--stack", this.stack, ...(hosted ? [`--client=${hosted.address}`] : [])];
    const argv = [...args.slice(0, end), ...ours, ...args.slice(end)];
    return new Promise((resolve) => {
      execFile(this.cli, argv, { cwd: this.dir, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  }

  /** Runs the CLI and fails with its output when it exits non-zero. */
  async must(args: string[]): Promise<CliResult> {
    const result = await this.run(args);
    if (result.code !== 0) {
      throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    }
    return result;
  }

  /**
   * Sets plain config values (objects as JSON) and secret ones. Plain values alone go to the next `up`, `preview`,
   * `refresh` or `destroy` as `--config` (which saves them to the stack's config, even when the command fails), or to
   * one `pulumi config set-all` before any other command: each CLI run costs a start of its own.
   */
  async configure(values: Record<string, unknown>, secrets: Record<string, string> = {}): Promise<void> {
    this.pendingConfig.push(
      ...Object.entries(values).map(
        ([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`,
      ),
    );
    const secretPairs = Object.entries(secrets).map(([key, value]) => `--secret=${key}=${value}`);
    if (secretPairs.length > 0) await this.saveConfig(secretPairs);
  }

  /** One `pulumi config set-all` with the pending plain values and `extra` arguments. */
  private async saveConfig(extra: string[] = []): Promise<void> {
    const pairs = [...this.pendingConfig.map((pair) => `--plaintext=${pair}`), ...extra];
    this.pendingConfig = [];
    if (pairs.length === 0) return;
    const result = await this.runCli(["config", "set-all", ...pairs], undefined);
    if (result.code !== 0)
      throw new Error(`pulumi config set-all exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }

  /** `pulumi up --yes --skip-preview`. */
  up(extra: string[] = []): Promise<CliResult> {
    return this.must(["up", "--yes", "--skip-preview", ...extra]);
  }

  /** `pulumi preview --json`, parsed. */
  async preview(extra: string[] = []): Promise<PreviewDigest> {
    const result = await this.must(["preview", "--json", ...extra]);
    return JSON.parse(result.stdout) as PreviewDigest;
  }

  /** `pulumi refresh --yes --skip-preview`. */
  refresh(extra: string[] = []): Promise<CliResult> {
    return this.must(["refresh", "--yes", "--skip-preview", ...extra]);
  }

  /** `pulumi destroy --yes --skip-preview`. */
  destroy(): Promise<CliResult> {
    return this.must(["destroy", "--yes", "--skip-preview"]);
  }

  /** The stack outputs (secrets shown as `[secret]`). */
  async outputs(): Promise<Record<string, unknown>> {
    const result = await this.must(["stack", "output", "--json"]);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  }

  /** The raw text of the stack's state file in the local backend, exactly as stored on disk. */
  rawState(): string {
    return fs.readFileSync(
      path.join(this.stateDir, ".pulumi", "stacks", this.projectName, `${this.stack}.json`),
      "utf8",
    );
  }
}

/** The step of a preview for a resource of the given type and name. */
export function stepOf(preview: PreviewDigest, type: string, name: string): PreviewStep | undefined {
  return preview.steps.find((s) => s.urn.endsWith(`${type}::${name}`));
}

/** The repository's root: a YAML project's `programDir` (it runs no Node.js program of its own). */
const REPO_ROOT = path.resolve(__dirname, "../..");

/**
 * A stack of a Pulumi YAML project (`projectFile` is its whole Pulumi.yaml) in a test world's folder, its state in
 * that world's local backend (`<world.dir>/state`, where the world's other stacks keep theirs).
 */
export function yamlProjectInWorld(
  world: { dir: string },
  project: { cli: string; env: NodeJS.ProcessEnv; projectName: string; projectFile: string },
): Promise<PulumiProject> {
  return PulumiProject.create({
    ...project,
    worldDir: world.dir,
    stateDir: path.join(world.dir, "state"),
    programDir: REPO_ROOT,
  });
}
