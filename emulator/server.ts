// startEmulator: the HTTP(S) server and the request pipeline shared by every ARM call:
//   1. authentication (401) → 2. subscription rate limits (429 when the write bucket is empty)
//   → 3. injected faults → 4. api-version present → 5. route → 6. api-version served by the route
//   → 7. the handler. Every ARM response carries x-ms-request-id, x-ms-correlation-request-id (the
//   client's if sent) and x-ms-ratelimit-remaining-*-reads|writes (ARM-BEHAVIOR.md "Errors").
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { createAdmin, handleAdminRequest, type EmulatorAdmin } from "./admin";
import {
  SCALE_SET_API_VERSIONS,
  USER_ASSIGNED_IDENTITY_API_VERSIONS,
  isIdentityApiVersion,
  isScaleSetApiVersion,
  isWellFormedApiVersion,
} from "./api-versions";
import {
  ArmFailure,
  authenticationMalformed,
  authenticationMissing,
  bodyTooLarge,
  computeThrottled,
  expiredToken,
  injectedStatus,
  internalError,
  invalidApiVersion,
  invalidSubscriptionId,
  invalidToken,
  missingApiVersion,
  noRegisteredProvider,
  subscriptionThrottled,
  unknownRoute,
} from "./arm-errors";
import { openidConfiguration, signingKeys, tokenEndpoint, type AuthorityReply } from "./authority";
import { loadCa, temporaryCa } from "./ca-store";
import { issueServerCertificate } from "./certificates";
import { getComputeOperation } from "./compute-operations";
import { EmulatorCore, type EmulatorConfig } from "./core";
import type { ArmCall, Reply } from "./exchange";
import { AdminInputError } from "./faults";
import { getOperationResult, handleResourceGroup, listResourceGroups } from "./resource-groups";
import { isGuid, resourceGroupLookupKey, scaleSetLookupKey } from "./resource-ids";
import { matchArmRoute, matchAuthorityRoute, pathSegments, routeProvider, type ArmRoute } from "./router";
import { handleScaleSet, listScaleSets } from "./scale-sets";
import { StateFileWriter, readStateFile } from "./state-file";
import { getSubscription, listSubscriptions } from "./subscriptions";
import { TokenService } from "./tokens";
import { handleIdentity, listIdentities } from "./user-assigned-identities";

/** Options of `startEmulator`. Every property is optional. */
export interface EmulatorOptions {
  /** TCP port; default 0 (any free port). */
  port?: number;
  /** Interface to listen on; default "127.0.0.1". */
  host?: string;
  /**
   * https with a certificate for 127.0.0.1, ::1 and localhost. `true`: a throw-away CA made at start.
   * `{ caDir }`: the CA in that directory, created once (ensureCa) and reused; a fresh leaf at each start.
   * Default false (http).
   */
  tls?: boolean | { caDir: string };
  /** Persist resources, operations and token state in this file across restarts (written atomically). */
  stateFile?: string;
  /** How long a long-running operation stays InProgress, in ms; default 50. */
  opDurationMs?: number;
  /** Retry-After seconds on operation responses and 429s; default 0 (real ARM sends 10 or more). */
  retryAfterSeconds?: number;
  /** The configured service principal's application ID; default EMULATOR_DEFAULTS.clientId. */
  clientId?: string;
  /** Its secret; default EMULATOR_DEFAULTS.clientSecret. Never logged. */
  clientSecret?: string;
  /** The tenant; default EMULATOR_DEFAULTS.tenantId. */
  tenantId?: string;
  /** Subscription listed by GET /subscriptions (any GUID works in paths); default EMULATOR_DEFAULTS.subscriptionId. */
  subscriptionId?: string;
  /** Lifetime of issued tokens, in seconds; default 3600. */
  tokenLifetimeSeconds?: number;
  /** Receives one line per request (method, path, api-version, status, ms, client); never tokens or bodies. */
  log?: (line: string) => void;
}

/** A running emulator. */
export interface RunningEmulator {
  /** Base URL without trailing slash, e.g. "https://127.0.0.1:43123": ARM endpoint and authority host. */
  url: string;
  /** TCP port listened on. */
  port: number;
  /** With tls: the CA certificate file (PEM) clients trust, e.g. through NODE_EXTRA_CA_CERTS. */
  caPath?: string;
  /** With tls: the CA certificate (PEM). */
  caPem?: string;
  /** Token endpoint URL: `${url}/${tenantId}/oauth2/v2.0/token`. */
  tokenEndpoint: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  subscriptionId: string;
  /** Test controls (also served over HTTP under /_emulator/). */
  admin: EmulatorAdmin;
  /** Stops listening, closes connections and writes the state file. */
  close(): Promise<void>;
}

/** Identity of the emulator when options do not say otherwise (fixed, so docs and demos can rely on them). */
export const EMULATOR_DEFAULTS = {
  tenantId: "11111111-1111-4111-8111-111111111111",
  clientId: "22222222-2222-4222-8222-222222222222",
  clientSecret: "emulator-client-secret",
  subscriptionId: "33333333-3333-4333-8333-333333333333",
  host: "127.0.0.1",
  opDurationMs: 50,
  retryAfterSeconds: 0,
  tokenLifetimeSeconds: 3600,
} as const;

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const WRITE_METHODS = new Set(["PUT", "PATCH", "DELETE", "POST"]);
const HOST_HEADER = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$/;

/** Starts an emulator; resolves once it is listening. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const config = resolveConfig(options);
  const host = stringOption("host", options.host, EMULATOR_DEFAULTS.host);
  const port = integerOption("port", options.port, 0, 0, 65535);
  const core = new EmulatorCore(config);

  let writer: StateFileWriter | undefined;
  if (options.stateFile !== undefined) {
    const saved = readStateFile(options.stateFile);
    if (saved !== undefined) {
      core.store.restore(saved.store);
      core.tokens = new TokenService(saved.tokens);
    }
    writer = new StateFileWriter(
      options.stateFile,
      () => ({
        format: "vmss-identity-emulator-state",
        version: 1,
        savedAt: new Date().toISOString(),
        tokens: core.tokens.toState(),
        store: core.store.snapshot(),
      }),
      (error) => options.log?.(`state file write failed: ${error.message}`),
    );
    core.store.onChange = () => writer?.markDirty();
    writer.markDirty();
  }

  let tlsMaterial: { key: string; cert: string; caPath: string; caPem: string; tempDir?: string } | undefined;
  if (options.tls !== undefined && options.tls !== false) {
    const temporary = options.tls === true ? temporaryCa() : undefined;
    const ca = temporary ?? loadCa(stringOption("tls.caDir", (options.tls as { caDir?: unknown }).caDir, undefined));
    const hosts = ["localhost", "127.0.0.1", "::1"];
    if (!["0.0.0.0", "::", ...hosts].includes(host)) hosts.push(host);
    const leaf = issueServerCertificate(ca, hosts);
    tlsMaterial = {
      key: leaf.keyPem,
      cert: leaf.certPem,
      caPath: ca.caPath,
      caPem: ca.certPem,
      tempDir: temporary?.dir,
    };
  }

  const admin = createAdmin(core);
  const scheme = tlsMaterial === undefined ? "http" : "https";
  let url = "";
  const info = (): Record<string, unknown> => ({
    url,
    tenantId: config.tenantId,
    clientId: config.clientId,
    subscriptionId: config.subscriptionId,
    caPath: tlsMaterial?.caPath,
  });
  const handler = createRequestHandler(core, admin, scheme, () => url, info, options.log);
  const server =
    tlsMaterial === undefined
      ? http.createServer(handler)
      : https.createServer({ key: tlsMaterial.key, cert: tlsMaterial.cert }, handler);
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  url = `${scheme}://${urlHost}:${actualPort}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port: actualPort,
    caPath: tlsMaterial?.caPath,
    caPem: tlsMaterial?.caPem,
    tokenEndpoint: `${url}/${config.tenantId}/oauth2/v2.0/token`,
    tenantId: config.tenantId,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    subscriptionId: config.subscriptionId,
    admin,
    close: () => {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        core.store.settleDue(Date.now());
        writer?.markDirty();
        writer?.flush();
        if (tlsMaterial?.tempDir !== undefined) fs.rmSync(tlsMaterial.tempDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

function createRequestHandler(
  core: EmulatorCore,
  admin: EmulatorAdmin,
  scheme: string,
  url: () => string,
  info: () => Record<string, unknown>,
  logLine: ((line: string) => void) | undefined,
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const started = performance.now();
    const now = Date.now();
    const rawUrl = req.url ?? "/";
    const queryAt = rawUrl.indexOf("?");
    const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = new URLSearchParams(queryAt < 0 ? "" : rawUrl.slice(queryAt + 1));
    const method = (req.method ?? "GET").toUpperCase();
    const hostHeader = req.headers.host;
    const baseUrl = hostHeader !== undefined && HOST_HEADER.test(hostHeader) ? `${scheme}://${hostHeader}` : url();

    // Calls `next` with the whole body, or with undefined when it exceeds MAX_BODY_BYTES.
    const withBody = (next: (body: Buffer | undefined) => void): void => {
      const length = req.headers["content-length"];
      if ((length === undefined || length === "0") && req.headers["transfer-encoding"] === undefined) {
        req.resume();
        next(Buffer.alloc(0));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      });
      req.on("end", () => next(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
      req.on("error", () => res.destroy());
    };

    if (path.toLowerCase() === "/_emulator" || path.toLowerCase().startsWith("/_emulator/")) {
      withBody((body) =>
        serveAdmin(admin, req, res, method, path.slice("/_emulator".length), body ?? Buffer.alloc(0), info),
      );
      return;
    }

    core.store.settleDue(now);
    const segments = pathSegments(path) ?? [];
    const authorityRoute = matchAuthorityRoute(segments);
    if (authorityRoute !== undefined) {
      const kind = authorityRoute.kind === "token" ? "token" : "discovery";
      const fault = core.faults.take(method, path);
      if (fault?.kind === "drop") {
        req.socket.destroy();
        record(core, logLine, { time: now, method, path, status: 0, started, kind, requestId: "" });
        return;
      }
      withBody((body) => {
        let reply: AuthorityReply;
        if (fault !== undefined) {
          const failure = faultFailure(core, fault);
          const requestId = randomUUID();
          reply = { status: failure.status, body: failure.body(), headers: failure.extra.headers, requestId };
        } else {
          const call = {
            method,
            tenant: authorityRoute.tenant,
            headers: req.headers,
            body: body ?? Buffer.alloc(0),
            baseUrl,
            now,
          };
          reply =
            authorityRoute.kind === "token"
              ? tokenEndpoint(core, call, authorityRoute.version)
              : authorityRoute.kind === "keys"
                ? signingKeys(core, call)
                : openidConfiguration(core, call, authorityRoute.version);
        }
        const text = JSON.stringify(reply.body);
        res.writeHead(reply.status, {
          "content-type": "application/json; charset=utf-8",
          "content-length": Buffer.byteLength(text),
          "x-ms-request-id": reply.requestId,
          ...reply.headers,
        });
        res.end(text);
        record(core, logLine, {
          time: now,
          method,
          path,
          status: reply.status,
          started,
          kind,
          requestId: reply.requestId,
          clientId: reply.clientId,
          errorCode: reply.status >= 400 ? (reply.body as { error?: string }).error : undefined,
        });
      });
      return;
    }

    const apiVersion = query.get("api-version") ?? undefined;
    const correlationHeader = req.headers["x-ms-correlation-request-id"];
    const correlationId =
      typeof correlationHeader === "string" && correlationHeader !== "" ? correlationHeader : randomUUID();
    const scope =
      segments.length >= 2 && segments[0].toLowerCase() === "subscriptions" ? segments[1].toLowerCase() : "tenant";
    const isWrite = WRITE_METHODS.has(method);
    let remaining: number | undefined;
    let clientId: string | undefined;

    const respond = (reply: Reply, errorCode?: string): void => {
      const requestId = reply.requestId ?? randomUUID();
      const headers: Record<string, string | number> = {
        "cache-control": "no-cache",
        pragma: "no-cache",
        expires: "-1",
        "x-ms-request-id": requestId,
        "x-ms-correlation-request-id": correlationId,
      };
      const limitScope = scope === "tenant" ? "tenant" : "subscription";
      headers[`x-ms-ratelimit-remaining-${limitScope}-${isWrite ? "writes" : "reads"}`] =
        remaining ?? core.rateLimits.peek(scope, isWrite, now);
      Object.assign(headers, reply.headers);
      let text: string | undefined;
      if (reply.body !== undefined && method !== "HEAD") {
        text = JSON.stringify(reply.body);
        headers["content-type"] = "application/json; charset=utf-8";
        headers["content-length"] = Buffer.byteLength(text);
      } else {
        headers["content-length"] = 0;
      }
      res.writeHead(reply.status, headers);
      res.end(text);
      record(core, logLine, {
        time: now,
        method,
        path,
        apiVersion,
        status: reply.status,
        started,
        kind: "arm",
        requestId,
        clientId,
        errorCode,
      });
    };
    const fail = (error: unknown): void => {
      let failure: ArmFailure;
      if (error instanceof ArmFailure) failure = error;
      else {
        logLine?.(`internal error on ${method} ${path}: ${(error as Error)?.stack ?? String(error)}`);
        failure = internalError();
      }
      respond({ status: failure.status, body: failure.body(), headers: failure.extra.headers }, failure.code);
    };

    try {
      const challenge = (description: string): string =>
        `Bearer authorization_uri="${baseUrl}/${core.config.tenantId}", error="invalid_token", error_description="${description}"`;
      const caller = authenticate(core, req.headers.authorization, now, challenge);
      clientId = caller.clientId;
      if (isWrite) {
        const admission = core.rateLimits.write(scope, now);
        if (!admission.allowed) throw subscriptionThrottled(scope, admission.retryAfterSeconds);
        remaining = admission.remaining;
      } else {
        remaining = core.rateLimits.read(scope, now);
      }
      const fault = core.faults.take(method, path);
      if (fault?.kind === "drop") {
        req.socket.destroy();
        record(core, logLine, {
          time: now,
          method,
          path,
          apiVersion,
          status: 0,
          started,
          kind: "arm",
          requestId: "",
          clientId,
        });
        return;
      }
      if (fault !== undefined) throw faultFailure(core, fault);
      if (apiVersion === undefined || apiVersion === "") throw missingApiVersion();
      const route = matchArmRoute(segments);
      if (route === undefined) throw unknownRoute(method, path);
      checkApiVersion(core, route, apiVersion);
      withBody((body) => {
        try {
          if (body === undefined) throw bodyTooLarge(MAX_BODY_BYTES);
          const call: ArmCall = {
            method,
            path,
            segments,
            query,
            apiVersion,
            headers: req.headers,
            body,
            baseUrl,
            now,
            clientId: caller.clientId,
            objectId: caller.objectId,
          };
          respond(dispatch(core, call, route));
        } catch (error) {
          fail(error);
        }
      });
    } catch (error) {
      req.resume();
      fail(error);
    }
  };
}

function authenticate(
  core: EmulatorCore,
  header: string | undefined,
  now: number,
  challenge: (description: string) => string,
): { clientId: string; objectId: string } {
  if (header === undefined || header === "") {
    throw authenticationMissing(challenge("The authentication failed because of missing 'Authorization' header."));
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match === null) {
    throw authenticationMalformed(challenge("The authentication failed because of invalid 'Authorization' header."));
  }
  const check = core.tokens.check(match[1], now);
  if (!check.ok) {
    if (check.reason === "expired") {
      const failure = expiredToken(check.expiredAt, new Date(now), "");
      throw expiredToken(check.expiredAt, new Date(now), challenge(failure.message));
    }
    throw invalidToken(challenge("The access token is invalid."));
  }
  return { clientId: check.claims.appid, objectId: check.claims.oid };
}

function checkApiVersion(core: EmulatorCore, route: ArmRoute, apiVersion: string): void {
  if (!isWellFormedApiVersion(apiVersion)) throw invalidApiVersion(apiVersion);
  const provider = routeProvider(route);
  if (provider === "resources") return; // Microsoft.Resources: any version a client commonly sends (ARM-BEHAVIOR.md)
  const served = provider === "compute" ? isScaleSetApiVersion(apiVersion) : isIdentityApiVersion(apiVersion);
  if (served) return;
  const location = locationForMessage(core, route);
  throw provider === "compute"
    ? noRegisteredProvider(
        route.kind === "computeOperation" ? "locations/operations" : "virtualMachineScaleSets",
        apiVersion,
        SCALE_SET_API_VERSIONS,
        location,
      )
    : noRegisteredProvider("userAssignedIdentities", apiVersion, USER_ASSIGNED_IDENTITY_API_VERSIONS, location);
}

// The location ARM names in NoRegisteredProviderFound: the resource's, else its group's.
function locationForMessage(core: EmulatorCore, route: ArmRoute): string | undefined {
  if (route.kind === "computeOperation") return route.location.toLowerCase();
  if (route.kind === "scaleSet") {
    const record = core.store.scaleSets.get(scaleSetLookupKey(route.subscriptionId, route.group, route.name));
    if (record !== undefined) return record.location;
  }
  if ("group" in route && route.group !== undefined) {
    return core.store.resourceGroups.get(resourceGroupLookupKey(route.subscriptionId, route.group))?.location;
  }
  return undefined;
}

function dispatch(core: EmulatorCore, call: ArmCall, route: ArmRoute): Reply {
  if (route.kind === "subscriptions") return listSubscriptions(core, call);
  if (!isGuid(route.subscriptionId)) throw invalidSubscriptionId(route.subscriptionId);
  switch (route.kind) {
    case "subscription":
      return getSubscription(core, call, route.subscriptionId);
    case "resourceGroups":
      return listResourceGroups(core, call, route.subscriptionId);
    case "resourceGroup":
      return handleResourceGroup(core, call, route.subscriptionId, route.group);
    case "operationResult":
      return getOperationResult(core, call, route.subscriptionId, route.operationId);
    case "computeOperation":
      return getComputeOperation(core, call, route.subscriptionId, route.operationId);
    case "scaleSets":
      return listScaleSets(core, call, route.subscriptionId, route.group);
    case "scaleSet":
      return handleScaleSet(core, call, route.subscriptionId, route.group, route.name);
    case "identities":
      return listIdentities(core, call, route.subscriptionId, route.group);
    case "identity":
      return handleIdentity(core, call, route.subscriptionId, route.group, route.name);
  }
}

function faultFailure(
  core: EmulatorCore,
  fault: { kind: string; status?: number; retryAfterSeconds?: number },
): ArmFailure {
  if (fault.kind === "throttle") return computeThrottled(fault.retryAfterSeconds ?? core.retryAfterSeconds);
  return injectedStatus(fault.status ?? 503, fault.retryAfterSeconds);
}

function serveAdmin(
  admin: EmulatorAdmin,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  method: string,
  path: string,
  body: Buffer,
  info: () => Record<string, unknown>,
): void {
  let status: number;
  let payload: unknown;
  if (!isLoopback(req.socket.remoteAddress)) {
    status = 403;
    payload = { error: { code: "Forbidden", message: "The admin API is served to loopback clients only." } };
  } else {
    try {
      const reply = handleAdminRequest(admin, method, path || "/", body, info());
      status = reply.status;
      payload = reply.body;
    } catch (error) {
      status = error instanceof AdminInputError ? 400 : 500;
      payload = { error: { code: "AdminError", message: (error as Error).message } };
    }
  }
  const text = payload === undefined ? undefined : JSON.stringify(payload);
  res.writeHead(status, {
    "content-length": text === undefined ? 0 : Buffer.byteLength(text),
    ...(text === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
  });
  res.end(text);
}

/** True for 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4.startsWith("127.") || address === "::1";
}

function record(
  core: EmulatorCore,
  logLine: ((line: string) => void) | undefined,
  entry: {
    time: number;
    method: string;
    path: string;
    apiVersion?: string;
    status: number;
    started: number;
    kind: "arm" | "token" | "discovery";
    requestId: string;
    clientId?: string;
    errorCode?: string;
  },
): void {
  const durationMs = Math.round((performance.now() - entry.started) * 100) / 100;
  const logged = core.log.add({
    time: entry.time,
    method: entry.method,
    path: entry.path,
    ...(entry.apiVersion === undefined ? {} : { apiVersion: entry.apiVersion }),
    status: entry.status,
    durationMs,
    ...(entry.clientId === undefined ? {} : { clientId: entry.clientId }),
    kind: entry.kind,
    requestId: entry.requestId,
    ...(entry.errorCode === undefined ? {} : { errorCode: entry.errorCode }),
  });
  if (logLine !== undefined) {
    const version = logged.apiVersion === undefined ? "" : ` api-version=${logged.apiVersion}`;
    const error = logged.errorCode === undefined ? "" : ` ${logged.errorCode}`;
    const client = logged.clientId === undefined ? "" : ` client=${logged.clientId}`;
    logLine(`${logged.method} ${logged.path}${version} ${logged.status || "dropped"}${error} ${durationMs}ms${client}`);
  }
}

function resolveConfig(options: EmulatorOptions): EmulatorConfig {
  const subscriptionId = stringOption("subscriptionId", options.subscriptionId, EMULATOR_DEFAULTS.subscriptionId);
  if (!isGuid(subscriptionId)) {
    throw new TypeError(`startEmulator: option subscriptionId must be a GUID, got ${JSON.stringify(subscriptionId)}`);
  }
  const tenantId = stringOption("tenantId", options.tenantId, EMULATOR_DEFAULTS.tenantId);
  if (!/^[A-Za-z0-9.-]+$/.test(tenantId)) {
    throw new TypeError(
      `startEmulator: option tenantId must be a GUID or a domain name, got ${JSON.stringify(tenantId)}`,
    );
  }
  return {
    tenantId,
    clientId: stringOption("clientId", options.clientId, EMULATOR_DEFAULTS.clientId),
    clientSecret: secretOption(options.clientSecret),
    subscriptionId: subscriptionId.toLowerCase(),
    tokenLifetimeSeconds: integerOption(
      "tokenLifetimeSeconds",
      options.tokenLifetimeSeconds,
      EMULATOR_DEFAULTS.tokenLifetimeSeconds,
      1,
      86_400 * 365,
    ),
    opDurationMs: integerOption("opDurationMs", options.opDurationMs, EMULATOR_DEFAULTS.opDurationMs, 0, 86_400_000),
    retryAfterSeconds: integerOption(
      "retryAfterSeconds",
      options.retryAfterSeconds,
      EMULATOR_DEFAULTS.retryAfterSeconds,
      0,
      3600,
    ),
  };
}

function stringOption(name: string, value: unknown, fallback: string | undefined): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string" || value.trim() === "") {
    throw new TypeError(`startEmulator: option ${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

// The secret itself never appears in an error: only what is wrong with it.
function secretOption(value: unknown): string {
  if (value === undefined) return EMULATOR_DEFAULTS.clientSecret;
  if (typeof value !== "string" || value === "") {
    throw new TypeError(
      `startEmulator: option clientSecret must be a non-empty string (got ${typeof value === "string" ? "an empty string" : typeof value})`,
    );
  }
  return value;
}

function integerOption(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new TypeError(
      `startEmulator: option ${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return value as number;
}
