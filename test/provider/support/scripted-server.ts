/**
 * A loopback HTTP server scripted per attempt, as undici's own retry tests do: each route answers with the next
 * reply in its queue (the last one repeats), and every request is recorded. Used for the retry, token and
 * long-running-operation edge cases the emulator does not (or not yet) stage.
 *
 * 1. A test scripts `METHOD /path` with replies in order (status, headers, body, or `drop` to cut the connection).
 * 2. The client under test talks to `url` over real HTTP on 127.0.0.1, port chosen by the OS.
 * 3. The test asserts on `requests` (method, path, query, headers, body) and on what the client returned.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { AccessToken, GetTokenOptions } from "@azure/identity";
import type { RenewableTokenCredential } from "../../../provider/arm";

/** One scripted answer. */
export interface ScriptedReply {
  status?: number;
  headers?: Record<string, string>;
  /** Serialised as JSON unless it is a string. */
  body?: unknown;
  /** Destroy the connection after reading the request, without answering. */
  drop?: boolean;
}

/** A reply, or a function of the request that makes one. */
export type Responder = ScriptedReply | ((request: RecordedRequest) => ScriptedReply);

/** A request as the server saw it. */
export interface RecordedRequest {
  method: string;
  /** Path without query string. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Which TCP connection carried it (1 = first). */
  connection: number;
}

/** The scripted server; `close()` it after the test. */
export class ScriptedServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, Responder[]>();
  private readonly sockets = new Set<Socket>();
  private connections = 0;

  private constructor(
    private readonly server: Server,
    /** Base URL, e.g. `http://127.0.0.1:40123`. */
    readonly url: string,
  ) {}

  /** Starts a server on 127.0.0.1, port 0. */
  static async start(): Promise<ScriptedServer> {
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    const scripted = new ScriptedServer(server, `http://127.0.0.1:${port}`);
    server.on("connection", (socket: Socket) => {
      const id = ++scripted.connections;
      (socket as Socket & { scriptedId?: number }).scriptedId = id;
      scripted.sockets.add(socket);
      socket.on("close", () => scripted.sockets.delete(socket));
    });
    server.on("request", (req, res) => void scripted.handle(req, res));
    return scripted;
  }

  /** Queues replies for `METHOD path` (path without query); the last reply repeats once the queue is drained. */
  script(method: string, path: string, ...replies: Responder[]): this {
    const key = `${method} ${path}`;
    this.routes.set(key, [...(this.routes.get(key) ?? []), ...replies]);
    return this;
  }

  /** Requests to `METHOD path`, in order. */
  requestsTo(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  /** Number of TCP connections accepted so far. */
  get connectionCount(): number {
    return this.connections;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
    await once(this.server, "close");
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", this.url);
    const recorded: RecordedRequest = {
      method: req.method ?? "",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
      connection: (req.socket as Socket & { scriptedId?: number }).scriptedId ?? 0,
    };
    this.requests.push(recorded);

    const queue = this.routes.get(`${recorded.method} ${recorded.path}`);
    const responder = queue === undefined ? undefined : queue.length > 1 ? queue.shift() : queue[0];
    const reply: ScriptedReply =
      responder === undefined
        ? { status: 599, body: { error: { code: "Unscripted", message: `${recorded.method} ${recorded.path}` } } }
        : typeof responder === "function"
          ? responder(recorded)
          : responder;
    if (reply.drop) {
      req.socket.destroy();
      return;
    }
    const body =
      reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
    const headers: Record<string, string> = { ...(reply.headers ?? {}) };
    if (body !== "" && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
      headers["content-type"] = "application/json";
    }
    res.writeHead(reply.status ?? 200, headers);
    res.end(body);
  }
}

/**
 * A credential for tests that counts its calls and hands out `token-1`, `token-2`, ... Each `getToken` returns the
 * current token unless `expire()` was called; `getFreshToken` always mints the next one.
 */
export class CountingCredential implements RenewableTokenCredential {
  getTokenCalls = 0;
  freshTokenCalls = 0;
  private minted = 0;
  private current: AccessToken | undefined;

  /** @param lifetimeMs lifetime of each minted token, in ms (default one hour). */
  constructor(private readonly lifetimeMs = 3_600_000) {}

  async getToken(_scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.getTokenCalls++;
    if (this.current === undefined || this.current.expiresOnTimestamp <= Date.now()) this.current = this.mint();
    return this.current;
  }

  async getFreshToken(_scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.freshTokenCalls++;
    this.current = this.mint();
    return this.current;
  }

  /** Makes the next `getToken` mint a new token. */
  expire(): void {
    this.current = undefined;
  }

  private mint(): AccessToken {
    this.minted++;
    return { token: `token-${this.minted}`, expiresOnTimestamp: Date.now() + this.lifetimeMs };
  }
}
