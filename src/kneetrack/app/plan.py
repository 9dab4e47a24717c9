"""The ``plan`` use case: analysis.json (+ screening.json) in, a programme folder out.

Called by ``kneetrack plan``, the demo and the web app alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kneetrack.errors import InputError, SettingsError
from kneetrack.io.files import read_json_object
from kneetrack.screening.schema import Screening, load_screening

if TYPE_CHECKING:
    from kneetrack.app.progress import NextWeek
    from kneetrack.store import Programme

ANALYSIS_SCHEMA = "kneetrack.analysis/1"
#: Words people use for equipment -> the programme's equipment names.
EQUIPMENT_WORDS = {
    "band": "band",
    "mini_band": "band",
    "mini band": "band",
    "loop band": "band",
    "resistance band": "band",
    "bands": "band",
    "long_band": "long_band",
    "long band": "long_band",
    "tube": "long_band",
    "cable": "long_band",
    "dumbbell": "dumbbell",
    "dumbbells": "dumbbell",
    "kettlebell": "dumbbell",
    "weights": "dumbbell",
    "metronome": "metronome",
}


@dataclass
class PlanResult:
    """Everything one ``plan`` run produced."""

    programme: dict[str, Any]
    causes: list[dict[str, Any]]
    referral: dict[str, Any]
    out_dir: Path | None = None
    artefacts: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def load_analysis(path: str | Path) -> dict[str, Any]:
    """Read ``analysis.json``; a missing, broken or foreign file is an :class:`InputError`."""
    p = Path(path)
    if p.is_dir():
        p = p / "analysis.json"
    data = read_json_object(p, what="analysis file")
    check_analysis(data, where=str(p))
    return data


def check_analysis(data: Any, *, where: str = "analysis") -> None:
    """Raise :class:`InputError` unless ``data`` looks like a ``kneetrack.analysis/1`` document."""
    if not isinstance(data, dict):
        raise InputError(f"{where}: analysis must be a JSON object")
    if data.get("schema") != ANALYSIS_SCHEMA:
        raise InputError(
            f"{where}: unsupported analysis schema {data.get('schema')!r} "
            f"(expected {ANALYSIS_SCHEMA!r})"
        )
    if not isinstance(data.get("findings", []), list):
        raise InputError(f"{where}: 'findings' must be a list")
    cad = data.get("cadence_spm")
    if cad is not None and not (isinstance(cad, int | float) and 60 <= cad <= 300):
        raise InputError(f"{where}: cadence_spm {cad!r} is not a plausible step rate")


def normalise_equipment(words: Iterable[str], *, strict: bool) -> tuple[list[str], list[str]]:
    """Map equipment words to programme names; returns (names, ignored words)."""
    names: list[str] = []
    ignored: list[str] = []
    for word in words:
        for part in str(word).split(","):
            key = part.strip().lower().replace("-", " ")
            if not key or key in ("none", "nothing"):
                continue
            name = EQUIPMENT_WORDS.get(key) or EQUIPMENT_WORDS.get(key.replace(" ", "_"))
            if name is None:
                if strict:
                    raise SettingsError(
                        f"unknown equipment {part.strip()!r}; "
                        "use band, long_band, dumbbell, metronome"
                    )
                ignored.append(part.strip())
            elif name not in names:
                names.append(name)
    return names, ignored


def make_plan(
    analysis: dict[str, Any],
    screening: Screening | None = None,
    *,
    out_dir: str | Path | None = None,
    weeks: int = 8,
    start: dt.date | str | None = None,
    sessions_per_week: int = 3,
    level: str | None = None,
    equipment: Iterable[str] | None = None,
) -> PlanResult:
    """Infer causes, check red flags and build the programme; write it when ``out_dir`` is given.

    ``level`` and ``equipment`` default to the screening's answers, then to
    ``intermediate`` and no equipment.
    """
    from kneetrack.assessment import CauseInference, ReferralCheck
    from kneetrack.assessment.advice import footwear_advice
    from kneetrack.knowledge import load_knowledge
    from kneetrack.programme.adapt import baseline_from_analysis
    from kneetrack.programme.generator import ProgrammeGenerator
    from kneetrack.programme.writers import write_programme

    check_analysis(analysis)
    notes: list[str] = []
    if isinstance(start, str):
        try:
            start = dt.date.fromisoformat(start)
        except ValueError:
            raise SettingsError(f"start date must be YYYY-MM-DD, got {start!r}") from None
    athlete = screening.athlete if screening is not None else None
    level = level or (athlete.level if athlete and athlete.level else "intermediate")
    if equipment is not None:
        equip, _ = normalise_equipment(equipment, strict=True)
    elif athlete and athlete.equipment:
        equip, ignored = normalise_equipment(athlete.equipment, strict=False)
        if ignored:
            notes.append(f"equipment not used by the plan: {', '.join(ignored)}")
    else:
        equip = []
    kb = load_knowledge()
    pain = screening.symptoms.pain_worst_0_10 if screening is not None else None
    if pain is not None and pain >= kb.rules.start_lower_when_pain_at_least:
        lower = {"advanced": "intermediate", "intermediate": "beginner"}.get(level)
        if lower:
            notes.append(
                f"worst pain {pain:g}/10: the plan starts at {lower} level instead of {level}"
            )
            level = lower
    quality = analysis.get("quality") or {}
    for warning in quality.get("warnings") or []:
        notes.append(f"video quality: {warning}")
    gate = analysis.get("plausibility") or {}
    if gate.get("passed") is False:
        notes.append("the video could not be measured (" + "; ".join(gate.get("reasons") or [])
                     + "): nothing from it was used")
    inference = CauseInference().infer(analysis, screening)
    referral = ReferralCheck().check(screening, analysis).referral_
    runs = screening.training.runs_per_week if screening is not None else None
    runs_per_week = 3 if runs is None else int(min(3, max(2, round(runs))))
    gen = ProgrammeGenerator(
        runs_per_week=runs_per_week,
        weeks=weeks, sessions_per_week=sessions_per_week, level=level, equipment=equip, start=start
    )
    gen.generate(
        inference.causes_,
        cadence_spm=analysis.get("cadence_spm"),
        referral=referral,
        baseline=baseline_from_analysis(analysis),
        tests=screening.tests.model_dump(exclude_none=True) if screening is not None else None,
    )
    programme = gen.programme_
    if programme["status"] != "on_hold":
        programme["footwear"] = footwear_advice(
            inference.facts_, kb, causes=[c["code"] for c in inference.causes_]
        )
    if screening is not None:
        from kneetrack.assessment.screening_use import screening_use
        from kneetrack.screening.norms import interpret

        programme["screening_use"] = screening_use(
            interpret(screening), inference.suggested_detail_, inference.rejected_, referral
        )
    if screening is None:
        notes.append("no screening given: causes that need the self-tests were not assessed")
    programme["notes"] = notes
    result = PlanResult(
        programme=programme, causes=inference.causes_, referral=referral, notes=notes
    )
    if out_dir is not None:
        result.out_dir = Path(out_dir)
        result.artefacts = write_programme(programme, result.out_dir)
    return result


def plan_files(
    analysis_path: str | Path,
    *,
    screening_path: str | Path | None = None,
    out_dir: str | Path,
    weeks: int = 8,
    start: dt.date | str | None = None,
    sessions_per_week: int = 3,
    level: str | None = None,
    equipment: Iterable[str] | None = None,
) -> PlanResult:
    """File-level entry point: read ``analysis.json`` (+ ``screening.json``) and write the plan.

    The keyword arguments are :func:`make_plan`'s.
    """
    analysis = load_analysis(analysis_path)
    screening = load_screening(screening_path) if screening_path is not None else None
    return make_plan(analysis, screening, out_dir=out_dir, weeks=weeks, start=start,
                     sessions_per_week=sessions_per_week, level=level, equipment=equipment)


@dataclass(frozen=True)
class StoredPlan:
    """A written plan and, when an athlete was named, its row in the athlete's history."""

    result: PlanResult
    stored: Programme | None = None


def plan_and_store(
    analysis_path: str | Path,
    *,
    out_dir: str | Path,
    screening_path: str | Path | None = None,
    athlete: str | None = None,
    db: str | None = None,
    weeks: int = 8,
    start: dt.date | str | None = None,
    sessions_per_week: int = 3,
    level: str | None = None,
    equipment: Iterable[str] | None = None,
) -> StoredPlan:
    """``kneetrack plan [--athlete NAME]``: write the plan and keep it in the athlete's history.

    The athlete is checked before any work; the screening (when given) is
    stored with the programme. Other arguments are :func:`make_plan`'s.
    """
    from kneetrack.app.athletes import get_athlete, open_db, store_programme, store_screening

    if athlete is not None:
        with open_db(db) as store:
            get_athlete(store, athlete)
    result = plan_files(analysis_path, screening_path=screening_path, out_dir=out_dir,
                        weeks=weeks, start=start, sessions_per_week=sessions_per_week,
                        level=level, equipment=equipment)
    if athlete is None:
        return StoredPlan(result=result)
    with open_db(db) as store:
        if screening_path is not None:
            store_screening(store, athlete, screening_path)
        stored = store_programme(store, athlete, result.programme)
    return StoredPlan(result=result, stored=stored)


@dataclass(frozen=True)
class NextWeekPlan:
    """``plan --next-week``: the adaptation and the programme files written (if any)."""

    adapted: NextWeek
    artefacts: dict[str, Path] = field(default_factory=dict)


def plan_next_week(athlete: str, *, db: str | None = None,
                   out_dir: str | Path | None = None) -> NextWeekPlan:
    """Adapt the athlete's next week from the logs and the latest retest; write to ``out_dir``."""
    from kneetrack.app.athletes import open_db
    from kneetrack.app.progress import adapt_next_week

    with open_db(db) as store:
        adapted = adapt_next_week(store, athlete)
    files = (write_programme_files(adapted.programme.data, out_dir)
             if out_dir is not None else {})
    return NextWeekPlan(adapted=adapted, artefacts=files)


def write_programme_files(programme: dict[str, Any], out_dir: str | Path) -> dict[str, Path]:
    """Write ``programme.json``, ``.html`` and ``.ics`` into ``out_dir``; return them by kind."""
    from kneetrack.programme.writers import write_programme

    return write_programme(programme, out_dir)
