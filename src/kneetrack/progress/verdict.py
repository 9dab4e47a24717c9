"""Retest verdicts, adherence and pain trend — pure functions over plain data.

A change between two analyses is *real* only when it is at least the metric's
smallest detectable difference (SDD); smaller changes are within measurement
error whatever their direction.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from kneetrack.errors import SettingsError
from kneetrack.knowledge.readonly import FrozenDict
from kneetrack.progress.metrics import MetricSummary

IMPROVED = "improved"
WORSE = "worse"
NO_REAL_CHANGE = "no real change"
NOT_MEASURED = "not measured"


@dataclass(frozen=True)
class MetricRule:
    """How one metric is judged: its SDD and which direction is better."""

    metric: str
    label: str
    unit: str
    better: str
    sdd: float
    source: str


@dataclass(frozen=True)
class Thresholds:
    """All thresholds of ``thresholds.yaml``."""

    metrics: Mapping[str, MetricRule]
    min_steps_per_side: int
    pain_acceptable_max: float
    pain_rise_points: float
    pain_persistent_weeks: int
    adherence_good_pct: float
    sources: Mapping[str, str] = field(default_factory=dict)


def _parse_thresholds(data: Mapping[str, Any]) -> Thresholds:
    try:
        rules = {
            name: MetricRule(
                name,
                str(m["label"]),
                str(m["unit"]),
                str(m["better"]),
                float(m["sdd"]),
                " ".join(str(m["source"]).split()),
            )
            for name, m in data["metrics"].items()
        }
        for r in rules.values():
            if r.better not in ("lower", "higher") or r.sdd <= 0:
                raise ValueError(f"bad rule for {r.metric}")
        pain = data["pain"]
        return Thresholds(
            metrics=FrozenDict(rules),
            min_steps_per_side=int(data["min_steps_per_side"]),
            pain_acceptable_max=float(pain["acceptable_max"]),
            pain_rise_points=float(pain["rise_points"]),
            pain_persistent_weeks=int(pain["persistent_weeks"]),
            adherence_good_pct=float(data["adherence"]["good_pct"]),
            sources=FrozenDict({
                "pain": " ".join(str(pain["source"]).split()),
                "min_steps": " ".join(str(data["min_steps_source"]).split()),
            }),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise SettingsError(f"invalid progress thresholds: {err}") from None


@lru_cache(maxsize=1)
def load_thresholds() -> Thresholds:
    """The thresholds shipped in ``kneetrack/progress/thresholds.yaml``."""
    text = (
        resources.files("kneetrack.progress")
        .joinpath("thresholds.yaml")
        .read_text(encoding="utf-8")
    )
    return _parse_thresholds(yaml.safe_load(text))


# ---------------------------------------------------------------- retests


@dataclass(frozen=True)
class MetricChange:
    """One metric of one leg compared between a baseline and a follow-up analysis.

    Attributes
    ----------
    change
        ``followup - baseline`` in the metric's unit (``None`` if either is missing).
    verdict
        ``improved`` / ``worse`` (``|change| >= sdd``), ``no real change``
        (within measurement error) or ``not measured``.
    warning
        Set when a mean rests on fewer steps than the reliable minimum.
    """

    metric: str
    leg: str | None
    baseline: float | None
    followup: float | None
    change: float | None
    sdd: float
    verdict: str
    warning: str | None = None

    @property
    def real(self) -> bool:
        """True when the change is at least the SDD."""
        return self.verdict in (IMPROVED, WORSE)


def classify_change(change: float, *, sdd: float, better: str) -> str:
    """Verdict for a change given its SDD and the better direction.

    Examples
    --------
    >>> classify_change(-9.0, sdd=8.0, better="lower")
    'improved'
    >>> classify_change(-2.0, sdd=2.7, better="lower")
    'no real change'
    """
    if not math.isfinite(change):
        return NOT_MEASURED
    # A tiny tolerance so a change of exactly one SDD (up to float rounding) counts.
    if abs(change) + 1e-9 < sdd:
        return NO_REAL_CHANGE
    good = change < 0 if better == "lower" else change > 0
    return IMPROVED if good else WORSE


def compare_analyses(
    baseline: Iterable[MetricSummary],
    followup: Iterable[MetricSummary],
    *,
    thresholds: Thresholds | None = None,
) -> list[MetricChange]:
    """Compare the summary metrics of two analyses metric by metric and leg by leg."""
    th = thresholds or load_thresholds()
    base = {(m.metric, m.leg): m for m in baseline}
    foll = {(m.metric, m.leg): m for m in followup}
    out: list[MetricChange] = []
    for key in sorted(
        set(base) | set(foll),
        key=lambda k: (list(th.metrics).index(k[0]) if k[0] in th.metrics else 99, k[1] or ""),
    ):
        metric, leg = key
        rule = th.metrics.get(metric)
        if rule is None:
            continue
        b, f = base.get(key), foll.get(key)
        bm = b.mean if b else None
        fm = f.mean if f else None
        if bm is None or fm is None:
            out.append(MetricChange(metric, leg, bm, fm, None, rule.sdd, NOT_MEASURED))
            continue
        change = round(fm - bm, 3)
        warning = None
        if leg is not None:
            few = [x for x in (b, f) if x is not None and x.n < th.min_steps_per_side]
            if few:
                warning = (
                    f"fewer than {th.min_steps_per_side} steps on the {leg} side "
                    f"({', '.join(str(x.n) for x in few)}): treat with caution"
                )
        out.append(
            MetricChange(
                metric,
                leg,
                bm,
                fm,
                change,
                rule.sdd,
                classify_change(change, sdd=rule.sdd, better=rule.better),
                warning,
            )
        )
    return out


def retest_summary(changes: Sequence[MetricChange]) -> dict[str, Any]:
    """The retest as the programme adapter reads it.

    ``real_change`` is true when any metric changed by at least its SDD;
    ``improved`` / ``worse`` list ``metric:leg`` keys. ``changes_deg`` gives,
    for each per-leg angle, the change of the leg that improved least
    (``max`` over legs of follow-up − baseline; negative = better);
    ``changes_deg_by_leg`` keeps each leg, so that
    :func:`kneetrack.programme.adapt.adapt_next_week` can judge a one-sided
    problem on the side that had it.
    """

    def key(c: MetricChange) -> str:
        return f"{c.metric}:{c.leg}" if c.leg else c.metric

    per_metric: dict[str, dict[str, float]] = {}
    for c in changes:
        if c.leg is not None and c.change is not None:
            per_metric.setdefault(c.metric, {})[c.leg] = c.change
    return {
        "changes_deg": {m: max(v.values()) for m, v in per_metric.items()},
        "changes_deg_by_leg": per_metric,
        "real_change": any(c.real for c in changes),
        "real_improvement": any(c.verdict == IMPROVED for c in changes),
        "improved": [key(c) for c in changes if c.verdict == IMPROVED],
        "worse": [key(c) for c in changes if c.verdict == WORSE],
        "within_error": [key(c) for c in changes if c.verdict == NO_REAL_CHANGE],
        "metrics": [
            {
                "metric": c.metric,
                "leg": c.leg,
                "baseline": c.baseline,
                "followup": c.followup,
                "change": c.change,
                "sdd": c.sdd,
                "verdict": c.verdict,
            }
            for c in changes
        ],
    }


# ---------------------------------------------------------------- adherence


@dataclass(frozen=True)
class PlannedSession:
    """A session of the plan: its week, date and exercise ids."""

    week: int
    date: dt.date
    exercise_ids: frozenset[str]
    kind: str = ""
    #: planned work per main exercise (sets × reps, or sets × hold seconds)
    doses: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class LoggedExercise:
    """The part of a workout log that adherence and pain need."""

    date: dt.date
    exercise_id: str
    pain: float | None = None
    rpe: float | None = None
    sets: float | None = None
    reps: float | None = None
    hold_s: float | None = None

    @property
    def work(self) -> float | None:
        """Logged sets × reps (or sets × hold seconds), ``None`` when not given."""
        per = self.reps if self.reps is not None else self.hold_s
        return None if self.sets is None or per is None else self.sets * per


@dataclass(frozen=True)
class WeekAdherence:
    """Planned and logged sessions of one programme week."""

    week: int
    start: dt.date
    planned: int
    done: int
    #: strength sessions planned, and the share of their sets × reps logged (runs never count)
    strength_planned: int = 0
    strength_done: float = 0.0

    @property
    def pct(self) -> float | None:
        """Percentage of planned sessions logged (``None`` when none was planned)."""
        return None if self.planned == 0 else round(100.0 * self.done / self.planned, 1)

    @property
    def strength_pct(self) -> float | None:
        """Percentage of the planned strength work logged (``None`` when none was planned)."""
        if self.strength_planned == 0:
            return None
        return round(100.0 * self.strength_done / self.strength_planned, 1)


@dataclass(frozen=True)
class AdherenceReport:
    """Adherence up to a date: per week and overall."""

    weeks: tuple[WeekAdherence, ...]
    planned: int
    done: int
    good_pct: float

    @property
    def pct(self) -> float | None:
        """Overall percentage of planned sessions logged so far."""
        return None if self.planned == 0 else round(100.0 * self.done / self.planned, 1)

    @property
    def good(self) -> bool | None:
        """Whether adherence reaches the threshold (the strength work when any was planned)."""
        pct = self.strength_pct if self.strength_pct is not None else self.pct
        return None if pct is None else pct >= self.good_pct

    @property
    def strength_pct(self) -> float | None:
        """Percentage of the planned strength work (sets × reps) logged so far."""
        planned = sum(w.strength_planned for w in self.weeks)
        done = sum(w.strength_done for w in self.weeks)
        return None if planned == 0 else round(100.0 * done / planned, 1)


#: Session kinds that are not logged as workouts (a retest is a new analysis instead).
UNLOGGED_KINDS = frozenset({"retest"})


def is_logged_session(session: Mapping[str, Any]) -> bool:
    """Whether a planned session is one a runner logs (not a retest filming)."""
    return session.get("kind") not in UNLOGGED_KINDS


def planned_sessions(programme: Mapping[str, Any], start: dt.date | None) -> list[PlannedSession]:
    """Loggable sessions of a ``programme.json`` dict.

    Undated sessions fall on their week's first day; retest sessions (filming)
    are left out, as they are not logged as workouts.
    """
    out: list[PlannedSession] = []
    for i, w in enumerate(programme.get("weeks") or [], start=1):
        week = int(w.get("week", i))
        for s in w.get("sessions") or []:
            if not is_logged_session(s):
                continue
            day: dt.date | None = None
            if s.get("date"):
                try:
                    day = dt.date.fromisoformat(str(s["date"])[:10])
                except ValueError:
                    day = None
            if day is None:
                if start is None:
                    continue
                day = start + dt.timedelta(days=7 * (week - 1))
            ids = frozenset(
                str(i.get("exercise_id")) for i in s.get("items") or [] if i.get("exercise_id")
            )
            doses: dict[str, float] = {}
            for i in s.get("items") or []:
                per = i.get("reps") if i.get("reps") is not None else i.get("hold_s")
                if i.get("block", "main") == "main" and i.get("exercise_id") and per is not None:
                    doses[str(i["exercise_id"])] = float(i.get("sets") or 1) * float(per)
            out.append(PlannedSession(week, day, ids, str(s.get("kind") or ""), doses))
    return out


def _logged_share(session: PlannedSession, logs: Sequence[LoggedExercise]) -> float:
    """Share (0..1) of a strength session's planned sets × reps that ``logs`` cover."""
    if not session.doses:
        return 1.0 if logs else 0.0
    shares = []
    for ex_id, planned in session.doses.items():
        mine = [g for g in logs if g.exercise_id == ex_id]
        if not mine:
            shares.append(0.0)
        elif planned <= 0 or any(g.work is None for g in mine):
            shares.append(1.0)
        else:
            shares.append(min(1.0, sum(g.work or 0.0 for g in mine) / planned))
    return sum(shares) / len(shares)


def adherence(
    sessions: Sequence[PlannedSession],
    logs: Sequence[LoggedExercise],
    *,
    start: dt.date,
    as_of: dt.date,
    thresholds: Thresholds | None = None,
) -> AdherenceReport:
    """Share of the planned sessions up to ``as_of`` that were logged.

    Within each programme week (7 days from ``start``), a planned session counts
    as done when a log of that week not yet matched to another session names
    one of its exercises (any log of the same day for a session without
    exercises). Logs of one day that match a session are consumed together, so
    a strength and a mobility session on the same day are told apart by their
    exercises. Logging a session on another day of the same week counts.
    Strength sessions are also counted by the work logged: the share of their
    planned sets × reps (2 × 8 of 3 × 10 is 53 %); runs never count as strength.
    """
    th = thresholds or load_thresholds()

    def week_of(day: dt.date) -> int:
        return (day - start).days // 7 + 1

    due = [s for s in sessions if s.date <= as_of]
    weeks: list[WeekAdherence] = []
    for wk in sorted({s.week for s in due}):
        wk_start = start + dt.timedelta(days=7 * (wk - 1))
        planned = sorted((s for s in due if s.week == wk), key=lambda s: s.date)
        pool = [lg for lg in logs if week_of(lg.date) == wk and lg.date <= as_of]
        used: set[int] = set()
        done = 0
        strength_done = 0.0
        for s in planned:
            # Prefer logs on the planned day, then the nearest other day.
            order = sorted(
                (i for i in range(len(pool)) if i not in used),
                key=lambda i: abs((pool[i].date - s.date).days),
            )
            hit = None
            for i in order:
                if (s.exercise_ids and pool[i].exercise_id in s.exercise_ids) or (
                    not s.exercise_ids and pool[i].date == s.date
                ):
                    hit = i
                    break
            if hit is None:
                continue
            done += 1
            day = pool[hit].date
            mine = []
            for i in range(len(pool)):
                if pool[i].date == day and (
                    not s.exercise_ids or pool[i].exercise_id in s.exercise_ids
                ):
                    used.add(i)
                    mine.append(pool[i])
            if s.kind == "strength":
                strength_done += _logged_share(s, mine)
        n_strength = sum(1 for s in planned if s.kind == "strength")
        weeks.append(
            WeekAdherence(wk, wk_start, len(planned), done, n_strength, round(strength_done, 3))
        )
    return AdherenceReport(
        tuple(weeks),
        sum(w.planned for w in weeks),
        sum(w.done for w in weeks),
        th.adherence_good_pct,
    )


# ---------------------------------------------------------------- pain


@dataclass(frozen=True)
class WeekPain:
    """Pain logged in one week."""

    week: int
    start: dt.date
    mean: float
    max: float
    n: int


@dataclass(frozen=True)
class PainTrend:
    """Weekly pain and what it does.

    Attributes
    ----------
    trend
        ``rising`` (last week's worst pain at least ``rise_points`` above the
        week before), ``falling`` (as much below), ``stable`` or ``no data``.
    persistent
        Worst pain above the acceptable level for the last
        ``persistent_weeks`` logged weeks in a row.
    slope_per_week
        Least-squares slope of the weekly mean pain (points per week).
    """

    weeks: tuple[WeekPain, ...]
    trend: str
    persistent: bool
    slope_per_week: float | None
    flare_weeks: tuple[int, ...] = ()

    @property
    def last_max(self) -> float | None:
        """Worst pain of the last logged week."""
        return self.weeks[-1].max if self.weeks else None


def pain_trend(
    logs: Sequence[LoggedExercise],
    *,
    start: dt.date,
    as_of: dt.date | None = None,
    thresholds: Thresholds | None = None,
) -> PainTrend:
    """Weekly pain (mean and worst) from the logs, with its trend and flares."""
    th = thresholds or load_thresholds()
    by_week: dict[int, list[float]] = {}
    for lg in logs:
        if lg.pain is None or lg.date < start or (as_of is not None and lg.date > as_of):
            continue
        by_week.setdefault((lg.date - start).days // 7 + 1, []).append(float(lg.pain))
    weeks = tuple(
        WeekPain(
            wk, start + dt.timedelta(days=7 * (wk - 1)), round(sum(v) / len(v), 2), max(v), len(v)
        )
        for wk, v in sorted(by_week.items())
    )
    if not weeks:
        return PainTrend((), "no data", False, None)
    flares = tuple(
        b.week
        for a, b in zip(weeks, weeks[1:], strict=False)
        if b.max - a.max >= th.pain_rise_points and b.max > th.pain_acceptable_max
    )
    trend = "stable"
    if len(weeks) >= 2:
        d = weeks[-1].max - weeks[-2].max
        if d >= th.pain_rise_points:
            trend = "rising"
        elif d <= -th.pain_rise_points:
            trend = "falling"
    tail = weeks[-th.pain_persistent_weeks :]
    persistent = (
        len(tail) == th.pain_persistent_weeks
        and all(w.max > th.pain_acceptable_max for w in tail)
        and tail[-1].week - tail[0].week == th.pain_persistent_weeks - 1
    )
    slope = None
    if len(weeks) >= 2:
        xs = [w.week for w in weeks]
        ys = [w.mean for w in weeks]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        sxx = sum((x - mx) ** 2 for x in xs)
        slope = round(sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx, 3)
    return PainTrend(weeks, trend, persistent, slope, flares)


def describe_changes(
    changes: Sequence[MetricChange], *, thresholds: Thresholds | None = None
) -> str:
    r"""One plain sentence about a retest: what really changed and what is within error.

    Examples
    --------
    >>> c = [MetricChange("hip_adduction_peak_deg", "left", 13.0, 8.5, -4.5, 3.0, IMPROVED),
    ...      MetricChange("fppa_peak_deg", "left", 14.0, 10.0, -4.0, 8.0, NO_REAL_CHANGE)]
    >>> print(describe_changes(c).replace(". ", ".\n"))
    Real change: hip adduction improved (left −4.5 deg).
    Within measurement error: knee FPPA (valgus).
    """
    th = thresholds or load_thresholds()

    def label(metric: str) -> str:
        rule = th.metrics.get(metric)
        text = rule.label if rule else metric
        return text[:1].lower() + text[1:]

    parts: list[str] = []
    real: list[str] = []
    for verdict in (IMPROVED, WORSE):
        by_metric: dict[str, list[MetricChange]] = {}
        for c in changes:
            if c.verdict == verdict:
                by_metric.setdefault(c.metric, []).append(c)
        for metric, cs in by_metric.items():
            unit = th.metrics[metric].unit if metric in th.metrics else ""
            legs = ", ".join(
                f"{c.leg + ' ' if c.leg else ''}{c.change:+.1f}".replace("-", "−")
                for c in cs
                if c.change is not None
            )
            real.append(f"{label(metric)} {verdict} ({legs} {unit})")
    if real:
        parts.append("Real change: " + "; ".join(real) + ".")
    within = list(
        dict.fromkeys(
            label(c.metric)
            for c in changes
            if c.verdict == NO_REAL_CHANGE
            and not any(o.metric == c.metric and o.real for o in changes)
        )
    )
    if within:
        parts.append("Within measurement error: " + ", ".join(within) + ".")
    if not parts:
        return "Nothing comparable was measured in both analyses."
    return " ".join(parts)
