"""``kneetrack analyze VIDEO`` starts its first pose process before parsing its arguments."""

from __future__ import annotations

from pathlib import Path

import pytest

from kneetrack.cli.main import _analyzes_a_video, main


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    p = tmp_path / "Run.MOV"
    p.write_bytes(b"not a real video")
    return p


def test_only_analyze_of_an_existing_video_starts_one(clip: Path, tmp_path: Path):
    trc = tmp_path / "run.trc"
    trc.write_text("x")
    assert _analyzes_a_video(["analyze", str(clip), "-o", str(tmp_path / "out")])
    assert _analyzes_a_video(["analyze", "-o", "out", str(clip)])  # options first
    assert not _analyzes_a_video(["analyze", str(trc), "-o", "out"])  # keypoints: no pose
    assert not _analyzes_a_video(["analyze", str(tmp_path / "missing.mp4"), "-o", "out"])
    assert not _analyzes_a_video(["analyze", str(clip), "--help"])
    assert not _analyzes_a_video(["analyze", str(clip), "-o", "out", "--verbose"])
    assert not _analyzes_a_video(["screen", str(clip)])
    side = tmp_path / "side.mp4"
    side.write_bytes(b"x")
    assert not _analyzes_a_video(["analyze", str(clip), str(side), "-o", "out"])  # a pair
    assert not _analyzes_a_video([])


def test_it_is_stopped_when_the_command_fails_before_pose(clip: Path, warm_starts):
    from kneetrack.pose import warm

    started = warm_starts
    code = main(["analyze", str(clip), "--no-such-option"])  # typer refuses the arguments
    assert code != 0
    assert len(started) == 1 and started[0].closed == 1
    assert warm.take_parked() is None


def test_the_analysis_takes_it_over(clip: Path, tmp_path: Path, monkeypatch, warm_starts):
    import kneetrack.pose.run as run
    from kneetrack.errors import KneetrackError

    started = warm_starts
    handed: list = []

    def estimate(path, *, while_waiting=None, **kwargs):
        handed.append(while_waiting.pose_process())
        raise KneetrackError("stop here")

    monkeypatch.setattr(run, "estimate_video", estimate)
    code = main(["analyze", str(clip), "-o", str(tmp_path / "out"), "-q"])
    assert code != 0  # stopped by the stand-in pose
    assert len(started) == 1 and handed == started  # the one started ahead, not a second
    assert started[0].closed == 0  # taken over: not the front end's to stop
