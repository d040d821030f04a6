/**
 * A local forward proxy that speaks only CONNECT, as corporate proxies do for https, and records what it did:
 * 1. A client sends `CONNECT host:port HTTP/1.1` (with `Proxy-Authorization` when its proxy URL carries `user:pass@`).
 * 2. The proxy checks the credentials it was given (407 without them), refuses when told to (`refuse`), else dials
 *    `host:port` (a name in `hosts` maps to an address, as the proxy's own DNS would) and answers
 *    `200 Connection Established`; from then on it only relays bytes, and never sees inside TLS.
 * 3. A request in absolute form (`GET http://...`, a plain-http forward) is answered 405 and recorded: a test asserts
 *    that none came, since such a request would carry its bearer token in clear.
 * Every CONNECT and forward is a line in `log` (`CONNECT localhost:43123 -> 200`), in order.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect as dial, type AddressInfo, type Socket } from "node:net";

/** One CONNECT the proxy was asked for. */
export interface Tunnel {
  /** `host:port` as the client asked for it. */
  target: string;
  /** What the proxy answered: 200, 403, 407, 502 (target unreachable). */
  status: number;
  /** The `Proxy-Authorization` header the client sent, if any (tests check credentials reached the proxy). */
  proxyAuthorization?: string;
}

/** Options of {@link ConnectProxy.start}. */
export interface ConnectProxyOptions {
  /** Answer every CONNECT with this status (e.g. 403) instead of opening the tunnel. */
  refuse?: number;
  /** `user:pass` the proxy requires in `Proxy-Authorization: Basic`; 407 without it. */
  credentials?: string;
}

/** The proxy; `close()` it after the test. */
export class ConnectProxy {
  readonly tunnels: Tunnel[] = [];
  /** Requests in absolute form (plain-http forwards), which this proxy refuses: `METHOD url`. */
  readonly forwards: string[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    /** The proxy's URL, e.g. `http://127.0.0.1:40123`. */
    readonly url: string,
    private readonly options: ConnectProxyOptions,
  ) {}

  /** Starts a proxy on 127.0.0.1, port chosen by the OS. */
  static async start(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    const proxy = new ConnectProxy(server, `http://127.0.0.1:${port}`, options);
    server.on("connection", (socket: Socket) => {
      proxy.sockets.add(socket);
      socket.on("close", () => proxy.sockets.delete(socket));
    });
    server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => proxy.tunnel(req, client, head));
    server.on("request", (req, res) => {
      proxy.forwards.push(`${req.method} ${req.url}`);
      res.writeHead(405, { "content-type": "text/plain" }).end("this proxy only opens CONNECT tunnels\n");
    });
    return proxy;
  }

  /** The tunnels as log lines, `CONNECT <target> -> <status>`, in order; forwards as `<METHOD> <url> -> 405`. */
  get log(): string[] {
    return [
      ...this.tunnels.map((t) => `CONNECT ${t.target} -> ${t.status}`),
      ...this.forwards.map((f) => `${f} -> 405`),
    ];
  }

  /** Targets of the tunnels the proxy opened (status 200). */
  opened(): string[] {
    return this.tunnels.filter((t) => t.status === 200).map((t) => t.target);
  }

  /** Stops listening and cuts every connection and tunnel. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private tunnel(req: IncomingMessage, client: Socket, head: Buffer): void {
    const target = String(req.url);
    const record: Tunnel = { target, status: 0 };
    if (req.headers["proxy-authorization"] !== undefined)
      record.proxyAuthorization = req.headers["proxy-authorization"];
    this.tunnels.push(record);
    this.sockets.add(client);
    client.on("close", () => this.sockets.delete(client));
    client.on("error", () => client.destroy());
    const answer = (status: number, reason: string) => {
      record.status = status;
      client.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    const { credentials, refuse } = this.options;
    if (credentials !== undefined) {
      const expected = `Basic ${Buffer.from(credentials).toString("base64")}`;
      if (req.headers["proxy-authorization"] !== expected) return answer(407, "Proxy Authentication Required");
    }
    if (refuse !== undefined) return answer(refuse, "Refused by policy");
    const match = /^(.+):(\d+)$/.exec(target);
    if (match === null) return answer(400, "Bad Request");
    const host = match[1].replace(/^\[(.*)\]$/, "$1");
    const upstream = dial({ host, port: Number(match[2]) });
    this.sockets.add(upstream);
    upstream.on("close", () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    upstream.on("error", () => {
      if (record.status === 0) answer(502, "Bad Gateway");
      upstream.destroy();
    });
    upstream.on("connect", () => {
      record.status = 200;
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
      client.on("close", () => upstream.destroy());
    });
  }
}
