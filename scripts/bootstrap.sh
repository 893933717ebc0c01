#!/usr/bin/env bash
# Installs everything the product needs into ./.venv and builds the frontend. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${DLCOACH_VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
# shellcheck disable=SC1091
source "$VENV/bin/activate"
export PIP_DISABLE_PIP_VERSION_CHECK=1

pip install -q --upgrade pip
# Runtime dependencies first (torch pinned to the pair that works here), plus the build tools the
# editable install uses without build isolation.
pip install -q -c requirements/constraints.txt \
  torch torchvision "fastai>=2.7.15,<3" "jupyterlab>=4.4,<5" "jupyter_server>=2.14,<3" \
  nvidia-ml-py psutil pillow regex \
  hatchling hatch-nodejs-version hatch-jupyter-builder "jupyter-builder>=1.2,<2" editables build

# Frontend: a locked install (CI refuses to write a lockfile), then the TypeScript and labextension build.
jlpm install --immutable
jlpm build

pip install -q -c requirements/constraints.txt --no-build-isolation -e ".[test,dev]"
# Link the built labextension into the environment so later `jlpm build`s are picked up as they are.
jupyter labextension develop --overwrite . >/dev/null
