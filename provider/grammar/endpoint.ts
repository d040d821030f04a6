/**
 * The one owner of the endpoint grammar: the explicit ARM endpoint a declaration may name (a custom cloud or the
 * emulator), and which hosts count as loopback, checked without I/O. Bearer tokens are sent to an endpoint, so it must
 * be https, or http only to a loopback host (docs/transport.md); it must carry no credentials, query or fragment,
 * which would otherwise end up in state. The transport (provider/arm/request-target.ts) and the OIDC request URL
 * setting (./settings.ts) apply the same rule, {@link bearerUrlProblem}.
 */
import { isIP } from "node:net";
import { ErrorCodes, InvalidInputError } from "../errors";
import { quote } from "./describeValue";

/** What {@link parseEndpoint} expects (named in error messages). */
export const ENDPOINT_EXPECTED =
  "an https URL (http only for a loopback host: localhost, 127.0.0.0/8 or [::1]) without user name, password, query or fragment";

/** The loopback hosts plain http may reach (named in error messages). */
export const LOOPBACK_HOSTS = "127.0.0.0/8, ::1, localhost";

/** An endpoint that is not acceptable (code `InvalidEndpoint`). The message never shows user info, query or fragment. */
export class InvalidEndpointError extends InvalidInputError {
  override readonly name = "InvalidEndpointError";

  constructor(value: string, reason: string) {
    super(`invalid endpoint ${quote(redactUrl(value))}: ${reason}; expected ${ENDPOINT_EXPECTED}`, {
      code: ErrorCodes.invalidEndpoint,
    });
  }
}

/**
 * Checks an ARM endpoint URL and returns its canonical spelling: scheme and host lower-case, default port
 * dropped, no trailing slash (`https://management.azure.com`, `http://127.0.0.1:8443/arm`).
 * @throws InvalidEndpointError naming the (redacted) value, the problem and what is expected.
 */
export function parseEndpoint(value: string): string {
  const problem = bearerUrlProblem(value, { query: false });
  if (problem !== undefined) throw new InvalidEndpointError(value, problem);
  const url = new URL(value);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

/**
 * The one rule for a URL that receives a bearer token (an ARM endpoint, an OIDC request URL): an absolute URL,
 * https, or http only to a loopback host (a token must not cross the network in clear); no user name or password and
 * no fragment (they would end up in state or logs); a query only when `query` is true (an OIDC request URL carries
 * its api-version). Returns what is wrong, else undefined.
 */
export function bearerUrlProblem(value: string, options: { query: boolean }): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "not a URL";
  }
  if (url.username !== "" || url.password !== "") return "it contains credentials";
  if (!options.query && (url.search !== "" || value.includes("?"))) return "it has a query";
  if (url.hash !== "" || value.includes("#")) return "it has a fragment";
  if (url.protocol === "http:") {
    return isLoopbackHost(url.hostname) ? undefined : "http is only allowed for a loopback host";
  }
  return url.protocol === "https:" ? undefined : `the scheme ${quote(url.protocol.slice(0, -1))} is not https`;
}

/**
 * Whether `hostname` (as `URL.hostname` gives it, IPv6 in brackets) is a loopback host: `localhost`, 127.0.0.0/8,
 * `::1`, or IPv4-mapped loopback (WHATWG URL writes `::ffff:127.0.0.1` as `::ffff:7f00:1`). A name under `.localhost`
 * is not: whether it resolves to loopback is up to the resolver, and a bearer token must not depend on that.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(host);
  return false;
}

/** A URL with user info, query and fragment hidden, for messages: they can hold secrets. */
export function redactUrl(value: string): string {
  return value.replace(/^([^:/?#]*:\/\/)[^/?#]*@/, "$1***@").replace(/[?#].*$/s, "?…");
}
