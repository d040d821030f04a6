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
 * 4. plan lines and warnings reach the scope's sink as kept messages of the right severity;
 * 5. a door's cancellation (the plugin's `Cancel`: the scope's signal) ends a budget hold at once: the resource's
 *    operation fails saying which wait it interrupted and that nothing more was sent, and nothing was;
 * 6. a PATCH that ARM accepted before the cancellation is followed a little longer (`cancelGraceMs`): an operation
 *    that ends within it ends the call truly; one that does not is reported as accepted and possibly still running;
 * 7. outside any scope (the dynamic provider, whose host ignores the engine's Cancel), the cancellation is the
 *    engine's going away: a process whose parent exits sees it abort (a real process tree, no engine needed).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { resetPacers } from "../../provider/arm";
import { ArmClient } from "../../provider/arm/client";
import { resolveCloud } from "../../provider/arm/clouds";
import { getCredential } from "../../provider/arm/credential";
import {
  currentCancellation,
  reportTransportEvent,
  withMessages,
  type MessageSink,
  type MessageSeverity,
  type StatusMessage,
} from "../../provider/progress";
import * as runtime from "../../provider/runtime";
import { closeSharedClients, getSharedClient, getSharedDispatcher } from "../../provider/sharedClients";
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

  it("labels the dynamic provider's stderr lines by what the resource declares", async () => {
    const scaleSetId = await createScaleSet(world, "rg", `vmss${++counter}`);
    world.emulator.admin.injectFault({ method: "PATCH", count: 1, kind: "throttle", retryAfterSeconds: 1 });
    const inputs = runtime.check({}, { scaleSetId, userAssignedIdentities: [identity], systemAssigned: true }).inputs;
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof write;
    try {
      await runtime.labelled(inputs, () => runtime.create(inputs, { client: client(), info: () => undefined }));
    } finally {
      process.stderr.write = write;
    }
    assert.deepEqual(written, [
      `VmssManagedIdentity (app-identity, system-assigned): retrying PATCH ${scaleSetId} in 1.0 s (retry 1): ` +
        "throttled (HTTP 429)\n",
    ]);
  });

  it("tells an operation that runs past the notice time, once when noticed and once when it ends", async () => {
    const scaleSetId = await createScaleSet(world, "rg", `vmss${++counter}`);
    world.emulator.admin.setOperationDuration(1_500);
    try {
      const row = new Recorder(true);
      const stream = new Recorder(false);
      const quietStream = new Recorder(false);
      const other = await createScaleSet(world, "rg", `vmss${++counter}`);
      const third = await createScaleSet(world, "rg", `vmss${++counter}`);
      await Promise.all([
        withMessages(row, () => create(scaleSetId), { noticeAfterMs: 300 }),
        withMessages(stream, () => create(other), { noticeAfterMs: 300, streamOperationNoticeMs: 300 }),
        // A plain stream's default: an operation is worth a line from 30 s on, not at every scale set write.
        withMessages(quietStream, () => create(third), { noticeAfterMs: 300 }),
      ]);
      assert.deepEqual(quietStream.shown(), []);
      const shown = row.shown();
      assert.equal(shown.length, 2, shown.join("\n"));
      assert.match(shown[0], /^start: operation running 0\.[3-4] s$/);
      assert.match(shown[1], /^end: operation succeeded after 1\.[5-9] s$/);
      const lines = stream.shown();
      assert.equal(lines.length, 2, lines.join("\n"));
      assert.match(lines[0], new RegExp(`^start: operation of PATCH ${esc(other)} running 0\\.[3-4] s$`));
      assert.match(lines[1], new RegExp(`^end: operation of PATCH ${esc(other)} succeeded after 1\\.[5-9] s$`));

      // A poll that itself fails says nothing of the operation: "could not follow", not "failed".
      const unfollowed = await createScaleSet(world, "rg", `vmss${++counter}`);
      world.emulator.admin.injectFault({
        method: "GET",
        pathPattern: "/operations/",
        count: 1,
        kind: "status",
        status: 400,
      });
      const lost = new Recorder(true);
      // (The runtime may still end well: it reads the scale set again after a 400.)
      await withMessages(lost, () => create(unfollowed), { noticeAfterMs: 1 }).catch(() => undefined);
      assert.match(
        lost
          .shown()
          .filter((l) => l.startsWith("end: ") && l.includes("operation"))
          .join("\n"),
        /^end: could not follow the operation after \d\.\d s: it may still be running$/,
      );
    } finally {
      world.emulator.admin.setOperationDuration(20);
    }
  });

  it("tells a write queued behind another write to the same scale set, to the resource that waits", async () => {
    const scaleSetId = await createScaleSet(world, "rg", `vmss${++counter}`);
    const other = await createIdentity(world, "rg", `ops-identity${counter}`);
    world.emulator.admin.setOperationDuration(1_000);
    try {
      const first = new Recorder(true);
      const second = new Recorder(false);
      const app = withMessages(first, () => create(scaleSetId), { noticeAfterMs: 300 });
      await new Promise((resolve) => setTimeout(resolve, 50)); // the first holds the scale set's lock
      const ops = withMessages(
        second,
        () =>
          runtime.create(runtime.check({}, { scaleSetId, userAssignedIdentities: [other] }).inputs, {
            client: client(),
          }),
        { noticeAfterMs: 300 },
      );
      await Promise.all([app, ops]);
      const lines = second.shown().filter((l) => l.includes("another write"));
      assert.equal(lines.length, 2, second.shown().join("\n"));
      assert.match(
        lines[0],
        new RegExp(
          `^start: waiting for another write to ${esc(scaleSetId)} in this deployment to finish \\(0\\.[3-4] s so far\\)$`,
        ),
      );
      assert.match(
        lines[1],
        new RegExp(
          `^end: waited (0\\.[89]|1\\.\\d) s for another write to ${esc(scaleSetId)} in this deployment to finish$`,
        ),
      );
      assert.ok(!first.shown().some((l) => l.includes("another write")), "the resource that writes did not wait");
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
      assert.match(
        shown[1],
        /^end: stopped waiting for Compute's GetVMScaleSet3Min budget after 0\.[2-4] s: nothing was sent$/,
      );
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

  it("ends a budget hold at once when the door cancels, says what it interrupted, and sends nothing more", async () => {
    const spent = await createScaleSet(world, "rg", `vmss${++counter}`);
    const held = await createScaleSet(world, "rg", `vmss${++counter}`);
    world.emulator.admin.setRateLimits({
      computePolicies: [{ name: "GetVMScaleSet3Min", appliesTo: "getScaleSet", limit: 1, windowSeconds: 180 }],
    });
    resetPacers();
    try {
      const arm = client();
      await withMessages(new Recorder(true), () =>
        arm.request({ method: "GET", path: spent, apiVersion: "2024-11-01" }),
      );
      world.emulator.admin.clearRequests();
      const row = new Recorder(true);
      const cancel = new AbortController();
      const started = Date.now();
      const outcome = withMessages(row, () => create(held), { signal: cancel.signal }).then(
        () => undefined,
        (e: Error & { code?: string }) => e,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      cancel.abort(new Error("the engine cancelled the operation (Ctrl-C)"));
      const error = await outcome;
      const tookMs = Date.now() - started;
      assert.ok(error, "the create failed");
      assert.equal(error.code, "RequestAborted");
      assert.match(
        error.message,
        new RegExp(
          `^the read before assigning identities to ${esc(held)} failed: RequestAborted: cancelled after waiting ` +
            `0\\.[3-6] s of 1(79|80) s for Compute's GetVMScaleSet3Min budget before the GET; nothing more was sent`,
        ),
      );
      assert.ok(tookMs < 2_000, `the hold ended with the cancellation, not with its budget (${tookMs} ms)`);
      const shown = row.shown();
      assert.match(shown[0], /^start: waiting 1(79|80) s for Compute's GetVMScaleSet3Min budget$/);
      assert.match(
        shown[shown.length - 1],
        /^end: stopped waiting for Compute's GetVMScaleSet3Min budget after 0\.[3-6] s: nothing was sent$/,
      );
      assert.deepEqual(
        world.emulator.admin.requests().filter((r) => r.path.toLowerCase().includes(held.split("/").pop()!)),
        [],
        "nothing about the held scale set reached ARM",
      );
    } finally {
      world.emulator.admin.setRateLimits({ computePolicies: [] });
      resetPacers();
    }
  });

  it("follows a PATCH that ARM accepted before the cancellation for its grace, then says it may still complete", async () => {
    const cloud = resolveCloud({ endpoint: world.emulator.url });
    const env = world.emulator.clientEnv();
    const graced = (cancelGraceMs?: number) =>
      new ArmClient({
        cloud,
        credential: getCredential(cloud, env),
        dispatcher: getSharedDispatcher(cloud, env),
        pollIntervalMs: 50,
        onEvent: reportTransportEvent,
        cancellation: currentCancellation,
        cancelGraceMs,
      });
    /** Creates with `arm`, cancelling once the PATCH is in; the create's outcome. */
    const cancelledCreate = async (arm: ArmClient, scaleSetId: string) => {
      const cancel = new AbortController();
      const inputs = runtime.check({}, { scaleSetId, userAssignedIdentities: [identity] }).inputs;
      const outcome = withMessages(new Recorder(true), () => runtime.create(inputs, { client: arm }), {
        signal: cancel.signal,
      }).then(
        (done) => ({ done }),
        (error: Error & { code?: string }) => ({ error }),
      );
      const name = scaleSetId.split("/").pop()!;
      while (!world.emulator.admin.requests().some((r) => r.method === "PATCH" && r.path.endsWith(name))) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      cancel.abort(new Error("the engine cancelled the operation (Ctrl-C)"));
      return outcome;
    };
    world.emulator.admin.setOperationDuration(600);
    try {
      // An operation that ends within the grace: the create succeeds, its state true.
      const quick = await createScaleSet(world, "rg", `vmss${++counter}`);
      const ended = await cancelledCreate(graced(), quick);
      assert.ok("done" in ended, `the create ended within its grace: ${"error" in ended ? ended.error.message : ""}`);
      assert.deepEqual(lower(ended.done.outs.userAssignedIdentities), lower([identity]));

      // One that does not: the error says ARM has it and how to learn its outcome; ARM does complete it.
      const slow = await createScaleSet(world, "rg", `vmss${++counter}`);
      const left = await cancelledCreate(graced(200), slow);
      assert.ok("error" in left, "the create was left to ARM");
      assert.equal(left.error.code, "RequestAborted");
      assert.match(
        left.error.message,
        new RegExp(
          `^assigning identities to ${esc(slow)} failed: RequestAborted: cancelled while following the operation of ` +
            `the PATCH \\([\\d.]+ s so far\\): the PATCH was accepted by ARM \\(HTTP 20[02]\\) and its operation had ` +
            `not ended 0\\.2 s after the cancellation; it may still complete: read the resource to learn its outcome ` +
            `\\(PATCH ${esc(slow)}.*\\)\\. The change may still complete: run \`pulumi refresh\``,
        ),
      );
      // Reported as created but not initialised (the plugin records it so), with the state read before the PATCH.
      const partial = left.error as Error & { id?: string; properties?: { scaleSetId?: string } };
      assert.equal(partial.id, `${slow}#managedIdentity`);
      assert.equal(partial.properties?.scaleSetId, slow);
      await new Promise((resolve) => setTimeout(resolve, 700));
      const after = await runtime.read(
        { scaleSetId: slow, mode: "additive", userAssignedIdentities: [identity] },
        { client: graced() },
      );
      assert.deepEqual(lower(after?.userAssignedIdentities), lower([identity]), "ARM completed the accepted PATCH");
    } finally {
      world.emulator.admin.setOperationDuration(20);
    }
  });

  it("outside a scope, ends the waits of a process whose engine is gone", function () {
    this.timeout(30_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmss-orphan-"));
    const ready = path.join(dir, "ready");
    const aborted = path.join(dir, "aborted");
    try {
      // The "provider": reads the cancellation outside any scope, says it is ready, and records its abort.
      const provider = [
        `const { currentCancellation } = require(${JSON.stringify(path.resolve(__dirname, "../../provider/progress"))});`,
        `const fs = require("node:fs");`,
        `const signal = currentCancellation();`,
        `signal.addEventListener("abort", () => { fs.writeFileSync(${JSON.stringify(aborted)}, signal.reason.message); process.exit(0); });`,
        `fs.writeFileSync(${JSON.stringify(ready)}, "");`,
        `setTimeout(() => process.exit(2), 20000);`,
      ].join("\n");
      // The "engine": starts the provider, waits until it is ready, and exits, leaving it behind.
      const engine = [
        `const { spawn } = require("node:child_process");`,
        `const fs = require("node:fs");`,
        `spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", ${JSON.stringify(provider)}], { detached: true, stdio: "ignore" }).unref();`,
        `const wait = () => (fs.existsSync(${JSON.stringify(ready)}) ? process.exit(0) : setTimeout(wait, 50));`,
        `wait();`,
      ].join("\n");
      execFileSync(process.execPath, ["-e", engine], { cwd: path.resolve(__dirname, "../.."), timeout: 20_000 });
      const deadline = Date.now() + 10_000;
      while (!fs.existsSync(aborted) && Date.now() < deadline) execFileSync("sleep", ["0.1"]);
      assert.equal(fs.readFileSync(aborted, "utf8"), "the Pulumi engine that started this provider exited");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
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

/** ARM IDs compared as ARM does: without regard to case. */
function lower(ids: string[] | undefined): string[] | undefined {
  return ids?.map((id) => id.toLowerCase());
}

function esc(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
