import { deepEqual, equal, throws } from "node:assert/strict";
import { UNKNOWN, declarationOf, describeValue, validateDeclarationInputs } from "../../provider/identity";
import { ID1, ID2, SCALE_SET_ID, SUB, docId } from "./identity-fixtures";

const SHAPE_VMSS =
  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/virtualMachineScaleSets/{scaleSetName}";
const SHAPE_UAI =
  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{identityName}";
const ENDPOINT_EXPECTED =
  "an https URL (http only for a loopback host: localhost, 127.0.0.0/8 or [::1]) without user name, password, query or fragment";

/** Validates one change to a valid declaration and returns the failures. */
function failuresOf(overrides: Record<string, unknown>) {
  return validateDeclarationInputs({ scaleSetId: SCALE_SET_ID, userAssignedIdentities: [ID1], ...overrides }).failures;
}

describe("check: validating VmssManagedIdentity inputs", () => {
  it("canonicalises IDs, keeps the user's order and fills the default mode", () => {
    const { inputs, failures } = validateDeclarationInputs({
      scaleSetId: SCALE_SET_ID.replace("resourceGroups", "RESOURCEGROUPS").replace(SUB, SUB.toUpperCase()),
      userAssignedIdentities: [docId("ID2"), docId("ID1")],
      systemAssigned: true,
      environment: "USGovernment",
      apiVersion: "2017-12-01",
    });
    deepEqual(failures, []);
    deepEqual(inputs, {
      scaleSetId: SCALE_SET_ID,
      userAssignedIdentities: [ID2, ID1],
      systemAssigned: true,
      mode: "additive",
      environment: "usgovernment",
      apiVersion: "2017-12-01",
    });
  });

  it("passes the dynamic provider's __provider through untouched", () => {
    const { inputs, failures } = validateDeclarationInputs({
      scaleSetId: SCALE_SET_ID,
      __provider: "exports.handler=…",
    });
    deepEqual(failures, []);
    equal(inputs.__provider, "exports.handler=…");
  });

  it("treats null as absent and fills an empty identity list", () => {
    const { inputs, failures } = validateDeclarationInputs({
      scaleSetId: SCALE_SET_ID,
      systemAssigned: null,
      userAssignedIdentities: null,
      endpoint: null,
    });
    deepEqual(failures, []);
    deepEqual(inputs, { scaleSetId: SCALE_SET_ID, userAssignedIdentities: [], mode: "additive" });
  });

  it("canonicalises an endpoint: lower-case host, no default port, no trailing slash", () => {
    const { inputs } = validateDeclarationInputs({
      scaleSetId: SCALE_SET_ID,
      endpoint: "HTTPS://Management.Azure.COM:443/",
    });
    equal(inputs.endpoint, "https://management.azure.com");
  });

  it("accepts http to loopback hosts only", () => {
    for (const endpoint of ["http://127.0.0.1:8443", "http://localhost:1", "http://[::1]:9/arm"]) {
      deepEqual(failuresOf({ endpoint }), [], endpoint);
    }
  });

  it("lets unknown values (the preview sentinel) through everywhere, untouched", () => {
    const news = {
      scaleSetId: UNKNOWN,
      systemAssigned: UNKNOWN,
      userAssignedIdentities: [UNKNOWN, docId("ID1")],
      mode: UNKNOWN,
      apiVersion: UNKNOWN,
      environment: UNKNOWN,
    };
    const { inputs, failures } = validateDeclarationInputs(news);
    deepEqual(failures, []);
    deepEqual(inputs, { ...news, userAssignedIdentities: [UNKNOWN, ID1] });
    deepEqual(validateDeclarationInputs({ scaleSetId: SCALE_SET_ID, userAssignedIdentities: UNKNOWN }).failures, []);
  });

  it("an exclusive declaration with an unknown identity list is not taken for an empty one", () => {
    deepEqual(failuresOf({ mode: "exclusive", userAssignedIdentities: UNKNOWN }), []);
  });

  it("fills systemAssigned: false in exclusive mode (absent means off there), and leaves additive mode alone", () => {
    const exclusive = validateDeclarationInputs({
      scaleSetId: SCALE_SET_ID,
      userAssignedIdentities: [ID1],
      mode: "exclusive",
    });
    deepEqual([exclusive.failures, exclusive.inputs.systemAssigned], [[], false]);
    const explicit = validateDeclarationInputs({ scaleSetId: SCALE_SET_ID, mode: "exclusive", systemAssigned: true });
    equal(explicit.inputs.systemAssigned, true);
    const additive = validateDeclarationInputs({ scaleSetId: SCALE_SET_ID, userAssignedIdentities: [ID1] });
    equal("systemAssigned" in additive.inputs, false);
  });

  const cases: [string, Record<string, unknown>, { property: string; reason: string }[]][] = [
    [
      "a missing scaleSetId",
      { scaleSetId: undefined },
      [{ property: "scaleSetId", reason: `missing; expected the ARM ID of a scale set, ${SHAPE_VMSS}` }],
    ],
    [
      "a scaleSetId that is not a string",
      { scaleSetId: 42 },
      [{ property: "scaleSetId", reason: `expected the ARM ID of a scale set, ${SHAPE_VMSS}, got 42` }],
    ],
    [
      "a scaleSetId with a query",
      { scaleSetId: `${SCALE_SET_ID}?x=1` },
      [
        {
          property: "scaleSetId",
          reason: `invalid scale set ID "${SCALE_SET_ID}?x=1": contains '?' (a query); expected ${SHAPE_VMSS}`,
        },
      ],
    ],
    [
      "a systemAssigned string",
      { systemAssigned: "true" },
      [
        {
          property: "systemAssigned",
          reason: `expected true (system identity on), false (off) or nothing (leave it alone), got "true"`,
        },
      ],
    ],
    [
      "userAssignedIdentities as a single string",
      { userAssignedIdentities: ID1 },
      [
        {
          property: "userAssignedIdentities",
          reason: `expected an array of user-assigned identity IDs, ${SHAPE_UAI}, got "${ID1}"`,
        },
      ],
    ],
    [
      "two bad identities, reported as one failure of the property",
      { userAssignedIdentities: [ID1, 7, "/subscriptions/x"] },
      [
        {
          property: "userAssignedIdentities",
          reason:
            `element 1: expected an identity ID, ${SHAPE_UAI}, got 7; ` +
            `element 2: invalid user-assigned identity ID "/subscriptions/x": has 2 segments, expected 8; expected ${SHAPE_UAI}`,
        },
      ],
    ],
    [
      "the same identity in two casings",
      { userAssignedIdentities: [ID1, ID2, docId("ID1")] },
      [
        {
          property: "userAssignedIdentities",
          reason:
            `elements 0 and 2 name the same identity: "${ID1}" and "${docId("ID1")}" (IDs compare ` +
            `case-insensitively); list each identity once`,
        },
      ],
    ],
    [
      "a mode in the wrong casing",
      { mode: "Exclusive" },
      [
        {
          property: "mode",
          reason:
            `expected "additive" (the default: never touch identities not listed) or "exclusive" (the scale set gets ` +
            `exactly what is declared), got "Exclusive"`,
        },
      ],
    ],
    [
      "exclusive mode declaring nothing",
      { mode: "exclusive", userAssignedIdentities: [] },
      [
        {
          property: "mode",
          reason:
            `"exclusive" with neither systemAssigned nor userAssignedIdentities would remove every identity of the ` +
            `scale set; declare systemAssigned: false to mean that, or use mode "additive"`,
        },
      ],
    ],
    [
      "an api-version without identities",
      { apiVersion: "2017-03-30" },
      [
        {
          property: "apiVersion",
          reason:
            `invalid api-version "2017-03-30": it predates user-assigned identities on scale sets; expected an ` +
            `api-version that Microsoft.Compute/virtualMachineScaleSets serves, 2017-12-01 or later (e.g. 2024-11-01; ` +
            `the list is in docs/arm-behavior.md)`,
        },
      ],
    ],
    [
      "an unknown environment",
      { environment: "mars" },
      [
        {
          property: "environment",
          reason:
            `expected one of public, usgovernment, china (or AzureCloud, AzurePublicCloud, AzureUSGovernment, ` +
            `AzureUSGovernmentCloud, AzureChinaCloud), in any casing, got "mars"`,
        },
      ],
    ],
    [
      "an api-version the scale set type does not serve (the how-to's 2018-12-01)",
      { apiVersion: "2018-12-01" },
      [
        {
          property: "apiVersion",
          reason:
            `invalid api-version "2018-12-01": Microsoft.Compute/virtualMachineScaleSets does not serve 2018-12-01; ` +
            `the nearest served versions are 2018-10-01, 2018-06-01; expected an api-version that ` +
            `Microsoft.Compute/virtualMachineScaleSets serves, 2017-12-01 or later (e.g. 2024-11-01; the list is in ` +
            `docs/arm-behavior.md)`,
        },
      ],
    ],
    [
      "an http endpoint that is not loopback",
      { endpoint: "http://management.azure.com" },
      [
        {
          property: "endpoint",
          reason: `invalid endpoint "http://management.azure.com": http is only allowed for a loopback host; expected ${ENDPOINT_EXPECTED}`,
        },
      ],
    ],
    [
      "an endpoint with credentials, without showing them",
      { endpoint: "https://admin:hunter2@arm.example" },
      [
        {
          property: "endpoint",
          reason: `invalid endpoint "https://***@arm.example": it contains credentials; expected ${ENDPOINT_EXPECTED}`,
        },
      ],
    ],
    [
      "an endpoint with a query, without showing it",
      { endpoint: "https://arm.example/?sig=secret" },
      [
        {
          property: "endpoint",
          reason: `invalid endpoint "https://arm.example/?…": it has a query; expected ${ENDPOINT_EXPECTED}`,
        },
      ],
    ],
    [
      "an endpoint that is not a URL",
      { endpoint: "management.azure.com" },
      [
        {
          property: "endpoint",
          reason: `invalid endpoint "management.azure.com": not a URL; expected ${ENDPOINT_EXPECTED}`,
        },
      ],
    ],
    [
      "an ftp endpoint",
      { endpoint: "ftp://arm.example" },
      [
        {
          property: "endpoint",
          reason: `invalid endpoint "ftp://arm.example": the scheme "ftp" is not https; expected ${ENDPOINT_EXPECTED}`,
        },
      ],
    ],
    [
      "both environment and endpoint",
      { environment: "public", endpoint: "https://127.0.0.1:8443" },
      [
        {
          property: "endpoint",
          reason: `both environment "public" and endpoint "https://127.0.0.1:8443" are set; set one of them`,
        },
      ],
    ],
    [
      "a misspelt property",
      { userAssignedIdentity: [ID1] },
      [
        {
          property: "userAssignedIdentity",
          reason:
            "unknown property; expected one of scaleSetId, systemAssigned, userAssignedIdentities, mode, apiVersion, " +
            "environment, endpoint, adoption, credentials",
        },
      ],
    ],
    [
      "an adoption that is neither warn nor silent",
      { adoption: "quiet" },
      [{ property: "adoption", reason: 'expected "warn" or "silent", got "quiet"' }],
    ],
  ];
  for (const [what, overrides, expected] of cases) {
    it(`fails ${what} with the exact message`, () => {
      deepEqual(failuresOf(overrides), expected);
    });
  }

  it("reports one failure per bad property when several are bad, and leaves bad values as given", () => {
    const news = { scaleSetId: "vmss", systemAssigned: 1, mode: "both", apiVersion: "x" };
    const { inputs, failures } = validateDeclarationInputs(news);
    deepEqual(
      failures.map((f) => f.property),
      ["scaleSetId", "systemAssigned", "mode", "apiVersion"],
    );
    equal(inputs.scaleSetId, "vmss");
    equal(inputs.mode, "both");
  });

  describe("declarationOf", () => {
    it("turns validated inputs into a declaration", () => {
      deepEqual(declarationOf(validateDeclarationInputs({ scaleSetId: SCALE_SET_ID, systemAssigned: false }).inputs), {
        systemAssigned: false,
        userAssignedIdentities: [],
        mode: "additive",
      });
    });

    it("refuses inputs of the wrong kind, naming the property", () => {
      throws(() => declarationOf({ userAssignedIdentities: "x" }), {
        name: "InvalidInputError",
        code: "InvalidInput",
        property: "userAssignedIdentities",
        message: `userAssignedIdentities: expected an array of strings, got "x"`,
      });
    });
  });
});

describe("describeValue: how messages show a bad value", () => {
  it("quotes strings, writes other JSON values as they are, and names the kind of the rest", () => {
    deepEqual(
      [describeValue("a\nb"), describeValue(3), describeValue(false), describeValue(null), describeValue(undefined)],
      ['"a\\nb"', "3", "false", "null", "nothing"],
    );
    deepEqual(
      [describeValue([1]), describeValue({ a: 1 }), describeValue(() => 1)],
      ["an array", "an object", "a function"],
    );
  });
});
