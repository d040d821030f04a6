/**
 * `npm run consumer-check`: installs the package as a user does and uses it, on each Node.js LTS line we support.
 *
 * 1. `npm pack` the repository (its `prepack` builds `dist/`) into a temporary world.
 * 2. For each consumer (below): a fresh project folder that installs the tarball, `@pulumi/pulumi`, TypeScript and
 *    `@types/node` from the registry with that consumer's Node.js first on PATH (npm runs on it), and checks that npm
 *    says nothing about an install script of this package.
 * 3. `tsc` of a program using every public entry point, strict and without `skipLibCheck`, under Pulumi's current
 *    TypeScript template (`module: nodenext`) and its older one (`module: commonjs`, `moduleResolution: node`, no
 *    `esModuleInterop`), without `@pulumi/azure-native` installed.
 * 4. `pulumi up` of the compiled program (ArmResource, ScaleSetWithIdentity, VmssManagedIdentity) against the ARM
 *    emulator started here over https (its CA reaches every process through NODE_EXTRA_CA_CERTS), then the
 *    emulator's state is checked; `pulumi destroy`, and the state is checked again. The dynamic providers load the
 *    package by name from the consumer's own node_modules, as on a user's machine.
 * 5. On Node.js 20 only (it is large): `@pulumi/azure-native` installed, a program typed by the type-only entry point
 *    `pulumi-vmss-identity/azure-native` compiles under both templates.
 *
 * Consumers: Node.js 20 (the machine's) with the `@pulumi/pulumi` this repository develops against, and Node.js 22
 * (scripts/ensure-node.sh: the npm registry's Node.js binary package) with the newest `@pulumi/pulumi`
 * (NEWEST_PULUMI, pinned; `npm view @pulumi/pulumi version` tells the newest). Prints one line per check and
 * `N passed, N failed` last; exits 1 when a check failed. Needs the Pulumi CLI (scripts/ensure-pulumi.sh) and a
 * built emulator (`npm ci` builds it).
 *
 * The emulator keeps ARM's rules but finishes operations after OP_DURATION_MS instead of ARM's 5 s, to keep CI short.
 */
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "vmss-identity-emulator";

const root = path.resolve(__dirname, "..");
const own = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
  name: string;
  devDependencies: Record<string, string>;
};

/** The newest `@pulumi/pulumi` at the time of writing (its engines want Node.js >= 22). */
const NEWEST_PULUMI = "3.276.0";
/** How long the emulator's operations stay InProgress, in ms (ARM: about 5 s); shortened for CI. */
const OP_DURATION_MS = 200;

interface Consumer {
  /** Label in the report, e.g. `node20`. */
  label: string;
  /** Folder with the `node` this consumer runs on (npm and the Pulumi plugins run on it too). */
  nodeBin: string;
  pulumiVersion: string;
  typesNode: string;
  /** Also install `@pulumi/azure-native` afterwards and compile a program typed by `pulumi-vmss-identity/azure-native`. */
  azureNative?: boolean;
}

let passed = 0;
let failed = 0;

function check(label: string, ok: boolean, detail = ""): boolean {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${label}${ok || detail === "" ? "" : `\n${indent(detail)}`}`);
  return ok;
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split("\n")
    .slice(-40)
    .map((line) => `     ${line}`)
    .join("\n");
}

interface Run {
  code: number;
  output: string;
}

/** Runs a command without a shell; never throws for a non-zero exit. Asynchronous: the emulator serves meanwhile. */
function run(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { ...options, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, output: `${String(stdout)}${String(stderr)}` });
    });
  });
}

/** The program every consumer compiles and deploys: all public entry points, two resource kinds of the package. */
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { ArmResource, ScaleSetWithIdentity, VmssManagedIdentity, type ScaleSetWithIdentityArgs } from "pulumi-vmss-identity";
import * as providerRuntime from "pulumi-vmss-identity/provider/runtime";
import * as componentRuntime from "pulumi-vmss-identity/components/runtime";

const config = new pulumi.Config();
const subscriptionId = process.env.AZURE_SUBSCRIPTION_ID ?? "";
const groupId = \`/subscriptions/\${subscriptionId}/resourceGroups/consumer-rg\`;

const group = new ArmResource("group", { resourceId: groupId, apiVersion: "2021-04-01", body: { location: "eastus" } });
const identity = new ArmResource("app-identity", {
  resourceId: pulumi.interpolate\`\${group.resourceId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app-identity\`,
  apiVersion: "2023-01-31",
  body: { location: "eastus" },
});

const args: ScaleSetWithIdentityArgs = {
  subscriptionId,
  resourceGroupName: "consumer-rg",
  scaleSetName: "consumer-vmss",
  location: "eastus",
  sku: { name: "Standard_B1s", tier: "Standard", capacity: 1 },
  upgradePolicy: { mode: "Manual" },
  virtualMachineProfile: {
    storageProfile: {
      imageReference: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
      osDisk: { createOption: "FromImage", caching: "ReadWrite", managedDisk: { storageAccountType: "Standard_LRS" } },
    },
    osProfile: {
      computerNamePrefix: "consumer",
      adminUsername: "azureuser",
      adminPassword: config.requireSecret("adminPassword"),
      linuxConfiguration: { disablePasswordAuthentication: false },
    },
    networkProfile: {
      networkInterfaceConfigurations: [
        {
          name: "nic",
          properties: {
            primary: true,
            ipConfigurations: [{ name: "ip", properties: { subnet: { id: \`\${groupId}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default\` } } }],
          },
        },
      ],
    },
  },
  systemAssigned: true,
};
const scaleSet = new ScaleSetWithIdentity("vmss", args, { dependsOn: [group] });
const identities = new VmssManagedIdentity("identities", {
  scaleSetId: scaleSet.scaleSetId,
  userAssignedIdentities: [identity.id],
});

export const runtimes = [typeof providerRuntime, typeof componentRuntime];
export const nodeVersion = process.version;
export const principalId = scaleSet.principalId;
export const identityType = identities.identityType;
`;

/** A program typed with the azure-native entry point; an azure-native enum value and typed deeper objects. */
const AZURE_PROGRAM = `import * as compute from "@pulumi/azure-native/compute";
import { ScaleSetWithIdentity } from "pulumi-vmss-identity";
import type { ScaleSetWithIdentityArgs } from "pulumi-vmss-identity/azure-native";

const args: ScaleSetWithIdentityArgs = {
  resourceGroupName: "rg",
  location: "eastus",
  sku: { name: "Standard_B1s", capacity: 1 },
  upgradePolicy: { mode: compute.UpgradeMode.Manual },
  virtualMachineProfile: {
    storageProfile: { osDisk: { createOption: compute.DiskCreateOptionTypes.FromImage, caching: "ReadWrite" } },
    osProfile: { computerNamePrefix: "web", adminUsername: "azureuser", linuxConfiguration: { disablePasswordAuthentication: true } },
  },
  extraProperties: { orchestrationMode: compute.OrchestrationMode.Uniform },
};
export const make = (): ScaleSetWithIdentity => new ScaleSetWithIdentity("web", args);
`;

/** Pulumi's older TypeScript template (commonjs, node resolution, no esModuleInterop), emitting to bin/. */
const TSCONFIG_COMMONJS = {
  compilerOptions: {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "commonjs",
    moduleResolution: "node",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: false,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
    skipLibCheck: false,
  },
  files: ["index.ts"],
};

/** Pulumi's current TypeScript template (nodenext), type-checked only. */
const TSCONFIG_NODENEXT = {
  compilerOptions: {
    strict: true,
    target: "es2022",
    module: "nodenext",
    moduleResolution: "nodenext",
    noEmit: true,
    pretty: false,
    skipLibCheck: false,
  },
  files: ["index.ts"],
};

async function checkConsumer(
  consumer: Consumer,
  tarball: string,
  world: string,
  cliDir: string,
  emulator: RunningEmulator,
): Promise<void> {
  const dir = path.join(world, consumer.label);
  fs.mkdirSync(dir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: [consumer.nodeBin, cliDir, process.env.PATH ?? ""].join(path.delimiter),
    npm_config_update_notifier: "false",
  };
  const tag = (text: string): string => `${consumer.label}: ${text}`;
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: `consumer-${consumer.label}`, version: "1.0.0", private: true, main: "bin/index.js" }),
  );
  fs.writeFileSync(path.join(dir, "index.ts"), PROGRAM);
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(TSCONFIG_COMMONJS, null, 2));
  fs.writeFileSync(path.join(dir, "tsconfig.nodenext.json"), JSON.stringify(TSCONFIG_NODENEXT, null, 2));

  const nodeVersion = (await run("node", ["--version"], { cwd: dir, env })).output.trim();
  console.log(`--- ${consumer.label}: node ${nodeVersion}, @pulumi/pulumi ${consumer.pulumiVersion}`);
  const install = await run(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      tarball,
      `@pulumi/pulumi@${consumer.pulumiVersion}`,
      `typescript@${own.devDependencies.typescript}`,
      `@types/node@${consumer.typesNode}`,
    ],
    { cwd: dir, env },
  );
  if (!check(tag("npm install of the tarball"), install.code === 0, install.output)) return;
  const about = install.output.split("\n").filter((line) => line.includes(own.name));
  check(tag(`npm says nothing about ${own.name}'s scripts`), about.length === 0, about.join("\n"));
  const others = install.output.split("\n").filter((line) => /install-scripts\s+\S+@/.test(line));
  if (others.length > 0) console.log(`     (npm lists dependencies' install scripts:\n${indent(others.join("\n"))})`);
  check(
    tag("no @pulumi/azure-native installed"),
    !fs.existsSync(path.join(dir, "node_modules", "@pulumi", "azure-native")),
  );

  const tsc = path.join(dir, "node_modules", "typescript", "bin", "tsc");
  const nodenext = await run("node", [tsc, "-p", "tsconfig.nodenext.json"], { cwd: dir, env });
  check(tag("tsc, module nodenext, strict, no skipLibCheck"), nodenext.code === 0, nodenext.output);
  const commonjs = await run("node", [tsc, "-p", "tsconfig.json"], { cwd: dir, env });
  if (
    !check(tag("tsc, module commonjs (older template), strict, no skipLibCheck"), commonjs.code === 0, commonjs.output)
  )
    return;

  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: consumer\nruntime: nodejs\nmain: bin/index.js\n");
  const stateDir = path.join(world, `${consumer.label}-state`);
  fs.mkdirSync(stateDir);
  const pulumiEnv: NodeJS.ProcessEnv = {
    ...env,
    PULUMI_HOME: path.join(world, `${consumer.label}-pulumi-home`),
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: randomBytes(16).toString("hex"),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    ...emulator.clientEnv(),
  };
  const pulumi = (args: string[]): Promise<Run> =>
    run(path.join(cliDir, "pulumi"), [...args, "--non-interactive"], { cwd: dir, env: pulumiEnv });
  const setup = [
    await pulumi(["stack", "init", "dev"]),
    await pulumi(["config", "set", "--secret", "adminPassword", `Consumer-${randomBytes(9).toString("base64url")}1!`]),
  ].find((r) => r.code !== 0);
  if (!check(tag("pulumi stack init, config set --secret"), setup === undefined, setup?.output)) return;

  emulator.admin.reset();
  const up = await pulumi(["up", "--yes", "--skip-preview"]);
  if (check(tag("pulumi up"), up.code === 0, up.output)) {
    const outputs = await pulumi(["stack", "output", "nodeVersion"]);
    check(tag("the program ran on this consumer's Node.js"), outputs.output.trim() === nodeVersion, outputs.output);
    const state = emulator.admin.state();
    const vmss = state.scaleSets.find((s) => s.name === "consumer-vmss");
    const users = (vmss?.identity?.users ?? []).map((u) => JSON.stringify(u));
    check(
      tag("after up: the emulator holds the group, the identity and the scale set"),
      state.resourceGroups.length === 1 && state.identities.length === 1 && vmss !== undefined,
      JSON.stringify({ groups: state.resourceGroups.length, identities: state.identities.length, vmss: !!vmss }),
    );
    check(
      tag("after up: the scale set has its system identity and the user identity"),
      !!vmss?.identity?.system && users.length === 1 && /app-identity/i.test(users[0]),
      JSON.stringify(vmss?.identity ?? null),
    );
  }
  const destroy = await pulumi(["destroy", "--yes", "--skip-preview"]);
  if (check(tag("pulumi destroy"), destroy.code === 0, destroy.output)) {
    const state = emulator.admin.state();
    check(
      tag("after destroy: the emulator holds no scale set, identity or group"),
      state.scaleSets.length === 0 && state.identities.length === 0 && state.resourceGroups.length === 0,
      JSON.stringify({
        groups: state.resourceGroups.length,
        identities: state.identities.length,
        scaleSets: state.scaleSets.length,
      }),
    );
  }
  if (consumer.azureNative) await checkAzureNativeEntry(dir, env, tag);
}

/** With azure-native installed: the azure-native entry point compiles in both module modes. */
async function checkAzureNativeEntry(
  dir: string,
  env: NodeJS.ProcessEnv,
  tag: (text: string) => string,
): Promise<void> {
  const pin = own.devDependencies["@pulumi/azure-native"];
  const install = await run("npm", ["install", "--no-audit", "--no-fund", `@pulumi/azure-native@${pin}`], {
    cwd: dir,
    env,
  });
  if (!check(tag(`npm install @pulumi/azure-native@${pin}`), install.code === 0, install.output)) return;
  fs.writeFileSync(path.join(dir, "azure.ts"), AZURE_PROGRAM);
  const tsc = path.join(dir, "node_modules", "typescript", "bin", "tsc");
  for (const [mode, config] of [
    ["nodenext", TSCONFIG_NODENEXT],
    ["commonjs", { ...TSCONFIG_COMMONJS, compilerOptions: { ...TSCONFIG_COMMONJS.compilerOptions, noEmit: true } }],
  ] as const) {
    const file = `tsconfig.azure-${mode}.json`;
    fs.writeFileSync(path.join(dir, file), JSON.stringify({ ...config, files: ["azure.ts"] }, null, 2));
    const result = await run("node", [tsc, "-p", file], { cwd: dir, env });
    check(tag(`tsc of pulumi-vmss-identity/azure-native, module ${mode}`), result.code === 0, result.output);
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const world = fs.mkdtempSync(path.join(os.tmpdir(), "vmss-identity-consumer-"));
  const emulator = await startEmulator({ tls: { caDir: path.join(world, "tls") }, opDurationMs: OP_DURATION_MS });
  try {
    const lastLine = (text: string): string => text.trim().split("\n").pop() as string;
    const cliDir = lastLine(
      execFileSync("bash", [path.join(root, "scripts/ensure-pulumi.sh")], {
        stdio: ["ignore", "pipe", "inherit"],
      }).toString(),
    );
    const node22 = lastLine(
      execFileSync("bash", [path.join(root, "scripts/ensure-node.sh"), "22"], {
        stdio: ["ignore", "pipe", "inherit"],
      }).toString(),
    );
    const packed = await run("npm", ["pack", "--silent", "--pack-destination", world], { cwd: root, env: process.env });
    if (!check("npm pack", packed.code === 0, packed.output)) return;
    const tarball = path.join(world, lastLine(packed.output));
    const consumers: Consumer[] = [
      {
        label: "node20",
        nodeBin: path.dirname(process.execPath),
        pulumiVersion: own.devDependencies["@pulumi/pulumi"],
        typesNode: own.devDependencies["@types/node"],
        azureNative: true,
      },
      { label: "node22", nodeBin: node22, pulumiVersion: NEWEST_PULUMI, typesNode: "22.20.7" },
    ];
    for (const consumer of consumers) {
      const t0 = Date.now();
      await checkConsumer(consumer, tarball, world, cliDir, emulator);
      console.log(`--- ${consumer.label}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  } finally {
    await emulator.close();
    fs.rmSync(world, { recursive: true, force: true });
    console.log(`consumer-check: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    console.log(`${passed} passed, ${failed} failed`);
  }
}

main().then(
  () => process.exit(failed === 0 ? 0 : 1),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    console.log(`${passed} passed, ${failed + 1} failed`);
    process.exit(1);
  },
);
