"""Smoke test on real video: the Pose2Sim single-person demo (lab, balance / lunge-like poses).

The clip holds no squats, so the honest outcome is: pose runs, the recording checks
work, no repetitions are invented, and ``kneetrack screen`` says so in one line.
"""

import pytest

from kneetrack.app.analyze import acquire_keypoints
from kneetrack.cli.main import main
from kneetrack.screening.squat import SingleLegSquatAnalysis


@pytest.mark.slow
def test_real_video_smoke(shared_data, tmp_path, capsys):
    pytest.importorskip("mediapipe")
    video = shared_data / "video" / "pose2sim_single" / "cam01.mp4"
    if not video.is_file():
        pytest.skip("Pose2Sim demo video not present")
    kp, kind = acquire_keypoints(video, workers=1)
    assert kind == "video" and kp.n_frames == 100
    ana = SingleLegSquatAnalysis().analyze(kp)
    assert ana.reps_ == []                                  # nobody squats in this clip
    assert ana.quality_["in_frame_fraction"] > 0.9          # whole body in view
    assert ana.quality_["hip_width_leg_fraction"] > 0.1     # a near-frontal camera
    assert any("no single-leg squat" in w for w in ana.warnings_)

    out = tmp_path / "s"
    code = main(["screen", "--out", str(out), "--squat-video", str(video), "--no-interactive",
                 "-q", "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert "no single-leg squat repetitions found" in err
    assert not (out / "screening.json").exists()
