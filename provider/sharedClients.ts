/**
 * The process-wide ARM clients of the resource layer: one keep-alive pool per endpoint origin and one client per
 * cloud, shared by every resource of a provider process (the transport in provider/arm/ builds clients but keeps no
 * registry). What the clients wait for (retries, holds for a budget, long operations) goes to provider/progress.ts,
 * which tells the user, through the door that serves the resource whose call waits.
 */
import type { Agent, Dispatcher } from "undici";
import type { ArmClient } from "./arm/client";
import { resolveCloud, type Cloud } from "./arm/clouds";
import { assertEndpointAllowed } from "./arm/request-target";
import { InvalidInputError } from "./errors";
import { reportTransportEvent } from "./progress";

/**
 * The transport's heavy half, loaded at the first client: undici, the ARM client and @azure/identity take about
 * 0.3 s of CPU to load, and a preview, which runs only check and diff, needs none of them.
 */
function transport() {
  return {
    Agent: (require("undici") as typeof import("undici")).Agent,
    ArmClient: (require("./arm/client") as typeof import("./arm/client")).ArmClient,
    getCredential: (require("./arm/credential") as typeof import("./arm/credential")).getCredential,
  };
}

const sharedDispatchers = new Map<string, Agent>();
const sharedClients = new Map<string, ArmClient>();

/**
 * The process-wide undici keep-alive pool for `cloud`'s ARM endpoint origin, for building an {@link ArmClient}
 * with non-default options that still shares connections.
 */
export function getSharedDispatcher(cloud: Cloud): Dispatcher {
  const origin = assertEndpointAllowed(cloud.resourceManagerEndpoint).origin;
  let agent = sharedDispatchers.get(origin);
  if (agent === undefined) {
    agent = new (transport().Agent)();
    sharedDispatchers.set(origin, agent);
  }
  return agent;
}

/** Environment variables read by {@link getSharedClient} (documented in docs/transport.md). */
export const ClientEnvVars = {
  /** Fixed wait between operation polls in ms, e.g. `0` against the emulator; default: `Retry-After`. */
  pollIntervalMs: "VMSS_IDENTITY_ARM_POLL_INTERVAL_MS",
} as const;

/**
 * The process-wide client for `cloud`: one keep-alive pool per endpoint origin, the process-wide credential
 * ({@link getCredential}), default options except a fixed poll interval from `VMSS_IDENTITY_ARM_POLL_INTERVAL_MS`.
 * Its `close()` leaves the shared pool open; use {@link closeSharedClients}.
 *
 * @param env where to read `VMSS_IDENTITY_ARM_POLL_INTERVAL_MS` and the credential's variables (default `process.env`).
 * @throws Error naming the variable when `VMSS_IDENTITY_ARM_POLL_INTERVAL_MS` is not a whole number of ms.
 */
export function getSharedClient(cloud: Cloud, env: NodeJS.ProcessEnv = process.env): ArmClient {
  const pollIntervalMs = parsePollInterval(env[ClientEnvVars.pollIntervalMs]);
  const key = [cloud.resourceManagerEndpoint, cloud.tokenScope, cloud.authorityHost, pollIntervalMs].join("|");
  let client = sharedClients.get(key);
  if (client === undefined) {
    const { ArmClient, getCredential } = transport();
    client = new ArmClient({
      cloud,
      credential: getCredential(cloud, env),
      dispatcher: getSharedDispatcher(cloud),
      pollIntervalMs,
      onEvent: reportTransportEvent,
    });
    sharedClients.set(key, client);
  }
  return client;
}

/** Closes every shared pool and forgets the shared clients (tests, orderly shutdown). */
export async function closeSharedClients(): Promise<void> {
  const agents = [...sharedDispatchers.values()];
  sharedDispatchers.clear();
  sharedClients.clear();
  await Promise.all(agents.map((agent) => agent.close()));
}

function parsePollInterval(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (!/^\s*\d+\s*$/.test(value)) {
    throw new InvalidInputError(
      `${ClientEnvVars.pollIntervalMs}: ${JSON.stringify(value)} is invalid; expected a whole number of milliseconds`,
    );
  }
  return Number(value);
}

/**
 * The process-wide client for a resource's `environment`/`endpoint` inputs (values that are not strings count as
 * absent): the one place where a dynamic resource's inputs become a connection.
 */
export function sharedClientFor(target: { environment?: unknown; endpoint?: unknown }): ArmClient {
  return getSharedClient(
    resolveCloud({
      environment: typeof target.environment === "string" ? target.environment : undefined,
      endpoint: typeof target.endpoint === "string" ? target.endpoint : undefined,
    }),
  );
}
