/**
 * `npm run bench:emulator`: requests per second the ARM emulator serves, so that it is never the
 * bottleneck of the test suite (aim: thousands of GETs per second on one core).
 *
 * 1. Start the emulator as a child process (its own core), with operations that end at once.
 * 2. Get a token; create a resource group, two identities and 50 scale sets.
 * 3. GET a scale set N times over http, then over https (undici keep-alive pool, several connections).
 * 4. PATCH the identities of the 50 scale sets N times in total (one writer per scale set).
 * 5. The same PATCHes with --state FILE: each answer waits until its write is fsynced into the state file
 *    (writes arriving together share one file write).
 * Prints requests per second, and client-side p50/p99 latency, per phase. Bounded loops, loopback only.
 * Options: --gets N (default 20000), --patches N (default 5000), --connections N (default 8), --in-flight N (default 64).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { Pool } from "undici";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const GETS = arg("gets", 20_000);
const PATCHES = arg("patches", 5_000);
const CONNECTIONS = arg("connections", 8);
const IN_FLIGHT = arg("in-flight", 64);
const SCALE_SETS = 50;
const TENANT = "11111111-1111-4111-8111-111111111111";
const CLIENT = "22222222-2222-4222-8222-222222222222";
const SUB = "33333333-3333-4333-8333-333333333333";
const ROOT = path.resolve(__dirname, "..");

// The package's bin, the file `npx vmss-identity-emulator` runs (built JavaScript: starts in a fraction of a second).
const EMULATOR_PACKAGE = require.resolve("vmss-identity-emulator/package.json");
const EMULATOR_CLI = path.join(
  path.dirname(EMULATOR_PACKAGE),
  (require(EMULATOR_PACKAGE) as { bin: Record<string, string> }).bin["vmss-identity-emulator"],
);

interface Running {
  url: string;
  caPath?: string;
  child: ChildProcess;
}

async function startChild(args: string[]): Promise<Running> {
  const child = spawn(
    process.execPath,
    [
      EMULATOR_CLI,
      "--port",
      "0",
      "--op-duration-ms",
      "0",
      // Throughput, not ARM's budgets: the buckets would turn most of these requests into 429s.
      "--no-rate-limits",
      ...args,
    ],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const wanted = args.some((a) => a.startsWith("--tls")) ? 2 : 1;
  const lines = await new Promise<string[]>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const got = out.split("\n").filter((line) => line !== "");
      if (got.length >= wanted && out.endsWith("\n")) resolve(got);
    });
    child.on("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  const url = lines[0].replace("ARM emulator listening on ", "");
  const caPath = lines[1]?.replace("CA certificate: ", "");
  return { url, caPath, child };
}

async function stopChild(running: Running): Promise<void> {
  const exited = new Promise((resolve) => running.child.on("exit", resolve));
  running.child.kill("SIGTERM");
  await exited;
}

async function call(
  pool: Pool,
  method: "GET" | "PUT" | "PATCH" | "POST",
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<{ status: number; json: { access_token?: string } | undefined }> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (typeof body === "string") {
    payload = body;
    headers["content-type"] = "application/x-www-form-urlencoded";
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["content-type"] = "application/json";
  }
  const response = await pool.request({ method, path, headers, body: payload });
  const text = await response.body.text();
  return { status: response.statusCode, json: text === "" ? undefined : JSON.parse(text) };
}

async function getToken(pool: Pool): Promise<string> {
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: CLIENT,
    client_secret: "emulator-client-secret",
    scope: "https://management.azure.com/.default",
  }).toString();
  const result = await call(pool, "POST", `/${TENANT}/oauth2/v2.0/token`, undefined, form);
  if (result.status !== 200) throw new Error(`token: ${result.status}`);
  return result.json?.access_token as string;
}

const vmssPath = (i: number, apiVersion = "2024-11-01"): string =>
  `/subscriptions/${SUB}/resourceGroups/bench/providers/Microsoft.Compute/virtualMachineScaleSets/vmss${i}?api-version=${apiVersion}`;
const identity = (name: string): string =>
  `/subscriptions/${SUB}/resourcegroups/bench/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;

async function setUp(pool: Pool, token: string): Promise<void> {
  const check = (what: string, status: number, ok: number[]): void => {
    if (!ok.includes(status)) throw new Error(`${what}: HTTP ${status}`);
  };
  check(
    "group",
    (
      await call(pool, "PUT", `/subscriptions/${SUB}/resourcegroups/bench?api-version=2021-04-01`, token, {
        location: "westus",
      })
    ).status,
    [200, 201],
  );
  for (const name of ["ID1", "ID2"]) {
    const path = `/subscriptions/${SUB}/resourceGroups/bench/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}?api-version=2023-01-31`;
    check(name, (await call(pool, "PUT", path, token, { location: "westus" })).status, [200, 201]);
  }
  for (let i = 0; i < SCALE_SETS; i++) {
    const body = {
      location: "westus",
      sku: { name: "Standard_D1_v2", capacity: 1 },
      identity: { type: "SystemAssigned" },
      properties: { upgradePolicy: { mode: "Manual" } },
    };
    check(`vmss${i}`, (await call(pool, "PUT", vmssPath(i), token, body)).status, [200, 201]);
  }
}

/** Runs `total` requests with `inFlight` workers; returns requests per second and latency percentiles. */
async function measure(
  total: number,
  inFlight: number,
  one: (n: number, worker: number) => Promise<number>,
): Promise<string> {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async (_, worker) => {
      while (next < total) {
        const n = next++;
        const t0 = performance.now();
        const status = await one(n, worker);
        latencies.push(performance.now() - t0);
        if (status >= 400) failures++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number): string =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(2);
  return `${total} requests in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} req/s (p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms${failures > 0 ? `, ${failures} FAILED` : ""})`;
}

/**
 * PATCHes the identities of the scale sets. One writer per scale set: concurrent writes to one scale set would
 * (rightly) get 409 Conflict. Each writer alternates: add ID1 and ID2, then remove ID2 (a valid change every time).
 */
async function patchPhase(pool: Pool, token: string): Promise<string> {
  const added = Array<boolean>(SCALE_SETS).fill(false);
  return measure(PATCHES, SCALE_SETS, async (_n, worker) => {
    const users = added[worker] ? { [identity("ID2")]: null } : { [identity("ID1")]: {}, [identity("ID2")]: {} };
    added[worker] = !added[worker];
    const body = { identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: users } };
    return (await call(pool, "PATCH", vmssPath(worker), token, body)).status;
  });
}

async function main(): Promise<void> {
  console.log(
    `ARM emulator benchmark: ${GETS} GETs, ${PATCHES} PATCHes, ${CONNECTIONS} keep-alive connections, ${IN_FLIGHT} requests in flight`,
  );

  const plain = await startChild([]);
  const pool = new Pool(plain.url, { connections: CONNECTIONS, pipelining: 1 });
  try {
    const token = await getToken(pool);
    await setUp(pool, token);
    console.log(
      `GET   http : ${await measure(GETS, IN_FLIGHT, async (n) => (await call(pool, "GET", vmssPath(n % SCALE_SETS), token)).status)}`,
    );
    console.log(`PATCH http : ${await patchPhase(pool, token)}`);
  } finally {
    await pool.close();
    await stopChild(plain);
  }

  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-emulator-state-"));
  const durable = await startChild(["--state", path.join(stateDir, "state.json")]);
  const statePool = new Pool(durable.url, { connections: CONNECTIONS, pipelining: 1 });
  try {
    const token = await getToken(statePool);
    await setUp(statePool, token);
    console.log(`PATCH http --state: ${await patchPhase(statePool, token)}`);
  } finally {
    await statePool.close();
    await stopChild(durable);
    fs.rmSync(stateDir, { recursive: true, force: true });
  }

  const caDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-emulator-ca-"));
  const secure = await startChild(["--tls-dir", caDir]);
  const tlsPool = new Pool(secure.url, {
    connections: CONNECTIONS,
    pipelining: 1,
    connect: { ca: fs.readFileSync(secure.caPath ?? "") },
  });
  try {
    const token = await getToken(tlsPool);
    await setUp(tlsPool, token);
    console.log(
      `GET   https: ${await measure(GETS, IN_FLIGHT, async (n) => (await call(tlsPool, "GET", vmssPath(n % SCALE_SETS), token)).status)}`,
    );
  } finally {
    await tlsPool.close();
    await stopChild(secure);
    fs.rmSync(caDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
