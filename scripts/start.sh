#!/usr/bin/env bash
# Installs the coach (see bootstrap.sh), writes the built-in sample data set and starts JupyterLab.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# shellcheck disable=SC1091
source .venv/bin/activate

WORKDIR=${DLCOACH_WORKDIR:-$PWD/demo}
mkdir -p "$WORKDIR"
if [ ! -d "$WORKDIR/digits" ]; then
  python -m jupyterlab_dlcoach.core.samples "$WORKDIR/digits"
fi

args=(--notebook-dir="$WORKDIR")
[ "$(id -u)" = 0 ] && args+=(--allow-root)
exec jupyter lab "${args[@]}" "$@"
