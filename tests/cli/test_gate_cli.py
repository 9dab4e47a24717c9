"""``kneetrack analyze`` on clips the plausibility gate refuses: exit 0, a clear reason, a hint."""

from __future__ import annotations

import json

import pytest

from kneetrack.cli.main import main
from kneetrack.io.trc import read_trc, write_trc


def test_slowed_clip_exits_0_with_the_reason_then_measures_with_the_factor(
        capsys, tmp_path, shared_data):
    src = shared_data / "mocap2d" / "hamner2010_s02_60fps_side-right.trc"
    truth = json.loads(src.with_suffix(".truth.json").read_text())
    kp = read_trc(src)
    slow = write_trc(kp.replace(time_s=kp.time_s / 0.4, fps=24.0), tmp_path / "slow.trc")

    out = tmp_path / "out"
    assert main(["analyze", str(slow), "--out", str(out), "-q"]) == 0
    text = capsys.readouterr().out
    assert "could not measure this clip" in text
    assert "seems slowed down" in text and "--speed-factor" in text
    a = json.loads((out / "analysis.json").read_text())
    assert a["plausibility"]["passed"] is False
    assert a["findings"] == [] and a["cadence_spm"] is None
    html = (out / "report.html").read_text()
    assert "We could not measure this clip" in html and "--speed-factor" in html
    assert "Raising it by 5-10 %" not in html          # no cadence advice

    fixed = tmp_path / "fixed"
    assert main(["analyze", str(slow), "--out", str(fixed), "-q", "--speed-factor", "0.4"]) == 0
    assert "could not measure" not in capsys.readouterr().out
    b = json.loads((fixed / "analysis.json").read_text())
    assert b["plausibility"]["passed"] is True
    assert b["input"]["fps_source"] == "speed_factor" and b["input"]["speed_factor"] == 0.4
    assert b["cadence_spm"] == pytest.approx(truth["cadence_spm"], abs=1.5)


def test_fps_and_speed_factor_together_is_a_clear_error(capsys, tmp_path, shared_data):
    trc = shared_data / "mocap2d" / "hamner2010_s02_60fps_front.trc"
    code = main(["analyze", str(trc), "--out", str(tmp_path / "o"), "-q", "--fps", "60",
                 "--speed-factor", "0.5"])
    assert code != 0
    err = capsys.readouterr().err
    assert "either --fps or --speed-factor" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()
