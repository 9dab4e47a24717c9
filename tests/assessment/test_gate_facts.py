"""Causes, referral and the programme take nothing from a clip the plausibility gate refused,
and a withheld finding is unknown to the cause rules, never 'absent'."""

from __future__ import annotations

import json
from pathlib import Path

from kneetrack.app.plan import make_plan
from kneetrack.assessment.causes import CauseInference
from kneetrack.io.trc import read_trc
from kneetrack.kinematics import analyze_keypoints
from kneetrack.screening.schema import load_screening

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "kneetrack" / "samples"


def _analysis(kp):
    a = json.loads(json.dumps(analyze_keypoints(kp).to_contract(), allow_nan=False))
    a["schema"] = "kneetrack.analysis/1"
    return a


def test_refused_clip_gives_no_evidence_and_no_cadence_to_the_plan(shared_data):
    kp = read_trc(shared_data / "mocap2d" / "hamner2010_s02_60fps_front.trc")
    good = _analysis(kp)
    slow = _analysis(kp.replace(time_s=kp.time_s / 0.4, fps=24.0))
    assert good["findings"] and slow["findings"] == [] and slow["cadence_spm"] is None
    screening = load_screening(SAMPLE / "screening_example.json")
    plan = make_plan(slow, screening)
    assert any("could not be measured" in n for n in plan.notes)
    for cause in plan.causes:
        assert not any("steps/min" in e or "stance" in e for e in cause["evidence"])
    good_facts = CauseInference().infer(good, screening).facts_
    slow_facts = CauseInference().infer(slow, screening).facts_
    assert good_facts.has_analysis and not slow_facts.has_analysis
    assert any(k.startswith("analysis.") for k in good_facts.values)
    assert not any(k.startswith("analysis.") for k in slow_facts.values)


def test_withheld_finding_is_unknown_not_absent(shared_data):
    kp = read_trc(shared_data / "mocap2d" / "hamner2010_s02_60fps_front.trc")
    a = _analysis(kp)
    assert a["plausibility"]["passed"] is True
    code = a["findings"][0]["code"]
    a["plausibility"]["withheld_findings"] = [code]      # as if its metric had been withheld
    facts = CauseInference().infer(a).facts_
    assert code in facts.withheld_findings
    assert all(f["code"] != code for f in facts.findings)
    assert f"analysis.{code}.present" not in facts.values
    other = next(c for c in ("dynamic_knee_valgus", "hip_adduction", "contralateral_pelvic_drop")
                 if c != code and c not in {f["code"] for f in a["findings"]})
    assert facts.values.get(f"analysis.{other}.present") is False     # measured, not present
