"""Progress use cases: log sessions, report progress, adapt next week's plan.

Called by ``kneetrack log``, ``kneetrack progress``, ``kneetrack plan
--next-week`` and the web app alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kneetrack.app.records import record_programme
from kneetrack.errors import InputError, SettingsError
from kneetrack.programme.rerun import inputs_key, rerun_of, stamp
from kneetrack.progress.plot import plot_progress
from kneetrack.progress.verdict import (
    AdherenceReport,
    LoggedExercise,
    MetricChange,
    PainTrend,
    adherence,
    compare_analyses,
    describe_changes,
    load_thresholds,
    pain_trend,
    planned_sessions,
    retest_summary,
)
from kneetrack.store import Analysis, Athlete, Programme, Store, WorkoutLog

DECISIONS = ("progress", "hold", "regress", "refer")


def log_session(
    store: Store,
    name: str,
    entries: Sequence[Mapping[str, Any]],
    *,
    performed_on: dt.date | None = None,
) -> list[WorkoutLog]:
    """Record the exercises of one session (all stored together or none).

    Each entry has ``exercise_id`` and optionally ``sets``, ``reps``,
    ``hold_s``, ``load``, ``rpe``, ``pain``, ``note``. The logs are linked to
    the athlete's active programme, if any.
    """
    athlete = store.get_athlete(name)
    assert athlete.id is not None
    prog = store.active_programme(athlete.id)
    day = performed_on or dt.date.today()
    from kneetrack.io.documents import check_log_entry

    if not isinstance(entries, list | tuple):
        raise InputError(f"log entries must be a list of objects, got {type(entries).__name__}")
    logs = []
    for i, e in enumerate(entries):
        check_log_entry(e, f"entries[{i}]" if len(entries) > 1 else "")
        logs.append(
            WorkoutLog(
                athlete_id=athlete.id, performed_on=day, programme_id=prog.id if prog else None, **e
            )
        )
    return store.add_logs(logs)


def logged_pain_advice(logs: Sequence[WorkoutLog]) -> str | None:
    """What to tell someone who just logged pain above the acceptable level (else ``None``)."""
    th = load_thresholds()
    if any(lg.pain is not None and lg.pain > th.pain_acceptable_max for lg in logs):
        return (f"pain above {th.pain_acceptable_max:g}/10: next week's plan will step back; "
                "if it persists, see a physical therapist")
    return None


@dataclass(frozen=True)
class RetestComparison:
    """One follow-up analysis against its baseline."""

    baseline: Analysis
    followup: Analysis
    changes: tuple[MetricChange, ...]

    @property
    def weeks(self) -> float:
        """Weeks between the two runs."""
        return round((self.followup.recorded_on - self.baseline.recorded_on).days / 7, 1)

    def summary(self) -> dict[str, Any]:
        """The comparison as the programme adapter reads it."""
        d = retest_summary(self.changes)
        d.update(
            date=self.followup.recorded_on.isoformat(),
            baseline_date=self.baseline.recorded_on.isoformat(),
            view=self.followup.view,
            weeks=self.weeks,
        )
        return d


@dataclass(frozen=True)
class PlanDecision:
    """One adaptation of the programme: when, which week it changed, what and why."""

    made_on: dt.date
    week: int | None
    decision: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ProgressReport:
    """Everything ``kneetrack progress`` shows for one athlete."""

    athlete: Athlete
    as_of: dt.date
    analyses: tuple[Analysis, ...]
    retests: tuple[RetestComparison, ...]
    programme: Programme | None
    adherence: AdherenceReport | None
    pain: PainTrend | None
    decisions: tuple[PlanDecision, ...] = field(default_factory=tuple)
    #: per retest (same order as ``retests``): one plain sentence on what really changed
    advice: tuple[str, ...] = field(default_factory=tuple)
    #: metric -> (label, unit) for showing a change
    metric_labels: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    #: the trend figure, when one was written
    plot_path: Path | None = None
    #: what to do about the pain, when it stayed above the acceptable level
    pain_advice: str | None = None
    #: what to do to see a change, when nothing can be compared yet
    retest_advice: str | None = None


def _logged(logs: Sequence[WorkoutLog]) -> list[LoggedExercise]:
    return [
        LoggedExercise(
            lg.performed_on, lg.exercise_id, lg.pain, lg.rpe, lg.sets, lg.reps, lg.hold_s
        )
        for lg in logs
    ]


def planned_items_near(store: Store, name: str, day: dt.date, *,
                       within_days: int = 3) -> list[dict[str, Any]]:
    """Items of the active programme's session nearest to ``day`` (within ``within_days``).

    Empty when there is no active programme or no session that close.
    """
    athlete = store.get_athlete(name)
    assert athlete.id is not None
    prog = store.active_programme(athlete.id)
    if prog is None:
        return []
    best: list[dict[str, Any]] = []
    best_gap = 99
    for w in prog.data.get("weeks") or []:
        for s in w.get("sessions") or []:
            try:
                gap = abs((dt.date.fromisoformat(str(s.get("date"))[:10]) - day).days)
            except ValueError:
                continue
            if gap < best_gap and gap <= within_days:
                best, best_gap = list(s.get("items") or []), gap
    return best


def default_plot_path(name: str) -> Path:
    """``NAME-progress.png`` in the working folder, the name made safe for a file."""
    slug = "".join(c if c.isalnum() else "_" for c in name).strip("_") or "athlete"
    return Path(f"{slug}-progress.png")


def progress_report(store: Store, name: str, *, as_of: dt.date | None = None,
                    plot: bool | str | Path = False) -> ProgressReport:
    """Retest verdicts, adherence and pain trend of one athlete up to ``as_of`` (default today).

    Each retest comes with its advice in words (``advice``, aligned with
    ``retests``) and the metric names and units to show (``metric_labels``).
    With ``plot`` the trend figure is written (PNG, SVG or PDF by suffix) and
    its path is ``plot_path``: ``True`` writes :func:`default_plot_path` of the
    athlete's stored name, a path writes there.
    """
    athlete = store.get_athlete(name)
    assert athlete.id is not None
    day = as_of or dt.date.today()
    analyses = [a for a in store.list_analyses(athlete.id) if a.recorded_on <= day]
    by_id = {a.id: a for a in analyses}
    comparisons = []
    for link in store.list_retests(athlete.id):
        base, foll = by_id.get(link.baseline_id), by_id.get(link.followup_id)
        if base is None or foll is None:
            continue
        comparisons.append(
            RetestComparison(base, foll, tuple(compare_analyses(base.metrics, foll.metrics)))
        )
    comparisons.sort(key=lambda c: (c.followup.recorded_on, c.followup.id or 0))
    prog = store.active_programme(athlete.id)
    adh = pain = None
    decisions: list[PlanDecision] = []
    if prog is not None and prog.start_date is not None:
        logs = _logged(store.list_logs(athlete.id, until=day))
        adh = adherence(
            planned_sessions(prog.data, prog.start_date), logs, start=prog.start_date, as_of=day
        )
        pain = pain_trend(logs, start=prog.start_date, as_of=day)
        for p in store.list_programmes(athlete.id):
            if p.decision and p.created_at is not None:
                decisions.append(
                    PlanDecision(p.created_at.date(), _applied_week(p.data), p.decision, p.reasons)
                )
    th = load_thresholds()
    rep = ProgressReport(
        athlete, day, tuple(analyses), tuple(comparisons), prog, adh, pain, tuple(decisions),
        advice=tuple(describe_changes(c.changes, thresholds=th) for c in comparisons),
        metric_labels={m: (r.label, r.unit) for m, r in th.metrics.items()},
        pain_advice=(f"persistent above {th.pain_acceptable_max:g}/10: see a physical therapist"
                     if pain is not None and pain.persistent else None),
        retest_advice=("one analysis per view so far: re-film after 4 weeks to see a change"
                       if analyses and not comparisons else None),
    )
    if plot is False:
        return rep
    target = default_plot_path(athlete.name) if plot is True else plot
    path = plot_progress(rep.analyses, target, pain=rep.pain, adherence=rep.adherence,
                         title=f"{rep.athlete.name} — progress")
    return replace(rep, plot_path=path)


@dataclass(frozen=True)
class NextWeek:
    """The result of adapting the next week."""

    decision: str
    reasons: tuple[str, ...]
    week: int
    programme: Programme
    #: the week had been adapted from the same logs and retest already: this is that version
    reused: bool = False


def _applied_week(programme: Mapping[str, Any]) -> int | None:
    """The week the adapter says it changed (``adaptations[-1].applied_to_week``), if any."""
    adaptations = programme.get("adaptations")
    if isinstance(adaptations, list) and adaptations and isinstance(adaptations[-1], Mapping):
        week = adaptations[-1].get("applied_to_week")
        return int(week) if isinstance(week, int) else None
    return None


def _adapter() -> Any:
    try:
        from kneetrack.programme.adapt import adapt_next_week
    except ImportError:
        raise SettingsError(
            "programme adaptation is not available in this installation "
            "(kneetrack.programme.adapt is missing)"
        ) from None
    return adapt_next_week


def latest_retest(
    store: Store, athlete_id: int, *, since: dt.date | None, until: dt.date
) -> RetestComparison | None:
    """The newest retest comparison with its follow-up between ``since`` and ``until``."""
    analyses = {a.id: a for a in store.list_analyses(athlete_id)}
    best = None
    for link in store.list_retests(athlete_id):
        base, foll = analyses.get(link.baseline_id), analyses.get(link.followup_id)
        if base is None or foll is None or foll.recorded_on > until:
            continue
        if since is not None and foll.recorded_on < since:
            continue
        if best is None or (foll.recorded_on, foll.id or 0) > (
            best.followup.recorded_on,
            best.followup.id or 0,
        ):
            best = RetestComparison(base, foll, tuple(compare_analyses(base.metrics, foll.metrics)))
    return best


def adapt_next_week(store: Store, name: str, *, as_of: dt.date | None = None) -> NextWeek:
    """Adapt the athlete's next programme week from the logs and the latest retest.

    Calls :func:`kneetrack.programme.adapt.adapt_next_week` with the active
    programme, every log since the programme started (each with its programme
    ``week``) and the newest retest since the start (``None`` if none), then
    stores the adapted programme as a new version with its decision and reasons.

    Each week is adapted once (:mod:`kneetrack.programme.rerun`): run again with
    the same logs and retest (say after a kill that struck after the commit), it
    returns the stored version (``reused``); with more logs for the same week it
    adapts that week again from the version before, never on top of itself.
    """
    athlete = store.get_athlete(name)
    assert athlete.id is not None
    prog = store.active_programme(athlete.id)
    if prog is None:
        raise InputError(
            f"{athlete.name} has no programme; make one with "
            f"`kneetrack plan … --athlete {athlete.name!r}`"
        )
    day = as_of or dt.date.today()
    start = prog.start_date
    logs = store.list_logs(athlete.id, since=start, until=day)
    log_dicts = []
    for lg in logs:
        d = lg.to_adapt_dict()
        d["week"] = prog.week_of(lg.performed_on)
        log_dicts.append(d)
    retest = latest_retest(store, athlete.id, since=start, until=day)
    retest_doc = retest.summary() if retest else None
    # Adapt each week once: a rerun returns the stored version; new inputs redo it from its parent.
    this_week = prog.week_of(max(lg.performed_on for lg in logs)) if logs else None
    key = inputs_key(log_dicts, retest_doc)
    rerun = rerun_of(prog.data, week=this_week, key=key)
    base = prog
    if rerun == "same" and prog.decision is not None:
        return NextWeek(prog.decision, prog.reasons, _next_week_number(prog.data, prog, logs, day),
                        prog, reused=True)
    if rerun == "redo" and prog.parent_id is not None:
        base = next((p for p in store.list_programmes(athlete.id) if p.id == prog.parent_id), prog)
    result = _adapter()(base.data, log_dicts, retest=retest_doc)
    decision = result.get("decision")
    if decision not in DECISIONS:
        raise SettingsError(f"programme adapter returned an unknown decision {decision!r}")
    reasons = tuple(str(r) for r in result.get("reasons") or ())
    new = record_programme(
        store,
        athlete.id,
        stamp(result["programme"], week=this_week, key=key),
        analysis_id=prog.analysis_id,
        parent_id=prog.id,
        decision=decision,
        reasons=reasons,
    )
    return NextWeek(decision, reasons, _next_week_number(result["programme"], prog, logs, day),
                    new)


def _next_week_number(
    adapted: Mapping[str, Any], prog: Programme, logs: Sequence[WorkoutLog], day: dt.date
) -> int:
    """The week an adaptation changed: the adapter's ``applied_to_week``, else the one after."""
    week = _applied_week(adapted)
    if week is None:
        latest = max((lg.performed_on for lg in logs), default=day)
        week = (prog.week_of(latest) or 0) + 1
    return week
