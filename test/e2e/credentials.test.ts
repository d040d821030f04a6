/**
 * Credentials under the real engine, against one emulator configured with several applications (principals):
 *
 * 1. The plugin door (a Pulumi YAML program): five explicit `vmss-identity` providers sign in as four principals
 *    (a client certificate, a client secret, OIDC through GitHub's request URL, OIDC from a token file, the
 *    machine's managed identity through an App Service-style endpoint), and the
 *    default provider with `ARM_USE_OIDC`/`ARM_OIDC_TOKEN` from the environment; each scale set's PATCH comes from
 *    the principal of its provider, and so do the children of a ScaleSetWithIdentity given an explicit provider. A refresh with an expired OIDC token fails with Entra ID's AADSTS700024.
 * 2. The dynamic door (a TypeScript program): four resources with three principals through their `credentials`
 *    argument (certificate, secret, request URL), one of them a ScaleSetWithIdentity whose children (the scale
 *    set's PUT) sign in as the second principal; another principal for it is an update, and refresh and DELETE
 *    then sign in as that one.
 * Neither the state file nor the CLI's output holds a secret, a token or the certificate's key.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { createClientCertificate } from "vmss-identity-emulator";
import { PulumiProject, yamlProjectInWorld } from "../support/pulumiProject";
import {
  createIdentity,
  createResourceGroup,
  createScaleSet,
  startWorld,
  userIds,
  identityOf,
  type World,
} from "../support/world";

const ROOT = path.resolve(__dirname, "../..");
const CERT_APP = "55555555-5555-4555-8555-555555555555";
const SECRET_APP = "66666666-6666-4666-8666-666666666666";
const OIDC_APP = "44444444-4444-4444-8444-444444444444";
const SUBJECT = "repo:contoso/infra:environment:prod";
const SECRET = "second-principal-s3cret-value";
const ADMIN_PASSWORD = "Dyn-c-Passw0rd-4e2e";

type Props = Record<string, unknown>;

describe("e2e: credentials of several principals in one stack, both doors", function () {
  this.timeout(600_000);
  let world: World;
  let certificatePath: string;
  let keyPem: string;
  after(async () => world?.close());

  before(async () => {
    const cert = await createClientCertificate("e2e principal");
    keyPem = cert.keyPem;
    world = await startWorld();
    const admin = world.emulator.admin;
    admin.registerApplication({ clientId: CERT_APP, certificates: [cert.certPem] });
    admin.registerApplication({ clientId: SECRET_APP, clientSecrets: [SECRET] });
    admin.registerApplication({
      clientId: OIDC_APP,
      federatedCredentials: [{ issuer: admin.oidcIssuerUrl(), subject: SUBJECT }],
    });
    certificatePath = path.join(world.dir, "client.pem");
    fs.writeFileSync(certificatePath, cert.certPem + cert.keyPem, { mode: 0o600 });
  });

  /** The principal (client ID) of each PATCH or PUT on a path ending in `suffix`. */
  const writersOf = (suffix: string) => [
    ...new Set(
      world.emulator.admin
        .requests()
        .filter((r) => r.kind === "arm" && (r.method === "PATCH" || r.method === "PUT") && r.path.endsWith(suffix))
        .map((r) => r.clientId),
    ),
  ];

  /** Every credential value a log or the state could leak. */
  const assertNoCredential = (text: string, what: string, extra: string[]) => {
    const keyBody = keyPem.split("\n")[1];
    for (const value of [SECRET, keyBody, ...extra]) assert.ok(!text.includes(value), `${what} holds a credential`);
  };

  it("the plugin door: five explicit providers and the default one, four principals", async () => {
    const cli = process.env.PULUMI_CLI;
    if (!cli) throw new Error("PULUMI_CLI is not set: run the tests through scripts/run-tests.js (npm test)");
    const admin = world.emulator.admin;
    await createResourceGroup(world, "rg");
    const identity = await createIdentity(world, "rg", "app-identity");
    const names = ["vmss-cert", "vmss-secret", "vmss-request", "vmss-file", "vmss-env", "vmss-msi"];
    const scaleSets = await Promise.all(names.map((n) => createScaleSet(world, "rg", n)));
    const tokenFile = path.join(world.dir, "oidc-token");
    fs.writeFileSync(tokenFile, admin.mintOidcToken({ subject: SUBJECT, lifetimeSeconds: 3600 }));
    const envToken = admin.mintOidcToken({ subject: SUBJECT, lifetimeSeconds: 3600 });
    const requestToken = admin.oidcRequestToken(SUBJECT);

    // The environment's principal is the OIDC one (azure-native's variables); the emulator's own secret is not there.
    const {
      AZURE_CLIENT_ID: _id,
      AZURE_CLIENT_SECRET: _secret,
      AZURE_TENANT_ID: _tenant,
      VMSS_IDENTITY_ARM_ENDPOINT: _endpoint,
      ...base
    } = world.env;
    const env = {
      ...base,
      PATH: `${pluginOnPath(world)}${path.delimiter}${world.env.PATH}`,
      ARM_TENANT_ID: world.emulator.tenantId,
      ARM_CLIENT_ID: OIDC_APP,
      ARM_USE_OIDC: "true",
      ARM_OIDC_TOKEN: envToken,
      // The machine's managed identity, as App Service announces it (read by ManagedIdentityCredential itself).
      IDENTITY_ENDPOINT: admin.managedIdentityEndpoint().endpoint,
      IDENTITY_HEADER: admin.managedIdentityEndpoint().header,
    };
    const endpoint = world.emulator.url;
    const tenantId = world.emulator.tenantId;
    const provider = (props: Record<string, unknown>) =>
      `    type: pulumi:providers:vmss-identity\n    properties: ${JSON.stringify({ endpoint, tenantId, ...props })}`;
    const ids = (name: string, scaleSetId: string, providerName?: string) =>
      [
        `  ${name}:`,
        "    type: vmss-identity:index:VmssManagedIdentity",
        `    properties: ${JSON.stringify({ scaleSetId, userAssignedIdentities: [identity] })}`,
        ...(providerName ? ["    options:", `      provider: \${${providerName}}`] : []),
      ].join("\n");
    const componentProps = {
      resourceGroupName: "rg",
      scaleSetName: "vmss-comp",
      location: "eastus",
      sku: { name: "Standard_D1_v2", capacity: 1 },
      systemAssigned: true,
      virtualMachineProfile: {
        osProfile: { computerNamePrefix: "comp", adminUsername: "azureuser", adminPassword: ADMIN_PASSWORD },
      },
    };
    const program = [
      "name: yaml-credentials",
      "runtime: yaml",
      "config:",
      "  clientSecret: { type: string, secret: true }",
      "  requestToken: { type: string, secret: true }",
      "resources:",
      "  certProvider:",
      provider({ clientId: CERT_APP, clientCertificatePath: certificatePath }),
      "  secretProvider:",
      provider({ clientId: SECRET_APP, clientSecret: "${clientSecret}" }),
      "  requestProvider:",
      provider({
        clientId: OIDC_APP,
        useOidc: true,
        oidcRequestToken: "${requestToken}",
        oidcRequestUrl: `${admin.oidcIssuerUrl()}/token?api-version=2.0`,
      }),
      "  fileProvider:",
      provider({ clientId: OIDC_APP, useOidc: true, oidcTokenFilePath: tokenFile }),
      ids("idsCert", scaleSets[0], "certProvider"),
      ids("idsSecret", scaleSets[1], "secretProvider"),
      ids("idsRequest", scaleSets[2], "requestProvider"),
      ids("idsFile", scaleSets[3], "fileProvider"),
      "  msiProvider:",
      provider({ useMsi: true }),
      ids("idsEnv", scaleSets[4]),
      ids("idsMsi", scaleSets[5], "msiProvider"),
      // The component, built by the plugin's Construct: its children sign in as its provider's principal.
      "  compSecret:",
      "    type: vmss-identity:index:ScaleSetWithIdentity",
      `    properties: ${JSON.stringify(componentProps)}`,
      "    options:",
      "      provider: ${secretProvider}",
      "",
    ].join("\n");
    const stack = await yamlProjectInWorld(world, {
      cli,
      env,
      projectName: "yaml-credentials",
      projectFile: program,
    });
    await stack.configure({ "vmss-identity:endpoint": endpoint }, { clientSecret: SECRET, requestToken });
    admin.clearRequests();
    const up = await stack.up();

    for (const set of scaleSets) assert.deepEqual(userIds(await identityOf(world, set)), [identity.toLowerCase()]);
    assert.deepEqual(writersOf("/vmss-cert"), [CERT_APP]);
    assert.deepEqual(writersOf("/vmss-secret"), [SECRET_APP]);
    assert.deepEqual(writersOf("/vmss-request"), [OIDC_APP]);
    assert.deepEqual(writersOf("/vmss-file"), [OIDC_APP]);
    assert.deepEqual(writersOf("/vmss-env"), [OIDC_APP]);
    assert.deepEqual(writersOf("/vmss-msi"), [admin.managedIdentityEndpoint().clientId]);
    assert.deepEqual(
      writersOf("/vmss-comp"),
      [SECRET_APP],
      "the component's scale set PUT as its provider's principal",
    );
    const asked = admin.requests().filter((r) => r.path === "/_oidc/token");
    assert.ok(asked.length > 0 && asked.every((r) => r.status === 200), "the request URL minted the OIDC token");
    const secrets = [requestToken, envToken, fs.readFileSync(tokenFile, "utf8"), ADMIN_PASSWORD];
    assertNoCredential(stack.rawState(), "the state file", secrets);
    assertNoCredential(up.stdout + up.stderr, "pulumi up's output", secrets);
    const exported = JSON.parse((await stack.must(["stack", "export"])).stdout) as {
      deployment: { resources: { urn: string; inputs?: Record<string, unknown> }[] };
    };
    const secretProvider = exported.deployment.resources.find((r) => r.urn.endsWith("::secretProvider"));
    assert.equal(
      (secretProvider?.inputs?.clientSecret as Record<string, unknown>)?.["4dabf18193072939515e22adb298388d"],
      "1b47061264138c4ac30d75fd1eb44270",
      "the provider's clientSecret is a secret in state",
    );

    // A bad assertion: the environment's OIDC token has expired; refresh fails with Entra ID's code, never the token.
    const expired = admin.mintOidcToken({ subject: SUBJECT, issuedAt: Math.floor(Date.now() / 1000) - 3600 });
    const refresh = await stack.run(["refresh", "--yes", "--skip-preview"], { ...env, ARM_OIDC_TOKEN: expired });
    assert.notEqual(refresh.code, 0);
    const said = refresh.stdout + refresh.stderr;
    assert.match(said, /AADSTS700024: Client assertion is not within its valid time range/);
    // What the user sees, for the test log.
    console.log(
      `      refresh with an expired OIDC token:\n${said
        .split("\n")
        .filter((l) => /error|AADSTS/.test(l))
        .slice(0, 3)
        .join("\n")}`,
    );
    assertNoCredential(said, "the refresh error", [expired, ...secrets]);

    // A misspelt key set without --secret: the preview names the key, never its value (the engine prints the value
    // of a property a CheckConfig failure names).
    const mistyped = "My-Real-Secret-Value";
    await stack.must(["config", "set", "vmss-identity:client_secret", mistyped]);
    const typo = await stack.run(["preview"]);
    await stack.must(["config", "rm", "vmss-identity:client_secret"]);
    assert.notEqual(typo.code, 0);
    assert.match(typo.stdout + typo.stderr, /unknown setting vmss-identity:client_secret; expected one of/);
    assertNoCredential(typo.stdout + typo.stderr, "the preview of a misspelt key", [mistyped]);
    console.log(
      `      preview with vmss-identity:client_secret set:\n${(typo.stdout + typo.stderr)
        .split("\n")
        .filter((l) => /error|problem/.test(l))
        .slice(0, 2)
        .join("\n")}`,
    );

    admin.clearRequests();
    await stack.destroy();
    for (const set of scaleSets) assert.equal((await identityOf(world, set)).user.size, 0);
    const deleted = admin.requests().filter((r) => r.method === "DELETE" && r.path.endsWith("/vmss-comp"));
    assert.deepEqual(
      deleted.map((r) => r.clientId),
      [SECRET_APP],
    );
  });

  it("the dynamic door: four resources, one a ScaleSetWithIdentity, three principals through credentials", async () => {
    const cli = process.env.PULUMI_CLI;
    if (!cli) throw new Error("PULUMI_CLI is not set: run the tests through scripts/run-tests.js (npm test)");
    const admin = world.emulator.admin;
    const groupId = `/subscriptions/${world.subscriptionId}/resourceGroups/rg-dynamic`;
    await createResourceGroup(world, "rg-ids");
    const identity = await createIdentity(world, "rg-ids", "dyn-identity");
    const [scaleSetA, scaleSetB] = await Promise.all(["dyn-a", "dyn-b"].map((n) => createScaleSet(world, "rg-ids", n)));
    const requestToken = admin.oidcRequestToken(SUBJECT);
    admin.clearRequests();
    const stack = await PulumiProject.create({
      cli,
      env: world.env,
      worldDir: world.dir,
      stateDir: path.join(world.dir, "state"),
      programDir: path.join(ROOT, "test/fixtures/credentials-program"),
      projectName: "dynamic-credentials",
    });
    await stack.configure(
      {
        endpoint: world.emulator.url,
        tenantId: world.emulator.tenantId,
        resourceGroupId: groupId,
        scaleSetA,
        scaleSetB,
        identity,
        secretClientId: SECRET_APP,
        oidcClientId: OIDC_APP,
        requestUrl: `${admin.oidcIssuerUrl()}/token`,
        certClientId: CERT_APP,
        certificatePath,
        subscriptionId: world.subscriptionId,
        scaleSetGroup: "rg-ids",
      },
      { clientSecret: SECRET, requestToken, adminPassword: ADMIN_PASSWORD },
    );
    const up = await stack.up();
    assert.deepEqual(writersOf("/rg-dynamic"), [CERT_APP]);
    assert.deepEqual(writersOf("/dyn-a"), [SECRET_APP]);
    assert.deepEqual(writersOf("/dyn-b"), [OIDC_APP]);
    // The component's scale set: its PUT signed by the second principal, not the environment's.
    assert.deepEqual(writersOf("/dyn-c"), [SECRET_APP]);
    const put = admin.requests().find((r) => r.kind === "arm" && r.method === "PUT" && r.path.endsWith("/dyn-c"));
    console.log(`      the emulator's log: ${put?.method} ${put?.path} signed by ${put?.clientId}`);
    assert.notEqual(SECRET_APP, world.env.AZURE_CLIENT_ID);
    assertNoCredential(stack.rawState(), "the state file", [requestToken, ADMIN_PASSWORD]);
    assertNoCredential(up.stdout + up.stderr, "pulumi up's output", [requestToken, ADMIN_PASSWORD]);
    // The certificate path was plain config (the engine copies plain config into the dynamic provider's own inputs):
    // the resources made `credentials` a secret anyway, in their inputs and their outputs.
    const state = JSON.parse(stack.rawState()) as {
      checkpoint: { latest: { resources: { urn: string; inputs?: Props; outputs?: Props }[] } };
    };
    for (const name of ["group", "ids-secret", "ids-oidc", "vmss-second-scaleset", "vmss-second-identity"]) {
      const resource = state.checkpoint.latest.resources.find((r) => r.urn.endsWith(`::${name}`));
      for (const side of ["inputs", "outputs"] as const) {
        const credentials = resource?.[side]?.credentials as Props | undefined;
        assert.equal(typeof credentials?.ciphertext, "string", `${name}'s ${side}.credentials is encrypted`);
        assert.ok(!JSON.stringify(resource?.[side]).includes(certificatePath), `${name}'s ${side} hold no path`);
      }
    }
    await stack.must(["preview", "--expect-no-changes"]);
    // Another principal for the component (a rotated credential): an update of both children, not a replacement;
    // the scale set is the same one, reached as the new principal.
    const uniqueIdOf = () =>
      (JSON.parse(stack.rawState()) as typeof state).checkpoint.latest.resources.find((r) =>
        r.urn.endsWith("::vmss-second-scaleset"),
      )?.outputs?.uniqueId;
    const uniqueId = uniqueIdOf();
    assert.equal(typeof uniqueId, "string");
    await stack.configure({ componentPrincipal: "certificate" });
    admin.clearRequests();
    const rotated = await stack.up();
    assert.doesNotMatch(rotated.stdout, /replac/i);
    assert.match(rotated.stdout, /2 updated/);
    const afterRotation = admin.requests().filter((r) => r.kind === "arm" && r.path.endsWith("/dyn-c"));
    assert.deepEqual([...new Set(afterRotation.map((r) => `${r.method} ${r.clientId}`))], [`GET ${CERT_APP}`]);
    assert.equal(uniqueIdOf(), uniqueId, "the same scale set");
    // Refresh and delete sign in as the principal in the (secret) state: the certificate's now.
    admin.clearRequests();
    await stack.must(["refresh", "--yes", "--skip-preview"]);
    await stack.destroy();
    const signers = (suffix: string) =>
      admin.requests().filter((r) => r.kind === "arm" && r.path.toLowerCase().endsWith(suffix));
    assert.deepEqual([...new Set(signers("/rg-dynamic").map((r) => r.clientId))], [CERT_APP]);
    const dynC = signers("/dyn-c");
    assert.deepEqual([...new Set(dynC.map((r) => r.method))].sort(), ["DELETE", "GET"]);
    assert.deepEqual(
      [...new Set(dynC.map((r) => r.clientId))],
      [CERT_APP],
      "refresh and DELETE as the principal in the state",
    );
  });
});

function pluginOnPath(world: World): string {
  const plugin = path.join(ROOT, "dist/plugin/cli.js");
  if (!fs.existsSync(plugin)) throw new Error(`${plugin} is missing: run npm run build first`);
  const binDir = path.join(world.dir, "npm-global-bin");
  fs.mkdirSync(binDir, { recursive: true });
  if (!fs.existsSync(path.join(binDir, "pulumi-resource-vmss-identity"))) {
    fs.symlinkSync(plugin, path.join(binDir, "pulumi-resource-vmss-identity"));
  }
  return binDir;
}
