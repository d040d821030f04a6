// Injected faults: the next N requests matching a method and a path pattern get a 429, a chosen
// status with ARM's error body, a dropped connection, or a lost answer (the request is applied, then the
// connection drops). Matching is cheap when no fault is armed (one length check).

/** What a fault does to a matching request. */
export type FaultKind = "throttle" | "status" | "drop" | "response-lost";

/** A fault to inject. */
export interface FaultSpec {
  /** HTTP method to match (any case); all methods when absent. */
  method?: string;
  /** Regular expression tested against the request path (no query string), case-insensitive; all paths when absent. */
  pathPattern?: string;
  /** How many matching requests get the fault (at least 1). */
  count: number;
  /**
   * `throttle`: 429 with Retry-After and Compute's throttling body; `status`: the given status with ARM's error body;
   * `drop`: the connection is destroyed before the request is processed; `response-lost`: the request is processed
   * (a write is applied and saved), then the connection is destroyed instead of answering.
   */
  kind: FaultKind;
  /** Status for `kind: "status"` (400-599; default 503). */
  status?: number;
  /**
   * ARM error code for `kind: "status"`; default the code ARM uses for that status (`Conflict` for 409,
   * `PreconditionFailed` for 412, `TooManyRequests` for 429, …, see defaultErrorCode in arm-errors.ts).
   */
  code?: string;
  /** Error message for `kind: "status"`; default a message naming the injected fault. */
  message?: string;
  /** Retry-After seconds for `throttle` (default: the emulator's retryAfterSeconds) and, if given, for `status`. */
  retryAfterSeconds?: number;
}

/** A fault still armed, with how many requests it will still hit. */
export interface ArmedFault extends FaultSpec {
  id: number;
  remaining: number;
}

/** Error for admin input that does not validate; its message names the property, the value and what was expected. */
export class AdminInputError extends Error {
  override readonly name = "AdminInputError";
}

const KINDS: readonly FaultKind[] = ["throttle", "status", "drop", "response-lost"];

/** Validates a fault spec from an untrusted source (admin HTTP API or JavaScript callers). */
export function validateFaultSpec(input: unknown): FaultSpec {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new AdminInputError(`fault: expected an object, got ${JSON.stringify(input)}`);
  }
  const spec = input as Record<string, unknown>;
  if (!KINDS.includes(spec.kind as FaultKind)) {
    throw new AdminInputError(`fault.kind: expected one of ${KINDS.join(", ")}, got ${JSON.stringify(spec.kind)}`);
  }
  if (!Number.isInteger(spec.count) || (spec.count as number) < 1) {
    throw new AdminInputError(`fault.count: expected an integer >= 1, got ${JSON.stringify(spec.count)}`);
  }
  if (spec.method !== undefined && (typeof spec.method !== "string" || !/^[A-Za-z]+$/.test(spec.method))) {
    throw new AdminInputError(
      `fault.method: expected an HTTP method such as "PATCH", got ${JSON.stringify(spec.method)}`,
    );
  }
  if (spec.pathPattern !== undefined) {
    if (typeof spec.pathPattern !== "string") {
      throw new AdminInputError(
        `fault.pathPattern: expected a regular expression string, got ${JSON.stringify(spec.pathPattern)}`,
      );
    }
    try {
      new RegExp(spec.pathPattern, "i");
    } catch (error) {
      throw new AdminInputError(
        `fault.pathPattern: ${JSON.stringify(spec.pathPattern)} is not a valid regular expression (${(error as Error).message})`,
      );
    }
  }
  if (
    spec.status !== undefined &&
    (!Number.isInteger(spec.status) || (spec.status as number) < 400 || (spec.status as number) > 599)
  ) {
    throw new AdminInputError(`fault.status: expected an integer from 400 to 599, got ${JSON.stringify(spec.status)}`);
  }
  if (spec.status !== undefined && spec.kind !== "status") {
    throw new AdminInputError(`fault.status: only valid with kind "status", got kind ${JSON.stringify(spec.kind)}`);
  }
  for (const key of ["code", "message"] as const) {
    if (spec[key] === undefined) continue;
    if (spec.kind !== "status") {
      throw new AdminInputError(`fault.${key}: only valid with kind "status", got kind ${JSON.stringify(spec.kind)}`);
    }
    const pattern = key === "code" ? /^[A-Za-z][A-Za-z0-9.]{0,99}$/ : /^[^\u0000-\u001f]{1,1000}$/;
    if (typeof spec[key] !== "string" || !pattern.test(spec[key] as string)) {
      throw new AdminInputError(
        key === "code"
          ? `fault.code: expected an ARM error code (a letter, then up to 99 letters, digits or dots) such as "Conflict", got ${JSON.stringify(spec.code)}`
          : `fault.message: expected a string of 1 to 1000 characters without control characters, got ${JSON.stringify(spec.message)}`,
      );
    }
  }
  if (
    spec.retryAfterSeconds !== undefined &&
    (!Number.isInteger(spec.retryAfterSeconds) || (spec.retryAfterSeconds as number) < 0)
  ) {
    throw new AdminInputError(
      `fault.retryAfterSeconds: expected an integer >= 0, got ${JSON.stringify(spec.retryAfterSeconds)}`,
    );
  }
  const out: FaultSpec = { kind: spec.kind as FaultKind, count: spec.count as number };
  if (spec.method !== undefined) out.method = (spec.method as string).toUpperCase();
  if (spec.pathPattern !== undefined) out.pathPattern = spec.pathPattern as string;
  if (spec.status !== undefined) out.status = spec.status as number;
  if (spec.code !== undefined) out.code = spec.code as string;
  if (spec.message !== undefined) out.message = spec.message as string;
  if (spec.retryAfterSeconds !== undefined) out.retryAfterSeconds = spec.retryAfterSeconds as number;
  return out;
}

interface CompiledFault extends ArmedFault {
  pattern?: RegExp;
}

/** The armed faults, consumed by matching requests in the order they were injected. */
export class FaultInjector {
  private faults: CompiledFault[] = [];
  private nextId = 1;

  /** Arms a validated fault; returns its id. */
  inject(spec: FaultSpec): number {
    const id = this.nextId++;
    const fault: CompiledFault = { ...spec, id, remaining: spec.count };
    if (spec.pathPattern !== undefined) fault.pattern = new RegExp(spec.pathPattern, "i");
    this.faults.push(fault);
    return id;
  }

  /** Takes one hit of the first fault matching the request, if any. */
  take(method: string, path: string): FaultSpec | undefined {
    if (this.faults.length === 0) return undefined;
    const index = this.faults.findIndex(
      (fault) =>
        (fault.method === undefined || fault.method === method) &&
        (fault.pattern === undefined || fault.pattern.test(path)),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index];
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }

  /** Faults still armed. */
  list(): ArmedFault[] {
    return this.faults.map(({ pattern: _pattern, ...fault }) => ({ ...fault }));
  }

  /** Disarms everything. */
  clear(): void {
    this.faults = [];
  }
}
