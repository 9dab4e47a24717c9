"""Facts: the flat, named values that cause and referral rules test.

A runner's facts come from ``analysis.json`` (findings, cadence, summary) and
``screening.json`` (every answer by its dotted path). An analysis that failed
the plausibility gate (``plausibility.passed`` false) gives no facts at all:
its findings and cadence are unknown, never "absent". A finding whose metric
the gate withheld (``plausibility.withheld_findings``) is unknown too. Per-leg test results
also give ``.min``, ``.max``, ``.diff`` (absolute left-right difference) and
``.diff_pct`` (difference as a percentage of the larger side). A fact that was
not given is *unknown* (``None``); rules treat unknown as "cannot fire", which
lowers confidence but never fails.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kneetrack.kinematics.stance import StanceRecord
from kneetrack.knowledge.schema import Condition, Derived, Knowledge
from kneetrack.screening.schema import Screening

SEVERITY_RANK = {"mild": 1, "moderate": 2, "severe": 3}
_OPS = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}
_OP_WORDS = {
    "lt": "<",
    "le": "≤",
    "gt": ">",
    "ge": "≥",
    "eq": "=",
    "in_": "in",
    "contains": "includes",
}


@dataclass
class Facts:
    """Everything the rules can test about one runner."""

    values: dict[str, Any] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    view: str | None = None
    has_analysis: bool = False
    withheld_findings: set[str] = field(default_factory=set)

    def get(self, name: str) -> Any:
        """The value of fact ``name`` or ``None`` when unknown."""
        return self.values.get(name)


def _flatten(prefix: str, data: Any, out: dict[str, Any]) -> None:
    if isinstance(data, Mapping):
        for key, value in data.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), value, out)
        if {"left", "right"} & set(data) and all(
            isinstance(data.get(k), int | float) or data.get(k) is None for k in ("left", "right")
        ):
            sides = [float(data[k]) for k in ("left", "right") if data.get(k) is not None]
            if sides:
                out[f"{prefix}.min"] = min(sides)
                out[f"{prefix}.max"] = max(sides)
            if len(sides) == 2:
                diff = abs(sides[0] - sides[1])
                out[f"{prefix}.diff"] = diff
                top = max(abs(sides[0]), abs(sides[1]))
                out[f"{prefix}.diff_pct"] = 100.0 * diff / top if top > 0 else 0.0
    elif data is not None:
        out[prefix] = data


def build_facts(
    analysis: Mapping[str, Any] | None, screening: Screening | None, kb: Knowledge
) -> Facts:
    """Collect the facts from an analysis dict and a screening (either may be None)."""
    facts = Facts()
    if screening is not None:
        _flatten("", screening.model_dump(exclude_none=True, by_alias=False), facts.values)
        facts.values.pop("schema_", None)
    gate = analysis.get("plausibility") if analysis else None
    if isinstance(gate, Mapping) and gate.get("passed") is False:
        analysis = None  # the clip could not be judged: nothing from it is a fact
    if analysis:
        facts.has_analysis = True
        facts.view = analysis.get("view")
        held = gate.get("withheld_findings") if isinstance(gate, Mapping) else None
        facts.withheld_findings = {
            str(kb.finding_aliases.get(str(c), c)) for c in held or [] if isinstance(c, str)
        }
        facts.findings = [
            {**f, "code": kb.finding_aliases.get(str(f.get("code")), f.get("code"))}
            for f in analysis.get("findings") or []
            if isinstance(f, Mapping)
        ]
        facts.findings = [
            f for f in facts.findings if str(f.get("code")) not in facts.withheld_findings
        ]
        have = {str(f.get("code")) for f in facts.findings}
        facts.findings.extend(
            f for f in stance_findings(analysis, kb)
            if f["code"] not in have and f["code"] not in facts.withheld_findings
        )
        if analysis.get("cadence_spm") is not None:
            facts.values["cadence_spm"] = float(analysis["cadence_spm"])
        for f in facts.findings:
            code = str(f.get("code", ""))
            sev = f.get("severity")
            facts.values[f"analysis.{code}.present"] = True
            if sev == "severe":
                facts.values[f"analysis.{code}.severe"] = True
                if code.startswith("asymmetry_"):
                    facts.values["analysis.asymmetry.severe"] = True
        for code in (*kb.finding_views, "asymmetry"):
            if code in facts.withheld_findings:
                continue  # withheld: unknown, not absent
            for suffix in ("severe", "present"):
                facts.values.setdefault(f"analysis.{code.rstrip('_')}.{suffix}", False)
    for name, rule in kb.derived.items():
        facts.values[name] = evaluate_derived(rule, facts, kb)
    return facts


def stance_findings(analysis: Mapping[str, Any], kb: Knowledge) -> list[dict[str, Any]]:
    """Findings derived here from the per-stance values of ``analysis.json``.

    ``narrow_step_width`` (front/rear views): the feet land close to the midline
    without crossing it (mean ankle offset under ``max_offset_hip_widths`` hip
    widths and most steps not a crossover). ``rearfoot_strike_overstride`` (side
    views): most of a leg's stances land on the heel with the shank angled
    forward beyond ``min_shank_angle_deg``. Thresholds: ``stance_findings`` in
    ``causes.yaml``. Findings marked ``"derived": true``.
    """
    stances = [StanceRecord.from_dict(s) for s in analysis.get("stances") or []
               if isinstance(s, Mapping)]
    out: list[dict[str, Any]] = []
    view = analysis.get("view")
    for leg in ("left", "right"):
        mine = [s for s in stances if s.leg == leg]
        nsw = kb.stance_findings.get("narrow_step_width")
        if nsw and view in kb.finding_views.get("narrow_step_width", []):
            offs = [v for s in mine if (v := s.ankle_lateral_offset_hip_widths) is not None]
            cross = [bool(s.crossover) for s in mine if s.crossover is not None]
            if len(offs) >= nsw["min_stances"] and cross:
                mean_off = sum(offs) / len(offs)
                frac = sum(cross) / len(cross)
                if 0 <= mean_off < nsw["max_offset_hip_widths"] and frac < nsw[
                    "max_crossover_fraction"
                ]:
                    sev = "severe" if mean_off < nsw["severe_below_hip_widths"] else "moderate"
                    out.append({
                        "code": "narrow_step_width", "leg": leg, "value": round(mean_off, 3),
                        "threshold": nsw["max_offset_hip_widths"], "severity": sev,
                        "derived": True,
                        "text": f"The {leg} foot lands close to the midline without crossing it "
                        f"(mean {mean_off:.2f} hip widths from the midline, under "
                        f"{nsw['max_offset_hip_widths']:g}): a narrow step.",
                    })
        rso = kb.stance_findings.get("rearfoot_strike_overstride")
        if rso and view in kb.finding_views.get("rearfoot_strike_overstride", []):
            judged = [(s, shank_ic) for s in mine if s.foot_strike is not None
                      and (shank_ic := s.value("shank_angle_ic_deg")) is not None]
            if len(judged) >= rso["min_stances"]:
                hits = [shank_ic for s, shank_ic in judged if s.foot_strike == "rearfoot"
                        and shank_ic > rso["min_shank_angle_deg"]]
                frac = len(hits) / len(judged)
                if frac >= rso["min_fraction"]:
                    shank = sum(hits) / len(hits)
                    sev = "severe" if shank >= rso["severe_shank_angle_deg"] else "moderate"
                    out.append({
                        "code": "rearfoot_strike_overstride", "leg": leg,
                        "value": round(shank, 1), "threshold": rso["min_shank_angle_deg"],
                        "severity": sev, "derived": True,
                        "text": f"The {leg} foot lands on the heel well ahead of the knee in "
                        f"{frac * 100:.0f} % of steps (shank angle {shank:.1f}°, above "
                        f"{rso['min_shank_angle_deg']:g}°).",
                    })
    return out


def evaluate_derived(rule: Derived, facts: Facts, kb: Knowledge) -> bool | None:
    """Three-valued any/all over the rule's conditions."""
    results = [check_condition(c, facts, kb)[0] for c in (rule.any or rule.all)]
    if rule.any:
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False
    if any(r is False for r in results):
        return False
    return None if any(r is None for r in results) else True


def _matching_findings(cond: Condition, facts: Facts) -> list[dict[str, Any]]:
    out = []
    for f in facts.findings:
        code = str(f.get("code", ""))
        hit = code == cond.finding if cond.finding else code.startswith(cond.finding_prefix or "\0")
        if not hit:
            continue
        if (
            cond.min_severity
            and SEVERITY_RANK.get(str(f.get("severity")), 0) < SEVERITY_RANK[cond.min_severity]
        ):
            continue
        out.append(dict(f))
    return out


def finding_measurable(code_or_prefix: str, facts: Facts, kb: Knowledge) -> bool:
    """Whether the analysed view could have produced this finding (and it was not withheld)."""
    if not facts.has_analysis or code_or_prefix in facts.withheld_findings:
        return False
    views = kb.finding_views.get(code_or_prefix)
    if views is None and code_or_prefix.startswith(("asymmetry_", "fatigue_drift_")):
        views = kb.finding_views.get(code_or_prefix.split("_")[0] + "_") or kb.finding_views.get(
            "fatigue_drift_"
        )
    if views is None or facts.view is None:
        return True
    return facts.view in views


def check_condition(
    cond: Condition, facts: Facts, kb: Knowledge
) -> tuple[bool | None, dict[str, Any]]:
    """Evaluate one condition: ``(True | False | None for unknown, details)``."""
    if cond.finding or cond.finding_prefix:
        code = cond.finding or cond.finding_prefix or ""
        hits = _matching_findings(cond, facts)
        if hits:
            worst = max(hits, key=lambda f: SEVERITY_RANK.get(str(f.get("severity")), 0))
            return True, {"finding": worst, "all": hits}
        return (False if finding_measurable(code, facts, kb) else None), {}
    name = cond.fact or ""
    value = facts.get(name)
    if value is None:
        return None, {"fact": name}
    details = {"fact": name, "value": value}
    if cond.is_true is not None:
        return bool(value) is cond.is_true, details
    for key, fn in _OPS.items():
        ref = getattr(cond, key)
        if ref is not None:
            try:
                return bool(fn(float(value), float(ref))), {**details, "op": key, "ref": ref}
            except (TypeError, ValueError):
                return None, details
    if cond.eq is not None:
        return value == cond.eq, {**details, "op": "eq", "ref": cond.eq}
    if cond.in_ is not None:
        return value in cond.in_, {**details, "op": "in_", "ref": cond.in_}
    if cond.contains is not None:
        items = value if isinstance(value, list | tuple | set) else [value]
        return cond.contains in items, {**details, "op": "contains", "ref": cond.contains}
    return None, details


_SIDE_WORDS = {
    "min": "lower side",
    "max": "higher side",
    "diff": "left-right difference",
    "diff_pct": "left-right difference, %",
    "left": "left",
    "right": "right",
}
_UNITS = (
    ("_nm_per_kg", " N·m/kg"),
    ("_cm", " cm"),
    ("_mm", " mm"),
    ("_deg", "°"),
    ("_pct", " %"),
    ("_0_10", "/10"),
    ("_s", " s"),
    ("_km", " km"),
    ("_months", " months"),
    ("_spm", " steps/min"),
)


_LABELS = {
    "shoes.km": ("shoe distance", " km"),
    "shoes.age_months": ("shoe age", " months"),
    "shoes.type": ("shoe type", ""),
    "training.recent_increase_pct": ("recent increase in weekly distance", " %"),
    "training.runs_per_week": ("runs per week", ""),
    "shoes.minimalist_with_pronated_foot": ("minimalist shoes, pronated foot or stiff ankle", ""),
}


def fact_label(name: str) -> tuple[str, str]:
    """A readable label and unit for a dotted fact name (``tests.knee_to_wall_cm.min``)."""
    if name in _LABELS:
        label, unit = _LABELS[name]
        return label[:1].upper() + label[1:], unit
    parts = name.split(".")
    side = ""
    if parts[-1] in _SIDE_WORDS and len(parts) > 1:
        side = _SIDE_WORDS[parts[-1]]
        parts = parts[:-1]
    field = parts[-1]
    unit = ""
    for suffix, word in _UNITS:
        if field.endswith(suffix):
            field = field[: -len(suffix)]
            unit = word
            break
    if side == "left-right difference, %":
        unit = " %"
    label = field.replace("_", " ").replace("fppa", "knee angle (FPPA)")
    if parts[0] == "tests" and not label.endswith("test"):
        label = f"{label} test"
    label = label[:1].upper() + label[1:]
    return (f"{label} ({side})" if side else label), unit


def describe(details: dict[str, Any]) -> str:
    """A short human line for what a condition saw (a finding or a fact and its value)."""
    f = details.get("finding")
    if f:
        text = f.get("text")
        if text:
            return str(text)
        leg = f" ({f['leg']} leg)" if f.get("leg") else ""
        value = f.get("value")
        thr = f.get("threshold")
        extra = f": {value:g}" if isinstance(value, int | float) else ""
        extra += f" (threshold {thr:g})" if isinstance(thr, int | float) else ""
        return f"{str(f.get('code', '')).replace('_', ' ')}{leg}{extra}"
    label, unit = fact_label(str(details.get("fact", "")))
    value = details.get("value")
    if "op" in details:
        ref = details["ref"]
        if isinstance(value, int | float) and not isinstance(value, bool):
            shown = f"{value:.3g}{unit}"
            ref_shown = f"{ref:g}{unit}" if isinstance(ref, int | float) else str(ref)
            return f"{label}: {shown} ({_OP_WORDS[details['op']]} {ref_shown})"
        if details["op"] == "contains":
            return f"{label}: includes {str(ref).replace('_', ' ')}"
        return f"{label}: {value}"
    if value is True:
        return label
    return f"{label}: {value}"
