/**
 * The plugin's voice: the engine's Log service (pulumi/pulumi proto/pulumi/engine.proto `Engine.Log`). The engine
 * hides a resource plugin's stderr (it shows it only in verbose logs), so everything the user should see goes here,
 * on the URN of the resource it is about:
 * - plan lines (severity info) and warnings (warning), kept: the engine lists them under the resource in the
 *   "Diagnostics" section and as diagnostic events;
 * - the status of a wait (a retry, a hold for a budget, an operation still running) as an ephemeral message, one
 *   stream per wait (`streamId`): the engine shows it on the resource's row while it is in progress and keeps none
 *   of it once the resource is done.
 * The messages of one resource are sent one after another (the engine handles concurrent calls in any order), those
 * of different resources independently; a door awaits {@link EngineLog.flushed} for its resource before answering the
 * engine, so what a step said is in before the step ends, and a slow Log call delays only its own resource.
 */
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineproto from "@pulumi/pulumi/proto/engine_pb";
import type { MessageSink } from "../provider/progress";
import { grpc } from "./pulumiDeps";

/** How long one Log call may take before it is given up, ms. */
const LOG_DEADLINE_MS = 10_000;

interface Entry {
  severity: engineproto.LogSeverity;
  message: string;
  urn: string;
  ephemeral: boolean;
  streamId: number;
}

/** The engine's Log service, for one plugin process. */
export class EngineLog {
  private client: enginerpc.EngineClient | undefined;
  private clientAddress: string | undefined;
  /** Per URN: the last message sent or queued. Dropped once it is answered and nothing follows it. */
  private readonly tails = new Map<string, Promise<void>>();

  /** @param address the engine's gRPC address as the plugin knows it now (it may change on `Attach`). */
  constructor(private readonly address: () => string | undefined) {}

  /** The sink of one operation on the resource `urn` (provider/progress.ts). */
  sinkFor(urn: string): MessageSink {
    return {
      rows: true,
      message: (severity, text) =>
        this.log({
          severity: severity === "warning" ? engineproto.LogSeverity.WARNING : engineproto.LogSeverity.INFO,
          message: text,
          urn,
          ephemeral: false,
          streamId: 0,
        }),
      status: (status) =>
        this.log({
          severity: engineproto.LogSeverity.INFO,
          message: status.text,
          urn,
          ephemeral: true,
          streamId: status.waitId,
        }),
    };
  }

  /** Resolves once every message logged so far on `urn` has been answered by the engine (or given up). */
  flushed(urn: string): Promise<void> {
    return this.tails.get(urn) ?? Promise.resolve();
  }

  private log(entry: Entry): void {
    const tail = (this.tails.get(entry.urn) ?? Promise.resolve()).then(() => this.send(entry));
    this.tails.set(entry.urn, tail);
    void tail.then(() => this.tails.get(entry.urn) === tail && this.tails.delete(entry.urn));
  }

  private send(entry: Entry): Promise<void> {
    const address = this.address();
    if (address === undefined || address === "") return Promise.resolve(fallback(entry));
    if (this.client === undefined || this.clientAddress !== address) {
      this.client?.close();
      this.client = new enginerpc.EngineClient(address, grpc.credentials.createInsecure());
      this.clientAddress = address;
    }
    const request = new engineproto.LogRequest();
    request.setSeverity(entry.severity);
    request.setMessage(entry.message);
    request.setUrn(entry.urn);
    request.setEphemeral(entry.ephemeral);
    request.setStreamid(entry.streamId);
    const client = this.client;
    return new Promise((resolve) => {
      client.log(request, new grpc.Metadata(), { deadline: Date.now() + LOG_DEADLINE_MS }, (err) => {
        if (err) fallback(entry);
        resolve();
      });
    });
  }
}

/** Without the engine, a kept message goes to stderr (visible in the engine's verbose logs); a status is dropped. */
function fallback(entry: Entry): void {
  if (entry.ephemeral) return;
  const prefix = entry.severity === engineproto.LogSeverity.WARNING ? "warning: " : "";
  process.stderr.write(`${prefix}${entry.message}\n`);
}
