// The request log tests and benchmarks read to count ARM calls. Appending is one array push; the
// log keeps the most recent entries only, so a long benchmark cannot grow memory without bound.

/** One request as the emulator saw it. Never holds a token, a secret or a body. */
export interface RequestLogEntry {
  /** Position in the log since the emulator started (1-based, never reused). */
  seq: number;
  /** When the request arrived, ms since the epoch. */
  time: number;
  method: string;
  /** Path without query string, as sent. */
  path: string;
  /** The `api-version` query parameter, if any. */
  apiVersion?: string;
  /** HTTP status sent; 0 when the connection was dropped by a fault. */
  status: number;
  /** Time to answer, in milliseconds. */
  durationMs: number;
  /** Client (application) ID: of the bearer token for ARM calls, of the form for token requests. */
  clientId?: string;
  /** `arm` (Resource Manager), `token` (token endpoint), `discovery` (OpenID documents) or `graph` (Microsoft Graph). */
  kind: "arm" | "token" | "discovery" | "graph";
  /** x-ms-request-id sent back. */
  requestId: string;
  /** ARM error code when the response was an error. */
  errorCode?: string;
  /**
   * Set by a `response-lost` fault: the request was processed (`status` is the answer it got) but the connection
   * was destroyed instead of sending it.
   */
  responseLost?: true;
}

/** Bounded in-memory request log. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;

  /** @param limit how many recent entries to keep (default 100 000). */
  constructor(private readonly limit = 100_000) {}

  /** Appends an entry (its `seq` is assigned here). */
  add(entry: Omit<RequestLogEntry, "seq">): RequestLogEntry {
    const full = { seq: ++this.seq, ...entry };
    this.entries.push(full);
    if (this.entries.length > this.limit) this.entries = this.entries.slice(this.entries.length - this.limit / 2);
    return full;
  }

  /** Copies of the kept entries, oldest first. */
  list(): RequestLogEntry[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  /** Forgets every entry (sequence numbers keep increasing). */
  clear(): void {
    this.entries = [];
  }
}
