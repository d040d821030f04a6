#!/usr/bin/env node
// Packs the provider plugin as Pulumi installs plugins: `pulumi-resource-vmss-identity-v<version>-<os>-<arch>.tar.gz`,
// the archive `pulumi plugin install resource vmss-identity <version> --file <archive>` takes, and the one the engine
// downloads from the schema's `pluginDownloadURL` (a GitHub release of the repository) when an SDK asks for the plugin.
//
// The plugin is a Node.js program, so the archive holds no executable: the engine finds `PulumiPlugin.yaml`
// (`runtime: nodejs`) in the plugin's folder and starts it through the Node.js language host (`RunPlugin`), after
// `pulumi plugin install` had the same host install its dependencies (`InstallDependencies`: `npm install` in the
// folder). In the archive:
//   PulumiPlugin.yaml    from plugin/PulumiPlugin.yaml
//   package.json         the package's name, version, exports and license; `main` is the plugin's entry point
//                        (dist/plugin/cli.js); its dependencies are this package's, plus @pulumi/pulumi (a peer of the
//                        npm package, which the plugin needs at run time) and TypeScript (see EXTRA_DEPENDENCIES), at
//                        the versions package-lock.json pins
//   package-lock.json    the part of this repository's lock those dependencies need, so that `npm install` in the
//                        plugin folder installs exactly the versions tested here
//   dist/                the built code (`npm run build`), without the type declarations
//   LICENSE
// Node.js code runs anywhere, so the archive is the same for every platform; only its name says which one it is for
// (the engine asks for `<os>-<arch>` of the machine it runs on).
//
// Usage: node scripts/pack-plugin.js [--out DIR] [--all-platforms]
//   --out DIR          where the archives go (default: .plugin-archive/, git-ignored)
//   --all-platforms    one archive for each platform a release serves (see PLATFORMS), not only this machine's
// Prints the path of each archive it wrote, one a line.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
/** The plugin's executable name: `pulumi-resource-<package name>`. */
const PLUGIN = "pulumi-resource-vmss-identity";
/** The platforms a release serves, in Pulumi's names (`<os>-<arch>`). */
const PLATFORMS = ["linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64", "windows-amd64", "windows-arm64"];
/**
 * Runtime dependencies of the plugin beyond the package's own `dependencies`: @pulumi/pulumi (a peer of the npm
 * package), and TypeScript with ts-node, because @pulumi/pulumi's plugin runner (`cmd/run-plugin`, which the language
 * host's RunPlugin starts) always registers ts-node with the `tsconfig.json` of the engine's working folder, the
 * user's program folder: without them it falls back to its vendored TypeScript 3.8, which refuses the options of any
 * recent tsconfig.json (e.g. `"target": "ES2022"`), and the plugin does not start.
 */
const EXTRA_DEPENDENCIES = ["@pulumi/pulumi", "ts-node", "typescript"];

/** This machine's platform in Pulumi's names. */
function currentPlatform() {
  const os = { linux: "linux", darwin: "darwin", win32: "windows" }[process.platform];
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch];
  if (!os || !arch) throw new Error(`pack-plugin: no Pulumi platform name for ${process.platform}/${process.arch}`);
  return `${os}-${arch}`;
}

/**
 * Where Node.js finds `name` from the lock location `from` ("" is the root, else "node_modules/a/node_modules/b"):
 * the nearest `node_modules/<name>` up the tree that the lock lists.
 */
function resolveIn(packages, from, name) {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ""}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const at = base.lastIndexOf("node_modules/");
    base = at <= 0 ? "" : base.slice(0, at - 1);
  }
}

/**
 * The lock of the plugin's folder: every lock entry reachable from `dependencies`, at the same location as in the
 * repository's lock (so each one still resolves its own dependencies to the same entries), marked as production.
 */
function pluginLock(rootLock, manifest) {
  const packages = rootLock.packages;
  const picked = {};
  const queue = Object.keys(manifest.dependencies).map((name) => ["", name, false]);
  while (queue.length > 0) {
    const [from, name, optional] = queue.shift();
    const location = resolveIn(packages, from, name);
    if (!location) {
      if (optional) continue;
      throw new Error(`pack-plugin: ${name} (needed from "${from || "the root"}") is not in package-lock.json`);
    }
    if (picked[location]) continue;
    const entry = { ...packages[location] };
    if (entry.link) throw new Error(`pack-plugin: ${location} is a link in package-lock.json, not a published package`);
    delete entry.dev;
    delete entry.devOptional;
    delete entry.peer;
    picked[location] = entry;
    for (const dep of Object.keys(entry.dependencies ?? {})) queue.push([location, dep, false]);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) queue.push([location, dep, true]);
    // Peers npm would install are in the lock where the tree needs them; an optional peer left out is not.
    for (const dep of Object.keys(entry.peerDependencies ?? {})) queue.push([location, dep, true]);
  }
  const sorted = Object.fromEntries(
    Object.keys(picked)
      .sort()
      .map((k) => [k, picked[k]]),
  );
  return {
    name: manifest.name,
    version: manifest.version,
    lockfileVersion: 3,
    requires: true,
    packages: {
      "": {
        name: manifest.name,
        version: manifest.version,
        license: manifest.license,
        dependencies: manifest.dependencies,
        engines: manifest.engines,
      },
      ...sorted,
    },
  };
}

/** The plugin folder's package.json. */
function pluginManifest(pkg, rootLock) {
  const dependencies = {};
  for (const name of [...Object.keys(pkg.dependencies ?? {}), ...EXTRA_DEPENDENCIES].sort()) {
    const entry = rootLock.packages[`node_modules/${name}`];
    if (!entry) throw new Error(`pack-plugin: ${name} is not in package-lock.json: run npm install`);
    dependencies[name] = entry.version;
  }
  return {
    name: pkg.name,
    version: pkg.version,
    description: `The ${PLUGIN} Pulumi provider plugin (installed by \`pulumi plugin install\`).`,
    license: pkg.license,
    private: true,
    main: "dist/plugin/cli.js",
    // The dynamic provider's code reaches the package by its name; a package can require itself through `exports`.
    exports: pkg.exports,
    engines: pkg.engines,
    dependencies,
  };
}

function copyBuilt(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copyBuilt(source, target);
    else if (!entry.name.endsWith(".d.ts") && !entry.name.endsWith(".d.ts.map")) fs.copyFileSync(source, target);
  }
}

function main(argv) {
  let out = path.join(ROOT, ".plugin-archive");
  let platforms = [currentPlatform()];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out" && argv[i + 1]) out = path.resolve(argv[++i]);
    else if (argv[i] === "--all-platforms") platforms = PLATFORMS;
    else
      throw new Error(`pack-plugin: unknown argument ${JSON.stringify(argv[i])} (expected --out DIR, --all-platforms)`);
  }
  const entry = path.join(ROOT, "dist/plugin/cli.js");
  if (!fs.existsSync(entry)) throw new Error(`pack-plugin: ${entry} is missing: run npm run build first`);
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const rootLock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));

  const stage = fs.mkdtempSync(path.join(require("node:os").tmpdir(), "vmss-identity-plugin-"));
  try {
    const manifest = pluginManifest(pkg, rootLock);
    fs.copyFileSync(path.join(ROOT, "plugin/PulumiPlugin.yaml"), path.join(stage, "PulumiPlugin.yaml"));
    fs.writeFileSync(path.join(stage, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    fs.writeFileSync(
      path.join(stage, "package-lock.json"),
      `${JSON.stringify(pluginLock(rootLock, manifest), null, 2)}\n`,
    );
    copyBuilt(path.join(ROOT, "dist"), path.join(stage, "dist"));
    fs.copyFileSync(path.join(ROOT, "LICENSE"), path.join(stage, "LICENSE"));
    fs.mkdirSync(out, { recursive: true });
    const members = ["PulumiPlugin.yaml", "package.json", "package-lock.json", "dist", "LICENSE"];
    for (const platform of platforms) {
      const archive = path.join(out, `${PLUGIN}-v${pkg.version}-${platform}.tar.gz`);
      execFileSync("tar", ["-czf", archive, "-C", stage, ...members]);
      console.log(archive);
    }
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

try {
  main(process.argv.slice(2));
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}
