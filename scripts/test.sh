#!/usr/bin/env bash
# Installs what the tests need (Debian's Chromium included) and runs the whole suite:
# lint, pytest (real server, real tiny fastai training), jest and galata (real JupyterLab, real browser).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
step() { printf '\n=== %s (%ss)\n' "$1" "$(( $(date +%s) - started ))"; }

step "install"
bash scripts/bootstrap.sh
# shellcheck disable=SC1091
source .venv/bin/activate
CHROMIUM=/usr/lib/chromium/chromium
if [ ! -x "$CHROMIUM" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
(cd ui-tests && jlpm install --immutable)

# Leftovers in ~/.jupyter or ~/.local/share/jupyter must not change what the tests see.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export JUPYTER_CONFIG_DIR="$scratch/config" JUPYTER_RUNTIME_DIR="$scratch/runtime"
export DLCOACH_DB="$scratch/data/dlcoach/runs.sqlite"

step "lint"
ruff check .
ruff format --check .
jlpm lint:check

step "server extension is registered"
jupyter server extension list 2>&1 | grep -E "jupyterlab_dlcoach.*OK"
jupyter labextension list 2>&1 | grep -E "jupyterlab-dlcoach.*enabled.*OK"

step "pytest"
python -m pytest -q -p no:cacheprovider

step "jest"
jlpm test

step "galata"
(cd ui-tests && CHROMIUM_PATH="$CHROMIUM" jlpm playwright test)

step "wheel: installs without Node and enables both extensions"
bash scripts/check-wheel.sh

step "all green"
