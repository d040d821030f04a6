/**
 * A test world: an https ARM emulator that trusts the test CA, a test-side ARM client that sets up and inspects the
 * "Azure" around a stack (resource groups, identities, scale sets made outside Pulumi), and the environment that
 * the Pulumi CLI, the language host and the dynamic-provider processes need to reach the emulator.
 */
import { ClientSecretCredential } from "@azure/identity";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Agent } from "undici";
import { ArmClient, renewableCredential, resolveCloud } from "../../provider/arm";
import { readIdentityState, type IdentityState } from "../../provider/identity";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "vmss-identity-emulator";

const COMPILE_CACHE_PRELOAD = path.join(__dirname, "compile-cache.js");
const COMPILE_CACHE_DIR = path.resolve(__dirname, "../../.test-cache/v8");

/** The api-version the test side uses for scale sets. */
export const COMPUTE_API = "2024-11-01";

/** A running emulator plus what a test needs around it. */
export interface World {
  emulator: RunningEmulator;
  arm: ArmClient;
  dir: string;
  subscriptionId: string;
  /** Environment for CLI processes: file backend, Azure credentials for the emulator, its CA. */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** Starts an emulator on the test CA (scripts/run-tests.js made it and set NODE_EXTRA_CA_CERTS). */
export async function startWorld(options: EmulatorOptions = {}): Promise<World> {
  const caDir = process.env.VMSS_TEST_CA_DIR;
  if (!caDir || !process.env.NODE_EXTRA_CA_CERTS) {
    throw new Error("run the tests through scripts/run-tests.js (npm test): it creates the test CA and trusts it");
  }
  const emulator = await startEmulator({ opDurationMs: 20, ...options, tls: { caDir } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmss-identity-test-"));
  // Renewable: after a 401 the client builds a fresh credential, past @azure/identity's per-instance token cache.
  const credential = renewableCredential(
    () =>
      new ClientSecretCredential(emulator.tenantId, emulator.clientId, emulator.clientSecret, {
        authorityHost: emulator.url,
        disableInstanceDiscovery: true,
      }),
  );
  const arm = new ArmClient({
    cloud: resolveCloud({ endpoint: emulator.url }),
    credential,
    dispatcher: new Agent({ connect: { ca: emulator.caPem } }),
    pollIntervalMs: 0,
    // Short but real backoff: a 409 Conflict must outlast a running operation (tests keep those under a second).
    retry: { retryAfterScale: 0, baseDelayMs: 50 },
  });
  const stateDir = path.join(dir, "state");
  fs.mkdirSync(stateDir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_HOME: path.join(dir, "pulumi-home"),
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    // Pulumi's own Node.js language host type-checks a TypeScript program on every run (ts-node) unless told not to;
    // `npm run typecheck` checks the examples the tests run once (tsconfig.json includes examples/quickstart and
    // examples/recipes). scripts/pulumi-language-nodejs, the host this repository builds, always transpiles only.
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    ...emulator.clientEnv(),
    // The emulator's operations end in milliseconds: poll them without the 1 s floor meant for real ARM.
    VMSS_IDENTITY_ARM_POLL_INTERVAL_MS: "50",
    // The Node.js processes the CLI starts reuse V8's compiled code of their dependencies (compile-cache.js).
    NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require "${COMPILE_CACHE_PRELOAD}"`].filter(Boolean).join(" "),
    VMSS_TEST_COMPILE_CACHE: COMPILE_CACHE_DIR,
  };
  return {
    emulator,
    arm,
    dir,
    subscriptionId: emulator.subscriptionId,
    env,
    async close() {
      await arm.close();
      await emulator.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** PUT a resource group. */
export async function createResourceGroup(world: World, name: string): Promise<string> {
  const id = `/subscriptions/${world.subscriptionId}/resourceGroups/${name}`;
  await world.arm.execute({ method: "PUT", path: id, apiVersion: "2021-04-01", body: { location: "eastus" } });
  return id;
}

/** PUT a user-assigned identity; returns the ID as the Managed Identity service spells it (`resourcegroups`). */
export async function createIdentity(world: World, resourceGroup: string, name: string): Promise<string> {
  const path = `/subscriptions/${world.subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
  const res = await world.arm.execute<{ id: string }>({
    method: "PUT",
    path,
    apiVersion: "2023-01-31",
    body: { location: "eastus" },
  });
  return res.body.id;
}

/** PUT a minimal scale set outside Pulumi ("an existing scale set"), with an optional identity block. */
export async function createScaleSet(
  world: World,
  resourceGroup: string,
  name: string,
  identity?: Record<string, unknown>,
): Promise<string> {
  const id = `/subscriptions/${world.subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;
  await world.arm.execute({
    method: "PUT",
    path: id,
    apiVersion: COMPUTE_API,
    body: {
      location: "eastus",
      sku: { name: "Standard_D1_v2", tier: "Standard", capacity: 1 },
      ...(identity ? { identity } : {}),
      properties: { upgradePolicy: { mode: "Manual" } },
    },
  });
  return id;
}

/** The scale set's identity as the emulator holds it now. */
export async function identityOf(world: World, scaleSetId: string): Promise<IdentityState> {
  const res = await world.arm.request<{ identity?: unknown }>({
    method: "GET",
    path: scaleSetId,
    apiVersion: COMPUTE_API,
  });
  return readIdentityState(res.body.identity);
}

/** Lower-cased user identity IDs of a state, sorted: what tests compare. */
export function userIds(state: IdentityState): string[] {
  return [...state.user.keys()].sort();
}

/** PATCH an identity change directly on the emulator, as another tool or a person in the portal would. */
export async function patchIdentity(
  world: World,
  scaleSetId: string,
  identity: Record<string, unknown>,
): Promise<void> {
  await world.arm.execute({ method: "PATCH", path: scaleSetId, apiVersion: COMPUTE_API, body: { identity } });
}

/** A folder holding the plugin as `npm install -g` links it: `pulumi-resource-vmss-identity` → the package's bin. */
export function pluginOnPath(world: World): string {
  const plugin = path.resolve(__dirname, "../../dist/plugin/cli.js");
  if (!fs.existsSync(plugin)) throw new Error(`${plugin} is missing: run npm run build first`);
  const binDir = path.join(world.dir, "npm-global-bin");
  fs.mkdirSync(binDir, { recursive: true });
  if (!fs.existsSync(path.join(binDir, "pulumi-resource-vmss-identity"))) {
    fs.symlinkSync(plugin, path.join(binDir, "pulumi-resource-vmss-identity"));
  }
  return binDir;
}
