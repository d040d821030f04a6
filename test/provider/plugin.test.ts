/**
 * The `vmss-identity` provider plugin as the engine sees it: the real executable (plugin/cli.ts) in its own process,
 * spoken to over gRPC with the ResourceProvider client that ships in @pulumi/pulumi, against the emulator over real
 * HTTPS with the real @azure/identity credential from the environment (as a user's shell provides it).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import {
  createIdentity,
  createResourceGroup,
  createScaleSet,
  identityOf,
  startWorld,
  type World,
} from "../support/world";

const structproto = require("google-protobuf/google/protobuf/struct_pb");
const emptyproto = require("google-protobuf/google/protobuf/empty_pb");
const ROOT = path.resolve(__dirname, "../..");
const TYPE = "vmss-identity:index:VmssManagedIdentity";
const URN = `urn:pulumi:dev::proj::${TYPE}::ids`;
type Props = Record<string, unknown>;
const { Kind } = provproto.PropertyDiff;

/** Calls one unary method; rejects with the gRPC error. */
function call<Res>(client: grpc.Client, method: string, request: unknown): Promise<Res> {
  return new Promise((resolve, reject) =>
    (client as unknown as Record<string, (r: unknown, cb: (e: Error | null, v: Res) => void) => void>)[method](
      request,
      (e, v) => (e ? reject(e) : resolve(v)),
    ),
  );
}
const struct = (value: Props) => structproto.Struct.fromJavaScript(value);

describe("the vmss-identity provider plugin over gRPC", function () {
  this.timeout(60_000);
  let world: World;
  let plugin: ChildProcess;
  let client: provrpc.ResourceProviderClient;
  let stderr = "";
  let id1: string;
  let id2: string;
  let foreign: string;

  before(async () => {
    world = await startWorld();
    await createResourceGroup(world, "rg");
    [id1, id2, foreign] = await Promise.all(["id1", "id2", "policy"].map((n) => createIdentity(world, "rg", n)));
    // The credential and the CA come from the environment; the endpoint from the provider's configuration.
    const { VMSS_IDENTITY_ARM_ENDPOINT: _endpoint, ...env } = world.env;
    plugin = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "plugin/cli.ts"], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    plugin.stderr!.on("data", (d) => (stderr += String(d)));
    const port = await new Promise<string>((resolve, reject) => {
      plugin.stdout!.once("data", (d) => resolve(String(d).trim()));
      plugin.once("exit", (code) => reject(new Error(`plugin exited ${code}: ${stderr}`)));
    });
    assert.match(port, /^\d+$/);
    client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });
  after(async () => {
    client?.close();
    plugin?.kill();
    await world?.close();
  });

  it("reports the package version and a schema that describes every property", async () => {
    const info = await call<plugproto.PluginInfo>(client, "getPluginInfo", new emptyproto.Empty());
    assert.equal(info.getVersion(), require("../../package.json").version);
    const res = await call<provproto.GetSchemaResponse>(client, "getSchema", new provproto.GetSchemaRequest());
    const schema = JSON.parse(res.getSchema());
    assert.equal(schema.name, "vmss-identity");
    const resource = schema.resources[TYPE];
    assert.deepEqual(Object.keys(resource.inputProperties).sort(), [
      "adoption",
      "apiVersion",
      "endpoint",
      "environment",
      "mode",
      "roleAssignments",
      "scaleSetId",
      "systemAssigned",
      "userAssignedIdentities",
    ]);
    const undocumented: string[] = [];
    const visit = (where: string, props: Record<string, { description?: string }>) =>
      Object.entries(props).forEach(([k, v]) => (v.description ? 0 : undocumented.push(`${where}.${k}`)));
    for (const [token, r] of Object.entries<Props>(schema.resources)) {
      visit(`${token}.inputs`, r.inputProperties as never);
      visit(`${token}.outputs`, r.properties as never);
    }
    for (const [token, t] of Object.entries<Props>(schema.types)) visit(token, t.properties as never);
    visit("config", schema.config.variables);
    assert.deepEqual(undocumented, []);
  });

  it("CheckConfig names each bad setting, its value and what is expected", async () => {
    const req = new provproto.CheckRequest();
    req.setUrn("urn:pulumi:dev::proj::pulumi:providers:vmss-identity::default");
    req.setNews(struct({ environment: "mars", endpont: "https://x", version: "0.1.0" }));
    const res = await call<provproto.CheckResponse>(client, "checkConfig", req);
    assert.deepEqual(
      res.getFailuresList().map((f) => `${f.getProperty()}: ${f.getReason()}`),
      [
        // An unknown key is not tied to a property: the engine would print that property's value (maybe a secret).
        ": unknown setting vmss-identity:endpont; expected one of vmss-identity:environment, vmss-identity:endpoint, " +
          "vmss-identity:clientId, vmss-identity:tenantId, vmss-identity:clientSecret, vmss-identity:clientCertificatePath, " +
          "vmss-identity:clientCertificatePassword, vmss-identity:useOidc, vmss-identity:oidcToken, " +
          "vmss-identity:oidcTokenFilePath, vmss-identity:oidcRequestToken, vmss-identity:oidcRequestUrl, vmss-identity:useMsi",
        'environment: expected one of public, usgovernment, china (or AzureCloud, AzurePublicCloud, AzureUSGovernment, AzureUSGovernmentCloud, AzureChinaCloud), in any casing, got "mars"',
      ],
    );
  });

  it("creates, diffs in detail, updates, refreshes, imports and deletes through the runtime", async () => {
    const configure = new provproto.ConfigureRequest();
    configure.setArgs(struct({ endpoint: world.emulator.url, version: "0.1.0" }));
    const configured = await call<provproto.ConfigureResponse>(client, "configure", configure);
    assert.equal(configured.getAcceptsecrets(), true);

    const scaleSetId = await createScaleSet(world, "rg", "vmss1", {
      type: "UserAssigned",
      userAssignedIdentities: { [foreign]: {} },
    });
    const check = async (news: Props, olds: Props = {}) => {
      const req = new provproto.CheckRequest();
      req.setUrn(URN);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res = await call<provproto.CheckResponse>(client, "check", req);
      assert.deepEqual(
        res.getFailuresList().map((f) => f.getReason()),
        [],
      );
      return res.getInputs()!.toJavaScript() as Props;
    };
    const inputs = await check({ scaleSetId: scaleSetId.toLowerCase(), userAssignedIdentities: [id1, id2] });
    assert.equal(inputs.scaleSetId, scaleSetId);

    const createReq = new provproto.CreateRequest();
    createReq.setUrn(URN);
    createReq.setProperties(struct(inputs));
    const created = await call<provproto.CreateResponse>(client, "create", createReq);
    assert.equal(created.getId(), `${scaleSetId}#managedIdentity`);
    const outs = created.getProperties()!.toJavaScript() as Props;
    assert.equal(outs.identityType, "UserAssigned");
    assert.deepEqual(outs.otherUserAssignedIdentities, [foreign.replace("resourcegroups", "resourceGroups")]);

    const diff = async (olds: Props, news: Props) => {
      const req = new provproto.DiffRequest();
      req.setUrn(URN);
      req.setId(created.getId());
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res = await call<provproto.DiffResponse>(client, "diff", req);
      const detailed: Record<string, number> = {};
      res.getDetaileddiffMap().forEach((v, k) => (detailed[k] = v.getKind()));
      return { changes: res.getChanges(), replaces: res.getReplacesList(), detailed };
    };
    const { DIFF_NONE, DIFF_SOME } = provproto.DiffResponse.DiffChanges;
    // Casing only: no change.
    assert.deepEqual(await diff(outs, await check({ scaleSetId, userAssignedIdentities: [id2, id1.toUpperCase()] })), {
      changes: DIFF_NONE,
      replaces: [],
      detailed: {},
    });
    // One identity removed, and exclusive mode removing the foreign one.
    const exclusive = await check({ scaleSetId, userAssignedIdentities: [id2], mode: "exclusive" });
    assert.deepEqual(await diff(outs, exclusive), {
      changes: DIFF_SOME,
      replaces: [],
      detailed: {
        "userAssignedIdentities[0]": Kind.DELETE,
        "otherUserAssignedIdentities[0]": Kind.DELETE,
        mode: Kind.UPDATE,
        systemAssigned: Kind.ADD,
      },
    });
    // Another scale set forces a replacement.
    const moved = await check({ scaleSetId: scaleSetId.replace("vmss1", "vmss2"), userAssignedIdentities: [id1, id2] });
    assert.deepEqual((await diff(outs, moved)).replaces, ["scaleSetId"]);
    assert.equal(world.emulator.admin.requests().filter((r) => r.path.includes("vmss2")).length, 0);

    const updateReq = new provproto.UpdateRequest();
    updateReq.setUrn(URN);
    updateReq.setId(created.getId());
    updateReq.setOlds(struct(outs));
    updateReq.setNews(struct(exclusive));
    const updated = (await call<provproto.UpdateResponse>(client, "update", updateReq)).getProperties()!.toJavaScript();
    assert.deepEqual(updated.userAssignedIdentities, [id2.replace("resourcegroups", "resourceGroups")]);
    const state = await identityOf(world, scaleSetId);
    assert.deepEqual([...state.user.keys()], [id2.toLowerCase()]);

    // Refresh: a read of the recorded state; the inputs stay as they were.
    const readReq = new provproto.ReadRequest();
    readReq.setUrn(URN);
    readReq.setId(created.getId());
    readReq.setProperties(struct(updated as Props));
    readReq.setInputs(struct(exclusive));
    const refreshed = await call<provproto.ReadResponse>(client, "read", readReq);
    assert.deepEqual(refreshed.getProperties()!.toJavaScript(), updated);
    assert.deepEqual(refreshed.getInputs()!.toJavaScript(), exclusive);

    // Import: only the ID is known; what is on the scale set is adopted.
    const importReq = new provproto.ReadRequest();
    importReq.setUrn(URN);
    importReq.setId(scaleSetId.toLowerCase() + "#managedIdentity");
    const imported = await call<provproto.ReadResponse>(client, "read", importReq);
    assert.equal(imported.getId(), `${scaleSetId}#managedIdentity`);
    const importedInputs = imported.getInputs()!.toJavaScript() as Props;
    assert.deepEqual(importedInputs, {
      scaleSetId,
      userAssignedIdentities: [id2.replace("resourcegroups", "resourceGroups")],
    });
    const checkedImport = await check(importedInputs);
    assert.equal(
      (await diff(imported.getProperties()!.toJavaScript() as Props, checkedImport)).changes,
      DIFF_NONE,
      "preview after import shows no change",
    );

    const badImport = new provproto.ReadRequest();
    badImport.setUrn(URN);
    badImport.setId("vmss1");
    await assert.rejects(call(client, "read", badImport), (e: Error) =>
      e.message.includes(
        'invalid import ID "vmss1": expected the scale set\'s ARM ID followed by "#managedIdentity", ' +
          "/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachineScaleSets/<name>#managedIdentity",
      ),
    );

    const deleteReq = new provproto.DeleteRequest();
    deleteReq.setUrn(URN);
    deleteReq.setId(created.getId());
    deleteReq.setProperties(struct(updated as Props));
    await call(client, "delete", deleteReq);
    assert.equal((await identityOf(world, scaleSetId)).user.size, 0);
    assert.doesNotMatch(stderr, new RegExp(world.emulator.clientSecret), "no secret in the plugin's output");
  });

  it("refuses a credentials input on a resource, pointing to the provider's configuration (never stored)", async () => {
    for (const [type, news] of [
      [
        TYPE,
        { scaleSetId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/v" },
      ],
      ["vmss-identity:index:ScaleSet", {}],
    ] as const) {
      const req = new provproto.CheckRequest();
      req.setUrn(`urn:pulumi:dev::proj::${type}::x`);
      req.setNews(struct({ ...news, credentials: { clientId: "c", clientSecret: "do-not-store" } }));
      const res = await call<provproto.CheckResponse>(client, "check", req);
      const failures = res.getFailuresList().map((f) => [f.getProperty(), f.getReason()]);
      assert.deepEqual(failures[0], [
        "credentials",
        "a resource of the vmss-identity provider takes no credentials input: set them on its provider " +
          "(vmss-identity:clientId, vmss-identity:clientSecret, …, or an explicit provider resource)",
      ]);
      assert.ok(!JSON.stringify(res.getInputs()?.toJavaScript()).includes("do-not-store"), type);
    }
  });

  it("refuses a type it does not serve, naming it", async () => {
    const req = new provproto.CheckRequest();
    req.setUrn("urn:pulumi:dev::proj::vmss-identity:index:Nope::x");
    req.setNews(struct({}));
    await assert.rejects(call(client, "check", req), (e: Error) =>
      e.message.includes('unknown resource type "vmss-identity:index:Nope": vmss-identity serves ' + TYPE),
    );
  });
});
