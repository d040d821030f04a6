// Runs npm scripts at the same time, e.g. `node scripts/run-parallel.js typecheck:package lint` (what `npm test`
// does: neither needs the other, and tsc, ESLint and Prettier each keep about one core busy). Each script's output is
// printed whole when it ends, so that two tools' messages never interleave; the exit status is 1 when any failed.
"use strict";
const { spawn } = require("node:child_process");

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  console.error("usage: node scripts/run-parallel.js <npm script> [<npm script>…]");
  process.exit(2);
}

Promise.all(scripts.map(run)).then((codes) => {
  const failed = scripts.filter((_, i) => codes[i] !== 0);
  if (failed.length > 0) console.error(`run-parallel: failed: ${failed.join(", ")}`);
  process.exit(failed.length > 0 ? 1 : 0);
});

/** Runs `npm run <script>` with its output buffered; resolves to its exit status (1 when killed by a signal). */
function run(script) {
  // Under npm, npm_execpath is the npm that runs us: use the same one.
  const npm = process.env.npm_execpath;
  const child = npm
    ? spawn(process.execPath, [npm, "run", script], { stdio: ["ignore", "pipe", "pipe"] })
    : spawn("npm", ["run", script], { stdio: ["ignore", "pipe", "pipe"] });
  const output = [];
  child.stdout.on("data", (chunk) => output.push(chunk));
  child.stderr.on("data", (chunk) => output.push(chunk));
  return new Promise((resolve) => {
    child.on("error", (error) => {
      output.push(Buffer.from(`run-parallel: cannot start npm run ${script}: ${error.message}\n`));
    });
    child.on("close", (code) => {
      process.stdout.write(Buffer.concat(output));
      resolve(code ?? 1);
    });
  });
}
