from __future__ import annotations

from typing import Any

import pytest
from assessment_builders import analysis

from kneetrack.screening.schema import parse_screening


@pytest.fixture
def neutral_analysis() -> dict[str, Any]:
    return analysis()


@pytest.fixture
def neutral_screening():
    return parse_screening(
        {
            "schema": "kneetrack.screening/1",
            "athlete": {"level": "intermediate", "equipment": ["band"]},
            "symptoms": {
                "pain_worst_0_10": 0,
                "pain_weeks": 0,
                "pain_at_rest": False,
                "pain_at_night": False,
                "swelling": False,
                "locking": False,
                "giving_way": False,
                "after_trauma": False,
                "fever": False,
            },
            "training": {"weekly_km": 30, "runs_per_week": 3, "recent_increase_pct": 5},
            "shoes": {"type": "neutral", "km": 250, "age_months": 5},
            "tests": {
                "knee_to_wall_cm": {"left": 13.0, "right": 12.5},
                "side_plank_s": {"left": 70, "right": 68},
                "single_leg_squat_fppa_deg": {"left": 6.0, "right": 5.0},
                "hip_abduction_nm_per_kg": {"left": 2.0, "right": 1.9},
                "navicular_drop_mm": {"left": 6, "right": 6},
                "foot_posture_index": {"left": 2, "right": 3},
            },
        }
    )
