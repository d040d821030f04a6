/**
 * Where a request may go: the checks that keep a path from steering a request elsewhere, and a bearer token
 * from leaving for a host that is neither https nor loopback.
 */
import { isIP } from "node:net";

/**
 * Whether a bearer token may be sent to `url`: https anywhere, plain http only to a loopback host
 * (127.0.0.0/8, ::1, localhost) such as a local emulator.
 */
export function isBearerAllowed(url: URL): boolean {
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && isLoopbackHost(url.hostname);
}

/** Whether `hostname` (as `URL.hostname` gives it, IPv6 in brackets) is a loopback host. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  // IPv4-mapped loopback; WHATWG URL writes ::ffff:127.0.0.1 as ::ffff:7f00:1.
  if (isIP(host) === 6) return host === "::1" || /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(host);
  return false;
}

/**
 * Checks an ARM endpoint before any request: an absolute http(s) URL to which a bearer token may go.
 * @throws Error naming the endpoint and what is allowed.
 */
export function assertEndpointAllowed(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`resourceManagerEndpoint: ${JSON.stringify(endpoint)} is not an absolute URL`);
  }
  if (!isBearerAllowed(url)) {
    throw new Error(
      `resourceManagerEndpoint: refusing to send bearer tokens to ${JSON.stringify(url.origin)}; ` +
        `expected an https URL, or http to a loopback host (127.0.0.0/8, ::1, localhost)`,
    );
  }
  return url;
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

/** Validates an ARM api-version: `YYYY-MM-DD` with an optional `-suffix` such as `-preview`. */
export function apiVersionProblem(apiVersion: string): string | undefined {
  return typeof apiVersion === "string" && /^\d{4}-\d{2}-\d{2}(-[A-Za-z0-9]+)*$/.test(apiVersion)
    ? undefined
    : "expected an api-version like 2024-11-01 or 2022-01-31-preview";
}

/** Joins the endpoint base URL and an already validated path, and sets `api-version`. */
export function buildRequestUrl(endpoint: URL, path: string, apiVersion: string): URL {
  const base = endpoint.href.replace(/\/+$/, "");
  const url = new URL(base + path);
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
