"""Build a progressive corrective programme from the suggested causes.

The programme runs for N weeks in three phases (foundation → strength →
integration). Each week has 2–3 strength sessions (warm-up + main work), short
mobility sessions and run-specific sessions (warm-up drills, then cadence
retraining, wide-step running or an easy run). Dosage starts at the runner's
level and rises week by week by the progressive-overload rules in
``rules.yaml``; every 4 weeks the runner films again (a ``retest`` session).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kneetrack import __version__
from kneetrack.errors import SettingsError
from kneetrack.knowledge import load_knowledge
from kneetrack.knowledge.schema import LEVELS, PHASES, Knowledge
from kneetrack.programme.ceiling import rebase_weeks
from kneetrack.programme.dosage import (
    LOADING_KINDS,
    item_volume,
    make_item,
    progress_item,
    resolve_exercise,
)
from kneetrack.programme.layout import (
    MAINTENANCE_WEEKS,
    cadence_targets,
    complete_cause,
    cue_list,
    estimate_minutes,
    phase_goal,
    phase_weeks,
    progression_text,
    rotate,
    round_robin,
)
from kneetrack.programme.tailor import (
    apply_tested_holds,
    cause_side,
    tag_weaker_side,
    tested_holds,
)

SCHEMA = "kneetrack.programme/1"
EQUIPMENT = ("band", "long_band", "dumbbell", "metronome")
CADENCE_CUE_CAUSES = frozenset({"low_cadence", "overstriding"})
#: A primary cause that limits range gets a short mobility session every day.
DAILY_MOBILITY_CAUSES = frozenset({"ankle_dorsiflexion_limit", "hip_mobility"})
#: Order of sessions on the same day.
SESSION_ORDER = {"run": 0, "retest": 1, "strength": 2, "mobility": 3}
DISCLAIMER = (
    "This plan is exercise guidance, not a diagnosis. The movement findings it is based on are "
    "associated with knee pain in runners; they do not prove a cause. Stop and see a clinician if "
    "pain is sharp, rises above 3/10, or any warning sign in the referral section applies."
)
class ProgrammeGenerator:
    """Generate a corrective programme.

    Parameters
    ----------
    weeks
        Length of the plan in weeks (4–16; 8–12 recommended).
    sessions_per_week
        Strength sessions per week (2 or 3); mobility and run sessions come on top.
    runs_per_week
        Running sessions per week in the plan (2 or 3): drills, then cadence
        retraining, wide-step or easy running.
    level
        ``beginner``, ``intermediate`` or ``advanced``: the starting dose.
    equipment
        Available equipment among ``band``, ``long_band``, ``dumbbell``,
        ``metronome`` (a floor, a wall, a chair and a stair are assumed).
    start
        Date of the first session (default: today).
    knowledge
        Knowledge base to use (default: the packaged one).

    Attributes
    ----------
    programme_
        The programme as a ``kneetrack.programme/1`` dict.

    Notes
    -----
    Phases and progressive overload follow the combined hip-and-knee approach
    of Crossley et al. 2016 and Willy et al. 2019 (patellofemoral pain
    guideline) and ACSM 2009 progression models; cadence retraining follows
    Heiderscheit et al. 2011 and Willy, Scholz & Davis 2012 (faded feedback).
    """

    def __init__(
        self,
        *,
        weeks: int = 8,
        sessions_per_week: int = 3,
        runs_per_week: int = 3,
        level: str = "intermediate",
        equipment: Iterable[str] = ("band",),
        start: dt.date | None = None,
        knowledge: Knowledge | None = None,
    ) -> None:
        self.weeks = weeks
        self.sessions_per_week = sessions_per_week
        self.runs_per_week = runs_per_week
        self.level = level
        self.equipment = tuple(equipment)
        self.start = start
        self.knowledge = knowledge

    # ------------------------------------------------------------------ checks
    def _validate(self) -> None:
        if not 4 <= int(self.weeks) <= 16:
            raise SettingsError(f"weeks must be between 4 and 16 (got {self.weeks})")
        if self.sessions_per_week not in (2, 3):
            raise SettingsError(f"sessions per week must be 2 or 3 (got {self.sessions_per_week})")
        if self.runs_per_week not in (2, 3):
            raise SettingsError(f"runs per week must be 2 or 3 (got {self.runs_per_week})")
        if self.level not in LEVELS:
            raise SettingsError(f"unknown level {self.level!r}; choose one of {', '.join(LEVELS)}")
        unknown = [e for e in self.equipment if e not in EQUIPMENT]
        if unknown:
            raise SettingsError(
                f"unknown equipment {unknown[0]!r}; choose from {', '.join(EQUIPMENT)}"
            )

    # -------------------------------------------------------------- selection
    def _pick(self, ids: Iterable[str], kb: Knowledge, kinds: frozenset[str]) -> list[str]:
        out: list[str] = []
        for ex_id in ids:
            resolved = resolve_exercise(ex_id, kb, self.equipment)
            if resolved and kb.exercises[resolved].kind in kinds and resolved not in out:
                out.append(resolved)
        return out

    def _phase_plan(
        self, phase: str, causes: list[dict[str, Any]], kb: Knowledge, k: int = 0
    ) -> dict[str, list[str]]:
        """Main and mobility exercises of strength session ``k`` (A = 0) in ``phase``.

        Each session draws from every cause's list in turn (round robin), so A, B
        and C all work on the same causes; session ``k`` starts ``k`` places further
        down each list, so the sessions use different exercises where the lists allow.
        """
        per_cause = [
            kb.causes[c["code"]].exercises.get(phase, [])  # type: ignore[call-overload]
            for c in causes
            if c["code"] in kb.causes
        ]
        lists = [*per_cause, kb.rules.baseline[phase]]  # type: ignore[index]
        ordered = round_robin(lists)
        n_items = kb.rules.items_per_session[phase]  # type: ignore[index]
        pool = self._pick(ordered, kb, LOADING_KINDS)
        if k and pool:
            rotated = round_robin([rotate(self._pick(x, kb, LOADING_KINDS), k) for x in lists])
            # the primary cause's first exercise stays in every session
            anchor = self._pick(per_cause[0], kb, LOADING_KINDS)[:1] if per_cause else []
            pool = list(dict.fromkeys([*anchor, *rotated]))
        main = pool[:n_items]
        mobility = self._pick([*ordered, *kb.rules.mobility_baseline], kb, frozenset({"mobility"}))[
            :5
        ]
        return {"main": main, "mobility": mobility}

    # ------------------------------------------------------------------ build
    def generate(
        self,
        causes: Sequence[dict[str, Any]],
        *,
        cadence_spm: float | None = None,
        referral: dict[str, Any] | None = None,
        baseline: dict[str, Any] | None = None,
        tests: Mapping[str, Any] | None = None,
    ) -> ProgrammeGenerator:
        """Build the programme.

        Parameters
        ----------
        causes
            Suggested causes, most confident first: dicts with at least ``code``
            and ``confidence`` (as produced by :class:`~kneetrack.assessment.CauseInference`).
        cadence_spm
            The runner's measured cadence (steps/min), for the metronome targets.
        referral
            The referral decision; an ``urgent`` one holds back all loading
            (the plan has no weeks until a clinician has seen the runner).
        baseline
            Per-leg metric means of the first analysis, kept for the retest.
        tests
            The screening's self-test results (``{test: {left, right}}``): tested
            holds set the starting hold of the same exercise.

        Notes
        -----
        A runner with no suggested cause gets a short maintenance plan (at most
        4 weeks, 2 strength sessions, no cadence retraining). After the weeks
        are built, one-sided causes add a set on that side, tested holds set the
        starting holds, and the week-on-week ceiling of
        :mod:`kneetrack.programme.ceiling` is applied to the whole plan.
        """
        self._validate()
        kb = self.knowledge or load_knowledge()
        start = self.start or dt.date.today()
        causes = [complete_cause(c, kb) for c in causes]
        causes.sort(key=lambda c: -float(c.get("confidence", 0)))
        referral = referral or {"needed": False, "urgency": "none", "to": [], "reasons": []}
        codes = {c["code"] for c in causes}
        wants_cadence = (
            bool(codes & CADENCE_CUE_CAUSES)
            or cadence_spm is not None
            and bool(codes & {"hip_abductor_weakness", "narrow_step_crossover"})
        )
        maintenance = not causes
        if maintenance:
            self.weeks = min(int(self.weeks), MAINTENANCE_WEEKS)
            self.sessions_per_week = 2
        phases = phase_weeks(int(self.weeks), kb.rules.phase_share)  # type: ignore[arg-type]
        if maintenance:  # two steps only: bodyweight basics, then the loaded versions
            half = int(self.weeks) // 2
            phases = ["foundation"] * half + ["strength"] * (int(self.weeks) - half)
        cadence = cadence_targets(cadence_spm, kb)
        on_hold = referral.get("urgency") == "urgent"
        weeks = (
            [] if on_hold else self._weeks(phases, causes, kb, start, cadence, wants_cadence, codes)
        )
        side = tag_weaker_side(weeks, cause_side(causes), kb)
        apply_tested_holds(weeks, tested_holds(tests))
        rebase_weeks(weeks, 1, self.level, kb, self.equipment)
        self.programme_ = {
            "schema": SCHEMA,
            "software": {"name": "kneetrack", "version": __version__},
            "created": dt.date.today().isoformat(),
            "status": "on_hold" if on_hold else "active",
            "kind": "maintenance" if maintenance else "corrective",
            "weaker_side": side,
            "settings": {
                "weeks": int(self.weeks),
                "sessions_per_week": self.sessions_per_week,
                "runs_per_week": self.runs_per_week,
                "level": self.level,
                "equipment": list(self.equipment),
                "start": start.isoformat(),
            },
            "referral": referral,
            "causes": list(causes),
            "phases": []
            if on_hold
            else [
                {
                    "phase": p,
                    "weeks": [i + 1 for i, q in enumerate(phases) if q == p],
                    "goal": phase_goal(p, wants_cadence, maintenance),
                }
                for p in PHASES
            ],
            "cadence": {
                "measured_spm": cadence_spm,
                "retraining": wants_cadence and not on_hold,
                "targets": cadence,
                "protocol": kb.retraining.summary,
                "safety": list(kb.retraining.safety),
                "source": kb.retraining.source,
            },
            "weeks": weeks,
            "cues": [] if on_hold else cue_list(codes, cadence, kb),
            "footwear": [],
            "retest": self._retest(start, kb, baseline, on_hold),
            "progression_rules": progression_text(kb),
            "advice": list(kb.rules.general_advice),
            "disclaimer": DISCLAIMER,
            "adaptations": [],
        }
        return self

    def _weeks(
        self,
        phases: list[str],
        causes: list[dict[str, Any]],
        kb: Knowledge,
        start: dt.date,
        cadence: list[dict[str, Any]],
        wants_cadence: bool,
        codes: set[str],
    ) -> list[dict[str, Any]]:
        days = kb.rules.weekdays[str(self.sessions_per_week)]
        n_strength = len(days["strength"])
        plans = {
            p: [self._phase_plan(p, causes, kb, k) for k in range(n_strength)] for p in PHASES
        }
        warm_strength = self._pick(kb.rules.strength_warmup, kb, frozenset({"drill", "mobility"}))
        warm_run = self._pick(kb.rules.run_warmup, kb, frozenset({"drill", "mobility"}))
        retest_every = kb.rules.retest.every_weeks
        daily = self._daily_mobility(causes, kb)
        weeks: list[dict[str, Any]] = []
        main_prev: list[list[dict[str, Any]]] = [[] for _ in range(n_strength)]
        mob_prev: list[dict[str, Any]] = []
        cadence_count = {"bpm": None, "n": 0}
        for w, phase in enumerate(phases, start=1):
            first_of_phase = w == 1 or phases[w - 2] != phase
            mains = []
            for k in range(n_strength):
                main = self._main_items(
                    plans[phase][k]["main"], main_prev[k], kb, first_of_phase, phase
                )
                if first_of_phase and main_prev[k]:
                    main = self._match_load(main, main_prev[k], kb, phase)
                mains.append(main)
            mob = self._mobility_items(plans[phase][0]["mobility"], mob_prev, kb)
            week_start = start + dt.timedelta(days=7 * (w - 1))
            sessions: list[dict[str, Any]] = []
            for k, off in enumerate(days["strength"]):
                items = [
                    make_item(
                        kb.exercises[e], self.level, kb, equipment=self.equipment, block="warm-up"
                    )
                    for e in warm_strength
                ]
                sessions.append(
                    self._session(
                        week_start,
                        off,
                        "strength",
                        f"Strength {chr(65 + k)} — {phase}",
                        [*items, *[dict(i) for i in mains[k]]],
                    )
                )
            if daily:
                for off in range(7):
                    sessions.append(
                        self._session(
                            week_start,
                            off,
                            "mobility",
                            "Daily mobility",
                            [dict(i) for i in daily],
                            note="Short and every day: range comes back with frequent, "
                            "short doses.",
                        )
                    )
            else:
                for off in days["mobility"]:
                    sessions.append(
                        self._session(
                            week_start, off, "mobility", "Mobility", [dict(i) for i in mob]
                        )
                    )
            run_days = sorted(days["run"][: self.runs_per_week])
            for r, off in enumerate(run_days):
                sessions.append(
                    self._run_session(
                        week_start,
                        off,
                        phase,
                        r,
                        warm_run,
                        kb,
                        cadence,
                        wants_cadence,
                        codes,
                        cadence_count,
                    )
                )
            if w % retest_every == 0 or w == len(phases):
                sessions.append(
                    self._session(
                        week_start,
                        self._retest_day(kb),
                        "retest",
                        "Re-film and re-analyse",
                        [],
                        note=" ".join(kb.rules.retest.instructions),
                    )
                )
            sessions.sort(key=lambda s: (s["date"], SESSION_ORDER.get(s["kind"], 9)))
            weeks.append(
                {"week": w, "phase": phase, "start": week_start.isoformat(), "sessions": sessions}
            )
            main_prev, mob_prev = mains, mob
        return weeks

    def _retest_day(self, kb: Knowledge) -> int:
        """Day offset of the retest filming: the week's last run."""
        days = kb.rules.weekdays[str(self.sessions_per_week)]
        return max(days["run"][: self.runs_per_week])

    def _daily_mobility(
        self, causes: list[dict[str, Any]], kb: Knowledge
    ) -> list[dict[str, Any]]:
        """Short daily mobility when the primary cause is a range-of-motion limit (else none)."""
        if not causes or causes[0]["code"] not in DAILY_MOBILITY_CAUSES:
            return []
        rule = kb.causes[causes[0]["code"]]
        ids = [e for p in PHASES for e in rule.exercises.get(p, [])]  # type: ignore[call-overload]
        picked = self._pick(ids, kb, frozenset({"mobility"}))[:3]
        out = []
        for e in picked:
            item = make_item(kb.exercises[e], self.level, kb, equipment=self.equipment)
            item["sets"] = 1
            if "hold_s" in item:
                item["hold_s"] = min(item["hold_s"], 30)
            if "reps" in item:
                item["reps"] = min(item["reps"], 10)
            out.append(item)
        return out

    def _main_items(
        self,
        ids: list[str],
        prev: list[dict[str, Any]],
        kb: Knowledge,
        first_of_phase: bool,
        phase: str,
    ) -> list[dict[str, Any]]:
        prev_by_id = {i["exercise_id"]: i for i in prev}
        by_slot = {i.get("slot", i["exercise_id"]): i for i in prev}
        extra = PHASES.index(phase)
        out: list[dict[str, Any]] = []
        for ex_id in ids:
            if ex_id in by_slot or ex_id in prev_by_id:
                item = by_slot.get(ex_id) or prev_by_id[ex_id]
                taken = {i["exercise_id"] for i in [*out, *prev]} | set(ids)
                new = progress_item(item, self.level, kb, equipment=self.equipment, taken=taken)
                new["slot"] = ex_id
                out.append(new)
            else:
                out.append(
                    make_item(
                        kb.exercises[ex_id],
                        self.level,
                        kb,
                        equipment=self.equipment,
                        extra_sets=extra,
                    )
                )
        for item in prev:  # exercises kept from the last phase to hold the load
            if item.get("carried") and item["exercise_id"] not in {i["exercise_id"] for i in out}:
                taken = {i["exercise_id"] for i in [*out, *prev]} | set(ids)
                out.append(
                    progress_item(item, self.level, kb, equipment=self.equipment, taken=taken)
                )
        # Progressions can turn two items into the same exercise; keep the first.
        seen: set[str] = set()
        unique = []
        for item in out:
            if item["exercise_id"] not in seen:
                seen.add(item["exercise_id"])
                unique.append(item)
        return unique

    def _match_load(
        self, main: list[dict[str, Any]], prev: list[dict[str, Any]], kb: Knowledge, phase: str
    ) -> list[dict[str, Any]]:
        """Raise the dose of a new phase's items until the weekly load is not below last week's."""
        target = sum(item_volume(i, kb) for i in prev)
        main = [dict(i) for i in main]
        for _ in range(60):
            if sum(item_volume(i, kb) for i in main) >= target:
                break
            changed = False
            for k, item in enumerate(main):
                taken = {i["exercise_id"] for i in main}
                new = progress_item(item, self.level, kb, equipment=self.equipment, taken=taken)
                if new != item:
                    main[k] = new
                    changed = True
                    if sum(item_volume(i, kb) for i in main) >= target:
                        break
            if not changed:
                break
        cap = kb.rules.items_per_session[phase]  # type: ignore[index]
        for item in prev:  # still short: keep last phase's exercises while there is room
            if sum(item_volume(i, kb) for i in main) >= target or len(main) >= cap:
                break
            if item["exercise_id"] not in {i["exercise_id"] for i in main}:
                main.append({**item, "carried": True})
        return main

    def _mobility_items(
        self, ids: list[str], prev: list[dict[str, Any]], kb: Knowledge
    ) -> list[dict[str, Any]]:
        prev_by_id = {i["exercise_id"]: i for i in prev}
        return [
            progress_item(prev_by_id[e], self.level, kb)
            if e in prev_by_id
            else make_item(kb.exercises[e], self.level, kb, equipment=self.equipment)
            for e in ids
        ]

    @staticmethod
    def _session(
        week_start: dt.date,
        offset: int,
        kind: str,
        title: str,
        items: list[dict[str, Any]],
        note: str | None = None,
    ) -> dict[str, Any]:
        session: dict[str, Any] = {
            "date": (week_start + dt.timedelta(days=offset)).isoformat(),
            "kind": kind,
            "title": title,
            "items": items,
        }
        if note:
            session["note"] = note
        session["duration_min"] = estimate_minutes(items)
        return session

    def _run_session(
        self,
        week_start: dt.date,
        offset: int,
        phase: str,
        r: int,
        warm: list[str],
        kb: Knowledge,
        cadence: list[dict[str, Any]],
        wants_cadence: bool,
        codes: set[str],
        count: dict[str, Any],
    ) -> dict[str, Any]:
        items = [
            make_item(kb.exercises[e], self.level, kb, equipment=self.equipment, block="warm-up")
            for e in warm
        ]
        note = None
        if wants_cadence:
            target = next(t for t in cadence if t["phase"] == phase)
            if target["bpm"] != count["bpm"] or target["increase_pct"] != count.get("pct"):
                count.update(bpm=target["bpm"], pct=target["increase_pct"], n=0)
            count["n"] += 1
            protocol = kb.retraining.sessions
            step = protocol[min(count["n"], len(protocol)) - 1]
            run = make_item(kb.exercises["cadence_run"], self.level, kb, equipment=self.equipment)
            run["duration_min"] = step.run_min
            run["bpm"] = target["bpm"]
            run["increase_pct"] = target["increase_pct"]
            run["feedback"] = step.feedback if count["n"] <= len(protocol) else "none"
            bpm_text = (
                f"{target['bpm']} bpm"
                if target["bpm"]
                else "your cadence + " + f"{target['increase_pct']:.0f} %"
            )
            note = f"Retraining run {count['n']}: metronome at {bpm_text}. " + (
                step.note if count["n"] <= len(protocol) else "Check your step rate now and then."
            )
            title = f"Cadence run (+{target['increase_pct']:.0f} %)"
        elif "narrow_step_crossover" in codes and r == 0:
            run = make_item(kb.exercises["wide_step_run"], self.level, kb, equipment=self.equipment)
            title = "Wide-step run"
        else:
            run = make_item(kb.exercises["easy_run"], self.level, kb, equipment=self.equipment)
            title = "Easy run with drills"
        if "narrow_step_crossover" in codes and wants_cadence:
            run["cues"] = [*run["cues"], kb.cues["wider_step"].text]
        return self._session(week_start, offset, "run", title, [*items, run], note=note)

    def _retest(
        self, start: dt.date, kb: Knowledge, baseline: dict[str, Any] | None, on_hold: bool
    ) -> dict[str, Any]:
        r = kb.rules.retest
        every = r.every_weeks
        dates = (
            []
            if on_hold
            else [
                (start + dt.timedelta(days=7 * (w - 1) + self._retest_day(kb))).isoformat()
                for w in range(1, int(self.weeks) + 1)
                if w % every == 0 or w == int(self.weeks)
            ]
        )
        return {
            "every_weeks": every,
            "dates": dates,
            "instructions": list(r.instructions),
            "sdd_deg": dict(r.sdd_deg),
            "baseline": baseline or {},
            "source": r.source,
        }


def generate_programme(causes: Sequence[dict[str, Any]], **options: Any) -> dict[str, Any]:
    """One-liner: :class:`ProgrammeGenerator` with ``options`` → programme dict.

    ``cadence_spm``, ``referral``, ``baseline`` and ``tests`` go to
    :meth:`ProgrammeGenerator.generate`; the other options to the constructor.
    """
    gen_keys = {"cadence_spm", "referral", "baseline", "tests"}
    gen = ProgrammeGenerator(**{k: v for k, v in options.items() if k not in gen_keys})
    return gen.generate(causes, **{k: v for k, v in options.items() if k in gen_keys}).programme_
