"""Acceptance on real data: a mocap-derived TRC and a real phone-style video.

The report renders in headless Chromium without console errors, the annotated
video decodes as H.264 with the input's frame count, the PDF has the same
sections as the page, and the MOT and TRC open in independent readers.
"""

from __future__ import annotations

import re
from pathlib import Path

import av
import numpy as np
import pytest

from browser import inspect_page, require_chromium
from kneetrack.app.analyze import analyze_file
from kneetrack.cli.main import main

TRC = "mocap2d/fukuchi2017_rbds001_t35_60fps_front.trc"
VIDEO = "video/running_side_outdoor.mp4"


@pytest.fixture(scope="module")
def trc_folder(shared_data, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report_trc")
    analyze_file(shared_data / TRC, out_dir=out)
    return out


@pytest.fixture(scope="module")
def video_folder(shared_data, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report_video")
    analyze_file(shared_data / VIDEO, out_dir=out, workers=1)
    return out


def _frames(path: Path) -> tuple[str, str, int, float]:
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        n = sum(1 for _ in c.decode(s))
        return s.codec_context.name, s.codec_context.pix_fmt, n, float(s.average_rate)


def test_trc_folder_has_every_export(trc_folder):
    names = {p.name for p in trc_folder.iterdir()}
    assert {"analysis.json", "report.html", "keypoints.trc", "angles.mot", "stances.csv",
            "plots"} <= names
    assert "annotated.mp4" not in names  # keypoint input: no video to draw on


def test_trc_exports_open_in_independent_readers(trc_folder):
    pyomeca = pytest.importorskip("pyomeca")
    trc = pytest.importorskip("trc")
    mot = pyomeca.Analogs.from_mot(str(trc_folder / "angles.mot"), pandas_kwargs={"sep": "\t"})
    assert {"fppa_l", "fppa_r", "hip_adduction_l", "hip_adduction_r"} <= set(mot.channel.values)
    assert mot.attrs["rate"] == 60
    d = trc.TRCData()
    d.load(str(trc_folder / "keypoints.trc"))
    assert d["NumFrames"] == mot.shape[1] == len(d["Time"])
    assert {"LHip", "RKnee", "LAnkle"} <= set(d["Markers"])
    # the MOT's time axis is the keypoints' time axis
    np.testing.assert_allclose(mot.time.values, np.array(d["Time"]), atol=1e-5)


@pytest.mark.slow
def test_video_annotated_has_input_frame_count(shared_data, video_folder):
    codec, pix, n, rate = _frames(video_folder / "annotated.mp4")
    _, _, n_in, rate_in = _frames(shared_data / VIDEO)
    assert (codec, pix) == ("h264", "yuv420p")
    assert n == n_in == 47
    assert rate == pytest.approx(rate_in)


def _h2(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", h)).strip()
            for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html, flags=re.S)]


def test_pdf_has_the_same_sections(trc_folder):
    pytest.importorskip("weasyprint")
    pypdf = pytest.importorskip("pypdf")
    assert main(["report", str(trc_folder), "--pdf"]) == 0
    html = (trc_folder / "report.html").read_text()
    reader = pypdf.PdfReader(str(trc_folder / "report.pdf"))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    headings = _h2(html)
    assert len(headings) >= 7
    for h in headings:
        assert h in text, f"PDF lacks the section {h!r}"
    sections = re.findall(r'data-section="([^"]+)"', html)
    assert sections[:2] == ["verdict", "numbers"]


@pytest.mark.browser
def test_trc_report_in_chromium(trc_folder, tmp_path):
    require_chromium()
    st = inspect_page(trc_folder / "report.html", tmp_path / "report_trc_phone.png")
    assert st["errors"] == []
    assert st["network"] == []
    assert len(st["images"]) >= 7 and all(i["ok"] for i in st["images"]), st["images"]
    assert not st["overflowX"], "page scrolls sideways on a phone"
    assert st["sections"][:2] == ["verdict", "numbers"]
    assert st["screenshot"].stat().st_size > 50_000


@pytest.mark.browser
@pytest.mark.slow
def test_video_report_in_chromium(video_folder, tmp_path):
    require_chromium()
    st = inspect_page(video_folder / "report.html", tmp_path / "report_video_desktop.png",
                      width=1100, height=900)
    assert st["errors"] == []
    assert st["network"] == []
    assert all(i["ok"] for i in st["images"]), st["images"]
    (video,) = st["videos"]
    assert video["error"] is None and video["ready"] >= 2, video
    assert (video["w"], video["h"]) == (480, 352)
    assert video["duration"] == pytest.approx(47 / 29.97, abs=0.05)
