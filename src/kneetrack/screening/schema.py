"""The ``screening.json`` document (schema ``kneetrack.screening/1``).

Written by ``kneetrack screen`` and read by ``kneetrack plan``. Every field is
optional: missing answers lower the confidence of the causes they inform,
they never stop the analysis. Units are in the field names.

Layout::

    {
      "schema": "kneetrack.screening/1",
      "date": "2026-11-26",
      "athlete": {"level": "beginner|intermediate|advanced", "equipment": ["band", ...],
                  "sex": "female|male|other", "age_years": 34, "height_m": 1.70,
                  "mass_kg": 62.0, "dominant_leg": "left|right"},
      "symptoms": {"pain_locations": ["anterior_knee", ...], "painful_leg": "left|right|both",
                   "pain_worst_0_10": 4, "pain_weeks": 6, "pain_at_rest": false,
                   "pain_at_night": false, "swelling": false, "locking": false,
                   "giving_way": false, "after_trauma": false, "fever": false,
                   "cannot_bear_weight": false, "bony_tenderness": false,
                   "cannot_flex_90": false, "sudden_large_swelling": false},
      "training": {"weekly_km": 30, "runs_per_week": 3, "years_running": 2,
                   "recent_increase_pct": 40, "recent_change": "added hills"},
      "shoes": {"type": "neutral|stability|motion_control|minimalist|max_cushion|racing|trail",
                "km": 750, "age_months": 14},
      "tests": {"knee_to_wall_cm": {"left": 9.0, "right": 12.0},
                "side_plank_s": {"left": 40, "right": 55},
                "single_leg_squat_fppa_deg": {"left": 14.0, "right": 7.0},
                "hip_abduction_nm_per_kg": {"left": 1.6, "right": 2.0},
                "hip_external_rotation_nm_per_kg": {"left": 0.40, "right": 0.45},
                "navicular_drop_mm": {"left": 11, "right": 7},
                "foot_posture_index": {"left": 8, "right": 4},
                "thomas_test_deg": {"left": -12.0, "right": 2.0},
                "ober_test_deg": {"left": -25.0, "right": -18.0},
                "hip_internal_rotation_deg": {"left": 34, "right": 22}},
      "squat_video": {...}   # free-form results of the single-leg squat analysis
    }

Hip mobility tests (usually measured by a physical therapist, all optional):

``thomas_test_deg``
    Modified Thomas test (hip-flexor length): angle of the thigh of the lowered
    leg relative to the horizontal, read with an inclinometer. **Positive = thigh
    above the horizontal (hip stays flexed: tight hip flexors); negative = thigh
    hangs below the horizontal.** Ferber et al. 2010 report -10.6 ± 9.6° in
    recreational athletes.
``ober_test_deg``
    Modified Ober test (iliotibial band / TFL length): angle of the thigh of the
    upper leg relative to the horizontal as it drops towards the table, side-lying.
    **Positive = thigh stays above the horizontal (abducted: tight); negative = it
    drops below the horizontal (adducts).** Ferber et al. 2010: -24.6 ± 7.3°.
``hip_internal_rotation_deg``
    Passive hip internal rotation range, hip and knee bent 90° (seated) or prone,
    in degrees from neutral (never negative).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kneetrack.errors import InputError
from kneetrack.io.files import read_json_object

SCHEMA: Literal["kneetrack.screening/1"] = "kneetrack.screening/1"

PainLocation = Literal[
    "anterior_knee", "medial_knee", "lateral_knee", "posterior_knee",
    "hip", "groin", "shin", "ankle", "foot", "lower_back", "other",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class PerSide(_Model):
    """A value measured on each leg."""

    left: float | None = None
    right: float | None = None

    def get(self, leg: str) -> float | None:
        """Return the value for ``"left"`` or ``"right"``."""
        return self.left if leg == "left" else self.right


class NonNegativePerSide(PerSide):
    """A per-leg value that cannot be negative (distances, times, strength)."""

    left: float | None = Field(default=None, ge=0)
    right: float | None = Field(default=None, ge=0)


class AnglePerSide(PerSide):
    """A per-leg angle against the horizontal or a joint range (-90° to 90°)."""

    left: float | None = Field(default=None, ge=-90, le=90)
    right: float | None = Field(default=None, ge=-90, le=90)


class RangePerSide(PerSide):
    """A per-leg joint range of motion in degrees (0° to 90°)."""

    left: float | None = Field(default=None, ge=0, le=90)
    right: float | None = Field(default=None, ge=0, le=90)


class RatioPerSide(PerSide):
    """A strength ratio per side (e.g. hamstring : quadriceps), 0 to 3."""

    left: float | None = Field(default=None, ge=0, le=3)
    right: float | None = Field(default=None, ge=0, le=3)


class Athlete(_Model):
    """Who the runner is and what equipment they have."""

    level: Literal["beginner", "intermediate", "advanced"] | None = None
    equipment: list[str] | None = None
    sex: Literal["female", "male", "other"] | None = None
    age_years: int | None = Field(default=None, ge=5, le=110)
    height_m: float | None = Field(default=None, gt=0.5, lt=2.6)
    mass_kg: float | None = Field(default=None, gt=15, lt=300)
    dominant_leg: Literal["left", "right"] | None = None


class Symptoms(_Model):
    """Pain and the red-flag questions."""

    pain_locations: list[PainLocation] | None = None
    painful_leg: Literal["left", "right", "both"] | None = None
    pain_worst_0_10: float | None = Field(default=None, ge=0, le=10)
    pain_weeks: float | None = Field(default=None, ge=0)
    pain_at_rest: bool | None = None
    pain_at_night: bool | None = None
    swelling: bool | None = None
    sudden_large_swelling: bool | None = None
    locking: bool | None = None
    giving_way: bool | None = None
    after_trauma: bool | None = None
    fever: bool | None = None
    cannot_bear_weight: bool | None = None
    bony_tenderness: bool | None = None
    cannot_flex_90: bool | None = None


class Training(_Model):
    """Running load and recent changes."""

    weekly_km: float | None = Field(default=None, ge=0, le=500)
    runs_per_week: float | None = Field(default=None, ge=0, le=21)
    years_running: float | None = Field(default=None, ge=0, le=90)
    recent_increase_pct: float | None = Field(default=None, ge=-100, le=1000)
    recent_change: str | None = None


class Shoes(_Model):
    """Running shoes and orthotics."""

    type: Literal[
        "neutral", "stability", "motion_control", "minimalist", "max_cushion",
        "racing", "trail", "unknown",
    ] | None = None
    km: float | None = Field(default=None, ge=0, le=20000)
    age_months: float | None = Field(default=None, ge=0, le=240)
    orthotics: bool | None = None


class Tests(_Model):
    """Self-test and squat results, per leg."""

    knee_to_wall_cm: NonNegativePerSide | None = None
    side_plank_s: NonNegativePerSide | None = None
    single_leg_squat_fppa_deg: PerSide | None = None
    single_leg_squat_hip_adduction_deg: PerSide | None = None
    single_leg_squat_pelvic_drop_deg: PerSide | None = None
    hip_abduction_nm_per_kg: NonNegativePerSide | None = None
    hip_external_rotation_nm_per_kg: NonNegativePerSide | None = None
    navicular_drop_mm: NonNegativePerSide | None = None
    foot_posture_index: PerSide | None = None
    thomas_test_deg: AnglePerSide | None = None
    ober_test_deg: AnglePerSide | None = None
    hip_internal_rotation_deg: RangePerSide | None = None
    hip_abduction_range_deg: RangePerSide | None = None
    hamstring_quadriceps_ratio: RatioPerSide | None = None


class Screening(_Model):
    """A runner's screening answers and test results (all optional)."""

    schema_: Literal["kneetrack.screening/1"] = Field(default=SCHEMA, alias="schema")
    date: str | None = None
    athlete: Athlete = Field(default_factory=Athlete)
    symptoms: Symptoms = Field(default_factory=Symptoms)
    training: Training = Field(default_factory=Training)
    shoes: Shoes = Field(default_factory=Shoes)
    tests: Tests = Field(default_factory=Tests)
    squat_video: dict[str, Any] | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=True)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict with ``schema`` first and unset fields left out."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


def _one_line(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    more = f" (and {err.error_count() - 1} more)" if err.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"


def parse_screening(data: dict[str, Any]) -> Screening:
    """Validate a screening dict; raise :class:`InputError` with one clear line."""
    if not isinstance(data, dict):
        raise InputError("screening must be a JSON object")
    schema = data.get("schema", SCHEMA)
    if schema != SCHEMA:
        raise InputError(f"unsupported screening schema {schema!r} (expected {SCHEMA!r})")
    try:
        return Screening.model_validate(data)
    except ValidationError as err:
        raise InputError(f"invalid screening: {_one_line(err)}") from None


def load_screening(path: str | Path) -> Screening:
    """Read and validate ``screening.json``."""
    from kneetrack.io.common import naming_file

    with naming_file(Path(path)):
        return parse_screening(read_json_object(path, what="screening file"))
