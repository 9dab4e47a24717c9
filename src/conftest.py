"""Run the docstring examples of ``src/kneetrack`` as tests (``testpaths`` lists it).

Only the package's modules are collected as doctests (the test modules under
``tests/`` are not: their helper modules share names such as ``conftest``).
This file lives outside the package, so the wheel does not ship it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from _pytest.doctest import DoctestModule

#: Modules that cannot be imported on their own: alembic runs ``env.py`` (it needs
#: alembic's context), and the web app needs the ``[web]`` extra.
collect_ignore = ["kneetrack/store/migrations"]
if importlib.util.find_spec("fastapi") is None:
    collect_ignore.append("kneetrack/web")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> DoctestModule | None:
    """Collect every module of the package for its doctests (``__main__`` runs the CLI)."""
    if (file_path.suffix == ".py" and file_path.name != "__main__.py"
            and not parent.config.option.doctestmodules):   # pytest collects them itself then
        return DoctestModule.from_parent(parent, path=file_path)
    return None
