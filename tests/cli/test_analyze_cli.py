import json

import pytest

from kneetrack import __version__
from kneetrack.cli.main import main


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"kneetrack {__version__}"


@pytest.mark.parametrize("command", [[], ["analyze"], ["demo"]])
def test_help_everywhere(capsys, command):
    assert main([*command, "--help"]) == 0
    assert "Usage" in capsys.readouterr().out


def test_analyze_trc_writes_contract(capsys, tmp_path, shared_data):
    out = tmp_path / "out"
    trc = shared_data / "mocap2d" / "hamner2010_s02_60fps_side-right.trc"
    assert main(["analyze", str(trc), "--out", str(out), "-q"]) == 0
    a = json.loads((out / "analysis.json").read_text())
    assert a["schema"] == "kneetrack.analysis/1"
    assert a["input"]["kind"] == "keypoints"
    assert a["input"]["fps"] == 60.0 and a["input"]["frames"] == 600
    assert a["input"]["duration_s"] == pytest.approx(10.0)
    assert a["view"] == "side-right"                   # detected: the file is a right-side view
    assert (out / "keypoints.trc").stat().st_size > 0
    assert not list(out.glob("*.part"))


def test_view_override_is_recorded(tmp_path, shared_data):
    out = tmp_path / "out"
    trc = shared_data / "mocap2d" / "hamner2010_s02_60fps_rear.trc"
    assert main(["analyze", str(trc), "--out", str(out), "--view", "rear", "-q"]) == 0
    assert json.loads((out / "analysis.json").read_text())["view"] == "rear"


@pytest.mark.slow
def test_analyze_real_video(tmp_path, shared_data):
    out = tmp_path / "vid"
    video = shared_data / "video" / "running_side_outdoor.mp4"
    assert main(["analyze", str(video), "--out", str(out), "-q", "--workers", "1"]) == 0
    a = json.loads((out / "analysis.json").read_text())
    assert a["input"]["kind"] == "video"
    assert (a["input"]["width"], a["input"]["height"]) == (480, 352)
    assert a["input"]["frames"] == 47
    from kneetrack.io.trc import read_trc

    kp = read_trc(out / "keypoints.trc")
    assert kp.n_frames == 47
