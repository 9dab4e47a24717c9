"""The engine on real BlazePose output from a real running video (slow: runs MediaPipe)."""

from pathlib import Path

import numpy as np
import pytest

VIDEO = (Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "video"
         / "running_side_outdoor.mp4")


@pytest.mark.slow
def test_short_outdoor_side_clip(tmp_path):
    if not VIDEO.exists():
        pytest.skip("shared video data not available")
    pytest.importorskip("mediapipe")
    from kneetrack.app.analyze import analyze_file

    res = analyze_file(VIDEO, out_dir=tmp_path)
    a = res.analysis
    # A woman running past the camera from left to right: facing image +x.
    assert a["view"] == "side-right" and a["view_confidence"] > 0.5
    # 47 frames at 30 fps: about two steps, too few for the plausibility gate to judge
    # steady running: no cadence, no finding, a clear reason; the detected rate is kept.
    gate = a["plausibility"]
    assert gate["passed"] is False and "too few" in gate["reasons"][0]
    assert a["cadence_spm"] is None and a["findings"] == []
    assert 150 <= gate["measured"]["cadence_spm"] <= 200
    warnings = " ".join(a["quality"]["warnings"])
    assert "below 60 fps" in warnings and "per side are needed" in warnings
    for s in a["stances"]:
        for key in ("knee_flexion_ic_deg", "shank_angle_ic_deg", "foot_strike_angle_deg"):
            v = s[key]
            assert v is None or np.isfinite(v)
        if s["knee_flexion_ic_deg"] is not None:
            assert 0 <= s["knee_flexion_ic_deg"] <= 60
        if s["shank_angle_ic_deg"] is not None:
            assert -30 <= s["shank_angle_ic_deg"] <= 45
