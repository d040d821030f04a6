#!/usr/bin/env bash
# Regenerates the SDKs of the `vmss-identity` provider plugin in sdk/ (nodejs, python, go, dotnet) from the schema
# the plugin itself serves:
#   pulumi package get-schema <plugin>   → sdk/schema.json   (the Pulumi CLI of scripts/ensure-pulumi.sh)
#   sdkgen sdk/schema.json <language>    → sdk/<language>/
# `pulumi package gen-sdk` hands code generation to each language's host (its GeneratePackage call), and none of
# those hosts is served by the Go module proxy these machines reach (pulumi-language-go, -python, -nodejs, -dotnet:
# 403). scripts/sdkgen is the same call made directly: Pulumi's code generators from github.com/pulumi/pulumi/pkg/v3
# at the CLI's version (nodejs, python, go), and at v3.206.0 for .NET, whose generator has since left pkg/v3. The
# generator binaries are built into .pulumi-cli/bin (git-ignored) and reused.
#
# `--check` generates into a temporary folder instead and fails, listing the differences, when sdk/ is stale (the
# e2e suite runs it, so CI fails on a schema change without regenerated SDKs). Needs `npm run build` first (the
# plugin runs from dist/). Files in sdk/ that are not generated (sdk/go.mod) stay.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PULUMI="${PULUMI_CLI:-$(node "$ROOT/scripts/pulumi-path.js")}"
DEST="${PULUMI_CLI_DIR:-$ROOT/.pulumi-cli}"
CLI_PKG_VERSION="$("$PULUMI" version)"   # the CLI is built from pkg/v3 at its own version
LEGACY_PKG_VERSION="v3.206.0"   # dotnet: see scripts/sdkgen/generators_legacy.go
LANGUAGES=(nodejs python go dotnet)
check=false
[ "${1:-}" = "--check" ] && check=true

log() { echo "gen-sdk: $*" >&2; }

# build_sdkgen <pkg/v3 version> <generators file> <build tags> <binary>: builds scripts/sdkgen unless built already
# from the same sources and version.
build_sdkgen() {
  local version="$1" generators="$2" tags="$3" binary="$4"
  local want
  want="$version $(cat "$ROOT/scripts/sdkgen/main.go" "$ROOT/scripts/sdkgen/$generators" | sha256sum | cut -c1-16)"
  if [ -x "$binary" ] && [ "$(cat "$binary.stamp" 2>/dev/null)" = "$want" ]; then return; fi
  command -v go >/dev/null 2>&1 || { log "error: no Go toolchain to build the SDK generator"; exit 1; }
  log "building $(basename "$binary") (pkg/v3 $version) into $(dirname "$binary")"
  local work="$DEST/build-sdkgen-$version"
  rm -rf "$work" && mkdir -p "$work" "$(dirname "$binary")"
  # Only the generators of this build: `go mod tidy` reads every file whatever its build tags.
  cp "$ROOT/scripts/sdkgen/main.go" "$ROOT/scripts/sdkgen/$generators" "$work/"
  (
    cd "$work"
    export GOFLAGS="${GOFLAGS:-} -mod=mod"
    go mod init example.invalid/vmss-identity-sdkgen >/dev/null 2>&1
    go get "github.com/pulumi/pulumi/pkg/v3@$version" >&2
    go mod tidy >&2
    CGO_ENABLED=0 go build -trimpath -tags "$tags" -o "$binary" . >&2
  )
  echo "$want" > "$binary.stamp"
}

build_sdkgen "$CLI_PKG_VERSION" generators.go "" "$DEST/bin/vmss-identity-sdkgen"
build_sdkgen "$LEGACY_PKG_VERSION" generators_legacy.go legacy "$DEST/bin/vmss-identity-sdkgen-legacy"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A private Pulumi home: no plugin cache, no update check, no login; the plugin is found by its path.
export PULUMI_HOME="$work/home" PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true

plugin="$ROOT/dist/plugin/cli.js"
[ -x "$plugin" ] || { log "$plugin is missing: run npm run build first"; exit 1; }
mkdir -p "$work/bin" "$work/out"
ln -s "$plugin" "$work/bin/pulumi-resource-vmss-identity"
"$PULUMI" package get-schema "$work/bin/pulumi-resource-vmss-identity" > "$work/out/schema.json"

for lang in "${LANGUAGES[@]}"; do
  generator="$DEST/bin/vmss-identity-sdkgen"
  [ "$lang" = dotnet ] && generator="$DEST/bin/vmss-identity-sdkgen-legacy"
  "$generator" "$work/out/schema.json" "$lang" "$work/out/$lang"
done

if $check; then
  stale=false
  for item in schema.json "${LANGUAGES[@]}"; do
    if ! diff -r "$work/out/$item" "$ROOT/sdk/$item" > "$work/diff.txt" 2>&1; then
      stale=true
      log "sdk/$item is stale:"
      head -40 "$work/diff.txt" >&2
    fi
  done
  if $stale; then
    log "run npm run gen-sdk and commit sdk/"
    exit 1
  fi
  echo "gen-sdk: sdk/ is up to date with the plugin's schema"
  exit 0
fi

mkdir -p "$ROOT/sdk"
cp "$work/out/schema.json" "$ROOT/sdk/schema.json"
for lang in "${LANGUAGES[@]}"; do
  rm -rf "${ROOT:?}/sdk/$lang"
  cp -r "$work/out/$lang" "$ROOT/sdk/$lang"
done
echo "gen-sdk: regenerated sdk/ (${LANGUAGES[*]}) from the schema of $(basename "$plugin") with pulumi $CLI_PKG_VERSION"
