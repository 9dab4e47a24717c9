"""Compare screening answers with published norms, in plain words.

Thresholds come from ``kneetrack/knowledge/thresholds/screening.yaml`` (each
with its source). :func:`interpret` turns a :class:`Screening` into a list of
:class:`Note` objects that the summary shows; :func:`red_flags` lists the
symptom answers that call for a clinician before training through them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from kneetrack.errors import SettingsError
from kneetrack.screening.schema import PerSide, Screening

LEGS = ("left", "right")


@lru_cache(maxsize=1)
def load_thresholds() -> dict[str, Any]:
    """Return the screening thresholds (``knowledge/thresholds/screening.yaml``)."""
    ref = resources.files("kneetrack") / "knowledge" / "thresholds" / "screening.yaml"
    try:
        data = yaml.safe_load(ref.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:  # pragma: no cover - packaging error
        raise SettingsError(f"cannot read the screening thresholds: {err}") from None
    if not isinstance(data, dict) or data.get("schema") != "kneetrack.thresholds.screening/1":
        raise SettingsError("screening thresholds file has an unexpected schema")
    return data


@dataclass(frozen=True)
class Note:
    """One plain-words reading of a screening value.

    Attributes
    ----------
    topic : str
        Which test or answer (``knee_to_wall``, ``single_leg_squat``, ...).
    leg : str or None
        ``left``/``right`` for a per-leg value, ``None`` for a side difference or a general note.
    status : str
        ``ok`` (within the usual range), ``flag`` (worth working on) or ``info``.
    text : str
        One sentence for the runner.
    value : float or None
        The value it is about, in ``unit``.
    unit : str
    source : str
        Where the norm comes from.
    """

    topic: str
    leg: str | None
    status: str
    text: str
    value: float | None = None
    unit: str = ""
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return asdict(self)


@dataclass(frozen=True)
class RedFlag:
    """A symptom pattern that calls for a clinician (``urgency``: ``urgent`` or ``soon``)."""

    urgency: str
    text: str
    answers: tuple[str, ...]


def _fmt(v: float) -> str:
    return f"{v:.0f}" if abs(v - round(v)) < 0.05 else f"{v:.1f}"


def _pair(ps: PerSide | None) -> dict[str, float]:
    if ps is None:
        return {}
    return {lg: float(v) for lg in LEGS if (v := ps.get(lg)) is not None}


def _side_diff_pct(vals: dict[str, float]) -> float | None:
    if len(vals) < 2:
        return None
    hi = max(vals.values())
    return 0.0 if hi <= 0 else 100.0 * abs(vals["left"] - vals["right"]) / hi


# ------------------------------------------------------------------------------ the tests
def _knee_to_wall(s: Screening, th: dict[str, Any]) -> list[Note]:
    t = th["knee_to_wall"]
    vals = _pair(s.tests.knee_to_wall_cm)
    out = []
    for lg, v in vals.items():
        if v < t["flag_below_cm"]:
            out.append(
                Note(
                    "knee_to_wall",
                    lg,
                    "flag",
                    f"{_fmt(v)} cm on the {lg}: below about {_fmt(t['flag_below_cm'])} cm, "
                    "the ankle bends forward less than usual.",
                    v,
                    "cm",
                    t["source"],
                )
            )
        else:
            out.append(
                Note(
                    "knee_to_wall",
                    lg,
                    "ok",
                    f"{_fmt(v)} cm on the {lg}: a usual range.",
                    v,
                    "cm",
                    t["source"],
                )
            )
    if len(vals) == 2:
        d = abs(vals["left"] - vals["right"])
        if d >= t["side_difference_flag_cm"]:
            stiff = "left" if vals["left"] < vals["right"] else "right"
            out.append(
                Note(
                    "knee_to_wall",
                    None,
                    "flag",
                    f"The {stiff} ankle reaches {_fmt(d)} cm less than the other "
                    f"(a difference of {_fmt(t['side_difference_flag_cm'])} cm or more "
                    "is uncommon).",
                    d,
                    "cm",
                    t["source"],
                )
            )
    return out


def _side_plank(s: Screening, th: dict[str, Any]) -> list[Note]:
    t = th["side_plank"]
    vals = _pair(s.tests.side_plank_s)
    out = []
    sex = s.athlete.sex if s.athlete.sex in ("male", "female") else "female"
    basis = (
        ""
        if s.athlete.sex in ("male", "female")
        else " (compared with women's values; sex not given)"
    )
    for lg, v in vals.items():
        norm = t["norms_s"][sex][lg]
        low = norm["mean"] - norm["sd"]
        if v < low:
            out.append(
                Note(
                    "side_plank",
                    lg,
                    "flag",
                    f"{_fmt(v)} s on the {lg}: short of the usual {norm['mean']} s "
                    f"(± {norm['sd']}) for healthy young adults{basis}.",
                    v,
                    "s",
                    t["source"],
                )
            )
        else:
            out.append(
                Note(
                    "side_plank",
                    lg,
                    "ok",
                    f"{_fmt(v)} s on the {lg}: within the usual range{basis}.",
                    v,
                    "s",
                    t["source"],
                )
            )
    pct = _side_diff_pct(vals)
    if pct is not None and pct > t["asymmetry_flag_pct"]:
        weak = "left" if vals["left"] < vals["right"] else "right"
        out.append(
            Note(
                "side_plank",
                None,
                "flag",
                f"The {weak} side held {pct:.0f}% shorter than the other; the target is "
                f"within {_fmt(t['asymmetry_flag_pct'])}%.",
                pct,
                "%",
                t["source"],
            )
        )
    return out


def hip_abduction_norm(*, age_years: float | None, sex: str | None) -> tuple[float, float] | None:
    """Expected eccentric hip abduction strength (Nm/kg) and its SD, or ``None`` if unknown.

    Ramskov et al. (2014): ``1.600 - 0.005 * age + 0.215 * male``, SD 0.354; with
    the age unknown, the sex's group mean is used.

    Examples
    --------
    >>> hip_abduction_norm(age_years=30, sex="female")
    (1.45, 0.354)
    """
    t = load_thresholds()["hip_abduction_strength"]
    if sex not in ("male", "female"):
        return None
    if age_years is None:
        g = t["group_means"][sex]
        return float(g["mean"]), float(g["sd"])
    e = t["equation"]
    norm = e["intercept"] + e["age_coef"] * age_years + (e["male_coef"] if sex == "male" else 0.0)
    return round(float(norm), 3), float(e["sd"])


def _hip_abduction(s: Screening, th: dict[str, Any]) -> list[Note]:
    t = th["hip_abduction_strength"]
    vals = _pair(s.tests.hip_abduction_nm_per_kg)
    if not vals:
        return []
    out = []
    norm = hip_abduction_norm(age_years=s.athlete.age_years, sex=s.athlete.sex)
    for lg, v in vals.items():
        if norm is None:
            out.append(
                Note(
                    "hip_abduction_strength",
                    lg,
                    "info",
                    f"{v:.2f} Nm/kg on the {lg}; give your sex (and age) to compare it "
                    "with the norm.",
                    v,
                    "Nm/kg",
                    t["source"],
                )
            )
            continue
        mean, sd = norm
        low = mean - t["flag_below_sd"] * sd
        status = "flag" if v < low else "ok"
        words = (
            f"below the expected {mean:.2f} ± {sd:.2f} Nm/kg for your age and sex"
            if status == "flag"
            else f"around or above the expected {mean:.2f} Nm/kg"
        )
        out.append(
            Note(
                "hip_abduction_strength",
                lg,
                status,
                f"{v:.2f} Nm/kg on the {lg}: {words}.",
                v,
                "Nm/kg",
                t["source"],
            )
        )
    pct = _side_diff_pct(vals)
    if pct is not None and pct > t["side_difference_flag_pct"]:
        weak = "left" if vals["left"] < vals["right"] else "right"
        out.append(
            Note(
                "hip_abduction_strength",
                None,
                "flag",
                f"The {weak} hip is {pct:.0f}% weaker than the other.",
                pct,
                "%",
                t["side_difference_source"],
            )
        )
    return out


def _hip_external_rotation(s: Screening, th: dict[str, Any]) -> list[Note]:
    t = th["hip_external_rotation_strength"]
    vals = _pair(s.tests.hip_external_rotation_nm_per_kg)
    out = []
    for lg, v in vals.items():
        weak = v < t["flag_below_nm_per_kg"]
        words = (
            f"below about {t['flag_below_nm_per_kg']:.2f} Nm/kg (indicative cut-off)"
            if weak
            else "not low"
        )
        out.append(
            Note(
                "hip_external_rotation_strength",
                lg,
                "flag" if weak else "ok",
                f"Hip external rotation {v:.2f} Nm/kg on the {lg}: {words}.",
                v,
                "Nm/kg",
                t["source"],
            )
        )
    pct = _side_diff_pct(vals)
    if pct is not None and pct > t["side_difference_flag_pct"]:
        weak_side = "left" if vals["left"] < vals["right"] else "right"
        out.append(
            Note(
                "hip_external_rotation_strength",
                None,
                "flag",
                f"The {weak_side} hip turns out {pct:.0f}% weaker than the other.",
                pct,
                "%",
                th["hip_abduction_strength"]["side_difference_source"],
            )
        )
    return out


def _side_difference_note(
    topic: str, vals: dict[str, float], limit: float, worse: str, text: str, source: str
) -> list[Note]:
    if len(vals) < 2:
        return []
    d = abs(vals["left"] - vals["right"])
    if d < limit:
        return []
    return [Note(topic, None, "flag", text.format(side=worse, d=_fmt(d)), d, "deg", source)]


def _thomas(s: Screening, th: dict[str, Any]) -> list[Note]:
    t = th["thomas_test"]
    vals = _pair(s.tests.thomas_test_deg)
    out = []
    for lg, v in vals.items():
        where = "above" if v > 0 else ("below" if v < 0 else "level with")
        if v > t["flag_above_deg"]:
            extra = " (a positive Thomas test)" if v > t["clearly_tight_above_deg"] else ""
            out.append(
                Note(
                    "thomas_test",
                    lg,
                    "flag",
                    f"Thomas test {v:+.0f} deg on the {lg}: the thigh stays {where} the "
                    f"horizontal{extra}; the hip flexors are tighter than usual (most athletes "
                    f"hang about {abs(t['all']['mean']):.0f} deg below).",
                    v,
                    "deg",
                    t["source"],
                )
            )
        else:
            out.append(
                Note(
                    "thomas_test",
                    lg,
                    "ok",
                    f"Thomas test {v:+.0f} deg on the {lg}: the thigh hangs below the "
                    "horizontal, usual hip-flexor length.",
                    v,
                    "deg",
                    t["source"],
                )
            )
    if len(vals) == 2:
        tight = "left" if vals["left"] > vals["right"] else "right"
        out += _side_difference_note(
            "thomas_test",
            vals,
            t["side_difference_flag_deg"],
            tight,
            "The {side} hip flexors are tighter: {d} deg more than the other side.",
            t["source"],
        )
    return out


def _ober(s: Screening, th: dict[str, Any]) -> list[Note]:
    t = th["ober_test"]
    vals = _pair(s.tests.ober_test_deg)
    out = []
    for lg, v in vals.items():
        tight = v > t["flag_above_deg"]
        words = (
            "the thigh does not drop as far as usual; the band on the outside of the thigh "
            "(iliotibial band, TFL) is tighter than usual"
            if tight
            else "the thigh drops as far as usual"
        )
        out.append(
            Note(
                "ober_test",
                lg,
                "flag" if tight else "ok",
                f"Ober test {v:+.0f} deg on the {lg}: {words} (usual about "
                f"{t['all']['mean']:.0f} ± {t['all']['sd']:.0f} deg).",
                v,
                "deg",
                t["source"],
            )
        )
    if len(vals) == 2:
        tight_side = "left" if vals["left"] > vals["right"] else "right"
        out += _side_difference_note(
            "ober_test",
            vals,
            t["side_difference_flag_deg"],
            tight_side,
            "The {side} side is tighter in the Ober test: {d} deg more than the other.",
            t["source"],
        )
    return out


def _hip_internal_rotation(s: Screening, th: dict[str, Any]) -> list[Note]:
    t = th["hip_internal_rotation"]
    vals = _pair(s.tests.hip_internal_rotation_deg)
    lo, hi = t["usual_deg"]
    out = []
    for lg, v in vals.items():
        limited = v < t["flag_below_deg"]
        words = "limited" if limited else f"a usual range (about {lo}-{hi} deg)"
        out.append(
            Note(
                "hip_internal_rotation",
                lg,
                "flag" if limited else "ok",
                f"Hip internal rotation {_fmt(v)} deg on the {lg}: {words}.",
                v,
                "deg",
                t["source"],
            )
        )
    if len(vals) == 2:
        stiff = "left" if vals["left"] < vals["right"] else "right"
        out += _side_difference_note(
            "hip_internal_rotation",
            vals,
            t["side_difference_flag_deg"],
            stiff,
            "The {side} hip turns in {d} deg less than the other.",
            t["source"],
        )
    return out


def _hip_abduction_range(s: Screening, th: dict[str, Any]) -> list[Note]:
    t = th["hip_abduction_range"]
    lo, hi = t["usual_deg"]
    out = []
    for lg, v in _pair(s.tests.hip_abduction_range_deg).items():
        tight = v < t["flag_below_deg"]
        words = (
            "tight hip adductors (inner thigh)" if tight else f"a usual range (about {lo}-{hi} deg)"
        )
        out.append(
            Note("hip_abduction_range", lg, "flag" if tight else "ok",
                 f"Hip abduction range {_fmt(v)} deg on the {lg}: {words}.", v, "deg",
                 t["source"])
        )
    return out


def _hamstring_quadriceps(s: Screening, th: dict[str, Any]) -> list[Note]:
    t = th["hamstring_quadriceps_ratio"]
    out = []
    for lg, v in _pair(s.tests.hamstring_quadriceps_ratio).items():
        low = v < t["flag_below"]
        words = (
            f"below about {t['flag_below']:.1f}: the quadriceps are strong for the hamstrings"
            if low
            else "a usual balance"
        )
        out.append(
            Note("hamstring_quadriceps_ratio", lg, "flag" if low else "ok",
                 f"Hamstring:quadriceps ratio {v:.2f} on the {lg}: {words}.", v, "",
                 t["source"])
        )
    return out


def _navicular(s: Screening, th: dict[str, Any]) -> list[Note]:
    t = th["navicular_drop"]
    out = []
    for lg, v in _pair(s.tests.navicular_drop_mm).items():
        if v >= t["high_from_mm"]:
            out.append(
                Note(
                    "navicular_drop",
                    lg,
                    "flag",
                    f"{_fmt(v)} mm on the {lg}: a large arch drop (the foot rolls in a lot).",
                    v,
                    "mm",
                    t["source"],
                )
            )
        elif v < t["low_below_mm"]:
            out.append(
                Note(
                    "navicular_drop",
                    lg,
                    "info",
                    f"{_fmt(v)} mm on the {lg}: a small arch drop (a stiffer or high arch).",
                    v,
                    "mm",
                    t["source"],
                )
            )
        else:
            out.append(
                Note(
                    "navicular_drop",
                    lg,
                    "ok",
                    f"{_fmt(v)} mm on the {lg}: a usual arch drop.",
                    v,
                    "mm",
                    t["source"],
                )
            )
    return out


def foot_posture_category(score: float) -> str:
    """FPI-6 category of a total score (Redmond et al. 2006).

    Examples
    --------
    >>> foot_posture_category(7)
    'pronated'
    """
    for c in load_thresholds()["foot_posture_index"]["categories"]:
        if c["min"] <= round(score) <= c["max"]:
            return str(c["label"])
    raise SettingsError(f"Foot Posture Index must be between -12 and 12, got {score}")


def _fpi(s: Screening, th: dict[str, Any]) -> list[Note]:
    t = th["foot_posture_index"]
    out = []
    for lg, v in _pair(s.tests.foot_posture_index).items():
        cat = foot_posture_category(v)
        status = (
            "ok"
            if cat == "normal"
            else ("flag" if "pronated" in cat or "highly" in cat else "info")
        )
        out.append(
            Note(
                "foot_posture_index",
                lg,
                status,
                f"FPI {v:+.0f} on the {lg}: {cat} (most people score 0 to +5).",
                v,
                "points",
                t["source"],
            )
        )
    return out


def _squat(s: Screening, th: dict[str, Any]) -> list[Note]:
    t = th["single_leg_squat"]
    f = t["fppa_deg"]
    vals = _pair(s.tests.single_leg_squat_fppa_deg)
    out = []
    ctl, pfp = f["controls"], f["patellofemoral_pain"]
    for lg, v in vals.items():
        if v > f["flag_above_deg"]:
            out.append(
                Note(
                    "single_leg_squat",
                    lg,
                    "flag",
                    f"The {lg} knee moves in {_fmt(v)} deg at the bottom of the squat: more "
                    f"than most pain-free people ({ctl['mean']} ± {ctl['sd']} deg), closer to "
                    f"people with kneecap pain ({pfp['mean']} ± {pfp['sd']} deg).",
                    v,
                    "deg",
                    f["source"],
                )
            )
        else:
            out.append(
                Note(
                    "single_leg_squat",
                    lg,
                    "ok",
                    f"The {lg} knee angle at the bottom of the squat is {_fmt(v)} deg, within "
                    f"the range of pain-free people ({ctl['mean']} ± {ctl['sd']} deg).",
                    v,
                    "deg",
                    f["source"],
                )
            )
    if len(vals) == 2:
        sdd = t["smallest_detectable_difference_deg"]
        d = abs(vals["left"] - vals["right"])
        if d >= sdd["fppa_deg"]:
            worse = "left" if vals["left"] > vals["right"] else "right"
            out.append(
                Note(
                    "single_leg_squat",
                    None,
                    "flag",
                    f"The {worse} knee moves in {_fmt(d)} deg more than the other, more than "
                    "the measurement error.",
                    d,
                    "deg",
                    sdd["source"],
                )
            )
    block = s.squat_video or {}
    summary = block.get("summary") or {}
    for lg in LEGS:
        leg = summary.get(lg) or {}
        if not leg.get("n_reps"):
            continue
        knee = (leg.get("knee_flexion_est_deg") or {}).get("mean")
        if knee is not None and knee < t["min_knee_flexion_deg"]:
            out.append(
                Note(
                    "single_leg_squat",
                    lg,
                    "info",
                    f"The {lg} squats were shallow (about {knee:.0f} deg of knee bend); "
                    f"go to about {t['target_knee_flexion_deg']} deg next time, or the angles "
                    "read low.",
                    knee,
                    "deg",
                    t["depth_source"],
                )
            )
        lean = (leg.get("trunk_lean_deg") or {}).get("mean")
        if lean is not None and lean > t["trunk_lean_note_above_deg"]:
            out.append(
                Note(
                    "single_leg_squat",
                    lg,
                    "info",
                    f"On the {lg} leg the trunk leans {lean:.0f} deg towards the standing leg, "
                    "a common way to unload weak hip muscles.",
                    lean,
                    "deg",
                    t["depth_source"],
                )
            )
        drop = (leg.get("pelvic_drop_deg") or {}).get("mean")
        if drop is not None and drop > t["pelvic_drop_note_above_deg"]:
            out.append(
                Note(
                    "single_leg_squat",
                    lg,
                    "info",
                    f"On the {lg} leg the other side of the pelvis drops {drop:.0f} deg.",
                    drop,
                    "deg",
                    t["depth_source"],
                )
            )
    for w in block.get("warnings") or []:
        out.append(Note("single_leg_squat", None, "info", f"Video: {w}."))
    return out


def _shoes(s: Screening, th: dict[str, Any]) -> list[Note]:
    t = th["shoes"]
    km = s.shoes.km
    if km is None:
        return []
    lo, hi = t["replace_after_km"]
    if km > hi:
        return [
            Note(
                "shoes",
                None,
                "flag",
                f"Your shoes have run about {_fmt(km)} km; their cushioning is likely worn "
                f"(usual advice: replace after {lo}-{hi} km).",
                km,
                "km",
                t["source"],
            )
        ]
    if km >= lo:
        return [
            Note(
                "shoes",
                None,
                "info",
                f"Your shoes have run about {_fmt(km)} km; plan new ones soon "
                f"(usual advice: {lo}-{hi} km).",
                km,
                "km",
                t["source"],
            )
        ]
    return [
        Note(
            "shoes", None, "ok", f"Your shoes have run about {_fmt(km)} km.", km, "km", t["source"]
        )
    ]


def _training(s: Screening, th: dict[str, Any]) -> list[Note]:
    t = th["training_load"]
    inc = s.training.recent_increase_pct
    if inc is None:
        return []
    if inc > t["recent_increase_flag_pct"]:
        return [
            Note(
                "training_load",
                None,
                "flag",
                f"Your weekly distance rose by {_fmt(inc)}% recently; rises above "
                f"{t['recent_increase_flag_pct']}% in two weeks are associated with knee pain "
                "in runners.",
                inc,
                "%",
                t["source"],
            )
        ]
    return [
        Note(
            "training_load",
            None,
            "ok",
            f"Your weekly distance changed by {_fmt(inc)}%.",
            inc,
            "%",
            t["source"],
        )
    ]


def _pain(s: Screening, th: dict[str, Any]) -> list[Note]:
    t = th["pain"]
    out = []
    worst = s.symptoms.pain_worst_0_10
    if worst is not None and worst >= t["severe_from"]:
        out.append(
            Note(
                "pain",
                None,
                "flag",
                f"Your worst pain is {_fmt(worst)}/10, which is severe; have it checked "
                "before training hard.",
                worst,
                "/10",
                t["source"],
            )
        )
    weeks = s.symptoms.pain_weeks
    if weeks is not None and weeks >= t["persistent_from_weeks"] and (worst is None or worst > 0):
        out.append(
            Note(
                "pain",
                None,
                "info",
                f"The pain has lasted {_fmt(weeks)} weeks; a physical therapist can help "
                "find out why.",
                weeks,
                "weeks",
                t["source"],
            )
        )
    return out


_READERS = (
    _pain,
    _training,
    _shoes,
    _squat,
    _knee_to_wall,
    _side_plank,
    _hip_abduction,
    _hip_external_rotation,
    _thomas,
    _ober,
    _hip_internal_rotation,
    _hip_abduction_range,
    _hamstring_quadriceps,
    _navicular,
    _fpi,
)


def interpret(screening: Screening) -> list[Note]:
    """Return plain-words notes for every answer that has a norm."""
    th = load_thresholds()
    notes: list[Note] = []
    for read in _READERS:
        notes.extend(read(screening, th))
    return notes


def red_flags(screening: Screening) -> list[RedFlag]:
    """Symptom answers that call for a clinician, most urgent first."""
    th = load_thresholds()["red_flags"]
    sym = screening.symptoms
    out = []
    for item in th["items"]:
        names = tuple(item["when"])
        if all(getattr(sym, n, None) is True for n in names):
            out.append(RedFlag(urgency=item["urgency"], text=item["text"], answers=names))
    out.sort(key=lambda f: 0 if f.urgency == "urgent" else 1)
    return out
