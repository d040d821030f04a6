// The pacing decisions as tables (provider/arm/pacing.ts): what the rate-limit headers say, what is left of a
// budget as time passes, how much this process may spend (alone, or sharing with another client), how long it waits
// for more, and when an operation is polled. Then the scheduler (pacer.ts) on a fake clock: one probe per unknown
// kind of request, a queue that drains as answers and time free the budget, and a 429's Retry-After held.
import assert from "node:assert/strict";
import {
  ARM_BUCKETS,
  Pacer,
  answered,
  estimatedRemaining,
  inFlight,
  observe,
  typicalOf,
  nextPoll,
  policyWindowMs,
  principalOfToken,
  readBudgetHeaders,
  requestClass,
  sent,
  spendable,
  waitForBudgetMs,
  type BudgetReading,
  type BudgetState,
  type SentRequest,
} from "../../provider/arm";

const GET_VMSS_3MIN = "Microsoft.Compute/GetVMScaleSet3Min";
const window3min = (remaining: number): BudgetReading => ({
  key: GET_VMSS_3MIN,
  kind: "window",
  remaining,
  windowMs: 180_000,
});
const reads = (remaining: number): BudgetReading => ({
  key: "subscription-reads",
  kind: "bucket",
  remaining,
  size: ARM_BUCKETS.reads,
});

describe("ARM pacing decisions (pure)", () => {
  it("reads ARM's bucket headers and Compute's policies, joined or repeated", () => {
    assert.deepEqual(
      readBudgetHeaders({
        "x-ms-ratelimit-remaining-subscription-reads": "249",
        "x-ms-ratelimit-remaining-resource":
          "Microsoft.Compute/GetVMScaleSet3Min;197,Microsoft.Compute/GetVMScaleSet30Min;1297, Microsoft.Compute/VmssQueuedVMOperations;4720",
      }),
      [
        { key: "subscription-reads", kind: "bucket", remaining: 249, size: { capacity: 250, refillPerSecond: 25 } },
        { key: GET_VMSS_3MIN, kind: "window", remaining: 197, windowMs: 180_000 },
        { key: "Microsoft.Compute/GetVMScaleSet30Min", kind: "window", remaining: 1297, windowMs: 1_800_000 },
        { key: "Microsoft.Compute/VmssQueuedVMOperations", kind: "counter", remaining: 4720 },
      ],
    );
    assert.deepEqual(readBudgetHeaders({ "x-ms-ratelimit-remaining-tenant-writes": "x" }), []);
    assert.equal(policyWindowMs("Microsoft.Compute/VMScaleSetBatchedVMRequests5Min"), 300_000);
    assert.equal(policyWindowMs("Microsoft.Compute/VmssQueuedVMOperations"), undefined);
  });

  it("names a kind of request by its method and resource types, without names", () => {
    const sub = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss";
    assert.equal(requestClass("GET", sub), "GET microsoft.compute/virtualmachinescalesets");
    assert.equal(
      requestClass("GET", "/subscriptions/s/providers/Microsoft.Compute/locations/westus/operations/1"),
      "GET microsoft.compute/locations/operations",
    );
    assert.equal(requestClass("put", "/subscriptions/s/resourcegroups/rg"), "PUT subscriptions/resourcegroups");
  });

  // A budget as one reading left it: `remaining` reported by the request (id 0) sent at `sent`, answered at `at`.
  const after = (reading: BudgetReading, at: number, extra: Partial<BudgetState> = {}, sent = at): BudgetState => ({
    reading,
    observations: [{ remaining: reading.remaining, id: 0, sent, observed: at }],
    sends: [],
    shared: false,
    peak: 200,
    ...extra,
  });
  const answeredAt = (id: number, sent: number, at: number): SentRequest => ({ id, sent, answered: at, sure: true });
  const inFlightSince = (id: number, sent: number): SentRequest => ({ id, sent, sure: false });

  it("a bucket refills at its rate up to its size; a window gets back this process's requests as they age out", () => {
    const bucket = after(reads(10), 0);
    assert.equal(estimatedRemaining(bucket, 0), 10);
    assert.equal(estimatedRemaining(bucket, 2000), 60);
    assert.equal(estimatedRemaining(bucket, 60_000), 250);
    const w = after(window3min(0), 10_000, {
      sends: [1000, 5000, 9000].map((t, i) => answeredAt(i + 1, t - 5, t)),
    });
    assert.equal(estimatedRemaining(w, 10_000), 0);
    assert.equal(estimatedRemaining(w, 181_000), 1);
    assert.equal(estimatedRemaining(w, 189_000), 3);
  });

  it("a request sent before a reading's window began may have aged out before the reading: never freed twice", () => {
    const straddling = after(window3min(0), 180_000, {
      sends: [
        answeredAt(1, -5, 5), // the server may have counted it at -5: already out of the reading's window
        answeredAt(2, 10, 20), // surely in the reading, surely out at 180 020
      ],
    });
    assert.equal(estimatedRemaining(straddling, 180_010), 0);
    assert.equal(estimatedRemaining(straddling, 180_020), 1);
  });

  it("each kept reading bounds what is left; an answer overtaken by a later one can still be the best", () => {
    // Two requests sent at 100: the one answered first says 11 left, the one answered later 16 (served later, after
    // older requests aged out). A third request, answered at 125, may or may not be in either reading.
    const state: BudgetState = {
      reading: window3min(16),
      observations: [
        { remaining: 11, id: 1, sent: 100, observed: 110 },
        { remaining: 16, id: 2, sent: 100, observed: 130 },
      ],
      sends: [answeredAt(1, 100, 110), answeredAt(2, 100, 130), answeredAt(3, 120, 125)],
      shared: false,
      peak: 200,
    };
    assert.equal(estimatedRemaining(state, 130), 14, "16 less the two answered after its request went");
    const bucket = after(reads(100), 1000, { sends: [answeredAt(1, 900, 950), answeredAt(2, 1100, 1200)] }, 1000);
    assert.equal(estimatedRemaining(bucket, 1200), 100 + 5 - 1, "refilled 5; the request answered later may not count");
  });

  it("a request answered after a reading's request went was served first when its own count was higher", () => {
    const o = { remaining: 50, id: 2, sent: 100, observed: 130 };
    const withEarlier = (remaining: number, shared = false): BudgetState => ({
      reading: window3min(50),
      observations: [o],
      sends: [
        { ...answeredAt(1, 90, 120), remaining },
        { ...answeredAt(2, 100, 130), remaining: 50 },
      ],
      shared,
      peak: 200,
    });
    assert.equal(estimatedRemaining(withEarlier(51), 130), 50, "51 > 50: counted before the reading");
    assert.equal(estimatedRemaining(withEarlier(49), 130), 49, "49: maybe after it");
    assert.equal(estimatedRemaining(withEarlier(51, true), 130), 49, "shared: others' requests may have aged out");
    const bucket = (remaining: number): BudgetState => ({ ...withEarlier(remaining), reading: reads(50) });
    assert.equal(estimatedRemaining(bucket(52), 130), 50, "52 > 50 - 1 + 1 refilled in the 40 ms + 1 rounded off");
    assert.equal(estimatedRemaining(bucket(51), 130), 49, "51: the refill and the rounding could explain it");
  });

  it("alone on a window, what is left is its size less this process's requests answered less than a window ago", () => {
    // A reading of 0 taken as our first requests aged out says little; the size the readings showed says more.
    let state = observe(undefined, window3min(199), { id: 0, sent: 0 }, 10);
    for (let id = 1; id <= 3; id++) state = answered(sent(state, id, 20 * id), id, 20 * id + 5, "counted");
    state = observe(state, window3min(196), { id: 3, sent: 60 }, 65);
    assert.equal(state.windowSize, 199, "196 left + our 3 in it (the probe before them had no record: errs low)");
    assert.equal(estimatedRemaining(state, 1000), 196);
    const late: BudgetState = { ...state, observations: [{ remaining: 0, id: 9, sent: 180_100, observed: 180_110 }] };
    assert.equal(estimatedRemaining(late, 180_110), 199, "all three aged out: the whole size");
    assert.equal(estimatedRemaining({ ...late, shared: true }, 180_110), 0, "shared: only the reading");
  });

  it("alone, a budget is spent to its last unit; shared, half of what is left above a tenth is, less what is in flight", () => {
    const five = [1, 2, 3, 4, 5].map((id) => inFlightSince(id, 0));
    const cases: Array<[string, BudgetState, number]> = [
      ["alone, 5 left", after(window3min(5), 0), 5],
      ["alone, 5 left, 5 in flight", after(window3min(5), 0, { sends: five }), 0],
      ["shared, 60 left of 200", after(window3min(60), 0, { shared: true }), 20],
      ["shared, 21 left of 200", after(window3min(21), 0, { shared: true }), 0],
      ["blocked by a 429", after(window3min(50), 0, { blockedUntil: 5000 }), 0],
    ];
    for (const [name, state, expected] of cases) assert.equal(spendable(state, 0), expected, name);
    assert.equal(inFlight(after(window3min(5), 0, { sends: [...five, answeredAt(6, 0, 1)] })), 5);
  });

  it("waits for the refill, for its own oldest request to age out, a whole window when others filled it, or the 429's wait", () => {
    assert.equal(waitForBudgetMs(after(reads(5), 0), 0), undefined);
    assert.equal(waitForBudgetMs(after(reads(0), 0), 0), 40);
    assert.equal(
      waitForBudgetMs(
        after(window3min(0), 10_000, { sends: [answeredAt(1, 990, 1000), answeredAt(2, 1990, 2000)] }),
        10_000,
      ),
      171_000,
    );
    assert.equal(waitForBudgetMs(after(window3min(0), 5000), 10_000), 175_000);
    assert.equal(waitForBudgetMs(after(window3min(9), 0, { blockedUntil: 30_000 }), 10_000), 20_000);
  });

  it("notices another client when a reading falls more than this process explains; a 429 is not counted", () => {
    let state = observe(undefined, window3min(190), { id: 0, sent: 0 }, 0);
    state = answered(sent(state, 1, 1), 1, 2, "counted");
    state = observe(state, window3min(189), { id: 1, sent: 1 }, 2);
    assert.equal(state.shared, false, "one request of ours, one unit less");
    state = answered(sent(state, 2, 3), 2, 4, "counted");
    state = observe(state, window3min(150), { id: 2, sent: 3 }, 4);
    assert.equal(state.shared, true, "39 units went to someone else");
    assert.deepEqual(
      state.sends,
      [
        { ...answeredAt(1, 1, 2), remaining: 189 },
        { ...answeredAt(2, 3, 4), remaining: 150 },
      ],
      "the window keeps our requests, and what each one's answer said",
    );
    // Five requests in flight, then a sixth answered: the server had counted the five already.
    const busy = [10, 11, 12, 13, 14].reduce(
      (st, id) => sent(st, id, 1),
      observe(undefined, window3min(150), { id: 0, sent: 0 }, 0),
    );
    const sixth = (left: number) =>
      observe(answered(sent(busy, 15, 1), 15, 2, "counted"), window3min(left), { id: 15, sent: 1 }, 2).shared;
    assert.equal(sixth(144), false, "150 less the five in flight, less the sixth: no one else");
    assert.equal(sixth(140), true, "four more than that: someone else");
    state = answered(sent(state, 3, 5), 3, 6, "refused");
    assert.equal(state.sends.length, 2, "a 429 was not counted: forgotten");
    state = answered(sent(state, 4, 7), 4, 8, "unknown");
    assert.deepEqual(state.sends.at(-1), { id: 4, sent: 7, answered: 8, sure: false }, "no answer: may count");
  });

  it("a scout polls finely; the others poll once when the typical duration has passed; Retry-After and a fixed interval win", () => {
    const poll = (delayMs: number) => ({ delayMs, poll: true });
    const cases: Array<[string, Parameters<typeof nextPoll>[0], { delayMs: number; poll: boolean }]> = [
      ["a scout, nothing known: 250 ms", { pollsSoFar: 0, elapsedMs: 0, scout: true }, poll(250)],
      ["a scout at 10 s: 5% of it", { pollsSoFar: 9, elapsedMs: 10_000, scout: true }, poll(500)],
      [
        "a scout starts at 80% of the typical duration",
        { pollsSoFar: 0, elapsedMs: 0, scout: true, typicalMs: 10_000 },
        poll(8000),
      ],
      [
        "… then polls every 100 ms or 2.5%",
        { pollsSoFar: 1, elapsedMs: 8000, scout: true, typicalMs: 10_000 },
        poll(200),
      ],
      ["… 100 ms at 2 s", { pollsSoFar: 1, elapsedMs: 2000, scout: true, typicalMs: 2100 }, poll(100)],
      [
        "others: first poll at the typical duration",
        { pollsSoFar: 0, elapsedMs: 40, scout: false, typicalMs: 2040 },
        poll(2000),
      ],
      ["others: past it already, at once", { pollsSoFar: 0, elapsedMs: 2500, scout: false, typicalMs: 2040 }, poll(0)],
      [
        "others, too early: 10% of the time elapsed after the last poll",
        { pollsSoFar: 1, elapsedMs: 20_000, lastPollMs: 20_000, scout: false, typicalMs: 20_000 },
        poll(2000),
      ],
      [
        "nothing known yet: look again in 250 ms",
        { pollsSoFar: 0, elapsedMs: 1000, scout: false },
        { delayMs: 250, poll: false },
      ],
      ["nothing known at 2.8 s: poll at 3 s on its own", { pollsSoFar: 0, elapsedMs: 2800, scout: false }, poll(200)],
      [
        "nothing known after a poll at 3 s: next at 4.5 s",
        { pollsSoFar: 1, elapsedMs: 4400, lastPollMs: 3000, scout: false },
        poll(100),
      ],
      [
        "Retry-After wins",
        { pollsSoFar: 0, elapsedMs: 0, scout: true, typicalMs: 5700, retryAfterMs: 30_000 },
        poll(30_000),
      ],
      ["azcore's 1 s floor", { pollsSoFar: 0, elapsedMs: 0, scout: false, retryAfterMs: 0 }, poll(1000)],
      [
        "a fixed interval wins",
        { pollsSoFar: 3, elapsedMs: 0, scout: true, retryAfterMs: 30_000, fixedMs: 0 },
        poll(0),
      ],
    ];
    for (const [name, options, expected] of cases) assert.deepEqual(nextPoll(options), expected, name);
    assert.equal(typicalOf([5700]), 5700);
    assert.equal(typicalOf([2250, 2000]), 2250);
    assert.equal(typicalOf([2100, 2000, 2250, 2050, 2020]), 2100, "the upper quartile: the 4th of 5");
  });

  it("keys budgets by the token's principal, never by the token", () => {
    const claims = Buffer.from(JSON.stringify({ oid: "object-1", appid: "app-1" })).toString("base64url");
    assert.equal(principalOfToken(`e30.${claims}.sig`), "object-1");
    assert.equal(principalOfToken("opaque-token"), "unknown-principal");
  });
});

describe("the request scheduler (pacer.ts) on a fake clock", () => {
  let now = 0;
  const clock = () => now;
  const GET = "GET microsoft.compute/virtualmachinescalesets";
  const header = (left: number) => ({ "x-ms-ratelimit-remaining-resource": `${GET_VMSS_3MIN};${left}` });
  const settled = async (p: Promise<unknown>) => {
    let done = false;
    void p.then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    return done;
  };

  it("sends one request of an unknown kind, then as many as the budget has left, then queues", async () => {
    now = 0;
    const pacer = new Pacer(clock);
    const first = await pacer.admit(GET);
    const second = pacer.admit(GET);
    assert.equal(await settled(second), false, "one probe until an answer names the budgets");
    pacer.settle(first, header(2));
    const t2 = await second;
    const t3 = await pacer.admit(GET);
    const fourth = pacer.admit(GET);
    assert.equal(await settled(fourth), false, "2 left, 2 in flight: the fourth waits");
    pacer.settle(t2, header(1));
    pacer.settle(t3, header(0));
    assert.equal(await settled(fourth), false, "0 left: it waits for the window");
    assert.deepEqual(pacer.snapshot()[GET_VMSS_3MIN], { remaining: 0, lowest: 0, shared: false });
  });

  it("holds a budget for a 429's Retry-After", async () => {
    now = 0;
    const pacer = new Pacer(clock);
    const ticket = await pacer.admit(GET);
    pacer.settle(ticket, header(0), 120_000);
    const next = pacer.admit(GET);
    assert.equal(await settled(next), false);
  });

  it("a whole window after a reading of 0 one request looks again, and only one", async () => {
    now = 0;
    const pacer = new Pacer(clock);
    const first = await pacer.admit(GET);
    pacer.settle(first, header(1));
    const refused = await pacer.admit(GET);
    now = 10;
    pacer.settle(refused, header(0), 1000);
    // A window after the last reading everything it counted has aged out: one request goes to read the count again.
    now = 180_020;
    const t1 = await pacer.admit(GET);
    pacer.settle(t1, header(0));
    const next = pacer.admit(GET);
    assert.equal(await settled(next), false, "the new reading says 0: the next one waits");
  });

  it("one scout per kind of operation at a time; the typical duration is the upper quartile of the last five scouts", () => {
    const pacer = new Pacer(clock);
    const PATCH = "PATCH microsoft.compute/virtualmachinescalesets";
    assert.equal(pacer.claimScout(PATCH), true);
    assert.equal(pacer.claimScout(PATCH), false, "a second operation of the kind is not a scout");
    assert.equal(
      pacer.claimScout("DELETE microsoft.compute/virtualmachinescalesets"),
      true,
      "another kind has its own",
    );
    assert.equal(pacer.typicalDuration(PATCH), undefined);
    pacer.releaseScout(PATCH); // failed: says nothing of the duration
    assert.equal(pacer.typicalDuration(PATCH), undefined);
    for (const ms of [9000, 2000, 2100, 2200, 2300, 2400]) {
      assert.equal(pacer.claimScout(PATCH), true);
      pacer.releaseScout(PATCH, ms);
    }
    assert.equal(pacer.typicalDuration(PATCH), 2300, "the 9 s one is older than the last five");
  });

  it("an aborted wait leaves the queue", async () => {
    now = 0;
    const pacer = new Pacer(clock);
    await pacer.admit(GET);
    const controller = new AbortController();
    const waiting = pacer.admit(GET, controller.signal);
    controller.abort(new Error("stop"));
    await assert.rejects(waiting, /stop/);
  });
});
