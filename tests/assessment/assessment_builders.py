"""Hand-made analysis.json fixtures for the assessment tests."""

from __future__ import annotations

from typing import Any


def finding(
    code: str,
    leg: str | None = "left",
    value: float = 10.0,
    threshold: float = 5.0,
    severity: str = "moderate",
) -> dict[str, Any]:
    return {
        "code": code,
        "leg": leg,
        "value": value,
        "threshold": threshold,
        "severity": severity,
        "text": f"{code} on the {leg} leg: {value} (threshold {threshold})",
    }


def analysis(
    *findings: dict[str, Any], view: str = "front", cadence: float = 172.0
) -> dict[str, Any]:
    summary = {
        leg: {
            "stances": 12,
            "fppa_peak_deg": {"mean": 6.0, "sd": 2.0, "max": 9.0},
            "hip_adduction_peak_deg": {"mean": 8.0, "sd": 1.5, "max": 10.0},
            "pelvic_drop_peak_deg": {"mean": 3.0, "sd": 1.0, "max": 4.5},
        }
        for leg in ("left", "right")
    }
    return {
        "schema": "kneetrack.analysis/1",
        "view": view,
        "cadence_spm": cadence,
        "quality": {"tracked_fraction": 0.99, "warnings": []},
        "stances": [],
        "summary": summary,
        "findings": list(findings),
    }
