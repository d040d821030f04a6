/**
 * Hosts a Pulumi program inside the test process for one CLI command, the way the Automation API runs an inline
 * program: Pulumi's own `LanguageServer` (the one `scripts/pulumi-language-nodejs` serves too) behind a gRPC server on
 * loopback, whose address goes to the CLI as `--client`. The engine then runs the program through it instead of
 * starting a language host process; the engine, the dynamic-provider processes and the state stay real.
 *
 * Why: a language host process loads @pulumi/pulumi, TypeScript and ts-node and opens an inspector session on every
 * command, about 2.5 s of CPU out of 5 per `pulumi up` or `preview` (measured on the recipes). The program itself is
 * the same file a project's `main` names, loaded afresh for each command, as a new process would. The language host
 * path itself stays covered by the quickstart test and `npm run demo`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as GrpcJs from "@grpc/grpc-js";
import * as langrpc from "@pulumi/pulumi/proto/language_grpc_pb";

// Pulumi's `LanguageServer` and its per-run state (marked internal in its typings, as the Automation API's own).
const { LanguageServer } = require("@pulumi/pulumi/automation/server") as {
  LanguageServer: new (program: () => Promise<unknown>) => object;
};
const runtimeState = require("@pulumi/pulumi/runtime/state") as {
  /** Inside a run, that run's store (the runtime's state for one program run). */
  getStore(): { leakCandidates: Set<unknown> };
};
const { grpcChannelOptions } = require("@pulumi/pulumi/runtime/settings") as {
  grpcChannelOptions: GrpcJs.ChannelOptions;
};
// The gRPC library @pulumi/pulumi's service definitions were made with (a server of another copy rejects them).
const grpc: typeof GrpcJs = require(
  require.resolve("@grpc/grpc-js", { paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))] }),
);

/** A program served for one command: its address for `--client`, and how to end it. */
export interface HostedProgram {
  address: string;
  /**
   * Shuts the server. When the command succeeded, fails if the program left Pulumi promises unfinished, as a
   * language host process does at exit (checked in the run's own state, not the process-wide one).
   */
  close(commandFailed: boolean): void;
}

/** The entry module of a program folder: its `index.ts`, else what Node resolves for the folder. */
export function entryOf(programDir: string): string {
  const index = path.join(programDir, "index.ts");
  return fs.existsSync(index) ? index : require.resolve(programDir);
}

/**
 * Serves the program at `entry` (TypeScript through the test process's ts-node) on a loopback port. The program sees
 * `env` in `process.env` until `close`, as a language host started by the CLI with that environment would.
 */
export async function hostProgram(entry: string, env: NodeJS.ProcessEnv): Promise<HostedProgram> {
  let run: { leakCandidates: Set<unknown> } | undefined;
  const server = new LanguageServer(async () => {
    run = runtimeState.getStore();
    // Each command runs the program afresh; the modules it imports stay loaded, as libraries do.
    delete require.cache[entry];
    const exported = require(entry);
    return typeof exported.default === "function" ? await exported.default() : exported;
  });
  const grpcServer = new grpc.Server({ ...grpcChannelOptions });
  grpcServer.addService(langrpc.LanguageRuntimeService, server as GrpcJs.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const restoreEnv = applyEnv(env);
  return {
    address: `127.0.0.1:${port}`,
    close(commandFailed) {
      try {
        const leaked = run?.leakCandidates.size ?? 0;
        if (!commandFailed && leaked > 0) {
          throw new Error(`the program left ${leaked} Pulumi promise(s) unfinished (a language host fails on this)`);
        }
      } finally {
        grpcServer.forceShutdown();
        restoreEnv();
      }
    },
  };
}

/** Sets `env`'s variables in `process.env`; returns what puts the former values back. */
function applyEnv(env: NodeJS.ProcessEnv): () => void {
  const former = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || process.env[key] === value) continue;
    former.set(key, process.env[key]);
    process.env[key] = value;
  }
  return () => {
    for (const [key, value] of former) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
