/**
 * The process-wide ARM clients of the resource layer: one keep-alive pool per endpoint origin and one client per
 * cloud, shared by every resource of a provider process (the transport in provider/arm/ builds clients but keeps no
 * registry). What the clients wait for (retries, holds for a budget, long operations) goes to provider/progress.ts,
 * which tells the user, through the door that serves the resource whose call waits.
 */
import type { Dispatcher } from "undici";
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
    proxy: require("./arm/proxy") as typeof import("./arm/proxy"),
    ArmClient: (require("./arm/client") as typeof import("./arm/client")).ArmClient,
    getCredential: (require("./arm/credential") as typeof import("./arm/credential")).getCredential,
  };
}

const sharedDispatchers = new Map<string, Dispatcher>();
const sharedClients = new Map<string, ArmClient>();

/**
 * The process-wide undici keep-alive pool for `cloud`'s ARM endpoint origin, for building an {@link ArmClient}
 * with non-default options that still shares connections. It honours the proxy variables of `env` as
 * @azure/identity does (`HTTPS_PROXY`, `ALL_PROXY`, `HTTP_PROXY`, `NO_PROXY`, upper case first, then lower case:
 * provider/arm/proxy.ts, docs/transport.md "Proxies"): through a proxy, every request rides a CONNECT tunnel to the
 * https origin; a plain-http (loopback) origin is always reached directly.
 *
 * @param env where to read the proxy variables (default `process.env`); one pool per origin and proxy.
 * @throws InvalidInputError naming the variable when a proxy variable is not an http(s) URL.
 */
export function getSharedDispatcher(cloud: Cloud, env: NodeJS.ProcessEnv = process.env): Dispatcher {
  return sharedDispatcher(cloud, env).dispatcher;
}

/** The shared pool for `cloud` and the proxy `env` names, and its key (endpoint origin and proxy). */
function sharedDispatcher(cloud: Cloud, env: NodeJS.ProcessEnv): { key: string; dispatcher: Dispatcher } {
  const endpoint = assertEndpointAllowed(cloud.resourceManagerEndpoint);
  const { proxy } = transport();
  const settings = proxy.proxySettingsFromEnv(env);
  const key = `${endpoint.origin}|${proxy.proxyFor(endpoint, settings)?.url.href ?? "direct"}`;
  let dispatcher = sharedDispatchers.get(key);
  if (dispatcher === undefined) {
    dispatcher = proxy.dispatcherFor(endpoint, settings);
    sharedDispatchers.set(key, dispatcher);
  }
  return { key, dispatcher };
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
 * @param env where to read `VMSS_IDENTITY_ARM_POLL_INTERVAL_MS`, the proxy variables ({@link getSharedDispatcher}) and
 *   the credential's variables (default `process.env`).
 * @throws Error naming the variable when `VMSS_IDENTITY_ARM_POLL_INTERVAL_MS` is not a whole number of ms, or a proxy
 *   variable is not an http(s) URL.
 */
export function getSharedClient(cloud: Cloud, env: NodeJS.ProcessEnv = process.env): ArmClient {
  const pollIntervalMs = parsePollInterval(env[ClientEnvVars.pollIntervalMs]);
  const shared = sharedDispatcher(cloud, env);
  const key = [cloud.resourceManagerEndpoint, cloud.tokenScope, cloud.authorityHost, pollIntervalMs, shared.key].join(
    "|",
  );
  let client = sharedClients.get(key);
  if (client === undefined) {
    const { ArmClient, getCredential } = transport();
    client = new ArmClient({
      cloud,
      credential: getCredential(cloud, env),
      dispatcher: shared.dispatcher,
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
