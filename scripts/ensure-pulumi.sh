#!/usr/bin/env bash
# Yields a working Pulumi CLI (plus a Node.js language host, the YAML language host and the dynamic-provider plugin
# script) and prints the directory that holds it on its last line.
#
# 1. A `pulumi` on PATH that is recent enough (>= MIN_VERSION) with `pulumi-language-nodejs` and `pulumi-language-yaml`
#    is used as it is.
# 2. Otherwise the CLI is built from Pulumi's published Go modules into .pulumi-cli/ (git-ignored) and
#    reused on later runs. The build follows the "tools module" pattern Pulumi's own repositories use:
#    a throw-away module that requires pkg/v3 and builds its cmd/pulumi package, so the replace
#    directives in Pulumi's go.mod (local paths) do not apply.
#    Why built: the CLI cannot be downloaded on this project's machines (README, "The Pulumi CLI").
#    Pulumi's Go language host for Node.js is not served by the Go module proxy here (403 for
#    sdk/nodejs/cmd/pulumi-language-nodejs), so scripts/pulumi-language-nodejs stands in for it.
# 3. The YAML language host `pulumi-language-yaml` (Pulumi YAML programs, used by the provider plugin's e2e tests) is
#    built from the Go module github.com/pulumi/pulumi-yaml (its cmd/pulumi-language-yaml) into the same folder,
#    in a throw-away module of its own (it pins another pkg/v3 than the CLI), and reused on later runs.
set -euo pipefail

PULUMI_VERSION="${PULUMI_VERSION:-v3.274.1}"
PULUMI_YAML_VERSION="${PULUMI_YAML_VERSION:-v1.25.0}"
MIN_VERSION="3.181.0"   # inline refresh/destroy in the Automation API need >= 3.181 (Pulumi's CHANGELOG)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${PULUMI_CLI_DIR:-$ROOT/.pulumi-cli}"
BIN="$DEST/bin"

log() { echo "ensure-pulumi: $*" >&2; }

version_ge() { # version_ge A B: A >= B (dotted numbers, leading v ignored)
  [ "$(printf '%s\n%s\n' "${1#v}" "${2#v}" | sort -V | head -1)" = "${2#v}" ]
}

install_plugins() {
  # The dynamic-provider plugin is a tiny script shipped inside @pulumi/pulumi; the engine looks for it next to
  # the real path of the running `pulumi` binary.
  local src="$ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
  if [ -f "$src" ]; then
    install -m 0755 "$src" "$BIN/pulumi-resource-pulumi-nodejs"
  else
    log "warning: $src not found (run npm ci first); dynamic resources will not load"
  fi
  install -m 0755 "$ROOT/scripts/pulumi-language-nodejs" "$BIN/pulumi-language-nodejs"
}

ensure_yaml_host() {
  # The version built is recorded beside the binary: the host has no --version flag.
  local stamp="$BIN/.pulumi-language-yaml.version"
  if [ -x "$BIN/pulumi-language-yaml" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$PULUMI_YAML_VERSION" ]; then
    log "reusing pulumi-language-yaml $PULUMI_YAML_VERSION built in $BIN"
    return
  fi
  command -v go >/dev/null 2>&1 || { log "error: no Go toolchain to build pulumi-language-yaml"; exit 1; }
  log "building pulumi-language-yaml $PULUMI_YAML_VERSION from Go modules into $BIN (cold: about 13 minutes on 2 busy cores; seconds with a warm Go build cache)"
  local start work
  start=$(date +%s)
  work="$DEST/build-yaml"
  mkdir -p "$work" "$BIN"
  (
    cd "$work"
    [ -f go.mod ] || go mod init example.invalid/pulumi-yaml-build >/dev/null 2>&1
    cat > tools.go <<'GO'
//go:build tools

// Package tools pins the Pulumi YAML language host so that `go build` can build it as a dependency.
package tools

import _ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
GO
    export GOFLAGS="${GOFLAGS:-} -mod=mod"
    go get "github.com/pulumi/pulumi-yaml@$PULUMI_YAML_VERSION" >&2
    go mod tidy >&2
    CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$PULUMI_YAML_VERSION" \
      -o "$BIN/pulumi-language-yaml" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml >&2
  )
  echo "$PULUMI_YAML_VERSION" > "$stamp"
  log "built pulumi-language-yaml $PULUMI_YAML_VERSION in $(( $(date +%s) - start )) s"
}

if [ -z "${PULUMI_FORCE_BUILD:-}" ] && command -v pulumi >/dev/null 2>&1; then
  onpath="$(command -v pulumi)"
  v="$(pulumi version 2>/dev/null || true)"
  if [ "$(dirname "$(readlink -f "$onpath")")" != "$(readlink -f "$BIN" 2>/dev/null || echo none)" ] \
     && version_ge "$v" "$MIN_VERSION" && command -v pulumi-language-nodejs >/dev/null 2>&1 \
     && command -v pulumi-language-yaml >/dev/null 2>&1; then
    log "using pulumi $v from PATH ($onpath)"
    dirname "$(readlink -f "$onpath")"
    exit 0
  fi
fi

if [ -x "$BIN/pulumi" ] && [ "$("$BIN/pulumi" version 2>/dev/null)" = "$PULUMI_VERSION" ]; then
  log "reusing pulumi $PULUMI_VERSION built in $BIN"
  install_plugins
  ensure_yaml_host
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null 2>&1 || { log "error: no pulumi >= $MIN_VERSION on PATH and no Go toolchain to build one"; exit 1; }

log "building pulumi $PULUMI_VERSION from Go modules into $BIN (cold: about 9 minutes on 2 cores)"
start=$(date +%s)
WORK="$DEST/build"
mkdir -p "$WORK" "$BIN"
cd "$WORK"
if [ ! -f go.mod ]; then
  go mod init example.invalid/pulumi-cli-build >/dev/null 2>&1
fi
cat > tools.go <<'GO'
//go:build tools

// Package tools pins the Pulumi CLI and Node.js language host so that `go build` can build them as dependencies.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
GO
export GOFLAGS="${GOFLAGS:-} -mod=mod"
go get "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" >&2
go mod tidy >&2
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"
CGO_ENABLED=0 go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" \
  -o "$BIN/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
install_plugins
log "built pulumi $("$BIN/pulumi" version) in $(( $(date +%s) - start )) s"
ensure_yaml_host
echo "$BIN"
