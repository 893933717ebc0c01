#!/usr/bin/env bash
# Builds a production wheel from a clean frontend build, installs it into a new virtual environment
# whose PATH has no Node, and checks that both extensions are enabled with no manual step.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC1091
source .venv/bin/activate

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A production build from clean sources: `skip-if-exists` would otherwise reuse the dev build.
git clone -q . "$work/src"
(cd "$work/src" && jlpm install --immutable >/dev/null && python -m build --wheel --no-isolation -o "$work/dist" . >/dev/null)
wheel=$(ls "$work"/dist/jupyterlab_dlcoach-*.whl)
echo "built $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB)"

python3 -m venv "$work/env"
"$work/env/bin/pip" install -q -c requirements/constraints.txt "$wheel" 2>&1 | grep -v '^WARNING: Location' || true
# Only the new environment on PATH: no node, no jlpm.
run() { env -i HOME="$work/home" PATH="$work/env/bin" "$@"; }
run python -c 'import shutil, sys; sys.exit("node is reachable" if shutil.which("node") else 0)'
run jupyter labextension list 2>&1 | grep -E "jupyterlab-dlcoach .*enabled.*OK"
run jupyter server extension list 2>&1 | grep -E "jupyterlab_dlcoach .*OK"
echo "wheel installs and enables both extensions"
