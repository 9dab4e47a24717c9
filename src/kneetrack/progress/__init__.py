"""Progress logic, pure: retest verdicts, adherence and the pain trend.

Summary metrics of an analysis, retest verdicts against the smallest
detectable difference, adherence to a programme and the pain trend.

Nothing here reads files or databases; thresholds come from ``thresholds.yaml``
(with their literature sources) through :func:`load_thresholds`.
"""

from kneetrack.progress.metrics import TRACKED_METRICS, summarise_analysis
from kneetrack.progress.verdict import (
    AdherenceReport,
    MetricChange,
    PainTrend,
    Thresholds,
    WeekAdherence,
    adherence,
    compare_analyses,
    load_thresholds,
    pain_trend,
)

__all__ = [
    "TRACKED_METRICS",
    "AdherenceReport",
    "MetricChange",
    "PainTrend",
    "Thresholds",
    "WeekAdherence",
    "adherence",
    "compare_analyses",
    "load_thresholds",
    "pain_trend",
    "summarise_analysis",
]
