// The request pipeline shared by every call:
//   ARM: 1. authentication (401) → 2. the subscription bucket of the caller for reads, writes or deletes
//        (429 when empty) → 3. injected faults → 4. api-version present → 5. route → 6. api-version served by
//        the route → 7. Compute's policies for scale set GETs and operation polls (429 when spent) → 8. the
//        handler. Every ARM response carries x-ms-request-id, x-ms-correlation-request-id (the client's if sent)
//        and x-ms-ratelimit-remaining-subscription|tenant-reads|writes|deletes; Compute's counted responses also
//        x-ms-ratelimit-remaining-resource (docs/arm-behavior.md "Throttling"; rate-limits.ts).
//   Authority (/{tenant}/…): faults, then the discovery or token handler.
//   Admin (/_emulator/…): admin-http.ts; never logged, never faulted.
import { randomUUID } from "node:crypto";
import type * as http from "node:http";
import { performance } from "node:perf_hooks";
import type { EmulatorAdmin } from "./admin";
import { serveAdmin } from "./admin-http";
import {
  ROLE_ASSIGNMENT_API_VERSIONS,
  ROLE_DEFINITION_API_VERSIONS,
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
  stateNotSaved,
  subscriptionThrottled,
  unknownRoute,
} from "./arm-errors";
import {
  managedIdentityEndpoint,
  oidcIssuerEndpoint,
  openidConfiguration,
  signingKeys,
  tokenEndpoint,
  type AuthorityReply,
} from "./authority";
import { getComputeOperation } from "./compute-operations";
import { serveGraph } from "./graph";
import { cloudMetadata } from "./metadata";
import { armRequestKind, type ComputeRequestKind } from "./rate-limits";
import type { EmulatorCore } from "./core";
import type { ArmCall, Reply } from "./exchange";
import type { FaultSpec } from "./faults";
import { getOperationResult, handleResourceGroup, listResourceGroups } from "./resource-groups";
import { isGuid, resourceGroupLookupKey, scaleSetLookupKey } from "./resource-ids";
import {
  matchArmRoute,
  matchAuthorityRoute,
  pathSegments,
  routeProvider,
  type ArmRoute,
  type AuthorizationRoute,
} from "./router";
import { handleRoleAssignment, listRoleAssignments } from "./role-assignments";
import { handleRoleDefinition, listRoleDefinitions } from "./role-definitions";
import { handleScaleSet, listScaleSets } from "./scale-sets";
import { getSubscription, listSubscriptions } from "./subscriptions";
import { handleIdentity, listIdentities } from "./user-assigned-identities";

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const HOST_HEADER = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$/;

/**
 * The node:http request listener of an emulator.
 * @param scheme "http" or "https", for the absolute URLs in responses.
 * @param url the emulator's base URL (used when the Host header is unusable).
 * @param info what GET /_emulator/info shows.
 * @param logLine optional sink of one line per request.
 */
export function createRequestHandler(
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

    if (method === "GET" && path.toLowerCase().replace(/\/+/g, "/").replace(/\/$/, "") === "/metadata/endpoints") {
      serveCloudMetadata(core, res, baseUrl, now, started, logLine);
      return;
    }

    if (path.toLowerCase().startsWith("/v1.0/")) {
      serveGraphRequest(core, req, res, method, path, now, started, logLine);
      return;
    }

    core.store.settleDue(now);
    const segments = pathSegments(path) ?? [];
    const authorityRoute = matchAuthorityRoute(segments);
    if (authorityRoute !== undefined) {
      const kind = authorityRoute.kind === "token" || authorityRoute.kind === "managedIdentity" ? "token" : "discovery";
      const fault = core.faults.take(method, path);
      if (fault?.kind === "drop") {
        req.socket.destroy();
        record(core, logLine, { time: now, method, path, status: 0, started, kind, requestId: "" });
        return;
      }
      withBody((body) => {
        let reply: AuthorityReply;
        if (fault !== undefined && fault.kind !== "response-lost") {
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
            query,
          };
          reply =
            authorityRoute.kind === "managedIdentity"
              ? managedIdentityEndpoint(core, call)
              : authorityRoute.kind === "oidcIssuer"
                ? oidcIssuerEndpoint(core, call, authorityRoute.what)
                : authorityRoute.kind === "token"
                  ? tokenEndpoint(core, call, authorityRoute.version)
                  : authorityRoute.kind === "keys"
                    ? signingKeys(core, call)
                    : openidConfiguration(core, call, authorityRoute.version);
        }
        const text = JSON.stringify(reply.body);
        const lost = fault?.kind === "response-lost";
        // A token is issued only once the token state (its sequence number) is durable.
        core.afterPersist(() => {
          if (lost) {
            res.socket?.destroy();
            return;
          }
          res.writeHead(reply.status, {
            "content-type": "application/json; charset=utf-8",
            "content-length": Buffer.byteLength(text),
            "x-ms-request-id": reply.requestId,
            ...reply.headers,
          });
          res.end(text);
        });
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
          responseLost: lost,
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
    const requestKind = armRequestKind(method);
    let remaining: number | undefined;
    let computeRemaining: string | undefined;
    let clientId: string | undefined;
    let responseLost = false; // a response-lost fault: process the request, then drop the connection

    // Every answer waits until the changes made so far are in the state file (--state): an acknowledged write
    // survives a crash. Should that write fail, the client gets a 500 instead of an acknowledgement.
    const respond = (reply: Reply, errorCode?: string): void =>
      core.afterPersist((saved) => {
        if (responseLost) {
          res.socket?.destroy();
          record(core, logLine, {
            time: now,
            method,
            path,
            apiVersion,
            status: reply.status,
            started,
            kind: "arm",
            requestId: reply.requestId ?? "",
            clientId,
            errorCode,
            responseLost: true,
          });
        } else if (saved) sendReply(reply, errorCode);
        else {
          const failure = stateNotSaved();
          sendReply({ status: failure.status, body: failure.body() }, failure.code);
        }
      });
    const sendReply = (reply: Reply, errorCode?: string): void => {
      const requestId = reply.requestId ?? randomUUID();
      const headers: Record<string, string | number> = {
        "cache-control": "no-cache",
        pragma: "no-cache",
        expires: "-1",
        "x-ms-request-id": requestId,
        "x-ms-correlation-request-id": correlationId,
      };
      const limitScope = scope === "tenant" ? "tenant" : "subscription";
      headers[`x-ms-ratelimit-remaining-${limitScope}-${requestKind}`] =
        remaining ?? core.rateLimits.peek(scope, clientId ?? "anonymous", requestKind, now);
      if (computeRemaining !== undefined) headers["x-ms-ratelimit-remaining-resource"] = computeRemaining;
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
      const admission = core.rateLimits.admit(scope, caller.clientId, requestKind, now);
      remaining = admission.remaining;
      if (!admission.allowed) throw subscriptionThrottled(scope, requestKind, admission.retryAfterSeconds);
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
      if (fault?.kind === "response-lost") responseLost = true;
      else if (fault !== undefined) throw faultFailure(core, fault);
      if (apiVersion === undefined || apiVersion === "") throw missingApiVersion();
      const route = matchArmRoute(segments);
      if (route === undefined) throw unknownRoute(method, path);
      checkApiVersion(core, route, apiVersion);
      const computeKind = computeRequestKind(method, route);
      if (computeKind !== undefined) {
        const counted = core.rateLimits.admitCompute(scope, computeKind, now);
        computeRemaining = counted.header;
        if (!counted.allowed) {
          const { policy, windowStart, measured } = counted;
          throw computeThrottled(
            counted.retryAfterSeconds,
            { name: policy.name, limit: policy.limit, windowStart, now, measured },
            counted.header,
          );
        }
      }
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

// The cloud metadata document: no token, no faults (it is read once, by `az cloud register`).
function serveCloudMetadata(
  core: EmulatorCore,
  res: http.ServerResponse,
  baseUrl: string,
  now: number,
  started: number,
  logLine: ((line: string) => void) | undefined,
): void {
  const requestId = randomUUID();
  const text = JSON.stringify(cloudMetadata(baseUrl));
  res.writeHead(200, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "x-ms-request-id": requestId,
  });
  res.end(text);
  record(core, logLine, {
    time: now,
    method: "GET",
    path: "/metadata/endpoints",
    status: 200,
    started,
    kind: "discovery",
    requestId,
  });
}

// Microsoft Graph (graph.ts): a bearer token the emulator issued, then the answer; Graph's error shape on failure.
function serveGraphRequest(
  core: EmulatorCore,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  method: string,
  path: string,
  now: number,
  started: number,
  logLine: ((line: string) => void) | undefined,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on("error", () => res.destroy());
  req.on("end", () => {
    let reply: { status: number; body: unknown };
    let clientId: string | undefined;
    try {
      const caller = authenticate(core, req.headers.authorization, now, () => "Bearer");
      clientId = caller.clientId;
      reply = serveGraph(core, method, path, Buffer.concat(chunks));
    } catch (error) {
      if (!(error instanceof ArmFailure)) throw error;
      reply = { status: 401, body: { error: { code: "InvalidAuthenticationToken", message: error.message } } };
    }
    const requestId = randomUUID();
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(text),
      "request-id": requestId,
    });
    res.end(text);
    const errorCode = reply.status >= 400 ? (reply.body as { error?: { code?: string } }).error?.code : undefined;
    record(core, logLine, {
      time: now,
      method,
      path,
      status: reply.status,
      started,
      kind: "graph",
      requestId,
      clientId,
      errorCode,
    });
  });
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

// Which of Compute's policies count a request: scale set GETs and operation polls (rate-limits.ts).
function computeRequestKind(method: string, route: ArmRoute): ComputeRequestKind | undefined {
  if (method !== "GET") return undefined;
  if (route.kind === "scaleSet") return "getScaleSet";
  if (route.kind === "computeOperation") return "getOperation";
  return undefined;
}

function checkApiVersion(core: EmulatorCore, route: ArmRoute, apiVersion: string): void {
  if (!isWellFormedApiVersion(apiVersion)) throw invalidApiVersion(apiVersion);
  const provider = routeProvider(route);
  if (provider === "resources") return; // Microsoft.Resources: any version a client commonly sends (docs/arm-behavior.md)
  if (route.kind === "authorization") {
    const versions = route.type === "roleAssignments" ? ROLE_ASSIGNMENT_API_VERSIONS : ROLE_DEFINITION_API_VERSIONS;
    if (versions.includes(apiVersion)) return;
    throw noRegisteredProvider(route.type, apiVersion, versions, undefined);
  }
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
  if ("group" in route && route.group !== undefined && route.subscriptionId !== undefined) {
    return core.store.resourceGroups.get(resourceGroupLookupKey(route.subscriptionId, route.group))?.location;
  }
  return undefined;
}

function dispatch(core: EmulatorCore, call: ArmCall, route: ArmRoute): Reply {
  if (route.kind === "subscriptions") return listSubscriptions(core, call);
  if (route.kind === "authorization") return dispatchAuthorization(core, call, route);
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

function dispatchAuthorization(core: EmulatorCore, call: ArmCall, route: AuthorizationRoute): Reply {
  if (route.subscriptionId !== undefined && !isGuid(route.subscriptionId)) {
    throw invalidSubscriptionId(route.subscriptionId);
  }
  const subscriptionId = route.subscriptionId?.toLowerCase();
  if (route.type === "roleDefinitions") {
    return route.name === undefined
      ? listRoleDefinitions(call, subscriptionId)
      : handleRoleDefinition(call, subscriptionId, route.name);
  }
  // The router gives role assignments a subscription scope at least.
  const scope = { path: route.scope, subscriptionId: subscriptionId as string, resourceGroup: route.group };
  return route.name === undefined
    ? listRoleAssignments(core, call, scope)
    : handleRoleAssignment(core, call, scope, route.name);
}

/** Retry-After of an injected `throttle` fault when neither the fault nor the emulator names one (docs/emulator.md). */
export const THROTTLE_FAULT_RETRY_AFTER_SECONDS = 1;

function faultFailure(core: EmulatorCore, fault: FaultSpec): ArmFailure {
  if (fault.kind === "throttle") {
    return computeThrottled(fault.retryAfterSeconds ?? core.retryAfterSeconds ?? THROTTLE_FAULT_RETRY_AFTER_SECONDS);
  }
  return injectedStatus(fault.status ?? 503, fault.retryAfterSeconds, fault.code, fault.message);
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
    kind: "arm" | "token" | "discovery" | "graph";
    requestId: string;
    clientId?: string;
    errorCode?: string;
    responseLost?: boolean;
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
    ...(entry.responseLost === true ? { responseLost: true as const } : {}),
  });
  if (logLine !== undefined) {
    const version = logged.apiVersion === undefined ? "" : ` api-version=${logged.apiVersion}`;
    const error = logged.errorCode === undefined ? "" : ` ${logged.errorCode}`;
    const client = logged.clientId === undefined ? "" : ` client=${logged.clientId}`;
    const lost = logged.responseLost === true ? " response-lost" : "";
    logLine(
      `${logged.method} ${logged.path}${version} ${logged.status || "dropped"}${error}${lost} ${durationMs}ms${client}`,
    );
  }
}
