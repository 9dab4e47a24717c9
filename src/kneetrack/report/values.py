"""Numbers and words read out of an ``analysis.json`` dict, for the report.

Every helper tolerates missing, null, NaN or odd values: a value that is not a
finite number reads as ``None``, a metric without values has no statistics.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from kneetrack.core.views import SAGITTAL_VIEWS

LEGS = ("left", "right")
SIDE_VIEWS = SAGITTAL_VIEWS

#: Findings severities, most serious first (unknown words rank as "moderate").
SEVERITY_RANK = {"urgent": 5, "severe": 4, "high": 4, "marked": 4, "moderate": 3,
                 "mild": 2, "low": 2, "info": 1, "none": 0}

VIEW_TEXT = {
    "front": "from the front",
    "rear": "from behind",
    "side-left": "from the runner's left side",
    "side-right": "from the runner's right side",
}


def as_finite(value: Any) -> float | None:
    """``value`` as a finite float, or ``None``."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def fmt_deg(value: Any, *, digits: int = 1) -> str:
    """Format an angle: ``12.1°``; ``–`` when missing.

    Examples
    --------
    >>> fmt_deg(12.06)
    '12.1°'
    >>> fmt_deg(None)
    '–'
    """
    v = as_finite(value)
    return "–" if v is None else f"{v:.{digits}f}°"


def humanize(code: str) -> str:
    """``hip_abductor_weakness`` → ``Hip abductor weakness``."""
    text = str(code).replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def text_of(item: Any) -> str:
    """Text of a warning/cue given as a string or a dict with ``text``/``message``."""
    if isinstance(item, Mapping):
        for key in ("text", "message", "cue", "advice", "description", "name", "code"):
            if item.get(key):
                return str(item[key])
        return ", ".join(f"{k}: {v}" for k, v in item.items())
    return str(item)


def leg_stances(analysis: Mapping[str, Any], leg: str) -> list[Mapping[str, Any]]:
    """The stances of one leg, in time order."""
    stances = [s for s in (analysis.get("stances") or []) if isinstance(s, Mapping)
               and s.get("leg") == leg]
    return sorted(stances, key=lambda s: as_finite(s.get("contact_s")) or 0.0)


def metric_values(analysis: Mapping[str, Any], leg: str, metric: str) -> np.ndarray:
    """Finite values of ``metric`` over one leg's stances."""
    vals = [as_finite(s.get(metric)) for s in leg_stances(analysis, leg)]
    return np.array([v for v in vals if v is not None], dtype=float)


def leg_stats(analysis: Mapping[str, Any], leg: str, metric: str) -> dict[str, float] | None:
    """Mean, SD, max and n of ``metric`` for one leg; ``None`` when not measured.

    The summary block of ``analysis.json`` is used when it has the metric (the
    engine may leave out stances it judged unreliable); otherwise the stances.
    """
    summary = ((analysis.get("summary") or {}).get(leg) or {}).get(metric)
    vals = metric_values(analysis, leg, metric)
    if isinstance(summary, Mapping) and as_finite(summary.get("mean")) is not None:
        n = as_finite(summary.get("n"))
        if n is None:
            n = float(len(vals))
        sd = as_finite(summary.get("sd"))
        mx = as_finite(summary.get("max"))
        return {"mean": float(summary["mean"]), "sd": sd if sd is not None else math.nan,
                "max": mx if mx is not None else (float(vals.max()) if vals.size else math.nan),
                "n": int(n)}
    if vals.size == 0:
        return None
    with np.errstate(all="ignore"):  # absurd values give inf, shown as "–"
        sd = float(vals.std(ddof=1)) if vals.size > 1 else math.nan
    return {"mean": float(vals.mean()), "sd": sd, "max": float(vals.max()), "n": int(vals.size)}


def band_of(value: float | None, ref: Mapping[str, Any]) -> str:
    """``typical`` or the severity tier (``mild``/``moderate``/``severe``) that ``value`` exceeds.

    ``none`` when the value or the tiers are missing. Tiers are the findings'
    own (:func:`kneetrack.report.content.metric_reference`), so a number's pill
    matches the finding it triggers.

    Examples
    --------
    >>> band_of(14.0, {"tiers": {"mild": 10.0, "moderate": 13.0, "severe": 18.0}})
    'moderate'
    """
    tiers = ref.get("tiers") or {}
    if value is None or not tiers:
        return "none"
    band = "typical"
    for name, thr in sorted(tiers.items(), key=lambda kv: kv[1]):
        if value > thr:
            band = name
    return band


def band_text(ref: Mapping[str, Any]) -> str:
    """One-line reference, e.g. ``typical ≤ 10°, severe > 18°``."""
    lo, hi = ref.get("typical_max"), ref.get("high_min")
    if lo is None:
        return "no reference range"
    text = f"typical ≤ {lo:g}°"
    if hi is not None and hi != lo:
        text += f", severe > {hi:g}°"
    return text


def severity_rank(finding: Mapping[str, Any]) -> int:
    """Rank of a finding's severity (higher = more serious)."""
    return SEVERITY_RANK.get(str(finding.get("severity") or "moderate").lower(), 3)


def drift_of(analysis: Mapping[str, Any], leg: str, metric: str) -> float | None:
    """Change of a metric from the first to the last third of the clip (last − first)."""
    pts = [(as_finite(s.get("contact_s")), as_finite(s.get(metric)))
           for s in leg_stances(analysis, leg)]
    pts = [(t, v) for t, v in pts if t is not None and v is not None]
    if len(pts) < 6:
        return None
    t = np.array([p[0] for p in pts])
    v = np.array([p[1] for p in pts])
    lo, hi = t.min(), t.max()
    if hi - lo <= 0:
        return None
    first = v[t <= lo + (hi - lo) / 3]
    last = v[t >= hi - (hi - lo) / 3]
    if first.size < 2 or last.size < 2:
        return None
    return float(last.mean() - first.mean())



def mode_text(values: Sequence[str]) -> str | None:
    """Each distinct value with its count, most frequent first (``forefoot 3/4, midfoot 1/4``).

    Examples
    --------
    >>> mode_text(["forefoot", "midfoot", "forefoot", "forefoot"])
    'forefoot 3/4, midfoot 1/4'
    """
    if not values:
        return None
    uniq, counts = np.unique(np.array(values, dtype=object).astype(str), return_counts=True)
    order = np.argsort(-counts)
    return ", ".join(f"{uniq[i]} {counts[i]}/{len(values)}" for i in order)
