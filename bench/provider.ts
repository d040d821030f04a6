/**
 * `npm run bench:provider [-- --scenario NAME …]`: the provider on its shipped defaults (no poll override, default
 * pacing and retries) against the emulator on ARM's timing and budgets (no Retry-After on Compute writes and polls;
 * subscription buckets per principal; Compute's GetVMScaleSet and GetOperation policies: docs/arm-behavior.md).
 *
 * Each scenario starts a fresh emulator in its own process (as ARM is remote: the emulator does not share this
 * process's event loop, so a burst of answers does not delay the client's timers), and a fresh scheduler, as a new
 * `pulumi up` would:
 * 1. the world is set up with the budgets off and instant operations (scale sets holding ID1, the identities);
 * 2. the budgets are put back to ARM's sizes, full, and operations take their scenario's time;
 * 3. the changes run through the same runtime functions the provider process runs (`update`: add ID2; `read`).
 *
 * Scenarios (default: all, in this order):
 * - seen-done:   20 concurrent changes with 5.7 s operations: delay from each operation's end to the poll that sees it;
 * - changes-200, changes-1000: 200 and 1000 changes, 50 at a time, 2 s operations;
 * - refresh-1000: `read` of 1000 resources, 50 at a time;
 * - two-processes: two provider processes, 100 changes each, sharing one subscription's budget;
 * - spent-budget: changes-200 after another client spent 180 of the 200 scale set GETs of the 3-minute window.
 * Each prints wall time beside the limit the operation time and the budgets set (and how it is computed), scale set
 * GETs/PATCHes/polls per change, peak reads per second, the lowest remaining counts the provider saw, and 429s.
 */
import { fork, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ClientSecretCredential } from "@azure/identity";
import { Agent } from "undici";
import { ARM_RATE_LIMITS, type RateLimitSpec, type RequestLogEntry, type StoreSnapshot } from "vmss-identity-emulator";
import { ArmClient, resetPacers, resolveCloud } from "../provider/arm";
import { validateDeclarationInputs } from "../provider/identity";
import * as runtime from "../provider/runtime";

const SUB_PATH = (sub: string) => `/subscriptions/${sub}/resourceGroups/bench`;
const GET_VMSS_3MIN = ARM_RATE_LIMITS.computePolicies.find((p) => p.name === "GetVMScaleSet3Min")!;
const GET_VMSS_30MIN = ARM_RATE_LIMITS.computePolicies.find((p) => p.name === "GetVMScaleSet30Min")!;
const { subscriptionReads: READS, subscriptionWrites: WRITES } = ARM_RATE_LIMITS;

/** The emulator process, driven through its admin HTTP API (docs/emulator.md). */
interface BenchEmulator {
  url: string;
  caPem: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  subscriptionId: string;
  admin: {
    setRateLimits(spec: RateLimitSpec): Promise<void>;
    setOperationDuration(ms: number): Promise<void>;
    clearRequests(): Promise<void>;
    requests(): Promise<RequestLogEntry[]>;
    state(): Promise<StoreSnapshot>;
  };
  close(): Promise<void>;
}

/** Starts `vmss-identity-emulator` (emulator/dist/cli.js) on https with the test CA, budgets off, instant operations. */
async function spawnEmulator(caDir: string): Promise<BenchEmulator> {
  const clientSecret = "bench-client-secret";
  const cli = path.resolve(__dirname, "../emulator/dist/cli.js");
  const child = spawn(process.execPath, [cli, "--tls-dir", caDir, "--op-duration-ms", "0", "--no-rate-limits"], {
    env: { ...process.env, VMSS_IDENTITY_EMULATOR_CLIENT_SECRET: clientSecret },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (https:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`the emulator exited (${code}) before listening: ${out}`)));
  });
  const admin = async (method: string, route: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${url}/_emulator${route}`, {
      method,
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} /_emulator${route}: HTTP ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : res.json();
  };
  const info = (await admin("GET", "/info")) as { tenantId?: string; clientId?: string; subscriptionId?: string };
  return {
    url,
    caPem: fs.readFileSync(path.join(caDir, "ca.pem"), "utf8"),
    tenantId: info.tenantId ?? "11111111-1111-4111-8111-111111111111",
    clientId: info.clientId ?? "22222222-2222-4222-8222-222222222222",
    clientSecret,
    subscriptionId: info.subscriptionId ?? "33333333-3333-4333-8333-333333333333",
    admin: {
      setRateLimits: async (spec) => void (await admin("PUT", "/rate-limits", spec)),
      setOperationDuration: async (ms) => void (await admin("PUT", "/operation-duration", { ms })),
      clearRequests: async () => void (await admin("DELETE", "/requests")),
      requests: async () => ((await admin("GET", "/requests")) as { value: RequestLogEntry[] }).value,
      state: async () => (await admin("GET", "/state")) as StoreSnapshot,
    },
    close: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

interface World {
  emulator: BenchEmulator;
  scaleSets: string[];
  identityIds: string[];
}

function clientFor(url: string, tenantId: string, clientId: string, secret: string, caPem?: string): ArmClient {
  // Shipped defaults: no pollIntervalMs, default retry and pacing; only the CA and a wide pool are the bench's.
  return new ArmClient({
    cloud: resolveCloud({ endpoint: url }),
    credential: new ClientSecretCredential(tenantId, clientId, secret, {
      authorityHost: url,
      disableInstanceDiscovery: true,
      additionallyAllowedTenants: ["*"],
    }),
    dispatcher: new Agent({ connect: { ca: caPem }, connections: 64 }),
  });
}

/** A client of the emulator's own service principal, on the shipped defaults. */
function clientOf(emulator: BenchEmulator): ArmClient {
  return clientFor(emulator.url, emulator.tenantId, emulator.clientId, emulator.clientSecret, emulator.caPem);
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/** A fresh emulator with `count` scale sets holding ID1, ID1 and ID2; then ARM's budgets, full, and `opMs` operations. */
async function world(count: number, opMs: number): Promise<World> {
  const caDir = process.env.VMSS_TEST_CA_DIR;
  if (!caDir) throw new Error("run through `npm run bench:provider` (scripts/with-test-ca.js trusts the test CA)");
  const emulator = await spawnEmulator(caDir);
  const setup = clientOf(emulator);
  const rg = SUB_PATH(emulator.subscriptionId);
  await setup.execute({ method: "PUT", path: rg, apiVersion: "2021-04-01", body: { location: "eastus" } });
  const identityIds: string[] = [];
  for (const name of ["bench-id1", "bench-id2"]) {
    const res = await setup.execute<{ id: string }>({
      method: "PUT",
      path: `${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`,
      apiVersion: "2023-01-31",
      body: { location: "eastus" },
    });
    identityIds.push(res.body.id);
  }
  const scaleSets = Array.from(
    { length: count },
    (_, i) => `${rg}/providers/Microsoft.Compute/virtualMachineScaleSets/vmss${i}`,
  );
  await inBatches(scaleSets, 50, (id) =>
    setup.execute({
      method: "PUT",
      path: id,
      apiVersion: "2024-11-01",
      body: {
        location: "eastus",
        sku: { name: "Standard_D1_v2", capacity: 1 },
        identity: { type: "UserAssigned", userAssignedIdentities: { [identityIds[0]]: {} } },
        properties: {},
      },
    }),
  );
  await setup.close();
  await emulator.admin.setRateLimits(ARM_RATE_LIMITS);
  await emulator.admin.setOperationDuration(opMs);
  await emulator.admin.clearRequests();
  resetPacers();
  return { emulator, scaleSets, identityIds };
}

// check's validation without the preview's plan lines (the bench is not a preview).
const inputsOf = (scaleSetId: string, ids: string[]) =>
  validateDeclarationInputs({ scaleSetId, userAssignedIdentities: ids }).inputs;

/** One change per scale set: ID1 → ID1 + ID2, through runtime.update as the provider process runs it. */
async function changeAll(client: ArmClient, scaleSets: string[], identityIds: string[], concurrency: number) {
  const ctx = { client, warn: () => undefined };
  await inBatches(scaleSets, concurrency, (id) =>
    runtime.update(inputsOf(id, [identityIds[0]]), inputsOf(id, identityIds), ctx),
  );
}

interface Limit {
  seconds: number;
  how: string;
}

/**
 * The shortest wall time the operation time and the budgets allow for `changes` changes (`reads` scale set GETs,
 * `writes` PATCHes and at least `pollsPerChange` polls each), `concurrency` at a time.
 */
function limitOf(o: { changes: number; concurrency: number; opMs: number; gets: number; writes: number }): Limit {
  const windows = (needed: number, limit: number, seconds: number) =>
    needed <= limit ? 0 : Math.ceil(needed / limit - 1) * seconds;
  const parts: Array<[string, number]> = [
    [
      `operations ceil(${o.changes}/${o.concurrency})×${o.opMs / 1000}s`,
      (Math.ceil(o.changes / o.concurrency) * o.opMs) / 1000,
    ],
    [
      `GetVMScaleSet3Min ceil(${o.gets}/${GET_VMSS_3MIN.limit}-1)×${GET_VMSS_3MIN.windowSeconds}s`,
      windows(o.gets, GET_VMSS_3MIN.limit, GET_VMSS_3MIN.windowSeconds),
    ],
    [
      `GetVMScaleSet30Min ceil(${o.gets}/${GET_VMSS_30MIN.limit}-1)×${GET_VMSS_30MIN.windowSeconds}s`,
      windows(o.gets, GET_VMSS_30MIN.limit, GET_VMSS_30MIN.windowSeconds),
    ],
    [
      `writes (${o.writes}-${WRITES!.capacity})/${WRITES!.refillPerSecond}/s`,
      Math.max(0, (o.writes - WRITES!.capacity) / WRITES!.refillPerSecond),
    ],
    [
      `reads (${o.gets}+${o.writes} polls-${READS!.capacity})/${READS!.refillPerSecond}/s`,
      Math.max(0, (o.gets + o.writes - READS!.capacity) / READS!.refillPerSecond),
    ],
  ];
  const [how, seconds] = parts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return { seconds, how: `${how} (max of ${parts.map(([n, s]) => `${n} = ${s.toFixed(1)}s`).join("; ")})` };
}

async function report(
  label: string,
  w: World,
  changes: number,
  wallMs: number,
  limit: Limit,
  lowest: string,
): Promise<void> {
  const log = await w.emulator.admin.requests();
  const arm = log.filter((r) => r.kind === "arm");
  const t0 = arm[0]?.time ?? 0;
  const kindOf = (path: string) =>
    /\/operations\//i.test(path) ? "poll" : /userAssignedIdentities\//i.test(path) ? "identity" : "vmss";
  if (process.env.BENCH_TRACE) {
    const buckets = new Map<string, number>();
    for (const r of arm) {
      const k = `${Math.floor((r.time - t0) / 1000)}s ${r.method} ${kindOf(r.path)}`;
      buckets.set(k, (buckets.get(k) ?? 0) + 1);
    }
    console.log([...buckets].map(([k, v]) => `${k}:${v}`).join("  "));
    // Where a change's time goes: GET → PATCH, the operation, its end → the poll that saw it.
    const ops = (await w.emulator.admin.state()).operations;
    const patches = arm.filter((r) => r.method === "PATCH");
    const sums = { getToPatch: 0, seenAfterEnd: 0, n: 0 };
    for (const op of ops) {
      const polls = arm.filter((r) => r.path.toLowerCase().endsWith(op.id.toLowerCase()) && r.time >= op.endsAt);
      const patch = patches.find((r) => Math.abs(r.time - op.startTime) <= 5);
      const get = arm.find((r) => r.method === "GET" && r.path === patch?.path);
      if (polls.length === 0 || get === undefined || patch === undefined) continue;
      sums.getToPatch += patch.time - get.time;
      sums.seenAfterEnd += polls[0].time - op.endsAt;
      sums.n++;
    }
    if (sums.n > 0) {
      console.log(
        `  trace: ${sums.n} changes; GET→PATCH ${(sums.getToPatch / sums.n).toFixed(0)} ms, end→seen ${(sums.seenAfterEnd / sums.n).toFixed(0)} ms on average`,
      );
    }
  }
  const isScaleSet = (path: string) => /virtualMachineScaleSets\/[^/]+$/i.test(path);
  const per = (n: number) => (n / changes).toFixed(2);
  const gets = arm.filter((r) => r.method === "GET" && isScaleSet(r.path)).length;
  const patches = arm.filter((r) => r.method === "PATCH").length;
  const polls = arm.filter((r) => kindOf(r.path) === "poll").length;
  const identityReads = arm.filter((r) => r.method === "GET" && kindOf(r.path) === "identity").length;
  const reads = arm.filter((r) => r.method === "GET").map((r) => r.time);
  let peak = 0;
  for (let i = 0, j = 0; i < reads.length; i++) {
    while (reads[i] - reads[j] >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  const refused = arm.filter((r) => r.status === 429);
  const throttled = refused.length;
  // Which budget refused, and when (s from the first request): Compute names its policy in the body, ARM's buckets
  // answer SubscriptionRequestsThrottled.
  const which = refused
    .map((r) => `${r.errorCode ?? "?"} ${r.method} ${kindOf(r.path)} at ${((r.time - t0) / 1000).toFixed(1)} s`)
    .join("; ");
  const tokens = log.filter((r) => r.kind === "token").length;
  console.log(
    `${label}: wall ${(wallMs / 1000).toFixed(1)} s, limit ${limit.seconds.toFixed(1)} s (${(wallMs / 1000 / Math.max(limit.seconds, 0.001)).toFixed(2)}x)\n` +
      `  limit = ${limit.how}\n` +
      `  per change: ${per(gets)} scale set GET, ${per(patches)} PATCH, ${per(polls)} polls, ${per(identityReads)} identity GET; ` +
      `peak ${peak} reads/s; 429s received: ${throttled}${throttled > 0 ? ` (${which})` : ""}; token requests: ${tokens}\n` +
      `  lowest remaining seen: ${lowest}`,
  );
}

async function lowestSeen(client: ArmClient, w: World): Promise<string> {
  const snap = (await client.pacerOf(w.emulator.subscriptionId))?.snapshot() ?? {};
  return Object.entries(snap)
    .map(([key, s]) => `${key.replace("Microsoft.Compute/", "")} ${s.lowest}`)
    .join(", ");
}

async function seenDone(): Promise<void> {
  const OP_MS = 5700;
  const w = await world(20, OP_MS);
  const client = clientOf(w.emulator);
  const started = Date.now();
  await changeAll(client, w.scaleSets, w.identityIds, 20);
  const wall = Date.now() - started;
  const polls = (await w.emulator.admin.requests()).filter((r) => r.kind === "arm" && /\/operations\//i.test(r.path));
  const delays: number[] = [];
  for (const op of (await w.emulator.admin.state()).operations.filter((o) => o.startTime >= started)) {
    const seen = polls.find((p) => p.path.endsWith(op.id) && p.time >= op.endsAt);
    if (seen !== undefined) delays.push(seen.time - op.endsAt);
  }
  delays.sort((a, b) => a - b);
  const q = (p: number) => (delays[Math.min(delays.length - 1, Math.ceil(p * delays.length) - 1)] / 1000).toFixed(2);
  console.log(
    `seen-done: 20 concurrent changes, ${OP_MS / 1000} s operations, no Retry-After: seen done after the end ` +
      `p50 ${q(0.5)} s, p95 ${q(0.95)} s, max ${q(1)} s (${delays.length} operations; target p95 <= 1.0 s)`,
  );
  await report(
    "seen-done",
    w,
    20,
    wall,
    limitOf({ changes: 20, concurrency: 20, opMs: OP_MS, gets: 20, writes: 20 }),
    await lowestSeen(client, w),
  );
  await client.close();
  await w.emulator.close();
}

async function changes(
  count: number,
  label = `changes-${count}`,
  before?: (w: World) => Promise<number>,
): Promise<void> {
  const OP_MS = 2000;
  const w = await world(count, OP_MS);
  const spentBy = before ? await before(w) : 0;
  const client = clientOf(w.emulator);
  const started = Date.now();
  await changeAll(client, w.scaleSets, w.identityIds, 50);
  const wall = Date.now() - started;
  const limit = limitOf({ changes: count, concurrency: 50, opMs: OP_MS, gets: count + spentBy, writes: count });
  await report(label, w, count, wall, limit, await lowestSeen(client, w));
  await client.close();
  await w.emulator.close();
}

async function refresh(count: number): Promise<void> {
  const w = await world(count, 2000);
  const client = clientOf(w.emulator);
  const ctx = { client, warn: () => undefined };
  const started = Date.now();
  await inBatches(w.scaleSets, 50, (id) => runtime.read(inputsOf(id, [w.identityIds[0]]), ctx));
  const wall = Date.now() - started;
  await report(
    `refresh-${count}`,
    w,
    count,
    wall,
    limitOf({ changes: count, concurrency: 50, opMs: 0, gets: count, writes: 0 }),
    await lowestSeen(client, w),
  );
  await client.close();
  await w.emulator.close();
}

async function twoProcesses(): Promise<void> {
  const PER = 100;
  const w = await world(2 * PER, 2000);
  const started = Date.now();
  const run = (from: number) =>
    new Promise<void>((resolve, reject) => {
      const child = fork(__filename, ["--worker", String(from), String(PER)], {
        execArgv: ["-r", "ts-node/register/transpile-only"],
        env: {
          ...process.env,
          BENCH_URL: w.emulator.url,
          BENCH_CA: w.emulator.caPem,
          BENCH_TENANT: w.emulator.tenantId,
          BENCH_CLIENT: w.emulator.clientId,
          BENCH_SECRET: w.emulator.clientSecret,
          BENCH_IDS: JSON.stringify(w.identityIds),
          BENCH_SETS: JSON.stringify(w.scaleSets.slice(from, from + PER)),
        },
      });
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`worker exited ${code}`))));
    });
  await Promise.all([run(0), run(PER)]);
  const wall = Date.now() - started;
  await report(
    "two-processes (100 changes each, one subscription)",
    w,
    2 * PER,
    wall,
    limitOf({ changes: 2 * PER, concurrency: 100, opMs: 2000, gets: 2 * PER, writes: 2 * PER }),
    "(in the workers)",
  );
  await w.emulator.close();
}

async function worker(): Promise<void> {
  const env = process.env as Record<string, string>;
  const client = clientFor(env.BENCH_URL, env.BENCH_TENANT, env.BENCH_CLIENT, env.BENCH_SECRET, env.BENCH_CA);
  const sets = JSON.parse(env.BENCH_SETS) as string[];
  await changeAll(client, sets, JSON.parse(env.BENCH_IDS), 50);
  await client.close();
}

// Another client (raw HTTP, its own token) spends 180 of the 200 scale set GETs of the 3-minute window.
async function spendGets(w: World): Promise<number> {
  const SPENT = 180;
  const client = clientOf(w.emulator);
  for (let i = 0; i < SPENT; i++) {
    await client.request({ method: "GET", path: w.scaleSets[i % w.scaleSets.length], apiVersion: "2024-11-01" });
  }
  await client.close();
  resetPacers(); // the provider process starts afresh: it knows nothing of what the other client spent
  await w.emulator.admin.clearRequests();
  return SPENT;
}

async function main(): Promise<void> {
  if (process.argv[2] === "--worker") return worker();
  const all = ["seen-done", "changes-200", "changes-1000", "refresh-1000", "two-processes", "spent-budget"];
  const chosen = process.argv.includes("--scenario")
    ? process.argv.filter((_, i) => process.argv[i - 1] === "--scenario")
    : all;
  for (const name of chosen) {
    if (!all.includes(name)) throw new Error(`--scenario ${name}: expected one of ${all.join(", ")}`);
  }
  for (const name of chosen) {
    if (name === "seen-done") await seenDone();
    if (name === "changes-200") await changes(200);
    if (name === "changes-1000") await changes(1000);
    if (name === "refresh-1000") await refresh(1000);
    if (name === "two-processes") await twoProcesses();
    if (name === "spent-budget")
      await changes(200, "spent-budget (changes-200 after another client spent 180 GETs)", spendGets);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
