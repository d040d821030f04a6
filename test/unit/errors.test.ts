/**
 * The error hierarchy: one class for every failure, `instanceof` safe across copies of the package, and every code
 * documented in docs/errors.md (this test fails when a code is added without its line there).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import * as pkg from "../../index";
import { ErrorCodes, InvalidInputError, VmssIdentityError } from "../../provider/errors";
import { ArmError, TransportErrorCodes, isArmError } from "../../provider/arm/errors";
import { InvalidArmIdError, parseScaleSetId } from "../../provider/grammar";
import { operationError } from "../../provider/operationError";

const ROOT = path.resolve(__dirname, "../..");
const ERRORS_DOC = fs.readFileSync(path.join(ROOT, "docs/errors.md"), "utf8");

/** Loads a second copy of provider/errors.ts, as a dynamic provider's deserialised code or a bundled copy has. */
function secondCopy(): typeof import("../../provider/errors") {
  const source = fs.readFileSync(path.join(ROOT, "provider/errors.ts"), "utf8");
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const module = { exports: {} as Record<string, unknown> };
  new Function("module", "exports", "require", js.outputText)(module, module.exports, require);
  return module.exports as unknown as typeof import("../../provider/errors");
}

describe("errors: one hierarchy", () => {
  it("every code the package gives is listed in docs/errors.md", () => {
    const codes = new Set<string>([...Object.values(ErrorCodes), ...Object.values(TransportErrorCodes)]);
    const undocumented = [...codes].filter((code) => !ERRORS_DOC.includes(`| \`${code}\` |`));
    assert.deepEqual(undocumented, [], "codes missing from docs/errors.md");
  });

  it("every code passed to an error in the shipped sources is an ErrorCodes value (so it is documented)", () => {
    const known = new Set<string>(Object.values(ErrorCodes));
    const literal = /\bcode:\s*"([A-Za-z]+)"/g;
    const offenders: string[] = [];
    for (const dir of ["provider", "components"]) {
      for (const file of fs.readdirSync(path.join(ROOT, dir), { recursive: true }) as string[]) {
        if (!file.endsWith(".ts")) continue;
        const text = fs.readFileSync(path.join(ROOT, dir, file), "utf8");
        for (const match of text.matchAll(literal))
          if (!known.has(match[1])) offenders.push(`${dir}/${file}: ${match[1]}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it("subclasses are VmssIdentityErrors with a code, and instanceof holds across copies of the package", () => {
    const copy = secondCopy();
    const other = new copy.InvalidInputError("x: bad", { property: "x" });
    assert.ok(other instanceof VmssIdentityError, "a second copy's error is a VmssIdentityError here");
    assert.ok(other instanceof InvalidInputError);
    assert.ok(!(other instanceof ArmError), "brands are per class");
    const here = new InvalidInputError("y: bad");
    assert.ok(here instanceof copy.VmssIdentityError);
    assert.ok(here instanceof copy.InvalidInputError);
    assert.equal(here.code, ErrorCodes.invalidInput);
    assert.ok(!(new Error("plain") instanceof VmssIdentityError));
    assert.ok(!({ code: "InvalidInput" } instanceof VmssIdentityError));

    assert.throws(
      () => parseScaleSetId("nope"),
      (e: unknown) => {
        assert.ok(e instanceof InvalidArmIdError && e instanceof InvalidInputError && e instanceof VmssIdentityError);
        assert.ok(e instanceof copy.VmssIdentityError);
        assert.equal((e as VmssIdentityError).code, ErrorCodes.invalidArmId);
        return true;
      },
    );
  });

  it("an ArmError keeps its behaviour (code, statusCode, requestId, isArmError) and is a VmssIdentityError", () => {
    const e = new ArmError({
      code: "ResourceNotFound",
      message: "gone",
      method: "GET",
      path: "/subscriptions/s/x?api-version=1",
      statusCode: 404,
      requestId: "req-1",
    });
    assert.ok(e instanceof VmssIdentityError && e instanceof secondCopy().VmssIdentityError);
    assert.ok(isArmError(e));
    assert.equal(e.name, "ArmError");
    assert.deepEqual(
      [e.code, e.statusCode, e.requestId, e.path],
      ["ResourceNotFound", 404, "req-1", "/subscriptions/s/x"],
    );
    assert.equal(e.message, "ResourceNotFound: gone (GET /subscriptions/s/x, HTTP 404, request id req-1)");
    // A plain object shaped like an older ArmError is still recognised by isArmError.
    assert.ok(isArmError(Object.assign(new Error("old"), { name: "ArmError", code: "Conflict" })));
  });

  it("an operation's failure names the operation and the scale set, and keeps ARM's code, status and request id", () => {
    const cause = new ArmError({
      code: "Conflict",
      message: "busy",
      method: "PATCH",
      path: "/x",
      statusCode: 409,
      requestId: "r",
    });
    const wrapped = operationError("updating identities of", "/subscriptions/s/vmss", cause);
    assert.ok(wrapped instanceof VmssIdentityError);
    assert.deepEqual(
      [wrapped.code, wrapped.statusCode, wrapped.requestId, wrapped.operation, wrapped.resourceId, wrapped.cause],
      ["Conflict", 409, "r", "updating identities of", "/subscriptions/s/vmss", cause],
    );
    const odd = operationError("reading", "/x", new TypeError("boom"));
    assert.equal(odd.code, ErrorCodes.unexpected);
  });

  it("the package root exports the hierarchy", () => {
    assert.equal(pkg.VmssIdentityError, VmssIdentityError);
    assert.equal(pkg.ArmError, ArmError);
    assert.equal(pkg.ErrorCodes, ErrorCodes);
  });
});
