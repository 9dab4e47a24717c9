"""The per-clip pose plan: one graph for short clips, one per core for long ones, from costs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kneetrack.pose.inference_threads import MAX_THREADS
from kneetrack.pose.plan import (
    MAX_CHUNK_FRAMES,
    MEASURED,
    MIN_GAIN,
    PoseCosts,
    plan_pose,
    predict_s,
)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def test_short_clips_get_one_graph_long_clips_one_per_core():
    assert plan_pose(230, megapixels=1.76, cores=2).workers == 1  # Sports2D demo, 7.7 s
    assert plan_pose(200, megapixels=2.07, cores=2).workers == 1  # 3.3 s of 1080p at 60 fps
    # 8 s: the whole command took 10.7 s with two graphs, 11.9-12.7 s with one on two threads
    assert plan_pose(480, megapixels=2.07, cores=2).workers == 2
    # 20 s: measured 22.8 s with two graphs, 28.4 s with one graph on two threads
    assert plan_pose(1200, megapixels=2.07, cores=2).workers == 2
    assert plan_pose(3600, megapixels=2.07, cores=2).workers == 2  # 60 s
    four = plan_pose(3600, megapixels=2.07, cores=4)  # every core: graphs or their threads
    assert four.workers >= 2 and four.workers * four.threads == 4
    assert plan_pose(3600, megapixels=2.07, cores=1).workers == 1


def test_more_frames_never_means_fewer_graphs():
    seen = [plan_pose(n, megapixels=2.07, cores=2).workers for n in range(50, 6000, 25)]
    assert seen == sorted(seen)


def test_chunks_are_whole_per_worker_and_not_too_long():
    for n in (300, 1200, 3600, 36000):
        p = plan_pose(n, megapixels=2.07, cores=2)
        assert p.chunks % p.workers == 0
        assert n / p.chunks <= MAX_CHUNK_FRAMES
        assert p.frames == n and set(p.predicted_s) == {1, 2}


def test_a_second_graph_must_save_the_margin():
    p = plan_pose(1200, megapixels=2.07, cores=2)
    assert p.predicted_s[2] < p.predicted_s[1] * (1 - MIN_GAIN)
    # a graph that takes 8 s to start is never worth it on a 20 s clip
    slow = plan_pose(1200, megapixels=2.07, cores=2, costs=PoseCosts(start_s=8.0))
    assert slow.workers == 1


def test_prediction_follows_the_costs():
    base = predict_s(1200, 2, 2, megapixels=2.07, cores=2)
    dearer = predict_s(1200, 2, 2, megapixels=2.07, cores=2,
                       costs=PoseCosts(frame_s=2 * MEASURED.frame_s))
    assert dearer > base * 1.5
    one = predict_s(1200, 1, 1, megapixels=2.07, cores=2, threads=1)
    assert one == pytest.approx(MEASURED.start_s + 1200 * MEASURED.frame_s)
    # two threads: the models' speed-up, less the wait while frames decode on a shared core
    two = predict_s(1200, 1, 1, megapixels=2.07, cores=2, threads=2)
    decode = 1200 * MEASURED.decode_s_per_mpx * 2.07
    assert two == pytest.approx(MEASURED.start_s + 1200 * MEASURED.frame_s
                                / MEASURED.speedup(2) + MEASURED.decode_wait * decode)
    assert two < one
    # a graph whose second thread gains nothing is only slower (the decoding waits)
    flat = predict_s(1200, 1, 1, megapixels=2.07, cores=2, threads=2,
                     costs=PoseCosts(thread_speedup=1.0))
    assert flat > one


def test_each_graph_gets_the_cores_it_has_to_itself():
    short = plan_pose(230, megapixels=1.76, cores=2)
    assert (short.workers, short.threads) == (1, 2)
    assert plan_pose(3600, megapixels=2.07, cores=2).threads == 1
    assert plan_pose(230, megapixels=1.76, cores=1).threads == 1
    assert plan_pose(230, megapixels=1.76, cores=2, workers=1).threads == 2  # --workers 1
    for cores in (2, 3, 4, 8, 16):
        for n in (230, 1200, 3600):
            p = plan_pose(n, megapixels=2.07, cores=cores)
            assert 1 <= p.threads <= MAX_THREADS and p.workers * p.threads <= cores
    assert plan_pose(230, megapixels=1.76, cores=2).to_params()["planned_threads"] == 2


def test_speedup_follows_amdahl_from_the_two_thread_measurement():
    c = PoseCosts(thread_speedup=1.7)
    assert c.speedup(1) == 1.0 and c.speedup(2) == pytest.approx(1.7)
    assert c.speedup(2) < c.speedup(4) < 1 / (1 - 2 * (1 - 1 / 1.7))  # never past the serial share
    assert PoseCosts(thread_speedup=1.0).speedup(4) == pytest.approx(1.0)


def test_workers_override_is_kept():
    p = plan_pose(230, megapixels=1.76, cores=2, workers=2)
    assert (p.workers, p.forced) == (2, True) and list(p.predicted_s) == [2]
    assert plan_pose(3600, megapixels=2.07, cores=2, workers=1).workers == 1


def test_parallel_run_records_its_plan(tmp_path):
    from test_parallel_fakes import write_gop_video

    from kneetrack.pose.parallel import estimate_video_parallel

    video = write_gop_video(tmp_path / "sq.mp4", frames=150, gop=16)
    kp = estimate_video_parallel(video, backend_spec="test_parallel_fakes:SquareFinder")
    params = kp.provenance_dicts()[-1]["params"]
    assert params["planned_workers"] == params["workers"] == 1  # 5 s at 30 fps: one graph
    assert params["workers_forced"] is False
    assert len(params["graph_ready_s"]) == 1 and 0 < params["graph_ready_s"][0] < 60
    forced = estimate_video_parallel(video, workers=2,
                                     backend_spec="test_parallel_fakes:SquareFinder")
    p2 = forced.provenance_dicts()[-1]["params"]
    assert p2["workers"] == 2 and p2["workers_forced"] is True
    # a process whose graph is ready only after the other has done every chunk is not
    # waited for (on a busy machine the fake backend's 150 frames go that fast)
    assert 1 <= len(p2["graph_ready_s"]) <= 2
    assert all(0 < t < 60 for t in p2["graph_ready_s"])


@pytest.mark.slow
def test_measure_costs_on_a_real_clip(shared_data):
    from kneetrack.pose.plan import measure_costs

    costs, raw = measure_costs(shared_data / "video" / "running_side_outdoor.mp4", frames=20)
    assert 0.05 < costs.start_s < 30 and 0.001 < costs.frame_s < 1
    assert 0.3 < costs.thread_speedup < 4 and raw["frame_s_2_threads"] > 0
    assert raw["megapixels"] == pytest.approx(480 * 352 / 1e6)
    assert costs.decode_s_per_mpx > 0 and costs.prepare_s > 0
