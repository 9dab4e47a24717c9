"""Shared set-up of the benchmark scripts: ``support/`` on the import path.

The synthetic movers (``kneetrack_synthetic``) are test and benchmark support that
the installed package does not ship; they live in ``support/`` at the repository
root. A benchmark that uses them imports this module first::

    import _support  # noqa: F401  (support/ on sys.path)
"""

from __future__ import annotations

import sys
from pathlib import Path

SUPPORT = Path(__file__).resolve().parents[1] / "support"
if str(SUPPORT) not in sys.path:
    sys.path.insert(0, str(SUPPORT))
