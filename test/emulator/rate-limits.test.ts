// ARM's and Compute's budgets as the emulator enforces them by default (docs/arm-behavior.md "Throttling"):
//  1. every ARM response says what the caller's subscription bucket has left, for reads, writes and deletes;
//  2. scale set GETs and operation polls also carry Compute's policies in x-ms-ratelimit-remaining-resource;
//  3. a spent Compute policy is 429 OperationNotAllowed naming it, with the Retry-After after which it has room;
//  4. an empty subscription bucket is 429 SubscriptionRequestsThrottled;
//  5. Compute PATCH responses and operation polls carry no Retry-After unless a test asks for one.
import assert from "node:assert/strict";
import { request } from "undici";
import { ARM_RATE_LIMITS } from "vmss-identity-emulator";
import {
  createGroup,
  groupPath,
  howToScaleSetBody,
  scaleSetPath,
  startHarness,
  writeAndWait,
  type Harness,
} from "./support/harness";

describe("emulator: ARM's and Compute's budgets by default", function () {
  let h: Harness;
  let path: string;

  before(async function () {
    h = await startHarness({ opDurationMs: 0 });
    path = scaleSetPath(h.sub, "rg", "vmss");
  });
  beforeEach(async function () {
    h.emulator.admin.reset();
    await createGroup(h, "rg");
    await writeAndWait(h, "PUT", path, { body: howToScaleSetBody(h.sub) });
  });
  after(() => h.close());

  it("defaults are ARM's sizes: reads 250/25 s, writes 200/10 s, deletes 200/10 s, and the four Compute policies", function () {
    assert.deepEqual(h.emulator.admin.rateLimits(), ARM_RATE_LIMITS);
    assert.deepEqual(
      ARM_RATE_LIMITS.computePolicies.map((p) => `${p.name} ${p.limit}/${p.windowSeconds}s`),
      [
        "GetVMScaleSet3Min 200/180s",
        "GetVMScaleSet30Min 1300/1800s",
        "GetOperation3Min 50000/180s",
        "GetOperation30Min 400000/1800s",
      ],
    );
  });

  it("a scale set GET counts one read and one request of each GetVMScaleSet policy; the headers say what is left", async function () {
    const first = await h.arm("GET", path);
    const second = await h.arm("GET", path);
    assert.equal(first.status, 200);
    assert.equal(
      first.headers["x-ms-ratelimit-remaining-resource"],
      "Microsoft.Compute/GetVMScaleSet3Min;199,Microsoft.Compute/GetVMScaleSet30Min;1299",
    );
    assert.equal(
      second.headers["x-ms-ratelimit-remaining-resource"],
      "Microsoft.Compute/GetVMScaleSet3Min;198,Microsoft.Compute/GetVMScaleSet30Min;1298",
    );
    const reads = Number(second.headers["x-ms-ratelimit-remaining-subscription-reads"]);
    assert.ok(reads < Number(first.headers["x-ms-ratelimit-remaining-subscription-reads"]) + 1 && reads <= 250);
  });

  it("a PATCH answers without Retry-After and counts a write; its operation polls count GetOperation, without Retry-After", async function () {
    h.emulator.admin.setOperationDuration(60_000);
    h.emulator.admin.setRateLimits({}); // every counter full again: the set-up polled the creation
    const patch = await h.arm("PATCH", path, { body: { tags: { a: "b" } } });
    assert.equal(patch.status, 200);
    assert.equal(patch.headers["retry-after"], undefined);
    assert.match(patch.headers["x-ms-ratelimit-remaining-subscription-writes"], /^\d+$/);
    assert.equal(patch.headers["x-ms-ratelimit-remaining-resource"], undefined, "no Compute policy counts a PATCH");
    const poll = await h.arm("GET", new URL(patch.headers["azure-asyncoperation"]).pathname);
    assert.equal(poll.body.status, "InProgress");
    assert.equal(poll.headers["retry-after"], undefined);
    assert.equal(
      poll.headers["x-ms-ratelimit-remaining-resource"],
      "Microsoft.Compute/GetOperation3Min;49999,Microsoft.Compute/GetOperation30Min;399999",
    );
    h.emulator.admin.setRetryAfter(7);
    const asked = await h.arm("GET", new URL(patch.headers["azure-asyncoperation"]).pathname);
    assert.equal(asked.headers["retry-after"], "7", "setRetryAfter(7) asks for one by name");
    h.emulator.admin.finishOperations();
  });

  it("a DELETE counts a delete: x-ms-ratelimit-remaining-subscription-deletes", async function () {
    const deleted = await h.arm("DELETE", path);
    assert.equal(deleted.status, 202);
    assert.equal(deleted.headers["x-ms-ratelimit-remaining-subscription-deletes"], "199");
    assert.equal(deleted.headers["retry-after"], undefined);
  });

  it("a spent GetVMScaleSet3Min is 429 OperationNotAllowed naming the policy, with the Retry-After until it has room", async function () {
    h.emulator.admin.setRateLimits({
      computePolicies: [{ name: "GetVMScaleSet3Min", appliesTo: "getScaleSet", limit: 3, windowSeconds: 180 }],
    });
    for (const left of [2, 1, 0]) {
      const ok = await h.arm("GET", path);
      assert.equal(
        ok.headers["x-ms-ratelimit-remaining-resource"],
        `Microsoft.Compute/GetVMScaleSet3Min;${left},Microsoft.Compute/GetVMScaleSet30Min;${1297 + left}`,
      );
    }
    const throttled = await h.arm("GET", path);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.body.error.code, "OperationNotAllowed");
    assert.equal(
      throttled.body.error.message,
      "The server rejected the request because too many requests have been received for this subscription.",
    );
    const [detail] = throttled.body.error.details;
    assert.equal(detail.code, "TooManyRequests");
    assert.equal(detail.target, "GetVMScaleSet3Min");
    const window = JSON.parse(detail.message);
    assert.equal(window.operationGroup, "GetVMScaleSet3Min");
    assert.equal(window.allowedRequestCount, 3);
    assert.equal(window.measuredRequestCount, 4);
    const retryAfter = Number(throttled.headers["retry-after"]);
    assert.ok(retryAfter >= 179 && retryAfter <= 180, `Retry-After ${retryAfter}`);
    assert.equal(
      throttled.headers["x-ms-ratelimit-remaining-resource"],
      "Microsoft.Compute/GetVMScaleSet3Min;0,Microsoft.Compute/GetVMScaleSet30Min;1297",
      "a refused request is not counted",
    );
    const list = await h.arm("GET", `${groupPath(h.sub, "rg")}/providers/Microsoft.Compute/virtualMachineScaleSets`);
    assert.equal(list.status, 200, "a list is not a scale set GET");
  });

  it("an empty subscription read bucket is 429 SubscriptionRequestsThrottled for reads; writes go on", async function () {
    h.emulator.admin.setRateLimits({ subscriptionReads: { capacity: 2, refillPerSecond: 0 } });
    assert.equal((await h.arm("GET", path)).headers["x-ms-ratelimit-remaining-subscription-reads"], "1");
    assert.equal((await h.arm("GET", path)).headers["x-ms-ratelimit-remaining-subscription-reads"], "0");
    const throttled = await h.arm("GET", path);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.body.error.code, "SubscriptionRequestsThrottled");
    assert.match(throttled.body.error.message, /^Number of 'read' requests for subscription '[0-9a-f-]{36}' exceeded/);
    assert.equal(throttled.headers["retry-after"], "3600");
    assert.equal((await h.arm("PATCH", path, { body: { tags: {} } })).status, 200);
  });

  it("PUT /_emulator/rate-limits and setRateLimits merge computePolicies by name over those in force", async function () {
    const names = () =>
      h.emulator.admin.rateLimits().computePolicies.map((p) => `${p.name} ${p.limit}/${p.windowSeconds}s`);
    // 1. Over HTTP: one window changes, in its place; the other three stay.
    const put = await request(`${h.emulator.url}/_emulator/rate-limits`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        computePolicies: [{ name: "GetVMScaleSet3Min", appliesTo: "getScaleSet", limit: 5, windowSeconds: 60 }],
      }),
    });
    await put.body.dump();
    assert.equal(put.statusCode, 204);
    assert.deepEqual(names(), [
      "GetVMScaleSet3Min 5/60s",
      "GetVMScaleSet30Min 1300/1800s",
      "GetOperation3Min 50000/180s",
      "GetOperation30Min 400000/1800s",
    ]);
    // 2. A removal by name (any casing) and a new policy, added after the others; the budgets it leaves out stay.
    h.emulator.admin.setRateLimits({
      subscriptionReads: { capacity: 100, refillPerSecond: 10 },
      computePolicies: [
        { name: "getvmscaleset30min", remove: true },
        { name: "GetVMScaleSet1Min", appliesTo: "getScaleSet", limit: 2, windowSeconds: 60 },
      ],
    });
    assert.deepEqual(names(), [
      "GetVMScaleSet3Min 5/60s",
      "GetOperation3Min 50000/180s",
      "GetOperation30Min 400000/1800s",
      "GetVMScaleSet1Min 2/60s",
    ]);
    h.emulator.admin.setRateLimits({ subscriptionWrites: null });
    assert.equal(names().length, 4, "a change without computePolicies keeps them");
    assert.deepEqual(h.emulator.admin.rateLimits().subscriptionReads, { capacity: 100, refillPerSecond: 10 });
    const got = await h.arm("GET", path);
    assert.equal(
      got.headers["x-ms-ratelimit-remaining-resource"],
      "Microsoft.Compute/GetVMScaleSet3Min;4,Microsoft.Compute/GetVMScaleSet1Min;1",
    );
    // 3. Bad changes are refused, naming the entry, and change nothing.
    const before = h.emulator.admin.rateLimits();
    assert.throws(
      () => h.emulator.admin.setRateLimits({ computePolicies: [{ name: "GetVMScaleSet30Min", remove: true }] }),
      {
        message:
          'rateLimits.computePolicies[0].name: no policy "GetVMScaleSet30Min" is in force to remove; expected one of ' +
          "GetVMScaleSet3Min, GetOperation3Min, GetOperation30Min, GetVMScaleSet1Min",
      },
    );
    const bad = (computePolicies: unknown) => () =>
      h.emulator.admin.setRateLimits({ computePolicies } as Parameters<typeof h.emulator.admin.setRateLimits>[0]);
    assert.throws(
      bad([
        { name: "GetOperation3Min", remove: true },
        { name: "getoperation3min", appliesTo: "getOperation", limit: 1, windowSeconds: 1 },
      ]),
      { message: 'rateLimits.computePolicies[1].name: "getoperation3min" is given twice; expected each policy once' },
    );
    assert.throws(bad([{ name: "GetOperation3Min", remove: false }]), {
      message:
        'rateLimits.computePolicies[0]: expected { name, remove: true } to remove a policy, got {"name":"GetOperation3Min","remove":false}',
    });
    assert.throws(bad(null), {
      message:
        "rateLimits.computePolicies: expected an array of policies (merged by name; [] removes them all), got null",
    });
    assert.deepEqual(h.emulator.admin.rateLimits(), before);
    // 4. An empty list removes every policy: Compute's throttling is off.
    h.emulator.admin.setRateLimits({ computePolicies: [] });
    assert.deepEqual(names(), []);
    assert.equal((await h.arm("GET", path)).headers["x-ms-ratelimit-remaining-resource"], undefined);
  });

  it("setRateLimits refuses a bad spec naming the property and changes nothing", function () {
    const before = h.emulator.admin.rateLimits();
    assert.throws(
      () => h.emulator.admin.setRateLimits({ subscriptionReads: { capacity: 0, refillPerSecond: 1 } }),
      /rateLimits\.subscriptionReads\.capacity: expected an integer >= 1, got 0/,
    );
    assert.throws(
      () =>
        h.emulator.admin.setRateLimits({
          computePolicies: [{ name: "X", appliesTo: "getVm" as never, limit: 1, windowSeconds: 1 }],
        }),
      /rateLimits\.computePolicies\[0\]\.appliesTo: expected "getScaleSet" or "getOperation", got "getVm"/,
    );
    assert.deepEqual(h.emulator.admin.rateLimits(), before);
  });
});
