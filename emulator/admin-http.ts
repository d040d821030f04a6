// The admin HTTP API under /_emulator/: the EmulatorAdmin methods over HTTP, with no token, for loopback
// peers only. Bad input answers 400 InvalidAdminRequest with the AdminInputError message.
import type * as http from "node:http";
import type { EmulatorAdmin, OperationFailureSpec } from "./admin";
import { AdminInputError, type FaultSpec } from "./faults";
import type { UnassignedRemoval } from "./identity";
import type { BucketSpec, RateLimitChanges } from "./rate-limits";
import type { KeyCasing } from "./resource-ids";
import type { ApplicationSpec } from "./applications";

/** Result of an admin HTTP request. */
export interface AdminReply {
  status: number;
  body?: unknown;
}

/**
 * Serves /_emulator/… (see docs/emulator.md "Admin HTTP API"). `path` is the part after /_emulator.
 * @param info what GET /_emulator/info shows (never the client secret).
 */
export function handleAdminRequest(
  admin: EmulatorAdmin,
  method: string,
  path: string,
  body: Buffer,
  info: Record<string, unknown>,
): AdminReply {
  const route = `${method} ${path.replace(/\/+$/, "").toLowerCase()}`;
  try {
    const input = (): unknown => parseBody(body);
    const field = (name: string): unknown => {
      const value = input();
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new AdminInputError(`request body: expected a JSON object with '${name}', got ${JSON.stringify(value)}`);
      }
      return (value as Record<string, unknown>)[name];
    };
    switch (route) {
      case "GET /info":
        return { status: 200, body: info };
      case "GET /requests":
        return { status: 200, body: { value: admin.requests() } };
      case "DELETE /requests":
        admin.clearRequests();
        return { status: 204 };
      case "GET /faults":
        return { status: 200, body: { value: admin.faults() } };
      case "POST /faults":
        return { status: 201, body: { id: admin.injectFault(input() as FaultSpec) } };
      case "DELETE /faults":
        admin.clearFaults();
        return { status: 204 };
      case "PUT /operation-duration":
        admin.setOperationDuration(field("ms") as number);
        return { status: 204 };
      case "POST /operations/finish":
        admin.finishOperations();
        return { status: 204 };
      case "POST /operations/fail-next":
        admin.failNextOperations(input() as OperationFailureSpec);
        return { status: 204 };
      case "PUT /retry-after":
        admin.setRetryAfter(field("seconds") as number | null);
        return { status: 204 };
      case "PUT /key-casing":
        admin.setKeyCasing(field("casing") as KeyCasing);
        return { status: 204 };
      case "PUT /unassigned-removal":
        admin.setUnassignedRemoval(field("mode") as UnassignedRemoval);
        return { status: 204 };
      case "POST /permissions/deny-assign":
        admin.denyAssign(field("clientId") as string, field("identityId") as string);
        return { status: 204 };
      case "POST /permissions/deny-write":
        admin.denyWrite(field("clientId") as string, field("scopeId") as string);
        return { status: 204 };
      case "DELETE /permissions":
        admin.resetPermissions();
        return { status: 204 };
      case "PUT /replication-delay":
        admin.setReplicationDelay(field("ms") as number);
        return { status: 204 };
      case "POST /principal-not-found":
        admin.forcePrincipalNotFound(field("count") as number);
        return { status: 204 };
      case "PUT /write-bucket":
        admin.setWriteBucket(input() as BucketSpec | null);
        return { status: 204 };
      case "GET /rate-limits":
        return { status: 200, body: admin.rateLimits() };
      case "PUT /rate-limits":
        admin.setRateLimits(input() as RateLimitChanges);
        return { status: 204 };
      case "POST /tokens/revoke":
        admin.revokeTokens();
        return { status: 204 };
      case "POST /tokens/expire":
        admin.expireTokens();
        return { status: 204 };
      case "POST /applications":
        admin.registerApplication(input() as ApplicationSpec);
        return { status: 204 };
      case "GET /managed-identity":
        return { status: 200, body: admin.managedIdentityEndpoint() };
      case "GET /oidc/issuer":
        return { status: 200, body: { issuer: admin.oidcIssuerUrl() } };
      case "POST /oidc/request-tokens":
        return { status: 200, body: { requestToken: admin.oidcRequestToken(field("subject") as string) } };
      case "POST /oidc/tokens":
        return {
          status: 200,
          body: { token: admin.mintOidcToken(input() as Parameters<EmulatorAdmin["mintOidcToken"]>[0]) },
        };
      case "GET /state":
        return { status: 200, body: admin.state() };
      case "POST /reset":
        admin.reset();
        return { status: 204 };
      default:
        return {
          status: 404,
          body: {
            error: {
              code: "NotFound",
              message: `No admin endpoint '${method} /_emulator${path}'; see docs/emulator.md.`,
            },
          },
        };
    }
  } catch (error) {
    if (error instanceof AdminInputError) {
      return { status: 400, body: { error: { code: "InvalidAdminRequest", message: error.message } } };
    }
    throw error;
  }
}

function parseBody(body: Buffer): unknown {
  const text = body.toString("utf8");
  if (text.trim() === "") throw new AdminInputError("request body: expected JSON, got an empty body");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AdminInputError(`request body: expected JSON (${(error as Error).message})`);
  }
}

/** Answers one admin request (the body already read). */
export function serveAdmin(
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
