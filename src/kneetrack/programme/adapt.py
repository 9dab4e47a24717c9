"""Adapt next week's plan to what the runner logged (progress, hold, regress or refer).

This is the API the progress tracker calls after each week::

    from kneetrack.programme.adapt import adapt_next_week
    out = adapt_next_week(programme, logs, retest=None)
    out["programme"], out["decision"], out["reasons"]
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kneetrack.errors import InputError
from kneetrack.knowledge import load_knowledge
from kneetrack.knowledge.schema import Knowledge
from kneetrack.programme.adherence import SessionDone, block_adherence, strength_done
from kneetrack.programme.ceiling import rebase_weeks
from kneetrack.programme.dosage import LOADING_KINDS, progress_item, regress_item

DECISIONS = ("progress", "hold", "regress", "refer")
#: analysis metric -> finding code that makes it a metric of concern
METRIC_FINDINGS = {
    "fppa_peak_deg": "dynamic_knee_valgus",
    "hip_adduction_peak_deg": "hip_adduction",
    "pelvic_drop_peak_deg": "contralateral_pelvic_drop",
}
_URGENCY_RANK = {"none": 0, "soon": 1, "urgent": 2}


def _date(value: Any, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise InputError(f"{what}: not a date (YYYY-MM-DD): {value!r}") from None


def _number(log: dict[str, Any], key: str, lo: float, hi: float, i: int) -> float | None:
    value = log.get(key)
    if value is None:
        return None
    try:
        num = float(value)
    except (TypeError, ValueError):
        raise InputError(f"log {i}: {key} must be a number, got {value!r}") from None
    if not lo <= num <= hi:
        raise InputError(f"log {i}: {key} must be between {lo:g} and {hi:g}, got {num:g}")
    return num


def _clean_logs(logs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for i, log in enumerate(logs):
        if not isinstance(log, dict):
            raise InputError(f"log {i}: must be an object")
        if "date" not in log:
            raise InputError(f"log {i}: missing date")
        out.append(
            {
                **log,
                "date": _date(log["date"], f"log {i}"),
                "pain": _number(log, "pain", 0, 10, i),
                "rpe": _number(log, "rpe", 1, 10, i),
            }
        )
    return out


def _week_bounds(week: dict[str, Any]) -> tuple[dt.date, dt.date]:
    start = _date(week.get("start") or min(s["date"] for s in week["sessions"]), "week start")
    return start, start + dt.timedelta(days=7)


def _week_of(programme: dict[str, Any], day: dt.date) -> int:
    """Index (0-based) of the week that contains ``day`` (clamped to the plan)."""
    weeks = programme["weeks"]
    for i, week in enumerate(weeks):
        lo, hi = _week_bounds(week)
        if lo <= day < hi:
            return i
    return 0 if day < _week_bounds(weeks[0])[0] else len(weeks) - 1


def _max(values: list[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return max(vals) if vals else None


def _concern_legs(base: dict[str, Any], metric: str) -> tuple[str, ...]:
    legs = (base.get("concern_legs") or {}).get(metric)
    return tuple(legs) if legs else ("left", "right")


def retest_changes(programme: dict[str, Any], retest: dict[str, Any]) -> dict[str, float]:
    """Change of each metric of concern, current − baseline (degrees; negative = better).

    Each metric is judged on the leg(s) whose finding made it a concern (a
    left-sided pelvic drop is judged on the left stance); among those legs the
    one that improved least decides (conservative). ``retest`` is either
    ``{"changes_deg_by_leg": {metric: {leg: change}}}`` (from the progress
    tracker), ``{"changes_deg": {metric: change}}`` (already reduced), a new
    ``analysis.json`` dict (compared with the baseline kept in the programme),
    or ``{"baseline": analysis, "current": analysis}``.
    """
    stored = programme.get("retest", {}).get("baseline", {})
    if "changes_deg_by_leg" in retest:
        out: dict[str, float] = {}
        for metric, by_leg in retest["changes_deg_by_leg"].items():
            legs = _concern_legs(stored, metric)
            vals = [float(v) for leg, v in by_leg.items() if leg in legs and v is not None]
            vals = vals or [float(v) for v in by_leg.values() if v is not None]
            if vals:
                out[metric] = max(vals)
        return out
    if "changes_deg" in retest:
        return {k: float(v) for k, v in retest["changes_deg"].items() if v is not None}
    if "current" in retest:
        base = baseline_from_analysis(retest["baseline"]) if "baseline" in retest else stored
        current = baseline_from_analysis(retest["current"])
    else:
        base = stored
        current = baseline_from_analysis(retest)
    concerns = set(base.get("concerns") or METRIC_FINDINGS)
    changes: dict[str, float] = {}
    for metric in concerns:
        diffs = []
        for leg in _concern_legs(base, metric):
            b = base.get("metrics", {}).get(metric, {}).get(leg)
            c = current.get("metrics", {}).get(metric, {}).get(leg)
            if b is not None and c is not None:
                diffs.append(c - b)
        if diffs:
            changes[metric] = max(diffs)
    return changes


def baseline_from_analysis(analysis: dict[str, Any]) -> dict[str, Any]:
    """Per-leg means of the tracked metrics, which were findings (concerns) and on which legs."""
    summary = analysis.get("summary") or {}
    metrics: dict[str, dict[str, float]] = {}
    for metric in METRIC_FINDINGS:
        for leg in ("left", "right"):
            block = (summary.get(leg) or {}).get(metric)
            mean = block.get("mean") if isinstance(block, dict) else None
            if mean is not None:
                metrics.setdefault(metric, {})[leg] = float(mean)
    findings = analysis.get("findings") or []
    codes = {f.get("code") for f in findings}
    concerns = [m for m, code in METRIC_FINDINGS.items() if code in codes and m in metrics]
    concern_legs: dict[str, list[str]] = {}
    for m in concerns:
        legs = {f.get("leg") for f in findings if f.get("code") == METRIC_FINDINGS[m]}
        concern_legs[m] = (sorted(x for x in legs if x in ("left", "right"))
                           if None not in legs else ["left", "right"])
    return {"metrics": metrics, "concerns": concerns, "concern_legs": concern_legs}


def _apply(
    week_items: list[dict[str, Any]],
    current: list[dict[str, Any]],
    decision: str,
    level: str,
    kb: Knowledge,
    equipment: list[str],
    painful: set[str],
) -> list[dict[str, Any]]:
    now = {i.get("slot", i["exercise_id"]): i for i in current}
    now.update({i["exercise_id"]: i for i in current})
    out = []
    for item in week_items:
        key = item.get("slot", item["exercise_id"])
        done = now.get(item["exercise_id"]) or now.get(key)
        kind = kb.exercises[item["exercise_id"]].kind
        if kind == "run" and decision in ("regress", "refer"):
            new = regress_item(item, level, kb, equipment=equipment)
            if done is not None and "bpm" in done:
                new["bpm"], new["increase_pct"] = done.get("bpm"), done.get("increase_pct")
            out.append(new)
            continue
        if kind not in LOADING_KINDS or item.get("block") != "main":
            out.append(dict(item))
            continue
        if decision == "progress":
            new = (
                progress_item(
                    done,
                    level,
                    kb,
                    equipment=equipment,
                    taken={i["exercise_id"] for i in week_items},
                )
                if done
                else dict(item)
            )
        elif decision == "hold":
            new = dict(done) if done else dict(item)
        else:
            base = done or item
            new = regress_item(
                base, level, kb, equipment=equipment, painful=base["exercise_id"] in painful
            )
        new["block"] = item.get("block", "main")
        new.setdefault("slot", key)
        out.append(new)
    return out


@dataclass(frozen=True)
class _Week:
    """What the logs say about the programme week being judged (``index``) and the one before."""

    index: int
    logs: list[dict[str, Any]]
    pain: float | None
    prev_pain: float | None
    rpe: float | None
    planned: int
    days_done: int
    partial: list[SessionDone]
    painful: set[str]


def _read_week(prog: dict[str, Any], clean: list[dict[str, Any]], kb: Knowledge) -> _Week:
    """Step 1: find this week (the one holding the latest log) and sum up its logs."""
    rules = kb.rules.progression
    weeks = prog["weeks"]
    if not clean:
        cur = 0
        week_logs: list[dict[str, Any]] = []
        prev_logs: list[dict[str, Any]] = []
    else:
        latest = max(log["date"] for log in clean)
        cur = _week_of(prog, latest)
        lo, hi = _week_bounds(weeks[cur])
        week_logs = [g for g in clean if lo <= g["date"] < hi]
        prev_logs = [g for g in clean if lo - dt.timedelta(days=7) <= g["date"] < lo]
    done = strength_done(weeks[cur], week_logs)
    full = rules.adherence_full_pct / 100.0
    return _Week(
        index=cur,
        logs=week_logs,
        pain=_max([g["pain"] for g in week_logs]),
        prev_pain=_max([g["pain"] for g in prev_logs]),
        rpe=_max([g["rpe"] for g in week_logs]),
        planned=len(done),
        days_done=sum(1 for d in done if d.share >= full),
        partial=[d for d in done if 0 < d.share < full],
        painful={
            str(g.get("exercise_id"))
            for g in week_logs
            if g["pain"] is not None and g["pain"] > rules.pain_regress_above
        },
    )


def _pain_referral(week: _Week, kb: Knowledge) -> list[str]:
    """Step 2: pain above the limit this week and the week before calls for a clinician."""
    limit = kb.rules.progression.pain_regress_above
    pain, prev = week.pain, week.prev_pain
    if pain is not None and pain > limit and prev is not None and prev > limit:
        return [f"Pain stayed above {limit:g}/10 for two weeks ({prev:g} then {pain:g}/10)."]
    return []


def _read_retest(
    prog: dict[str, Any], retest: dict[str, Any], clean: list[dict[str, Any]], cur: int,
    kb: Knowledge,
) -> tuple[list[str], list[str]]:
    """Step 3: compare a retest with the baseline; return (notes, reasons to refer)."""
    notes: list[str] = []
    refer: list[str] = []
    changes = retest_changes(prog, retest)
    sdd = kb.rules.retest.sdd_deg
    weeks_in = cur + 1
    adh = block_adherence(prog["weeks"], clean, cur, _week_bounds)
    good = adh is not None and adh * 100 >= kb.rules.good_adherence_pct
    full_block = weeks_in >= kb.rules.no_change_referral_after_weeks
    better = {m: c for m, c in changes.items() if m in sdd and c <= -sdd[m]}
    worse = {m: c for m, c in changes.items() if m in sdd and c >= sdd[m]}
    for m, c in better.items():
        notes.append(
            f"Retest: {m} improved by {-c:.1f}° — more than the {sdd[m]:g}° "
            "measurement error, a real change."
        )
    for m, c in worse.items():
        refer.append(
            f"Retest: {m} got worse by {c:.1f}° (more than the {sdd[m]:g}° measurement error)."
        )
    if changes and not better and not worse:
        shown = ", ".join(f"{m} {c:+.1f}°" for m, c in changes.items())
        if full_block and good:
            refer.append(
                f"After a full block ({weeks_in} weeks) with good adherence "
                f"({(adh or 0) * 100:.0f} % of the strength work), the retest shows no change "
                f"larger than the measurement error ({shown})."
            )
        else:
            why = (
                f"only {weeks_in} weeks in"
                if not full_block
                else "adherence was below "
                f"{kb.rules.good_adherence_pct:g} % ({(adh or 0) * 100:.0f} %)"
            )
            notes.append(
                f"Retest: no measurable change yet ({shown}; below the measurement error). "
                f"That is expected {why}: keep going."
            )
    return notes, refer


def _decide(week: _Week, refer_reasons: list[str], kb: Knowledge) -> tuple[str, list[str]]:
    """Step 4: refer, regress, hold or progress, with the reason in words."""
    rules = kb.rules.progression
    limit = rules.pain_regress_above
    pain, prev, rpe = week.pain, week.prev_pain, week.rpe
    if refer_reasons:
        return "refer", list(refer_reasons)
    if pain is not None and pain > limit:
        return "regress", [f"Pain reached {pain:g}/10 (limit {limit:g}/10)."]
    if pain is not None and prev is not None and pain - prev >= rules.pain_rise_points:
        return "regress", [f"Pain rose from {prev:g} to {pain:g}/10 since last week."]
    if rpe is not None and rpe > rules.rpe_regress_above:
        return "regress", [f"Effort was very high (RPE {rpe:g}/10)."]
    if not week.logs:
        return "hold", ["No workouts logged this week: repeat the same dose."]
    if week.days_done < week.planned:
        detail = "; ".join(
            f"{d.title}: {d.share * 100:.0f} %" + (f" ({d.detail})" if d.detail else "")
            for d in week.partial
        )
        return "hold", [
            f"{week.days_done} of {week.planned} strength sessions done in full"
            + (f" — partial: {detail}" if detail else "")
            + ": repeat the same dose."
        ]
    if rpe is not None and rpe > rules.rpe_progress_max:
        return "hold", [f"Effort was high (RPE {rpe:g}/10): repeat the same dose."]
    return "progress", [
        f"All {week.planned} strength sessions done with pain ≤ {limit:g}/10"
        + (f" and RPE ≤ {rules.rpe_progress_max:g}" if rpe is not None else "")
        + "."
    ]


def _raise_referral(referral: dict[str, Any], reasons: list[str]) -> None:
    """Step 5: raise the programme's referral to at least "soon" (physical therapist)."""
    if _URGENCY_RANK.get(referral.get("urgency", "none"), 0) < _URGENCY_RANK["soon"]:
        referral["urgency"] = "soon"
    referral["needed"] = True
    referral["to"] = list(dict.fromkeys([*referral.get("to", []), "physical therapist"]))
    referral["reasons"] = list(dict.fromkeys([*referral.get("reasons", []), *reasons]))


def _adapt_following_week(prog: dict[str, Any], week: _Week, loading: str, kb: Knowledge) -> None:
    """Step 6: apply ``loading`` to the strength and run sessions of the week after ``week``."""
    settings = prog.get("settings", {})
    level = settings.get("level", "intermediate")
    equipment = list(settings.get("equipment", []))
    weeks = prog["weeks"]
    current_main = [
        i
        for s in weeks[week.index]["sessions"]
        if s["kind"] in ("strength", "run")
        for i in s["items"]
        if i.get("block") == "main"
    ]
    for session in weeks[week.index + 1]["sessions"]:
        if session["kind"] in ("strength", "run"):
            session["items"] = _apply(
                session["items"], current_main, loading, level, kb, equipment, week.painful
            )


def adapt_next_week(
    programme: dict[str, Any], logs: list[dict[str, Any]], *, retest: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Decide how next week should change from this week's workout logs, and apply it.

    Parameters
    ----------
    programme
        A ``kneetrack.programme/1`` dict (as written to ``programme.json``). It
        is not modified; an updated deep copy is returned.
    logs
        Workout logs, each ``{date, exercise_id, sets, reps, hold_s, load, rpe
        (1–10), pain (0–10), note}``; only ``date`` is required. "This week" is
        the programme week containing the latest log date; earlier logs serve
        as the comparison week.
    retest
        Optional retest result: a new ``analysis.json`` dict (compared with the
        baseline stored in ``programme["retest"]["baseline"]``),
        ``{"baseline": analysis, "current": analysis}``, or
        ``{"changes_deg": {"fppa_peak_deg": -9.0, ...}}`` (current − baseline).

    Returns
    -------
    dict
        ``{"programme": updated programme, "decision": "progress" | "hold" |
        "regress" | "refer", "reasons": [str, ...]}``.

    Notes
    -----
    Rules (thresholds from ``knowledge/rules.yaml``):

    - **refer** — pain above the limit (3/10) this week and the week before
      (loading is regressed), or, at a retest, a real worsening (beyond the
      smallest detectable difference: FPPA 8°, pelvic drop 2.7°, hip adduction
      3°), or no change beyond it after a full block (``no_change_referral_after_weeks``,
      6 weeks) with good strength adherence (≥ 80 %); a referral for results
      holds the dose instead of cutting it. ``programme["referral"]`` is raised
      to at least ``soon`` (physical therapist). A change below the SDD before
      that is "no measurable change yet": the decision follows the logs.
    - **regress** — pain above 3/10, pain up by 2+ points on the week before,
      or an RPE above 8. Painful exercises move to their regression, others
      lose a set and a third of their reps; runs are shortened and the cadence
      target is held.
    - **progress** — every planned strength session was done in full: the
      logs of one day cover its main exercises with ≥ 90 % of the planned sets
      × reps (runs and mobility never count), pain ≤ 3/10 and RPE ≤ 7: next
      week gets one overload step (reps → sets → resistance → single-leg).
    - **hold** — anything else (a missed or partial session, RPE 8, no logs):
      next week repeats this week's dose.

    The adapted week and every later week are re-based under the week-on-week
    ceiling (:func:`kneetrack.programme.ceiling.rebase_weeks`), and the decision is recorded
    in ``programme["adaptations"]`` and in the adapted week's ``adapted`` field.
    """
    if not isinstance(programme, dict) or programme.get("schema") != "kneetrack.programme/1":
        raise InputError("not a kneetrack.programme/1 document")
    kb = load_knowledge()
    prog = copy.deepcopy(programme)
    clean = _clean_logs(logs)
    referral = prog.setdefault(
        "referral", {"needed": False, "urgency": "none", "to": [], "reasons": []}
    )
    if prog.get("status") == "on_hold" or not prog.get("weeks"):
        hold_reasons = [
            "Loading is on hold until a clinician has seen you: "
            + "; ".join(referral.get("reasons") or ["urgent referral"])
        ]
        return {"programme": prog, "decision": "refer", "reasons": hold_reasons}
    weeks = prog["weeks"]
    week = _read_week(prog, clean, kb)
    reasons: list[str] = []
    pain_refer = _pain_referral(week, kb)
    result_refer: list[str] = []
    if retest is not None:
        notes, result_refer = _read_retest(prog, retest, clean, week.index, kb)
        reasons.extend(notes)
    refer_reasons = [*pain_refer, *result_refer]
    decision, why = _decide(week, refer_reasons, kb)
    reasons.extend(why)
    if decision == "refer":
        _raise_referral(referral, refer_reasons)
    # Loading: a referral for pain takes load off; one for results holds the dose (no deload).
    loading = decision
    if decision == "refer" and not pain_refer:
        loading = "hold"
        reasons.append("The dose stays the same until you have been seen (no pain: no deload).")
    nxt = week.index + 1
    if nxt < len(weeks):
        _adapt_following_week(prog, week, loading, kb)
        weeks[nxt]["adapted"] = {
            "decision": decision,
            "reasons": reasons,
            "from_week": weeks[week.index]["week"],
        }
        settings = prog.get("settings", {})
        rebase_weeks(weeks, nxt, settings.get("level", "intermediate"), kb,
                     list(settings.get("equipment", [])))
    else:
        reasons.append("This was the last week of the plan; film a retest and make a new plan.")
    prog.setdefault("adaptations", []).append(
        {
            "week": weeks[week.index]["week"],
            "applied_to_week": weeks[nxt]["week"] if nxt < len(weeks) else None,
            "decision": decision,
            "reasons": reasons,
            "logged_days": week.days_done,
            "max_pain": week.pain,
            "max_rpe": week.rpe,
        }
    )
    return {"programme": prog, "decision": decision, "reasons": reasons}
