"""The report and the plausibility gate: what a refused clip's report says, and the confidence."""

from __future__ import annotations

import json

from kneetrack.app.analyze import analyze_file
from kneetrack.io.trc import read_trc, write_trc
from kneetrack.kinematics import analyze_keypoints
from kneetrack.report.context import build_context
from kneetrack.report.gate import gate_confidence, gate_section, shown_series
from kneetrack.report.html import render_report_html

from .helpers import make_analysis


def _engine(kp):
    a = json.loads(json.dumps(analyze_keypoints(kp).to_contract(), allow_nan=False))
    a["input"] = {"path": "clip.trc", "kind": "keypoints", "fps": kp.fps, "frames": kp.n_frames,
                  "duration_s": kp.duration_s, "fps_source": "file"}
    a["schema"] = "kneetrack.analysis/1"
    return a


def test_refused_clip_report_says_why_and_gives_no_advice(shared_data):
    kp = read_trc(shared_data / "mocap2d" / "hamner2010_s02_60fps_side-left.trc")
    a = _engine(kp.replace(time_s=kp.time_s / 0.4, fps=24.0))
    ctx = build_context(a)
    assert ctx["verdict"]["headline"] == "We could not measure this clip"
    assert ctx["verdict"]["status"] == "unknown"
    assert "--speed-factor" in ctx["verdict"]["first"]
    assert ctx["verdict"]["confidence_level"] == "low"
    assert ctx["findings"] == [] and ctx["numbers"]["cadence"] is None
    assert ctx["numbers"]["rows"] == []
    gate = ctx["gate"]
    assert gate["passed"] is False and gate["reasons"] and gate["refilm"]
    assert gate["measured_cadence"].startswith("70 steps/min")
    html = render_report_html(a, plots=[])
    assert 'data-section="plausibility"' in html and "How to film it again" in html
    assert "steps/min. Raising it" not in html


def test_stretched_clip_confidence_is_low_and_withheld_metrics_listed(shared_data):
    kp = read_trc(shared_data / "mocap2d" / "hamner2010_s02_60fps_front.trc")
    xy = kp.xy.copy()
    xy[..., 0] *= 3.0
    a = _engine(kp.replace(xy=xy))
    assert a["plausibility"]["passed"] is True
    level, reasons = gate_confidence(a)
    assert level == 1 and any("proportions" in r for r in reasons)
    ctx = build_context(a)
    assert ctx["quality"]["level"] == "low"
    assert {w["metric"] for w in ctx["gate"]["withheld"]} >= {"knee angle (FPPA)", "pelvic drop"}
    assert not any(r["metric"] == "fppa_peak_deg" for r in ctx["numbers"]["rows"])


def test_clean_and_old_analyses():
    old = make_analysis()                           # written before the gate existed
    assert gate_section(old) is None and gate_confidence(old) == (None, [])
    ok = dict(old, plausibility={"passed": True, "checks": [], "reasons": [], "refilm": [],
                                 "notes": [], "withheld": {}, "identity": {"split": False}})
    assert gate_confidence(ok) == (None, [])
    assert gate_section(ok)["headline"].startswith("This clip shows one person running")
    assumed = dict(ok, input={**old["input"], "fps_source": "assumed"})
    level, reasons = gate_confidence(assumed)
    assert level == 2 and "assumed" in reasons[0]
    assert "--fps" in gate_section(assumed)["rate"]


def test_withheld_angles_are_not_drawn_or_exported(tmp_path, shared_data):
    src = read_trc(shared_data / "mocap2d" / "hamner2010_s02_60fps_rear.trc")
    slow = write_trc(src.replace(time_s=src.time_s / 0.4, fps=24.0), tmp_path / "slow.trc")
    res = analyze_file(slow, out_dir=tmp_path / "out")
    assert res.analysis["plausibility"]["passed"] is False
    assert not (tmp_path / "out" / "angles.mot").exists()      # no angle of a refused clip
    series = {"time_s": [0.0], "left_fppa_deg": [1.0], "right_fppa_deg": [2.0],
              "left_hip_adduction_deg": [3.0]}
    held = {"plausibility": {"passed": True, "checks": [],
                             "withheld": {"left": {"fppa_peak_deg": "out of range"}}}}
    assert set(shown_series(held, series)) == {"time_s", "right_fppa_deg",
                                               "left_hip_adduction_deg"}
    assert shown_series({}, series) == series
    ok = analyze_file(shared_data / "mocap2d" / "hamner2010_s02_60fps_rear.trc",
                      out_dir=tmp_path / "ok")
    assert ok.analysis["plausibility"]["passed"] is True
    assert (tmp_path / "ok" / "angles.mot").exists()
