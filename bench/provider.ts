/**
 * `npm run bench:provider`: the provider's ARM and token economy at scale, against the emulator.
 *
 * 1. 200 scale sets and 2 user-assigned identities exist; every long-running operation takes 2 s (`--op-ms`).
 * 2. Create 200 VmssManagedIdentity resources (one per scale set, adding ID1), 50 at a time, through the same
 *    runtime functions the provider process runs, with one shared ARM client (one credential, one token cache).
 * 3. Update all 200 (add ID2), 50 at a time.
 * Prints wall time per phase, ARM requests per resource by method, and token requests in total. Targets: one GET and
 * one PATCH per change plus operation polls, one token request in total, and wall time near (200 / 50) × 2 s per
 * phase, i.e. no serialisation across scale sets.
 */
import { ClientSecretCredential } from "@azure/identity";
import { Agent } from "undici";
import { startEmulator } from "../emulator";
import { ArmClient, resolveCloud } from "../provider/arm";
import * as runtime from "../provider/runtime";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const COUNT = arg("count", 200);
const CONCURRENCY = arg("concurrency", 50);
const OP_MS = arg("op-ms", 2000);

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

async function main(): Promise<void> {
  const caDir = process.env.VMSS_TEST_CA_DIR;
  if (!caDir) throw new Error("run through `npm run bench:provider` (scripts/with-test-ca.js trusts the test CA)");
  const emulator = await startEmulator({ tls: { caDir }, opDurationMs: 0 });
  const setupClient = (pollIntervalMs: number) =>
    new ArmClient({
      cloud: resolveCloud({ endpoint: emulator.url }),
      credential: new ClientSecretCredential(emulator.tenantId, emulator.clientId, emulator.clientSecret, {
        authorityHost: emulator.url,
        disableInstanceDiscovery: true,
        additionallyAllowedTenants: ["*"],
      }),
      dispatcher: new Agent({ connect: { ca: emulator.caPem }, connections: 64 }),
      pollIntervalMs,
    });
  const setup = setupClient(0);
  const sub = emulator.subscriptionId;
  const rg = `/subscriptions/${sub}/resourceGroups/bench`;
  await setup.execute({ method: "PUT", path: rg, apiVersion: "2021-04-01", body: { location: "eastus" } });
  const identityIds: string[] = [];
  for (const name of ["ID1", "ID2"]) {
    const res = await setup.execute<{ id: string }>({
      method: "PUT",
      path: `${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`,
      apiVersion: "2023-01-31",
      body: { location: "eastus" },
    });
    identityIds.push(res.body.id);
  }
  const scaleSets = Array.from(
    { length: COUNT },
    (_, i) => `${rg}/providers/Microsoft.Compute/virtualMachineScaleSets/vmss${i}`,
  );
  await inBatches(scaleSets, CONCURRENCY, (id) =>
    setup.execute({
      method: "PUT",
      path: id,
      apiVersion: "2024-11-01",
      body: { location: "eastus", sku: { name: "Standard_D1_v2", capacity: 1 }, properties: {} },
    }),
  );
  await setup.close();

  // The measured client polls every 500 ms: 2 s operations are then seen done within a quarter of their length.
  emulator.admin.setOperationDuration(OP_MS);
  const client = setupClient(500);
  emulator.admin.clearRequests();
  const ctx = { client, warn: () => undefined };
  const inputsOf = (scaleSetId: string, ids: string[]) =>
    runtime.check({}, { scaleSetId, userAssignedIdentities: ids }).inputs;
  const outs = new Map<string, Record<string, unknown>>();

  const phase = async (label: string, work: (scaleSetId: string) => Promise<void>) => {
    emulator.admin.clearRequests();
    const started = process.hrtime.bigint();
    await inBatches(scaleSets, CONCURRENCY, work);
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const log = emulator.admin.requests();
    const arm = log.filter((r) => r.kind === "arm");
    const count = (pred: (r: (typeof log)[number]) => boolean) => (arm.filter(pred).length / COUNT).toFixed(2);
    console.log(
      `${label}: ${COUNT} resources, ${CONCURRENCY} at a time, ${OP_MS} ms operations: wall ${(wallMs / 1000).toFixed(2)} s ` +
        `(ideal ${((Math.ceil(COUNT / CONCURRENCY) * OP_MS) / 1000).toFixed(1)} s); per resource: ` +
        `${count((r) => r.method === "GET" && !r.path.includes("/operations/"))} GET, ${count((r) => r.method === "PATCH")} PATCH, ` +
        `${count((r) => r.path.includes("/operations/"))} polls; token requests: ${log.filter((r) => r.kind === "token").length}`,
    );
  };

  await phase("create", async (id) => {
    const result = await runtime.create(inputsOf(id, [identityIds[0]]), ctx);
    outs.set(id, result.outs as unknown as Record<string, unknown>);
  });
  await phase("update", async (id) => {
    await runtime.update(outs.get(id) as Record<string, unknown>, inputsOf(id, identityIds), ctx);
  });
  await client.close();
  await emulator.close();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
