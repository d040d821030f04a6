import { deepEqual, ok, throws } from "node:assert/strict";
import { checkProviderConfig, cloudTarget, diffProviderConfig, providerConfigOf } from "../../plugin/config";
import { parseImportId } from "../../plugin/vmssManagedIdentity";
import { SCALE_SET_ID } from "./identity-fixtures";

describe("plugin configuration: vmss-identity:environment and vmss-identity:endpoint", () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>, string[]][] = [
    ["nothing set", { version: "0.1.0" }, { version: "0.1.0" }, []],
    ["a cloud in any casing", { environment: "China" }, { environment: "china" }, []],
    ["an endpoint, canonicalised", { endpoint: "HTTPS://127.0.0.1:8443/" }, { endpoint: "https://127.0.0.1:8443" }, []],
    [
      "empty strings are refused (one rule with the resources' inputs)",
      { environment: "" },
      {},
      [
        'environment: expected one of public, usgovernment, china (or AzureCloud, AzurePublicCloud, AzureUSGovernment, AzureUSGovernmentCloud, AzureChinaCloud), in any casing, got ""',
      ],
    ],
    [
      "an unknown cloud",
      { environment: "mars" },
      { environment: "mars" },
      [
        'environment: expected one of public, usgovernment, china (or AzureCloud, AzurePublicCloud, AzureUSGovernment, AzureUSGovernmentCloud, AzureChinaCloud), in any casing, got "mars"',
      ],
    ],
    [
      "both set",
      { environment: "public", endpoint: "https://127.0.0.1:8443" },
      { environment: "public", endpoint: "https://127.0.0.1:8443" },
      ['endpoint: both environment "public" and endpoint "https://127.0.0.1:8443" are set; set one of them'],
    ],
    [
      "a misspelt key",
      { endpont: "https://x" },
      {},
      [
        ": unknown setting vmss-identity:endpont; expected one of vmss-identity:environment, vmss-identity:endpoint, " +
          "vmss-identity:clientId, vmss-identity:tenantId, vmss-identity:clientSecret, vmss-identity:clientCertificatePath, " +
          "vmss-identity:clientCertificatePassword, vmss-identity:useOidc, vmss-identity:oidcToken, " +
          "vmss-identity:oidcTokenFilePath, vmss-identity:oidcRequestToken, vmss-identity:oidcRequestUrl, vmss-identity:useMsi",
      ],
    ],
  ];
  for (const [title, news, inputs, failures] of cases) {
    it(title, () => {
      const result = checkProviderConfig(news);
      deepEqual(
        result.failures.map((f) => `${f.property}: ${f.reason}`),
        failures,
      );
      if (failures.length === 0) deepEqual(result.inputs, inputs);
    });
  }

  it("a misspelt key is named in the reason only, never as the property, and its value is dropped", () => {
    // The engine prints the value of a failure's property: `client_secret` set without --secret would be shown.
    const result = checkProviderConfig({ client_secret: "My-Real-Secret-Value", endpoint: "https://127.0.0.1:8443" });
    deepEqual(
      result.failures.map((f) => f.property),
      [""],
    );
    ok(result.failures[0].reason.startsWith("unknown setting vmss-identity:client_secret; expected one of"));
    ok(!JSON.stringify(result).includes("My-Real-Secret-Value"));
  });

  it("incomplete explicit credentials fail CheckConfig, naming the missing setting", () => {
    const { failures } = checkProviderConfig({ tenantId: "t", clientSecret: "s3cret" });
    deepEqual(failures, [
      {
        property: "clientId",
        reason:
          "vmss-identity:clientSecret is set, so a client secret is used, but no client ID is set: set vmss-identity:clientId",
      },
    ]);
  });

  it("an http endpoint off loopback names the value and the rule", () => {
    const { failures } = checkProviderConfig({ endpoint: "http://example.com" });
    deepEqual(
      failures.map((f) => f.property),
      ["endpoint"],
    );
  });

  it("DiffConfig: casing is no change; a new endpoint is a change, never a replacement", () => {
    deepEqual(diffProviderConfig({ endpoint: "https://127.0.0.1:1" }, { endpoint: "HTTPS://127.0.0.1:1/" }), []);
    deepEqual(diffProviderConfig({ environment: "China" }, { environment: "china", version: "2" }), []);
    deepEqual(diffProviderConfig({ endpoint: "https://127.0.0.1:1" }, { endpoint: "https://127.0.0.1:2" }), [
      "endpoint",
    ]);
    deepEqual(diffProviderConfig({}, { environment: "china" }), ["environment"]);
  });

  it("a resource's own cloud wins over the provider's, as a pair", () => {
    const provider = { endpoint: "https://127.0.0.1:1" };
    deepEqual(cloudTarget({ scaleSetId: "x" }, provider), provider);
    deepEqual(cloudTarget({ environment: "china" }, provider), { environment: "china" });
    deepEqual(cloudTarget({ endpoint: "https://127.0.0.1:2" }, provider), { endpoint: "https://127.0.0.1:2" });
  });
});

describe("plugin import ID", () => {
  it("is the scale set ID plus #managedIdentity, or the bare scale set ID, in any casing", () => {
    deepEqual(parseImportId(`${SCALE_SET_ID}#managedIdentity`), SCALE_SET_ID);
    // Fixed segments canonical, names as given (ARM compares them case-insensitively, and so does every diff).
    deepEqual(
      parseImportId(`${SCALE_SET_ID.toLowerCase()}#MANAGEDIDENTITY`),
      SCALE_SET_ID.replace("myResourceGroup", "myresourcegroup").replace("myVMSS", "myvmss"),
    );
    deepEqual(parseImportId(SCALE_SET_ID), SCALE_SET_ID);
  });

  it("anything else is an error naming the value and the format", () => {
    throws(
      () => parseImportId("myVMSS"),
      (e: Error) =>
        e.message.startsWith(
          'invalid import ID "myVMSS": expected the scale set\'s ARM ID followed by "#managedIdentity", ' +
            "/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachineScaleSets/<name>" +
            "#managedIdentity (",
        ),
    );
  });

  it("takes azure-native's credential settings, booleans also as strings, and names a bad one without its value", () => {
    const { inputs, failures } = checkProviderConfig({
      clientId: " c1 ",
      tenantId: "t1",
      clientSecret: "s3cret",
      useOidc: "TRUE",
      useMsi: false,
      oidcRequestUrl: "https://token.example/x?api-version=2.0",
    });
    deepEqual(failures, []);
    deepEqual(inputs, {
      clientId: "c1",
      tenantId: "t1",
      clientSecret: "s3cret",
      useOidc: true,
      useMsi: false,
      oidcRequestUrl: "https://token.example/x?api-version=2.0",
    });
    const bad = checkProviderConfig({
      clientSecret: 42,
      oidcToken: "",
      useOidc: "yes",
      oidcRequestUrl: "http://token.example/?sig=s",
    });
    deepEqual(
      bad.failures.map((f) => `${f.property}: ${f.reason}`),
      [
        "clientSecret: expected a string, got a number",
        "oidcToken: expected a non-empty string, got an empty string",
        'useOidc: expected true or false, got "yes"',
        'oidcRequestUrl: invalid URL "http://token.example/?…": http is only allowed for a loopback host; expected an https URL (http only for a loopback host: localhost, 127.0.0.0/8 or [::1]) without user name, password or fragment',
      ],
    );
  });

  it("a provider's credentials go with every resource; a credential change is a change, never a replacement", () => {
    const config = providerConfigOf({
      endpoint: "https://127.0.0.1:1",
      clientId: "c",
      tenantId: "t",
      clientSecret: "s",
    });
    deepEqual(config, {
      endpoint: "https://127.0.0.1:1",
      credentials: { clientId: "c", tenantId: "t", clientSecret: "s" },
    });
    deepEqual(cloudTarget({ environment: "china" }, config), {
      environment: "china",
      credentials: { clientId: "c", tenantId: "t", clientSecret: "s" },
    });
    deepEqual(diffProviderConfig({ clientSecret: "a" }, { clientSecret: "b" }), ["clientSecret"]);
    deepEqual(providerConfigOf({ environment: "china" }), { environment: "china" });
  });
});
