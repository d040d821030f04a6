/** provider/grammar/settings.ts: the one grammar of environment, endpoint and credential settings (exact messages). */
import assert from "node:assert/strict";
import {
  UNKNOWN,
  checkCredentialSettings,
  checkCredentialsInput,
  checkTargetSettings,
  credentialSettingsOf,
  effectiveTarget,
  resolveCredentialSettings,
  resolveTarget,
} from "../../provider/identity";

const ENDPOINT_EXPECTED =
  "expected an https URL (http only for a loopback host: localhost, 127.0.0.0/8 or [::1]) without user name, password, query or fragment";

describe("settings grammar: environment and endpoint", () => {
  it("canonicalises, passes unknowns, and refuses both together naming the endpoint", () => {
    assert.deepEqual(checkTargetSettings({ environment: "AzureChinaCloud" }), {
      settings: { environment: "china" },
      failures: [],
    });
    assert.deepEqual(checkTargetSettings({ endpoint: "HTTPS://LocalHost:443/arm/" }), {
      settings: { endpoint: "https://localhost/arm" },
      failures: [],
    });
    assert.deepEqual(checkTargetSettings({ environment: UNKNOWN, endpoint: UNKNOWN }, UNKNOWN), {
      settings: {},
      failures: [],
    });
    assert.deepEqual(checkTargetSettings({ environment: "public", endpoint: "https://u:p@127.0.0.1:1" }).failures, [
      {
        property: "endpoint",
        reason: `invalid endpoint "https://***@127.0.0.1:1": it contains credentials; ${ENDPOINT_EXPECTED}`,
      },
    ]);
    assert.deepEqual(checkTargetSettings({ environment: "public", endpoint: "https://127.0.0.1:1" }).failures, [
      {
        property: "endpoint",
        reason: 'both environment "public" and endpoint "https://127.0.0.1:1" are set; set one of them',
      },
    ]);
    assert.deepEqual(checkTargetSettings({ environment: 3, endpoint: "" }).failures, [
      {
        property: "environment",
        reason:
          "expected one of public, usgovernment, china (or AzureCloud, AzurePublicCloud, AzureUSGovernment, " +
          "AzureUSGovernmentCloud, AzureChinaCloud), in any casing, got 3",
      },
      { property: "endpoint", reason: `invalid endpoint "": not a URL; ${ENDPOINT_EXPECTED}` },
    ]);
  });

  it("takes explicit values over VMSS_IDENTITY_ARM_ENDPOINT, AZURE_ENVIRONMENT, ARM_ENVIRONMENT, in that order", () => {
    const env = {
      VMSS_IDENTITY_ARM_ENDPOINT: "https://arm.local",
      AZURE_ENVIRONMENT: "china",
      ARM_ENVIRONMENT: "usgovernment",
    };
    assert.deepEqual(resolveTarget({ environment: "public" }, env), { environment: "public", source: "environment" });
    assert.deepEqual(resolveTarget({}, env), { endpoint: "https://arm.local", source: "VMSS_IDENTITY_ARM_ENDPOINT" });
    assert.deepEqual(resolveTarget({}, { ...env, VMSS_IDENTITY_ARM_ENDPOINT: "" }), {
      environment: "china",
      source: "AZURE_ENVIRONMENT",
    });
    assert.deepEqual(resolveTarget({}, { ARM_ENVIRONMENT: "usgovernment" }), {
      environment: "usgovernment",
      source: "ARM_ENVIRONMENT",
    });
    assert.deepEqual(resolveTarget({}, {}), {});
    assert.deepEqual(effectiveTarget({ environment: "china" }, { endpoint: "https://x" }), { environment: "china" });
    assert.deepEqual(effectiveTarget({}, { endpoint: "https://x" }), { endpoint: "https://x" });
  });
});

describe("settings grammar: credentials", () => {
  it("explicit settings win over the environment as a whole; the environment reads ARM_* before AZURE_*", () => {
    const env = {
      ARM_CLIENT_ID: "arm-c",
      AZURE_CLIENT_ID: "azure-c",
      AZURE_TENANT_ID: "azure-t",
      ARM_CLIENT_SECRET: "env-secret",
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: "rt",
      ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.example/x",
      ARM_USE_MSI: " ",
    };
    const fromEnv = resolveCredentialSettings(undefined, env);
    assert.deepEqual(
      [
        fromEnv.clientId,
        fromEnv.tenantId,
        fromEnv.clientSecret,
        fromEnv.useMsi,
        fromEnv.sources.clientId,
        fromEnv.sources.tenantId,
      ],
      ["arm-c", "azure-t", "env-secret", undefined, "ARM_CLIENT_ID", "AZURE_TENANT_ID"],
    );
    const explicit = resolveCredentialSettings({ clientId: "c2", useOidc: true }, env, "credentials.");
    assert.deepEqual(explicit, {
      clientId: "c2",
      useOidc: true,
      oidcRequestToken: "rt",
      oidcRequestUrl: "https://token.example/x",
      sources: {
        clientId: "credentials.clientId",
        useOidc: "credentials.useOidc",
        oidcRequestToken: "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        oidcRequestUrl: "ACTIONS_ID_TOKEN_REQUEST_URL",
      },
    });
  });

  it("names a bad variable, never a secret's value", () => {
    assert.throws(() => resolveCredentialSettings(undefined, { ARM_USE_MSI: "1" }), {
      name: "InvalidSettingError",
      message: 'ARM_USE_MSI: expected true or false, got "1"',
    });
    assert.throws(() => resolveCredentialSettings(undefined, { ARM_OIDC_REQUEST_URL: "ftp://u:p@x/" }), {
      message:
        'ARM_OIDC_REQUEST_URL: invalid URL "ftp://***@x/": it contains credentials; expected an https URL (http only ' +
        "for a loopback host: localhost, 127.0.0.0/8 or [::1]) without user name, password or fragment",
    });
  });

  it("checks a credentials input: unknown names, wrong kinds, unknown values in preview", () => {
    assert.deepEqual(checkCredentialsInput({ clientSecret: UNKNOWN, useOidc: UNKNOWN }, UNKNOWN), []);
    assert.deepEqual(checkCredentialsInput(UNKNOWN, UNKNOWN), []);
    assert.deepEqual(checkCredentialsInput("s3cret"), [
      {
        property: "credentials",
        reason:
          "expected an object of credential settings (clientId, tenantId, clientSecret, clientCertificatePath, " +
          "clientCertificatePassword, useOidc, oidcToken, oidcTokenFilePath, oidcRequestToken, oidcRequestUrl, useMsi), got a string",
      },
    ]);
    assert.deepEqual(checkCredentialsInput({ clientSecert: "x", clientSecret: ["s3cret"], useMsi: "no" }), [
      {
        property: "credentials.clientSecert",
        reason:
          'unknown credential setting "clientSecert"; expected one of clientId, tenantId, clientSecret, ' +
          "clientCertificatePath, clientCertificatePassword, useOidc, oidcToken, oidcTokenFilePath, oidcRequestToken, " +
          "oidcRequestUrl, useMsi",
      },
      { property: "credentials.clientSecret", reason: "expected a string, got an array" },
      { property: "credentials.useMsi", reason: 'expected true or false, got "no"' },
    ]);
    assert.deepEqual(checkCredentialSettings({ useOidc: "False", oidcTokenFilePath: "/var/run/token" }).settings, {
      useOidc: false,
      oidcTokenFilePath: "/var/run/token",
    });
    assert.equal(credentialSettingsOf({}), undefined);
    assert.throws(() => credentialSettingsOf({ clientId: 1 }), {
      message: "credentials.clientId: expected a string, got 1",
    });
  });

  it("refuses incomplete explicit credentials at check (they never read the environment), never with a value", () => {
    assert.deepEqual(checkCredentialsInput({ tenantId: "t", clientSecret: "s3cret" }), [
      {
        property: "credentials.clientId",
        reason:
          "credentials.clientSecret is set, so a client secret is used, but no client ID is set: set credentials.clientId",
      },
    ]);
    assert.deepEqual(checkCredentialsInput({ clientId: "c", clientCertificatePath: "/c.pem" }), [
      {
        property: "credentials.tenantId",
        reason:
          "credentials.clientCertificatePath is set, so a client certificate is used, but no tenant ID is set: " +
          "set credentials.tenantId",
      },
    ]);
    assert.match(checkCredentialsInput({ clientId: "c", tenantId: "t" })[0].reason, /no way to sign in as that client/);
    // Complete, or waiting for an unknown value (preview), or completed by a runner's variables: no failure.
    assert.deepEqual(checkCredentialsInput({ tenantId: "t", clientId: "c", clientSecret: "s3cret" }), []);
    assert.deepEqual(checkCredentialsInput({ tenantId: "t", clientId: UNKNOWN, clientSecret: "s3cret" }, UNKNOWN), []);
    assert.deepEqual(checkCredentialsInput({ tenantId: "t", clientId: "c", useOidc: true }), []);
    assert.deepEqual(checkCredentialsInput({ useMsi: true, clientId: "c" }), []);
    assert.throws(() => credentialSettingsOf({ clientId: 1 }), {
      message: "credentials.clientId: expected a string, got 1",
    });
  });
});
