/**
 * The plugin's voice (plugin/engineLog.ts) against a gRPC server speaking the engine's Log service
 * (`@pulumi/pulumi/proto` EngineService), the part of the Pulumi engine it calls: a slow answer for one resource's
 * message delays only that resource's answer to the engine, not another resource's.
 */
import assert from "node:assert/strict";
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as engineproto from "@pulumi/pulumi/proto/engine_pb";
import { EngineLog } from "../../plugin/engineLog";
import { emptyproto, grpc } from "../../plugin/pulumiDeps";

describe("EngineLog: each resource's messages flush on their own", function () {
  this.timeout(20_000);
  let server: InstanceType<typeof grpc.Server>;
  let address: string;
  const received: string[] = [];

  before(async () => {
    server = new grpc.Server();
    server.addService(enginerpc.EngineService, {
      log(call: { request: engineproto.LogRequest }, callback: (err: null, value: unknown) => void) {
        const { request } = call;
        received.push(`${request.getUrn()}: ${request.getMessage()}`);
        // The engine is slow to take the first resource's message.
        const delay = request.getUrn().endsWith("slow") ? 1_500 : 0;
        setTimeout(() => callback(null, new emptyproto.Empty()), delay);
      },
    } as never);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    address = `127.0.0.1:${port}`;
  });
  after(() => server?.forceShutdown());

  it("answers for a resource once its own messages are in, whatever another resource's wait", async () => {
    const log = new EngineLog(() => address);
    log.sinkFor("urn:slow").message("info", "plan of the slow one");
    log.sinkFor("urn:fast").message("warning", "warning of the fast one");
    const started = Date.now();
    await log.flushed("urn:fast");
    const fast = Date.now() - started;
    await log.flushed("urn:slow");
    const slow = Date.now() - started;
    assert.ok(fast < 1_000, `the fast resource waited ${fast} ms for the slow one's message`);
    assert.ok(slow >= 1_400, `the slow resource answered after ${slow} ms, before its message was in`);
    assert.deepEqual(received.sort(), ["urn:fast: warning of the fast one", "urn:slow: plan of the slow one"]);
  });
});
