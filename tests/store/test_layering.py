"""The store imports no domain logic (issue 17): only store, ``errors`` and ``core``.

Read from the source with :mod:`ast`, so imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kneetrack.store

STORE = Path(kneetrack.store.__file__).parent
ALLOWED = ("kneetrack.store", "kneetrack.errors", "kneetrack.core")
MODULES = sorted(STORE.rglob("*.py"))


def kneetrack_imports(source: str, package: str) -> list[tuple[int, str]]:
    """``(line, module)`` of every ``kneetrack`` import in ``source`` (a module of ``package``)."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level:  # relative: resolve against the module's package
                parts = package.split(".")
                mod = ".".join([*parts[: len(parts) - node.level + 1], *filter(None, [mod])])
            out += [(node.lineno, mod)] if mod != "kneetrack" else [
                (node.lineno, f"kneetrack.{a.name}") for a in node.names]
    return [(line, m) for line, m in out if m.startswith("kneetrack.")]


def allowed(module: str) -> bool:
    return any(module == a or module.startswith(a + ".") for a in ALLOWED)


def _package(path: Path) -> str:
    return ".".join(("kneetrack", "store", *path.relative_to(STORE).parent.parts))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(STORE).as_posix())
def test_store_module_imports_no_domain_logic(path: Path) -> None:
    bad = [f"{path.name}:{line} imports {m}"
           for line, m in kneetrack_imports(path.read_text(), _package(path)) if not allowed(m)]
    assert not bad, "; ".join(bad)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(STORE).as_posix())
def test_store_module_is_small(path: Path) -> None:
    assert len(path.read_text().splitlines()) < 600


def test_the_check_finds_domain_imports() -> None:
    src = ("import kneetrack.progress.metrics\n"
           "from kneetrack.io.documents import check_programme\n"
           "from kneetrack import report\n"
           "from ..programme import adapt\n"
           "from .orm import Base\n"
           "def f():\n    from kneetrack.core.metric_summary import MetricSummary\n"
           "    from kneetrack.progress.verdict import is_logged_session\n")
    found = kneetrack_imports(src, "kneetrack.store")
    assert [m for _, m in found if not allowed(m)] == [
        "kneetrack.progress.metrics", "kneetrack.io.documents", "kneetrack.report",
        "kneetrack.programme", "kneetrack.progress.verdict"]
    assert {m for _, m in found if allowed(m)} == {"kneetrack.store.orm",
                                                   "kneetrack.core.metric_summary"}
