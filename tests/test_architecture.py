"""The package's layering (docs/architecture.md), checked on the source: no layer imports one above it.

Every import counts, at module level, inside functions and under `TYPE_CHECKING` alike, so the tree
stays a stack: golang < contract < engine < delivery < journal < sidecar < facade < plugin, cli <
conformance. `_version` may be imported from anywhere. Modules stay under ~400 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dapr_jobs_fake"
LAYERS = {
    "_version": -1,
    "golang": 0,
    "contract": 1,
    "engine": 2,
    "delivery": 3,
    "journal": 4,
    "sidecar": 5,
    "options": 6,
    "fake": 6,
    "schema": 6,
    "__init__": 6,
    "plugin": 7,
    "plugin_lifecycle": 7,
    "cli": 7,
    "conformance": 8,
}
MAX_LINES = 400


def layer_of(module: str) -> int:
    """The layer of `dapr_jobs_fake.<module>` (its first component decides)."""
    return LAYERS[module.split(".")[0]]


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "schemas" not in p.parts)


def imported(path: Path) -> set[str]:
    """Every `dapr_jobs_fake` module `path` imports, relative names resolved."""
    relative = path.relative_to(PACKAGE).with_suffix("").parts
    package = relative[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
                names = [target] if node.module else [".".join([*base, a.name]) for a in node.names]
                found.update(n for n in names if n)
            elif node.module and node.module.startswith("dapr_jobs_fake."):
                found.add(node.module.removeprefix("dapr_jobs_fake."))
        elif isinstance(node, ast.Import):
            found.update(
                a.name.removeprefix("dapr_jobs_fake.")
                for a in node.names
                if a.name.startswith("dapr_jobs_fake.")
            )
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_layer_above_it(path: Path) -> None:
    own = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    upward = sorted(m for m in imported(path) if m and layer_of(m) > layer_of(own))
    assert not upward, f"{own} (layer {layer_of(own)}) imports higher layers: {upward}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_small(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines; split it (one job per module)"
