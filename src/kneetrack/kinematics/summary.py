"""Per-leg summaries of stance metrics: mean/SD/max/n, asymmetry and fatigue drift."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

import numpy as np
from scipy.special import stdtrit

from kneetrack.core.arrays import FloatArray
from kneetrack.core.views import View, parse_view
from kneetrack.kinematics.events import LEGS
from kneetrack.kinematics.metrics import FRONTAL_METRICS, SAGITTAL_METRICS
from kneetrack.kinematics.stance import StanceRecord, as_stance_record


def metrics_for_view(view: View | str | None) -> tuple[str, ...]:
    """Numeric per-stance metrics that ``view`` measures (none without a view)."""
    v = parse_view(view)
    if v is None:
        return ()
    return FRONTAL_METRICS if v.frontal else SAGITTAL_METRICS


def _values(stances: Sequence[StanceRecord], leg: str | None, metric: str) -> FloatArray:
    v = [s.value(metric) for s in stances if leg is None or s.leg == leg]
    return np.array([x for x in v if x is not None], dtype=float)


def reject_outlier_stances(stances: Sequence[MutableMapping[str, Any]], *,
                           view: View | str | None,
                           k_mad: float = 4.5, floor_deg: float = 6.0,
                           min_n: int = 5) -> int:
    """Blank per-stance values far from the rest of that leg's stances (in place).

    A value further than ``max(k_mad × 1.4826 × MAD, floor_deg)`` from the
    leg's median (needs ``min_n`` values) is moved to the stance's ``rejected``
    dict and replaced by ``None``: one step measured on a mislabelled leg must
    not move the runner's average. Returns the number of values rejected.
    """
    count = 0
    for leg in LEGS:
        for m in metrics_for_view(view):
            recs = [s for s in stances if s["leg"] == leg and s.get(m) is not None
                    and np.isfinite(s[m])]
            if len(recs) < min_n:
                continue
            vals = np.array([s[m] for s in recs])
            med = float(np.median(vals))
            limit = max(k_mad * 1.4826 * float(np.median(np.abs(vals - med))), floor_deg)
            for s in recs:
                if abs(s[m] - med) > limit:
                    s.setdefault("rejected", {})[m] = s[m]
                    s[m] = None
                    count += 1
    return count


def mark_withheld(summary: dict[str, Any], withheld: Mapping[str, Mapping[str, str]]) -> None:
    """Null a leg's statistics of every withheld metric and say why (in place).

    ``withheld`` is ``{leg: {metric: reason}}`` (the plausibility gate's). The
    metric's block keeps its keys (``mean`` … ``None``, ``n`` 0) and gains
    ``withheld`` (the reason); asymmetry and fatigue drift of that metric are
    dropped, since one side or the steps behind them are not trustworthy.
    """
    for leg, metrics in withheld.items():
        block = summary.get(leg)
        if not isinstance(block, dict):
            continue
        for metric, reason in metrics.items():
            block[metric] = {**describe(np.array([])), "withheld": reason}
            summary.get("asymmetry", {}).pop(metric, None)
            summary.get("fatigue_drift", {}).pop(metric, None)


def describe(values: FloatArray) -> dict[str, float | int | None]:
    """``{"mean", "sd", "max", "n", "ci95"}`` of finite values.

    ``ci95`` is the half-width of the 95 % confidence interval of the mean
    (Student t); ``None`` when empty, SD and CI need two values.

    Examples
    --------
    >>> import numpy as np
    >>> d = describe(np.array([1.0, 3.0]))
    >>> d["mean"], round(d["sd"], 3), d["n"], round(d["ci95"], 2)
    (2.0, 1.414, 2, 12.71)
    """
    n = int(values.size)
    if n == 0:
        return {"mean": None, "sd": None, "max": None, "n": 0, "ci95": None}
    sd = float(np.std(values, ddof=1)) if n > 1 else None
    ci = float(stdtrit(n - 1, 0.975) * sd / np.sqrt(n)) if sd is not None else None
    return {"mean": float(np.mean(values)), "sd": sd, "max": float(np.max(values)), "n": n,
            "ci95": ci}


def summarize(stances: Sequence[StanceRecord | Mapping[str, Any]], *,
              view: View | str | None, duration_s: float,
              sdd_deg: Mapping[str, float] | None = None) -> dict[str, Any]:
    """Summarise stances per leg.

    Parameters
    ----------
    stances : sequence of dict
        Per-stance records (:attr:`StanceMetrics.stances_`).
    view : str or None
        Which metrics exist.
    duration_s : float
        Clip length, for the first/last-third split.
    sdd_deg : mapping, optional
        Smallest detectable difference per metric; asymmetries above it are
        flagged ``exceeds_sdd``.

    Returns
    -------
    dict
        ``{"left": {...}, "right": {...}, "asymmetry": {...}, "fatigue_drift": {...}}``;
        per leg and metric ``{"mean", "sd", "max", "n", "ci95"}`` (:func:`describe`).
        ``asymmetry[metric]["diff"]`` is left − right of the per-leg means.
        ``fatigue_drift[metric]`` compares stances (both legs) whose contact
        lies in the first vs the last third of the clip; ``change`` = last − first.
    """
    v = parse_view(view)
    metrics = metrics_for_view(v)
    records = [as_stance_record(s) for s in stances]
    out: dict[str, Any] = {}
    for leg in LEGS:
        legs = [s for s in records if s.leg == leg]
        block: dict[str, Any] = {"stances": sum(1 for s in legs if s.complete)}
        for m in metrics:
            block[m] = describe(_values(records, leg, m))
        if v is not None and v.frontal:
            cx = [s.crossover for s in legs if s.crossover is not None]
            block["crossover_fraction"] = float(np.mean(cx)) if cx else None
        if v is not None and v.sagittal:
            fs = [s.foot_strike for s in legs if s.foot_strike]
            block["foot_strike"] = {k: fs.count(k) for k in ("rearfoot", "midfoot", "forefoot")}
        out[leg] = block
    asym: dict[str, Any] = {}
    for m in metrics:
        left, right = out["left"][m]["mean"], out["right"][m]["mean"]
        if left is None or right is None:
            continue
        diff = left - right
        rec: dict[str, Any] = {"left": left, "right": right, "diff": diff, "abs_diff": abs(diff)}
        if sdd_deg and m in sdd_deg:
            rec["sdd"] = float(sdd_deg[m])
            rec["exceeds_sdd"] = bool(abs(diff) > sdd_deg[m])
        asym[m] = rec
    out["asymmetry"] = asym
    drift: dict[str, Any] = {}
    if duration_s > 0:
        third = duration_s / 3.0
        first = [s for s in records if s.contact_s < third]
        last = [s for s in records if s.contact_s >= 2 * third]
        for m in metrics:
            a, b = _values(first, None, m), _values(last, None, m)
            if a.size >= 2 and b.size >= 2:
                drift[m] = {"first_third": float(a.mean()), "last_third": float(b.mean()),
                            "change": float(b.mean() - a.mean()),
                            "n_first": int(a.size), "n_last": int(b.size)}
    out["fatigue_drift"] = drift
    return out
