"""Compare screening answers with published norms, in plain words.

Thresholds, rules and the words of every note live in
``kneetrack/knowledge/thresholds/screening.yaml`` (each block with its source;
its ``notes`` section says how the rules read). This module only evaluates
them: :func:`interpret` turns a :class:`Screening` into a list of
:class:`Note` objects that the summary shows; :func:`red_flags` lists the
symptom answers that call for a clinician before training through them.
"""

from __future__ import annotations

import operator
import string
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from kneetrack.errors import SettingsError
from kneetrack.knowledge.readonly import freeze
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
    frozen: dict[str, Any] = freeze(data)  # cached and shared: read-only
    return frozen


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


def foot_posture_category(score: float) -> str:
    """FPI-6 category of a total score (Redmond et al. 2006).

    Examples
    --------
    >>> foot_posture_category(7)
    'pronated'
    """
    return str(_fpi_category(score, load_thresholds()["foot_posture_index"])["label"])


def _fpi_category(score: float, t: Mapping[str, Any]) -> Mapping[str, Any]:
    for c in t["categories"]:
        if c["min"] <= round(score) <= c["max"]:
            return dict(c)
    raise SettingsError(f"Foot Posture Index must be between -12 and 12, got {score}")


# ------------------------------------------------------------------------------ the engine
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}


class _Words(string.Formatter):
    """``str.format`` with ``{x:~}`` (whole numbers without decimals) and ``{x:abs...}``."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec.startswith("abs"):
            value, format_spec = abs(value), format_spec[3:]
        if format_spec == "~":
            return _fmt(float(value))
        return str(super().format_field(value, format_spec))


_WORDS = _Words()


def _lookup(path: str, *scopes: Mapping[str, Any]) -> Any:
    """A dotted name (``a.b.0``) in the first scope that has its first part."""
    first, *rest = path.split(".")
    for scope in scopes:
        if first in scope:
            cur = scope[first]
            try:
                for part in rest:
                    cur = cur[int(part)] if isinstance(cur, list) else cur[part]
            except (KeyError, IndexError, ValueError, TypeError):
                break
            return cur
    raise SettingsError(f"screening notes: unknown name {path!r}")


def _operand(token: str, ctx: Mapping[str, Any]) -> Any:
    if token == "none":
        return None
    try:
        return float(token)
    except ValueError:
        return _lookup(token, ctx)


def _holds(condition: str, ctx: Mapping[str, Any]) -> bool:
    """Evaluate ``"NAME OP NAME"``; a missing value satisfies only ``!=`` and ``== none``."""
    try:
        left, op, right = condition.split()
        compare = _OPS[op]
    except (ValueError, KeyError):
        raise SettingsError(f"screening notes: bad condition {condition!r}") from None
    x, y = _operand(left, ctx), _operand(right, ctx)
    if x is None or y is None:
        return (x is y) if op == "==" else op == "!="
    return bool(compare(x, y))


def _note(topic: str, reading: Mapping[str, Any], ctx: Mapping[str, Any], root: Mapping[str, Any],
          *, leg: str | None, value: float | None) -> Note | None:
    """The note of the first rule of ``reading`` that holds, or ``None``."""
    for rule in reading["rules"]:
        if all(_holds(c, ctx) for c in rule.get("when", ())):
            source = _lookup(rule.get("source", reading.get("source", "source")), ctx, root)
            return Note(topic, leg, _WORDS.format(rule["status"], **ctx),
                        _WORDS.format(rule["text"], **ctx), value,
                        rule.get("unit", reading.get("unit", "")), str(source))
    return None


def _side_plank_norm(s: Screening, t: Mapping[str, Any], leg: str) -> dict[str, Any]:
    known = s.athlete.sex in ("male", "female")
    norm = t["norms_s"][s.athlete.sex if known else "female"][leg]
    return {"mean": norm["mean"], "sd": norm["sd"], "low": norm["mean"] - norm["sd"],
            "basis": "" if known else t["basis_without_sex"]}


def _hip_abduction_norm(s: Screening, t: Mapping[str, Any], leg: str) -> dict[str, Any]:
    norm = hip_abduction_norm(age_years=s.athlete.age_years, sex=s.athlete.sex)
    if norm is None:
        return {"mean": None, "sd": None, "low": None}
    mean, sd = norm
    return {"mean": mean, "sd": sd, "low": mean - t["flag_below_sd"] * sd}


def _thomas_position(s: Screening, t: Mapping[str, Any], leg: str) -> dict[str, Any]:
    v = _pair(s.tests.thomas_test_deg)[leg]
    words = t["where_words"]
    where = words["above"] if v > 0 else (words["below"] if v < 0 else words["level"])
    return {"where": where,
            "extra": t["clearly_tight_words"] if v > t["clearly_tight_above_deg"] else ""}


def _foot_posture(s: Screening, t: Mapping[str, Any], leg: str) -> dict[str, Any]:
    v = _pair(s.tests.foot_posture_index)[leg]
    cat = _fpi_category(v, t)
    return {"category": cat["label"], "category_status": cat["status"]}


#: Norms that need a computation (an equation, a table by sex), named by ``context:``.
_CONTEXTS: dict[str, Callable[[Screening, Mapping[str, Any], str], dict[str, Any]]] = {
    "side_plank_norm": _side_plank_norm,
    "hip_abduction_norm": _hip_abduction_norm,
    "thomas_position": _thomas_position,
    "foot_posture": _foot_posture,
}


def _per_leg(s: Screening, topic: str, reading: Mapping[str, Any], t: Mapping[str, Any],
             root: Mapping[str, Any]) -> Iterator[Note | None]:
    hook = _CONTEXTS[reading["context"]] if "context" in reading else None
    for lg, v in _pair(getattr(s.tests, reading["per_leg"])).items():
        ctx = {**t, "leg": lg, "value": v, **(hook(s, t, lg) if hook else {})}
        yield _note(topic, reading, ctx, root, leg=lg, value=v)


def _side_difference(s: Screening, topic: str, reading: Mapping[str, Any], t: Mapping[str, Any],
                     root: Mapping[str, Any]) -> Iterator[Note | None]:
    vals = _pair(getattr(s.tests, reading["side_difference"]))
    if len(vals) < 2:
        return
    d = _side_diff_pct(vals) if reading["kind"] == "pct" else abs(vals["left"] - vals["right"])
    lower_left = vals["left"] < vals["right"]
    higher_left = vals["left"] > vals["right"]
    side = "left" if (lower_left if reading["side_is"] == "lower" else higher_left) else "right"
    ctx = {**t, "difference": d, "side": side}
    yield _note(topic, reading, ctx, root, leg=None, value=d)


def _scalar(s: Screening, topic: str, reading: Mapping[str, Any], t: Mapping[str, Any],
            root: Mapping[str, Any]) -> Iterator[Note | None]:
    def answer(path: str) -> Any:
        section, name = path.split(".")
        return getattr(getattr(s, section), name)

    v = answer(reading["scalar"])
    if v is None:
        return
    extra = {k: answer(p) for k, p in (reading.get("with") or {}).items()}
    yield _note(topic, reading, {**t, **extra, "value": v}, root, leg=None, value=v)


def _video_legs(s: Screening, topic: str, reading: Mapping[str, Any], t: Mapping[str, Any],
                root: Mapping[str, Any]) -> Iterator[Note | None]:
    summary = (s.squat_video or {}).get("summary") or {}
    for lg in LEGS:
        leg = summary.get(lg) or {}
        if not leg.get("n_reps"):
            continue
        for check in reading["video_legs"]:
            v = (leg.get(check["metric"]) or {}).get("mean")
            if v is not None:
                yield _note(topic, check, {**t, "leg": lg, "value": v}, root, leg=lg, value=v)


def _video_warnings(s: Screening, topic: str, reading: Mapping[str, Any], t: Mapping[str, Any],
                    root: Mapping[str, Any]) -> Iterator[Note | None]:
    for w in (s.squat_video or {}).get("warnings") or []:
        yield Note(topic, None, "info", _WORDS.format(reading["video_warnings"], warning=w))


_READINGS = {"per_leg": _per_leg, "side_difference": _side_difference, "scalar": _scalar,
             "video_legs": _video_legs, "video_warnings": _video_warnings}


def _reader(reading: Mapping[str, Any]) -> Callable[..., Iterator[Note | None]]:
    for kind, read in _READINGS.items():
        if kind in reading:
            return read
    raise SettingsError(f"screening notes: a reading needs one of {', '.join(_READINGS)}")


def interpret(screening: Screening) -> list[Note]:
    """Return plain-words notes for every answer that has a norm."""
    th = load_thresholds()
    notes: list[Note] = []
    for block in th["notes"]:
        topic = block["topic"]
        for reading in block["readings"]:
            read = _reader(reading)
            notes.extend(n for n in read(screening, topic, reading, th[topic], th) if n is not None)
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
