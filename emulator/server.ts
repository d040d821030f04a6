// startEmulator: configuration, optional state file, optional TLS with the emulator's own CA, and the
// HTTP(S) server whose request listener is request-handler.ts.
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { createAdmin, type EmulatorAdmin } from "./admin";
import { loadCa, temporaryCa } from "./ca-store";
import { issueServerCertificate } from "./certificates";
import { EmulatorCore } from "./core";
import { EMULATOR_DEFAULTS, integerOption, resolveConfig, stringOption, type EmulatorOptions } from "./options";
import { createRequestHandler } from "./request-handler";
import { StateFileWriter, readStateFile } from "./state-file";
import { TokenService } from "./tokens";

export { EMULATOR_DEFAULTS, type EmulatorOptions } from "./options";

/** A running emulator. */
export interface RunningEmulator {
  /** Base URL without trailing slash, e.g. "https://127.0.0.1:43123": ARM endpoint and authority host. */
  url: string;
  /** TCP port listened on. */
  port: number;
  /** With tls: the CA certificate file (PEM) clients trust, e.g. through NODE_EXTRA_CA_CERTS. */
  caPath?: string;
  /** With tls: the CA certificate (PEM). */
  caPem?: string;
  /** Token endpoint URL: `${url}/${tenantId}/oauth2/v2.0/token`. */
  tokenEndpoint: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  subscriptionId: string;
  /**
   * The environment a process needs to use this emulator as its Azure: the ARM endpoint and authority host
   * (`VMSS_IDENTITY_ARM_ENDPOINT`, `AZURE_AUTHORITY_HOST`), the service principal (`AZURE_TENANT_ID`,
   * `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`), `AZURE_SUBSCRIPTION_ID`, and with tls `NODE_EXTRA_CA_CERTS`.
   * Hand it to child processes (the Pulumi CLI and its plugins); it holds the client secret, so never log it.
   */
  clientEnv(): Record<string, string>;
  /** Test controls (also served over HTTP under /_emulator/). */
  admin: EmulatorAdmin;
  /** Stops listening, closes connections and writes the state file. */
  close(): Promise<void>;
}

/** Starts an emulator; resolves once it is listening. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const config = resolveConfig(options);
  const host = stringOption("host", options.host, EMULATOR_DEFAULTS.host);
  const port = integerOption("port", options.port, 0, 0, 65535);
  const core = new EmulatorCore(config);

  let writer: StateFileWriter | undefined;
  if (options.stateFile !== undefined) {
    const saved = readStateFile(options.stateFile);
    if (saved !== undefined) {
      core.store.restore(saved.store);
      core.tokens = new TokenService(saved.tokens);
      try {
        core.applications.restore(saved.applications ?? []);
        if (saved.oidcIssuer !== undefined) core.oidcIssuer.restore(saved.oidcIssuer);
      } catch (error) {
        throw new Error(`state file '${options.stateFile}': ${(error as Error).message}; move it away or fix it`);
      }
    }
    writer = new StateFileWriter(
      options.stateFile,
      () => ({
        format: "vmss-identity-emulator-state",
        version: 1,
        savedAt: new Date().toISOString(),
        tokens: core.tokens.toState(),
        store: core.store.snapshot(),
        applications: core.applications.toState(),
        oidcIssuer: core.oidcIssuer.toState(),
      }),
      (error) => options.log?.(`state file write failed: ${error.message}`),
    );
    core.store.onChange = () => writer?.markDirty();
    core.applications.onChange = () => writer?.markDirty();
    core.oidcIssuer.onChange = () => writer?.markDirty();
    const durable = writer;
    core.afterPersist = (send) => durable.afterFlush(send);
    writer.markDirty();
  }

  let tlsMaterial: { key: string; cert: string; caPath: string; caPem: string; tempDir?: string } | undefined;
  if (options.tls !== undefined && options.tls !== false) {
    const temporary = options.tls === true ? await temporaryCa() : undefined;
    const ca =
      temporary ?? (await loadCa(stringOption("tls.caDir", (options.tls as { caDir?: unknown }).caDir, undefined)));
    const hosts = ["localhost", "127.0.0.1", "::1"];
    if (!["0.0.0.0", "::", ...hosts].includes(host)) hosts.push(host);
    const leaf = await issueServerCertificate(ca, hosts);
    tlsMaterial = {
      key: leaf.keyPem,
      cert: leaf.certPem,
      caPath: ca.caPath,
      caPem: ca.certPem,
      tempDir: temporary?.dir,
    };
  }

  const admin = createAdmin(core, () => url);
  const scheme = tlsMaterial === undefined ? "http" : "https";
  let url = "";
  const info = (): Record<string, unknown> => ({
    url,
    tenantId: config.tenantId,
    clientId: config.clientId,
    subscriptionId: config.subscriptionId,
    caPath: tlsMaterial?.caPath,
  });
  const handler = createRequestHandler(core, admin, scheme, () => url, info, options.log);
  const server =
    tlsMaterial === undefined
      ? http.createServer(handler)
      : https.createServer({ key: tlsMaterial.key, cert: tlsMaterial.cert }, handler);
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  url = `${scheme}://${urlHost}:${actualPort}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port: actualPort,
    caPath: tlsMaterial?.caPath,
    caPem: tlsMaterial?.caPem,
    tokenEndpoint: `${url}/${config.tenantId}/oauth2/v2.0/token`,
    tenantId: config.tenantId,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    subscriptionId: config.subscriptionId,
    clientEnv: () => ({
      VMSS_IDENTITY_ARM_ENDPOINT: url,
      AZURE_AUTHORITY_HOST: url,
      AZURE_TENANT_ID: config.tenantId,
      AZURE_CLIENT_ID: config.clientId,
      AZURE_CLIENT_SECRET: config.clientSecret,
      AZURE_SUBSCRIPTION_ID: config.subscriptionId,
      ...(tlsMaterial ? { NODE_EXTRA_CA_CERTS: tlsMaterial.caPath } : {}),
    }),
    admin,
    close: () => {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        core.store.settleDue(Date.now());
        writer?.markDirty();
        writer?.flush();
        if (tlsMaterial?.tempDir !== undefined) fs.rmSync(tlsMaterial.tempDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
