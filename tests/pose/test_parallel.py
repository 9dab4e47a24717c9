"""Parallel pose estimation: exact frame indices/times across chunk seeks, stitching, failures.

The fake backends live in ``tests/pose/test_parallel_fakes.py`` so that spawned worker
processes can import them by name.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from kneetrack.errors import InputError, KneetrackError
from kneetrack.pose.parallel import (
    Chunk,
    _Stitcher,
    estimate_video_parallel,
    frame_table,
    plan_chunks,
)
from kneetrack.video import iter_frames, probe_video

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # spawned workers inherit sys.path and import test_parallel_fakes

from test_parallel_fakes import SQUARE, square_x, write_gop_video  # noqa: E402

from process_group import ctrl_c, spawn  # noqa: E402


@pytest.fixture(scope="module")
def square_video(tmp_path_factory) -> Path:
    # 150 frames, a key frame every 16: chunk seeks land between key frames.
    return write_gop_video(tmp_path_factory.mktemp("par") / "square.mp4", frames=150, gop=16)


def test_frame_table_matches_decoded_frames(square_video):
    info = probe_video(square_video)
    table = frame_table(info)
    assert table is not None
    times = np.array([f.time_s for f in iter_frames(square_video, info=info)])
    assert table.n_frames == len(times) == 150
    np.testing.assert_allclose(table.time_s, times, atol=1e-9)
    assert table.key[0] and table.key.sum() >= 150 // 16


@pytest.mark.parametrize(("n", "workers"), [(100, 2), (150, 2), (5000, 2), (90, 8), (30, 2)])
def test_plan_chunks_cover_every_frame_once(n, workers):
    chunks = plan_chunks(n, workers=workers, overlap_frames=6)
    assert chunks[0].start == 0 and chunks[-1].stop == n
    assert all(a.stop == b.start for a, b in zip(chunks, chunks[1:], strict=False))
    assert all(c.stop - c.start >= min(n, 40) for c in chunks)
    assert all(c.warmup_start == max(0, c.start - 6) for c in chunks)
    if n >= 2 * 40:
        assert len(chunks) >= min(workers, n // 40)


def test_parallel_workers_see_exact_frames_and_times(square_video):
    """Each worker seeks to its chunk; every frame must still get its own index, image and time."""
    kp = estimate_video_parallel(square_video, workers=2,
                                 backend_spec="test_parallel_fakes:SquareFinder")
    assert kp.n_frames == 150
    found = kp.xy[:, 0, 0]
    truth = np.array([square_x(i) + SQUARE / 2 for i in range(150)])
    np.testing.assert_allclose(found, truth, atol=1.5)
    np.testing.assert_allclose(kp.time_s, np.arange(150) / 30, atol=1e-3)
    step = kp.provenance_dicts()[-1]
    assert step["step"] == "pose" and step["params"]["workers"] == 2
    assert step["params"]["chunks"] >= 2 and step["params"]["rerun_chunks"] == 0


def test_parallel_matches_single_process_layout(square_video):
    from test_parallel_fakes import SquareFinder

    from kneetrack.pose.run import estimate_video

    single = estimate_video(square_video, backend=SquareFinder())
    par = estimate_video_parallel(square_video, workers=3,
                                  backend_spec="test_parallel_fakes:SquareFinder")
    assert par.markers == single.markers and par.xy.shape == single.xy.shape
    assert par.image_size == single.image_size and par.fps == single.fps
    np.testing.assert_allclose(par.xy, single.xy, atol=1e-9)
    np.testing.assert_allclose(par.time_s, single.time_s, atol=1e-9)


def test_progress_reaches_total(square_video):
    seen: list[tuple[int, int | None]] = []
    estimate_video_parallel(square_video, workers=2,
                            backend_spec="test_parallel_fakes:SquareFinder",
                            progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (150, 150)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


class _Waiter:
    """A ``while_waiting`` that records when it is called and how many chunks were done."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def __call__(self, plan) -> None:
        self.calls.append(("started", plan.workers if plan is not None else None))

    def core_free(self, plan) -> None:
        self.calls.append(("core_free", plan.workers))

    def keep_size(self, plan, info):
        return None

    def frames_kept(self, kept) -> None:
        raise AssertionError("no frames were to be kept")

    def pose_process(self):
        return None


def test_a_pose_process_out_of_chunks_frees_a_core_once(square_video):
    waiter = _Waiter()
    estimate_video_parallel(square_video, workers=2, while_waiting=waiter,
                            backend_spec="test_parallel_fakes:SquareFinder")
    assert waiter.calls == [("started", 2), ("core_free", 2)]


def test_one_pose_process_never_reports_a_core_freed(square_video):
    waiter = _Waiter()
    estimate_video_parallel(square_video, workers=1, while_waiting=waiter,
                            backend_spec="test_parallel_fakes:SquareFinder")
    assert waiter.calls == [("started", 1)]


def test_worker_exception_becomes_one_line_error(square_video):
    with pytest.raises(KneetrackError, match="pose estimation failed.*boom at frame"):
        estimate_video_parallel(square_video, workers=2,
                                backend_spec="test_parallel_fakes:FailingBackend")


def test_worker_crash_is_reported(square_video):
    with pytest.raises(KneetrackError, match="stopped unexpectedly"):
        estimate_video_parallel(square_video, workers=2,
                                backend_spec="test_parallel_fakes:CrashingBackend")


def test_truncated_video_is_an_input_error(square_video, tmp_path):
    broken = tmp_path / "cut.mp4"
    data = square_video.read_bytes()
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError):
        estimate_video_parallel(broken, workers=2, backend_spec="test_parallel_fakes:SquareFinder")


def _rows(c: Chunk, value: float) -> tuple[np.ndarray, np.ndarray]:
    n = c.stop - c.warmup_start
    return np.full((n, 1, 2), value), np.ones((n, 1))


def test_stitcher_keeps_continuous_chunks_and_drops_warmup():
    chunks = plan_chunks(120, workers=1, overlap_frames=4)
    assert len(chunks) == 2
    st = _Stitcher(chunks, 120)
    assert st.add(1, *_rows(chunks[1], 5.0)) == []  # waits for chunk 0
    assert st.add(0, *_rows(chunks[0], 5.0)) == []
    assert st.complete and st.repairs == 0
    assert np.all(st.xy == 5.0)


def test_stitcher_reruns_a_chunk_that_locked_onto_someone_else():
    chunks = plan_chunks(120, workers=1, overlap_frames=4)
    assert len(chunks) == 2
    st = _Stitcher(chunks, 120)
    st.add(0, *_rows(chunks[0], 5.0))
    redo = st.add(1, *_rows(chunks[1], 500.0))  # the warm-up found another person
    assert len(redo) == 1 and not st.complete
    again = redo[0]
    assert (again.start, again.stop, again.warmup_start) == (chunks[1].start, 120, 0)
    assert st.add(1, *_rows(again, 7.0)) == []  # a continuation run is accepted as is
    assert st.complete and st.repairs == 1
    assert np.all(st.xy[: chunks[1].start] == 5.0) and np.all(st.xy[chunks[1].start:] == 7.0)


def test_stitcher_judges_a_boundary_on_the_last_warmup_frame():
    chunks = plan_chunks(120, workers=1, overlap_frames=4)
    settling = _rows(chunks[1], 5.0)
    settling[0][:3] = 40.0  # the fresh tracker settles: its first warm-up frames are off
    st = _Stitcher(chunks, 120)
    st.add(0, *_rows(chunks[0], 5.0))
    assert st.add(1, *settling) == [] and st.complete and st.repairs == 0
    drifted = _rows(chunks[1], 5.0)
    drifted[0][3] = 40.0  # ... but off on the last one: someone else
    st = _Stitcher(chunks, 120)
    st.add(0, *_rows(chunks[0], 5.0))
    assert len(st.add(1, *drifted)) == 1 and st.repairs == 1


@pytest.mark.slow
@pytest.mark.parametrize("name", ["pose2sim_single/cam01.mp4", "sports2d_demo.mp4"])
def test_parallel_blazepose_matches_single_process_on_real_clip(shared_data, name):
    """Real MediaPipe: the parallel path's landmarks are within 2 px median of the serial path.

    ``sports2d_demo.mp4`` has several people walking past: a chunk's fresh tracker may
    lock onto someone else, which the boundary check must catch and repair.
    """
    from kneetrack.pose.mediapipe_backend import MediaPipePoseBackend
    from kneetrack.pose.run import estimate_video

    clip = shared_data / "video" / name
    with MediaPipePoseBackend() as be:
        single = estimate_video(clip, backend=be)
    par = estimate_video_parallel(clip, workers=2)
    assert par.xy.shape == single.xy.shape and par.markers == single.markers
    np.testing.assert_allclose(par.time_s, single.time_s, atol=1e-9)
    both = np.isfinite(par.xy).all(-1) & np.isfinite(single.xy).all(-1)
    assert both.mean() > 0.9
    d = np.linalg.norm(par.xy - single.xy, axis=-1)[both]
    assert np.median(d) <= 2.0
    assert par.provenance_dicts()[-1]["params"]["chunks"] >= 2


@pytest.mark.slow
def test_one_graph_runs_its_models_on_every_core_with_the_same_landmarks(shared_data):
    """A short clip's one graph gets a thread per core, and the landmarks do not change."""
    from kneetrack.core.cores import available_cores
    from kneetrack.pose.inference_threads import MAX_THREADS
    from kneetrack.pose.mediapipe_backend import MediaPipePoseBackend
    from kneetrack.pose.run import estimate_video

    if available_cores() < 2:
        pytest.skip("one core: nothing to share")
    clip = shared_data / "video" / "pose2sim_single" / "cam01.mp4"
    with MediaPipePoseBackend() as be:
        single = estimate_video(clip, backend=be)
    par = estimate_video_parallel(clip, workers=1)
    params = par.provenance_dicts()[-1]["params"]
    threads = min(available_cores(), MAX_THREADS)
    assert params["planned_threads"] == params["inference_threads"] == threads
    assert single.provenance_dicts()[-1]["params"]["inference_threads"] == 1
    both = np.isfinite(par.xy).all(-1) & np.isfinite(single.xy).all(-1)
    assert both.mean() > 0.9
    assert np.median(np.linalg.norm(par.xy - single.xy, axis=-1)[both]) <= 2.0


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_ctrl_c_stops_every_worker(square_video):

    code = ("import sys\n"
            f"sys.path.insert(0, {str(HERE)!r})\n"
            "from kneetrack.pose.parallel import estimate_video_parallel\n"
            "if __name__ == '__main__':\n"
            "    estimate_video_parallel(sys.argv[1], workers=2,\n"
            "        backend_spec='test_parallel_fakes:SlowSquareFinder',\n"
            "        progress=lambda d, t: print(d, flush=True))\n")
    proc = spawn([sys.executable, "-c", code, str(square_video)])
    err = ctrl_c(proc)
    assert err.count("Traceback") == 1  # the parent's only; workers stay quiet


@pytest.mark.skipif(__import__("shutil").which("ffmpeg") is None,
                    reason="ffmpeg CLI needed to write rotation metadata")
def test_rotated_phone_clip_matches_single_process(square_video, tmp_path):
    import subprocess

    from test_parallel_fakes import SquareFinder

    from kneetrack.pose.run import estimate_video

    rotated = tmp_path / "portrait.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(square_video),
                    "-metadata:s:v", "rotate=90", "-c", "copy", str(rotated)], check=True)
    info = probe_video(rotated)
    if info.rotation_deg == 0:
        pytest.skip("this ffmpeg did not write the rotation")
    assert info.image_size == (96, 320)
    single = estimate_video(rotated, backend=SquareFinder())
    par = estimate_video_parallel(rotated, workers=2,
                                  backend_spec="test_parallel_fakes:SquareFinder")
    assert par.image_size == single.image_size == (96, 320)
    np.testing.assert_allclose(par.xy, single.xy, atol=1e-9)


def test_chunk_warm_ups_start_on_key_frames_when_known():
    key = np.zeros(1000, bool)
    key[::30] = True
    chunks = plan_chunks(1000, workers=2, overlap_frames=6, key=key)
    assert chunks[0].start == 0 and chunks[-1].stop == 1000
    assert all(a.stop == b.start for a, b in zip(chunks, chunks[1:], strict=False))
    assert all(key[c.warmup_start] for c in chunks[1:])
    plain = plan_chunks(1000, workers=2, overlap_frames=6)
    assert len(plain) == len(chunks)
    assert all(abs(a.start - b.start) <= 1000 / len(plain) / 4
               for a, b in zip(plain, chunks, strict=True))


class _KeepingWaiter(_Waiter):
    """A ``while_waiting`` that asks for the frames to be kept, at the clip's own size."""

    def __init__(self, size=(320, 96)) -> None:
        super().__init__()
        self.size = size
        self.kept = None

    def keep_size(self, plan, info):
        self.calls.append(("keep_size", (plan.workers, len(info.path.name) > 0)))
        return self.size

    def frames_kept(self, kept) -> None:
        self.calls.append(("frames_kept", kept.frames))
        self.kept = kept


def test_one_graph_keeps_every_frame_for_a_second_pass(square_video):
    from test_parallel_fakes import kept_summary

    waiter = _KeepingWaiter()
    kp = estimate_video_parallel(square_video, while_waiting=waiter,
                                 backend_spec="test_parallel_fakes:SquareFinder")
    assert ("frames_kept", 150) in waiter.calls and waiter.calls[0][0] == "keep_size"
    assert kp.provenance[-1].params["frames_kept"] is True
    kept = waiter.kept
    try:
        assert kept.open
        kept.submit(kept_summary)
        n, size, first, xs = kept.result()
        assert (n, tuple(size), first) == (150, (320, 96), 0)
        # every kept frame is the frame of its index (the square moves 2 px a frame)
        assert xs == [square_x(i) for i in range(150)]
        # pose saw the same frames as without keeping
        plain = estimate_video_parallel(square_video,
                                        backend_spec="test_parallel_fakes:SquareFinder")
        np.testing.assert_array_equal(kp.xy, plain.xy)
    finally:
        kept.close()
    assert not kept.open


def test_kept_frames_report_failures_and_a_lost_process(square_video):
    from test_parallel_fakes import kept_exits, kept_fails

    from kneetrack.video.kept import KeptFramesError

    waiter = _KeepingWaiter()
    estimate_video_parallel(square_video, while_waiting=waiter,
                            backend_spec="test_parallel_fakes:SquareFinder")
    kept = waiter.kept
    try:
        kept.submit(kept_fails)
        with pytest.raises(KeptFramesError, match="RuntimeError: no luck"):
            kept.result()
        kept.submit(kept_exits)
        with pytest.raises(KeptFramesError, match="stopped"):
            kept.result()
    finally:
        kept.close()


def test_frames_too_big_to_keep_are_not_kept(square_video):
    waiter = _KeepingWaiter(size=(7680, 4320))  # 150 frames of 8K: 7 GB
    kp = estimate_video_parallel(square_video, while_waiting=waiter,
                                 backend_spec="test_parallel_fakes:SquareFinder")
    assert waiter.kept is None and kp.provenance[-1].params["frames_kept"] is False
