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
      source: "AZURE_*",
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
      source: "ARM_*",
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
