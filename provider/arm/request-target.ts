/**
 * Where a request may go: the checks that keep a path from steering a request elsewhere, and a bearer token
 * from leaving for a host that is neither https nor loopback.
 */
import { ErrorCodes, InvalidInputError } from "../errors";
import { apiVersionShapeProblem } from "../grammar/apiVersion";
import { ENDPOINT_EXPECTED, bearerUrlProblem, isLoopbackHost, redactUrl } from "../grammar/endpoint";

export { isLoopbackHost } from "../grammar/endpoint";

/**
 * Whether a bearer token may be sent to `url`: https anywhere, plain http only to a loopback host
 * (127.0.0.0/8, ::1, localhost; the one rule of provider/grammar/endpoint.ts) such as a local emulator.
 * Through a proxy the token travels only inside a CONNECT tunnel to an https origin: proxy.ts never routes a
 * plain-http origin through one.
 */
export function isBearerAllowed(url: URL): boolean {
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && isLoopbackHost(url.hostname);
}

/**
 * Checks an ARM endpoint before any request, by the grammar's rule (provider/grammar/endpoint.ts
 * `bearerUrlProblem`, the one `check` applies): https, or http to a loopback host, since a bearer token goes there;
 * no user name, password, query or fragment.
 * @throws InvalidInputError (code `InvalidEndpoint`, property `resourceManagerEndpoint`) naming the endpoint
 *   (redacted) and what is allowed.
 */
export function assertEndpointAllowed(endpoint: string): URL {
  const problem = bearerUrlProblem(endpoint, { query: false });
  if (problem !== undefined) {
    throw new InvalidInputError(
      `resourceManagerEndpoint: refusing to send bearer tokens to ${JSON.stringify(redactUrl(endpoint))}: ` +
        `${problem}; expected ${ENDPOINT_EXPECTED}`,
      { code: ErrorCodes.invalidEndpoint, property: "resourceManagerEndpoint" },
    );
  }
  return new URL(endpoint);
}

/**
 * Validates an ARM path: starts with "/", no query string, no fragment, no "." or ".." segment, no
 * backslash or control character. The api-version is added separately, never taken from the path.
 * @returns undefined when valid, else what is wrong (for an error naming `path`).
 */
export function armPathProblem(path: string): string | undefined {
  if (typeof path !== "string" || !path.startsWith("/") || path.startsWith("//")) {
    return "expected an ARM path starting with a single '/'";
  }
  if (/[?#]/.test(path)) return "expected a path without query string or fragment";
  if (/[\\\u0000-\u001f\u007f]/.test(path)) return "expected a path without backslashes or control characters";
  for (const segment of path.split("/")) {
    const decoded = safeDecode(segment);
    if (decoded === "." || decoded === "..") return "expected a path without '.' or '..' segments";
  }
  return undefined;
}

/**
 * Validates an ARM api-version's shape: `YYYY-MM-DD` with an optional `-suffix` such as `-preview` (the grammar's
 * {@link apiVersionShapeProblem}; whether a type serves it is `check`'s question, and ARM's).
 */
export function apiVersionProblem(apiVersion: string): string | undefined {
  return apiVersionShapeProblem(apiVersion);
}

/** Joins the endpoint base URL and an already validated path, and sets the `query` parameters and `api-version`. */
export function buildRequestUrl(
  endpoint: URL,
  path: string,
  apiVersion: string,
  query: Readonly<Record<string, string>> = {},
): URL {
  const base = endpoint.href.replace(/\/+$/, "");
  const url = new URL(base + path);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  url.searchParams.set("api-version", apiVersion);
  return url;
}

/** Whether `url` has the same origin as the ARM endpoint, i.e. may receive its bearer token. */
export function isSameOrigin(url: URL, endpoint: URL): boolean {
  return url.origin === endpoint.origin;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
