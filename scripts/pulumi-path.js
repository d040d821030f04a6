// Prints the absolute path of the `pulumi` CLI that the end-to-end tests and the demo use
// (building it first when needed: scripts/ensure-pulumi.sh reuses a build that is already there).
"use strict";
const { execFileSync } = require("node:child_process");
const path = require("node:path");

const dir = execFileSync("bash", [path.join(__dirname, "ensure-pulumi.sh")], { stdio: ["ignore", "pipe", "inherit"] })
  .toString()
  .trim()
  .split("\n")
  .pop();
console.log(path.join(dir, "pulumi"));
