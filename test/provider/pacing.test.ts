/**
 * The request scheduler against the emulator's budgets (provider/arm/pacer.ts; docs/transport.md "Pacing"):
 * 1. ARM's subscription read bucket is made small by name (5 requests, refilled at ARM's 25 per second), so that a
 *    test can spend it in a moment (Compute's windows last minutes: the pure decisions' tables and
 *    `npm run bench:provider` cover them);
 * 2. thirty concurrent reads of scale sets go through the provider's runtime and one client;
 * 3. every read succeeds, none meets a 429, and the reads past the fifth come at the refill's pace.
 * Then a 429 that does come (another client spent the bucket) is waited out, not fatal.
 */
import assert from "node:assert/strict";
import { ClientSecretCredential } from "@azure/identity";
import { Agent } from "undici";
import { ArmClient, resolveCloud } from "../../provider/arm";
import { validateDeclarationInputs } from "../../provider/identity";
import * as runtime from "../../provider/runtime";
import { createResourceGroup, createScaleSet, startWorld, type World } from "../support/world";

const SMALL_READ_BUCKET = { subscriptionReads: { capacity: 5, refillPerSecond: 25 } };
const READS = 30;

describe("pacing against the emulator's budgets", function () {
  this.timeout(60_000);
  let world: World;
  const scaleSets: string[] = [];

  before(async () => {
    // ARM's own budgets while the scale sets are made, by another client (createScaleSet's polls are reads): the
    // paced client meets the small bucket knowing nothing of it.
    world = await startWorld();
    const setUp = clientOf(world, { pacing: false });
    try {
      await createResourceGroup({ ...world, arm: setUp }, "rg");
      for (let i = 0; i < READS; i++) scaleSets.push(await createScaleSet({ ...world, arm: setUp }, "rg", `paced${i}`));
    } finally {
      await setUp.close();
    }
  });
  after(async () => world?.close());

  it("spends a bucket to its end and then goes at its refill, never provoking a 429", async () => {
    world.emulator.admin.setRateLimits(SMALL_READ_BUCKET);
    world.emulator.admin.clearRequests();
    const read = await Promise.all(
      scaleSets.map((scaleSetId) =>
        runtime.read(validateDeclarationInputs({ scaleSetId }).inputs, { client: world.arm, warn: () => undefined }),
      ),
    );
    assert.equal(read.filter((outs) => outs !== undefined).length, READS);
    const gets = scaleSetGets(world);
    assert.deepEqual(
      gets.filter((r) => r.status !== 200).map((r) => r.status),
      [],
      "no request was refused",
    );
    assert.equal(gets.length, READS);
    // 25 reads past the bucket's 5 need 1 s of refill at 25 per second.
    const spread = gets[READS - 1].time - gets[0].time;
    assert.ok(spread >= 900, `the last GET came ${spread} ms after the first`);
    const budgets = (await world.arm.pacerOf(world.emulator.subscriptionId))?.snapshot() ?? {};
    assert.equal(budgets["subscription-reads"]?.lowest, 0, "the client's scheduler saw the bucket spent to 0");
  });

  it("a 429 from a bucket another client spent is waited out, not fatal", async () => {
    // The other client, unpaced, spends the window first.
    const other = clientOf(world, { pacing: false });
    // Refilled at 1 per second, slower than ARM: the other client's five reads leave it empty when ours comes.
    world.emulator.admin.setRateLimits({ subscriptionReads: { capacity: 5, refillPerSecond: 1 } });
    try {
      for (const scaleSetId of scaleSets.slice(0, 5)) {
        await other.request({ method: "GET", path: scaleSetId, apiVersion: "2024-11-01" });
      }
    } finally {
      await other.close();
    }
    world.emulator.admin.clearRequests();
    // The shipped retry options: the world's client scales server waits to 0 (retryAfterScale), this one waits them.
    const ours = clientOf(world, { pacing: true });
    try {
      const outs = await runtime.read(validateDeclarationInputs({ scaleSetId: scaleSets[READS - 1] }).inputs, {
        client: ours,
        warn: () => undefined,
      });
      assert.notEqual(outs, undefined);
    } finally {
      await ours.close();
    }
    const gets = scaleSetGets(world);
    assert.deepEqual(
      gets.map((r) => r.status),
      [429, 200],
      "one 429, held for its Retry-After, then the read",
    );
    assert.ok(gets[1].time - gets[0].time >= 900, "the retry waited the Retry-After");
  });
});

/** A client of the same principal with the shipped retry options, pacing or not (as another program might not). */
function clientOf({ emulator }: World, { pacing }: { pacing: boolean }): ArmClient {
  return new ArmClient({
    cloud: resolveCloud({ endpoint: emulator.url }),
    credential: new ClientSecretCredential(emulator.tenantId, emulator.clientId, emulator.clientSecret, {
      authorityHost: emulator.url,
      disableInstanceDiscovery: true,
    }),
    dispatcher: new Agent({ connect: { ca: emulator.caPem } }),
    pacing,
    pollIntervalMs: 0,
  });
}

/** The scale set GETs in the emulator's log (the client's first token request and its authority's metadata are too). */
function scaleSetGets({ emulator }: World) {
  return emulator.admin.requests().filter((r) => r.method === "GET" && r.path.includes("/virtualMachineScaleSets/"));
}
