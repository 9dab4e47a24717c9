"""Issue 17, part 2: the CLI is argument parsing plus one call to ``kneetrack.app``.

Every module of ``src/kneetrack/cli/`` may import kneetrack only through
``kneetrack.app`` (the application services), ``kneetrack.errors`` (to raise a
one-line user error) and its own ``kneetrack.cli`` modules; typer and rich are
its other tools. A front end that reaches into ``store``, ``pose`` or ``batch``
duplicates a use case the web app would then miss.
"""

from __future__ import annotations

import ast
from pathlib import Path

import kneetrack

CLI = Path(kneetrack.__file__).parent / "cli"
ALLOWED = ("kneetrack.app", "kneetrack.cli", "kneetrack.errors")
#: ``kneetrack serve`` starts the other front end, the web app, which itself calls only
#: ``kneetrack.app``; no other command may reach it.
ALLOWED_IN = {"serve.py": ("kneetrack.web",)}


def kneetrack_imports(source: str) -> list[tuple[int, str]]:
    """``(line, module)`` of every kneetrack import in ``source``, nested ones included."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative imports are to the cli package itself
                found.append((node.lineno, "kneetrack.cli"))
            elif node.module == "kneetrack":
                found += [(node.lineno, f"kneetrack.{a.name}") for a in node.names]
            elif node.module:
                found.append((node.lineno, node.module))
    return [(line, m) for line, m in found if m == "kneetrack" or m.startswith("kneetrack.")]


def _allowed(module: str, file: str = "") -> bool:
    return any(module == a or module.startswith(a + ".")
               for a in ALLOWED + ALLOWED_IN.get(file, ()))


def test_the_cli_imports_only_the_app_layer():
    modules = sorted(CLI.glob("*.py"))
    assert len(modules) >= 10  # the command modules are really there
    bad = [f"{p.name}:{line}: {m}" for p in modules
           for line, m in kneetrack_imports(p.read_text(encoding="utf-8"))
           if not _allowed(m, p.name)]
    assert not bad, "the CLI reaches past kneetrack.app:\n" + "\n".join(bad)


def test_the_checker_sees_every_kind_of_import():
    src = ("import kneetrack.store\n"
           "from kneetrack import __version__\n"
           "def f():\n    from kneetrack.pose.native_logs import show_native_logs\n"
           "from kneetrack.app.analyze import analyze\n"
           "from kneetrack.errors import InputError\n")
    bad = [m for _, m in kneetrack_imports(src) if not _allowed(m)]
    assert bad == ["kneetrack.store", "kneetrack.__version__", "kneetrack.pose.native_logs"]


def test_only_serve_may_start_the_web_app():
    assert _allowed("kneetrack.web.app", "serve.py")
    assert not _allowed("kneetrack.web.app", "analyze.py")
