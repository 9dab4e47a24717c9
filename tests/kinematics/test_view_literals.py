"""Views are spelled once: no quoted view strings in code outside ``core/views.py``.

Code asks a :class:`~kneetrack.core.views.View` what it is (``View(view).frontal``,
``view in FRONTAL_VIEWS``, ``View(view).medial_sign(leg)``) instead of testing
membership in a tuple of strings. This test walks every module of
``src/kneetrack`` and fails on a string constant equal to a view's value
(``"front"``, ``"rear"``, ``"side-left"``, ``"side-right"``). Docstrings (and the
doctests inside them) are prose and are not checked; YAML, templates and other
non-Python files are not checked either.
"""

from __future__ import annotations

import ast
from pathlib import Path

from kneetrack.core.views import View

SRC = Path(__file__).resolve().parents[2] / "src" / "kneetrack"
VIEW_STRINGS = frozenset(v.value for v in View)

#: Files (relative to ``src/kneetrack``) allowed to spell a view, and why.
EXCEPTIONS: dict[str, str] = {
    "core/views.py": "defines View",
}
#: Folders allowed to spell views, and why.
EXCEPTION_DIRS: dict[str, str] = {
    "synthetic/": "test and benchmark support, being moved out of the package (issue #17)",
}
#: Known leftovers in modules owned by other work in progress; each should go, not grow.
LEFTOVERS: dict[str, str] = {
    "web/jobs.py": "its own VIEWS tuple (web layer, in progress on branch web2)",
    "web/job_runner.py": "its own FRONTAL tuple (web layer, in progress on branch web2)",
    "report/values.py": "view -> phrase map for report text (report work in progress)",
}


def _docstring_ids(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                ids.add(id(body[0].value))
    # attribute docstrings (``#:`` style is a comment, but a bare string after an assignment
    # is a docstring to Sphinx): any bare string statement is prose
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            ids.add(id(node.value))
    return ids


def view_literals(source: str) -> list[tuple[int, str]]:
    """``(line, text)`` of every string constant in ``source`` that is a view's value."""
    tree = ast.parse(source)
    prose = _docstring_ids(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and node.value in VIEW_STRINGS and id(node) not in prose]


def _allowed(rel: str) -> bool:
    return rel in EXCEPTIONS or rel in LEFTOVERS or any(rel.startswith(d) for d in EXCEPTION_DIRS)


def test_the_scanner_finds_view_literals_in_code_not_in_docstrings() -> None:
    src = ('"""A module about the "front" view."""\n'
           'def f(view):\n'
           '    """Use ``"rear"``.\n\n    >>> f("side-left")\n    """\n'
           '    return view in ("front", "rear") or view == \'side-right\'\n'
           'X = {"side-left": 1}\n')
    assert sorted(view_literals(src)) == [(7, "front"), (7, "rear"), (7, "side-right"),
                                          (8, "side-left")]


def test_no_quoted_view_strings_outside_core_views() -> None:
    files = sorted(SRC.rglob("*.py"))
    assert len(files) > 50, SRC  # the package was found
    bad = []
    for path in files:
        rel = path.relative_to(SRC).as_posix()
        if _allowed(rel):
            continue
        bad += [f"{rel}:{line}: {text!r}" for line, text in
                view_literals(path.read_text(encoding="utf-8"))]
    assert not bad, ("spell views with kneetrack.core.views.View / FRONTAL_VIEWS / "
                     "SAGITTAL_VIEWS, not strings:\n" + "\n".join(bad))

