from __future__ import annotations

import datetime as dt

import pytest

from kneetrack.programme import generate_programme

START = dt.date(2026, 12, 7)


@pytest.fixture
def hip_programme() -> dict:
    causes = [
        {"code": "hip_abductor_weakness", "confidence": 0.7},
        {"code": "core_control", "confidence": 0.4},
    ]
    return generate_programme(
        causes,
        weeks=8,
        sessions_per_week=3,
        level="intermediate",
        equipment=["band"],
        start=START,
        cadence_spm=160.0,
    )
