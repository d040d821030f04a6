// `check` of the ScaleSet resource (components/scaleSetCheck.ts): one failure per bad property, each naming the
// property, the value and what was expected, and never a secret's value; unknown values never fail.
import { deepEqual, equal, ok } from "node:assert/strict";
import { checkScaleSetInputs } from "../../components/scaleSetCheck";
import { osFamilyOf, passwordProblem } from "../../components/adminPassword";

const SUB = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
import { unknownValue as UNKNOWN } from "@pulumi/pulumi/runtime/rpc";
const DOC_ID1 = `/subscriptions/${SUB}/resourcegroups/myResourceGroup/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ID1`;
const ID1 = `/subscriptions/${SUB}/resourceGroups/myResourceGroup/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ID1`;
const WINDOWS_PROFILE = {
  storageProfile: {
    imageReference: { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2016-Datacenter" },
  },
  osProfile: { computerNamePrefix: "myVMSS", adminUsername: "azureuser" },
};

/** The how-to's creation inputs, as `check` receives them (password already in secretProperties). */
function valid(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subscriptionId: SUB,
    resourceGroupName: "myResourceGroup",
    scaleSetName: "myVMSS",
    location: "eastus",
    sku: { tier: "Standard", capacity: 3, name: "Standard_D1_v2" },
    virtualMachineProfile: WINDOWS_PROFILE,
    secretProperties: { adminPassword: "myPassword12" },
    ...overrides,
  };
}

function failures(news: Record<string, unknown>) {
  return checkScaleSetInputs(news).failures;
}

describe("ScaleSet check", () => {
  it("accepts the how-to's inputs and canonicalises the subscription and the identity IDs", () => {
    const { inputs, failures } = checkScaleSetInputs(
      valid({
        subscriptionId: SUB.toUpperCase(),
        userAssignedIdentities: [DOC_ID1],
        systemAssigned: true,
        overprovision: null,
      }),
    );
    deepEqual(failures, []);
    deepEqual(inputs, valid({ userAssignedIdentities: [ID1], systemAssigned: true }));
  });

  it("reports each missing required input by name", () => {
    deepEqual(failures({}), [
      {
        property: "subscriptionId",
        reason:
          "missing; expected a subscription GUID (ScaleSetWithIdentity reads AZURE_SUBSCRIPTION_ID or ARM_SUBSCRIPTION_ID when it is not given)",
      },
      {
        property: "resourceGroupName",
        reason:
          "missing; expected a resource group name of 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'",
      },
      {
        property: "scaleSetName",
        reason:
          "missing; expected a scale set name of 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit and ending with one or '_'",
      },
      { property: "location", reason: 'missing; expected an Azure region such as "eastus" or "East US"' },
      {
        property: "sku",
        reason: 'missing; expected { name, tier?, capacity? }, e.g. { name: "Standard_D1_v2", capacity: 3 }',
      },
      {
        property: "virtualMachineProfile",
        reason:
          "missing; expected the virtual machine profile in ARM's JSON shape (storageProfile, osProfile, networkProfile), as in the how-to; only a scale set with orchestrationMode Flexible may omit it",
      },
    ]);
  });

  it("lets a Flexible scale set omit the virtual machine profile", () => {
    deepEqual(
      failures(
        valid({
          virtualMachineProfile: undefined,
          secretProperties: undefined,
          extraProperties: { orchestrationMode: "Flexible" },
        }),
      ),
      [],
    );
  });

  it("names the property, the bad value and what was expected for each bad input", () => {
    deepEqual(
      failures(
        valid({
          subscriptionId: "abc",
          resourceGroupName: "my rg",
          scaleSetName: "-x",
          location: "east/us",
          sku: { name: "", capacity: -1, size: 3 },
          overprovision: "yes",
          upgradePolicy: { mode: "Sometimes" },
          tags: { "a/b": "x", c: 3 },
          zones: "1",
          extraProperties: { upgradePolicy: {}, provisioningState: "x" },
          userAssignedIdentities: ["/subscriptions/x/identities/ID1"],
          apiVersion: "2016-01-01",
          environment: "mars",
          foo: 1,
        }),
      ),
      [
        {
          property: "foo",
          reason:
            "unknown property; expected one of subscriptionId, resourceGroupName, scaleSetName, location, sku, upgradePolicy, overprovision, virtualMachineProfile, tags, zones, extraProperties, systemAssigned, userAssignedIdentities, apiVersion, environment, endpoint, credentials, secretProperties",
        },
        { property: "subscriptionId", reason: 'expected a subscription GUID, got "abc"' },
        {
          property: "resourceGroupName",
          reason: `expected a resource group name of 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.', got "my rg"`,
        },
        {
          property: "scaleSetName",
          reason: `expected a scale set name of 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit and ending with one or '_', got "-x"`,
        },
        { property: "location", reason: 'expected an Azure region such as "eastus" or "East US", got "east/us"' },
        { property: "sku.name", reason: 'expected a VM size such as "Standard_D1_v2", got ""' },
        { property: "sku.capacity", reason: "expected a whole number of virtual machines, 0 or more, got -1" },
        {
          property: "sku.size",
          reason: 'unknown property; expected { name, tier?, capacity? }, e.g. { name: "Standard_D1_v2", capacity: 3 }',
        },
        { property: "overprovision", reason: 'expected true or false, got "yes"' },
        { property: "upgradePolicy.mode", reason: 'expected "Automatic", "Manual" or "Rolling", got "Sometimes"' },
        { property: "extraProperties.upgradePolicy", reason: "not allowed here: use the upgradePolicy argument" },
        { property: "extraProperties.provisioningState", reason: "not allowed here: ARM computes it (read-only)" },
        { property: "tags.a/b", reason: 'invalid tag name "a/b": expected 1-512 characters without < > % & \\ ? /' },
        { property: "tags.c", reason: "expected a string, got 3" },
        { property: "zones", reason: 'expected an array of zone names such as ["1", "2"], got "1"' },
        {
          property: "userAssignedIdentities",
          reason:
            'element 0: invalid user-assigned identity ID "/subscriptions/x/identities/ID1": has 4 segments, expected 8; expected /subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{identityName}',
        },
        {
          property: "apiVersion",
          reason:
            'invalid api-version "2016-01-01": it predates user-assigned identities on scale sets; expected an api-version that Microsoft.Compute/virtualMachineScaleSets serves, 2017-12-01 or later (e.g. 2024-11-01; the list is in docs/arm-behavior.md)',
        },
        {
          property: "environment",
          reason:
            "expected one of public, usgovernment, china (or AzureCloud, AzurePublicCloud, AzureUSGovernment, " +
            'AzureUSGovernmentCloud, AzureChinaCloud), in any casing, got "mars"',
        },
      ],
    );
  });

  it("refuses a capacity that is not a whole number of virtual machines", () => {
    for (const [capacity, shown] of [
      [2.5, "2.5"],
      ["3", '"3"'],
      [-1, "-1"],
    ] as const) {
      deepEqual(failures(valid({ sku: { name: "Standard_D1_v2", capacity } })), [
        { property: "sku.capacity", reason: `expected a whole number of virtual machines, 0 or more, got ${shown}` },
      ]);
    }
    deepEqual(failures(valid({ sku: { name: "Standard_D1_v2", capacity: 0 } })), []);
  });

  it("judges the admin password by Azure's rule without ever quoting it", () => {
    const cases: [string, string][] = [
      ["Ab1!x", "a password of 5 characters is outside Azure's rule for Windows: 8-123 characters"],
      [
        "alllowercaseletters",
        "the password meets 1 of Azure's 4 complexity conditions, 3 are required; it lacks an upper-case letter, a digit and a special character",
      ],
      ["P@ssw0rd", "the password is one of the 10 common passwords that Azure refuses; choose another"],
    ];
    for (const [password, reason] of cases) {
      const found = failures(valid({ secretProperties: { adminPassword: password } }));
      deepEqual(found, [{ property: "virtualMachineProfile.osProfile.adminPassword", reason }]);
      equal(JSON.stringify(found).includes(password), false, "the password is not in the message");
    }
  });

  it("requires a way in: a password for Windows; a password or SSH keys with passwords off for Linux", () => {
    deepEqual(failures(valid({ secretProperties: {} })), [
      {
        property: "virtualMachineProfile.osProfile.adminPassword",
        reason: "missing; a Windows scale set needs an administrator password",
      },
    ]);
    const linux = (linuxConfiguration: unknown) => ({
      osProfile: { computerNamePrefix: "web", adminUsername: "azureuser", linuxConfiguration },
    });
    deepEqual(failures(valid({ virtualMachineProfile: linux({}), secretProperties: undefined })), [
      {
        property: "virtualMachineProfile.osProfile.adminPassword",
        reason:
          "missing; a Linux scale set needs an administrator password, or linuxConfiguration.disablePasswordAuthentication true with ssh.publicKeys",
      },
    ]);
    const withKeys = linux({
      disablePasswordAuthentication: true,
      ssh: { publicKeys: [{ path: "/home/azureuser/.ssh/authorized_keys", keyData: "ssh-ed25519 AAAA" }] },
    });
    deepEqual(failures(valid({ virtualMachineProfile: withKeys, secretProperties: undefined })), []);
    // Linux allows 6 characters, Windows 8.
    deepEqual(failures(valid({ virtualMachineProfile: linux({}), secretProperties: { adminPassword: "Ab1!xy" } })), []);
  });

  it("refuses secrets inside virtualMachineProfile and azure-native's flattened shapes, with the reason", () => {
    const profile = {
      ...WINDOWS_PROFILE,
      osProfile: { ...WINDOWS_PROFILE.osProfile, adminPassword: "Xx1!xxxxxx" },
      networkProfile: { networkInterfaceConfigurations: [{ name: "nic", primary: true, ipConfigurations: [] }] },
      extensionProfile: {
        extensions: [
          { name: "ext", publisher: "p" },
          { name: "script", properties: { protectedSettings: { key: "Zz9!zzzzzz" } } },
        ],
      },
    };
    const found = failures(valid({ virtualMachineProfile: profile }));
    const flattened =
      "@pulumi/azure-native flattens ARM's `properties` here; this body goes to ARM as written, so use ARM's JSON shape";
    const plainText =
      "must not travel in virtualMachineProfile, where it would be stored in plain text: pass it in secretProperties (a Pulumi secret); ScaleSetWithIdentity does this for you";
    deepEqual(found, [
      { property: "virtualMachineProfile.osProfile.adminPassword", reason: plainText },
      {
        property: "virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0]",
        reason: `expected { name, properties: { primary, ipConfigurations } }; ${flattened}`,
      },
      {
        property: "virtualMachineProfile.extensionProfile.extensions[0]",
        reason: `expected { name, properties: { publisher, type, typeHandlerVersion, … } }; ${flattened}`,
      },
      {
        property: "virtualMachineProfile.extensionProfile.extensions[1].properties.protectedSettings",
        reason: plainText,
      },
    ]);
    for (const secret of ["Xx1!xxxxxx", "Zz9!zzzzzz"]) equal(JSON.stringify(found).includes(secret), false);
  });

  it("checks customData and protectedSettings without quoting them", () => {
    const profile = {
      ...WINDOWS_PROFILE,
      extensionProfile: { extensions: [{ name: "script", properties: {} }, { properties: {} }] },
    };
    const found = failures(
      valid({
        virtualMachineProfile: profile,
        secretProperties: {
          adminPassword: "myPassword12",
          customData: "not base64!",
          protectedSettings: { script: { a: 1 }, nope: {}, "#1": { b: 2 } },
        },
      }),
    );
    deepEqual(found, [
      {
        property: "virtualMachineProfile.osProfile.customData",
        reason: "expected base64 (A-Z, a-z, 0-9, '+', '/', '=' padding), got 11 characters that are not",
      },
      {
        property: "secretProperties.protectedSettings.nope",
        reason: 'no extension named "nope" in virtualMachineProfile.extensionProfile.extensions (extensions: "script")',
      },
      {
        property: "virtualMachineProfile.extensionProfile.extensions[1].name",
        reason: "missing; an extension with protectedSettings needs a name (its settings are matched back by name)",
      },
    ]);
    equal(JSON.stringify(found).includes("not base64!"), false);
  });

  it("checks credentials as VmssManagedIdentity does, naming the setting and never a secret's value", () => {
    equal(failures(valid({ credentials: { clientId: "app", clientSecret: "s3cret-value", tenantId: "t" } })).length, 0);
    deepEqual(failures(valid({ credentials: { clientSecret: 42, useOidc: "maybe", clientSecretFoo: "x" } })), [
      { property: "credentials.clientSecret", reason: "expected a string, got a number" },
      { property: "credentials.useOidc", reason: 'expected true or false, got "maybe"' },
      {
        property: "credentials.clientSecretFoo",
        reason:
          'unknown credential setting "clientSecretFoo"; expected one of clientId, tenantId, clientSecret, ' +
          "clientCertificatePath, clientCertificatePassword, useOidc, oidcToken, oidcTokenFilePath, oidcRequestToken, " +
          "oidcRequestUrl, useMsi",
      },
    ]);
    const secret = failures(valid({ credentials: { clientSecret: "" } }));
    deepEqual(secret, [
      { property: "credentials.clientSecret", reason: "expected a non-empty string, got an empty string" },
    ]);
    deepEqual(
      failures(valid({ credentials: "app:secret" })).map((f) => f.property),
      ["credentials"],
    );
    ok(!JSON.stringify(failures(valid({ credentials: "app:secret" }))).includes("app:secret"));
  });

  it("never fails on unknown values, anywhere", () => {
    deepEqual(
      failures(
        valid({
          subscriptionId: UNKNOWN,
          location: UNKNOWN,
          sku: { name: "Standard_D1_v2", capacity: UNKNOWN },
          virtualMachineProfile: UNKNOWN,
          secretProperties: UNKNOWN,
          userAssignedIdentities: [UNKNOWN],
          tags: { owner: UNKNOWN },
        }),
      ),
      [],
    );
    deepEqual(failures(valid({ secretProperties: { adminPassword: UNKNOWN } })), []);
  });
});

describe("Azure's admin password rule", () => {
  it("knows the OS family from the configuration, the OS disk or a Windows image publisher", () => {
    equal(osFamilyOf({ osProfile: { windowsConfiguration: {} } }), "windows");
    equal(osFamilyOf({ osProfile: { linuxConfiguration: {} } }), "linux");
    equal(osFamilyOf({ storageProfile: { osDisk: { osType: "Linux" } } }), "linux");
    equal(osFamilyOf(WINDOWS_PROFILE), "windows");
    equal(osFamilyOf({ storageProfile: { imageReference: { publisher: "Canonical" } } }), undefined);
  });

  it("applies the length limits of each family: Windows 8-123, Linux 6-72, unknown 6-123", () => {
    const password = (n: number) => "Aa1!".repeat(40).slice(0, n);
    equal(passwordProblem(password(8), "windows"), undefined);
    equal(
      passwordProblem(password(7), "windows"),
      "a password of 7 characters is outside Azure's rule for Windows: 8-123 characters",
    );
    equal(
      passwordProblem(password(124), "windows"),
      "a password of 124 characters is outside Azure's rule for Windows: 8-123 characters",
    );
    equal(passwordProblem(password(6), "linux"), undefined);
    equal(
      passwordProblem(password(73), "linux"),
      "a password of 73 characters is outside Azure's rule for Linux: 6-72 characters",
    );
    equal(
      passwordProblem(password(5), undefined),
      "a password of 5 characters is outside Azure's rule for Windows or Linux: 6-123 characters",
    );
  });

  it("asks for 3 of the 4 character classes", () => {
    equal(passwordProblem("abcdefgh1!", "windows"), undefined);
    equal(
      passwordProblem("ABCDEFGH12", "windows"),
      "the password meets 2 of Azure's 4 complexity conditions, 3 are required; it lacks a lower-case letter and a special character",
    );
  });
});
