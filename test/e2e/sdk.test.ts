/**
 * The SDKs in sdk/, generated from the plugin's schema by the Pulumi CLI this repository builds:
 * - they are what `npm run gen-sdk` makes now (a schema change without regenerated SDKs fails here, so in CI);
 * - the Go SDK compiles, and so does a Go program using it (`go build`, pulumi's Go SDK from the Go module proxy);
 * - the Python SDK byte-compiles (`python3 -m compileall`); PyPI is not reachable here, so it is not installed;
 * - the Node.js SDK parses; it needs @pulumi/pulumi >= 3.269 (Node.js 22), so it cannot be type-checked against this
 *   repository's 3.248;
 * - the .NET SDK: no .NET SDK on these machines and no NuGet access, so only a syntax sanity check (braces balance,
 *   every file in the package's namespace, and the C# example's braces and use of that namespace) is made; it is not
 *   compiled.
 * The Node.js, Python and Go SDKs also run programs under the engine in test/e2e-languages (a step of .ci/run).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const SDK = path.join(ROOT, "sdk");

function run(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return new Promise<{ code: number; out: string }>((resolve) =>
    execFile(cmd, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, maxBuffer: 64 << 20 }, (e, o, s) =>
      resolve({ code: e ? (typeof e.code === "number" ? e.code : 1) : 0, out: `${o}${s}` }),
    ),
  );
}

function filesUnder(dir: string, suffix: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(suffix));
}

describe("e2e: the generated SDKs", function () {
  this.timeout(900_000);

  it("are up to date with the plugin's schema", async () => {
    const { code, out } = await run("bash", ["scripts/gen-sdk.sh", "--check"]);
    assert.equal(code, 0, out);
    assert.match(out, /sdk\/ is up to date/);
    const schema = JSON.parse(fs.readFileSync(path.join(SDK, "schema.json"), "utf8"));
    assert.deepEqual(Object.keys(schema.resources).sort(), [
      "vmss-identity:index:ScaleSet",
      "vmss-identity:index:ScaleSetWithIdentity",
      "vmss-identity:index:VmssManagedIdentity",
    ]);
  });

  it("Go: the SDK and a program using it build", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmss-identity-go-"));
    try {
      fs.writeFileSync(
        path.join(dir, "go.mod"),
        [
          "module example.invalid/uses-vmss-identity",
          "",
          "go 1.24",
          "",
          "require github.com/pulumi-vmss-identity/pulumi-vmss-identity/sdk v0.0.0",
          "",
          `replace github.com/pulumi-vmss-identity/pulumi-vmss-identity/sdk => ${SDK}`,
          "",
        ].join("\n"),
      );
      fs.writeFileSync(
        path.join(dir, "main.go"),
        `package main

import (
	"github.com/pulumi-vmss-identity/pulumi-vmss-identity/sdk/go/vmssidentity"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		ids, err := vmssidentity.NewVmssManagedIdentity(ctx, "ids", &vmssidentity.VmssManagedIdentityArgs{
			ScaleSetId:             pulumi.String("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss"),
			UserAssignedIdentities: pulumi.StringArray{pulumi.String("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app")},
			Mode:                   pulumi.String("exclusive"),
		})
		if err != nil {
			return err
		}
		ctx.Export("principalId", ids.PrincipalId)
		ctx.Export("others", ids.OtherUserAssignedIdentities)
		return nil
	})
}
`,
      );
      const env = { ...process.env, GOFLAGS: `${process.env.GOFLAGS ?? ""} -mod=mod`.trim() };
      const tidy = await run("go", ["mod", "tidy"], { cwd: dir, env });
      assert.equal(tidy.code, 0, tidy.out);
      const build = await run("go", ["build", "-o", path.join(dir, "program"), "."], { cwd: dir, env });
      assert.equal(build.code, 0, build.out);
      assert.ok(fs.statSync(path.join(dir, "program")).size > 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("Python: the SDK byte-compiles", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "vmss-identity-py-"));
    try {
      // Compiled into a temporary prefix so that sdk/ gets no __pycache__.
      const { code, out: log } = await run("python3", ["-m", "compileall", "-q", "-p", out, path.join(SDK, "python")], {
        env: { ...process.env, PYTHONPYCACHEPREFIX: out },
      });
      assert.equal(code, 0, log);
      assert.ok(filesUnder(path.join(SDK, "python"), ".py").some((f) => f.endsWith("vmss_managed_identity.py")));
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it("Node.js: the SDK parses (syntax only: it needs @pulumi/pulumi >= 3.269, this repository has 3.248)", () => {
    // Pulumi's generator writes SDKs that call @pulumi/pulumi APIs of 3.269 and later (e.g. runtime.existsResource),
    // and declares that minimum; those releases require Node.js 22, so this Node.js 20 repository pins 3.248 and
    // cannot type-check them. What can be checked here: every file parses, and the package asks for that minimum.
    const ts = require("typescript") as typeof import("typescript");
    const files = filesUnder(path.join(SDK, "nodejs"), ".ts");
    assert.ok(files.includes("vmssManagedIdentity.ts"), files.join(", "));
    for (const file of files) {
      const text = fs.readFileSync(path.join(SDK, "nodejs", file), "utf8");
      const out = ts.transpileModule(text, { fileName: file, reportDiagnostics: true });
      assert.deepEqual(
        (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")),
        [],
        file,
      );
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(SDK, "nodejs/package.json"), "utf8"));
    assert.equal(pkg.dependencies["@pulumi/pulumi"], "^3.269.0");
    assert.equal(pkg.version, require("../../package.json").version);
  });

  it(".NET: syntax sanity only (no dotnet here)", () => {
    const files = filesUnder(path.join(SDK, "dotnet"), ".cs");
    assert.ok(
      files.some((f) => f.endsWith("VmssManagedIdentity.cs")),
      files.join(", "),
    );
    for (const file of files) {
      const text = fs.readFileSync(path.join(SDK, "dotnet", file), "utf8").replace(/"(?:[^"\\]|\\.)*"/g, '""');
      const opens = (text.match(/\{/g) ?? []).length;
      assert.equal(opens, (text.match(/\}/g) ?? []).length, `${file}: braces do not balance`);
      assert.match(text, /namespace PulumiVmssIdentity\.VmssIdentity/, `${file}: not in the package's namespace`);
    }
    // The C# example (examples/csharp) uses the SDK's namespace and types, with balanced braces and parentheses.
    const example = fs
      .readFileSync(path.join(ROOT, "examples/csharp/Program.cs"), "utf8")
      .replace(/\/\/.*$/gm, "")
      .replace(/"(?:[^"\\]|\\.)*"/g, '""');
    for (const [open, close] of [
      ["{", "}"],
      ["(", ")"],
      ["[", "]"],
    ]) {
      assert.equal(
        example.split(open).length,
        example.split(close).length,
        `Program.cs: ${open}${close} do not balance`,
      );
    }
    assert.match(example, /using PulumiVmssIdentity\.VmssIdentity;/);
    assert.match(example, /new VmssManagedIdentity\("", new VmssManagedIdentityArgs/);
    // The arguments it sets and the outputs it reads are the SDK's.
    const resource = fs.readFileSync(path.join(SDK, "dotnet/VmssManagedIdentity.cs"), "utf8");
    for (const name of example.match(/^\s+(\w+) = (?!new)/gm) ?? []) {
      assert.match(resource, new RegExp(`public Input\\S* ${name.trim().split(" ")[0]}\\b`), name);
    }
    for (const [, name] of example.matchAll(/teamIdentities\.(\w+)/g)) {
      assert.match(resource, new RegExp(`public Output<.+> ${name} \\{`), name);
    }
  });
});
