/**
 * ARM requests through an HTTP proxy, as the environment names it (provider/arm/proxy.ts):
 * 1. the pure rules: which variable wins, the NO_PROXY syntax, plain-http origins never proxied, redaction;
 * 2. over real HTTP, through test/support/connectProxy.ts (a CONNECT-only proxy that logs its tunnels) to the
 *    emulator on https: the requests ride one tunnel, NO_PROXY bypasses it, a proxy that refuses (403, 407) or is
 *    not there gives an error naming the proxy without its credentials, and a plain-http origin never meets it.
 */
import assert from "node:assert/strict";
import { ClientSecretCredential } from "@azure/identity";
import {
  ArmClient,
  bypassesProxy,
  isArmError,
  parseNoProxy,
  proxyFor,
  proxySettingsFromEnv,
  redactProxyUrl,
  resolveCloud,
  type ArmError,
} from "../../provider/arm";
import { closeSharedClients, getSharedDispatcher } from "../../provider/sharedClients";
import { ConnectProxy } from "../support/connectProxy";
import { createResourceGroup, startWorld, type World } from "../support/world";
import { CountingCredential, ScriptedServer } from "./support/scripted-server";

const url = (text: string) => new URL(text);

describe("ARM through a proxy", () => {
  describe("which proxy the environment names", () => {
    it("reads HTTPS_PROXY, then ALL_PROXY, then HTTP_PROXY, each upper case first, as @azure/identity does", () => {
      const chosen = (env: NodeJS.ProcessEnv) => proxySettingsFromEnv(env).proxy?.variable;
      assert.equal(
        chosen({ HTTPS_PROXY: "http://a:1", https_proxy: "http://b:1", HTTP_PROXY: "http://c:1" }),
        "HTTPS_PROXY",
      );
      assert.equal(chosen({ https_proxy: "http://b:1", ALL_PROXY: "http://d:1" }), "https_proxy");
      assert.equal(chosen({ all_proxy: "http://d:1", HTTP_PROXY: "http://c:1" }), "all_proxy");
      assert.equal(chosen({ HTTPS_PROXY: " ", http_proxy: "http://c:1" }), "http_proxy", "an empty variable is unset");
      assert.equal(chosen({}), undefined);
    });

    it("takes a bare host:port as http://, keeps user info for the proxy, refuses other schemes naming the variable", () => {
      assert.equal(proxySettingsFromEnv({ HTTPS_PROXY: "proxy.corp:3128" }).proxy?.url.href, "http://proxy.corp:3128/");
      const withUser = proxySettingsFromEnv({ HTTPS_PROXY: "https://alice:s3cret@proxy.corp" }).proxy!.url;
      assert.deepEqual(
        [withUser.username, withUser.password, redactProxyUrl(withUser)],
        ["alice", "s3cret", "https://***@proxy.corp"],
      );
      assert.throws(() => proxySettingsFromEnv({ https_proxy: "socks5://alice:s3cret@proxy.corp:1080" }), {
        name: "InvalidInputError",
        code: "InvalidInput",
        message:
          'https_proxy: "socks5://***@proxy.corp:1080" is invalid; expected an http:// or https:// proxy URL such as http://proxy.example.com:3128',
      });
      assert.throws(() => proxySettingsFromEnv({ HTTP_PROXY: "http://" }), {
        message:
          'HTTP_PROXY: "http://" is invalid; expected an http:// or https:// proxy URL such as http://proxy.example.com:3128',
      });
    });

    it("matches NO_PROXY as curl and undici do: names with their subdomains, ports, IPs, CIDR ranges, *", () => {
      const cases: [string, string, boolean][] = [
        ["management.azure.com", "https://management.azure.com", true],
        ["azure.com", "https://management.azure.com", true],
        [".azure.com", "https://management.azure.com", true],
        ["*.azure.com", "https://management.azure.com", true],
        [".azure.com", "https://azure.com", true],
        ["notazure.com", "https://azure.com", false],
        ["zure.com", "https://management.azure.com", false],
        ["MANAGEMENT.Azure.COM", "https://management.azure.com", true],
        ["management.azure.com:443", "https://management.azure.com", true],
        ["management.azure.com:8443", "https://management.azure.com", false],
        ["127.0.0.1", "https://127.0.0.1:8443", true],
        ["127.0.0.1:8443", "https://127.0.0.1:8443", true],
        ["0.0.1", "https://127.0.0.1", false],
        ["127.0.0.0/8", "https://127.4.5.6:8443", true],
        ["10.0.0.0/8", "https://127.0.0.1", false],
        ["::1", "https://[::1]:8443", true],
        ["[::1]:8443", "https://[::1]:8443", true],
        ["[::1]:9443", "https://[::1]:8443", false],
        ["fd00::/8", "https://[fd12::1]", true],
        ["*", "https://management.azure.com", true],
        ["localhost, 127.0.0.1\t.corp", "https://arm.corp", true],
        ["", "https://management.azure.com", false],
      ];
      const got = cases.map(([noProxy, origin]) => bypassesProxy(url(origin), parseNoProxy(noProxy)));
      assert.deepEqual(
        got.map((bypass, i) => `${cases[i][0]} ${cases[i][1]} ${bypass}`),
        cases.map(([noProxy, origin, bypass]) => `${noProxy} ${origin} ${bypass}`),
      );
    });

    it("never routes a plain-http origin through a proxy: its bearer token would cross it in clear", () => {
      const settings = proxySettingsFromEnv({ HTTPS_PROXY: "http://proxy:3128", HTTP_PROXY: "http://proxy:3128" });
      assert.equal(proxyFor(url("http://127.0.0.1:8080"), settings), undefined);
      assert.equal(proxyFor(url("https://127.0.0.1:8443"), settings)?.url.href, "http://proxy:3128/");
      assert.equal(
        proxyFor(url("https://management.azure.com"), { ...settings, noProxy: parseNoProxy("*") }),
        undefined,
      );
    });
  });

  describe("over the wire, to the emulator on https", function () {
    this.timeout(30_000);
    let world: World;
    let rg: string;
    const clients: ArmClient[] = [];
    const proxies: ConnectProxy[] = [];

    before(async () => {
      world = await startWorld();
      rg = await createResourceGroup(world, "rg-proxy");
    });
    after(async () => world?.close());
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await closeSharedClients();
      await Promise.all(proxies.splice(0).map((p) => p.close()));
    });

    async function proxy(options: Parameters<typeof ConnectProxy.start>[0] = {}): Promise<ConnectProxy> {
      const started = await ConnectProxy.start(options);
      proxies.push(started);
      return started;
    }

    /** A client on the shared pool that `env`'s proxy variables choose; its token comes directly from the emulator. */
    function clientFor(env: NodeJS.ProcessEnv, maxRetries = 0): ArmClient {
      const cloud = resolveCloud({ endpoint: world.emulator.url }, {});
      const { tenantId, clientId, clientSecret } = world.emulator;
      const client = new ArmClient({
        cloud,
        credential: new ClientSecretCredential(tenantId, clientId, clientSecret, {
          authorityHost: world.emulator.url,
          disableInstanceDiscovery: true,
        }),
        dispatcher: getSharedDispatcher(cloud, env),
        retry: { baseDelayMs: 0, maxRetries },
      });
      clients.push(client);
      return client;
    }

    async function rejection(promise: Promise<unknown>): Promise<ArmError> {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isArmError(error), `expected an ArmError, got ${String(error)}`);
      return error;
    }

    const target = () => new URL(world.emulator.url).host;
    const read = (client: ArmClient) => client.request({ method: "GET", path: rg, apiVersion: "2021-04-01" });

    it("sends the ARM requests through CONNECT tunnels to the endpoint, with the proxy's credentials", async () => {
      const corp = await proxy({ credentials: "alice:s3cret" });
      const client = clientFor({ HTTPS_PROXY: corp.url.replace("http://", "http://alice:s3cret@") });
      world.emulator.admin.clearRequests();
      await read(client);
      await read(client);
      assert.ok(corp.tunnels.length >= 1, "at least one tunnel");
      assert.deepEqual(new Set(corp.log), new Set([`CONNECT ${target()} -> 200`]), "tunnels to the endpoint only");
      for (const tunnel of corp.tunnels) {
        assert.equal(tunnel.proxyAuthorization, `Basic ${Buffer.from("alice:s3cret").toString("base64")}`);
      }
      const served = world.emulator.admin.requests().filter((r) => r.kind !== "token" && r.kind !== "discovery");
      assert.deepEqual(
        served.map((r) => `${r.method} ${r.status}`),
        ["GET 200", "GET 200"],
      );
    });

    it("goes directly when NO_PROXY covers the endpoint", async () => {
      const corp = await proxy();
      await read(clientFor({ HTTPS_PROXY: corp.url, NO_PROXY: "localhost,127.0.0.1" }));
      await read(clientFor({ https_proxy: corp.url, no_proxy: `127.0.0.0/8` }));
      assert.deepEqual(corp.log, []);
    });

    it("a proxy that refuses the tunnel gives ProxyTunnelFailed naming the proxy, without its credentials", async () => {
      const corp = await proxy({ refuse: 403 });
      const withUser = corp.url.replace("http://", "http://alice:s3cret@");
      const error = await rejection(read(clientFor({ HTTPS_PROXY: withUser }, 3)));
      const shown = `http://***@${new URL(corp.url).host}`;
      assert.equal(error.code, "ProxyTunnelFailed");
      assert.equal(error.attempts, 1, "a refusal is final: not retried");
      assert.equal(
        error.message,
        `ProxyTunnelFailed: the proxy ${shown} (from HTTPS_PROXY) refused the tunnel to ${target()}: it answered the ` +
          `CONNECT with HTTP 403 (GET ${rg})`,
      );
      assert.doesNotMatch(JSON.stringify({ message: error.message, stack: error.stack }), /s3cret|alice/);
      assert.deepEqual(corp.log, [`CONNECT ${target()} -> 403`]);

      const strict = await proxy({ credentials: "alice:other" });
      const denied = await rejection(
        read(clientFor({ HTTPS_PROXY: strict.url.replace("http://", "http://alice:s3cret@") })),
      );
      assert.equal(denied.code, "ProxyTunnelFailed");
      assert.match(denied.message, /refused the tunnel to .*: it answered the CONNECT with HTTP 407/);
      assert.doesNotMatch(denied.message, /s3cret/);
    });

    it("a proxy that is not there gives the connection's code, retried, naming the proxy", async () => {
      const gone = await proxy();
      const address = gone.url;
      await gone.close();
      const error = await rejection(read(clientFor({ HTTPS_PROXY: address }, 1)));
      assert.equal(error.code, "ECONNREFUSED");
      assert.equal(error.attempts, 2, "a refused connection is retried, as any");
      assert.match(
        error.message,
        new RegExp(
          `^ECONNREFUSED: could not reach the proxy ${address} \\(from HTTPS_PROXY\\) to open a tunnel to ${target()}: `,
        ),
      );
    });
    it("a token request through a proxy that is not there names the proxy and its variable, without credentials", async () => {
      const gone = await proxy();
      const address = gone.url;
      await gone.close();
      const saved = {
        HTTPS_PROXY: process.env.HTTPS_PROXY,
        NO_PROXY: process.env.NO_PROXY,
        no_proxy: process.env.no_proxy,
      };
      // @azure/identity reads the proxy variables of process.env when the credential is made.
      process.env.HTTPS_PROXY = address.replace("http://", "http://alice:s3cret@");
      delete process.env.NO_PROXY;
      delete process.env.no_proxy;
      try {
        const cloud = resolveCloud({ endpoint: world.emulator.url }, {});
        const { tenantId, clientId, clientSecret } = world.emulator;
        const client = new ArmClient({
          cloud,
          credential: new ClientSecretCredential(tenantId, clientId, clientSecret, {
            authorityHost: world.emulator.url,
            disableInstanceDiscovery: true,
            retryOptions: { maxRetries: 0 },
          }),
          dispatcher: getSharedDispatcher(cloud, {}),
          retry: { baseDelayMs: 0, maxRetries: 0 },
        });
        clients.push(client);
        const error = await rejection(read(client));
        assert.equal(error.code, "TokenAcquisitionFailed");
        const shown = address.replace("http://", "http://***@");
        assert.ok(
          error.message.includes(
            `[the authority ${target()} is reached through the proxy ${shown} (from HTTPS_PROXY; NO_PROXY lists ` +
              "hosts reached directly)]",
          ),
          error.message,
        );
        assert.doesNotMatch(error.message, /s3cret|alice/);
      } finally {
        for (const [name, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
      }
    });
  });

  it("reaches a plain-http (loopback) endpoint directly, whatever the proxy variables say", async () => {
    const server = await ScriptedServer.start();
    const corp = await ConnectProxy.start();
    try {
      const path = "/subscriptions/sub1/resourceGroups/rg1";
      server.script("GET", path, { status: 200, body: {} });
      const cloud = resolveCloud({ endpoint: server.url }, {});
      const env = { HTTP_PROXY: corp.url, HTTPS_PROXY: corp.url, ALL_PROXY: corp.url };
      const client = new ArmClient({
        cloud,
        credential: new CountingCredential(),
        dispatcher: getSharedDispatcher(cloud, env),
      });
      await client.request({ method: "GET", path, apiVersion: "2021-04-01" });
      assert.equal(server.requests[0].headers.authorization, "Bearer token-1");
      assert.deepEqual(corp.log, []);
    } finally {
      await closeSharedClients();
      await corp.close();
      await server.close();
    }
  });
});
