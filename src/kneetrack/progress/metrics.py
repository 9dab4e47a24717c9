"""Summary metrics of one ``analysis.json`` (schema ``kneetrack.analysis/1``)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from kneetrack.core.metric_summary import MetricSummary
from kneetrack.errors import InputError

#: Per-stance metrics tracked across retests (names as in ``analysis.json``).
TRACKED_METRICS = ("fppa_peak_deg", "hip_adduction_peak_deg", "pelvic_drop_peak_deg")
LEGS = ("left", "right")

__all__ = ["LEGS", "TRACKED_METRICS", "MetricSummary", "summarise_analysis"]


def _finite(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def _stats(values: list[float], metric: str, leg: str) -> MetricSummary:
    n = len(values)
    if n == 0:
        return MetricSummary(metric, leg, None, None, 0, None)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else None
    return MetricSummary(
        metric, leg, round(mean, 3), None if sd is None else round(sd, 3), n, round(max(values), 3)
    )


def summarise_analysis(analysis: Mapping[str, Any]) -> list[MetricSummary]:
    """Per-leg mean, SD, n and max of the tracked metrics, plus cadence (``leg=None``).

    Computed from the ``stances`` list when present (null values skipped), else
    taken from the ``summary`` block. A metric the view cannot measure gets
    ``n = 0`` and ``mean = None``.

    Examples
    --------
    >>> a = {"schema": "kneetrack.analysis/1", "cadence_spm": 170.0,
    ...      "stances": [{"leg": "left", "fppa_peak_deg": 10.0},
    ...                  {"leg": "left", "fppa_peak_deg": 12.0}]}
    >>> [m.mean for m in summarise_analysis(a) if m.metric == "fppa_peak_deg"]
    [11.0, None]
    """
    if not isinstance(analysis, Mapping):
        raise InputError("analysis must be a JSON object")
    schema = analysis.get("schema")
    if schema is not None and not str(schema).startswith("kneetrack.analysis/"):
        raise InputError(f"not an analysis document (schema {schema!r})")
    stances = analysis.get("stances")
    summary = analysis.get("summary") or {}
    out: list[MetricSummary] = []
    for metric in TRACKED_METRICS:
        for leg in LEGS:
            if isinstance(stances, list) and stances:
                vals = [
                    f
                    for s in stances
                    if isinstance(s, Mapping)
                    and s.get("leg") == leg
                    and (f := _finite(s.get(metric))) is not None
                ]
                out.append(_stats(vals, metric, leg))
                continue
            block = (
                (summary.get(leg) or {}).get(metric)
                if isinstance(summary.get(leg), Mapping)
                else None
            )
            if isinstance(block, Mapping) and _finite(block.get("mean")) is not None:
                n = block.get("n", (summary.get(leg) or {}).get("stances", 0))
                out.append(
                    MetricSummary(
                        metric,
                        leg,
                        _finite(block.get("mean")),
                        _finite(block.get("sd")),
                        int(n or 0),
                        _finite(block.get("max")),
                    )
                )
            else:
                out.append(MetricSummary(metric, leg, None, None, 0, None))
    cadence = _finite(analysis.get("cadence_spm"))
    n_st = len(stances) if isinstance(stances, list) else 0
    out.append(
        MetricSummary("cadence_spm", None, cadence, None, n_st if cadence is not None else 0, None)
    )
    return out
