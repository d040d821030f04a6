#!/usr/bin/env node
// vmss-identity-emulator: runs the local ARM emulator until SIGINT or SIGTERM.
// When ready it prints exactly one line "ARM emulator listening on <url>" (then "CA certificate: <path>"
// with --tls), so scripts can wait for it.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { ApplicationSpec } from "./applications";
import { ensureCa } from "./ca-store";
import { ARM_RATE_LIMITS, type BucketSpec, type RateLimitChanges, type RateLimitSpec } from "./rate-limits";
import { EMULATOR_DEFAULTS, startEmulator, type EmulatorOptions } from "./server";

const USAGE = `Usage: vmss-identity-emulator [options]

A local Azure Resource Manager for virtual machine scale sets and user-assigned identities,
with an OAuth 2.0 client-credentials token endpoint. See docs/emulator.md.

Options:
  --port N               TCP port; 0 = any free port (default 0)
  --host HOST            interface to listen on (default ${EMULATOR_DEFAULTS.host})
  --tls                  serve https with a self-signed CA made at start; prints the CA path
  --tls-dir DIR          with https: keep the CA in DIR, create it once and reuse it (implies --tls)
  --state FILE           keep resources, tokens, applications and the OIDC issuer's key in FILE across
                         restarts (a test double's file: see docs/emulator.md, "State file")
  --application FILE     register an application (service principal) from a JSON file:
                         {"clientId": "...", "clientSecrets": [...], "certificates": [PEM or path],
                         "federatedCredentials": [{"issuer", "subject", "audiences"?}]}, or an array of
                         them; a certificate path is relative to FILE (repeatable)
  --op-duration-ms N     how long operations stay InProgress, in ms (default ${EMULATOR_DEFAULTS.opDurationMs})
  --retry-after N        Retry-After seconds on operation responses (default: none, as Compute)
  --replication-delay-ms N  how long a new principal stays unknown to role assignments that give no
                         principalType, in ms (default 30000)
  --arm-reads C/R        subscription read bucket per client: capacity C, refill R per second (default 250/25),
                         or "off"; likewise --arm-writes (default 200/10) and --arm-deletes (default 200/10)
  --compute-policy P=L/W Compute policy P allows L requests per W seconds, e.g. GetVMScaleSet3Min=200/180
                         (repeatable; policies: ${ARM_RATE_LIMITS.computePolicies.map((p) => p.name).join(", ")})
  --no-rate-limits       enforce no budget (headers still count down)
  --client-id ID         the service principal's client ID (default ${EMULATOR_DEFAULTS.clientId})
  --client-secret S      its secret (default "${EMULATOR_DEFAULTS.clientSecret}"; or set
                         VMSS_IDENTITY_EMULATOR_CLIENT_SECRET, which keeps it out of the process list)
  --tenant-id ID         tenant (default ${EMULATOR_DEFAULTS.tenantId})
  --tenant-domain NAME   the tenant's default domain, accepted in place of its ID by the
                         authority (default ${EMULATOR_DEFAULTS.tenantDomain})
  --subscription-id ID   subscription listed by GET /subscriptions (default ${EMULATOR_DEFAULTS.subscriptionId})
  --token-lifetime N     token lifetime in seconds (default ${EMULATOR_DEFAULTS.tokenLifetimeSeconds})
  --log                  print one line per request on stderr (never tokens or bodies)
  --ensure-ca DIR        create the CA in DIR if absent, print its path and exit
  --help                 show this help
`;

async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        tls: { type: "boolean" },
        "tls-dir": { type: "string" },
        state: { type: "string" },
        application: { type: "string", multiple: true },
        "op-duration-ms": { type: "string" },
        "retry-after": { type: "string" },
        "replication-delay-ms": { type: "string" },
        "arm-reads": { type: "string" },
        "arm-writes": { type: "string" },
        "arm-deletes": { type: "string" },
        "compute-policy": { type: "string", multiple: true },
        "no-rate-limits": { type: "boolean" },
        "client-id": { type: "string" },
        "client-secret": { type: "string" },
        "tenant-id": { type: "string" },
        "tenant-domain": { type: "string" },
        "subscription-id": { type: "string" },
        "token-lifetime": { type: "string" },
        log: { type: "boolean" },
        "ensure-ca": { type: "string" },
        help: { type: "boolean" },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`vmss-identity-emulator: ${(error as Error).message}\nRun with --help for usage.\n`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (typeof values["ensure-ca"] === "string") {
    process.stdout.write(`${(await ensureCa(values["ensure-ca"])).caPath}\n`);
    return 0;
  }

  const options: EmulatorOptions = {};
  try {
    const int = (flag: string): number | undefined => {
      const raw = values[flag];
      if (raw === undefined) return undefined;
      if (typeof raw !== "string" || !/^\d+$/.test(raw)) {
        throw new Error(`--${flag} expects a non-negative integer, got ${JSON.stringify(raw)}`);
      }
      return Number(raw);
    };
    const text = (flag: string): string | undefined =>
      typeof values[flag] === "string" ? (values[flag] as string) : undefined;
    options.port = int("port");
    options.host = text("host");
    options.stateFile = text("state");
    const applications = ((values.application ?? []) as string[]).flatMap(readApplicationFile);
    if (applications.length > 0) options.applications = applications;
    options.opDurationMs = int("op-duration-ms");
    options.retryAfterSeconds = int("retry-after");
    options.principalReplicationDelayMs = int("replication-delay-ms");
    options.rateLimits = rateLimitFlags(values);
    options.clientId = text("client-id");
    options.clientSecret = text("client-secret") ?? process.env.VMSS_IDENTITY_EMULATOR_CLIENT_SECRET;
    options.tenantId = text("tenant-id");
    options.tenantDomain = text("tenant-domain");
    options.subscriptionId = text("subscription-id");
    options.tokenLifetimeSeconds = int("token-lifetime");
    const tlsDir = text("tls-dir");
    if (tlsDir !== undefined) options.tls = { caDir: tlsDir };
    else if (values.tls === true) options.tls = true;
    if (values.log === true) options.log = (line) => process.stderr.write(`${line}\n`);
    for (const key of Object.keys(options) as (keyof EmulatorOptions)[]) {
      if (options[key] === undefined) delete options[key];
    }
  } catch (error) {
    process.stderr.write(`vmss-identity-emulator: ${(error as Error).message}\nRun with --help for usage.\n`);
    return 2;
  }

  let emulator;
  try {
    emulator = await startEmulator(options);
  } catch (error) {
    process.stderr.write(`vmss-identity-emulator: cannot start: ${(error as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`ARM emulator listening on ${emulator.url}\n`);
  if (emulator.caPath !== undefined) process.stdout.write(`CA certificate: ${emulator.caPath}\n`);

  const running = emulator;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) {
        resolve(130); // a second signal: give up waiting
        return;
      }
      stopping = true;
      running.close().then(
        () => resolve(0),
        (error: unknown) => {
          process.stderr.write(`vmss-identity-emulator: error while stopping: ${(error as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

// --arm-reads/--arm-writes/--arm-deletes C/R|off, --compute-policy NAME=LIMIT/SECONDS, --no-rate-limits.
function rateLimitFlags(values: Record<string, unknown>): RateLimitChanges | undefined {
  const spec: Partial<RateLimitSpec> = {};
  if (values["no-rate-limits"] === true) {
    Object.assign(spec, { subscriptionReads: null, subscriptionWrites: null, subscriptionDeletes: null });
    spec.computePolicies = [];
  }
  const bucket = (flag: string): BucketSpec | null | undefined => {
    const raw = values[flag];
    if (typeof raw !== "string") return undefined;
    if (raw === "off") return null;
    const match = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(raw);
    if (match === null || Number(match[1]) < 1) {
      throw new Error(
        `--${flag} expects CAPACITY/REFILL_PER_SECOND (e.g. 250/25) or "off", got ${JSON.stringify(raw)}`,
      );
    }
    return { capacity: Number(match[1]), refillPerSecond: Number(match[2]) };
  };
  const reads = bucket("arm-reads");
  const writes = bucket("arm-writes");
  const deletes = bucket("arm-deletes");
  if (reads !== undefined) spec.subscriptionReads = reads;
  if (writes !== undefined) spec.subscriptionWrites = writes;
  if (deletes !== undefined) spec.subscriptionDeletes = deletes;
  const policies = values["compute-policy"];
  if (Array.isArray(policies)) {
    const list = (spec.computePolicies ?? ARM_RATE_LIMITS.computePolicies).map((p) => ({ ...p }));
    for (const raw of policies as string[]) {
      const match = /^([A-Za-z0-9]+)=(\d+)\/(\d+)$/.exec(raw);
      const policy = match === null ? undefined : ARM_RATE_LIMITS.computePolicies.find((p) => p.name === match[1]);
      if (match === null || policy === undefined || Number(match[2]) < 1 || Number(match[3]) < 1) {
        throw new Error(
          `--compute-policy expects NAME=LIMIT/WINDOW_SECONDS with NAME one of ${ARM_RATE_LIMITS.computePolicies
            .map((p) => p.name)
            .join(", ")}, got ${JSON.stringify(raw)}`,
        );
      }
      const entry = { ...policy, limit: Number(match[2]), windowSeconds: Number(match[3]) };
      const at = list.findIndex((p) => p.name === policy.name);
      if (at >= 0) list[at] = entry;
      else list.push(entry);
    }
    spec.computePolicies = list;
  }
  if (spec.computePolicies === undefined || spec.computePolicies.length === 0) {
    return Object.keys(spec).length === 0 ? undefined : spec;
  }
  // The option is merged by name over ARM's policies: the flags' list is the whole set, so ARM's policies it
  // leaves out (after --no-rate-limits) are removed by name.
  const kept = new Set(spec.computePolicies.map((p) => p.name));
  const removed = ARM_RATE_LIMITS.computePolicies
    .filter((p) => !kept.has(p.name))
    .map((p) => ({ name: p.name, remove: true as const }));
  return { ...spec, computePolicies: [...spec.computePolicies, ...removed] };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`vmss-identity-emulator: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);

/**
 * The applications of one --application file: an application or an array of them, each as the admin API's
 * POST /applications takes it; a certificate that is not PEM text is a path to a PEM file, relative to the file.
 * @throws Error naming the file and what is wrong (never a secret).
 */
function readApplicationFile(file: string): ApplicationSpec[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`--application ${JSON.stringify(file)}: cannot read it (${(error as Error).message})`);
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (error) {
    throw new Error(`--application ${JSON.stringify(file)}: not valid JSON (${(error as Error).message})`);
  }
  const specs = (Array.isArray(content) ? content : [content]) as ApplicationSpec[];
  return specs.map((spec, index) => {
    if (typeof spec !== "object" || spec === null) {
      throw new Error(`--application ${JSON.stringify(file)}: entry ${index} is not an object`);
    }
    if (spec.certificates !== undefined && !Array.isArray(spec.certificates)) return spec;
    const certificates = spec.certificates?.map((cert) => {
      if (typeof cert !== "string" || cert.includes("-----BEGIN")) return cert;
      const certPath = path.resolve(path.dirname(file), cert);
      try {
        return fs.readFileSync(certPath, "utf8");
      } catch (error) {
        throw new Error(
          `--application ${JSON.stringify(file)}: certificate ${JSON.stringify(cert)}: ${(error as Error).message}`,
        );
      }
    });
    return certificates === undefined ? spec : { ...spec, certificates };
  });
}
