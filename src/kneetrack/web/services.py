"""The one adapter between the web layer and the application service (:mod:`kneetrack.app`).

Every use case the web pages and the API offer is a call here, and every
function here is a thin call into :mod:`kneetrack.app` (or a read of the
store's domain objects), so that re-pointing the web app at a new service
boundary means editing this module alone. Nothing here checks who may see
what: callers pass athletes already resolved by :mod:`kneetrack.web.scope`.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kneetrack.app import athletes as app_athletes
from kneetrack.app import plan as app_plan
from kneetrack.app import progress as app_progress
from kneetrack.app import screen as app_screen
from kneetrack.errors import InputError
from kneetrack.store import Analysis, Athlete, Programme, Screening, Store, WorkoutLog, open_store

__all__ = [
    "AthleteFlags",
    "add_athlete",
    "analyses",
    "analysis_data",
    "analysis_folder",
    "athlete_by_id",
    "athlete_flags",
    "delete_athlete",
    "export_athlete",
    "list_athletes",
    "log_exercise",
    "make_plan",
    "open_app_store",
    "progress_report",
    "questions",
    "save_screening",
    "screenings",
    "smallest_detectable_differences",
    "this_week",
]


def open_app_store(db: str | None, artefacts: str | None = None) -> Store:
    """Open (and on first use create) the same store the CLI uses."""
    return open_store(db, artefacts=artefacts)


# ------------------------------------------------------------------ athletes

def list_athletes(store: Store) -> list[Athlete]:
    """Every athlete in the store (callers filter to what a user may see)."""
    return store.list_athletes()


def athlete_by_id(store: Store, athlete_id: int) -> Athlete | None:
    """The athlete with this id, or ``None``."""
    return next((a for a in store.list_athletes() if a.id == athlete_id), None)


#: Suffix of the stored name of an athlete whose name another clinician's athlete
#: already has (store names are unique in the whole store); never shown.
_PRIVATE = re.compile(r" ~web-[0-9a-f]{8}$")


def shown_name(name: str) -> str:
    """The athlete's name as the web app shows it (without a private suffix).

    >>> shown_name("Ann ~web-0123abcd"), shown_name("Ann")
    ('Ann', 'Ann')
    """
    return _PRIVATE.sub("", name)


def add_athlete(store: Store, name: str, *, mine: Sequence[Athlete] = (),
                **facts: Any) -> Athlete:
    """Add an athlete (one-line :class:`InputError` for a bad name, or one of ``mine``'s).

    Athlete names are unique in the whole store. A name only another
    clinician's athlete has must not tell this clinician it exists, so the
    athlete is then stored under the name with a private random suffix
    (``~web-`` and 8 hex digits) that :func:`shown_name` removes.

    Parameters
    ----------
    mine
        The athletes the adding clinician already sees: a name among them is
        refused (the clinician knows it).
    """
    key = " ".join(name.split()).casefold()
    if key and any(" ".join(shown_name(a.name).split()).casefold() == key for a in mine):
        raise InputError(f"you already have an athlete named {' '.join(name.split())!r}")
    try:
        return app_athletes.add_athlete(store, name, **facts)
    except InputError:
        if store.find_athlete(name) is None:
            raise  # a bad name, not a taken one
    return app_athletes.add_athlete(store, f"{' '.join(name.split())} ~web-{secrets.token_hex(4)}",
                                    **facts)


def delete_athlete(store: Store, athlete: Athlete) -> dict[str, int]:
    """Delete the athlete's rows and every stored file."""
    return app_athletes.delete_athlete(store, athlete.name)


def export_athlete(store: Store, athlete: Athlete, out: Path) -> Path:
    """Write the athlete's ZIP (``athlete.json`` and the artefact files) to ``out``."""
    return app_athletes.export_athlete(store, athlete.name, out)


# ------------------------------------------------------------------ analyses

def analyses(store: Store, athlete: Athlete) -> list[Analysis]:
    """The athlete's stored analyses, oldest first."""
    assert athlete.id is not None
    return store.list_analyses(athlete.id)


def analysis_folder(store: Store, analysis: Analysis) -> Path | None:
    """The analysis's artefact folder, when its files were stored and it stays inside the root."""
    if analysis.artefact_dir is None:
        return None
    folder = Path(analysis.artefact_dir)
    root = store.artefacts.root.resolve()
    if not folder.resolve().is_relative_to(root) or not folder.is_dir():
        return None
    return folder


def analysis_data(store: Store, analysis: Analysis) -> dict[str, Any] | None:
    """The full ``analysis.json`` of a stored analysis (``None`` when its files are gone)."""
    from kneetrack.io.files import read_json_object

    folder = analysis_folder(store, analysis)
    if folder is None or not (folder / "analysis.json").is_file():
        return None
    return read_json_object(folder / "analysis.json", what="analysis")


# ------------------------------------------------------------------ screening and plan

def questions() -> list[Any]:
    """The screening questions a person answers (the CLI's questionnaire)."""
    from kneetrack.screening.questionnaire import Questionnaire

    return [q for q in Questionnaire().questions if q.interactive]


def save_screening(store: Store, athlete: Athlete, answers: Mapping[str, Any],
                   *, date: str | None = None) -> Screening:
    """Check answers keyed by question id as ``kneetrack screen`` does, and store them."""
    screening = app_screen.build_screening(answers, date=date)
    return app_athletes.store_screening(store, athlete.name, screening.to_dict())


def screenings(store: Store, athlete: Athlete) -> list[Screening]:
    """The athlete's stored screenings, oldest first."""
    assert athlete.id is not None
    return store.list_screenings(athlete.id)


def make_plan(store: Store, athlete: Athlete, *, start: dt.date | None = None) -> Programme:
    """Plan from the newest analysis and screening (``kneetrack plan --athlete``); store it."""
    from kneetrack.screening.schema import parse_screening

    found = analyses(store, athlete)
    if not found:
        raise InputError("no analysis yet: upload a running video first")
    latest = found[-1]
    data = analysis_data(store, latest)
    if data is None:
        raise InputError("the newest analysis has no stored analysis.json")
    stored = screenings(store, athlete)
    screening = parse_screening(stored[-1].data) if stored else None
    result = app_plan.make_plan(data, screening, start=start or dt.date.today())
    return app_athletes.store_programme(store, athlete.name, result.programme,
                                        analysis_id=latest.id)


# ------------------------------------------------------------------ programme and logs

@dataclass(frozen=True)
class WeekView:
    """The programme's sessions of the week that contains a day."""

    programme: Programme
    week: int
    phase: str | None
    sessions: list[dict[str, Any]]
    logged: list[WorkoutLog]


def this_week(store: Store, athlete: Athlete, day: dt.date) -> WeekView | None:
    """The active programme's week containing ``day`` (the first week before the start)."""
    assert athlete.id is not None
    prog = store.active_programme(athlete.id)
    if prog is None:
        return None
    week = prog.week_of(day) or 1
    weeks = prog.data.get("weeks") or []
    chosen = next((w for w in weeks if w.get("week") == week), weeks[-1] if weeks else {})
    week_start = (prog.start_date or day) + dt.timedelta(days=7 * (week - 1))
    logs = store.list_logs(athlete.id, since=week_start, until=week_start + dt.timedelta(days=6))
    return WeekView(prog, int(chosen.get("week") or week), chosen.get("phase"),
                    list(chosen.get("sessions") or []), logs)


def log_exercise(store: Store, athlete: Athlete, entries: Sequence[Mapping[str, Any]],
                 *, performed_on: dt.date | None = None) -> list[WorkoutLog]:
    """Log exercises done (checked as ``kneetrack log`` checks them)."""
    return app_progress.log_session(store, athlete.name, entries, performed_on=performed_on)


# ------------------------------------------------------------------ progress and flags

def progress_report(store: Store, athlete: Athlete,
                    *, as_of: dt.date | None = None) -> app_progress.ProgressReport:
    """Retest verdicts against the SDD, adherence and pain (``kneetrack progress``)."""
    return app_progress.progress_report(store, athlete.name, as_of=as_of)


def smallest_detectable_differences() -> dict[str, float]:
    """The SDD of each tracked metric (``kneetrack/progress/thresholds.yaml``)."""
    from kneetrack.progress.verdict import load_thresholds

    return {m: r.sdd for m, r in load_thresholds().metrics.items()}


@dataclass(frozen=True)
class AthleteFlags:
    """What a clinician should look at, read off the progress report's own verdicts."""

    referral: bool
    no_progress: bool
    low_adherence: bool
    pain: bool

    def names(self) -> list[str]:
        """The raised flags' names."""
        return [k for k in ("referral", "no_progress", "low_adherence", "pain") if getattr(self, k)]


def athlete_flags(store: Store, athlete: Athlete, *,
                  as_of: dt.date | None = None) -> AthleteFlags:
    """Referral, no measurable progress, low adherence and pain for the athlete list.

    Each flag is a verdict that :func:`kneetrack.app.progress.progress_report`
    or the stored programme already made: the programme's referral decision
    (or an adaptation that said ``refer``), the newest retest with no change
    beyond its smallest detectable difference, adherence below its "good"
    level, and pain that is persistent or rising.
    """
    rep = progress_report(store, athlete, as_of=as_of)
    prog = rep.programme
    referral = bool(prog is not None and (prog.data.get("referral") or {}).get("needed"))
    referral = referral or any(d.decision == "refer" for d in rep.decisions[-1:])
    no_progress = bool(rep.retests) and not any(
        c.verdict == "improved" for c in rep.retests[-1].changes
    )
    low_adherence = rep.adherence is not None and rep.adherence.good is False
    pain = rep.pain is not None and (rep.pain.persistent or rep.pain.trend == "rising")
    return AthleteFlags(referral, no_progress, low_adherence, pain)
