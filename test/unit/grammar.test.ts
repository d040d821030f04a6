/**
 * One table per Azure grammar (provider/grammar): the spellings each accepts and refuses, so that `check`, the
 * transport, ArmResource and ScaleSet (which all use these owners) agree on every input.
 */
import assert from "node:assert/strict";
import { AzureAuthorityHosts } from "@azure/identity";
import {
  CLOUD_ENDPOINTS,
  CLOUD_NAMES,
  SERVED_API_VERSIONS,
  apiVersionShapeProblem,
  cloudNameOf,
  isLoopbackHost,
  nearestServedVersions,
  parseArmResourceId,
  parseEndpoint,
  unservedApiVersionProblem,
} from "../../provider/grammar";
import { ErrorCodes, VmssIdentityError } from "../../provider/errors";
import { isBearerAllowed, knownCloudByName, resolveCloud } from "../../provider/arm";
import { validateDeclarationInputs } from "../../provider/identity";
import { checkArmResource } from "../../provider/armResourceRuntime";

const SUB = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const SCALE_SET = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss`;

describe("grammar: clouds", () => {
  const names: [string, string | undefined][] = [
    ["public", "public"],
    ["AzureCloud", "public"],
    ["azurepubliccloud", "public"],
    [" AZURECLOUD ", "public"],
    ["usgovernment", "usgovernment"],
    ["AzureUSGovernment", "usgovernment"],
    ["AzureUSGovernmentCloud", "usgovernment"],
    ["china", "china"],
    ["AzureChinaCloud", "china"],
    ["mars", undefined],
    ["", undefined],
    ["constructor", undefined],
    ["AzureGermanCloud", undefined],
  ];
  for (const [value, expected] of names) {
    it(`${JSON.stringify(value)} names ${expected ?? "no cloud"} in check, ArmResource and AZURE_ENVIRONMENT alike`, () => {
      assert.equal(cloudNameOf(value), expected);
      const checked = validateDeclarationInputs({ scaleSetId: SCALE_SET, environment: value });
      const armResource = checkArmResource({
        resourceId: `/subscriptions/${SUB}/resourceGroups/rg`,
        apiVersion: "2021-04-01",
        body: {},
        environment: value,
      });
      if (expected === undefined) {
        assert.deepEqual(
          checked.failures.map((f) => f.property),
          ["environment"],
        );
        assert.deepEqual(
          armResource.failures.map((f) => f.property),
          ["environment"],
        );
        assert.throws(() => resolveCloud({}, { AZURE_ENVIRONMENT: value || "x" }), {
          name: "UnknownCloudError",
          code: ErrorCodes.unknownCloud,
        });
      } else {
        assert.deepEqual(checked.failures, []);
        assert.equal(checked.inputs.environment, expected);
        assert.equal(armResource.inputs.environment, expected);
        assert.equal(resolveCloud({}, { AZURE_ENVIRONMENT: value }).name, expected);
        assert.equal(resolveCloud({ environment: value }, {}).name, expected);
      }
    });
  }

  it("a refused cloud name is an UnknownCloudError naming the source, the value and the accepted names", () => {
    assert.throws(
      () => resolveCloud({}, { ARM_ENVIRONMENT: "mars" }),
      (e: unknown) => {
        assert.ok(e instanceof VmssIdentityError);
        assert.equal(
          (e as Error).message,
          `ARM_ENVIRONMENT: unknown Azure cloud "mars"; expected one of public, usgovernment, china (or AzureCloud, ` +
            `AzurePublicCloud, AzureUSGovernment, AzureUSGovernmentCloud, AzureChinaCloud), in any casing`,
        );
        return true;
      },
    );
  });

  it("each cloud's authority host is @azure/identity's, and its token scope is its ARM endpoint", () => {
    assert.deepEqual(
      CLOUD_NAMES.map((n) => CLOUD_ENDPOINTS[n].authorityHost),
      [AzureAuthorityHosts.AzurePublicCloud, AzureAuthorityHosts.AzureGovernment, AzureAuthorityHosts.AzureChina],
    );
    for (const name of CLOUD_NAMES) {
      const cloud = knownCloudByName(name);
      assert.equal(cloud.resourceManagerEndpoint, CLOUD_ENDPOINTS[name].resourceManagerEndpoint);
      assert.equal(cloud.tokenScope, `${CLOUD_ENDPOINTS[name].resourceManagerEndpoint}/.default`);
    }
  });
});

describe("grammar: loopback and endpoints", () => {
  const hosts: [string, boolean][] = [
    ["localhost", true],
    ["LOCALHOST", true],
    ["127.0.0.1", true],
    ["127.255.0.9", true],
    ["[::1]", true],
    ["[::ffff:7f00:1]", true],
    ["[::ffff:127.0.0.1]", true],
    ["128.0.0.1", false],
    ["10.0.0.1", false],
    ["127.0.0.1.evil.example", false],
    ["app.localhost", false],
    ["[::2]", false],
    ["management.azure.com", false],
  ];
  for (const [host, loopback] of hosts) {
    it(`${host} is ${loopback ? "" : "not "}loopback, for check and for the transport alike`, () => {
      assert.equal(isLoopbackHost(host), loopback);
      const url = `http://${host}:8443`;
      assert.equal(isBearerAllowed(new URL(url)), loopback);
      let accepted = true;
      try {
        parseEndpoint(url);
      } catch {
        accepted = false;
      }
      assert.equal(accepted, loopback);
    });
  }
});

describe("grammar: api-versions", () => {
  const shapes: [string, boolean][] = [
    ["2024-11-01", true],
    ["2022-01-31-preview", true],
    ["2024-11-01-beta", true],
    ["2024-11-1", false],
    ["latest", false],
    ["2024-11-01?x=1", false],
  ];
  for (const [value, ok] of shapes) {
    it(`the transport ${ok ? "accepts" : "refuses"} the shape of ${value}`, () => {
      assert.equal(
        apiVersionShapeProblem(value),
        ok ? undefined : "expected an api-version like 2024-11-01 or 2022-01-31-preview",
      );
    });
  }

  const served: [string, string, string | undefined][] = [
    ["Microsoft.Compute/virtualMachineScaleSets", "2024-11-01", undefined],
    ["microsoft.compute/virtualmachinescalesets", "2016-04-30-preview", undefined],
    [
      "Microsoft.Compute/virtualMachineScaleSets",
      "2018-12-01",
      "Microsoft.Compute/virtualMachineScaleSets does not serve 2018-12-01; the nearest served versions are 2018-10-01, 2018-06-01",
    ],
    [
      "Microsoft.Compute/virtualMachineScaleSets",
      "2010-01-01",
      "Microsoft.Compute/virtualMachineScaleSets does not serve 2010-01-01; the nearest served versions are 2015-06-15, 2016-03-30",
    ],
    ["Microsoft.ManagedIdentity/userAssignedIdentities", "2023-01-31", undefined],
    ["Microsoft.ManagedIdentity/userAssignedIdentities", "2015-08-31-preview", undefined],
    [
      "Microsoft.ManagedIdentity/userAssignedIdentities",
      "2024-11-01",
      "Microsoft.ManagedIdentity/userAssignedIdentities does not serve 2024-11-01; the nearest served versions are 2023-07-31-preview, 2023-01-31",
    ],
    ["Microsoft.Resources/resourceGroups", "2099-01-01", undefined], // a type the package has no list for
  ];
  for (const [type, version, problem] of served) {
    it(`${type} at ${version}: ${problem === undefined ? "served (or not listed)" : "not served"}`, () => {
      assert.equal(unservedApiVersionProblem(type, version), problem);
    });
  }

  it("lists are newest first, without duplicates", () => {
    for (const [type, versions] of Object.entries(SERVED_API_VERSIONS)) {
      assert.deepEqual([...versions].sort().reverse(), versions, type);
      assert.equal(new Set(versions).size, versions.length, type);
    }
  });

  it("nearest served versions: the ones before the date first, then the oldest after it", () => {
    assert.deepEqual(nearestServedVersions(["2020-01-01", "2019-01-01", "2018-01-01"], "2019-06-01"), [
      "2019-01-01",
      "2018-01-01",
    ]);
    assert.deepEqual(nearestServedVersions(["2020-01-01", "2019-01-01"], "2010-06-01", 3), [
      "2019-01-01",
      "2020-01-01",
    ]);
  });
});

describe("grammar: ARM resource IDs of any type (ArmResource)", () => {
  const ok: [string, { id: string; resourceType: string; name?: string }][] = [
    [
      `/subscriptions/${SUB.toUpperCase()}`,
      { id: `/subscriptions/${SUB}`, resourceType: "Microsoft.Resources/subscriptions" },
    ],
    [
      `/SUBSCRIPTIONS/${SUB}/resourcegroups/my-rg`,
      {
        id: `/subscriptions/${SUB}/resourceGroups/my-rg`,
        resourceType: "Microsoft.Resources/resourceGroups",
        name: "my-rg",
      },
    ],
    [
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1`,
      {
        id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1`,
        resourceType: "Microsoft.ManagedIdentity/userAssignedIdentities",
        name: "id1",
      },
    ],
    [
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default`,
      {
        id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default`,
        resourceType: "Microsoft.Network/virtualNetworks/subnets",
        name: "default",
      },
    ],
  ];
  for (const [value, expected] of ok) {
    it(`parses ${value}`, () => {
      const ref = parseArmResourceId(value);
      assert.equal(ref.id, expected.id);
      assert.equal(ref.resourceType, expected.resourceType);
      assert.equal(ref.name, expected.name);
    });
  }

  const bad: [string, string][] = [
    [`/subscriptions/${SUB}/resourceGroups/rg/../x`, "contains '..'"],
    [`/subscriptions/${SUB}/resourceGroups/rg?x=1`, "contains '?' (a query)"],
    [`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.X/./y`, "contains a '.' segment"],
    [
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.X/type`,
      "expected /providers/{namespace}/{type}/{name}, each child as /{type}/{name}",
    ],
    [`/subscriptions/not-a-guid`, `subscription ID "not-a-guid" is not a GUID`],
    [`/subscriptions/${SUB}/groups/rg`, `segment 3 is "groups", expected "resourceGroups"`],
    [
      `/subscriptions/${SUB}/resourceGroups/rg./providers/A/b/c`,
      `resource group name "rg." is not 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'`,
    ],
  ];
  for (const [value, reason] of bad) {
    it(`refuses ${value}: ${reason}`, () => {
      assert.throws(
        () => parseArmResourceId(value),
        (e: unknown) => {
          assert.ok(e instanceof VmssIdentityError);
          assert.equal((e as VmssIdentityError).code, ErrorCodes.invalidArmId);
          assert.match(
            (e as Error).message,
            new RegExp(`: ${reason.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}; expected`),
          );
          return true;
        },
      );
    });
  }

  it("ArmResource refuses an api-version its type does not serve, naming the nearest", () => {
    const { failures } = checkArmResource({
      resourceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1`,
      apiVersion: "2024-11-01",
      body: { location: "eastus" },
    });
    assert.deepEqual(failures, [
      {
        property: "apiVersion",
        reason:
          `invalid api-version "2024-11-01": Microsoft.ManagedIdentity/userAssignedIdentities does not serve ` +
          `2024-11-01; the nearest served versions are 2023-07-31-preview, 2023-01-31`,
      },
    ]);
  });
});
