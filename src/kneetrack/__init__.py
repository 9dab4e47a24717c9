"""kneetrack: find out why a runner's knees turn in, and what to work on.

Importing kneetrack only defines things. The one-line façade
:func:`kneetrack.analyze` runs the whole analysis of a video or keypoint file;
the subpackages hold the objects for real use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path


def analyze(path: str | Path, out_dir: str | Path | None = None, **options: Any) -> dict[str, Any]:
    """Analyse a running video or keypoint file and return the ``analysis.json`` dict.

    A thin façade over :func:`kneetrack.app.analyze.analyze_file`; when
    ``out_dir`` is given the artefacts are written there too.
    """
    from kneetrack.app.analyze import analyze_file

    return analyze_file(path, out_dir=out_dir, **options).analysis


__all__ = ["__version__", "analyze"]
