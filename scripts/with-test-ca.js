// Runs a TypeScript script (a benchmark) with the test CA trusted, as scripts/run-tests.js does for the tests:
// NODE_EXTRA_CA_CERTS is read only at process start, so the CA must exist before the script's process begins.
// The CA comes from the emulator workspace package (built by `npm ci` / `npm run build`).
// Usage: node scripts/with-test-ca.js bench/provider.ts [args…]
"use strict";
const { spawnSync } = require("node:child_process");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const caDir = path.join(root, ".test-tls");
require("vmss-identity-emulator")
  .ensureCa(caDir)
  .then(({ caPath }) => {
    const [script, ...args] = process.argv.slice(2);
    const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", script, ...args], {
      stdio: "inherit",
      cwd: root,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caPath, VMSS_TEST_CA_DIR: caDir },
    });
    process.exit(result.status ?? 1);
  });
