// Runs npm scripts at the same time, e.g. `node scripts/run-parallel.js test:run typecheck:package` (what `npm test`
// does, after `build` beside `lint`: none of a pair needs the other, and each leaves a core idle often enough).
// The first script's output is live (it is the one to watch); the others' is buffered and printed whole, script by
// script, once every script has ended, so that two tools' messages never interleave. The exit status is 1 when any
// failed.
"use strict";
const { spawn } = require("node:child_process");

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  console.error("usage: node scripts/run-parallel.js <npm script> [<npm script>…]");
  process.exit(2);
}

Promise.all(scripts.map((script, i) => run(script, i === 0))).then((results) => {
  for (const { output } of results) process.stdout.write(Buffer.concat(output));
  const failed = scripts.filter((_, i) => results[i].code !== 0);
  if (failed.length > 0) console.error(`run-parallel: failed: ${failed.join(", ")}`);
  process.exit(failed.length > 0 ? 1 : 0);
});

/** Runs `npm run <script>`, live or with its output buffered; resolves to its exit status (1 when killed by a signal). */
function run(script, live) {
  // Under npm, npm_execpath is the npm that runs us: use the same one.
  const npm = process.env.npm_execpath;
  const stdio = live ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"];
  const child = npm
    ? spawn(process.execPath, [npm, "run", script], { stdio })
    : spawn("npm", ["run", script], { stdio });
  const output = [];
  child.stdout?.on("data", (chunk) => output.push(chunk));
  child.stderr?.on("data", (chunk) => output.push(chunk));
  return new Promise((resolve) => {
    child.on("error", (error) => {
      output.push(Buffer.from(`run-parallel: cannot start npm run ${script}: ${error.message}\n`));
    });
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}
