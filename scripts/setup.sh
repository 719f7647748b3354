#!/usr/bin/env bash
# Everything the test suite needs beyond npm, installed if missing (idempotent, seconds when done):
#   - Debian's python3-torch and python3-mpmath: the independent oracles of the numeric tests;
#   - Debian's python3-onnx: ONNX's own checker of the exported models;
#   - the real-editor harness: chromium (apt), Node 24, code-server and playwright-core (.editor/);
#   - Debian's neovim: a second real LSP client (test/neovim/).
# Called by `npm test` (unless NETSPEC_NO_SETUP=1) and by .ci/run. Needs root (or sudo) for apt.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else echo "setup: need root for: $*" >&2; exit 1; fi; }

if ! /usr/bin/python3 -c 'import torch, mpmath, onnx' 2>/dev/null; then
  echo "[setup] installing python3-torch, python3-mpmath and python3-onnx (apt)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-mpmath python3-onnx >/dev/null
fi

if ! command -v nvim >/dev/null; then
  echo "[setup] installing neovim (apt)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim >/dev/null
fi

bash scripts/editor/install.sh
