"""Pydantic models that validate the knowledge-base data files.

Every data file (``exercises.yaml``, ``cues.yaml``, ``footwear.yaml``,
``causes.yaml``, ``referral.yaml``, ``retraining.yaml``, ``rules.yaml``) is
checked against these models when it is loaded, and the library as a whole is
checked for dangling references (an exercise id that does not exist, a
progression chain that loops back on itself).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Level = Literal["beginner", "intermediate", "advanced"]
LEVELS: tuple[str, ...] = ("beginner", "intermediate", "advanced")
Phase = Literal["foundation", "strength", "integration"]
PHASES: tuple[str, ...] = ("foundation", "strength", "integration")
ExerciseKind = Literal["strength", "core", "foot", "mobility", "drill", "run"]
LoadType = Literal["bodyweight", "band", "long_band", "dumbbell", "none"]
Urgency = Literal["none", "soon", "urgent"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Dose(_Strict):
    """A starting dose: sets of reps (or of holds), tempo and rest."""

    sets: int = Field(ge=1, le=6)
    reps: int | None = Field(default=None, ge=1, le=60)
    hold_s: int | None = Field(default=None, ge=5, le=180)
    duration_min: int | None = Field(default=None, ge=1, le=90)
    tempo: str | None = None
    rest_s: int = Field(default=60, ge=0, le=300)

    @model_validator(mode="after")
    def _reps_or_hold(self) -> Dose:
        given = [v for v in (self.reps, self.hold_s, self.duration_min) if v is not None]
        if len(given) != 1:
            raise ValueError("a dose has exactly one of reps, hold_s or duration_min")
        return self


class Exercise(_Strict):
    """One exercise, drill or stretch, written in our own words."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    kind: ExerciseKind
    target: list[str] = Field(min_length=1)
    addresses: list[str] = Field(default_factory=list)
    equipment: list[str] = Field(default_factory=list)
    load_type: LoadType = "bodyweight"
    per_side: bool = False
    single_leg: bool = False
    instructions: list[str] = Field(min_length=2)
    form_points: list[str] = Field(min_length=1)
    common_mistakes: list[str] = Field(min_length=1)
    dosage: dict[Level, Dose]
    rep_max: int | None = Field(default=None, ge=1)
    rep_unit: str | None = None
    hold_max_s: int | None = Field(default=None, ge=5)
    regressions: list[str] = Field(default_factory=list)
    progressions: list[str] = Field(default_factory=list)
    substitutes: list[str] = Field(default_factory=list)
    contraindications: list[str] = Field(min_length=1)
    source: str = Field(min_length=3)

    @model_validator(mode="after")
    def _all_levels(self) -> Exercise:
        missing = [lv for lv in LEVELS if lv not in self.dosage]
        if missing:
            raise ValueError(f"{self.id}: dosage missing for {', '.join(missing)}")
        return self


class Cue(_Strict):
    """A form cue or piece of running advice."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    text: str
    why: str
    addresses: list[str] = Field(default_factory=list)
    always: bool = False
    source: str


class FootwearAdvice(_Strict):
    """A piece of footwear advice with the condition that triggers it."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    text: str
    when: list[Condition] = Field(default_factory=list)
    addresses: list[str] = Field(default_factory=list)
    always: bool = False
    source: str


class Condition(_Strict):
    """One test against the facts of a runner (see :mod:`kneetrack.assessment.facts`).

    Exactly one subject: ``finding`` (a finding code from ``analysis.json``),
    ``finding_prefix`` (e.g. ``asymmetry_``) or ``fact`` (a dotted fact name).
    A fact is compared with one operator (``lt``, ``le``, ``gt``, ``ge``,
    ``eq``, ``in``) or ``is_true``.
    """

    finding: str | None = None
    finding_prefix: str | None = None
    min_severity: Literal["mild", "moderate", "severe"] | None = None
    fact: str | None = None
    lt: float | None = None
    le: float | None = None
    gt: float | None = None
    ge: float | None = None
    eq: Any = None
    in_: list[Any] | None = Field(default=None, alias="in")
    contains: Any = None
    is_true: bool | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_subject(self) -> Condition:
        subjects = [s for s in (self.finding, self.finding_prefix, self.fact) if s is not None]
        if len(subjects) != 1:
            raise ValueError("a condition names exactly one of finding, finding_prefix, fact")
        if self.fact is not None:
            ops = [
                o
                for o in (
                    self.lt,
                    self.le,
                    self.gt,
                    self.ge,
                    self.eq,
                    self.in_,
                    self.contains,
                    self.is_true,
                )
                if o is not None
            ]
            if len(ops) != 1:
                raise ValueError(f"condition on fact {self.fact!r} needs exactly one operator")
        return self


FootwearAdvice.model_rebuild()


class Derived(_Strict):
    """A fact derived from other facts: true if ``any`` holds / if ``all`` hold."""

    any: list[Condition] = Field(default_factory=list)
    all: list[Condition] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_kind(self) -> Derived:
        if bool(self.any) == bool(self.all):
            raise ValueError("a derived fact has either 'any' or 'all' conditions")
        return self


class Evidence(_Strict):
    """One line of evidence for a cause: a condition, its weight and why it counts."""

    when: Condition
    weight: float = Field(gt=0, le=1)
    because: str
    needs: str | None = None
    #: A stronger tier or a side difference of another line: it adds to the score
    #: but not to the rule's total, so it never dilutes the confidence of runners
    #: who were not tested for it.
    extra: bool = False


class CauseRule(_Strict):
    """A transparent rule that suggests one contributing cause."""

    code: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    summary: str
    evidence: list[Evidence] = Field(min_length=1)
    min_score: float = Field(gt=0, le=1)
    requires_any: list[int] = Field(default_factory=list)
    exercises: dict[Phase, list[str]]
    cues: list[str] = Field(default_factory=list)
    source: str

    @model_validator(mode="after")
    def _indices(self) -> CauseRule:
        for i in self.requires_any:
            if not 0 <= i < len(self.evidence):
                raise ValueError(f"{self.code}: requires_any index {i} out of range")
        return self


class RedFlag(_Strict):
    """A referral rule: all conditions must hold (``all``), or any of ``any``."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    urgency: Literal["soon", "urgent"]
    to: list[str] = Field(min_length=1)
    reason: str
    all: list[Condition] = Field(default_factory=list)
    any: list[Condition] = Field(default_factory=list)
    source: str

    @model_validator(mode="after")
    def _has_conditions(self) -> RedFlag:
        if not self.all and not self.any:
            raise ValueError(f"{self.id}: a red flag needs conditions")
        return self


class RetrainingStep(_Strict):
    """One step of cadence retraining."""

    phase: Phase
    cadence_increase_pct: float = Field(ge=0, le=15)
    text: str


class RetrainingSession(_Strict):
    """One session of the faded-feedback gait-retraining protocol."""

    session: int = Field(ge=1)
    run_min: int = Field(ge=5, le=60)
    feedback: Literal["full", "faded", "none"]
    note: str


class Retraining(_Strict):
    """The gait-retraining protocol (Willy 2012; Davis 2020)."""

    summary: str
    cadence_steps: list[RetrainingStep] = Field(min_length=2)
    sessions: list[RetrainingSession] = Field(min_length=4)
    drills: list[str] = Field(default_factory=list)
    safety: list[str] = Field(min_length=1)
    source: str


class Retest(_Strict):
    """Retest schedule and the smallest detectable differences of the metrics."""

    every_weeks: int = Field(ge=2, le=8)
    instructions: list[str] = Field(min_length=1)
    sdd_deg: dict[str, float]
    source: str


class Progression(_Strict):
    """Progressive-overload and regression rules."""

    order: list[Literal["reps", "sets", "resistance", "single_leg"]]
    reps_step: int = Field(ge=1)
    hold_step_s: int = Field(ge=1)
    rep_max: dict[Level, int]
    hold_max_s: dict[Level, int]
    max_sets: dict[Level, int]
    band_ladder: list[str] = Field(min_length=2)
    dumbbell_ladder: list[str] = Field(min_length=2)
    pain_regress_above: float = Field(ge=0, le=10)
    rpe_progress_max: float = Field(ge=1, le=10)
    rpe_regress_above: float = Field(ge=1, le=10)
    pain_rise_points: float = Field(ge=0, le=10)
    max_weekly_growth_pct: float = Field(default=20, gt=0, le=50)
    adherence_full_pct: float = Field(default=90, gt=0, le=100)
    source: str


class Rules(_Strict):
    """Programme-building rules: phases, schedule, baseline exercises, progression."""

    phase_share: dict[Phase, float]
    items_per_session: dict[Phase, int]
    baseline: dict[Phase, list[str]]
    strength_warmup: list[str]
    run_warmup: list[str]
    mobility_baseline: list[str]
    weekdays: dict[str, dict[str, list[int]]]
    progression: Progression
    retest: Retest
    general_advice: list[str]
    start_lower_when_pain_at_least: float = Field(default=5, ge=0, le=10)
    no_change_referral_after_weeks: int = Field(default=6, ge=4, le=16)
    good_adherence_pct: float = Field(default=80, gt=0, le=100)
    source: str


class Knowledge(BaseModel):
    """The whole knowledge base, cross-checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    exercises: dict[str, Exercise]
    cues: dict[str, Cue]
    footwear: list[FootwearAdvice]
    causes: dict[str, CauseRule]
    severity_factor: dict[Literal["mild", "moderate", "severe"], float]
    finding_views: dict[str, list[str]]
    finding_aliases: dict[str, str] = Field(default_factory=dict)
    derived: dict[str, Derived]
    stance_findings: dict[str, dict[str, Any]] = Field(default_factory=dict)
    red_flags: list[RedFlag]
    retraining: Retraining
    rules: Rules

    def exercise(self, exercise_id: str) -> Exercise:
        """Return an exercise by id (``KeyError`` with the id if unknown)."""
        return self.exercises[exercise_id]

    @model_validator(mode="after")
    def _cross_check(self) -> Knowledge:
        problems = reference_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self


def referenced_exercise_ids(kb: Knowledge) -> dict[str, set[str]]:
    """Every exercise id a data file refers to, keyed by where it is referred to."""
    refs: dict[str, set[str]] = {}

    def add(where: str, ids: list[str]) -> None:
        refs.setdefault(where, set()).update(ids)

    for ex in kb.exercises.values():
        add(f"exercise {ex.id}", [*ex.regressions, *ex.progressions, *ex.substitutes])
    for cause in kb.causes.values():
        for ids in cause.exercises.values():
            add(f"cause {cause.code}", ids)
    for phase_ids in kb.rules.baseline.values():
        add("rules.baseline", phase_ids)
    add(
        "rules.warmups",
        [*kb.rules.strength_warmup, *kb.rules.run_warmup, *kb.rules.mobility_baseline],
    )
    add("retraining.drills", kb.retraining.drills)
    return refs


def progression_cycle(
    exercises: dict[str, Exercise], edge: str = "progressions"
) -> list[str] | None:
    """Return one cycle in the progression (or regression) graph, or ``None`` if acyclic."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in getattr(exercises[node], edge):
            if nxt not in exercises:
                continue
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if state.get(nxt) is None:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for ex_id in exercises:
        if state.get(ex_id) is None:
            found = visit(ex_id)
            if found:
                return found
    return None


def reference_problems(kb: Knowledge) -> list[str]:
    """Dangling ids, cycles and one-way progression links in the knowledge base."""
    problems: list[str] = []
    for where, ids in referenced_exercise_ids(kb).items():
        for ex_id in sorted(ids - set(kb.exercises)):
            problems.append(f"{where} refers to unknown exercise {ex_id!r}")
    for ex in kb.exercises.values():
        for nxt in ex.progressions:
            if nxt in kb.exercises and ex.id not in kb.exercises[nxt].regressions:
                problems.append(
                    f"{ex.id} progresses to {nxt} but {nxt} does not list it as a regression"
                )
        for prev in ex.regressions:
            if prev in kb.exercises and ex.id not in kb.exercises[prev].progressions:
                problems.append(
                    f"{ex.id} regresses to {prev} but {prev} does not list it as a progression"
                )
    for edge in ("progressions", "regressions"):
        cycle = progression_cycle(kb.exercises, edge)
        if cycle:
            problems.append(f"{edge} form a cycle: {' -> '.join(cycle)}")
    for cause in kb.causes.values():
        for cue in cause.cues:
            if cue not in kb.cues:
                problems.append(f"cause {cause.code} refers to unknown cue {cue!r}")
    return problems
