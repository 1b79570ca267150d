#!/usr/bin/env bash
# Prints a folder holding a `go` command recent enough (>= 1.21) to fetch the toolchain the Temporal server build
# asks for (GOTOOLCHAIN=go1.26.10): the go on PATH when there is one, else the Go toolchain module downloaded once
# from the Go module proxy into ~/.cache/agntix-temporal/ (Debian's golang-go is too old to do that itself).
set -euo pipefail
VERSION=go1.26.10
if command -v go >/dev/null 2>&1; then
  minor=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
  if [ "${minor:-0}" -ge 21 ]; then dirname "$(command -v go)"; exit 0; fi
fi
cache="${XDG_CACHE_HOME:-$HOME/.cache}/agntix-temporal/$VERSION"
module="golang.org/toolchain@v0.0.1-$VERSION.linux-amd64"
if [ ! -x "$cache/$module/bin/go" ]; then
  echo "downloading the Go toolchain $VERSION from the Go module proxy" >&2
  mkdir -p "$cache"
  curl -fsSL "https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-$VERSION.linux-amd64.zip" -o "$cache/toolchain.zip"
  unzip -q -o "$cache/toolchain.zip" -d "$cache"
  rm "$cache/toolchain.zip"
  chmod +x "$cache/$module/bin/"* "$cache/$module/pkg/tool/"*/* 2>/dev/null || true
fi
echo "$cache/$module/bin"
