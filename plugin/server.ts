/**
 * The `vmss-identity` resource provider: Pulumi's ResourceProvider gRPC service (pulumi/pulumi
 * proto/pulumi/provider.proto), implemented directly on the bindings that ship in `@pulumi/pulumi` as Pulumi's guide
 * "Implement a provider in TypeScript" does, because the SDK's `provider.main` cannot return a detailed diff.
 *
 * The engine starts `pulumi-resource-vmss-identity <engine address>` and reads the port from the first line of
 * stdout (plugin/cli.ts). Calls it does not implement (Handshake, GetMapping, Invoke…) answer UNIMPLEMENTED, which
 * the engine treats as "not supported".
 *
 * Secrets: the provider accepts secret values (the engine requires it of a provider that constructs components);
 * they are unwrapped before the runtime sees them and every top-level property that held one is returned as a
 * secret (plugin/secrets.ts); nothing here ever logs a property value.
 *
 * Messages: every call on a resource runs inside its own message scope (provider/progress.ts), whose sink is the
 * engine's Log service on that resource's URN (./engineLog.ts): the plan lines of `check`/`diff` and every warning
 * as kept messages, retries and waits as ephemeral status on the resource's row. The engine hides this process's
 * stderr, so nothing the user should see is written there.
 *
 * Cancellation: the engine calls `Cancel` at the user's first Ctrl-C (pulumi/pulumi
 * pkg/resource/deploy/deployment_executor.go signals every provider), then waits for the operations in flight. Every
 * scope runs under this provider's cancellation signal: `Cancel` ends every wait of every operation at once (a hold
 * for a budget, a retry's sleep, an operation's poll interval), sends nothing more, and the operations fail saying
 * what was interrupted; a write ARM already accepted is followed a little longer, then reported as possibly still
 * running (provider/arm/client.ts `cancellation`). Operations that start after `Cancel` fail before sending anything.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import { withMessages } from "../provider/progress";
import { sharedClientFor } from "../provider/sharedClients";
import type * as runtime from "../provider/runtime";
import {
  type ProviderConfig,
  SECRET_CONFIG_KEYS,
  checkProviderConfig,
  cloudTarget,
  diffProviderConfig,
  providerConfigOf,
} from "./config";
import { EngineLog } from "./engineLog";
import { anyproto, emptyproto, grpc, structproto } from "./pulumiDeps";
import { RESOURCES, type ResourceHandler } from "./resources";
import { schemaOf } from "./schema";
import { unwrapSecrets, wrapSecrets } from "./secrets";

const statusproto = require("@pulumi/pulumi/proto/status_pb") as {
  Status: new () => {
    setCode(c: number): void;
    setMessage(m: string): void;
    addDetails(d: unknown): void;
    serializeBinary(): Uint8Array;
  };
};

type Props = Record<string, unknown>;
interface StructLike {
  toJavaScript(): Props;
}

/** The version of this package, which is the plugin's version. */
export function pluginVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "pulumi-vmss-identity" && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) throw new Error("pulumi-resource-vmss-identity: package.json not found");
  }
}

/** The resource type of a URN (`urn:pulumi:stack::project::parent$type::name`). */
export function typeOfUrn(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop() ?? "";
}

/** An Error that carries the ID and state of a resource created but not fully initialised. */
interface PartialFailure extends Error {
  id?: string;
  properties?: Props;
  reasons?: string[];
}

/** The implementation of the ResourceProvider service. */
export class VmssIdentityProvider {
  private config: ProviderConfig = {};
  private readonly engineLog = new EngineLog(() => this.engineAddress);
  private readonly version = pluginVersion();
  /** Aborted by the engine's `Cancel`: for the rest of this process's life, since the engine is stopping. */
  private readonly cancelled = new AbortController();

  constructor(private engineAddress?: string) {}

  /** The gRPC handlers, by method name, for `server.addService`. */
  handlers(): grpcTypes.UntypedServiceImplementation {
    const unary =
      <Req>(fn: (request: Req) => unknown) =>
      (call: grpcTypes.ServerUnaryCall<Req, unknown>, callback: grpcTypes.sendUnaryData<unknown>) => {
        Promise.resolve()
          .then(() => fn.call(this, call.request))
          .then(
            (value) => callback(null, value),
            (e) => callback(grpcError(e)),
          );
      };
    // A call on one resource: what it says goes to the engine's Log on its URN, and is in before the call answers.
    const onResource = <Req extends { getUrn(): string }>(fn: (request: Req) => unknown) =>
      unary((request: Req) => this.withMessagesOn(request.getUrn(), () => fn.call(this, request)));
    return {
      getPluginInfo: unary(this.getPluginInfo),
      getSchema: unary(this.getSchema),
      checkConfig: unary(this.checkConfig),
      diffConfig: unary(this.diffConfig),
      configure: unary(this.configure),
      check: onResource(this.check),
      diff: onResource(this.diff),
      create: onResource(this.create),
      read: onResource(this.read),
      update: onResource(this.update),
      delete: onResource(this.delete),
      construct: unary((req: provproto.ConstructRequest) => {
        if (!this.engineAddress) throw new Error("Construct needs the engine's address, which was not given");
        // Loaded here: construct runs a Pulumi program (all of @pulumi/pulumi, about 1 s of CPU to load), and only
        // component resources of other languages ask for it.
        const { construct } = require("./construct") as typeof import("./construct");
        return construct(req, this.engineAddress);
      }),
      cancel: unary(() => this.cancel()),
      attach: unary((req: plugproto.PluginAttach) => {
        this.engineAddress = req.getAddress();
        return new emptyproto.Empty();
      }),
    };
  }

  /** The engine's `Cancel` (the user's Ctrl-C): ends every wait in flight, see the module's comment. */
  cancel(): unknown {
    if (!this.cancelled.signal.aborted) this.cancelled.abort(new Error("the engine cancelled the operation (Ctrl-C)"));
    return new emptyproto.Empty();
  }

  getPluginInfo(): plugproto.PluginInfo {
    return new plugproto.PluginInfo().setVersion(this.version);
  }

  getSchema(req: provproto.GetSchemaRequest): provproto.GetSchemaResponse {
    if (req.getVersion() !== 0) throw new Error(`unsupported schema version ${req.getVersion()}`);
    return new provproto.GetSchemaResponse().setSchema(JSON.stringify(schemaOf(this.version)));
  }

  checkConfig(req: provproto.CheckRequest): provproto.CheckResponse {
    // Secret settings go back as secrets whether or not they came as one: the provider's inputs are stored in state.
    const { inputs, failures } = checkProviderConfig(plainOf(req.getNews()).plain);
    return checkResponse(wrapSecrets(inputs, SECRET_CONFIG_KEYS), failures);
  }

  diffConfig(req: provproto.DiffRequest): provproto.DiffResponse {
    const changed = diffProviderConfig(plainOf(req.getOlds()).plain, plainOf(req.getNews()).plain);
    const resp = new provproto.DiffResponse();
    resp.setChanges(changed.length > 0 ? DIFF_SOME : DIFF_NONE);
    resp.setDiffsList(changed);
    return resp;
  }

  configure(req: provproto.ConfigureRequest): provproto.ConfigureResponse {
    // Newer engines send the checked inputs in `args`; older ones only the `variables` map (`pkg:config:key`).
    const args = req.getArgs();
    const settings: Props = args ? plainOf(args).plain : {};
    if (!args) {
      for (const [key, value] of req.getVariablesMap().entries()) settings[key.split(":").pop() ?? key] = value;
    }
    const { inputs, failures } = checkProviderConfig(settings);
    if (failures.length > 0) {
      throw new Error(
        failures.map((f) => (f.property ? `vmss-identity:${f.property}: ${f.reason}` : f.reason)).join("; "),
      );
    }
    this.config = providerConfigOf(inputs);
    const resp = new provproto.ConfigureResponse();
    // Required of a provider that constructs components; values are unwrapped and wrapped again here (./secrets.ts).
    resp.setAcceptsecrets(true);
    resp.setAcceptresources(false);
    resp.setSupportspreview(false);
    return resp;
  }

  check(req: provproto.CheckRequest): provproto.CheckResponse {
    const resource = handler(req.getUrn());
    const news = plainOf(req.getNews());
    const { inputs, failures } = resource.check(plainOf(req.getOlds()).plain, news.plain);
    return checkResponse(wrapSecrets(inputs, secretKeysOf(resource, news.secretKeys)), failures);
  }

  diff(req: provproto.DiffRequest): provproto.DiffResponse {
    const result = handler(req.getUrn()).diff(plainOf(req.getOlds()).plain, plainOf(req.getNews()).plain);
    const { changes, replaces, detailed } = result;
    const resp = new provproto.DiffResponse();
    resp.setChanges(changes ? DIFF_SOME : DIFF_NONE);
    resp.setReplacesList(replaces);
    resp.setDeletebeforereplace(result.deleteBeforeReplace === true);
    const entries = Object.entries(detailed ?? {});
    resp.setDiffsList([...new Set(entries.map(([p]) => p.split("[")[0]))]);
    // Without entries for a change the engine would show an update of nothing: let it derive the diff instead.
    if (detailed !== undefined && (!changes || entries.length > 0)) {
      resp.setHasdetaileddiff(true);
      const map = resp.getDetaileddiffMap();
      for (const [property, change] of entries) {
        const kind = KINDS[change.kind] + (change.replace ? 1 : 0);
        map.set(property, new provproto.PropertyDiff().setKind(kind as provproto.PropertyDiff.Kind));
      }
    }
    return resp;
  }

  async create(req: provproto.CreateRequest): Promise<provproto.CreateResponse> {
    const resource = handler(req.getUrn());
    const inputs = plainOf(req.getProperties());
    const secret = secretKeysOf(resource, inputs.secretKeys);
    const { id, outs } = await withSecrets(secret, () => resource.create(inputs.plain, this.context(inputs.plain)));
    return new provproto.CreateResponse().setId(id).setProperties(toStruct(wrapSecrets(outs, secret)) as never);
  }

  async read(req: provproto.ReadRequest): Promise<provproto.ReadResponse> {
    const resource = handler(req.getUrn());
    const props = plainOf(req.getProperties());
    const resp = new provproto.ReadResponse();
    if (Object.keys(props.plain).length === 0) {
      // `pulumi import` (or the `import` option): only the ID is known.
      const imported = await resource.importFrom(req.getId(), this.context({}));
      const secret = secretKeysOf(resource, []);
      return resp
        .setId(imported.id)
        .setProperties(toStruct(wrapSecrets(imported.outs, secret)) as never)
        .setInputs(toStruct(wrapSecrets(imported.inputs, secret)) as never);
    }
    const outs = await resource.read(props.plain, this.context(props.plain));
    if (outs === undefined) return resp.setId(""); // the scale set is gone: the engine drops the resource
    const secret = secretKeysOf(resource, props.secretKeys);
    resp.setId(req.getId()).setProperties(toStruct(wrapSecrets(outs, secret)) as never);
    const inputs = req.getInputs();
    if (inputs) resp.setInputs(inputs);
    return resp;
  }

  async update(req: provproto.UpdateRequest): Promise<provproto.UpdateResponse> {
    const resource = handler(req.getUrn());
    const news = plainOf(req.getNews());
    const secret = secretKeysOf(resource, news.secretKeys);
    const { outs } = await withSecrets(secret, () =>
      resource.update(plainOf(req.getOlds()).plain, news.plain, this.context(news.plain)),
    );
    return new provproto.UpdateResponse().setProperties(toStruct(wrapSecrets(outs, secret)) as never);
  }

  async delete(req: provproto.DeleteRequest): Promise<unknown> {
    const props = plainOf(req.getProperties()).plain;
    await handler(req.getUrn()).remove(props, this.context(props));
    return new emptyproto.Empty();
  }

  /**
   * The runtime's context: the client of the resource's cloud (its own, else the provider's) and the provider's
   * principal. Warnings and waits reach the engine through the call's message scope ({@link withMessagesOn}).
   */
  private context(props: Props): runtime.RuntimeContext {
    return { client: sharedClientFor({ ...cloudTarget(props, this.config), credentialsPrefix: "vmss-identity:" }) };
  }

  /**
   * Runs a call on the resource `urn` with its messages going to the engine's Log service on that URN, and answers
   * once the engine has them (a failed call too).
   */
  private async withMessagesOn<T>(urn: string, call: () => T): Promise<Awaited<T>> {
    try {
      return await withMessages(this.engineLog.sinkFor(urn), async () => await call(), {
        signal: this.cancelled.signal,
      });
    } finally {
      await this.engineLog.flushed(urn);
    }
  }
}

const DIFF_SOME = provproto.DiffResponse.DiffChanges.DIFF_SOME;
const DIFF_NONE = provproto.DiffResponse.DiffChanges.DIFF_NONE;
const KINDS = {
  add: provproto.PropertyDiff.Kind.ADD,
  delete: provproto.PropertyDiff.Kind.DELETE,
  update: provproto.PropertyDiff.Kind.UPDATE,
};

/** The handler of a URN's type; a type this provider does not serve is an error naming it. */
function handler(urn: string): ResourceHandler {
  const type = typeOfUrn(urn);
  const found = RESOURCES[type];
  if (found === undefined) {
    throw new Error(
      `unknown resource type ${JSON.stringify(type)}: vmss-identity serves ${Object.keys(RESOURCES).join(", ")}`,
    );
  }
  return found;
}

function propsOf(struct: StructLike | undefined): Props {
  return struct ? struct.toJavaScript() : {};
}

/** Plain properties of a request, and which top-level ones were secret. */
function plainOf(struct: StructLike | undefined): { plain: Props; secretKeys: Set<string> } {
  return unwrapSecrets(propsOf(struct));
}

/** The properties to return as secrets: those that came as secrets, and those the resource always keeps secret. */
function secretKeysOf(resource: ResourceHandler, fromRequest: Iterable<string>): Set<string> {
  return new Set([...fromRequest, ...(resource.secretOutputs ?? [])]);
}

/** Runs an operation whose failure may carry the state of a resource left behind: that state is wrapped too. */
async function withSecrets<T>(secret: Set<string>, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (e) {
    const failure = e as PartialFailure;
    if (failure?.properties) failure.properties = wrapSecrets(failure.properties, secret);
    throw e;
  }
}

/** A Struct of plain JSON values (undefined dropped: a Struct cannot hold it). */
function toStruct(value: object): unknown {
  return structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(value)) as Props);
}

function checkResponse(inputs: Props, failures: { property: string; reason: string }[]): provproto.CheckResponse {
  const resp = new provproto.CheckResponse();
  resp.setInputs(toStruct(inputs) as never);
  resp.setFailuresList(
    failures.map((f) => {
      const failure = new provproto.CheckFailure();
      failure.setProperty(f.property);
      failure.setReason(f.reason);
      return failure;
    }),
  );
  return resp;
}

/**
 * A gRPC error with the message only (the runtime's messages are already redacted of secrets). A failure that
 * carries an `id` left a resource behind: it is reported as ErrorResourceInitFailed so the engine records it.
 */
function grpcError(e: unknown): Partial<grpcTypes.StatusObject> {
  const error: PartialFailure = e instanceof Error ? e : new Error(String(e));
  const metadata = new grpc.Metadata();
  if (error.id) {
    const detail = new provproto.ErrorResourceInitFailed();
    detail.setId(error.id);
    detail.setProperties(toStruct(error.properties ?? {}) as never);
    detail.setReasonsList(error.reasons ?? [error.message]);
    const any = new anyproto.Any();
    any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const status = new statusproto.Status();
    status.setCode(grpc.status.UNKNOWN);
    status.setMessage(error.message);
    status.addDetails(any);
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  return { code: grpc.status.UNKNOWN, details: error.message, metadata };
}

/** Starts the gRPC server on a free loopback port; resolves with the port. */
export async function serve(engineAddress?: string): Promise<{ port: number; server: grpcTypes.Server }> {
  // Large states (many identities) must fit: the same limits as the Pulumi SDK's own servers.
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(provrpc.ResourceProviderService, new VmssIdentityProvider(engineAddress).handlers());
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { port, server };
}
