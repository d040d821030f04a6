// The ScaleSet's pure parts: the creation PUT body, the update PATCH body, diff (in place or replacement), and the
// handling of secrets (split, merge, redaction). Each table row asserts the exact object.
import { deepEqual, equal } from "node:assert/strict";
import { type ScaleSetInputs, createBody, updateBody } from "../../components/scaleSetBody";
import { diffScaleSet } from "../../components/scaleSetDiff";
import { mergeSecrets, redactSecrets, splitSecrets } from "../../components/secretProperties";

const SUB = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
import { unknownValue as UNKNOWN } from "@pulumi/pulumi/runtime/rpc";
const ID1 = `/subscriptions/${SUB}/resourceGroups/myResourceGroup/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ID1`;
const SUBNET = `/subscriptions/${SUB}/resourceGroups/myResourceGroup/providers/Microsoft.Network/virtualNetworks/myVnet/subnets/mySubnet`;

const PROFILE = {
  storageProfile: {
    imageReference: {
      sku: "2016-Datacenter",
      publisher: "MicrosoftWindowsServer",
      version: "latest",
      offer: "WindowsServer",
    },
    osDisk: { caching: "ReadWrite", managedDisk: { storageAccountType: "StandardSSD_LRS" }, createOption: "FromImage" },
  },
  osProfile: { computerNamePrefix: "myVMSS", adminUsername: "azureuser" },
  networkProfile: {
    networkInterfaceConfigurations: [
      {
        name: "myVMSS",
        properties: {
          primary: true,
          enableIPForwarding: true,
          ipConfigurations: [{ name: "myVMSS", properties: { subnet: { id: SUBNET } } }],
        },
      },
    ],
  },
};

function inputs(overrides: Partial<ScaleSetInputs> = {}): ScaleSetInputs {
  return {
    subscriptionId: SUB,
    resourceGroupName: "myResourceGroup",
    scaleSetName: "myVMSS",
    location: "eastus",
    sku: { tier: "Standard", capacity: 3, name: "Standard_D1_v2" },
    overprovision: true,
    upgradePolicy: { mode: "Manual" },
    virtualMachineProfile: PROFILE,
    secretProperties: { adminPassword: "myPassword12" },
    ...overrides,
  };
}

const profileWithPassword = (password: string) => ({
  ...PROFILE,
  osProfile: { ...PROFILE.osProfile, adminPassword: password },
});

describe("ScaleSet creation body", () => {
  it("is the how-to's body for a system-assigned identity: sku, location, identity, properties, password merged", () => {
    deepEqual(createBody(inputs({ systemAssigned: true }), "dictionary"), {
      sku: { tier: "Standard", capacity: 3, name: "Standard_D1_v2" },
      location: "eastus",
      identity: { type: "SystemAssigned" },
      properties: {
        overprovision: true,
        virtualMachineProfile: profileWithPassword("myPassword12"),
        upgradePolicy: { mode: "Manual" },
      },
    });
  });

  it("carries user identities in the api-version's format: dictionary of {} or the whole identityIds array", () => {
    const both = inputs({ systemAssigned: true, userAssignedIdentities: [ID1] });
    deepEqual(createBody(both, "dictionary").identity, {
      type: "SystemAssigned, UserAssigned",
      userAssignedIdentities: { [ID1]: {} },
    });
    deepEqual(createBody(both, "identityIds").identity, { type: "SystemAssigned, UserAssigned", identityIds: [ID1] });
  });

  it("has no identity key without identities, and puts tags, zones and extra properties where ARM wants them", () => {
    const body = createBody(
      inputs({
        systemAssigned: false,
        userAssignedIdentities: [],
        tags: { env: "test" },
        zones: ["1", "2"],
        extraProperties: { singlePlacementGroup: false, platformFaultDomainCount: 1 },
      }),
      "dictionary",
    );
    deepEqual(body, {
      sku: { tier: "Standard", capacity: 3, name: "Standard_D1_v2" },
      location: "eastus",
      properties: {
        overprovision: true,
        virtualMachineProfile: profileWithPassword("myPassword12"),
        upgradePolicy: { mode: "Manual" },
        singlePlacementGroup: false,
        platformFaultDomainCount: 1,
      },
      tags: { env: "test" },
      zones: ["1", "2"],
    });
  });
});

describe("ScaleSet update body", () => {
  const old = inputs({ systemAssigned: true, userAssignedIdentities: [ID1], tags: { env: "test" } });

  it("sends the whole sku when its capacity changes, and nothing else", () => {
    deepEqual(updateBody(old, { ...old, sku: { ...old.sku, capacity: 5 } }), {
      sku: { tier: "Standard", capacity: 5, name: "Standard_D1_v2" },
    });
  });

  it("never sends identity: an identity change alone is no PATCH", () => {
    equal(updateBody(old, { ...old, systemAssigned: false, userAssignedIdentities: [] }), undefined);
  });

  it("sends tags whole, and {} when the argument is removed (ARM replaces tags on PATCH)", () => {
    deepEqual(updateBody(old, { ...old, tags: { env: "prod", team: "a" } }), { tags: { env: "prod", team: "a" } });
    deepEqual(updateBody(old, { ...old, tags: undefined }), { tags: {} });
  });

  it("sends a changed property as a merge patch: new value in full, null for removed keys, secrets merged", () => {
    const news = {
      ...old,
      virtualMachineProfile: {
        ...PROFILE,
        storageProfile: { ...PROFILE.storageProfile, imageReference: { id: "/subscriptions/x/images/golden" } },
      },
    };
    deepEqual(updateBody(old, news), {
      properties: {
        virtualMachineProfile: {
          ...profileWithPassword("myPassword12"),
          storageProfile: {
            ...PROFILE.storageProfile,
            imageReference: {
              id: "/subscriptions/x/images/golden",
              sku: null,
              publisher: null,
              version: null,
              offer: null,
            },
          },
        },
      },
    });
  });

  it("sends the profile with the new password when only the password changes", () => {
    deepEqual(updateBody(old, { ...old, secretProperties: { adminPassword: "newPassword34" } }), {
      properties: { virtualMachineProfile: profileWithPassword("newPassword34") },
    });
  });

  it("nulls an extra property that is no longer declared, and sends a new one", () => {
    const withExtra = { ...old, extraProperties: { singlePlacementGroup: false } };
    deepEqual(updateBody(withExtra, { ...old, extraProperties: { doNotRunExtensionsOnOverprovisionedVMs: true } }), {
      properties: { singlePlacementGroup: null, doNotRunExtensionsOnOverprovisionedVMs: true },
    });
  });
});

describe("ScaleSet diff", () => {
  const olds = {
    ...inputs({ systemAssigned: true, userAssignedIdentities: [ID1], zones: ["1", "2"] }),
    provisioningState: "Succeeded",
  } as Record<string, unknown>;
  const news = (overrides: Record<string, unknown>) => ({ ...olds, provisioningState: undefined, ...overrides });
  const inPlace = { changes: true, replaces: [], deleteBeforeReplace: false };
  const none = { changes: false, replaces: [], deleteBeforeReplace: false };

  const rows: [string, Record<string, unknown>, ReturnType<typeof diffScaleSet>][] = [
    ["nothing", {}, none],
    [
      "identity changes (the VmssManagedIdentity child's job)",
      { systemAssigned: false, userAssignedIdentities: [] },
      none,
    ],
    ["the api-version alone", { apiVersion: "2023-09-01" }, none],
    ["the region as ARM normalises it", { location: "East US" }, none],
    [
      "the ARM ID's casing",
      { scaleSetName: "MYVMSS", resourceGroupName: "MYRESOURCEGROUP", subscriptionId: SUB.toUpperCase() },
      none,
    ],
    ["the zones' order", { zones: ["2", "1"] }, none],
    ["the capacity", { sku: { tier: "Standard", capacity: 4, name: "Standard_D1_v2" } }, inPlace],
    ["the tags", { tags: { env: "prod" } }, inPlace],
    ["the password", { secretProperties: { adminPassword: "newPassword34" } }, inPlace],
    ["the endpoint", { endpoint: "https://127.0.0.1:8443" }, inPlace],
    ["another principal (a rotated secret)", { credentials: { clientId: "app", clientSecret: "rotated" } }, inPlace],
    ["credentials unknown in a preview", { credentials: UNKNOWN }, inPlace],
    ["the region", { location: "westus" }, { changes: true, replaces: ["location"], deleteBeforeReplace: true }],
    ["the zones", { zones: ["1"] }, { changes: true, replaces: ["zones"], deleteBeforeReplace: true }],
    [
      "the admin user name",
      { virtualMachineProfile: { ...PROFILE, osProfile: { computerNamePrefix: "myVMSS", adminUsername: "root2" } } },
      { changes: true, replaces: ["virtualMachineProfile.osProfile.adminUsername"], deleteBeforeReplace: true },
    ],
    [
      "the orchestration mode",
      { extraProperties: { orchestrationMode: "Flexible" } },
      { changes: true, replaces: ["extraProperties.orchestrationMode"], deleteBeforeReplace: true },
    ],
    [
      "the name: another ARM ID, created first",
      { scaleSetName: "other" },
      { changes: true, replaces: ["scaleSetName"], deleteBeforeReplace: false },
    ],
    [
      "an unknown region in a preview",
      { location: UNKNOWN },
      { changes: true, replaces: ["location"], deleteBeforeReplace: true },
    ],
    ["an unknown subnet in a preview", { virtualMachineProfile: { ...PROFILE, networkProfile: UNKNOWN } }, inPlace],
  ];
  for (const [what, overrides, expected] of rows) {
    it(`reports ${JSON.stringify(expected)} for ${what}`, () => {
      deepEqual(diffScaleSet(olds, news(overrides)), expected);
    });
  }
});

describe("ScaleSet secrets", () => {
  const profile = {
    osProfile: {
      computerNamePrefix: "web",
      adminUsername: "azureuser",
      adminPassword: "myPassword12",
      customData: "I2Nsb3Vk",
    },
    extensionProfile: {
      extensions: [
        { name: "health", properties: { publisher: "Microsoft.ManagedServices", settings: { port: 80 } } },
        {
          name: "script",
          properties: { publisher: "Microsoft.Compute", protectedSettings: { commandToExecute: "run s3cr3t" } },
        },
      ],
    },
  };

  it("splits the secrets out of a profile and merges them back to the same profile", () => {
    const { profile: without, secrets } = splitSecrets(profile);
    deepEqual(secrets, {
      adminPassword: "myPassword12",
      customData: "I2Nsb3Vk",
      protectedSettings: { script: { commandToExecute: "run s3cr3t" } },
    });
    deepEqual(without, {
      osProfile: { computerNamePrefix: "web", adminUsername: "azureuser" },
      extensionProfile: {
        extensions: [
          { name: "health", properties: { publisher: "Microsoft.ManagedServices", settings: { port: 80 } } },
          { name: "script", properties: { publisher: "Microsoft.Compute" } },
        ],
      },
    });
    deepEqual(mergeSecrets(without, secrets), profile);
  });

  it("redacts every secret value, also JSON-escaped, from a message", () => {
    const secrets = { adminPassword: 'pa"ss\\word1A', protectedSettings: { script: { token: "tok-123456", n: 42 } } };
    const message =
      `InvalidParameter: bad value 'pa"ss\\word1A' in {"adminPassword":${JSON.stringify('pa"ss\\word1A')},` +
      `"protectedSettings":{"token":"tok-123456"}}`;
    equal(
      redactSecrets(message, secrets),
      `InvalidParameter: bad value '[secret]' in {"adminPassword":"[secret]","protectedSettings":{"token":"[secret]"}}`,
    );
  });

  it("redacts other secrets too (a client secret), and leaves absent ones alone", () => {
    equal(
      redactSecrets("signing in with client-s3cret failed", {}, ["client-s3cret", undefined]),
      "signing in with [secret] failed",
    );
  });
});
