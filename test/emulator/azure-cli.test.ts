// The real Azure CLI (`az`, Debian's azure-cli 2.45 in CI) against the emulator: register it as a cloud, log in with
// the service principal through the AD FS-style authority `<emulator>/adfs`, then every section of the how-to
// (https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/qs-configure-rest-vmss) with the
// CLI's own commands (`az group create`, `az identity create`, `az vmss identity assign|remove|show`,
// `az account get-access-token`), and the how-to's own REST requests: its bodies sent as its curl commands send them,
// with the bearer token `az account get-access-token` gave, and twice through `az rest`; then the step after the
// how-to, `az role assignment create|list|delete` for an identity seconds old. After each command the emulator's state
// is checked. No request may leave the machine: HTTP(S)_PROXY point at a local trap that counts
// connections, and only the emulator's address is exempt (NO_PROXY).
//
// CI installs azure-cli (.ci/run); without `az` the test fails under CI=true and is reported pending elsewhere.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { Agent, request } from "undici";
import { startEmulator, type RunningEmulator } from "vmss-identity-emulator";
import type { StoreSnapshot } from "vmss-identity-emulator";
import recipes from "../fixtures/howto-creation-bodies.json";

// The profile whose api-versions Debian's azure-cli 2.45 has SDKs for: compute 2020-06-01, msi 2018-11-30,
// resources 2019-10-01. "latest" asks for compute 2022-11-01, which that package does not ship ("API version
// 2022-11-01 does not have operation group 'virtual_machine_scale_sets'").
const AZ_PROFILE = "2020-09-01-hybrid";
const CLOUD = "VmssEmulator";
const GROUP = "myResourceGroup";

interface AzRun {
  code: number;
  stdout: string;
  stderr: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

function findAz(): string | undefined {
  const found = spawnSync("sh", ["-c", "command -v az"], { encoding: "utf8" });
  const where = found.stdout.trim();
  return found.status === 0 && where !== "" ? where : undefined;
}

/**
 * Records, in a fresh AZURE_CONFIG_DIR, that this az has already looked for a newer version today. Otherwise its first
 * run HEADs https://azure.microsoft.com and reads its version from raw.githubusercontent.com (azure.cli.core.util
 * handle_version_update → get_cached_latest_versions), a request off the machine that has nothing to do with the
 * emulator. The file's shape is the one az writes itself (versionCheck.json).
 */
function seedVersionCheck(az: string, configDir: string): void {
  const shebang = fs.readFileSync(az, "utf8").split("\n", 1)[0];
  const python = shebang.startsWith("#!") ? shebang.slice(2).trim().split(/\s+/) : ["python3"];
  const probe = spawnSync(
    python[0],
    [
      ...python.slice(1),
      "-c",
      "import datetime\nfrom azure.cli.core import __version__ as v\nprint(v)\nprint(datetime.datetime.now())",
    ],
    { encoding: "utf8" },
  );
  if (probe.status !== 0) throw new Error(`cannot read az's version with ${python.join(" ")}: ${probe.stderr}`);
  const [version, now] = probe.stdout.trim().split("\n");
  fs.mkdirSync(configDir, { recursive: true });
  fs.writeFileSync(
    path.join(configDir, "versionCheck.json"),
    JSON.stringify({
      versions: { "azure-cli": { local: version }, core: { local: version } },
      update_time: now,
    }),
  );
}

/** A proxy that answers nothing and counts who tried to use it: any request bound off the machine lands here. */
async function startProxyTrap(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = net.createServer((socket) => {
    count += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("emulator: the Azure CLI logs in and runs the how-to", function () {
  this.timeout(20 * 60_000);
  let azPath: string;
  let emulator: RunningEmulator;
  let trap: Awaited<ReturnType<typeof startProxyTrap>>;
  let configDir: string;
  let env: NodeJS.ProcessEnv; // replaced for `az role` commands (azRole)
  const timings: { command: string; seconds: number; code: number }[] = [];
  let sub: string;
  let vmssPath: (name: string) => string;
  let identityId: (name: string) => string;
  /** The token `az account get-access-token` gave (the how-to's step before its curl commands). */
  let accessToken: string | undefined;
  let howtoClient: Agent | undefined;

  before(async function () {
    const found = findAz();
    if (found === undefined) {
      if (process.env.CI === "true") {
        throw new Error("az (azure-cli) is not installed: .ci/run installs it with apt-get install -y azure-cli");
      }
      console.log("      az (azure-cli) is not installed: apt-get install -y azure-cli to run this test");
      this.skip();
    }
    azPath = found as string;
    const caDir = process.env.VMSS_TEST_CA_DIR;
    if (!caDir) throw new Error("run the tests through scripts/run-tests.js: it creates the test CA");
    trap = await startProxyTrap();
    emulator = await startEmulator({
      tls: { caDir },
      // azure-core's poller treats `Retry-After: 0` as absent and then waits its 30 s default between polls
      // (base_polling.py `if delay: return delay`), so 1 s is the fastest pacing `az` honours.
      retryAfterSeconds: 1,
      opDurationMs: 200,
    });
    sub = emulator.subscriptionId;
    vmssPath = (name) =>
      `/subscriptions/${sub}/resourceGroups/${GROUP}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;
    identityId = (name) =>
      `/subscriptions/${sub}/resourcegroups/${GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), "vmss-identity-az-"));
    const caPath = emulator.caPath as string;
    seedVersionCheck(azPath, path.join(configDir, "azure"));
    env = {
      PATH: process.env.PATH,
      HOME: configDir,
      LANG: "C.UTF-8",
      AZURE_CONFIG_DIR: path.join(configDir, "azure"),
      // Python's requests (MSAL, azure-core) trust only the emulator's CA.
      REQUESTS_CA_BUNDLE: caPath,
      AZURE_CORE_COLLECT_TELEMETRY: "false",
      AZURE_CORE_SURVEY_MESSAGE: "false",
      AZURE_CORE_NO_COLOR: "true",
      HTTPS_PROXY: trap.url,
      HTTP_PROXY: trap.url,
      https_proxy: trap.url,
      http_proxy: trap.url,
      NO_PROXY: "127.0.0.1,localhost",
      no_proxy: "127.0.0.1,localhost",
    };
  });

  after(async function () {
    if (timings.length > 0) {
      console.log("      az commands (wall time):");
      for (const { command, seconds, code } of timings) {
        console.log(`        ${seconds.toFixed(1).padStart(5)} s  exit ${code}  ${command}`);
      }
      const total = timings.reduce((sum, t) => sum + t.seconds, 0);
      console.log(`        ${total.toFixed(1).padStart(5)} s  total, ${timings.length} commands`);
    }
    await howtoClient?.close();
    await emulator?.close();
    await trap?.close();
    if (configDir !== undefined) fs.rmSync(configDir, { recursive: true, force: true });
  });

  /** Runs az (output JSON); records its wall time. `shown` is the command line as printed (no secret). */
  function az(args: string[], shown = args.join(" ")): Promise<AzRun> {
    const started = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
      const child = spawn(azPath, [...args, "--output", "json"], { env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        timings.push({ command: `az ${shown}`, seconds, code: code ?? -1 });
        let json: unknown;
        try {
          json = stdout.trim() === "" ? undefined : JSON.parse(stdout);
        } catch {
          json = undefined;
        }
        resolve({ code: code ?? -1, stdout, stderr, json });
      });
    });
  }

  async function azOk(args: string[], shown?: string): Promise<AzRun> {
    const run = await az(args, shown);
    assert.equal(run.code, 0, `az ${shown ?? args.join(" ")} failed:\n${run.stderr}`);
    return run;
  }

  /** `az vmss identity <verb> --resource-group myResourceGroup --name <name> [--identities …]`, which must succeed. */
  function azVmssIdentity(verb: string, name: string, ...identities: string[]): Promise<AzRun> {
    const args = ["vmss", "identity", verb, "--resource-group", GROUP, "--name", name];
    if (identities.length > 0) args.push("--identities", ...identities);
    return azOk(args);
  }

  /** `az rest` against a path of the emulator (az prefixes the cloud's resource manager endpoint). */
  function azRest(method: string, pathAndQuery: string, body?: unknown): Promise<AzRun> {
    const args = ["rest", "--method", method, "--url", pathAndQuery];
    if (body !== undefined) args.push("--body", JSON.stringify(body));
    return az(args, shorten(args));
  }

  /**
   * One of the how-to's curl commands: `curl '<url>' -X <method> -d '<body>' -H "Content-Type: application/json"
   * -H "Authorization: Bearer <ACCESS TOKEN>"`, sent from this process (a `python` start less than `az rest` each).
   * Shaped as an `az` run: exit 0 for a 2xx answer; otherwise the status and body in `stderr`.
   */
  async function howto(method: string, pathAndQuery: string, body?: unknown): Promise<AzRun> {
    if (accessToken === undefined || howtoClient === undefined) {
      throw new Error("no token: the az account get-access-token test did not pass");
    }
    const res = await request(`${emulator.url}${pathAndQuery}`, {
      method: method.toUpperCase() as "PUT" | "PATCH" | "GET",
      headers: {
        authorization: `Bearer ${accessToken}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      dispatcher: howtoClient,
    });
    const text = await res.body.text();
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { code: ok ? 0 : 1, stdout: ok ? text : "", stderr: ok ? "" : `HTTP ${res.statusCode}: ${text}`, json };
  }

  /** The command line as printed: the path without the subscription prefix, a long body cut short. */
  function shorten(args: string[]): string {
    return args
      .map((arg) => arg.replace(`/subscriptions/${sub}/resourceGroups/${GROUP}/providers/`, "…/"))
      .map((arg) =>
        arg
          .split(
            `/subscriptions/${sub}/resourcegroups/${GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/`,
          )
          .join("…/"),
      )
      .map((arg) =>
        arg.length > 110 ? `'${arg.slice(0, 100)}…' (${arg.length} chars)` : arg.startsWith("{") ? `'${arg}'` : arg,
      )
      .join(" ");
  }

  const state = (): StoreSnapshot => emulator.admin.state();
  const scaleSet = (name: string) => {
    const found = state().scaleSets.find((s) => s.name === name);
    assert.ok(found, `scale set ${name} exists`);
    return found;
  };
  /** The scale set's identity as the emulator holds it: system on/off and user identity names, sorted. */
  const identityOf = (name: string): { system: boolean; users: string[] } => {
    const identity = scaleSet(name).identity;
    return {
      system: identity?.system != null,
      users: (identity?.users ?? []).map((u) => u.name).sort(),
    };
  };
  const fill = (value: unknown): unknown => JSON.parse(JSON.stringify(value).split("<SUBSCRIPTION ID>").join(sub));
  const creationBody = (index: number): Record<string, unknown> =>
    fill(recipes.recipes[index].body) as Record<string, unknown>;
  /** Ends running operations, so that the next write does not meet 409 Conflict from the previous one. */
  const settle = () => emulator.admin.finishOperations();

  it("registers the emulator as a cloud from ARM's metadata document and makes it the active cloud", async function () {
    await azOk([
      "cloud",
      "register",
      "--name",
      CLOUD,
      "--endpoint-resource-manager",
      emulator.url,
      "--profile",
      AZ_PROFILE,
    ]);
    await azOk(["cloud", "set", "--name", CLOUD]);
    const shown = await azOk(["cloud", "show", "--name", CLOUD]);
    assert.equal(shown.json.isActive, true);
    assert.equal(shown.json.profile, AZ_PROFILE);
    assert.equal(shown.json.endpoints.activeDirectory, `${emulator.url}/adfs`);
    assert.equal(shown.json.endpoints.activeDirectoryResourceId, "https://management.azure.com/");
    assert.ok(emulator.admin.requests().some((r) => r.path === "/metadata/endpoints" && r.status === 200));
  });

  it("az login --service-principal reads the AD FS discovery document, gets a token and lists the subscription", async function () {
    emulator.admin.clearRequests();
    const login = await azOk(
      [
        "login",
        "--service-principal",
        "--username",
        emulator.clientId,
        "--password",
        emulator.clientSecret,
        "--tenant",
        emulator.tenantId,
      ],
      `login --service-principal --username ${emulator.clientId} --password *** --tenant ${emulator.tenantId}`,
    );
    assert.equal(login.json.length, 1);
    assert.equal(login.json[0].id, sub);
    assert.equal(login.json[0].tenantId, emulator.tenantId);
    assert.equal(login.json[0].user.type, "servicePrincipal");
    const seen = emulator.admin.requests().map((r) => `${r.method} ${r.path} ${r.status}`);
    assert.deepEqual(seen, [
      "GET /adfs/.well-known/openid-configuration 200",
      "POST /adfs/oauth2/token/ 200",
      "GET /subscriptions 200",
    ]);
    assert.ok(!login.stdout.includes(emulator.clientSecret) && !login.stderr.includes(emulator.clientSecret));
  });

  it("az group create and az identity create make the how-to's group and identities", async function () {
    const group = await azOk(["group", "create", "--name", GROUP, "--location", "westus"]);
    assert.equal(group.json.properties.provisioningState, "Succeeded");
    assert.deepEqual(
      state().resourceGroups.map((g) => [g.name, g.location]),
      [[GROUP, "westus"]],
    );
    for (const name of ["ID1", "ID2"]) {
      const created = await azOk(["identity", "create", "--resource-group", GROUP, "--name", name]);
      const stored = state().identities.find((i) => i.name === name);
      assert.ok(stored);
      assert.equal(created.json.principalId, stored.principalId);
      assert.equal(created.json.clientId, stored.clientId);
    }
  });

  it("az account get-access-token gives a token ARM accepts", async function () {
    const token = await azOk(["account", "get-access-token"]);
    assert.equal(token.json.subscription, sub);
    assert.equal(token.json.tenant, emulator.tenantId);
    accessToken = token.json.accessToken;
    howtoClient = new Agent({ connect: { ca: emulator.caPem } });
    const listed = await howto("get", "/subscriptions?api-version=2022-12-01");
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.json.value[0].subscriptionId, sub);
  });

  describe("system-assigned managed identity", function () {
    it("enable during creation: az rest PUT with the how-to's body, then az vmss identity show", async function () {
      const put = await azRest("put", `${vmssPath("myVMSS")}?api-version=2018-06-01`, creationBody(0));
      assert.equal(put.code, 0, put.stderr);
      assert.equal(put.json.identity.type, "SystemAssigned");
      assert.deepEqual(identityOf("myVMSS"), { system: true, users: [] });
      settle();
      const shown = await azVmssIdentity("show", "myVMSS");
      assert.equal(shown.json.type, "SystemAssigned");
      assert.equal(shown.json.principalId, scaleSet("myVMSS").identity?.system?.principalId);
    });

    it("enable on an existing scale set: az vmss identity assign --identities [system], and the how-to's PATCH with az rest", async function () {
      const { identity: _none, ...withoutIdentity } = creationBody(0);
      const createA = await howto("put", `${vmssPath("vmssA")}?api-version=2018-06-01`, withoutIdentity);
      assert.equal(createA.code, 0, createA.stderr);
      assert.equal(scaleSet("vmssA").identity, null);
      settle();
      const assigned = await azVmssIdentity("assign", "vmssA", "[system]");
      assert.equal(assigned.json.systemAssignedIdentity, scaleSet("vmssA").identity?.system?.principalId);
      assert.deepEqual(identityOf("vmssA"), { system: true, users: [] });
      assert.equal(scaleSet("vmssA").provisioningState, "Succeeded", "az waited for the operation");

      const createB = await howto("put", `${vmssPath("vmssB")}?api-version=2018-06-01`, withoutIdentity);
      assert.equal(createB.code, 0, createB.stderr);
      settle();
      const patched = await azRest("patch", `${vmssPath("vmssB")}?api-version=2018-06-01`, {
        identity: { type: "SystemAssigned" },
      });
      assert.equal(patched.code, 0, patched.stderr);
      assert.equal(patched.json.identity.type, "SystemAssigned");
      assert.deepEqual(identityOf("vmssB"), { system: true, users: [] });
      settle();
    });

    it("enable while keeping user-assigned identities: the how-to's PATCH in both body formats", async function () {
      const ids = [identityId("ID1"), identityId("ID2")];
      const dict = await howto("patch", `${vmssPath("vmssA")}?api-version=2018-06-01`, {
        identity: { type: "SystemAssigned,UserAssigned", userAssignedIdentities: { [ids[0]]: {}, [ids[1]]: {} } },
      });
      assert.equal(dict.code, 0, dict.stderr);
      assert.deepEqual(identityOf("vmssA"), { system: true, users: ["ID1", "ID2"] });
      settle();
      const legacy = await howto("patch", `${vmssPath("vmssB")}?api-version=2017-12-01`, {
        identity: { type: "SystemAssigned,UserAssigned", identityIds: ids },
      });
      assert.equal(legacy.code, 0, legacy.stderr);
      assert.deepEqual(legacy.json.identity.identityIds.map((id: string) => id.split("/").pop()).sort(), [
        "ID1",
        "ID2",
      ]);
      assert.deepEqual(identityOf("vmssB"), { system: true, users: ["ID1", "ID2"] });
      settle();
    });

    it("disable: az vmss identity remove --identities [system] keeps the user identities; the how-to's None PATCH", async function () {
      const removed = await azVmssIdentity("remove", "vmssA", "[system]");
      assert.equal(removed.json.type, "UserAssigned");
      assert.deepEqual(identityOf("vmssA"), { system: false, users: ["ID1", "ID2"] });
      const none = await howto("patch", `${vmssPath("myVMSS")}?api-version=2018-06-01`, {
        identity: { type: "None" },
      });
      assert.equal(none.code, 0, none.stderr);
      assert.equal(none.json.identity, undefined);
      assert.equal(scaleSet("myVMSS").identity, null);
      settle();
    });
  });

  describe("user-assigned managed identity", function () {
    it("assign during creation: the how-to's PUTs (2018-06-01 dictionary, 2017-12-01 identityIds)", async function () {
      const dict = await howto("put", `${vmssPath("vmssUser")}?api-version=2018-06-01`, creationBody(1));
      assert.equal(dict.code, 0, dict.stderr);
      assert.deepEqual(identityOf("vmssUser"), { system: false, users: ["ID1"] });
      const legacy = await howto("put", `${vmssPath("vmssLegacy")}?api-version=2017-12-01`, creationBody(2));
      assert.equal(legacy.code, 0, legacy.stderr);
      assert.deepEqual(identityOf("vmssLegacy"), { system: false, users: ["ID1"] });
      settle();
      const shown = await azVmssIdentity("show", "vmssUser");
      assert.equal(shown.json.type, "UserAssigned");
      assert.deepEqual(
        Object.keys(shown.json.userAssignedIdentities).map((k) => k.split("/").pop()),
        ["ID1"],
      );
    });

    it("assign to an existing scale set: az vmss identity assign, and the how-to's PATCH (its 2018-12-01 is refused as by Azure)", async function () {
      const assigned = await azVmssIdentity("assign", "vmssUser", "ID2");
      assert.deepEqual(
        Object.keys(assigned.json.userAssignedIdentities)
          .map((k) => k.split("/").pop())
          .sort(),
        ["ID1", "ID2"],
      );
      assert.deepEqual(identityOf("vmssUser"), { system: false, users: ["ID1", "ID2"] });

      const body = { identity: { type: "userAssigned", userAssignedIdentities: { [identityId("ID1")]: {} } } };
      const asWritten = await howto("patch", `${vmssPath("myVMSS")}?api-version=2018-12-01`, body);
      assert.notEqual(asWritten.code, 0);
      assert.match(asWritten.stderr, /^HTTP 400: .*NoRegisteredProviderFound/);
      assert.equal(scaleSet("myVMSS").identity, null, "nothing changed");
      const fixed = await howto("patch", `${vmssPath("myVMSS")}?api-version=2018-06-01`, body);
      assert.equal(fixed.code, 0, fixed.stderr);
      assert.deepEqual(identityOf("myVMSS"), { system: false, users: ["ID1"] });
      settle();
      const legacy = await howto("patch", `${vmssPath("vmssLegacy")}?api-version=2017-12-01`, {
        identity: { type: "userAssigned", identityIds: [identityId("ID1"), identityId("ID2")] },
      });
      assert.equal(legacy.code, 0, legacy.stderr);
      assert.deepEqual(identityOf("vmssLegacy"), { system: false, users: ["ID1", "ID2"] });
      settle();
    });

    it("assign while keeping the system identity: az vmss identity assign [system] ID1 ID2 and the how-to's PATCH", async function () {
      const assigned = await azVmssIdentity("assign", "myVMSS", "[system]", "ID1", "ID2");
      assert.equal(assigned.json.systemAssignedIdentity, scaleSet("myVMSS").identity?.system?.principalId);
      assert.deepEqual(identityOf("myVMSS"), { system: true, users: ["ID1", "ID2"] });
      const patched = await howto("patch", `${vmssPath("vmssUser")}?api-version=2018-06-01`, {
        identity: {
          type: "SystemAssigned, UserAssigned",
          userAssignedIdentities: { [identityId("ID1")]: {}, [identityId("ID2")]: {} },
        },
      });
      assert.equal(patched.code, 0, patched.stderr);
      assert.deepEqual(identityOf("vmssUser"), { system: true, users: ["ID1", "ID2"] });
      settle();
    });

    it("remove: az vmss identity remove ID2, the how-to's null PATCH, its identityIds PATCH, and all user identities", async function () {
      const removed = await azVmssIdentity("remove", "myVMSS", "ID2");
      assert.deepEqual(
        Object.keys(removed.json.userAssignedIdentities).map((k) => k.split("/").pop()),
        ["ID1"],
      );
      assert.deepEqual(identityOf("myVMSS"), { system: true, users: ["ID1"] });

      const nulled = await howto("patch", `${vmssPath("vmssUser")}?api-version=2018-06-01`, {
        identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [identityId("ID2")]: null } },
      });
      assert.equal(nulled.code, 0, nulled.stderr);
      assert.deepEqual(identityOf("vmssUser"), { system: true, users: ["ID1"] });
      settle();

      const legacy = await howto("patch", `${vmssPath("vmssB")}?api-version=2017-12-01`, {
        identity: { type: "SystemAssigned,UserAssigned", identityIds: [identityId("ID1")] },
      });
      assert.equal(legacy.code, 0, legacy.stderr);
      assert.deepEqual(identityOf("vmssB"), { system: true, users: ["ID1"] });
      settle();

      const keepSystem = await howto("patch", `${vmssPath("vmssUser")}?api-version=2018-06-01`, {
        identity: { type: "SystemAssigned" },
      });
      assert.equal(keepSystem.code, 0, keepSystem.stderr);
      assert.deepEqual(identityOf("vmssUser"), { system: true, users: [] });
      settle();

      const none = await howto("patch", `${vmssPath("vmssLegacy")}?api-version=2018-06-01`, {
        identity: { type: "None" },
      });
      assert.equal(none.code, 0, none.stderr);
      assert.equal(scaleSet("vmssLegacy").identity, null);
      settle();

      const last = await azVmssIdentity("remove", "myVMSS", "ID1", "[system]");
      assert.equal(last.code, 0);
      assert.equal(scaleSet("myVMSS").identity, null);
      const shown = await azVmssIdentity("show", "myVMSS");
      assert.equal(shown.json, undefined, "no identity left to show");
    });
  });

  describe("role assignments: az role assignment create, list and delete", function () {
    const rgScope = () => `/subscriptions/${sub}/resourceGroups/${GROUP}`;
    let roleEnv: NodeJS.ProcessEnv;

    before(function () {
      // Debian's azure-cli 2.45 reads `<operations>.config` of the azure-mgmt-authorization client, but the library
      // Debian ships names that attribute `_config`, so every `az role` command fails before sending anything
      // ("'RoleAssignmentsOperations' object has no attribute 'config'"). This shim, loaded by Python at start
      // (sitecustomize on PYTHONPATH), aliases the attribute for the role commands only: the requests stay the CLI's own.
      const shimDir = path.join(configDir, "role-shim");
      fs.mkdirSync(shimDir, { recursive: true });
      fs.writeFileSync(
        path.join(shimDir, "sitecustomize.py"),
        [
          "import importlib",
          'for version in ("v2020_04_01_preview", "v2018_01_01_preview"):',
          "    try:",
          '        ops = importlib.import_module("azure.mgmt.authorization.%s.operations" % version)',
          "    except ImportError:",
          "        continue",
          "    for name in dir(ops):",
          "        cls = getattr(ops, name)",
          '        if isinstance(cls, type) and not hasattr(cls, "config"):',
          "            cls.config = property(lambda self: self._config)",
          "",
        ].join("\n"),
      );
      roleEnv = { ...env, PYTHONPATH: shimDir };
    });

    /** `az role …` with the shim; must succeed. */
    async function azRole(args: string[]): Promise<AzRun> {
      const saved = env;
      env = roleEnv;
      try {
        return await azOk(["role", ...args], ["role", ...args].join(" ").split(`/subscriptions/${sub}`).join("…"));
      } finally {
        env = saved;
      }
    }

    it("on the latest profile, create --assignee-object-id --assignee-principal-type ServicePrincipal --role Reader succeeds for a principal seconds old; without principalType ARM says PrincipalNotFound", async function () {
      const fresh = await howto(
        "put",
        `/subscriptions/${sub}/resourceGroups/${GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ID3?api-version=2023-01-31`,
        { location: "westus" },
      );
      assert.equal(fresh.code, 0, fresh.stderr);
      const principalId: string = fresh.json.properties.principalId;
      // The role commands need the latest profile (principalType needs authorization 2018-09-01-preview or later; the
      // hybrid profile's is 2015-07-01), and a Microsoft Graph endpoint for `list` (the emulator's: graph.ts).
      await azOk([
        "cloud",
        "update",
        "--name",
        CLOUD,
        "--cloud-config",
        JSON.stringify({
          profile: "latest",
          endpoints: { resourceManager: emulator.url, microsoftGraphResourceId: `${emulator.url}/` },
        }),
      ]);
      // The control, as the how-to's curl would send it: no principalType within the replication delay (30 s).
      const control = await howto(
        "put",
        `${rgScope()}/providers/Microsoft.Authorization/roleAssignments/5e6a1c2b-0000-4000-8000-00000000c0de?api-version=2022-04-01`,
        {
          properties: {
            roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
            principalId,
          },
        },
      );
      assert.match(control.stderr, /^HTTP 400: .*PrincipalNotFound/);

      emulator.admin.clearRequests();
      const created = await azRole([
        "assignment",
        "create",
        "--assignee-object-id",
        principalId,
        "--assignee-principal-type",
        "ServicePrincipal",
        "--role",
        "Reader",
        "--scope",
        rgScope(),
      ]);
      assert.equal(created.json.principalId, principalId);
      assert.equal(created.json.principalType, "ServicePrincipal");
      assert.equal(created.json.scope, rgScope());
      assert.ok(created.json.roleDefinitionId.endsWith("/acdd72a7-3385-48ef-bd42-f606fba81ae7"));
      const seen = emulator.admin.requests().map((r) => `${r.method} ${r.path.split(sub).join("…")} ${r.status}`);
      assert.deepEqual(seen, [
        `GET /subscriptions/…/resourceGroups/${GROUP}/providers/Microsoft.Authorization/roleDefinitions 200`,
        `PUT /subscriptions/…/resourceGroups/${GROUP}/providers/Microsoft.Authorization/roleAssignments/${created.json.name} 201`,
      ]);
      const stored = state().roleAssignments ?? [];
      assert.deepEqual(
        stored.map((a) => [a.principalId, a.roleGuid, a.scope]),
        [[principalId, "acdd72a7-3385-48ef-bd42-f606fba81ae7", rgScope()]],
      );
    });

    it("list --scope shows the assignment with its role name and the principal's name (from the emulator's Graph); delete --ids removes it", async function () {
      const listed = await azRole(["assignment", "list", "--scope", rgScope()]);
      assert.equal(listed.json.length, 1);
      const [assignment] = listed.json;
      assert.equal(assignment.roleDefinitionName, "Reader");
      const identity = state().identities.find((i) => i.name === "ID3");
      assert.equal(assignment.principalName, identity?.clientId, "a managed identity's first servicePrincipalName");

      await azRole(["assignment", "delete", "--ids", assignment.id]);
      assert.deepEqual(state().roleAssignments, []);
    });
  });

  // A suite of its own, so that mocha runs it after the sections above.
  describe("afterwards", function () {
    it("no request left the machine", function () {
      assert.equal(trap.connections(), 0, "connections to the proxy trap (requests bound for the internet)");
    });
  });
});
