"""Every bad input gets one clear line, a non-zero exit, no traceback, and no analysis.json."""

import json
import subprocess
import sys

import numpy as np
import pytest

from kneetrack.cli.main import main


def _run(capsys, *args):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _assert_clean_failure(code, err, out_dir, pattern):
    import re

    assert code != 0
    assert "Traceback" not in err
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert lines and lines[0].startswith("error:"), err
    assert re.search(pattern, " ".join(lines)), err
    assert not (out_dir / "analysis.json").exists()


def test_missing_file(capsys, tmp_path):
    out = tmp_path / "out"
    code, _, err = _run(capsys, "analyze", str(tmp_path / "nope.mp4"), "--out", str(out))
    _assert_clean_failure(code, err, out, "not found")


def test_zero_byte_file(capsys, tmp_path):
    p = tmp_path / "empty.mp4"
    p.write_bytes(b"")
    out = tmp_path / "out"
    code, _, err = _run(capsys, "analyze", str(p), "--out", str(out))
    _assert_clean_failure(code, err, out, "empty")


def test_text_named_mp4(capsys, tmp_path):
    p = tmp_path / "fake.mp4"
    p.write_text("not a video at all\n" * 50)
    out = tmp_path / "out"
    code, _, err = _run(capsys, "analyze", str(p), "--out", str(out))
    _assert_clean_failure(code, err, out, "not a readable video")


def test_truncated_video(capsys, tmp_path, make_video):
    src = make_video("full.mp4", frames=40, size=(160, 120))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(src.read_bytes()[:2000])
    out = tmp_path / "out"
    code, _, err = _run(capsys, "analyze", str(cut), "--out", str(out))
    _assert_clean_failure(code, err, out, "corrupt|truncated|not a readable")


def test_still_image(capsys, tmp_path):
    import cv2

    p = tmp_path / "photo.png"
    cv2.imwrite(str(p), np.zeros((50, 50, 3), np.uint8))
    out = tmp_path / "out"
    code, _, err = _run(capsys, "analyze", str(p), "--out", str(out))
    _assert_clean_failure(code, err, out, "still image")


@pytest.mark.slow
def test_video_with_nobody(capsys, tmp_path, make_video):
    p = make_video("wall.mp4", frames=12, size=(320, 240),
                   painter=lambda i, w, h: np.full((h, w, 3), 120, np.uint8))
    out = tmp_path / "out"
    code, _, err = _run(capsys, "analyze", str(p), "--out", str(out), "--workers", "1")
    _assert_clean_failure(code, err, out, "no person detected")


def test_trc_missing_columns(capsys, tmp_path):
    p = tmp_path / "bad.trc"
    p.write_text(
        "PathFileType\t4\t(X/Y/Z)\tbad.trc\n"
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames\n"
        "30\t30\t2\t1\tpx\t30\t1\t2\n"
        "Frame#\tTime\tNose\t\t\n\t\tX1\tY1\tZ1\n"
        "1\t0.0\t1\t2\t0\n2\t0.033\t1\t2\t0\n")
    out = tmp_path / "out"
    code, _, err = _run(capsys, "analyze", str(p), "--out", str(out))
    _assert_clean_failure(code, err, out, "missing marker columns")


def test_trc_wrong_units(capsys, tmp_path, shared_data):
    lines = (shared_data / "mocap2d" / "hamner2010_s02_60fps_front.trc").read_text().splitlines()
    lines[2] = lines[2].replace("\tpx\t", "\tmm\t")
    p = tmp_path / "mm.trc"
    p.write_text("\n".join(lines))
    out = tmp_path / "out"
    code, _, err = _run(capsys, "analyze", str(p), "--out", str(out))
    _assert_clean_failure(code, err, out, "units")


def test_empty_openpose_folder(capsys, tmp_path):
    folder = tmp_path / "openpose"
    folder.mkdir()
    out = tmp_path / "out"
    code, _, err = _run(capsys, "analyze", str(folder), "--out", str(out))
    _assert_clean_failure(code, err, out, "no OpenPose")


def test_bad_view_option(capsys, tmp_path, shared_data):
    """A good input with a bad --view: the view is what is refused, and nothing is written."""
    good = shared_data / "mocap2d" / "hamner2010_s02_60fps_front.trc"
    out = tmp_path / "out"
    code, _, err = _run(capsys, "analyze", str(good), "--out", str(out), "--view", "top")
    assert code == 2 and "Traceback" not in err
    flat = " ".join(err.replace("│", " ").split())
    assert "'top'" in flat and "--view" in flat and "side-right" in flat, err
    assert not out.exists()


def test_bad_input_rerun_leaves_the_old_analysis_untouched(capsys, tmp_path, shared_data):
    """Input errors are found before anything in the folder is touched."""
    out = tmp_path / "out"
    good = shared_data / "mocap2d" / "hamner2010_s02_60fps_front.trc"
    assert _run(capsys, "analyze", str(good), "--out", str(out), "-q")[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"")
    code, _, err = _run(capsys, "analyze", str(bad), "--out", str(out))
    assert code != 0
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_failed_rerun_keeps_no_stale_complete_marker(capsys, tmp_path, shared_data, monkeypatch):
    """A re-analysis that fails while writing leaves no mix of runs behind.

    Output is staged and swapped in whole: after a failure half-way through the writing,
    the folder holds the earlier analysis exactly (its ``analysis.json`` still describes its
    own keypoints), and no staging folder is left.
    """
    from kneetrack.app import report as app_report
    from kneetrack.errors import SettingsError

    out = tmp_path / "out"
    front = shared_data / "mocap2d" / "hamner2010_s02_60fps_front.trc"
    side = shared_data / "mocap2d" / "hamner2010_s02_60fps_side-right.trc"
    assert _run(capsys, "analyze", str(front), "--out", str(out), "-q")[0] == 0
    assert json.loads((out / "analysis.json").read_text())["view"] == "front"
    old_keypoints = (out / "keypoints.trc").read_bytes()

    def disk_full(*args, **kwargs):
        raise SettingsError("cannot write the report (disk full, simulated)")

    monkeypatch.setattr(app_report, "write_report_outputs", disk_full)
    code, _, err = _run(capsys, "analyze", str(side), "--out", str(out), "-q")
    assert code != 0 and "disk full" in err and "Traceback" not in err
    assert (out / "keypoints.trc").read_bytes() == old_keypoints   # no new file mixed in
    assert json.loads((out / "analysis.json").read_text())["view"] == "front"
    assert not [p for p in out.iterdir() if p.name.startswith(".kneetrack-tmp")]


def test_no_traceback_in_a_real_process(tmp_path):
    r = subprocess.run([sys.executable, "-m", "kneetrack", "analyze",
                        str(tmp_path / "missing.mov"), "--out", str(tmp_path / "o")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert r.stderr.strip().startswith("error: file not found")
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
