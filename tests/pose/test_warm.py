"""The pose process started ahead: it becomes the run's first pose process, or is stopped."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pytest

from kneetrack.pose import parallel
from kneetrack.pose.parallel import estimate_video_parallel
from kneetrack.pose.warm import WarmPoseProcess

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # spawned workers inherit sys.path and import test_parallel_fakes

from test_parallel_fakes import HandsOver, write_gop_video  # noqa: E402

FINDER = "test_parallel_fakes:PidFinder"


@pytest.fixture(scope="module")
def square_video(tmp_path_factory) -> Path:
    return write_gop_video(tmp_path_factory.mktemp("warm") / "square.mp4", frames=90, gop=16)


def test_the_process_started_ahead_runs_the_clip(square_video):
    warm = WarmPoseProcess.start()
    assert warm is not None and warm.process.is_alive()
    waiter = HandsOver(warm)
    kp = estimate_video_parallel(square_video, workers=1, while_waiting=waiter,
                                 backend_spec=FINDER)
    assert waiter.asked == 1 and warm.taken
    params = kp.provenance[-1].params
    assert params["pid"] == warm.process.pid  # the graph ran there, not in a new process
    assert params["workers"] == 1
    warm.process.join(timeout=10)
    assert warm.process.exitcode == 0
    plain = estimate_video_parallel(square_video, workers=1, backend_spec=FINDER)
    assert plain.provenance[-1].params["pid"] != warm.process.pid
    np.testing.assert_array_equal(kp.xy, plain.xy)
    warm.close()  # a no-op once taken
    assert warm.process.exitcode == 0


def test_with_two_workers_it_is_the_first_and_one_more_starts(square_video):
    warm = WarmPoseProcess.start()
    waiter = HandsOver(warm)
    kp = estimate_video_parallel(square_video, workers=2, while_waiting=waiter,
                                 backend_spec=FINDER)
    assert warm.taken and kp.provenance[-1].params["workers"] == 2
    plain = estimate_video_parallel(square_video, workers=1, backend_spec=FINDER)
    np.testing.assert_array_equal(kp.xy, plain.xy)
    warm.process.join(timeout=10)
    assert warm.process.exitcode == 0


def test_it_keeps_the_frames_when_asked(square_video):
    from test_parallel_fakes import kept_summary

    class Keeping(HandsOver):
        def keep_size(self, plan, info):
            return (320, 96)

    warm = WarmPoseProcess.start()
    waiter = Keeping(warm)
    estimate_video_parallel(square_video, while_waiting=waiter, backend_spec=FINDER)
    kept = waiter.kept
    try:
        assert kept is not None and kept._process is warm.process
        kept.submit(kept_summary)
        assert kept.result()[0] == 90
    finally:
        kept.close()


def test_an_unused_one_is_stopped_at_once():
    warm = WarmPoseProcess.start()
    t0 = time.monotonic()
    warm.close()
    assert not warm.process.is_alive()
    assert time.monotonic() - t0 < 4  # terminated, not waited for
    warm.close()  # twice is harmless


def test_it_is_stopped_when_the_graph_runs_here(square_video, monkeypatch):
    monkeypatch.setattr(parallel, "frame_table", lambda info: None)  # no table to seek with
    warm = WarmPoseProcess.start()
    kp = estimate_video_parallel(square_video, while_waiting=HandsOver(warm),
                                 backend_spec=FINDER)
    assert kp.n_frames == 90
    assert warm.taken and not warm.process.is_alive()


def test_a_daemon_process_starts_none(monkeypatch):
    import multiprocessing as mp

    monkeypatch.setattr(mp.current_process(), "_config",
                        {**mp.current_process()._config, "daemon": True})
    assert WarmPoseProcess.start() is None
