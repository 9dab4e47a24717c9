"""Issue 17, part 4: one assessment from a rear and a side clip of the same run.

A synthetic runner (known cadence) is filmed by two virtual cameras, behind and
beside it, and the two keypoint files go through ``kneetrack analyze A B``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from kneetrack_synthetic.camera import Camera
from kneetrack_synthetic.runner import RunnerParams, simulate_runner

from kneetrack.app.analyze import analyze
from kneetrack.app.multiclip import CADENCE_TOLERANCE_SPM
from kneetrack.app.requests import AnalyzeRequest, ReportOptions
from kneetrack.cli.main import main
from kneetrack.errors import InputError, SettingsError
from kneetrack.io.trc import read_trc, write_trc
from kneetrack.kinematics.metrics import SAGITTAL_METRICS

DURATION_S = 12.0


def _film(folder: Path, name: str, *, cadence_spm: float, view: str, seed: int = 3) -> Path:
    motion = simulate_runner(RunnerParams.make(cadence_spm=cadence_spm), duration_s=DURATION_S,
                             fps=60.0, seed=seed)
    return write_trc(motion.to_keypoints(Camera(view), seed=seed), folder / f"{name}.trc")


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("clips")
    rear = _film(d, "rear", cadence_spm=170.0, view="rear")
    side = _film(d, "side", cadence_spm=170.0, view="side-right")
    faster = _film(d, "side_faster", cadence_spm=182.0, view="side-right", seed=5)
    kp = read_trc(side)  # the same side clip played 2.5x slow: the gate must refuse it
    slowed = write_trc(kp.replace(time_s=kp.time_s / 0.4, fps=24.0), d / "side_slowed.trc")
    return {"rear": rear, "side": side, "faster": faster, "slowed": slowed}


def _analysis(folder: Path) -> dict:
    return json.loads((folder / "analysis.json").read_text(encoding="utf-8"))


def _mean(a: dict, leg: str, metric: str) -> float | None:
    return a["summary"][leg][metric]["mean"]


def test_rear_and_side_make_one_assessment(clips, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["analyze", str(clips["rear"]), str(clips["side"]), "--out", str(out)]) == 0
    a = _analysis(out)
    assert a["schema"] == "kneetrack.analysis/1"
    # existing fields keep their meaning: the frontal clip's view and input
    assert a["view"] == "rear" and a["input"]["path"] == str(clips["rear"])
    assert [(c["index"], c["role"], c["view"]) for c in a["clips"]] == [
        (1, "frontal", "rear"), (2, "sagittal", "side-right")]
    # both views' metrics, each from its own clip's stances
    for leg in ("left", "right"):
        for m in ("fppa_peak_deg", "hip_adduction_peak_deg", "knee_flexion_ic_deg",
                  "shank_angle_ic_deg"):
            assert _mean(a, leg, m) is not None, (leg, m)
    by_clip = {1: [s for s in a["stances"] if s["clip"] == 1],
               2: [s for s in a["stances"] if s["clip"] == 2]}
    assert len(by_clip[1]) >= 14 and len(by_clip[2]) >= 14
    assert len(a["stances"]) == len(by_clip[1]) + len(by_clip[2])
    assert all(s["knee_flexion_ic_deg"] is None for s in by_clip[1])
    assert all(s["fppa_peak_deg"] is None for s in by_clip[2])
    assert any(s["fppa_peak_deg"] is not None for s in by_clip[1])
    assert any(s["knee_flexion_ic_deg"] is not None for s in by_clip[2])
    # the cadence cross-check passes for one run, and the cadence is the runner's
    check = a["cadence_check"]
    assert check["consistent"] is True and check["difference_spm"] <= CADENCE_TOLERANCE_SPM
    assert a["cadence_spm"] == pytest.approx(170.0, abs=2.0)
    assert not any("cadences differ" in w for w in a["quality"]["warnings"])
    # one report, one findings list, both clips' keypoints
    assert {"report.html", "keypoints.trc", "keypoints-2.trc", "stances.csv"} <= {
        p.name for p in out.iterdir()}
    codes = [(f["code"], f["leg"]) for f in a["findings"]]
    assert len(codes) == len(set(codes))
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "FPPA" in html and "shank" in html.lower()
    printed = capsys.readouterr().out
    assert "clip 2: side-right view (sagittal)" in printed


def test_a_different_speed_is_flagged(clips, tmp_path):
    res = analyze(AnalyzeRequest.of([clips["rear"], clips["faster"]], out_dir=tmp_path / "o",
                                    report=ReportOptions(write=False)))
    check = res.analysis["cadence_check"]
    assert check["consistent"] is False and check["difference_spm"] > 8.0
    assert res.analysis["quality"]["warnings"][0].startswith("the clips' cadences differ by")
    # the side clip's cadence is reported (side views time contacts best)
    assert res.analysis["cadence_spm"] == pytest.approx(182.0, abs=2.0)


def test_the_plausibility_gate_still_applies_per_clip(clips, tmp_path):
    # given side first: roles come from the views, not the order
    res = analyze(AnalyzeRequest.of([clips["slowed"], clips["rear"]], views=["side-right", None],
                                    out_dir=tmp_path / "o", report=ReportOptions(write=False)))
    a = res.analysis
    assert [c["plausibility"]["passed"] for c in a["clips"]] == [False, True]
    assert a["clips"][0]["role"] == "sagittal" and a["clips"][0]["cadence_spm"] is None
    assert a["plausibility"]["passed"] is True
    assert any("did not pass the plausibility check" in n for n in a["plausibility"]["notes"])
    for leg in ("left", "right"):
        assert all(_mean(a, leg, m) is None for m in SAGITTAL_METRICS if m in a["summary"][leg])
        assert _mean(a, leg, "fppa_peak_deg") is not None
    assert set(a["plausibility"]["withheld"]["left"]) >= {"knee_flexion_ic_deg"}
    # the cadence is the frontal clip's alone, and the frontal clip is the primary one
    assert a["cadence_spm"] == a["clips"][1]["cadence_spm"] is not None
    assert a["cadence_check"]["consistent"] is None
    assert res.clips[0].clip.path == clips["rear"] and res.kinematics.view == "rear"
    kept = read_trc(tmp_path / "o" / "keypoints.trc").xy
    assert np.allclose(kept, read_trc(clips["rear"]).xy, atol=1e-3, equal_nan=True)
    assert np.allclose(read_trc(tmp_path / "o" / "keypoints-2.trc").xy,
                       read_trc(clips["slowed"]).xy, atol=1e-3, equal_nan=True)


def test_both_clips_refused_means_nothing_measured(clips, tmp_path):
    kp = read_trc(clips["rear"])
    slow_rear = write_trc(kp.replace(time_s=kp.time_s / 0.4, fps=24.0), tmp_path / "r.trc")
    a = analyze(AnalyzeRequest.of([slow_rear, clips["slowed"]], views=["rear", "side-right"])
                ).analysis
    assert a["plausibility"]["passed"] is False and a["findings"] == []
    assert a["cadence_spm"] is None
    assert {r.split(":")[0] for r in a["plausibility"]["reasons"]} == {
        "rear clip", "side-right clip"}


def test_two_clips_of_one_family_are_refused(clips, tmp_path):
    out = tmp_path / "never"
    with pytest.raises(SettingsError, match="one front or rear clip and one side clip"):
        analyze(AnalyzeRequest.of([clips["rear"], clips["side"]], views=["rear", "front"],
                                  out_dir=out))
    assert not out.exists()  # refused before any work or folder
    with pytest.raises(InputError, match="both clips look like sagittal views"):
        analyze(AnalyzeRequest.of([clips["side"], clips["faster"]]))


def test_stored_as_one_analysis(clips, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("KNEETRACK_DB", raising=False)
    monkeypatch.setenv("KNEETRACK_ARTEFACTS", str(tmp_path / "files"))
    db = str(tmp_path / "club.db")
    assert main(["athlete", "add", "Ana", "--db", db]) == 0
    out = tmp_path / "out"
    assert main(["analyze", str(clips["rear"]), str(clips["side"]), "--out", str(out),
                 "--athlete", "Ana", "--db", db, "--no-overlay"]) == 0
    assert "stored in Ana's history" in capsys.readouterr().out
    assert main(["athlete", "show", "Ana", "--json", "--db", db]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert len(rec["analyses"]) == 1
    (stored,) = rec["analyses"]
    assert stored["view"] == "rear" and stored["cadence_spm"] == pytest.approx(170.0, abs=2.0)
    # a rebuilt report of the combined folder works too
    assert main(["report", str(out)]) == 0
    assert (out / "report.html").is_file()


def test_real_pair_keeps_each_clips_own_numbers(shared_data):
    """Real treadmill motion capture seen from behind and from the left (one run)."""
    d = shared_data / "mocap2d"
    rear, side = d / "hamner2010_s02_60fps_rear.trc", d / "hamner2010_s02_60fps_side-left.trc"
    both = analyze(AnalyzeRequest.of([side, rear])).analysis
    alone = {p: analyze(AnalyzeRequest.of(p)).analysis for p in (rear, side)}
    assert both["view"] == "rear" and both["input"] == alone[rear]["input"]
    for leg in ("left", "right"):
        for m in ("fppa_peak_deg", "hip_adduction_peak_deg", "pelvic_drop_peak_deg"):
            assert _mean(both, leg, m) == _mean(alone[rear], leg, m) is not None
        for m in ("knee_flexion_ic_deg", "shank_angle_ic_deg"):
            assert _mean(both, leg, m) == _mean(alone[side], leg, m) is not None
    assert both["cadence_check"]["consistent"] is True
    assert both["cadence_spm"] == pytest.approx(
        (alone[rear]["cadence_spm"] + alone[side]["cadence_spm"]) / 2, abs=0.01)
    single_codes = {(f["code"], f["leg"]) for a in alone.values() for f in a["findings"]}
    assert {(f["code"], f["leg"]) for f in both["findings"]} == single_codes
