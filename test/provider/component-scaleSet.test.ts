// The ScaleSet runtime (components/scaleSetRuntime.ts) against the ARM emulator, over real HTTPS with a real token
// from @azure/identity, through an ArmClient whose undici dispatcher records every request body on the wire.
//
// 1. Each creation recipe of the how-to (docs/arm-behavior.md: system-assigned at
//    2018-06-01, user-assigned at 2018-06-01 as a dictionary, at 2017-12-01 as identityIds), turned into the
//    component's inputs, goes through `check` and `create`: one GET that finds nothing, exactly one PUT whose
//    body equals the how-to's after normalisation, the operation polled to its end, a final GET.
// 2. A VmssManagedIdentity (provider/runtime.ts) adds ID2 after creation; an update of the sku and tags is one
//    PATCH without `identity`, and ID2 is still there afterwards.
// 3. Refresh (`read`) reports capacity and tag drift made outside Pulumi; `diff` then asks for an update.
// 4. Delete follows the operation; deleting what is gone is not an error; creating over an existing scale set is
//    refused without a PUT; a failed operation leaves a resource Pulumi can record, and no secret in the message.
//
// Run through scripts/run-tests.js (it makes the test CA and sets NODE_EXTRA_CA_CERTS, which @azure/identity needs
// to trust the emulator's https token endpoint).
import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ClientSecretCredential } from "@azure/identity";
import { Agent, type Dispatcher } from "undici";
import { startEmulator, type RunningEmulator } from "vmss-identity-emulator";
import { ArmClient, resolveCloud } from "../../provider/arm";
import { armIdKey, parseIdentityType } from "../../provider/identity";
import * as identityRuntime from "../../provider/runtime";
import * as runtime from "../../components/scaleSetRuntime";
import { splitSecrets } from "../../components/secretProperties";

const ROOT = path.resolve(__dirname, "../..");
const HOW_TO = path.join(ROOT, "test/fixtures/howto-creation-bodies.json");
const RG = "myResourceGroup";
const PASSWORD = "myPassword12";

interface Recorded {
  method: string;
  path: string;
  body?: string;
}

interface HowToRecipe {
  apiVersion: string;
  body: Record<string, unknown>;
}

/**
 * The creation bodies of the how-to: every JSON request body with a `sku`, and the api-version of its PUT (copied
 * verbatim from the how-to into test/fixtures/howto-creation-bodies.json).
 */
function howToCreationRecipes(): HowToRecipe[] {
  return (JSON.parse(fs.readFileSync(HOW_TO, "utf8")) as { recipes: HowToRecipe[] }).recipes;
}

/** The how-to's placeholders replaced by the emulator's subscription. */
function substitute<T>(value: T, sub: string): T {
  return JSON.parse(JSON.stringify(value).split("<SUBSCRIPTION ID>").join(sub)) as T;
}

/**
 * Normalisation before the byte-for-byte comparison: object keys sorted (JSON objects are unordered), and user
 * identity IDs compared case-insensitively, as ARM compares them (the how-to writes `resourcegroups`, the algebra
 * sends the canonical `resourceGroups`: docs/arm-behavior.md, "IDs and casing"). Nothing else is touched: types, values,
 * nesting and arrays must be exactly the how-to's.
 */
function normalised(body: unknown): string {
  const copy = JSON.parse(JSON.stringify(body)) as { identity?: Record<string, unknown> };
  const identity = copy.identity;
  if (identity?.userAssignedIdentities !== undefined) {
    identity.userAssignedIdentities = Object.fromEntries(
      Object.entries(identity.userAssignedIdentities as object).map(([k, v]) => [armIdKey(k), v]),
    );
  }
  if (Array.isArray(identity?.identityIds))
    identity.identityIds = identity.identityIds.map((id: string) => armIdKey(id));
  return JSON.stringify(sortKeys(copy));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}

/** What a program would declare to get the how-to's body: its parts as the component's inputs. */
function inputsFor(recipe: HowToRecipe, sub: string, scaleSetName: string): Record<string, unknown> {
  const body = substitute(recipe.body, sub) as {
    sku: unknown;
    location: string;
    identity: { type: string; userAssignedIdentities?: Record<string, unknown>; identityIds?: string[] };
    properties: { overprovision: boolean; virtualMachineProfile: unknown; upgradePolicy: unknown };
  };
  const type = parseIdentityType(body.identity.type);
  const { profile, secrets } = splitSecrets(body.properties.virtualMachineProfile);
  return {
    subscriptionId: sub,
    resourceGroupName: RG,
    scaleSetName,
    location: body.location,
    sku: body.sku,
    overprovision: body.properties.overprovision,
    upgradePolicy: body.properties.upgradePolicy,
    virtualMachineProfile: profile,
    secretProperties: secrets,
    systemAssigned: type.startsWith("SystemAssigned"),
    userAssignedIdentities: body.identity.identityIds ?? Object.keys(body.identity.userAssignedIdentities ?? {}),
    apiVersion: recipe.apiVersion,
  };
}

describe("ScaleSet runtime against the ARM emulator", function () {
  let emulator: RunningEmulator;
  let client: ArmClient;
  let dispatcher: Dispatcher;
  const recorded: Recorded[] = [];
  let sub: string;
  let id1: string;
  let id2: string;

  const scaleSetPath = (name: string) =>
    `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;
  const writes = (name: string) =>
    recorded.filter((r) => r.method !== "GET" && r.path.toLowerCase() === scaleSetPath(name).toLowerCase());
  const get = async (name: string, apiVersion = "2024-11-01") =>
    (await client.request<Record<string, any>>({ method: "GET", path: scaleSetPath(name), apiVersion })).body; // eslint-disable-line @typescript-eslint/no-explicit-any
  const checked = (news: Record<string, unknown>) => {
    const { inputs, failures } = runtime.check({}, news);
    deepEqual(failures, []);
    return inputs;
  };

  before(async () => {
    emulator = await startEmulator({
      tls: { caDir: process.env.VMSS_TEST_CA_DIR ?? path.join(ROOT, ".test-tls") },
      opDurationMs: 5,
    });
    sub = emulator.subscriptionId;
    // Every request body as sent on the wire.
    dispatcher = new Agent({ connect: { ca: emulator.caPem } }).compose((dispatch) => (opts, handler) => {
      recorded.push({
        method: opts.method,
        path: String(opts.path).split("?")[0]!,
        body: typeof opts.body === "string" ? opts.body : undefined,
      });
      return dispatch(opts, handler);
    });
    const cloud = resolveCloud({ endpoint: emulator.url });
    const credential = new ClientSecretCredential(emulator.tenantId, emulator.clientId, emulator.clientSecret, {
      authorityHost: emulator.url,
      disableInstanceDiscovery: true,
    });
    client = new ArmClient({
      cloud,
      credential,
      dispatcher,
      pollIntervalMs: 0,
      retry: { baseDelayMs: 0, retryAfterScale: 0 },
    });
    await client.request({
      method: "PUT",
      path: `/subscriptions/${sub}/resourceGroups/${RG}`,
      apiVersion: "2021-04-01",
      body: { location: "eastus" },
    });
    const identity = async (name: string) =>
      (
        await client.request<{ id: string }>({
          method: "PUT",
          path: `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`,
          apiVersion: "2023-01-31",
          body: { location: "eastus" },
        })
      ).body.id;
    id1 = await identity("ID1");
    id2 = await identity("ID2");
  });

  after(async () => {
    await client?.close();
    await dispatcher?.close();
    await emulator?.close();
  });

  beforeEach(() => {
    recorded.length = 0;
  });

  const recipes = howToCreationRecipes();

  it("finds the how-to's three creation recipes", () => {
    deepEqual(
      recipes.map((r) => [r.apiVersion, (r.body.identity as { type: string }).type]),
      [
        ["2018-06-01", "SystemAssigned"],
        ["2018-06-01", "UserAssigned"],
        ["2017-12-01", "UserAssigned"],
      ],
    );
  });

  recipes.forEach((recipe, index) => {
    const identity = recipe.body.identity as Record<string, unknown>;
    const form = identity.identityIds
      ? "identityIds"
      : identity.userAssignedIdentities
        ? "dictionary"
        : "no user identity";
    it(`creates with exactly one PUT whose body is the how-to's: ${identity.type} at ${recipe.apiVersion} (${form})`, async () => {
      const name = `myVMSS${index}`;
      const expected = substitute(recipe.body, sub);
      const { id, outs } = await runtime.create(checked(inputsFor(recipe, sub, name)), { client });

      equal(id, scaleSetPath(name));
      const puts = writes(name);
      deepEqual(
        puts.map((r) => r.method),
        ["PUT"],
        "one write, a PUT",
      );
      equal(normalised(JSON.parse(puts[0]!.body!)), normalised(expected));
      // GET (must find nothing), PUT, operation polls, final GET.
      const calls = recorded.filter((r) => !r.path.includes("/oauth2/") && !r.path.includes("openid"));
      equal(calls[0]!.method, "GET");
      equal(calls[1]!.method, "PUT");
      ok(
        calls.slice(2, -1).every((r) => r.method === "GET" && r.path.includes("/operations/")),
        "then operation polls",
      );
      deepEqual(calls[calls.length - 1], { method: "GET", path: scaleSetPath(name), body: undefined });

      equal(outs.provisioningState, "Succeeded");
      match(String(outs.uniqueId), /^[0-9a-f-]{36}$/);
      equal(JSON.stringify(outs.virtualMachineProfile).includes("adminPassword"), false);
      const stored = await get(name, recipe.apiVersion);
      equal(stored.identity.type, identity.type);
      if (form === "dictionary")
        deepEqual(Object.keys(stored.identity.userAssignedIdentities).map(armIdKey), [armIdKey(id1)]);
      if (form === "identityIds") deepEqual(stored.identity.identityIds.map(armIdKey), [armIdKey(id1)]);
    });
  });

  it("keeps an identity a VmssManagedIdentity added later through an update of the sku and tags (a PATCH without identity)", async () => {
    const name = "survivor";
    const inputs = checked({
      ...inputsFor(recipes[0]!, sub, name),
      apiVersion: undefined,
      userAssignedIdentities: [id1],
    });
    const { outs } = await runtime.create(inputs, { client });
    // Another resource (or tool) assigns ID2 after creation.
    await identityRuntime.create(
      { scaleSetId: scaleSetPath(name), userAssignedIdentities: [id2], mode: "additive" },
      { client },
    );
    recorded.length = 0;

    const news = checked({
      ...inputs,
      sku: { tier: "Standard", capacity: 5, name: "Standard_D1_v2" },
      tags: { env: "prod" },
    });
    deepEqual(runtime.diff(outs as unknown as Record<string, unknown>, news), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const { outs: updated } = await runtime.update(outs as unknown as Record<string, unknown>, news, { client });

    const patches = writes(name);
    deepEqual(
      patches.map((r) => [r.method, JSON.parse(r.body!)]),
      [["PATCH", { sku: { tier: "Standard", capacity: 5, name: "Standard_D1_v2" }, tags: { env: "prod" } }]],
    );
    equal(updated.provisioningState, "Succeeded");
    const stored = await get(name);
    equal(stored.identity.type, "SystemAssigned, UserAssigned");
    deepEqual(
      Object.keys(stored.identity.userAssignedIdentities).map(armIdKey).sort(),
      [armIdKey(id1), armIdKey(id2)].sort(),
    );
    equal(stored.sku.capacity, 5);
    deepEqual(stored.tags, { env: "prod" });
  });

  it("updates the password with a PATCH that carries it only inside the request, sent again when its answer is lost", async () => {
    const name = "rotate";
    const inputs = checked({ ...inputsFor(recipes[0]!, sub, name), apiVersion: undefined });
    const { outs } = await runtime.create(inputs, { client });
    recorded.length = 0;
    const news = { ...inputs, secretProperties: { adminPassword: "newPassword34" } };
    // The first PATCH's connection drops: the runtime states its merge patch idempotent, so it is sent again.
    emulator.admin.injectFault({ method: "PATCH", pathPattern: name, count: 1, kind: "drop" });
    await runtime.update(outs as unknown as Record<string, unknown>, news, { client });
    const [patch, again] = writes(name);
    equal(again?.body, patch?.body);
    const body = JSON.parse(patch!.body!);
    deepEqual(Object.keys(body), ["properties"]);
    equal(body.properties.virtualMachineProfile.osProfile.adminPassword, "newPassword34");
    equal("identity" in body, false);
  });

  it("reports capacity and tag drift on refresh, and diff then asks for an update", async () => {
    const name = "drifter";
    const inputs = checked({ ...inputsFor(recipes[0]!, sub, name), apiVersion: undefined, tags: { env: "test" } });
    const { outs } = await runtime.create(inputs, { client });
    // Someone scales out and retags in the portal.
    await client.execute({
      method: "PATCH",
      path: scaleSetPath(name),
      apiVersion: "2024-11-01",
      body: { sku: { capacity: 7 }, tags: { env: "test", owner: "portal" } },
    });

    const refreshed = await runtime.read(outs as unknown as Record<string, unknown>, { client });
    deepEqual(refreshed?.sku, { tier: "Standard", capacity: 7, name: "Standard_D1_v2" });
    deepEqual(refreshed?.tags, { env: "test", owner: "portal" });
    equal(refreshed?.provisioningState, "Succeeded");
    deepEqual(runtime.diff(refreshed as unknown as Record<string, unknown>, inputs), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    // Unchanged since creation: no drift.
    const again = await runtime.read(outs as unknown as Record<string, unknown>, { client });
    deepEqual(
      runtime.diff(again as unknown as Record<string, unknown>, {
        ...inputs,
        sku: refreshed!.sku,
        tags: refreshed!.tags,
      }),
      {
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
      },
    );
  });

  it("deletes and follows the operation; a scale set already gone is not an error; refresh then drops it", async () => {
    const name = "doomed";
    const { outs } = await runtime.create(checked({ ...inputsFor(recipes[0]!, sub, name), apiVersion: undefined }), {
      client,
    });
    const props = outs as unknown as Record<string, unknown>;
    recorded.length = 0;
    await runtime.remove(props, { client });
    deepEqual(
      writes(name).map((r) => r.method),
      ["DELETE"],
    );
    await rejects(get(name), (e: { statusCode?: number }) => e.statusCode === 404);
    await runtime.remove(props, { client });
    equal(await runtime.read(props, { client }), undefined);
  });

  it("refuses to create over an existing scale set, without sending a PUT", async () => {
    const name = "taken";
    const inputs = checked({ ...inputsFor(recipes[0]!, sub, name), apiVersion: undefined });
    await runtime.create(inputs, { client });
    recorded.length = 0;
    await rejects(runtime.create(inputs, { client }), (e: Error) => {
      equal(
        e.message,
        `creating ${scaleSetPath(name)} failed: a scale set with this ID already exists. ScaleSetWithIdentity creates its ` +
          `scale set and does not take over an existing one (a PUT would replace its configuration and identities); ` +
          `choose another scaleSetName, or delete the existing scale set first`,
      );
      return true;
    });
    deepEqual(writes(name), []);
  });

  it("reports a failed creation with the scale set's id for Pulumi to record, and no secret in the message", async () => {
    const name = "failing";
    const inputs = checked({ ...inputsFor(recipes[0]!, sub, name), apiVersion: undefined });
    emulator.admin.failNextOperations({
      count: 1,
      code: "OSProvisioningClientError",
      message: `password '${PASSWORD}' was refused by the guest`,
    });
    await rejects(
      runtime.create(inputs, { client }),
      (e: Error & { id?: string; properties?: Record<string, unknown> }) => {
        equal(e.message.includes(PASSWORD), false, "no password in the message");
        match(
          e.message,
          /^creating \S+\/failing failed: OSProvisioningClientError: password '\[secret\]' was refused by the guest/,
        );
        equal(e.id, scaleSetPath(name));
        equal(e.properties?.provisioningState, "Failed");
        equal("secretProperties" in (e.properties ?? {}), false);
        return true;
      },
    );
  });
});
