/**
 * The explicit ARM endpoint a declaration may name (a custom cloud or the emulator), checked without I/O.
 * Bearer tokens are sent to it, so it must be https, or http only to a loopback host (../shared/DESIGN.md
 * "ARM transport"); it must carry no credentials, query or fragment, which would otherwise end up in state.
 */
import { quote } from "./describeValue";

/** What {@link parseEndpoint} expects (named in error messages). */
export const ENDPOINT_EXPECTED =
  "an https URL (http only for a loopback host: localhost, 127.0.0.0/8 or [::1]) without user name, password, query or fragment";

/** An endpoint that is not acceptable. The message never shows user info, query or fragment. */
export class InvalidEndpointError extends Error {
  override readonly name = "InvalidEndpointError";

  constructor(value: string, reason: string) {
    super(`invalid endpoint ${quote(redactUrl(value))}: ${reason}; expected ${ENDPOINT_EXPECTED}`);
  }
}

/**
 * Checks an ARM endpoint URL and returns its canonical spelling: scheme and host lower-case, default port
 * dropped, no trailing slash (`https://management.azure.com`, `http://127.0.0.1:8443/arm`).
 * @throws InvalidEndpointError naming the (redacted) value, the problem and what is expected.
 */
export function parseEndpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidEndpointError(value, "not a URL");
  }
  if (url.username !== "" || url.password !== "") throw new InvalidEndpointError(value, "it contains credentials");
  if (url.search !== "" || value.includes("?")) throw new InvalidEndpointError(value, "it has a query");
  if (url.hash !== "" || value.includes("#")) throw new InvalidEndpointError(value, "it has a fragment");
  if (url.protocol === "http:") {
    if (!isLoopback(url.hostname)) throw new InvalidEndpointError(value, "http is only allowed for a loopback host");
  } else if (url.protocol !== "https:") {
    throw new InvalidEndpointError(value, `the scheme ${quote(url.protocol.slice(0, -1))} is not https`);
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

/** Whether a URL hostname is a loopback address or `localhost`. */
export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** A URL with user info, query and fragment hidden, for messages: they can hold secrets. */
export function redactUrl(value: string): string {
  return value.replace(/^([^:/?#]*:\/\/)[^/?#]*@/, "$1***@").replace(/[?#].*$/s, "?…");
}

/**
 * An endpoint value in canonical spelling for comparisons; a value that is not a string, or does not parse (old state
 * may predate a grammar change), is compared as it is rather than failing a preview.
 */
export function canonicalEndpoint(value: unknown): unknown {
  if (typeof value !== "string") return value ?? undefined;
  try {
    return parseEndpoint(value);
  } catch {
    return value;
  }
}
