/**
 * Proxies: whether an ARM request goes through an HTTP proxy, as the environment says, and the undici dispatcher
 * that takes it there. The variables and their order are @azure/identity's (its token requests and the ARM requests
 * then take the same way): `HTTPS_PROXY`, `ALL_PROXY`, `HTTP_PROXY`, each upper case first, then lower case; and
 * `NO_PROXY`/`no_proxy`, matched as undici's `EnvHttpProxyAgent` and curl match it. docs/transport.md, "Proxies".
 *
 * A bearer token crosses a proxy only inside a CONNECT tunnel to an https origin: the proxy relays TLS it cannot
 * read. A plain-http origin (only a loopback one is allowed: request-target.ts) is always reached directly, since
 * through a proxy its token would travel in clear.
 */
import { BlockList, isIP } from "node:net";
import { Agent, Pool, ProxyAgent, type Dispatcher } from "undici";
import { ErrorCodes, InvalidInputError, VmssIdentityError } from "../errors";

/** The variables that name a proxy for https origins, in the order they are read (the first set one wins). */
export const PROXY_ENV_VARS = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY", "http_proxy"];

/** The variables that list hosts reached without the proxy, in the order they are read. */
export const NO_PROXY_ENV_VARS = ["NO_PROXY", "no_proxy"];

/** One `NO_PROXY` entry. */
export type NoProxyEntry =
  | { kind: "all" }
  /** A name or address, and every subdomain of a name; `port` restricts it to that port. */
  | { kind: "host"; host: string; port?: number }
  /** An IP range in CIDR notation, e.g. `10.0.0.0/8`, `fd00::/8`. */
  | { kind: "range"; range: BlockList; text: string };

/** What the environment says about proxies. */
export interface ProxySettings {
  /** The proxy for https origins, undefined when no variable names one. */
  proxy?: {
    url: URL;
    /** The variable it came from, e.g. `HTTPS_PROXY`. */
    variable: string;
  };
  /** Hosts reached directly. */
  noProxy: NoProxyEntry[];
}

/** The proxy a request to `origin` goes through, or undefined to go directly. */
export interface ProxyRoute {
  url: URL;
  variable: string;
}

/**
 * Reads the proxy variables of `env`. An empty variable counts as unset.
 * @throws InvalidInputError naming the variable when the proxy it names is not an http(s) URL (the value is shown
 *   without its user info).
 */
export function proxySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ProxySettings {
  const settings: ProxySettings = { noProxy: [] };
  const variable = PROXY_ENV_VARS.find((name) => (env[name] ?? "").trim() !== "");
  if (variable !== undefined) settings.proxy = { url: parseProxyUrl(env[variable]!, variable), variable };
  const noProxyVariable = NO_PROXY_ENV_VARS.find((name) => (env[name] ?? "").trim() !== "");
  if (noProxyVariable !== undefined) settings.noProxy = parseNoProxy(env[noProxyVariable]!);
  return settings;
}

/**
 * A proxy URL: `http://` or `https://` (a TLS connection to the proxy), optional `user:pass@` (sent as
 * `Proxy-Authorization: Basic`), a host and a port (default 80 or 443). A bare `host:port` means `http://host:port`,
 * as curl reads it.
 * @throws InvalidInputError naming `variable`.
 */
export function parseProxyUrl(value: string, variable: string): URL {
  const text = value.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL | undefined;
  try {
    url = new URL(withScheme);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") {
    throw new InvalidInputError(
      `${variable}: ${JSON.stringify(redactUserInfo(text))} is invalid; expected an http:// or https:// proxy URL ` +
        `such as http://proxy.example.com:3128`,
      { property: variable },
    );
  }
  return url;
}

/**
 * Parses a `NO_PROXY` value: entries separated by commas or white space; `*` alone (every host); a name, which also
 * covers its subdomains (a leading `.` or `*.` is allowed and changes nothing); an IP address (IPv6 bare or in
 * brackets); any of these with `:port`; or an IP range in CIDR notation. Names compare case-insensitively.
 */
export function parseNoProxy(value: string): NoProxyEntry[] {
  const entries: NoProxyEntry[] = [];
  for (const raw of value.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") {
      entries.push({ kind: "all" });
      continue;
    }
    const cidr = /^\[?([0-9a-f:.]+)\]?\/(\d{1,3})$/.exec(entry);
    if (cidr !== null && isIP(cidr[1]) !== 0) {
      const family = isIP(cidr[1]) === 4 ? "ipv4" : "ipv6";
      const prefix = Number(cidr[2]);
      if (prefix <= (family === "ipv4" ? 32 : 128)) {
        const range = new BlockList();
        range.addSubnet(cidr[1], prefix, family);
        entries.push({ kind: "range", range, text: entry });
      }
      continue;
    }
    let host = entry;
    let port: number | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    const hostPort = /^([^:]+):(\d+)$/.exec(entry);
    if (bracketed !== null) {
      host = bracketed[1];
      port = bracketed[2] === undefined ? undefined : Number(bracketed[2]);
    } else if (hostPort !== null) {
      host = hostPort[1];
      port = Number(hostPort[2]);
    }
    host = host.replace(/^\*?\./, "");
    if (host !== "") entries.push(port === undefined ? { kind: "host", host } : { kind: "host", host, port });
  }
  return entries;
}

/**
 * Which proxy a request to `origin` goes through: none for a plain-http origin (its token would cross the proxy in
 * clear), none when `NO_PROXY` covers the host (and port), else the proxy of the settings (if any).
 */
export function proxyFor(origin: URL, settings: ProxySettings): ProxyRoute | undefined {
  if (settings.proxy === undefined || origin.protocol !== "https:") return undefined;
  if (bypassesProxy(origin, settings.noProxy)) return undefined;
  return settings.proxy;
}

/** Whether `NO_PROXY` entries cover `origin`'s host and port. */
export function bypassesProxy(origin: URL, entries: readonly NoProxyEntry[]): boolean {
  const host = origin.hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  const port = origin.port === "" ? (origin.protocol === "https:" ? 443 : 80) : Number(origin.port);
  const family = isIP(host);
  return entries.some((entry) => {
    if (entry.kind === "all") return true;
    if (entry.kind === "range") return family !== 0 && entry.range.check(host, family === 4 ? "ipv4" : "ipv6");
    if (entry.port !== undefined && entry.port !== port) return false;
    return host === entry.host || (family === 0 && host.endsWith(`.${entry.host}`));
  });
}

/** A proxy URL for messages: scheme, host and port, with any `user:pass@` replaced by `***@`. */
export function redactProxyUrl(url: URL): string {
  const userInfo = url.username !== "" || url.password !== "" ? "***@" : "";
  return `${url.protocol}//${userInfo}${url.host}`;
}

function redactUserInfo(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@]*@/i, (_, scheme: string | undefined) => `${scheme ?? ""}***@`);
}

/**
 * The undici dispatcher for requests to `origin`: a keep-alive `Agent` when they go directly, else a `ProxyAgent`
 * whose tunnels fail with errors that name the proxy (never its credentials): `ProxyTunnelFailed` when the proxy
 * answers the CONNECT with anything but 200 (403 by policy, 407 without the right credentials, 502 when it cannot
 * reach the origin), and the network code (e.g. `ECONNREFUSED`, retried as any refused connection) when the proxy
 * itself cannot be reached.
 *
 * @param options undici `Agent` options, e.g. `connect: { ca }`, which through a proxy applies to the TLS inside the
 *   tunnel (default: Node's trust store, with `NODE_EXTRA_CA_CERTS`).
 */
export function dispatcherFor(origin: URL, settings: ProxySettings, options: Agent.Options = {}): Dispatcher {
  const route = proxyFor(origin, settings);
  if (route === undefined) return new Agent(options);
  const shown = `${redactProxyUrl(route.url)} (from ${route.variable})`;
  return new ProxyAgent({
    ...options,
    // The Agent's `connect` TLS options (e.g. a CA) are for the origin: through a proxy, the tunnel's TLS.
    requestTls: typeof options.connect === "object" ? options.connect : undefined,
    uri: route.url.href,
    clientFactory: (proxyOrigin, clientOptions) => new TunnelPool(proxyOrigin, clientOptions, shown),
  });
}

/** The error of a tunnel the proxy would not, or could not, open. */
export class ProxyTunnelError extends VmssIdentityError {
  override readonly name: string = "ProxyTunnelError";
}

/** The connection pool to the proxy, whose CONNECTs fail with errors that say which proxy and which origin. */
class TunnelPool extends Pool {
  constructor(
    origin: string | URL,
    options: Pool.Options,
    private readonly shown: string,
  ) {
    super(origin, options);
  }

  override connect(options: Dispatcher.ConnectOptions): Promise<Dispatcher.ConnectData>;
  override connect(
    options: Dispatcher.ConnectOptions,
    callback: (err: Error | null, data: Dispatcher.ConnectData) => void,
  ): void;
  override connect(
    options: Dispatcher.ConnectOptions,
    callback?: (err: Error | null, data: Dispatcher.ConnectData) => void,
  ): Promise<Dispatcher.ConnectData> | void {
    if (callback !== undefined) return super.connect(options, callback);
    return this.tunnel(options);
  }

  private async tunnel(options: Dispatcher.ConnectOptions): Promise<Dispatcher.ConnectData> {
    const target = String(options.path);
    let data: Dispatcher.ConnectData;
    try {
      data = await super.connect(options);
    } catch (cause) {
      const code = (cause as { code?: unknown }).code;
      throw new ProxyTunnelError(
        `could not reach the proxy ${this.shown} to open a tunnel to ${target}: ${(cause as Error).message}`,
        { code: typeof code === "string" && code !== "" ? code : ErrorCodes.proxyTunnelFailed, cause },
      );
    }
    if (data.statusCode !== 200) {
      data.socket.destroy();
      throw new ProxyTunnelError(
        `the proxy ${this.shown} refused the tunnel to ${target}: it answered the CONNECT with HTTP ${data.statusCode}`,
        { code: ErrorCodes.proxyTunnelFailed, statusCode: data.statusCode },
      );
    }
    return data;
  }
}
