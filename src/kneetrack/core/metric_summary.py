"""One per-stance metric summarised: what the progress tracker computes and the store keeps."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricSummary:
    """Mean, SD, count and maximum of one per-stance metric for one leg (``leg=None``: both)."""

    metric: str
    leg: str | None
    mean: float | None
    sd: float | None
    n: int
    max: float | None = None
