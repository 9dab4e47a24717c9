"""Plain domain objects of the progress store, independent of the ORM.

They are what the application services, the CLI and the web app handle. The
repository maps them to and from database rows. Validation of what a user
typed happens here, once, and raises :class:`~kneetrack.errors.InputError`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kneetrack.core.metric_summary import MetricSummary
from kneetrack.errors import InputError

SEXES = ("female", "male", "other")
LEGS = ("left", "right")
ANALYSIS_KINDS = ("video", "keypoints")


def _json_value(v: Any) -> Any:
    if isinstance(v, dt.date | dt.datetime):
        return v.isoformat()
    if isinstance(v, Path):
        return str(v)
    if isinstance(v, list | tuple):
        return [_json_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _json_value(x) for k, x in v.items()}
    return v


def to_jsonable(obj: Any) -> dict[str, Any]:
    """A dataclass as a JSON-friendly dict (dates as ISO strings)."""
    return {k: _json_value(v) for k, v in asdict(obj).items()}


@dataclass(frozen=True)
class Athlete:
    """A runner whose progress is tracked.

    Parameters
    ----------
    name
        Unique display name (compared without regard to case).
    sex, birth_year, height_cm, dominant_leg, notes
        Optional facts about the runner.
    id, uid, created_at
        Set by the store.
    """

    name: str
    sex: str | None = None
    birth_year: int | None = None
    height_cm: float | None = None
    dominant_leg: str | None = None
    notes: str | None = None
    id: int | None = None
    uid: str | None = None
    created_at: dt.datetime | None = None

    def validated(self) -> Athlete:
        """Return a cleaned copy or raise :class:`InputError`."""
        name = " ".join(self.name.split()) if self.name else ""
        if not name:
            raise InputError("athlete name must not be empty")
        if len(name) > 120:
            raise InputError("athlete name is longer than 120 characters")
        if self.sex is not None and self.sex not in SEXES:
            raise InputError(f"sex must be one of {', '.join(SEXES)}, got {self.sex!r}")
        this_year = dt.date.today().year
        if self.birth_year is not None and not 1900 <= self.birth_year <= this_year:
            raise InputError(
                f"birth year must be between 1900 and {this_year}, got {self.birth_year}"
            )
        if self.height_cm is not None and not 50 <= self.height_cm <= 260:
            raise InputError(f"height must be 50–260 cm, got {self.height_cm}")
        if self.dominant_leg is not None and self.dominant_leg not in LEGS:
            raise InputError(f"dominant leg must be left or right, got {self.dominant_leg!r}")
        return Athlete(
            name=name,
            sex=self.sex,
            birth_year=self.birth_year,
            height_cm=self.height_cm,
            dominant_leg=self.dominant_leg,
            notes=self.notes,
            id=self.id,
            uid=self.uid,
            created_at=self.created_at,
        )


@dataclass(frozen=True)
class Analysis:
    """One stored ``analysis.json`` with its summary metrics and artefact folder.

    ``artefact_dir`` is absolute when read from a store (``None`` when only the
    summary was stored).
    """

    athlete_id: int
    recorded_on: dt.date
    view: str | None
    kind: str | None
    source_path: str | None
    cadence_spm: float | None
    tracked_fraction: float | None
    metrics: tuple[MetricSummary, ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)
    artefact_dir: Path | None = None
    id: int | None = None
    created_at: dt.datetime | None = None

    def metric(self, name: str, leg: str | None) -> MetricSummary | None:
        """The summary of ``name`` for ``leg``, if stored."""
        for m in self.metrics:
            if m.metric == name and m.leg == leg:
                return m
        return None


@dataclass(frozen=True)
class Screening:
    """One ``screening.json`` document taken on a date."""

    athlete_id: int
    taken_on: dt.date
    data: dict[str, Any]
    id: int | None = None
    created_at: dt.datetime | None = None


@dataclass(frozen=True)
class ProgrammeWeek:
    """One week of a programme: its phase, first day and number of planned sessions."""

    week: int
    phase: str | None
    start_date: dt.date | None
    planned_sessions: int


@dataclass(frozen=True)
class Programme:
    """One version of an athlete's programme (``programme.json``).

    An adapted week produces a new version whose ``parent_id`` is the previous
    one; ``decision`` and ``reasons`` say why it changed. The newest version is
    the active one.
    """

    athlete_id: int
    data: dict[str, Any]
    start_date: dt.date | None
    weeks: tuple[ProgrammeWeek, ...] = ()
    analysis_id: int | None = None
    parent_id: int | None = None
    decision: str | None = None
    reasons: tuple[str, ...] = ()
    id: int | None = None
    created_at: dt.datetime | None = None

    def week_of(self, day: dt.date) -> int | None:
        """Programme week (1-based) that contains ``day``; ``None`` before the start."""
        if self.start_date is None or day < self.start_date:
            return None
        return (day - self.start_date).days // 7 + 1


@dataclass(frozen=True)
class WorkoutLog:
    """One exercise done in a session.

    Parameters
    ----------
    performed_on
        Date of the session.
    exercise_id
        Exercise library id (e.g. ``"banded_clamshell"``).
    sets, reps, hold_s
        Volume done; ``reps`` for repetitions or ``hold_s`` for holds.
    load
        Free text (``"red band"``, ``"8 kg"``, ``"bodyweight"``).
    rpe
        Rating of perceived exertion 1–10.
    pain
        Pain during or after, 0–10.
    """

    athlete_id: int
    performed_on: dt.date
    exercise_id: str
    sets: int | None = None
    reps: int | None = None
    hold_s: float | None = None
    load: str | None = None
    rpe: float | None = None
    pain: float | None = None
    note: str | None = None
    programme_id: int | None = None
    id: int | None = None
    created_at: dt.datetime | None = None

    def validated(self) -> WorkoutLog:
        """Return self after checking ranges, or raise :class:`InputError`."""
        if not self.exercise_id or not self.exercise_id.strip():
            raise InputError("exercise id must not be empty")
        if self.sets is not None and not 0 <= self.sets <= 50:
            raise InputError(f"sets must be 0–50, got {self.sets}")
        if self.reps is not None and not 0 <= self.reps <= 1000:
            raise InputError(f"reps must be 0–1000, got {self.reps}")
        if self.hold_s is not None and not 0 <= self.hold_s <= 3600:
            raise InputError(f"hold must be 0–3600 s, got {self.hold_s}")
        if self.rpe is not None and not 1 <= self.rpe <= 10:
            raise InputError(f"RPE must be 1–10, got {self.rpe}")
        if self.pain is not None and not 0 <= self.pain <= 10:
            raise InputError(f"pain must be 0–10, got {self.pain}")
        if self.performed_on > dt.date.today() + dt.timedelta(days=1):
            raise InputError(f"session date {self.performed_on} is in the future")
        return self

    def to_adapt_dict(self) -> dict[str, Any]:
        """The log as the programme adapter reads it."""
        return {
            "date": self.performed_on.isoformat(),
            "exercise_id": self.exercise_id,
            "sets": self.sets,
            "reps": self.reps,
            "hold_s": self.hold_s,
            "load": self.load,
            "rpe": self.rpe,
            "pain": self.pain,
            "note": self.note,
        }


@dataclass(frozen=True)
class Retest:
    """A follow-up analysis linked to the baseline it is compared with."""

    athlete_id: int
    baseline_id: int
    followup_id: int
    id: int | None = None
    created_at: dt.datetime | None = None
