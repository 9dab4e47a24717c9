"""The report's "Processing steps" line lists every step that ran."""

from __future__ import annotations

import json
import re

from kneetrack.app.analyze import analyze_file
from kneetrack.report.context import processing_step_names


def test_step_names_add_the_report_and_the_video():
    a = {"provenance": [{"step": "pose"}, {"step": "fill_gaps"}, {"bad": 1}, "x"]}
    assert processing_step_names(a) == ["pose", "fill gaps", "report"]
    assert processing_step_names(a, video=True)[-2:] == ["annotated video", "report"]
    assert processing_step_names({}) == ["report"]


def test_every_step_that_ran_is_listed(shared_data, tmp_path):
    trc = shared_data / "mocap2d" / "fukuchi2017_rbds001_t35_60fps_front.trc"
    result = analyze_file(trc, out_dir=tmp_path)
    steps = [p["step"] for p in json.loads((tmp_path / "analysis.json").read_text())["provenance"]]
    cleaning = [p.step for p in result.kinematics.keypoints.provenance]
    assert steps[:len(cleaning)] == cleaning  # reading, then each cleaning step
    assert {"read_trc", "lowpass"} <= set(cleaning)
    assert steps[len(cleaning):] == ["gait_events", "stance_metrics", "findings"]
    html = (tmp_path / "report.html").read_text()
    line = re.search(r"Processing steps: (.*?)\.</p>", html).group(1)
    shown = [s.strip() for s in line.replace("&gt;", ">").split("→")]
    assert shown == [s.replace("_", " ") for s in steps] + ["report"]
