"""Issue 17, part 2: no import cycles in ``src/kneetrack`` (outside the CLI's command registration).

The graph is built from the source with :mod:`ast`, every ``import`` counted —
module level and inside functions (a deferred import is still a dependency) —
except those under ``if TYPE_CHECKING:``, which never run. Two exemptions, both
entry points above every layer: the CLI's command modules register themselves
on ``kneetrack.cli.main.app`` (``main`` imports them, they import ``main``), and
the root package's one-line façade ``kneetrack.analyze`` calls the app layer
(everything may read ``kneetrack.__version__`` from the root).

Cycles are looked for between modules and between the top-level subpackages
(``app`` → ``batch`` → ``app`` is a cycle even when no two modules close it).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import kneetrack

ROOT = Path(kneetrack.__file__).parent


def _modules(root: Path = ROOT) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for p in root.rglob("*.py"):
        parts = list(p.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes under ``if TYPE_CHECKING:`` blocks."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skip.update(id(n) for n in ast.walk(child))
    return skip


def import_graph(modules: Mapping[str, Path]) -> dict[str, set[str]]:
    """``module -> modules it imports`` (kneetrack modules only, by their dotted name)."""

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_checking_nodes(tree)
        is_pkg = path.name == "__init__.py"
        deps: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    pkg = name.split(".")
                    pkg = pkg[: len(pkg) - node.level + (1 if is_pkg else 0)]
                    base = ".".join(pkg + ([base] if base else []))
                targets = [f"{base}.{a.name}" for a in node.names]
            for t in targets:
                if t.split(".")[0] == ROOT.name and (dep := resolve(t)) and dep != name:
                    deps.add(dep)
        graph[name] = deps
    return graph


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan), sorted."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def _without_exemptions(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    root = ROOT.name
    out = {m: set(d) for m, d in graph.items()}
    out[root] = set()  # the façade kneetrack.analyze -> kneetrack.app.analyze
    registration = f"{root}.cli.main"
    out[registration] = {d for d in out[registration] if not d.startswith(f"{root}.cli.")}
    return out


def _packages(graph: Mapping[str, set[str]]) -> dict[str, set[str]]:
    def top(m: str) -> str:
        return ".".join(m.split(".")[:2])

    out: dict[str, set[str]] = {}
    for m, deps in graph.items():
        out.setdefault(top(m), set()).update(top(d) for d in deps if top(d) != top(m))
    return out


def test_no_module_imports_itself_back():
    graph = import_graph(_modules())
    assert len(graph) > 100 and graph["kneetrack.app.analyze"]  # the graph is really built
    assert cycles(_without_exemptions(graph)) == []


def test_no_two_subpackages_import_each_other():
    assert cycles(_packages(_without_exemptions(import_graph(_modules())))) == []


def test_the_checker_finds_cycles_deferred_imports_and_relative_ones(tmp_path):
    pkg = tmp_path / "kneetrack"
    (pkg / "a").mkdir(parents=True)
    (pkg / "b").mkdir()
    for p in ("__init__.py", "a/__init__.py", "b/__init__.py"):
        (pkg / p).write_text("")
    (pkg / "a" / "x.py").write_text("from kneetrack.b.y import f\n")
    (pkg / "b" / "y.py").write_text("def f():\n    from ..a import x\n")
    (pkg / "b" / "z.py").write_text("from typing import TYPE_CHECKING\n"
                                    "if TYPE_CHECKING:\n    from kneetrack.a.x import g\n")
    graph = import_graph(_modules(pkg))
    assert graph["kneetrack.b.z"] == set()
    assert cycles(graph) == [["kneetrack.a.x", "kneetrack.b.y"]]  # ..a import x is a.x
    assert cycles(_packages(graph)) == [["kneetrack.a", "kneetrack.b"]]
