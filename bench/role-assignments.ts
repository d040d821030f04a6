/**
 * `npm run bench:role-assignments [-- --runs N]`: the issue's "first up" figure for role assignments, on the emulator
 * at ARM's replication delay (30 s: docs/arm-behavior.md, "Role assignments").
 *
 * Each run is what the first `up` of a stack does for a new scale set with its system-assigned identity, a new
 * user-assigned identity and two role assignments, through the runtime functions the provider process runs:
 * 1. PUT a new user-assigned identity and a new scale set (the component's PUT), principals seconds old;
 * 2. `check` + `create` of the VmssManagedIdentity with the two assignments (the system identity: Reader on the
 *    resource group; the user identity: Storage Blob Data Reader on a storage account);
 * 3. the control: the same two assignments as a client without principalType sends them (one PUT each, no retry).
 * Prints how many runs succeeded at once, how many PrincipalNotFound answers the product met, and how many control
 * PUTs ARM refused as it does on Azure; then `remove` of each run, and the assignments left (expected 0).
 *
 * `npm run bench:role-assignments -- --engine [--runs N] [--parallel P]`: the same figure under the real Pulumi engine
 * (the CLI of scripts/ensure-pulumi.sh, or PULUMI_CLI; a local file backend in a temporary folder). Each run is the
 * first `pulumi up` of a new stack of bench/role-assignments-stack (a resource group, a user-assigned identity, a
 * ScaleSetWithIdentity with its system identity and the user identity, two role assignments: one per identity), its
 * program run in this process behind the CLI's `--client` (test/support/inProcessHost.ts), the engine, the dynamic
 * provider processes and the state real; P stacks at a time (default 2: independent stacks of one subscription, as
 * two users' `up`s; a principal's replication clock is its own). One emulator at its defaults: replication delay
 * 30 s, operations 5 s, ARM's and Compute's request budgets; the provider at its shipped defaults (the tests' fast
 * poll interval, VMSS_IDENTITY_ARM_POLL_INTERVAL_MS, is not set). Per run: success (exit 0 and both assignments in
 * the emulator), the `up`'s wall time, the PrincipalNotFound answers the product met (the emulator's request log).
 * The control, per run: as soon as both principals exist (watched in the emulator's state, no ARM request), the same
 * two assignment PUTs without principalType, sent as the Azure CLI would (a plain HTTPS client with a client-credentials
 * token, no retry), counted when refused with PrincipalNotFound (expected 2N of 2N). Then `pulumi destroy` of every
 * stack, and the assignments left in the emulator (expected 0). 20 runs take about 4.5 minutes on 2 cores, two
 * thirds of it the destroys (each waits out the scale set's PATCH and DELETE operations).
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { EMULATOR_DEFAULTS } from "vmss-identity-emulator";
import * as runtime from "../provider/runtime";
import { PulumiProject } from "../test/support/pulumiProject";
import { createIdentity, createResourceGroup, createScaleSet, startWorld, type World } from "../test/support/world";

/** An integer option `--name N` within [min, max], else `fallback`. */
function intOption(name: string, fallback: number, min: number, max: number): number {
  const i = process.argv.indexOf(name);
  const n = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${name} expects an integer from ${min} to ${max}, got ${process.argv[i + 1]}`);
  }
  return n;
}

const RUNS = intOption("--runs", 20, 1, 200);
const ENGINE = process.argv.includes("--engine");
const PARALLEL = intOption("--parallel", 2, 1, 4);

/** The built-in roles of the two assignments (GUIDs as Azure publishes them). */
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
/** The api-version the Azure CLI sends role assignments with. */
const AUTHORIZATION_API = "2022-04-01";

async function runtimeBench(): Promise<void> {
  const world = await startWorld(); // the emulator's default: principals replicate after 30 s
  try {
    const rg = await createResourceGroup(world, "bench");
    const storage = `${rg}/providers/Microsoft.Storage/storageAccounts/benchdata`;
    let succeeded = 0;
    let controlRefused = 0;
    const outputs: runtime.VmssIdentityOutputs[] = [];
    const started = performance.now();
    for (let run = 1; run <= RUNS; run++) {
      const userId = await createIdentity(world, "bench", `reader${run}`);
      const scaleSetId = await createScaleSet(world, "bench", `vmss${run}`, { type: "SystemAssigned" });
      const checked = runtime.check(
        {},
        {
          scaleSetId,
          systemAssigned: true,
          userAssignedIdentities: [userId],
          roleAssignments: [
            { identity: "system", role: "Reader", scope: rg },
            { identity: userId, role: "Storage Blob Data Reader", scope: storage },
          ],
        },
      );
      if (checked.failures.length > 0) throw new Error(JSON.stringify(checked.failures));
      try {
        const { outs } = await runtime.create(checked.inputs, { client: world.arm, warn: () => undefined });
        if (outs.roleAssignmentsInPlace.length === 2) succeeded += 1;
        outputs.push(outs);
        // The control: what a client that sends no principalType gets for the same principals, seconds old.
        for (const [principalId, scope] of [
          [outs.principalId, rg],
          [outs.userIdentities[0].principalId, storage],
        ]) {
          const refused = await world.arm
            .request({
              method: "PUT",
              path: `${scope}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`,
              apiVersion: "2022-04-01",
              body: {
                properties: {
                  roleDefinitionId: `/subscriptions/${world.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe`,
                  principalId,
                },
              },
            })
            .then(
              () => false,
              (e: { code?: string }) => e.code === "PrincipalNotFound",
            );
          if (refused) controlRefused += 1;
        }
      } catch (e) {
        console.log(`run ${run} failed: ${(e as Error).message}`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const notFound = world.emulator.admin
      .requests()
      .filter((r) => r.errorCode === "PrincipalNotFound" && r.method === "PUT").length;
    console.log(`replication delay: 30 s (the emulator's default)`);
    console.log(
      `first up with principalType: ${succeeded} of ${RUNS} runs made both assignments (${seconds.toFixed(1)} s)`,
    );
    console.log(`PrincipalNotFound answers: ${notFound} (all from the control)`);
    console.log(`control without principalType: ${controlRefused} of ${RUNS * 2} PUTs refused with PrincipalNotFound`);
    for (const outs of outputs) await runtime.remove(outs as unknown as Record<string, unknown>, { client: world.arm });
    console.log(`assignments left after removing every run: ${world.emulator.admin.state().roleAssignments?.length}`);
  } finally {
    await world.close();
  }
}

/** What one engine run gave. */
interface EngineRun {
  run: number;
  stack: PulumiProject;
  ok: boolean;
  seconds: number;
  /** PrincipalNotFound answers to the product's own requests (the control's excluded). */
  notFound: number;
  /** Seconds from the older principal's appearance to the product's last assignment PUT. */
  ageSeconds: number;
  control: ControlResult;
  failure?: string;
}

/** The control of one run: the two PUTs a client without principalType sends. */
interface ControlResult {
  refused: number;
  sent: number;
  /** How long after both principals were seen the PUTs were answered, ms. */
  afterMs?: number;
  /** When the older principal (the user identity's) was first seen, ms since the epoch. */
  firstSeenAt?: number;
  /** Assignment names the control used (to tell its requests from the product's in the request log). */
  names: string[];
}

/** A client-credentials token for ARM from the emulator's token endpoint, as `az login --service-principal` gets one. */
async function controlToken(world: World): Promise<string> {
  const res = await fetch(world.emulator.tokenEndpoint, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: world.emulator.clientId,
      client_secret: world.emulator.clientSecret,
      scope: "https://management.azure.com/.default",
    }),
  });
  if (!res.ok) throw new Error(`token endpoint answered ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/**
 * Waits (watching the emulator's state, no ARM request) until the run's user identity and the scale set's system
 * identity exist, then sends the run's two assignments without principalType, one PUT each with no retry, as
 * `az role assignment create --assignee-object-id … --role … --scope …` does. Gives up when `done()` holds first.
 */
async function control(
  world: World,
  token: string,
  resourceGroup: string,
  done: () => boolean,
): Promise<ControlResult> {
  const result: ControlResult = { refused: 0, sent: 0, names: [] };
  const inGroup = (r: { resourceGroup: string }) => r.resourceGroup.toLowerCase() === resourceGroup.toLowerCase();
  for (;;) {
    const state = world.emulator.admin.state();
    const user = state.identities.find(inGroup)?.principalId;
    if (user && result.firstSeenAt === undefined) result.firstSeenAt = Date.now();
    const system = state.scaleSets.find(inGroup)?.identity?.system?.principalId;
    if (user && system) {
      const seen = performance.now();
      const group = `/subscriptions/${world.subscriptionId}/resourceGroups/${resourceGroup}`;
      const puts: [string, string, string][] = [
        [system, READER, group],
        [user, STORAGE_BLOB_DATA_READER, `${group}/providers/Microsoft.Storage/storageAccounts/benchdata`],
      ];
      await Promise.all(
        puts.map(async ([principalId, role, scope]) => {
          const name = randomUUID();
          result.names.push(name);
          const res = await fetch(
            `${world.emulator.url}${scope}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=${AUTHORIZATION_API}`,
            {
              method: "PUT",
              headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
              body: JSON.stringify({
                properties: {
                  roleDefinitionId: `/subscriptions/${world.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
                  principalId,
                },
              }),
            },
          );
          const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
          result.sent += 1;
          if (res.status === 400 && body.error?.code === "PrincipalNotFound") result.refused += 1;
        }),
      );
      result.afterMs = performance.now() - seen;
      return result;
    }
    if (done()) return result;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs `work` over `items`, `parallel` at a time, in order of start. */
async function pool<T, R>(items: T[], parallel: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]);
      }
    }),
  );
  return results;
}

/** The Pulumi CLI the tests use: PULUMI_CLI, else the one scripts/ensure-pulumi.sh yields. */
function pulumiCli(): string {
  if (process.env.PULUMI_CLI) return process.env.PULUMI_CLI;
  const bin = execFileSync("bash", [path.resolve(__dirname, "../scripts/ensure-pulumi.sh")], {
    stdio: ["ignore", "pipe", "inherit"],
  })
    .toString()
    .trim()
    .split("\n")
    .pop();
  return path.join(bin ?? "", "pulumi");
}

/** The last lines of a failed command's output: what a user would read first. */
function tail(text: string, lines = 12): string {
  return text.trim().split("\n").slice(-lines).join("\n");
}

async function engineBench(): Promise<void> {
  const cli = pulumiCli();
  // Every emulator setting at its default: ARM's operation timing (5 s), replication delay (30 s) and budgets.
  const world = await startWorld({ opDurationMs: EMULATOR_DEFAULTS.opDurationMs });
  const env = { ...world.env };
  // The provider polls ARM at its shipped pace, not at the tests' 50 ms.
  delete env.VMSS_IDENTITY_ARM_POLL_INTERVAL_MS;
  // Programs run in this process see `env` (inProcessHost.ts sets it for each command and puts back what it found):
  // set it once, so that two commands at a time find it already set and leave it be.
  Object.assign(process.env, env);
  const program = path.resolve(__dirname, "role-assignments-stack");
  // The assignments at the scope of a run's resource group or under it (bench1 is not bench10).
  const assignmentsIn = (group: string) => {
    const scope = `/subscriptions/${world.subscriptionId}/resourcegroups/${group}`.toLowerCase();
    return (world.emulator.admin.state().roleAssignments ?? []).filter((a) =>
      `${a.scope.toLowerCase()}/`.startsWith(`${scope}/`),
    );
  };
  try {
    const token = await controlToken(world);
    console.log(
      `emulator at its defaults: replication delay 30 s, operations ${EMULATOR_DEFAULTS.opDurationMs / 1000} s, ` +
        `ARM's and Compute's budgets; provider at its defaults; ${RUNS} runs, ${PARALLEL} stacks at a time`,
    );
    const started = performance.now();
    const runs = await pool(
      Array.from({ length: RUNS }, (_, i) => i + 1),
      PARALLEL,
      async (run): Promise<EngineRun> => {
        const group = `bench${run}`;
        const stack = await PulumiProject.create({
          cli,
          env,
          worldDir: world.dir,
          stateDir: path.join(world.dir, "state"),
          programDir: program,
          projectName: "role-assignments-bench",
          stack: `run${run}`,
          inProcess: true,
        });
        await stack.configure(
          { subscriptionId: world.subscriptionId, resourceGroupName: group },
          { adminPassword: "Bench-Passw0rd!x" },
        );
        let finished = false;
        const controlled = control(world, token, group, () => finished);
        const t0 = performance.now();
        const up = await stack.run(["up", "--yes", "--skip-preview"]);
        const seconds = (performance.now() - t0) / 1000;
        finished = true;
        const controlResult = await controlled;
        const made = assignmentsIn(group);
        const ok = up.code === 0 && made.length === 2 && made.every((a) => a.principalType === "ServicePrincipal");
        const product = world.emulator.admin
          .requests()
          .filter(
            (r) =>
              r.path.toLowerCase().includes(`/resourcegroups/${group}/`) &&
              r.path.toLowerCase().includes("/roleassignments/") &&
              !controlResult.names.some((name) => r.path.endsWith(name)),
          );
        const notFound = product.filter((r) => r.errorCode === "PrincipalNotFound").length;
        // How old the older principal was when the product's last assignment PUT arrived: under 30 s, ARM's
        // replica has not seen it yet, and only principalType lets the PUT through.
        const lastPut = Math.max(...product.filter((r) => r.method === "PUT" && r.status < 300).map((r) => r.time));
        const ageSeconds = controlResult.firstSeenAt === undefined ? NaN : (lastPut - controlResult.firstSeenAt) / 1000;
        const result: EngineRun = { run, stack, ok, seconds, notFound, ageSeconds, control: controlResult };
        if (!ok) result.failure = `exit ${up.code}, ${made.length} assignments\n${tail(up.stdout)}\n${tail(up.stderr)}`;
        console.log(
          `run ${String(run).padStart(2)}: ${ok ? "succeeded" : "FAILED"} in ${seconds.toFixed(1)} s, ` +
            `assignments made ${ageSeconds.toFixed(1)} s after the older principal appeared, ` +
            `PrincipalNotFound met: ${notFound}; control: ${controlResult.refused} of ${controlResult.sent} refused ` +
            `with PrincipalNotFound` +
            (controlResult.afterMs === undefined
              ? " (the principals never appeared)"
              : ` (answered ${(controlResult.afterMs / 1000).toFixed(2)} s after both existed)`),
        );
        if (result.failure) console.log(result.failure);
        return result;
      },
    );
    const upSeconds = (performance.now() - started) / 1000;
    const succeeded = runs.filter((r) => r.ok).length;
    const notFound = runs.reduce((sum, r) => sum + r.notFound, 0);
    const refused = runs.reduce((sum, r) => sum + r.control.refused, 0);
    const seconds = runs.map((r) => r.seconds).sort((a, b) => a - b);
    console.log(
      `first up with principalType: ${succeeded} of ${RUNS} succeeded ` +
        `(up ${seconds[0].toFixed(1)}–${seconds[seconds.length - 1].toFixed(1)} s, ` +
        `median ${seconds[Math.floor(seconds.length / 2)].toFixed(1)} s; all runs ${upSeconds.toFixed(1)} s)`,
    );
    console.log(
      `assignments made at most ${Math.max(...runs.map((r) => r.ageSeconds)).toFixed(1)} s after the older ` +
        `principal appeared (replication delay 30 s); PrincipalNotFound met by the product (and retried): ${notFound}`,
    );
    console.log(`control without principalType: ${refused} of ${RUNS * 2} PUTs refused with PrincipalNotFound`);
    const destroyStarted = performance.now();
    const destroyed = await pool(runs, PARALLEL, async (r) => {
      const result = await r.stack.run(["destroy", "--yes", "--skip-preview"]);
      if (result.code !== 0) console.log(`run ${r.run}: destroy exited ${result.code}\n${tail(result.stderr)}`);
      return result.code === 0;
    });
    console.log(
      `destroy: ${destroyed.filter(Boolean).length} of ${RUNS} stacks in ` +
        `${((performance.now() - destroyStarted) / 1000).toFixed(1)} s; assignments left in the emulator: ` +
        `${world.emulator.admin.state().roleAssignments?.length ?? 0}`,
    );
    console.log(`wall time: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await world.close();
  }
}

(ENGINE ? engineBench() : runtimeBench()).catch((e) => {
  console.error(e);
  process.exit(1);
});
