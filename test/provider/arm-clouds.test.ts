import assert from "node:assert/strict";
import { resolveCloud } from "../../provider/arm";

const PUBLIC = {
  name: "public",
  resourceManagerEndpoint: "https://management.azure.com",
  authorityHost: "https://login.microsoftonline.com",
  tokenScope: "https://management.azure.com/.default",
};
const USGOV = {
  name: "usgovernment",
  resourceManagerEndpoint: "https://management.usgovcloudapi.net",
  authorityHost: "https://login.microsoftonline.us",
  tokenScope: "https://management.usgovcloudapi.net/.default",
};
const CHINA = {
  name: "china",
  resourceManagerEndpoint: "https://management.chinacloudapi.cn",
  authorityHost: "https://login.chinacloudapi.cn",
  tokenScope: "https://management.chinacloudapi.cn/.default",
};

describe("arm clouds: resolveCloud", () => {
  it("defaults to the public cloud with an empty environment", () => {
    assert.deepEqual(resolveCloud({}, {}), PUBLIC);
  });

  it("knows every cloud by name and by the aliases other tools use, in any casing", () => {
    const cases: Array<[string, unknown]> = [
      ["public", PUBLIC],
      ["AzureCloud", PUBLIC],
      ["AzurePublicCloud", PUBLIC],
      ["usgovernment", USGOV],
      ["AzureUSGovernment", USGOV],
      ["azureusgovernmentcloud", USGOV],
      ["china", CHINA],
      ["AzureChinaCloud", CHINA],
    ];
    for (const [environment, expected] of cases)
      assert.deepEqual(resolveCloud({ environment }, {}), expected, environment);
  });

  it("reads AZURE_ENVIRONMENT before ARM_ENVIRONMENT", () => {
    assert.deepEqual(
      resolveCloud({}, { AZURE_ENVIRONMENT: "AzureChinaCloud", ARM_ENVIRONMENT: "usgovernment" }),
      CHINA,
    );
    assert.deepEqual(resolveCloud({}, { ARM_ENVIRONMENT: "usgovernment" }), USGOV);
  });

  it("lets the explicit environment win over environment variables", () => {
    assert.deepEqual(
      resolveCloud(
        { environment: "public" },
        { VMSS_IDENTITY_ARM_ENDPOINT: "https://127.0.0.1:1", ARM_ENVIRONMENT: "china" },
      ),
      PUBLIC,
    );
  });

  it("makes an explicit endpoint a custom cloud whose authority is the endpoint itself; refuses it with an environment", () => {
    assert.throws(() => resolveCloud({ endpoint: "https://127.0.0.1:8443/", environment: "china" }, {}), {
      message: 'endpoint: both environment "china" and endpoint "https://127.0.0.1:8443/" are set; set one of them',
    });
    assert.deepEqual(resolveCloud({ endpoint: "https://127.0.0.1:8443/" }, {}), {
      name: "custom",
      resourceManagerEndpoint: "https://127.0.0.1:8443",
      authorityHost: "https://127.0.0.1:8443",
      tokenScope: "https://127.0.0.1:8443/.default",
    });
  });

  it("takes the custom endpoint from VMSS_IDENTITY_ARM_ENDPOINT and its authority from AZURE_AUTHORITY_HOST", () => {
    const env = {
      VMSS_IDENTITY_ARM_ENDPOINT: "https://arm.local:4443",
      AZURE_AUTHORITY_HOST: "https://login.local/",
      VMSS_IDENTITY_ARM_TOKEN_SCOPE: "https://management.azure.com/.default",
      AZURE_ENVIRONMENT: "china",
    };
    assert.deepEqual(resolveCloud({}, env), {
      name: "custom",
      resourceManagerEndpoint: "https://arm.local:4443",
      authorityHost: "https://login.local",
      tokenScope: "https://management.azure.com/.default",
    });
  });

  it("lets explicit authorityHost and tokenScope options win for a custom endpoint", () => {
    const cloud = resolveCloud(
      { endpoint: "https://arm.local", authorityHost: "https://auth.local", tokenScope: "api://x/.default" },
      { AZURE_AUTHORITY_HOST: "https://ignored.local" },
    );
    assert.deepEqual([cloud.authorityHost, cloud.tokenScope], ["https://auth.local", "api://x/.default"]);
  });

  it("keeps a base path of a custom endpoint", () => {
    assert.equal(
      resolveCloud({ endpoint: "https://arm.local/prefix//" }, {}).resourceManagerEndpoint,
      "https://arm.local/prefix",
    );
  });

  it("ignores empty environment variables, and refuses empty explicit values", () => {
    assert.deepEqual(resolveCloud({}, { AZURE_ENVIRONMENT: "", VMSS_IDENTITY_ARM_ENDPOINT: " " }), PUBLIC);
    assert.throws(
      () => resolveCloud({ environment: " " }, {}),
      /^UnknownCloudError: environment: unknown Azure cloud " "/,
    );
    assert.throws(
      () => resolveCloud({ endpoint: "" }, {}),
      /^InvalidSettingError: endpoint: invalid endpoint "": not a URL/,
    );
  });

  it("rejects an unknown cloud naming its source, the value and the allowed names", () => {
    assert.throws(() => resolveCloud({ environment: "mars" }, {}), {
      message:
        'environment: unknown Azure cloud "mars"; expected one of public, usgovernment, china ' +
        "(or AzureCloud, AzurePublicCloud, AzureUSGovernment, AzureUSGovernmentCloud, AzureChinaCloud), in any casing",
    });
    assert.throws(
      () => resolveCloud({}, { ARM_ENVIRONMENT: "german" }),
      /^UnknownCloudError: ARM_ENVIRONMENT: unknown Azure cloud "german"/,
    );
  });

  it("rejects malformed endpoints, naming the property", () => {
    const expected =
      "expected an https URL (http only for a loopback host: localhost, 127.0.0.0/8 or [::1]) without user name, " +
      "password, query or fragment";
    assert.throws(() => resolveCloud({ endpoint: "management.azure.com" }, {}), {
      message: `endpoint: invalid endpoint "management.azure.com": not a URL; ${expected}`,
    });
    assert.throws(() => resolveCloud({ endpoint: "https://arm.local/?x=1" }, {}), {
      message: `endpoint: invalid endpoint "https://arm.local/?…": it has a query; ${expected}`,
    });
    assert.throws(() => resolveCloud({}, { VMSS_IDENTITY_ARM_ENDPOINT: "ftp://arm.local" }), {
      message: `VMSS_IDENTITY_ARM_ENDPOINT: invalid endpoint "ftp://arm.local": the scheme "ftp" is not https; ${expected}`,
    });
    // The strict rule of every source: plain http only to a loopback host (it carries bearer tokens).
    assert.throws(() => resolveCloud({}, { VMSS_IDENTITY_ARM_ENDPOINT: "http://arm.local" }), {
      message: `VMSS_IDENTITY_ARM_ENDPOINT: invalid endpoint "http://arm.local": http is only allowed for a loopback host; ${expected}`,
    });
    assert.throws(
      () => resolveCloud({ endpoint: "https://arm.local" }, { AZURE_AUTHORITY_HOST: "http://login.local" }),
      {
        message: `AZURE_AUTHORITY_HOST: invalid endpoint "http://login.local": http is only allowed for a loopback host; ${expected}`,
      },
    );
  });

  it("never repeats a password given in an endpoint URL", () => {
    assert.throws(
      () => resolveCloud({ endpoint: "https://user:hunter2@arm.local" }, {}),
      (e: Error) =>
        !e.message.includes("hunter2") && e.message.startsWith('endpoint: invalid endpoint "https://***@arm.local"'),
    );
  });
});
