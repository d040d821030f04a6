// Never more lenient than ARM: the name and value rules of emulator/naming-rules.ts, one table per rule, each row a
// real request with the code and message ARM answers with, and nothing created or changed by a refused one.
import assert from "node:assert/strict";
import { PUBLIC_REGIONS } from "vmss-identity-emulator";
import {
  createGroup,
  groupPath,
  identityPath,
  scaleSetPath,
  startHarness,
  type Harness,
  type HttpResult,
} from "./support/harness";

type Row = [input: string, expected: { code: string; message: string } | "ok"];

const RG_CHARS = "The name can only be a letter, digit, '-', '.', '(', ')' or '_'.";
const IDENTITY_RULE =
  "A user-assigned identity name must be 3 to 128 characters long, start with a letter or a digit, and contain only letters, digits, hyphens and underscores.";
const SCALE_SET_RULE =
  "A virtual machine scale set name must be 1 to 64 characters long, must not contain spaces, control characters or any of \\/\"[]:|<>+=;,?*@&, must not start with '_' and must not end with '.' or '-'.";

describe("emulator: ARM's name and value rules", function () {
  let h: Harness;

  before(async function () {
    h = await startHarness({ opDurationMs: 0 });
  });
  beforeEach(async function () {
    h.emulator.admin.reset();
    await createGroup(h, "rg");
  });
  after(async function () {
    await h.close();
  });

  async function expectRow(
    send: () => Promise<{ status: number; body: { error?: { code: string; message: string } } }>,
    expected: Row[1],
    label: string,
  ): Promise<void> {
    const before = JSON.stringify(h.emulator.admin.state());
    const result = await send();
    if (expected === "ok") {
      assert.ok(
        result.status === 200 || result.status === 201,
        `${label}: ${result.status} ${JSON.stringify(result.body)}`,
      );
      return;
    }
    assert.equal(result.status, 400, label);
    assert.deepEqual(result.body.error, expected, label);
    assert.equal(JSON.stringify(h.emulator.admin.state()), before, `${label}: nothing changed`);
  }

  describe("resource group names: ^[-\\w._()]+$, 1-90 characters, not ending in '.' (InvalidResourceGroup)", function () {
    const bad = (name: string, chars: string) => ({
      code: "InvalidResourceGroup",
      message: `The provided resource group name '${name}' has these invalid characters: '${chars}'. ${RG_CHARS}`,
    });
    const rows: Row[] = [
      ["myResourceGroup", "ok"],
      ["rg_with-all.(chars)", "ok"],
      ["ünïcödé-gruppe", "ok"],
      ["a".repeat(90), "ok"],
      ["has space", bad("has space", " ")],
      ["a&b!c&", bad("a&b!c&", "&!")],
      [
        "a".repeat(91),
        {
          code: "InvalidResourceGroup",
          message: `The provided resource group name '${"a".repeat(91)}' is 91 characters long. It can have at most 90 characters.`,
        },
      ],
      [
        "ends.",
        {
          code: "InvalidResourceGroup",
          message: `The provided resource group name 'ends.' ends with '.'. The name can only be a letter, digit, '-', '.', '(', ')' or '_', and cannot end with '.'.`,
        },
      ],
    ];
    for (const [name, expected] of rows) {
      it(`${JSON.stringify(name.length > 20 ? `${name.slice(0, 12)}…(${name.length})` : name)} → ${expected === "ok" ? "created" : expected.code}`, async function () {
        await expectRow(
          () =>
            h.arm("PUT", groupPath(h.sub, encodeURIComponent(name)), {
              apiVersion: "2021-04-01",
              body: { location: "westus" },
            }),
          expected,
          name,
        );
      });
    }
  });

  describe("user-assigned identity names: ^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$ (InvalidResourceName)", function () {
    const bad = (name: string) => ({
      code: "InvalidResourceName",
      message: `The resource name '${name}' is invalid. ${IDENTITY_RULE}`,
    });
    const rows: Row[] = [
      ["ID1", "ok"],
      ["a_b-c", "ok"],
      ["1" + "x".repeat(127), "ok"],
      ["u1", bad("u1")],
      ["f1", bad("f1")],
      ["-abc", bad("-abc")],
      ["_abc", bad("_abc")],
      ["ab.c", bad("ab.c")],
      ["x".repeat(129), bad("x".repeat(129))],
    ];
    for (const [name, expected] of rows) {
      it(`${JSON.stringify(name.length > 20 ? `${name.slice(0, 12)}…(${name.length})` : name)} → ${expected === "ok" ? "created" : expected.code}`, async function () {
        await expectRow(
          () =>
            h.arm("PUT", identityPath(h.sub, "rg", encodeURIComponent(name)), {
              apiVersion: "2023-01-31",
              body: { location: "westus" },
            }),
          expected,
          name,
        );
      });
    }
  });

  describe("scale set names: 1-64 characters, none of \\/\"[]:|<>+=;,?*@& or spaces, no leading '_', no trailing '.' or '-' (InvalidResourceName)", function () {
    const bad = (name: string) => ({
      code: "InvalidResourceName",
      message: `The resource name '${name}' is invalid. ${SCALE_SET_RULE}`,
    });
    const rows: Row[] = [
      ["myVMSS", "ok"],
      ["v", "ok"],
      ["vmss_1.a-b", "ok"],
      ["x".repeat(64), "ok"],
      ["x".repeat(65), bad("x".repeat(65))],
      ["_vmss", bad("_vmss")],
      ["vmss.", bad("vmss.")],
      ["vmss-", bad("vmss-")],
      ["a b", bad("a b")],
      ...[...'\\"[]:|<>+=;,?*@&'].map((c): Row => [`a${c}b`, bad(`a${c}b`)]),
    ];
    for (const [name, expected] of rows) {
      it(`${JSON.stringify(name.length > 20 ? `${name.slice(0, 12)}…(${name.length})` : name)} → ${expected === "ok" ? "created" : expected.code}`, async function () {
        const body = { location: "westus", sku: { name: "Standard_D1_v2", capacity: 1 }, properties: {} };
        await expectRow(
          () => h.arm("PUT", scaleSetPath(h.sub, "rg", encodeURIComponent(name)), { body }),
          expected,
          name,
        );
      });
    }
  });

  describe("locations: a region of the public cloud, in any casing and spacing", function () {
    const regions = PUBLIC_REGIONS.join(",");
    const cases: [string, string, string, (location: string) => Promise<HttpResult>][] = [
      [
        "resource group",
        "LocationNotAvailableForResourceGroup",
        "The provided location '{loc}' is not available for resource group. List of available regions is '{regions}'.",
        (location) => h.arm("PUT", groupPath(h.sub, "other"), { apiVersion: "2021-04-01", body: { location } }),
      ],
      [
        "user-assigned identity",
        "LocationNotAvailableForResourceType",
        "The provided location '{loc}' is not available for resource type 'Microsoft.ManagedIdentity/userAssignedIdentities'. List of available regions for the resource type is '{regions}'.",
        (location) => h.arm("PUT", identityPath(h.sub, "rg", "ID1"), { apiVersion: "2023-01-31", body: { location } }),
      ],
      [
        "scale set",
        "LocationNotAvailableForResourceType",
        "The provided location '{loc}' is not available for resource type 'Microsoft.Compute/virtualMachineScaleSets'. List of available regions for the resource type is '{regions}'.",
        (location) =>
          h.arm("PUT", scaleSetPath(h.sub, "rg", "vmss"), {
            body: { location, sku: { name: "Standard_D1_v2", capacity: 1 } },
          }),
      ],
    ];
    for (const [what, code, template, send] of cases) {
      for (const [location, normalised, ok] of [
        ["westus", "westus", true],
        ["West US 2", "westus2", true],
        ["moon", "moon", false],
        ["east/us", "east/us", false],
      ] as const) {
        it(`${what}: ${JSON.stringify(location)} → ${ok ? "created" : code}`, async function () {
          const message = template.replace("{loc}", normalised).replace("{regions}", regions);
          await expectRow(() => send(location), ok ? "ok" : { code, message }, `${what} ${location}`);
        });
      }
    }
  });

  describe("tags: at most 50; names 1-512 characters without < > % & \\ ? /; values at most 256 characters", function () {
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, "v"]));
    const rows: [string, Record<string, unknown>, Row[1]][] = [
      ["50 tags", many(50), "ok"],
      ["a 512-character name and a 256-character value", { ["n".repeat(512)]: "v".repeat(256) }, "ok"],
      [
        "51 tags",
        many(51),
        {
          code: "InvalidTags",
          message: "Too many tags specified. Requested tag count - '51'. Maximum number of tags allowed - '50'.",
        },
      ],
      [
        "reserved characters",
        { "a/b": "1", ok: "2", "c<d": "3" },
        {
          code: "InvalidTagNameCharacters",
          message: "The tag names 'a/b, c<d' have reserved characters '<,>,%,&,\\,?,/' or control characters.",
        },
      ],
      [
        "an empty name",
        { " ": "1" },
        {
          code: "InvalidTagName",
          message: "The tag name must be non-null, non-empty and non-whitespace only. Please provide an actual value.",
        },
      ],
      [
        "a 513-character name",
        { ["n".repeat(513)]: "v" },
        {
          code: "InvalidTagName",
          message: `Tag key too large. Following tag name '${"n".repeat(513)}' exceeded the maximum length. Maximum allowed length for tag name - '512' characters.`,
        },
      ],
      [
        "a 257-character value",
        { n: "v".repeat(257) },
        {
          code: "InvalidTagValueLength",
          message: `Tag value too large. Following tag value '${"v".repeat(257)}' exceeded the maximum length. Maximum allowed length for tag value - '256' characters.`,
        },
      ],
      [
        "an object as value",
        { n: { nested: true } },
        {
          code: "InvalidRequestContent",
          message:
            "The request content was invalid and could not be deserialized: 'Error converting value {\"nested\":true} to type 'System.String'. Path 'tags.n'.'.",
        },
      ],
    ];
    const targets: [string, (tags: Record<string, unknown>) => Promise<HttpResult>][] = [
      [
        "resource group PATCH",
        (tags) => h.arm("PATCH", groupPath(h.sub, "rg"), { apiVersion: "2021-04-01", body: { tags } }),
      ],
      [
        "identity PUT",
        (tags) =>
          h.arm("PUT", identityPath(h.sub, "rg", "ID1"), {
            apiVersion: "2023-01-31",
            body: { location: "westus", tags },
          }),
      ],
      [
        "scale set PUT",
        (tags) =>
          h.arm("PUT", scaleSetPath(h.sub, "rg", "vmss"), {
            body: { location: "westus", sku: { name: "Standard_D1_v2", capacity: 1 }, tags },
          }),
      ],
    ];
    for (const [target, send] of targets) {
      for (const [label, tags, expected] of rows) {
        it(`${target}: ${label} → ${expected === "ok" ? "accepted" : expected.code}`, async function () {
          await expectRow(() => send(tags), expected, `${target}: ${label}`);
        });
      }
    }

    it("numbers and booleans become strings, as ARM's JSON reader converts them", async function () {
      const result = await h.arm("PATCH", groupPath(h.sub, "rg"), {
        apiVersion: "2021-04-01",
        body: { tags: { n: 5, b: true } },
      });
      assert.equal(result.status, 200);
      assert.deepEqual(result.body.tags, { n: "5", b: "true" });
    });
  });
});
