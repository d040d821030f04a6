#!/usr/bin/env node
// The package's command: runs the compiled CLI (dist/cli.js). Why a committed shim rather than a bin pointing into
// dist/: npm links a workspace's bin when the repository is installed, and only if the file exists then, while
// dist/ is built afterwards (by the repository's install scripts), so `npx vmss-identity-emulator` would be "not
// found" in a fresh clone.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const cli = path.join(__dirname, "..", "dist", "cli.js");
if (!fs.existsSync(cli)) {
  process.stderr.write(
    `vmss-identity-emulator is not built (${cli} is missing): run \`npm run build\` in the repository ` +
      "(its `npm ci` builds it too).\n",
  );
  process.exit(1);
}
require(cli);
