// A V8 code cache for the Node.js processes the end-to-end tests make the Pulumi CLI start (dynamic providers, the
// provider plugin, the language host), preloaded with NODE_OPTIONS=--require by test/support/world.ts. Each of them
// compiles @pulumi/pulumi, TypeScript (which @pulumi/pulumi loads) and gRPC anew: about 0.5 s of its 1.5 s of CPU.
//
// Node.js 22.1+ does this itself (module.enableCompileCache), and is asked to. On Node.js 20, only files under a
// node_modules folder go through the cache, so that this repository's own code under test compiles as it always
// does: a module is compiled by V8 with the cached data of its last compilation when V8 accepts it, and its data is
// written once, right after its first run (so it holds the functions its loading ran, not only its top level).
// Entries are keyed by Node.js version and flags, file name and content; VMSS_TEST_COMPILE_CACHE names the folder.
"use strict";
const Module = require("node:module");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const dir = process.env.VMSS_TEST_COMPILE_CACHE;
if (dir && typeof Module.enableCompileCache === "function") {
  Module.enableCompileCache(dir);
} else if (dir) {
  fs.mkdirSync(dir, { recursive: true });
  const compile = Module.prototype._compile;
  const dependency = `${path.sep}node_modules${path.sep}`;

  // V8 takes cached data only from its own version and flags.
  const runtime = `${process.version}\0${process.execArgv.join(" ")}\0`;

  Module.prototype._compile = function (content, filename, format) {
    // ES modules (which Node.js 20 may load through require) and this repository's own files: as Node.js does.
    if (!filename.includes(dependency) || (format !== undefined && format !== "commonjs")) {
      return compile.apply(this, arguments);
    }
    const key = crypto.createHash("sha1").update(runtime).update(filename).update("\0").update(content).digest("hex");
    const file = path.join(dir, `${key}.v8`);
    let cachedData;
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    // Node.js strips a shebang line the same way before compiling.
    const source = Module.wrap(content.startsWith("#!") ? `//${content}` : content);
    let script;
    try {
      script = new vm.Script(source, {
        filename,
        cachedData,
        importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
      });
    } catch (error) {
      // Not CommonJS after all (Node.js then tries it as an ES module), or a real syntax error: Node.js says which.
      if (error instanceof SyntaxError) return compile.apply(this, arguments);
      throw error;
    }
    const result = script
      .runInThisContext({ displayErrors: true })
      .call(this.exports, this.exports, requireOf(this), this, filename, path.dirname(filename));
    // Written once: data V8 rejected (its flags changed since, as @pulumi/pulumi's closure code changes them) is
    // not written again.
    if (cachedData === undefined) writeAtomically(file, script.createCachedData());
    return result;
  };
}

/** The `require` a module's code gets (what Node.js gives it, for what CommonJS code uses). */
function requireOf(module) {
  const require = (id) => module.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, module);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

/** Writes through a temporary file and a rename: processes started side by side may write the same entry. */
function writeAtomically(file, data) {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, data);
    fs.renameSync(temporary, file);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}
