/**
 * What the user is told while ARM makes a resource wait (provider/progress.ts), from the transport's real events:
 * the process-wide client of provider/sharedClients.ts (its `onEvent` is progress.ts's), the emulator over https,
 * the real @azure/identity. Each case runs resource operations inside message scopes as a door does, and checks:
 * 1. a throttled PATCH (an injected 429, `Retry-After: 1`) is told to its own resource only, not to another
 *    resource changing at the same time: on a row as it starts and ends, on a plain stream in one line;
 * 2. an operation that runs past the notice time (`setOperationDuration`, `noticeAfterMs`: the settings this test
 *    names to stay short) is told when noticed and when it ends;
 * 3. a hold of the pacer for Compute's `GetVMScaleSet3Min` (the emulator's policy set to 1 GET per 3 minutes, its
 *    real window) says which budget and how long (about 180 s), and that it stopped when its call was aborted;
 * 4. plan lines and warnings reach the scope's sink as kept messages of the right severity.
 */
import assert from "node:assert/strict";
import { resetPacers } from "../../provider/arm";
import { resolveCloud } from "../../provider/arm/clouds";
import { withMessages, type MessageSink, type MessageSeverity, type StatusMessage } from "../../provider/progress";
import * as runtime from "../../provider/runtime";
import { closeSharedClients, getSharedClient } from "../../provider/sharedClients";
import { createIdentity, createResourceGroup, createScaleSet, startWorld, type World } from "../support/world";

/** A sink that records what a door would show. */
class Recorder implements MessageSink {
  readonly statuses: StatusMessage[] = [];
  readonly messages: { severity: MessageSeverity; text: string }[] = [];
  constructor(readonly rows: boolean) {}
  message(severity: MessageSeverity, text: string): void {
    this.messages.push({ severity, text });
  }
  status(message: StatusMessage): void {
    this.statuses.push(message);
  }
  /** What a row showed (`text`), or a stream printed (`line`), in order. */
  shown(): string[] {
    return this.statuses.map((s) => `${s.phase}: ${this.rows ? s.text : s.line}`);
  }
}

describe("progress: transport events become the user's messages", function () {
  this.timeout(60_000);
  let world: World;
  let identity: string;
  let counter = 0;
  const client = () =>
    getSharedClient(resolveCloud({ endpoint: world.emulator.url }), {
      ...world.emulator.clientEnv(),
      VMSS_IDENTITY_ARM_POLL_INTERVAL_MS: "50",
    });
  const create = (scaleSetId: string) =>
    runtime.create(runtime.check({}, { scaleSetId, userAssignedIdentities: [identity] }).inputs, { client: client() });

  before(async () => {
    resetPacers();
    world = await startWorld();
    await createResourceGroup(world, "rg");
    identity = await createIdentity(world, "rg", "app-identity");
  });
  after(async () => {
    await closeSharedClients();
    resetPacers();
    await world?.close();
  });
  beforeEach(() => world.emulator.admin.clearFaults());

  it("tells a retry to the resource whose PATCH was throttled, and to no other", async () => {
    const throttled = await createScaleSet(world, "rg", `vmss${++counter}`);
    const other = await createScaleSet(world, "rg", `vmss${++counter}`);
    world.emulator.admin.injectFault({
      method: "PATCH",
      pathPattern: `${throttled.split("/").pop()}$`,
      count: 1,
      kind: "throttle",
      retryAfterSeconds: 1,
    });
    const row = new Recorder(true);
    const quiet = new Recorder(true);
    await Promise.all([withMessages(row, () => create(throttled)), withMessages(quiet, () => create(other))]);
    assert.deepEqual(row.shown(), [
      "start: retrying PATCH in 1.0 s (retry 1): throttled (HTTP 429)",
      "end: retried PATCH after 1.0 s (retry 1): throttled (HTTP 429)",
    ]);
    assert.equal(new Set(row.statuses.map((s) => s.waitId)).size, 1, "one wait, one stream");
    assert.deepEqual(quiet.statuses, [], "the other resource heard nothing of it");

    // A plain stream (the dynamic provider's stderr): one line naming the request; a short wait has no end line.
    const stream = new Recorder(false);
    const again = await createScaleSet(world, "rg", `vmss${++counter}`);
    world.emulator.admin.injectFault({ method: "PATCH", count: 1, kind: "throttle", retryAfterSeconds: 1 });
    await withMessages(stream, () => create(again));
    assert.deepEqual(stream.shown(), [`start: retrying PATCH ${again} in 1.0 s (retry 1): throttled (HTTP 429)`]);
  });

  it("tells an operation that runs past the notice time, once when noticed and once when it ends", async () => {
    const scaleSetId = await createScaleSet(world, "rg", `vmss${++counter}`);
    world.emulator.admin.setOperationDuration(1_500);
    try {
      const row = new Recorder(true);
      const stream = new Recorder(false);
      const other = await createScaleSet(world, "rg", `vmss${++counter}`);
      await Promise.all([
        withMessages(row, () => create(scaleSetId), { noticeAfterMs: 300 }),
        withMessages(stream, () => create(other), { noticeAfterMs: 300 }),
      ]);
      const shown = row.shown();
      assert.equal(shown.length, 2, shown.join("\n"));
      assert.match(shown[0], /^start: operation running 0\.[3-4] s$/);
      assert.match(shown[1], /^end: operation succeeded after 1\.[5-9] s$/);
      const lines = stream.shown();
      assert.equal(lines.length, 2, lines.join("\n"));
      assert.match(lines[0], new RegExp(`^start: operation of PATCH ${esc(other)} running 0\\.[3-4] s$`));
      assert.match(lines[1], new RegExp(`^end: operation of PATCH ${esc(other)} succeeded after 1\\.[5-9] s$`));
    } finally {
      world.emulator.admin.setOperationDuration(20);
    }
  });

  it("says which budget holds a request and for how long, and that it stopped waiting when aborted", async () => {
    const first = await createScaleSet(world, "rg", `vmss${++counter}`);
    const second = await createScaleSet(world, "rg", `vmss${++counter}`);
    // One scale set GET per 3 minutes: Compute's real window, a budget spent by one request.
    world.emulator.admin.setRateLimits({
      computePolicies: [{ name: "GetVMScaleSet3Min", appliesTo: "getScaleSet", limit: 1, windowSeconds: 180 }],
    });
    resetPacers();
    world.emulator.admin.clearRequests();
    try {
      const arm = client();
      await withMessages(new Recorder(true), () =>
        arm.request({ method: "GET", path: first, apiVersion: "2024-11-01" }),
      );
      const row = new Recorder(true);
      const stream = new Recorder(false);
      const rowCall = new AbortController();
      const streamCall = new AbortController();
      const held = [
        withMessages(row, () =>
          arm.request({ method: "GET", path: second, apiVersion: "2024-11-01", signal: rowCall.signal }),
        ),
        withMessages(stream, () =>
          arm.request({ method: "GET", path: first, apiVersion: "2024-11-01", signal: streamCall.signal }),
        ),
      ].map((p) =>
        p.then(
          () => "answered",
          (e: { code?: string }) => e.code,
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      rowCall.abort();
      streamCall.abort();
      assert.deepEqual(await Promise.all(held), ["RequestAborted", "RequestAborted"]);
      const shown = row.shown();
      assert.equal(shown.length, 2, shown.join("\n"));
      assert.match(shown[0], /^start: waiting 1(79|80) s for Compute's GetVMScaleSet3Min budget$/);
      assert.match(shown[1], /^end: stopped waiting for Compute's GetVMScaleSet3Min budget after 0\.[2-4] s$/);
      // A stream says which request waits; its end is not worth a line after a short wait.
      assert.deepEqual(
        stream.shown().map((l) => l.replace(/ 1(79|80) s /, " 180 s ")),
        [`start: waiting 180 s for Compute's GetVMScaleSet3Min budget before GET ${first}`],
      );
      assert.equal(
        world.emulator.admin.requests().filter((r) => r.status === 429).length,
        0,
        "the pacer held back; it did not let ARM refuse",
      );
    } finally {
      world.emulator.admin.setRateLimits({ computePolicies: [] });
      resetPacers();
    }
  });

  it("sends plan lines and warnings to the scope's sink as kept messages of their severity", () => {
    const sink = new Recorder(true);
    const scaleSetId = `/subscriptions/${world.subscriptionId}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/planned`;
    withMessages(sink, () =>
      runtime.check({}, { scaleSetId, userAssignedIdentities: [identity], apiVersion: "2018-04-01" }),
    );
    assert.deepEqual(
      sink.messages.map((m) => m.severity),
      ["info", "warning"],
    );
    assert.match(sink.messages[0].text, new RegExp(`^VmssManagedIdentity plan for ${esc(scaleSetId)}: add `));
    assert.match(
      sink.messages[1].text,
      new RegExp(
        `^VmssManagedIdentity on ${esc(scaleSetId)}: api-version 2018-04-01 sends the whole identityIds array`,
      ),
    );
  });
});

function esc(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
