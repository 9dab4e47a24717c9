"""Frame rates that files do not store: ``--fps`` for OpenPose JSON and time-less CSV,
``--speed-factor`` for slow motion, and what analysis.json says about where the rate came from."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kneetrack.app.analyze import analyze_file
from kneetrack.errors import SettingsError
from kneetrack.io.csv import read_csv, write_csv
from kneetrack.io.openpose import BODY_25, read_openpose_folder
from kneetrack.io.timing import rate_note, rate_source, retime
from kneetrack.io.trc import read_trc


def _openpose_folder(trc: Path, folder: Path, *, frames: int) -> None:
    """Write a real 60 fps keypoint series as OpenPose BODY_25 JSON (no rate stored)."""
    kp = read_trc(trc)
    folder.mkdir()
    for i in range(frames):
        flat: list[float] = []
        for name in BODY_25:
            if kp.has(name) and np.isfinite(kp[name][i]).all():
                flat += [float(kp[name][i, 0]), float(kp[name][i, 1]), 0.9]
            else:
                flat += [0.0, 0.0, 0.0]
        data = {"version": 1.3, "people": [{"pose_keypoints_2d": flat}]}
        (folder / f"clip_{i:012d}_keypoints.json").write_text(json.dumps(data))


def test_openpose_rate_is_assumed_then_given(tmp_path, shared_data):
    trc = shared_data / "mocap2d" / "hamner2010_s02_60fps_rear.trc"
    truth = json.loads(trc.with_suffix(".truth.json").read_text())
    folder = tmp_path / "op"
    _openpose_folder(trc, folder, frames=600)

    kp = read_openpose_folder(folder)
    assert kp.fps == 30.0 and rate_source(kp)["source"] == "assumed"
    assert "assumed" in (rate_note(kp) or "")
    # Assumed 30 fps for a 60 fps clip: half the real cadence, which the gate refuses.
    a = analyze_file(folder, out_dir=tmp_path / "assumed").analysis
    assert a["input"]["fps_source"] == "assumed"
    assert a["plausibility"]["passed"] is False and a["cadence_spm"] is None
    assert a["plausibility"]["measured"]["cadence_spm"] == pytest.approx(
        truth["cadence_spm"] / 2, abs=1.5)
    assert any("assumed" in r for r in a["plausibility"]["reasons"])
    assert any("assumed" in w for w in a["quality"]["warnings"])
    html = (tmp_path / "assumed" / "report.html").read_text()
    assert "We could not measure this clip" in html and "frame rate was assumed" in html

    b = analyze_file(folder, out_dir=tmp_path / "given", fps=60.0).analysis
    assert b["input"]["fps"] == 60.0 and b["input"]["fps_source"] == "given"
    assert b["plausibility"]["passed"] is True, b["plausibility"]["reasons"]
    assert b["cadence_spm"] == pytest.approx(truth["cadence_spm"], abs=1.5)
    assert "as given with --fps" in (tmp_path / "given" / "report.html").read_text() or \
        "was given with --fps" in (tmp_path / "given" / "report.html").read_text()


def test_csv_without_time_takes_fps(tmp_path, shared_data):
    kp = read_trc(shared_data / "mocap2d" / "hamner2010_s02_60fps_front.trc").slice_frames(0, 50)
    p = write_csv(kp, tmp_path / "k.csv")
    lines = p.read_text().splitlines()
    header = lines[[i for i, ln in enumerate(lines) if not ln.startswith("#")][0]].split(",")
    keep = [j for j, h in enumerate(header) if h not in ("frame", "time_s")]
    body = [",".join(ln.split(",")[j] for j in keep) for ln in lines if not ln.startswith("#")]
    p.write_text("# kneetrack keypoints csv v1\n" + "\n".join(body) + "\n")
    back = read_csv(p, fps=60.0)
    assert back.fps == 60.0 and back.time_s[10] == pytest.approx(10 / 60)
    assert rate_source(back)["source"] == "given"
    with_rate = write_csv(kp, tmp_path / "rate.csv")
    assert rate_source(read_csv(with_rate, fps=25.0))["source"] == "file"  # the file's own rate


def test_retime_and_its_limits(shared_data):
    kp = read_trc(shared_data / "mocap2d" / "hamner2010_s02_60fps_front.trc")
    slow = retime(kp, speed_factor=0.25)
    assert slow.fps == pytest.approx(240.0)
    assert slow.time_s[-1] == pytest.approx(kp.time_s[-1] * 0.25)
    assert rate_source(slow) == {"fps": 240.0, "source": "speed_factor", "speed_factor": 0.25}
    assert retime(kp, fps=120.0).time_s[-1] == pytest.approx(kp.time_s[-1] / 2)
    assert retime(kp) is kp
    with pytest.raises(SettingsError, match="not both"):
        retime(kp, fps=60.0, speed_factor=0.5)
    with pytest.raises(SettingsError, match="speed-factor"):
        retime(kp, speed_factor=0.0)
    with pytest.raises(SettingsError, match="--fps"):
        retime(kp, fps=-3.0)
