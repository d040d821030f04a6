/**
 * The process-wide ARM clients of the resource layer: one keep-alive pool per endpoint origin and one client per
 * cloud, shared by every resource of a provider process (the transport in provider/arm/ builds clients but keeps no
 * registry). What the clients wait for (retries, holds for a budget, long operations) goes to provider/progress.ts,
 * which tells the user, through the door that serves the resource whose call waits.
 */
import type { Dispatcher } from "undici";
import type { ArmClient } from "./arm/client";
import { resolveCloud, type Cloud } from "./arm/clouds";
import type { CredentialSource } from "./arm/credential";
import { credentialSettingsOf, targetOf } from "./grammar/settings";
import { assertEndpointAllowed } from "./arm/request-target";
import { InvalidInputError } from "./errors";
import { currentCancellation, reportTransportEvent } from "./progress";

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
 * The process-wide client for `cloud` and a principal: one keep-alive pool per endpoint origin, the process-wide
 * credential of that principal ({@link getCredential}: explicit `credentials`, else the environment's variables),
 * default options except a fixed poll interval from `VMSS_IDENTITY_ARM_POLL_INTERVAL_MS`. Two principals get two
 * clients, each with its own credential and token cache. Its `close()` leaves the shared pool open; use
 * {@link closeSharedClients}.
 *
 * @param env where to read `VMSS_IDENTITY_ARM_POLL_INTERVAL_MS`, the proxy variables ({@link getSharedDispatcher}) and
 *   the credential's variables (default `process.env`).
 * @param credentials explicit credential settings (provider configuration, a resource's `credentials` argument).
 * @throws Error naming the variable when `VMSS_IDENTITY_ARM_POLL_INTERVAL_MS` is not a whole number of ms, or a proxy
 *   variable is not an http(s) URL, or naming a credential setting that is malformed or missing
 *   (provider/arm/credential.ts).
 */
export function getSharedClient(
  cloud: Cloud,
  env: NodeJS.ProcessEnv = process.env,
  credentials: CredentialSource = {},
): ArmClient {
  const pollIntervalMs = parsePollInterval(env[ClientEnvVars.pollIntervalMs]);
  const { ArmClient, getCredential } = transport();
  const credential = getCredential(cloud, env, credentials);
  const shared = sharedDispatcher(cloud, env);
  const key = [
    cloud.resourceManagerEndpoint,
    cloud.tokenScope,
    cloud.authorityHost,
    pollIntervalMs,
    shared.key,
    principalKey(credential),
  ].join("|");
  let client = sharedClients.get(key);
  if (client === undefined) {
    client = new ArmClient({
      cloud,
      credential,
      dispatcher: shared.dispatcher,
      pollIntervalMs,
      onEvent: reportTransportEvent,
      cancellation: currentCancellation,
    });
    sharedClients.set(key, client);
  }
  return client;
}

// The credential cache (credential.ts) gives one object per principal: its identity keys the client.
const principalKeys = new WeakMap<object, number>();
let nextPrincipal = 1;
function principalKey(credential: object): number {
  let id = principalKeys.get(credential);
  if (id === undefined) {
    id = nextPrincipal++;
    principalKeys.set(credential, id);
  }
  return id;
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
 * The process-wide client for a resource's `environment`/`endpoint` inputs and credentials (values already checked by
 * provider/grammar/settings.ts; anything else counts as absent): the one place where a resource's settings become a
 * connection, for both doors.
 */
export function sharedClientFor(target: {
  environment?: unknown;
  endpoint?: unknown;
  /** Explicit credential settings (provider configuration, the dynamic door's `credentials` argument). */
  credentials?: unknown;
  /** How explicit credentials are named in messages, e.g. `vmss-identity:` (default `credentials.`). */
  credentialsPrefix?: string;
}): ArmClient {
  const { environment, endpoint } = targetOf(target);
  const prefix = target.credentialsPrefix ?? "credentials.";
  const explicit = credentialSettingsOf(target.credentials, prefix);
  return getSharedClient(resolveCloud({ environment, endpoint }), process.env, {
    ...(explicit !== undefined ? { explicit } : {}),
    explicitPrefix: prefix,
  });
}
