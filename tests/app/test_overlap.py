"""What the main process imports before and while the pose processes run."""

import subprocess
import sys
from pathlib import Path

import pytest

VIDEO = (Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "video"
         / "sports2d_demo.mp4")
#: Slow imports that belong in the time pose estimation runs, not before it starts.
ANALYSIS = ("scipy.ndimage", "matplotlib", "kneetrack.kinematics.pipeline",
            "kneetrack.report.html")
#: ... and the store (SQLAlchemy, Alembic), which only ``--athlete`` needs.
HEAVY = (*ANALYSIS, "sqlalchemy")


def _run(code: str) -> str:
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout.strip()


@pytest.mark.skipif(not VIDEO.is_file(), reason="shared demo clip not present")
def test_analyze_starts_pose_before_the_slow_imports(tmp_path):
    # estimate_video is replaced by a probe that lists the heavy modules already loaded
    # when pose estimation would start, then stops the command.
    code = (
        "import sys\n"
        "import kneetrack.pose.run as run\n"
        "def probe(*a, **k):\n"
        f"    print('loaded:', [m for m in {HEAVY!r} if m in sys.modules])\n"
        "    raise SystemExit(0)\n"
        "run.estimate_video = probe\n"
        "from kneetrack.cli.main import main\n"
        f"sys.argv = ['kneetrack', 'analyze', {str(VIDEO)!r}, '--out', {str(tmp_path)!r}, '-q']\n"
        "main()\n"
    )
    assert _run(code) == "loaded: []"


def test_while_pose_imports_the_analysis_code():
    code = (
        "import sys\n"
        "from kneetrack.app.overlap import WhilePose\n"
        "WhilePose(render=False, workers=None)(None)\n"
        f"print([m for m in {ANALYSIS!r} if m not in sys.modules])\n"
    )
    assert _run(code) == "[]"


def test_the_analysis_code_loads_neither_scipy_signal_nor_scipy_stats():
    # Their import costs about 0.9 s of CPU (SciPy 1.17) while pose runs; the filter, the
    # peak finder and the t quantile come from kneetrack.core and scipy.special instead.
    code = (
        "import sys\n"
        "from kneetrack.app.overlap import WhilePose\n"
        "WhilePose(render=True, workers=None)(None)\n"
        "import kneetrack.screening.squat, kneetrack.app.analyze\n"
        "print([m for m in ('scipy.signal', 'scipy.stats') if m in sys.modules])\n"
    )
    assert _run(code) == "[]"


def test_kinematics_package_names_resolve_lazily():
    code = (
        "import sys\n"
        "import kneetrack.kinematics as k\n"
        "assert 'kneetrack.kinematics.pipeline' not in sys.modules\n"
        "from kneetrack.kinematics.pipeline import analyze_keypoints\n"
        "assert k.analyze_keypoints is analyze_keypoints\n"
        "missing = [n for n in k.__all__ if getattr(k, n, None) is None]\n"
        "assert set(k.__all__) <= set(dir(k))\n"
        "try:\n"
        "    k.no_such_name\n"
        "except AttributeError:\n"
        "    print('ok', missing)\n"
    )
    assert _run(code) == "ok []"


def test_render_processes_start_on_a_freed_core_one_per_core(monkeypatch):
    import kneetrack.core.cores as cores
    from kneetrack.app.overlap import WhilePose
    from kneetrack.pose.plan import PosePlan

    monkeypatch.setattr(cores, "available_cores", lambda: 2)
    plan = PosePlan(workers=2, chunks=2, frames=230, fps=30.0)
    prep = WhilePose(render=True, workers=None)
    prep(plan)  # both cores run a graph: nothing starts yet
    assert prep.pool is None
    try:
        prep.core_free(plan)  # a short clip's render gets both cores, not one beside the report
        assert prep.pool is not None and prep.pool.workers == 2
        first = prep.pool
        prep.core_free(plan)
        assert prep.pool is first  # started once
    finally:
        prep.close()
    assert prep.pool is None
    assert WhilePose(render=False, workers=None).start_pool(230, 30.0) is None


def test_one_graph_keeps_the_frames_instead_of_starting_render_processes(monkeypatch):
    import kneetrack.core.cores as cores
    from kneetrack.app.overlap import WhilePose
    from kneetrack.pose.plan import PosePlan
    from kneetrack.video.reader import VideoInfo

    monkeypatch.setattr(cores, "available_cores", lambda: 2)
    info = VideoInfo(path=Path("x.mp4"), width=1768, height=994, fps=30.0, frames=230,
                     duration_s=7.7, rotation_deg=0, codec="vp9")
    plan = PosePlan(workers=1, chunks=1, threads=2, frames=230, fps=30.0)
    assert WhilePose(render=False, workers=None).keep_size(plan, info) is None  # no video
    assert WhilePose(render=True, workers=1).keep_size(plan, info) is None  # --workers given
    prep = WhilePose(render=True, workers=None)
    assert prep.keep_size(plan, info) == (1280, 720)  # the annotated video's size
    prep(plan)  # a core is free, but the frames are kept: no render process starts
    assert prep.pool is None

    class Kept:
        closed = 0

        def close(self):
            self.closed += 1

    kept = Kept()
    prep.frames_kept(kept)
    assert prep.start_pool(230, 30.0) is kept  # what the overlay is handed
    prep.close()
    assert kept.closed == 1 and prep.kept is None


def test_analyze_starts_the_first_pose_process_ahead_for_a_video(monkeypatch, tmp_path,
                                                                 warm_starts):
    import kneetrack.pose.run as run
    from kneetrack.app.analyze import analyze_file
    from kneetrack.errors import KneetrackError

    started = warm_starts
    handed: list[object] = []

    def estimate(path, *, while_waiting=None, **kwargs):
        handed.append(while_waiting.pose_process())
        raise KneetrackError("stop here")

    monkeypatch.setattr(run, "estimate_video", estimate)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"not read: pose is replaced")
    with pytest.raises(KneetrackError, match="stop here"):
        analyze_file(clip, out_dir=tmp_path / "out")
    assert len(started) == 1 and handed == started  # started before pose, handed to it
    assert started[0].closed == 0  # pose took it over: the run closes it, not the waiter


def test_an_unclaimed_pose_process_is_stopped_when_analyze_ends(monkeypatch, tmp_path, warm_starts):
    import kneetrack.pose.run as run
    from kneetrack.app.analyze import analyze_file
    from kneetrack.errors import KneetrackError

    started = warm_starts

    def estimate(path, **kwargs):  # fails before asking for the process
        raise KneetrackError("stop here")

    monkeypatch.setattr(run, "estimate_video", estimate)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"x")
    with pytest.raises(KneetrackError):
        analyze_file(clip, out_dir=tmp_path / "out")
    assert len(started) == 1 and started[0].closed == 1


def test_no_pose_process_starts_for_keypoints_or_a_given_backend(monkeypatch, tmp_path,
                                                                 warm_starts):
    import kneetrack.pose.run as run
    from kneetrack.app.analyze import analyze_file
    from kneetrack.errors import KneetrackError
    from kneetrack.samples import sample_path

    started = warm_starts
    analyze_file(sample_path("runner_front_60fps.trc"), out_dir=tmp_path / "trc")
    assert started == []

    def estimate(path, *, backend=None, **kwargs):
        assert backend is not None
        raise KneetrackError("stop here")

    monkeypatch.setattr(run, "estimate_video", estimate)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"x")
    with pytest.raises(KneetrackError, match="stop here"):  # a given backend runs here
        analyze_file(clip, backend=object())
    assert started == []
