// --state FILE keeps resources, running operations and token state across restarts (written as a
// temporary file renamed over the old one), and the vmss-identity-emulator CLI: its ready line,
// --tls output, --help, bad flags, and a clean stop on SIGTERM that flushes the state file.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Agent } from "undici";
import { createClientCertificate, startEmulator } from "vmss-identity-emulator";
import {
  createGroup,
  createIdentity,
  fetchToken,
  howToScaleSetBody,
  httpCall,
  identityId,
  scaleSetPath,
  startHarness,
  writeAndWait,
} from "./support/harness";

const ROOT = path.resolve(__dirname, "../..");

// The package's bin, the file `npx vmss-identity-emulator` runs (built JavaScript: starts in a fraction of a second).
const EMULATOR_PACKAGE = require.resolve("vmss-identity-emulator/package.json");
const EMULATOR_CLI = path.join(
  path.dirname(EMULATOR_PACKAGE),
  (require(EMULATOR_PACKAGE) as { bin: Record<string, string> }).bin["vmss-identity-emulator"],
);

describe("emulator: state file", function () {
  let dir: string;

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-state-"));
  });

  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a restart with the same file keeps resources, a running operation and issued tokens", async function () {
    const stateFile = path.join(dir, "sub", "state.json");
    const first = await startHarness({ stateFile, opDurationMs: 0, clientSecret: "secret-not-in-file" });
    await createGroup(first, "rg");
    await createIdentity(first, "rg", "ID1");
    const vmss = scaleSetPath(first.sub, "rg", "vmss");
    await writeAndWait(first, "PUT", vmss, {
      body: howToScaleSetBody(first.sub, {
        type: "SystemAssigned, UserAssigned",
        userAssignedIdentities: { [identityId(first.sub, "rg", "ID1")]: {} },
      }),
    });
    first.emulator.admin.setOperationDuration(600_000);
    const pending = await first.arm("PATCH", vmss, { body: { tags: { during: "restart" } } });
    const before = (await first.arm("GET", vmss)).body;
    const token = first.token;
    await first.close();

    const text = fs.readFileSync(stateFile, "utf8");
    const saved = JSON.parse(text);
    assert.equal(saved.format, "vmss-identity-emulator-state");
    assert.equal(saved.version, 1);
    assert.deepEqual(fs.readdirSync(path.dirname(stateFile)), ["state.json"], "no temporary file left behind");
    assert.ok(!text.includes("secret-not-in-file"), "the client secret is not persisted");
    assert.ok(!text.includes("myPassword12"), "the admin password is not persisted");
    assert.ok(!text.includes(token), "tokens themselves are not persisted");

    const second = await startEmulator({ stateFile, clientSecret: "secret-not-in-file" });
    try {
      const get = (url: string) =>
        httpCall(`${second.url}${url}?api-version=2024-11-01`, {
          method: "GET",
          headers: { authorization: `Bearer ${token}` },
        });
      const after = await get(vmss);
      assert.equal(after.status, 200, "the token issued before the restart is still valid");
      assert.deepEqual(after.body, before, "same scale set, still Updating");
      second.admin.finishOperations();
      const operationUrl = pending.headers["azure-asyncoperation"].replace(first.emulator.url, second.url);
      const operation = await httpCall(operationUrl, { method: "GET", headers: { authorization: `Bearer ${token}` } });
      assert.equal(operation.body.status, "Succeeded", "the operation resumed after the restart");
      assert.equal((await get(vmss)).body.properties.provisioningState, "Succeeded");
    } finally {
      await second.close();
    }
  });

  it("a restart keeps registered applications and the OIDC issuer's key: credentials made before work after", async function () {
    const stateFile = path.join(dir, "state.json");
    const APP = "66666666-6666-4666-8666-666666666666";
    const FEDERATED = "44444444-4444-4444-8444-444444444444";
    const SUBJECT = "repo:contoso/infra:ref:refs/heads/main";
    const first = await startEmulator({ stateFile });
    const port = Number(new URL(first.url).port);
    first.admin.registerApplication({ clientId: APP, clientSecrets: ["app-s3cret-before-restart"] });
    first.admin.registerApplication({
      clientId: FEDERATED,
      federatedCredentials: [{ issuer: first.admin.oidcIssuerUrl(), subject: SUBJECT }],
    });
    const minted = first.admin.mintOidcToken({ subject: SUBJECT, lifetimeSeconds: 3600 });
    const requestToken = first.admin.oidcRequestToken(SUBJECT);
    await first.close();

    const text = fs.readFileSync(stateFile, "utf8");
    for (const secret of ["app-s3cret-before-restart", requestToken, minted, first.clientSecret]) {
      assert.ok(!text.includes(secret), "no secret, request token or minted token in the state file");
    }
    const saved = JSON.parse(text);
    assert.deepEqual(
      saved.applications.map((a: { clientId: string }) => a.clientId),
      [APP, FEDERATED],
      "the configured client is not kept (its secret comes from the configuration)",
    );

    const second = await startEmulator({ stateFile, port });
    try {
      const token = (form: Record<string, string>) =>
        httpCall(`${second.url}/${second.tenantId}/oauth2/v2.0/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            grant_type: "client_credentials",
            scope: "https://management.azure.com/.default",
            ...form,
          }).toString(),
        });
      const bySecret = await token({ client_id: APP, client_secret: "app-s3cret-before-restart" });
      assert.equal(bySecret.status, 200, "the application's secret still signs in");
      assert.equal((await token({ client_id: APP, client_secret: "another" })).body.error_codes[0], 7000215);
      const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
      const federated = await token({
        client_id: FEDERATED,
        client_assertion_type: jwtBearer,
        client_assertion: minted,
      });
      assert.equal(federated.status, 200, "a token minted before the restart is still accepted");
      const asked = await httpCall(`${second.admin.oidcIssuerUrl()}/token?audience=api://AzureADTokenExchange`, {
        method: "GET",
        headers: { authorization: `Bearer ${requestToken}` },
      });
      assert.equal(asked.status, 200, "a request token handed out before the restart still mints");
      const again = await token({
        client_id: FEDERATED,
        client_assertion_type: jwtBearer,
        client_assertion: asked.body.value,
      });
      assert.equal(again.status, 200);
      assert.equal(JSON.parse(fs.readFileSync(stateFile, "utf8")).applications.length, 2, "restored once, not doubled");
    } finally {
      await second.close();
    }
  });

  it("a state file that is not one is refused with a message naming it", async function () {
    const stateFile = path.join(dir, "state.json");
    fs.writeFileSync(stateFile, '{"something":"else"}');
    await assert.rejects(
      startEmulator({ stateFile }),
      new RegExp(
        `state file '${stateFile.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}' is not a vmss-identity-emulator state file`,
      ),
    );
    fs.writeFileSync(stateFile, "{not json");
    await assert.rejects(startEmulator({ stateFile }), /is not valid JSON/);
    assert.equal(fs.readFileSync(stateFile, "utf8"), "{not json", "the file is left alone");
  });

  it("bad options are refused with the option, the value and what was expected; the secret is never echoed", async function () {
    await assert.rejects(startEmulator({ port: -1 }), /option port must be an integer from 0 to 65535, got -1/);
    await assert.rejects(startEmulator({ subscriptionId: "sub" }), /option subscriptionId must be a GUID, got "sub"/);
    await assert.rejects(startEmulator({ opDurationMs: 1.5 }), /option opDurationMs must be an integer/);
    await assert.rejects(
      startEmulator({ tenantDomain: "contoso" }),
      /option tenantDomain must be a domain name such as "contoso.onmicrosoft.com", got "contoso"/,
    );
    await assert.rejects(startEmulator({ clientSecret: "" }), (error: Error) =>
      /clientSecret must be a non-empty string/.test(error.message),
    );
  });
});

describe("emulator: the vmss-identity-emulator CLI", function () {
  const children: ChildProcess[] = [];

  after(function () {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  });

  function startCli(args: string[]): { child: ChildProcess; lines: Promise<string[]>; exit: Promise<number | null> } {
    const child = spawn(process.execPath, [EMULATOR_CLI, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let stdout = "";
    const wanted = args.includes("--tls") || args.includes("--tls-dir") ? 2 : 1;
    const lines = new Promise<string[]>((resolve, reject) => {
      child.stdout?.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const got = stdout.split("\n").filter((line) => line !== "");
        if (got.length >= wanted && stdout.endsWith("\n")) resolve(got);
      });
      child.on("exit", (code) =>
        reject(new Error(`CLI exited with ${code} before printing its ready line(s): ${stdout}`)),
      );
    });
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return { child, lines, exit };
  }

  it("prints exactly one ready line, serves, and on SIGTERM stops with 0 after writing the state file", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-cli-"));
    try {
      const stateFile = path.join(dir, "state.json");
      const certificate = await createClientCertificate("cli app");
      fs.writeFileSync(path.join(dir, "app.pem"), certificate.certPem);
      const APP = "77777777-7777-4777-8777-777777777777";
      fs.writeFileSync(
        path.join(dir, "app.json"),
        JSON.stringify({ clientId: APP, clientSecrets: ["cli-app-secret"], certificates: ["app.pem"] }),
      );
      const cli = startCli([
        "--port",
        "0",
        "--application",
        path.join(dir, "app.json"),
        "--state",
        stateFile,
        "--op-duration-ms",
        "0",
        "--client-secret",
        "cli-secret",
      ]);
      const lines = await cli.lines;
      assert.equal(lines.length, 1);
      const match = /^ARM emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(lines[0]);
      assert.ok(match, lines[0]);
      const url = match[1];
      const emulatorLike = {
        url,
        tokenEndpoint: `${url}/11111111-1111-4111-8111-111111111111/oauth2/v2.0/token`,
        clientId: "22222222-2222-4222-8222-222222222222",
        clientSecret: "cli-secret",
      };
      const token = await fetchToken(emulatorLike as Parameters<typeof fetchToken>[0]);
      const put = await httpCall(
        `${url}/subscriptions/33333333-3333-4333-8333-333333333333/resourcegroups/from-cli?api-version=2021-04-01`,
        {
          method: "PUT",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ location: "westus" }),
        },
      );
      assert.equal(put.status, 201);
      const appToken = await fetchToken({
        ...emulatorLike,
        clientId: APP,
        clientSecret: "cli-app-secret",
      } as Parameters<typeof fetchToken>[0]);
      assert.ok(appToken.length > 0, "the application of --application signs in with its secret");
      cli.child.kill("SIGTERM");
      assert.equal(await cli.exit, 0);
      const savedText = fs.readFileSync(stateFile, "utf8");
      assert.ok(!savedText.includes("cli-app-secret") && !savedText.includes("cli-secret"), "no secret in the file");
      const saved = JSON.parse(savedText);
      assert.deepEqual(
        saved.applications.map((a: { clientId: string; certificates: string[] }) => [a.clientId, a.certificates]),
        [[APP, [certificate.certPem]]],
        "the certificate was read from the path, relative to the file",
      );
      assert.deepEqual(
        saved.store.resourceGroups.map((group: { name: string }) => group.name),
        ["from-cli"],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("with --tls-dir prints the CA path on a second line and serves https with that CA", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-cli-tls-"));
    try {
      const cli = startCli(["--port", "0", "--tls-dir", dir]);
      const [ready, ca] = await cli.lines;
      assert.match(ready, /^ARM emulator listening on https:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(ca, `CA certificate: ${path.join(dir, "ca.pem")}`);
      const url = ready.replace("ARM emulator listening on ", "");
      const dispatcher = new Agent({ connect: { ca: fs.readFileSync(path.join(dir, "ca.pem")) } });
      try {
        const result = await httpCall(
          `${url}/11111111-1111-4111-8111-111111111111/v2.0/.well-known/openid-configuration`,
          { method: "GET", dispatcher },
        );
        assert.equal(result.status, 200);
      } finally {
        await dispatcher.close();
      }
      cli.child.kill("SIGINT");
      assert.equal(await cli.exit, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--help prints the usage; an unknown flag exits 2 with a message", async function () {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn(process.execPath, [EMULATOR_CLI, ...args], {
          cwd: ROOT,
        });
        let out = "";
        let err = "";
        child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
        child.on("exit", (code) => resolve({ code, out, err }));
      });
    const [help, bad] = await Promise.all([run(["--help"]), run(["--port", "x"])]);
    assert.equal(help.code, 0);
    for (const flag of [
      "--port",
      "--host",
      "--tls",
      "--tls-dir",
      "--state",
      "--op-duration-ms",
      "--retry-after",
      "--client-id",
      "--client-secret",
      "--tenant-id",
      "--subscription-id",
    ]) {
      assert.ok(help.out.includes(flag), flag);
    }
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--port expects a non-negative integer, got "x"/);
  });
});
