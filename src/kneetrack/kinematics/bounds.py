"""Physiological ranges of the per-step metrics: withhold what no runner can produce.

A value outside its range (``knowledge/thresholds/plausibility.yaml``) moves to
the stance's ``withheld`` dict with its reason; a metric withheld on too many of
a leg's steps is withheld for that leg altogether.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

import numpy as np

from kneetrack.kinematics.events import LEGS

#: Per-stance angle metrics and their per-stance curves (names without the leg prefix).
METRIC_CURVES = {
    "fppa_peak_deg": "fppa_deg", "hip_adduction_peak_deg": "hip_adduction_deg",
    "pelvic_drop_peak_deg": "pelvic_drop_deg", "shank_angle_ic_deg": "shank_angle_deg",
    "knee_flexion_ic_deg": "knee_flexion_deg", "foot_strike_angle_deg": "foot_angle_deg",
}
#: Categorical stance fields that follow a metric.
_DEPENDENT = {"foot_strike_angle_deg": "foot_strike"}
#: Other measured stance fields, withheld with everything else when a clip fails.
AUXILIARY_FIELDS = ("crossover", "on_midline", "foot_pitch_rel_flat_deg",
                    "ankle_lateral_offset_px", "ankle_lateral_offset_hip_widths")


def withhold(stance: MutableMapping[str, Any], metric: str, reason: str) -> None:
    """Move ``stance[metric]`` to ``stance["withheld"][metric]`` with ``reason`` (in place)."""
    value = stance.get(metric)
    stance.setdefault("withheld", {})[metric] = {"value": value, "reason": reason}
    stance[metric] = None
    dep = _DEPENDENT.get(metric)
    if dep is not None:
        stance[dep] = None


def apply_bounds(stances: Sequence[MutableMapping[str, Any]], bounds: Mapping[str, Any], *,
                 max_withheld_fraction: float = 0.3) -> dict[str, dict[str, str]]:
    """Withhold per-step values outside their physiological range (in place).

    A value outside ``bounds[metric]["range"]`` moves to the stance's
    ``withheld`` dict (``{"value", "reason"}``). Values the metric stage
    already rejected as implausible (its ``rejected`` dict) count too when
    they lie outside the range. When more than ``max_withheld_fraction`` of a
    leg's values of a metric are withheld, the remaining values of that leg
    are withheld as well.

    Returns
    -------
    dict
        ``{leg: {metric: reason}}`` for every metric withheld for a whole leg.
    """
    not_reported: dict[str, dict[str, str]] = {leg: {} for leg in LEGS}
    for metric, spec in bounds.items():
        lo, hi = (float(v) for v in spec["range"])
        label = str(spec.get("label", metric))
        for leg in LEGS:
            mine = [s for s in stances if s.get("leg") == leg]
            bad = 0
            total = 0
            for s in mine:
                value = s.get(metric)
                earlier = (s.get("rejected") or {}).get(metric)
                if value is None and earlier is not None and not lo <= earlier <= hi:
                    s["rejected"].pop(metric)
                    if not s["rejected"]:
                        s.pop("rejected")
                    s[metric] = earlier
                    value = earlier
                if value is None or not np.isfinite(value):
                    continue
                total += 1
                if not lo <= value <= hi:
                    bad += 1
                    withhold(s, metric, f"{label} {value:.0f}° is outside the physiological "
                                         f"range {lo:g} to {hi:g}° (a tracking or image error)")
            if total and bad / total > max_withheld_fraction:
                reason = (f"{label} was outside its physiological range ({lo:g} to {hi:g}°) "
                          f"on {bad} of {total} {leg} steps: not reported")
                not_reported[leg][metric] = reason
                for s in mine:
                    if s.get(metric) is not None:
                        withhold(s, metric, reason)
    return {leg: m for leg, m in not_reported.items() if m}
