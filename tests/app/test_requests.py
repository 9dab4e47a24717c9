"""Issue 17, part 2: the typed requests of the analyze service."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kneetrack.app.analyze import AnalysisOutcome, analyze, analyze_file
from kneetrack.app.athletes import _store_retest
from kneetrack.app.measure import measure_clip, request_thresholds
from kneetrack.app.requests import AnalyzeRequest, ClipInput, ReportOptions, Retest
from kneetrack.errors import SettingsError
from kneetrack.kinematics.filtering import default_cutoff_hz
from kneetrack.kinematics.pipeline import KinematicsResult
from kneetrack.kinematics.thresholds import FootStrikeThresholds, Thresholds
from kneetrack.samples import sample_path

SAMPLE = sample_path("runner_front_60fps.trc")


def _lowpass_cutoff(analysis: dict) -> float:
    (step,) = [s for s in analysis["provenance"] if s["step"] == "lowpass"]
    return float(step["params"]["cutoff_hz"])


def test_cutoff_reaches_the_filter_and_its_default_is_unchanged():
    default = analyze(AnalyzeRequest(clips=(ClipInput(SAMPLE),)))
    assert isinstance(default, AnalysisOutcome)
    assert isinstance(default.kinematics, KinematicsResult)
    assert _lowpass_cutoff(default.analysis) == pytest.approx(default_cutoff_hz(60.0), abs=1e-3)
    low = analyze_file(SAMPLE, cutoff_hz=4.0)
    assert _lowpass_cutoff(low.analysis) == pytest.approx(4.0)
    # a much lower cut-off smooths the peaks away: the headline numbers move
    peak = lambda a: a["summary"]["left"]["fppa_peak_deg"]["mean"]  # noqa: E731
    assert peak(low.analysis) != pytest.approx(peak(default.analysis), abs=0.05)


def test_the_service_hands_its_thresholds_to_the_engine():
    th = request_thresholds()
    assert th is Thresholds.packaged()  # loaded once per process, not per clip
    assert request_thresholds(5.0).cleaning.cutoff_hz == 5.0
    # measure_clip analyses with the thresholds it is given, not with a file of its own
    soft = dataclasses.replace(th, cleaning=dataclasses.replace(th.cleaning, cutoff_hz=3.0))
    got = measure_clip(ClipInput(SAMPLE), thresholds=soft)
    assert _lowpass_cutoff(got.analysis) == pytest.approx(3.0)
    assert FootStrikeThresholds() == th.foot_strike  # the code's defaults are the file's


def test_request_checks_its_fields():
    with pytest.raises(SettingsError, match="unknown view"):
        ClipInput(Path("x.trc"), view="top")
    with pytest.raises(SettingsError, match="at least one"):
        AnalyzeRequest(clips=())
    with pytest.raises(SettingsError, match="at most two"):
        AnalyzeRequest.of(["a.trc", "b.trc", "c.trc"])
    with pytest.raises(SettingsError, match="cutoff_hz"):
        AnalyzeRequest.of("a.trc", cutoff_hz=0)
    with pytest.raises(SettingsError, match="one --view per clip"):
        AnalyzeRequest.of(["a.trc", "b.trc"], views=["rear"])
    r = AnalyzeRequest.of(["a.trc", "b.trc"], views="rear", out_dir="o")
    assert [c.view for c in r.clips] == ["rear", "rear"] and r.out_dir == Path("o") and r.multi


def test_report_options_off_writes_only_the_analysis(tmp_path):
    out = tmp_path / "out"
    res = analyze(AnalyzeRequest(clips=(ClipInput(SAMPLE),), out_dir=out,
                                 report=ReportOptions(write=False)))
    assert sorted(p.name for p in out.iterdir()) == ["analysis.json", "keypoints.trc"]
    assert set(res.artefacts) == {"analysis", "keypoints"}


def test_retest_is_an_explicit_type():
    assert _store_retest(Retest.AUTO) == "auto"
    assert _store_retest(Retest.NONE) is None
    assert _store_retest(7) == 7
    with pytest.raises(SettingsError):
        _store_retest("auto")  # type: ignore[arg-type]
    with pytest.raises(SettingsError):
        _store_retest(True)
