"""The report on a phone (390 px) and a desktop (1280 px), in headless Chromium.

Nothing sticks out of the viewport, no two pieces of text overlap (bounding boxes
of every text node), no text is smaller than 12 px, plots and foot-contact
thumbnails are shown large enough to read, and the thumbnails' captions sit
apart. The full-page screenshots are kept in ``out/test-artifacts/``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from browser import inspect_layout, require_chromium
from kneetrack.app.analyze import analyze_file
from kneetrack.report.html import render_plots, render_report_html
from kneetrack.report.strip import contact_thumbnails

TRC = "mocap2d/fukuchi2017_rbds001_t35_60fps_front.trc"
WIDTHS = (390, 1280)


@pytest.fixture(scope="module")
def front_report(shared_data, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("phone_front")
    analyze_file(shared_data / TRC, out_dir=out)
    return out / "report.html"


@pytest.fixture(scope="module")
def side_report(shared_data, tmp_path_factory) -> Path:
    """A side-view page with six foot-contact thumbnails whose captions are long."""
    import json

    out = tmp_path_factory.mktemp("phone_side")
    analyze_file(shared_data / "mocap2d" / "fukuchi2017_rbds001_t35_60fps_side-right.trc",
                 out_dir=out)
    analysis = json.loads((out / "analysis.json").read_text())
    analysis["stances"][3]["withheld"] = "implausible foot angle"
    rng = np.random.default_rng(0)
    crops = [{"image": rng.integers(0, 255, (320, 200 + 40 * (i % 3), 3), dtype=np.uint8),
              "title": f"{'Left' if i % 2 else 'Right'} {1.25 * i:.2f} s · shank {i - 3:+d}° · "
                       "rearfoot strike",
              "colour": "#0072b2" if i % 2 else "#d55e00"} for i in range(6)]
    strips = [{"title": "Foot contact, side view", "caption": "The frame of foot contact.",
               "thumbs": contact_thumbnails(crops)}]
    html = render_report_html(analysis, plots=render_plots(analysis), strips=strips)
    page = out / "report.html"
    page.write_text(html, encoding="utf-8")
    return page


def _check(state: dict, width: int) -> None:
    assert state["viewport"] == width
    assert not state["scrollX"], "the page scrolls sideways"
    assert state["overflow"] == [], state["overflow"][:10]
    assert state["overlaps"] == [], state["overlaps"][:10]
    assert state["small"] == [], state["small"][:10]
    assert state["plots"], "no plot shown"
    for p in state["plots"]:
        # a 4.2 in figure shown at least 300 px wide keeps its 11 pt ticks >= 12 px tall
        assert p["w"] >= min(300, width - 60) and p["right"] <= width, p


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_front_report_reads_on_a_phone_and_a_desktop(front_report, tmp_path, width):
    require_chromium()
    st = inspect_layout(front_report, tmp_path / f"report_front_{width}px.png", width=width)
    _check(st, width)
    assert st["screenshot"].stat().st_size > 50_000


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_foot_contact_thumbnails_and_captions_do_not_overlap(side_report, tmp_path, width):
    require_chromium()
    st = inspect_layout(side_report, tmp_path / f"report_side_{width}px.png", width=width)
    _check(st, width)
    thumbs, caps = st["thumbs"], st["captions"]
    assert len(thumbs) == len(caps) == 6
    assert all(t["w"] >= 100 for t in thumbs), thumbs
    for i, a in enumerate(caps):
        for b in caps[i + 1:]:
            apart = (a["right"] <= b["left"] or b["right"] <= a["left"]
                     or a["bottom"] <= b["top"] or b["bottom"] <= a["top"])
            assert apart, (a, b)
