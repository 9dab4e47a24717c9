"""The report use case and command: build, rebuild, options passed through ``analyze``."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest

from kneetrack.app.analyze import analyze_file
from kneetrack.app.report import build_report, rebuild_report
from kneetrack.cli.main import main
from kneetrack.errors import InputError
from kneetrack.keypoints import Keypoints
from kneetrack.pose.fake import ReplayBackend

from .helpers import make_analysis
from .test_context import PROGRAMME
from .test_video import FPS, H, N, W, _painter


def _folder(tmp_path: Path, analysis: dict) -> Path:
    out = tmp_path / "run"
    out.mkdir()
    (out / "analysis.json").write_text(json.dumps(analysis))
    return out


def test_build_report_writes_files(tmp_path):
    a = make_analysis()
    t = np.arange(100) / 60
    series = {"time_s": t, "left_fppa_deg": np.sin(t), "right_fppa_deg": np.cos(t)}
    written = build_report(tmp_path, analysis=a, series=series)
    assert {"report", "stances", "plots", "angles"} <= written.keys()
    assert (tmp_path / "report.html").stat().st_size > 10_000
    svgs = sorted(p.name for p in (tmp_path / "plots").glob("*.svg"))
    assert "curve-fppa.svg" in svgs and "cadence.svg" in svgs
    assert (tmp_path / "angles.mot").read_text().splitlines()[3] == "nColumns=3"
    assert not list(tmp_path.glob("*.part"))
    # no series, no MOT
    out2 = tmp_path / "b"
    assert "angles" not in build_report(out2, analysis=a)


def test_rebuild_reads_folder_and_programme(tmp_path):
    out = _folder(tmp_path, make_analysis())
    (out / "programme.json").write_text(json.dumps(PROGRAMME))
    written = rebuild_report(out)
    html = written["report"].read_text()
    assert "Likely causes and your programme" in html and "Hip abductor weakness" in html
    assert "annotated.mp4" not in html  # no video in this folder


@pytest.mark.parametrize(("content", "message"), [
    (None, "not found"),
    ("{not json", "not a readable"),
    ('{"schema": "other/1"}', "expected 'kneetrack.analysis/1'"),
])
def test_rebuild_bad_folder(tmp_path, content, message):
    out = tmp_path / "run"
    out.mkdir()
    if content is not None:
        (out / "analysis.json").write_text(content)
    with pytest.raises(InputError, match=message):
        rebuild_report(out)
    with pytest.raises(InputError, match="not found"):
        rebuild_report(tmp_path / "missing")


def test_report_command(tmp_path, capsys):
    out = _folder(tmp_path, make_analysis())
    assert main(["report", str(out)]) == 0
    assert (out / "report.html").is_file()
    assert "report.html" in capsys.readouterr().out
    assert main(["report", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "analysis folder not found" in err and "Traceback" not in err
    assert main(["report", str(out), "--video", str(tmp_path / "none.mp4")]) == 2
    assert "video not found" in capsys.readouterr().err


def _synthetic_keypoints() -> Keypoints:
    rng = np.random.default_rng(0)
    t = np.arange(N) / FPS
    base = {"nose": (250, 40), "left_shoulder": (270, 80), "right_shoulder": (230, 80),
            "left_hip": (262, 150), "right_hip": (238, 150), "left_knee": (260, 190),
            "right_knee": (240, 190), "left_ankle": (262, 228), "right_ankle": (238, 228)}
    arrays = {m: np.column_stack([np.full(N, x), np.full(N, y) + 3 * np.sin(2 * np.pi * 2.8 * t)])
              + rng.normal(0, 0.3, (N, 2)) for m, (x, y) in base.items()}
    return Keypoints.from_arrays(arrays, fps=FPS, image_size=(W, H), source="replay")


def test_analyze_video_writes_annotated_video_unless_overlay_off(tmp_path, make_video):
    video = make_video("clip.mp4", frames=N, fps=FPS, size=(W, H), painter=_painter)
    backend = ReplayBackend(_synthetic_keypoints())
    res = analyze_file(video, out_dir=tmp_path / "a", view="front", backend=backend, workers=1)
    mp4 = res.artefacts["video"]
    with av.open(str(mp4)) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264"
        assert sum(1 for _ in c.decode(s)) == N
    assert (tmp_path / "a" / "analysis.json").is_file()
    html = (tmp_path / "a" / "report.html").read_text()
    assert 'poster="data:image/jpeg;base64,' in html
    assert (tmp_path / "a" / "plots" / "video-poster.jpg").is_file()
    res = analyze_file(video, out_dir=tmp_path / "b", view="front",
                       backend=ReplayBackend(_synthetic_keypoints()), workers=1, overlay=False)
    assert "video" not in res.artefacts
    assert not (tmp_path / "b" / "annotated.mp4").exists()
    assert (tmp_path / "b" / "report.html").is_file()
    res = analyze_file(video, out_dir=tmp_path / "c", view="front",
                       backend=ReplayBackend(_synthetic_keypoints()), workers=1, report=False)
    assert not (tmp_path / "c" / "report.html").exists()
    assert (tmp_path / "c" / "analysis.json").is_file()


def test_rebuild_with_video_rerenders_overlay(tmp_path, make_video):
    video = make_video("clip.mp4", frames=N, fps=FPS, size=(W, H), painter=_painter)
    out = tmp_path / "r"
    analyze_file(video, out_dir=out, view="front", backend=ReplayBackend(_synthetic_keypoints()),
                 workers=1, overlay=False)
    assert not (out / "annotated.mp4").exists()
    written = rebuild_report(out, video=video, blur_faces=False)
    assert written["video"] == out / "annotated.mp4"
    assert 'src="annotated.mp4"' in (out / "report.html").read_text()
    # a later rebuild without the video keeps the video, its link and its poster
    rebuild_report(out)
    html = (out / "report.html").read_text()
    assert 'src="annotated.mp4"' in html and 'poster="data:image/jpeg' in html
