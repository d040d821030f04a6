import { equal, throws } from "node:assert/strict";
import {
  DEFAULT_API_VERSION,
  IDENTITY_TYPES,
  bodyFormatFor,
  identityTypeOf,
  parseApiVersion,
  parseIdentityType,
  servedApiVersions,
} from "../../provider/identity";

describe("identity type strings", () => {
  const spellings: [string, string][] = [
    ["SystemAssigned", "SystemAssigned"],
    ["systemassigned", "SystemAssigned"],
    ["userAssigned", "UserAssigned"], // the how-to's spelling
    ["UserAssigned", "UserAssigned"],
    ["None", "None"],
    ["none", "None"],
    ["SystemAssigned, UserAssigned", "SystemAssigned, UserAssigned"],
    ["SystemAssigned,UserAssigned", "SystemAssigned, UserAssigned"], // the how-to's spelling
    [" systemassigned ,  USERASSIGNED ", "SystemAssigned, UserAssigned"],
  ];
  for (const [input, canonical] of spellings) {
    it(`parses ${JSON.stringify(input)} as ${JSON.stringify(canonical)}`, () => {
      equal(parseIdentityType(input), canonical);
    });
  }

  for (const bad of ["", "System Assigned", "UserAssigned, SystemAssigned", "SystemAssigned,", "ManagedIdentity"]) {
    it(`rejects ${JSON.stringify(bad)}, naming the value and the allowed types`, () => {
      throws(() => parseIdentityType(bad), {
        name: "InvalidIdentityTypeError",
        message:
          `invalid identity type ${JSON.stringify(bad)}: expected one of "None", "SystemAssigned", "UserAssigned", ` +
          `"SystemAssigned, UserAssigned" (any casing, space after the comma optional)`,
      });
    });
  }

  it("identityTypeOf covers the four combinations", () => {
    equal(identityTypeOf(false, false), "None");
    equal(identityTypeOf(true, false), "SystemAssigned");
    equal(identityTypeOf(false, true), "UserAssigned");
    equal(identityTypeOf(true, true), "SystemAssigned, UserAssigned");
  });

  it("every canonical type parses as itself", () => {
    for (const type of IDENTITY_TYPES) equal(parseIdentityType(type), type);
  });
});

describe("api-versions", () => {
  it("2017-12-01 and 2018-04-01 use identityIds; 2018-06-01 and later the dictionary", () => {
    equal(bodyFormatFor("2017-12-01"), "identityIds");
    equal(bodyFormatFor("2018-04-01"), "identityIds");
    equal(bodyFormatFor("2018-06-01"), "dictionary");
    equal(bodyFormatFor("2018-10-01"), "dictionary");
    equal(bodyFormatFor(DEFAULT_API_VERSION), "dictionary");
    equal(bodyFormatFor("2026-04-01"), "dictionary");
  });

  it("the default is 2024-11-01", () => {
    equal(DEFAULT_API_VERSION, "2024-11-01");
  });

  it("accepts every version the scale set type serves from 2017-12-01 on, and no other", () => {
    const served = servedApiVersions("microsoft.compute/VIRTUALMACHINESCALESETS") ?? [];
    const withIdentities = served.filter((v) => v >= "2017-12-01");
    equal(withIdentities.length, 26);
    for (const version of withIdentities) equal(parseApiVersion(version).date, version.slice(0, 10));
  });

  const bad: [string, string][] = [
    ["2017-03-30", "it predates user-assigned identities on scale sets"],
    ["2024-11-1", "not in the form YYYY-MM-DD[-preview]"],
    ["2024-11-01-beta", "not in the form YYYY-MM-DD[-preview]"],
    ["2024-02-30", "2024-02-30 is not a calendar date"],
    ["latest", "not in the form YYYY-MM-DD[-preview]"],
    // The how-to's own URL uses 2018-12-01, which Compute never served (ARM answers NoRegisteredProviderFound).
    [
      "2018-12-01",
      "Microsoft.Compute/virtualMachineScaleSets does not serve 2018-12-01; the nearest served versions are 2018-10-01, 2018-06-01",
    ],
    [
      "2099-01-01",
      "Microsoft.Compute/virtualMachineScaleSets does not serve 2099-01-01; the nearest served versions are 2026-04-01, 2026-03-01",
    ],
    [
      "2025-05-31-preview",
      "Microsoft.Compute/virtualMachineScaleSets does not serve 2025-05-31-preview; the nearest served versions are 2025-04-01, 2024-11-01",
    ],
    [
      "2018-05-01-preview",
      "Microsoft.Compute/virtualMachineScaleSets does not serve 2018-05-01-preview; the nearest served versions are 2018-04-01, 2017-12-01",
    ],
  ];
  for (const [value, reason] of bad) {
    it(`rejects ${value}: ${reason}`, () => {
      throws(() => bodyFormatFor(value), {
        name: "InvalidApiVersionError",
        message:
          `invalid api-version ${JSON.stringify(value)}: ${reason}; expected an api-version that ` +
          `Microsoft.Compute/virtualMachineScaleSets serves, 2017-12-01 or later (e.g. 2024-11-01; the list is in ` +
          `docs/arm-behavior.md)`,
      });
    });
  }
});
