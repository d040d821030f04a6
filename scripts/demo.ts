/**
 * `npm run demo`: the quickstart stack against the embedded ARM emulator, end to end, in a temporary folder.
 *
 * 1. Start the emulator over https with a fresh CA (the CA file is handed to every Node process through
 *    NODE_EXTRA_CA_CERTS, so @azure/identity can use the emulator as its authority host).
 * 2. Build or reuse the Pulumi CLI (scripts/ensure-pulumi.sh).
 * 3. `pulumi up` the quickstart (examples/quickstart) with a local file backend, then print its outputs.
 * 4. Show `pulumi preview --diff` of a follow-up change (one user-assigned identity removed), as a code reviewer sees it.
 * 5. Stop the emulator and delete the temporary folder.
 */
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator } from "vmss-identity-emulator";

const root = path.resolve(__dirname, "..");

function banner(text: string): void {
  console.log(`\n=== ${text} ===\n`);
}

async function main(): Promise<void> {
  const world = fs.mkdtempSync(path.join(os.tmpdir(), "vmss-identity-demo-"));
  const emulator = await startEmulator({ tls: { caDir: path.join(world, "tls") } });
  try {
    banner(`ARM emulator listening on ${emulator.url}`);
    const cliDir = execFileSync("bash", [path.join(root, "scripts/ensure-pulumi.sh")], {
      stdio: ["ignore", "pipe", "inherit"],
    })
      .toString()
      .trim()
      .split("\n")
      .pop() as string;
    const projectDir = path.join(world, "project");
    const stateDir = path.join(world, "state");
    fs.mkdirSync(projectDir);
    fs.mkdirSync(stateDir);
    fs.writeFileSync(
      path.join(projectDir, "Pulumi.yaml"),
      `name: quickstart\nruntime: nodejs\nmain: ${path.join(root, "examples/quickstart")}\n`,
    );
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${cliDir}${path.delimiter}${process.env.PATH ?? ""}`,
      PULUMI_HOME: path.join(world, "pulumi-home"),
      PULUMI_BACKEND_URL: `file://${stateDir}`,
      PULUMI_CONFIG_PASSPHRASE: randomBytes(16).toString("hex"),
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      // The emulator on ARM's timing and budgets (5 s operations, no Retry-After), the provider on its shipped
      // defaults: the demo shows what a user sees on Azure.
      ...emulator.clientEnv(),
    };
    // Asynchronous on purpose: the emulator answers from this process's event loop while the CLI runs.
    const pulumi = (args: string[], shown = args): Promise<void> =>
      new Promise((resolve, reject) => {
        console.log(`$ pulumi ${shown.join(" ")}`);
        const child = spawn(path.join(cliDir, "pulumi"), [...args, "--non-interactive"], {
          cwd: projectDir,
          env,
          stdio: ["ignore", "inherit", "inherit"],
        });
        child.on("error", reject);
        child.on("exit", (code) =>
          code === 0 ? resolve() : reject(new Error(`pulumi ${args[0]} failed (exit ${code})`)),
        );
      });

    banner("pulumi up: resource group, two identities, a scale set with its system identity, user identities added");
    await pulumi(["stack", "init", "dev"]);
    const password = `Demo-${randomBytes(9).toString("base64url")}1!`;
    await pulumi(
      ["config", "set", "--secret", "adminPassword", password],
      ["config", "set", "--secret", "adminPassword", "********"],
    );
    await pulumi(["up", "--yes", "--skip-preview"]);

    banner("Stack outputs");
    await pulumi(["stack", "output", "--json"]);

    banner("Code review of a follow-up change: ops-identity dropped from the VmssManagedIdentity");
    await pulumi(["config", "set", "assignSecondIdentity", "false"]);
    await pulumi(["preview", "--diff"]);

    banner("Done");
  } finally {
    await emulator.close();
    fs.rmSync(world, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
