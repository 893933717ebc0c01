"""The package layout names the process each module runs in; these rules keep it true.

server/  the Jupyter server extension: never torch, fastai or the kernel and trainer sides.
kernel/  what runs in a notebook's kernel (and inside the trainer's loop): never the server or the trainer.
trainer/ the training process: never the server.
predictor/ the process that answers predictions with an exported model: never the server.
core/    shared and pure: none of the three sides, never torch or fastai.

Read from the source (every import, function-level ones included), so a lazy import cannot hide.
"""

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "jupyterlab_dlcoach"
HEAVY = {"torch", "torchvision", "fastai", "ipywidgets", "IPython"}
FORBIDDEN = {
    "server": {"jupyterlab_dlcoach.kernel", "jupyterlab_dlcoach.trainer"} | HEAVY,
    "kernel": {"jupyterlab_dlcoach.server", "jupyterlab_dlcoach.trainer"},
    "trainer": {"jupyterlab_dlcoach.server"},
    "predictor": {"jupyterlab_dlcoach.server"},
    "core": {"jupyterlab_dlcoach.server", "jupyterlab_dlcoach.kernel", "jupyterlab_dlcoach.trainer"} | HEAVY,
}


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's own package
                base = path.relative_to(PKG.parent).with_suffix("").parts[: -node.level]
                module = ".".join(base + ((node.module,) if node.module else ()))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def breaks(name: str, forbidden: set[str]) -> bool:
    return any(name == f or name.startswith(f + ".") for f in forbidden)


@pytest.mark.parametrize("side", sorted(FORBIDDEN))
def test_each_side_imports_only_what_its_process_may(side):
    files = sorted((PKG / side).rglob("*.py"))
    assert files, f"no package {side}/"
    wrong = {
        str(f.relative_to(PKG)): sorted(n for n in imports_of(f) if breaks(n, FORBIDDEN[side])) for f in files
    }
    assert {k: v for k, v in wrong.items() if v} == {}


def test_the_top_level_holds_only_the_entry_points():
    loose = sorted(p.name for p in PKG.glob("*.py"))
    assert loose == ["__init__.py", "_version.py"] or loose == ["__init__.py"], loose


# A module past this many lines wants splitting along a seam it already has (docs/architecture.md).
MAX_LINES = 300
# Declared exceptions, each with its reason.
LONG_ALLOWED: set[str] = set()


def test_no_module_is_over_300_lines_unless_declared():
    long = {
        str(f.relative_to(PKG)): n
        for f in sorted(PKG.rglob("*.py"))
        if "labextension" not in f.parts and (n := len(f.read_text().splitlines())) > MAX_LINES
    }
    assert {k: v for k, v in long.items() if k not in LONG_ALLOWED} == {}
