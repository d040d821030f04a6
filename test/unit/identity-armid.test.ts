import { deepEqual, equal, throws } from "node:assert/strict";
import {
  InvalidArmIdError,
  SCALE_SET_ID_SHAPE,
  USER_IDENTITY_ID_SHAPE,
  armIdKey,
  parseScaleSetId,
  parseUserAssignedIdentityId,
  quote,
  sameIdSet,
} from "../../provider/identity";
import { sameArmId } from "../support/patchModel";
import { SUB } from "./identity-fixtures";

const VMSS = `/subscriptions/${SUB}/resourceGroups/rg-1/providers/Microsoft.Compute/virtualMachineScaleSets/vmss1`;
const UAI = `/subscriptions/${SUB}/resourceGroups/rg-1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-1`;

/** Asserts that parsing fails with exactly this message and a typed error. */
function rejects(parse: (v: string) => unknown, value: string, message: string): void {
  throws(
    () => parse(value),
    (e: unknown) => {
      equal((e as Error).name, "InvalidArmIdError");
      equal(e instanceof InvalidArmIdError, true);
      equal((e as InvalidArmIdError).value, value);
      equal((e as Error).message, message);
      return true;
    },
  );
}

describe("ARM IDs: the one parser", () => {
  describe("parseScaleSetId", () => {
    it("returns the parts and the canonical spelling of a canonical ID", () => {
      deepEqual(parseScaleSetId(VMSS), {
        id: VMSS,
        subscriptionId: SUB,
        resourceGroupName: "rg-1",
        name: "vmss1",
      });
    });

    it("matches fixed segments in any casing and canonicalises them, lower-cases the subscription, keeps names", () => {
      const ref = parseScaleSetId(
        `/SUBSCRIPTIONS/${SUB.toUpperCase()}/resourcegroups/My.RG(1)/PROVIDERS/microsoft.compute/VIRTUALMACHINESCALESETS/My_VMSS`,
      );
      equal(
        ref.id,
        `/subscriptions/${SUB}/resourceGroups/My.RG(1)/providers/Microsoft.Compute/virtualMachineScaleSets/My_VMSS`,
      );
      equal(ref.resourceGroupName, "My.RG(1)");
      equal(ref.name, "My_VMSS");
    });

    it("accepts resource group names with Unicode letters, as Azure's rule allows", () => {
      equal(parseScaleSetId(VMSS.replace("rg-1", "grüppe")).resourceGroupName, "grüppe");
    });

    const expected = `; expected ${SCALE_SET_ID_SHAPE}`;
    const cases: [string, string, string][] = [
      ["a path traversal", VMSS.replace("/vmss1", "/../../other"), `contains '..'`],
      ["a query", `${VMSS}?api-version=2099-01-01`, `contains '?' (a query)`],
      ["a fragment", `${VMSS}#x`, `contains '#' (a fragment)`],
      ["percent-encoding", VMSS.replace("vmss1", "vmss%2F1"), `contains '%' (percent-encoding)`],
      ["a backslash", VMSS.replace("vmss1", "vm\\ss"), `contains '\\'`],
      ["whitespace", VMSS.replace("vmss1", "vmss 1"), `contains whitespace`],
      ["a trailing newline", `${VMSS}\n`, `contains whitespace`],
      ["a control character", `${VMSS}\u0000`, `contains a control character`],
      ["a trailing slash", `${VMSS}/`, `ends with '/'`],
      ["an empty segment", VMSS.replace("/resourceGroups", "//resourceGroups"), `has an empty segment`],
      ["no leading slash", VMSS.slice(1), `does not start with '/'`],
      ["the empty string", "", `is empty`],
      ["a child resource", `${VMSS}/virtualMachines/0`, `has 10 segments, expected 8`],
      [
        "a non-GUID subscription",
        VMSS.replace(SUB, "my-subscription"),
        `subscription ID "my-subscription" is not a GUID`,
      ],
      [
        "a misspelt fixed segment",
        VMSS.replace("resourceGroups", "resourceGroup"),
        `segment 3 is "resourceGroup", expected "resourceGroups"`,
      ],
      [
        "a virtual machine",
        VMSS.replace("virtualMachineScaleSets", "virtualMachines"),
        `resource type is "Microsoft.Compute/virtualMachines", expected "Microsoft.Compute/virtualMachineScaleSets"`,
      ],
      [
        "a resource group ending in '.'",
        VMSS.replace("rg-1", "rg."),
        `resource group name "rg." is not 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'`,
      ],
      [
        "a resource group of 91 characters",
        VMSS.replace("rg-1", "r".repeat(91)),
        `resource group name "${"r".repeat(91)}" is not 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'`,
      ],
      [
        "a scale set name with '!'",
        VMSS.replace("vmss1", "vmss!"),
        `scale set name "vmss!" is not 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit and ending with one or '_'`,
      ],
      [
        "a scale set name ending in '-'",
        VMSS.replace("vmss1", "vmss-"),
        `scale set name "vmss-" is not 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit and ending with one or '_'`,
      ],
    ];
    for (const [what, value, reason] of cases) {
      it(`rejects ${what}, naming the value and the expected shape`, () => {
        rejects(parseScaleSetId, value, `invalid scale set ID ${quote(value)}: ${reason}${expected}`);
      });
    }

    it("shows at most 200 characters of a huge value; shorter ones exactly as JSON", () => {
      const value = `/x${"a".repeat(5000)}`;
      equal(quote(value), JSON.stringify(`${value.slice(0, 200)}…`));
      equal(quote(VMSS), JSON.stringify(VMSS));
      throws(
        () => parseScaleSetId(value),
        (e: unknown) => (e as Error).message.length < 400 && (e as Error).message.includes(quote(value)),
      );
    });
  });

  describe("parseUserAssignedIdentityId", () => {
    it("accepts the Managed Identity service's lower-case resourcegroups and canonicalises it", () => {
      equal(parseUserAssignedIdentityId(UAI.replace("resourceGroups", "resourcegroups")).id, UAI);
    });

    it("accepts a fully lower-cased ID (seen from Compute, docs/arm-behavior.md, IDs and casing)", () => {
      equal(
        parseUserAssignedIdentityId(UAI.toLowerCase()).id,
        `/subscriptions/${SUB}/resourceGroups/rg-1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-1`,
      );
    });

    it("rejects the 2017-12-01 spec's 'identities' segment with a hint", () => {
      const value = UAI.replace("userAssignedIdentities", "identities");
      rejects(
        parseUserAssignedIdentityId,
        value,
        `invalid user-assigned identity ID ${JSON.stringify(value)}: 'identities' is the 2017-12-01 spec's typo for ` +
          `user-assigned identities (docs/arm-behavior.md); use 'userAssignedIdentities'; expected ${USER_IDENTITY_ID_SHAPE}`,
      );
    });

    it("rejects a scale set ID where an identity is expected", () => {
      rejects(
        parseUserAssignedIdentityId,
        VMSS,
        `invalid user-assigned identity ID ${JSON.stringify(VMSS)}: resource type is ` +
          `"Microsoft.Compute/virtualMachineScaleSets", expected "Microsoft.ManagedIdentity/userAssignedIdentities"; ` +
          `expected ${USER_IDENTITY_ID_SHAPE}`,
      );
    });

    it("rejects identity names shorter than 3 characters or starting with '-'", () => {
      for (const name of ["ab", "-abc"]) {
        const value = UAI.replace("id-1", name);
        rejects(
          parseUserAssignedIdentityId,
          value,
          `invalid user-assigned identity ID ${JSON.stringify(value)}: user-assigned identity name "${name}" is not ` +
            `3-128 letters, digits, '-' or '_', starting with a letter or digit; expected ${USER_IDENTITY_ID_SHAPE}`,
        );
      }
    });

    it("with lenientNames accepts a name ARM returned outside today's rules, but never a structural hazard", () => {
      equal(parseUserAssignedIdentityId(UAI.replace("id-1", "a.b"), { lenientNames: true }).name, "a.b");
      throws(() => parseUserAssignedIdentityId(UAI.replace("id-1", ".."), { lenientNames: true }), InvalidArmIdError);
      throws(() => parseUserAssignedIdentityId(`${UAI}?x=1`, { lenientNames: true }), InvalidArmIdError);
    });
  });

  describe("comparison", () => {
    it("armIdKey is equal for IDs differing only in casing", () => {
      equal(armIdKey(UAI), armIdKey(UAI.toUpperCase()));
    });

    it("sameArmId compares case-insensitively and tells different IDs apart", () => {
      equal(sameArmId(UAI, UAI.replace("resourceGroups", "resourcegroups")), true);
      equal(sameArmId(UAI, UAI.replace("id-1", "id-2")), false);
    });

    it("sameIdSet ignores order, casing and repeats, and sees a missing ID", () => {
      const other = UAI.replace("id-1", "id-2");
      equal(sameIdSet([UAI, other], [other.toLowerCase(), UAI, UAI]), true);
      equal(sameIdSet([UAI, other], [UAI]), false);
      equal(sameIdSet([], []), true);
    });
  });
});
