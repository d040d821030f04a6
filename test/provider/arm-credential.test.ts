import assert from "node:assert/strict";
import type { TokenCredential } from "@azure/identity";
import {
  chooseCredential,
  clearCredentialCache,
  getCredential,
  isRenewableCredential,
  renewableCredential,
  resolveCloud,
} from "../../provider/arm";

const publicCloud = resolveCloud({}, {});
const emulatorCloud = resolveCloud({ endpoint: "https://127.0.0.1:8443" }, {});
const SECRET = "s3cret-value-never-shown";

describe("arm credential", () => {
  afterEach(() => clearCredentialCache());

  it("chooses a client secret credential from the AZURE_* triple, without the secret", () => {
    const env = { AZURE_TENANT_ID: "t1", AZURE_CLIENT_ID: "c1", AZURE_CLIENT_SECRET: SECRET };
    assert.deepEqual(chooseCredential(publicCloud, env), {
      kind: "client-secret",
      authorityHost: "https://login.microsoftonline.com",
      disableInstanceDiscovery: false,
      source: "AZURE_CLIENT_SECRET",
      tenantId: "t1",
      clientId: "c1",
    });
  });

  it("reads the ARM_* triple Terraform and Pulumi's azure providers use", () => {
    const env = { ARM_TENANT_ID: "t2", ARM_CLIENT_ID: "c2", ARM_CLIENT_SECRET: SECRET, AZURE_CLIENT_ID: "partial" };
    const choice = chooseCredential(emulatorCloud, env);
    assert.deepEqual(choice, {
      kind: "client-secret",
      authorityHost: "https://127.0.0.1:8443",
      disableInstanceDiscovery: true,
      source: "ARM_CLIENT_SECRET",
      tenantId: "t2",
      clientId: "c2",
    });
    assert.equal(JSON.stringify(choice).includes(SECRET), false);
  });

  it("falls back to DefaultAzureCredential, with instance discovery off outside the public clouds", () => {
    assert.deepEqual(chooseCredential(publicCloud, {}), {
      kind: "default",
      authorityHost: "https://login.microsoftonline.com",
      disableInstanceDiscovery: false,
    });
    assert.equal(chooseCredential(resolveCloud({ environment: "china" }, {}), {}).disableInstanceDiscovery, false);
    assert.equal(chooseCredential(emulatorCloud, {}).disableInstanceDiscovery, true);
  });

  it("returns one credential per process for the same cloud and configuration", () => {
    const env = { AZURE_TENANT_ID: "t1", AZURE_CLIENT_ID: "c1", AZURE_CLIENT_SECRET: SECRET };
    const a = getCredential(emulatorCloud, env);
    const b = getCredential(emulatorCloud, { ...env });
    const other = getCredential(publicCloud, env);
    const rotated = getCredential(emulatorCloud, { ...env, AZURE_CLIENT_SECRET: "rotated" });
    assert.equal(a, b);
    assert.notEqual(a, other);
    assert.notEqual(a, rotated);
    assert.equal(isRenewableCredential(a), true);
  });

  it("does not expose the secret through the returned credential's own properties", () => {
    const credential = getCredential(emulatorCloud, {
      AZURE_TENANT_ID: "t1",
      AZURE_CLIENT_ID: "c1",
      AZURE_CLIENT_SECRET: SECRET,
    });
    assert.deepEqual(Object.keys(credential).sort(), ["getFreshToken", "getToken"]);
  });

  it("builds a new underlying instance for a fresh token, so its cache is empty", async () => {
    const built: TokenCredential[] = [];
    const credential = renewableCredential(() => {
      const instance = {
        getToken: async () => ({ token: `t${built.indexOf(instance) + 1}`, expiresOnTimestamp: Date.now() + 60_000 }),
      };
      built.push(instance);
      return instance;
    });
    assert.equal((await credential.getToken("scope"))?.token, "t1");
    assert.equal((await credential.getToken("scope"))?.token, "t1");
    assert.equal((await credential.getFreshToken("scope"))?.token, "t2");
    assert.equal((await credential.getToken("scope"))?.token, "t2");
    assert.equal(built.length, 2);
  });
});

describe("arm credential: the choice order and what is missing", () => {
  const ids = { ARM_TENANT_ID: "t", ARM_CLIENT_ID: "c" };
  const kind = (env: NodeJS.ProcessEnv, explicit?: Record<string, unknown>) =>
    chooseCredential(emulatorCloud, env, explicit ? { explicit, explicitPrefix: "vmss-identity:" } : {});

  it("takes azure-native's order: certificate, secret, OIDC, managed identity, default", () => {
    const all = {
      ...ids,
      ARM_CLIENT_CERTIFICATE_PATH: "/c.pem",
      ARM_CLIENT_SECRET: SECRET,
      ARM_USE_OIDC: "true",
      ARM_OIDC_TOKEN: "jwt",
      ARM_USE_MSI: "true",
    };
    assert.equal(kind(all).kind, "client-certificate");
    const { ARM_CLIENT_CERTIFICATE_PATH: _c, ...noCert } = all;
    assert.equal(kind(noCert).kind, "client-secret");
    const { ARM_CLIENT_SECRET: _s, ...noSecret } = noCert;
    assert.deepEqual(
      [kind(noSecret).kind, kind(noSecret).oidcTokenSource, kind(noSecret).source],
      ["oidc", "token", "ARM_USE_OIDC"],
    );
    assert.equal(kind({ ...noSecret, ARM_USE_OIDC: "false" }).kind, "managed-identity");
    assert.equal(kind({ ...ids, ARM_USE_MSI: "FALSE" }).kind, "default");
    assert.equal(kind({ ...ids, ARM_USE_OIDC: "true", AZURE_FEDERATED_TOKEN_FILE: "/t" }).oidcTokenSource, "file");
    assert.equal(
      kind({
        ...ids,
        ARM_USE_OIDC: "true",
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: "rt",
        ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.example/x?api-version=2.0",
      }).oidcTokenSource,
      "request",
    );
  });

  it("names what is missing, never a value", () => {
    assert.throws(() => kind({ ARM_USE_OIDC: "true", ...ids }), {
      name: "MissingCredentialSettingError",
      message:
        "ARM_USE_OIDC is true but no OIDC token source is set: set ARM_OIDC_TOKEN, ARM_OIDC_TOKEN_FILE_PATH or " +
        "AZURE_FEDERATED_TOKEN_FILE, or ARM_OIDC_REQUEST_TOKEN or ACTIONS_ID_TOKEN_REQUEST_TOKEN with " +
        "ARM_OIDC_REQUEST_URL or ACTIONS_ID_TOKEN_REQUEST_URL",
    });
    assert.throws(() => kind({ ARM_CLIENT_SECRET: SECRET, ARM_CLIENT_ID: "c" }), {
      message:
        "ARM_CLIENT_SECRET is set, so a client secret is used, but no tenant ID is set: set ARM_TENANT_ID or AZURE_TENANT_ID",
    });
    assert.throws(
      () => kind({}, { useOidc: true, oidcRequestToken: SECRET, tenantId: "t", clientId: "c" }),
      (e: Error) => {
        assert.match(
          e.message,
          /^vmss-identity:useOidc is true but no OIDC token source is set: .*; vmss-identity:oidcRequestToken is set but no request URL: set vmss-identity:oidcRequestUrl$/,
        );
        assert.equal(e.message.includes(SECRET), false);
        return true;
      },
    );
    assert.throws(() => kind({ ARM_USE_OIDC: "yes" }), { message: 'ARM_USE_OIDC: expected true or false, got "yes"' });
    assert.throws(
      () =>
        kind({
          ...ids,
          ARM_USE_OIDC: "true",
          ARM_OIDC_REQUEST_TOKEN: SECRET,
          ARM_OIDC_REQUEST_URL: "http://token.example/x?sig=1",
        }),
      {
        message: `ARM_OIDC_REQUEST_URL: invalid URL "http://token.example/x?…": http is only allowed for a loopback host; expected an https URL (http only for a loopback host: localhost, 127.0.0.0/8 or [::1]) without user name, password or fragment`,
      },
    );
  });

  it("explicit settings are complete on their own: the environment's principal is not mixed in", () => {
    const env = {
      ARM_TENANT_ID: "env-t",
      ARM_CLIENT_ID: "env-c",
      ARM_CLIENT_SECRET: SECRET,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: "rt",
      ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.example/x",
    };
    const choice = kind(env, { tenantId: "t2", clientId: "c2", useOidc: true });
    assert.deepEqual(
      [choice.kind, choice.tenantId, choice.clientId, choice.oidcTokenSource, choice.source],
      ["oidc", "t2", "c2", "request", "vmss-identity:useOidc"],
    );
  });

  it("explicit IDs without a way to sign in are refused, not handed to DefaultAzureCredential (it reads the environment)", () => {
    const env = { AZURE_TENANT_ID: "env-t", AZURE_CLIENT_ID: "env-c", AZURE_CLIENT_SECRET: SECRET };
    assert.throws(() => kind(env, { tenantId: "t2", clientId: "c2" }), {
      name: "MissingCredentialSettingError",
      message:
        "vmss-identity:clientId is set, but no way to sign in as that client is: set vmss-identity:clientSecret, " +
        "vmss-identity:clientCertificatePath, vmss-identity:useOidc (with a token) or vmss-identity:useMsi " +
        "(DefaultAzureCredential, used when none is set, would sign in as the environment's principal instead)",
    });
    // A tenant alone names no principal: DefaultAzureCredential in that tenant.
    assert.deepEqual([kind(env, { tenantId: "t2" }).kind, kind(env, { tenantId: "t2" }).tenantId], ["default", "t2"]);
  });
});
