"""The report's reading aids (display bands, measurement error, plain text), loaded from YAML.

The numbers and wording live in ``report/data/report.yaml`` with their
literature sources; this module only loads and validates them.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from kneetrack.errors import SettingsError
from kneetrack.knowledge.readonly import freeze

SCHEMA = "kneetrack.report-content/1"


@lru_cache(maxsize=1)
def report_content() -> dict[str, Any]:
    """Return the report content file as a dict (cached, treat as read-only).

    Raises
    ------
    SettingsError
        If the bundled file is malformed (a packaging error, not a user error).
    """
    text = resources.files("kneetrack.report").joinpath("data/report.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise SettingsError(f"report content file is not {SCHEMA}")
    for key in ("metrics", "cadence", "quality", "first_steps", "explainer"):
        if key not in data:
            raise SettingsError(f"report content file lacks the {key!r} section")
    for name, m in data["metrics"].items():
        for key in ("label", "short", "what", "views", "sources"):
            if key not in m:
                raise SettingsError(f"report content: metric {name!r} lacks {key!r}")
    frozen: dict[str, Any] = freeze(data)  # cached and shared: read-only
    return frozen


_TIER_ORDER = ("mild", "moderate", "severe")


@lru_cache(maxsize=1)
def _thresholds() -> dict[str, Any]:
    from kneetrack.kinematics.findings import load_thresholds

    return load_thresholds()


def metric_reference(metric: str) -> dict[str, Any]:
    """Severity tiers and measurement error of a per-stance metric, from the findings' thresholds.

    Returns
    -------
    dict
        ``tiers`` (``{"mild": 10.0, ...}`` or ``{}``), ``typical_max`` (the
        lowest tier: above it a finding fires), ``high_min`` (the highest tier),
        and ``sdd`` (smallest detectable difference in degrees, or ``None``).

    Examples
    --------
    >>> ref = metric_reference("fppa_peak_deg")
    >>> ref["typical_max"] == min(ref["tiers"].values())
    True
    """
    data = _thresholds()
    tiers: dict[str, float] = {}
    for rule in data.get("rules") or []:
        if isinstance(rule, dict) and rule.get("metric") == metric and rule.get("tiers"):
            raw = rule["tiers"]
            tiers = {k: float(raw[k]) for k in _TIER_ORDER if k in raw}
            break
    sdd = (data.get("smallest_detectable_difference_deg") or {}).get(metric)
    return {"tiers": tiers,
            "typical_max": min(tiers.values()) if tiers else None,
            "high_min": max(tiers.values()) if tiers else None,
            "sdd": float(sdd) if isinstance(sdd, int | float) else None}


def quality_limits() -> dict[str, float]:
    """Steps per side and frame rate below which the findings engine warns (same numbers here)."""
    data = _thresholds()
    out: dict[str, float] = {}
    if isinstance(data.get("min_stances_per_side"), int | float):
        out["min_steps_per_side"] = data["min_stances_per_side"]
    if isinstance(data.get("min_fps"), int | float):
        out["min_fps_for_timing"] = data["min_fps"]
    return out
