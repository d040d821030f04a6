// Links node_modules/pulumi-vmss-identity to this folder, so that code resolves the package by name from here.
// Why: a dynamic provider's serialised code is loaded with require-from-string and no file name, so it can only
// reach the package's implementation by package name, resolved from the Pulumi program's folder
// (docs/arm-behavior.md, "Pulumi facts"). Examples and tests then load the package as users do.
// Runs (then the build) from the `postprepare` script, which npm runs in the repository's own `npm ci`/`npm install`
// and never when the package is installed as a dependency. Not `prepare`: npm 11 lists a package's `prepare` among
// the install scripts it warns about when a consumer installs the packed tarball, though it does not run it there.
// Packing builds from `prepack`.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const link = path.join(root, "node_modules", "pulumi-vmss-identity");
fs.mkdirSync(path.dirname(link), { recursive: true });
try {
  if (fs.realpathSync(link) === root) return;
  fs.rmSync(link, { recursive: true, force: true });
} catch {
  // no link yet
}
fs.symlinkSync("..", link, "dir");
