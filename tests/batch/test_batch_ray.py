"""Batch on a local Ray cluster gives the same per-video results as the local process pool."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from kneetrack.app.batch import run_batch

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))

from video_factory import write_video  # noqa: E402

pytestmark = pytest.mark.ray
FAKE = "test_batch_fakes:sample_replay"


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    path = os.pathsep.join([str(HERE), str(REPO / "tests"), os.environ.get("PYTHONPATH", "")])
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING", log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": path.rstrip(os.pathsep)}})
    try:
        yield ray
    finally:
        ray.shutdown()


def _analyses(out: Path) -> dict[str, dict]:
    return {p.parent.name: json.loads(p.read_text()) for p in sorted(out.glob("*/analysis.json"))}


def test_eight_clips_on_ray_match_the_process_pool(ray_cluster, tmp_path):
    clips = tmp_path / "clips"
    clips.mkdir()
    for i in range(8):
        write_video(clips / f"runner{i}.mp4", frames=200 + 12 * i, fps=60)
    (clips / "broken.mp4").write_bytes(b"\x00" * 100)
    on_ray = run_batch(clips, tmp_path / "ray", engine="ray", backend_spec=FAKE, overlay=False)
    assert on_ray.engine == "ray" and on_ray.workers == 2
    local = run_batch(clips, tmp_path / "local", workers=2, backend_spec=FAKE, overlay=False)
    assert on_ray.names("done") == local.names("done") == [f"runner{i}" for i in range(8)]
    assert on_ray.names("failed") == local.names("failed") == ["broken"]
    ray_a, local_a = _analyses(tmp_path / "ray"), _analyses(tmp_path / "local")
    assert sorted(ray_a) == [f"runner{i}" for i in range(8)]
    assert ray_a == local_a
    assert {a["input"]["frames"] for a in ray_a.values()} == {200 + 12 * i for i in range(8)}
    workers = {o.worker for o in on_ray.outcomes.values() if o.status == "done"}
    assert len(workers) == 2  # both actors took videos
    status = json.loads((tmp_path / "ray" / "batch_status.json").read_text())
    assert status["videos"]["broken"]["engine"] == "ray"
    assert status["videos"]["broken"]["attempts"] == 2


@pytest.mark.slow
def test_real_mediapipe_clip_on_ray_matches_local(ray_cluster, shared_data, tmp_path):
    clip = shared_data / "video" / "running_side_outdoor.mp4"
    run_batch(clip, tmp_path / "ray", engine="ray", overlay=False)
    run_batch(clip, tmp_path / "local", workers=1, overlay=False)
    ray_a, local_a = _analyses(tmp_path / "ray"), _analyses(tmp_path / "local")
    assert list(ray_a) == ["running_side_outdoor"]
    assert ray_a == local_a
    assert ray_a["running_side_outdoor"]["quality"]["tracked_fraction"] > 0.5


@pytest.mark.slow
def test_cli_joins_an_existing_cluster_by_address(ray_cluster, shared_data, tmp_path):
    """`kneetrack batch --engine ray --ray-address ADDR` from another process uses that cluster."""
    import subprocess

    address = ray_cluster.get_runtime_context().gcs_address
    clip = shared_data / "video" / "running_side_outdoor.mp4"
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from kneetrack.cli.main import main; "
         "sys.exit(main(sys.argv[1:]))", "batch", str(clip), "--out",
         str(tmp_path / "o"), "--engine", "ray", "--ray-address", address, "--no-overlay", "-q"],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "1 of 1 videos analysed" in proc.stdout
    status = json.loads((tmp_path / "o" / "batch_status.json").read_text())
    assert status["videos"]["running_side_outdoor"]["engine"] == "ray"
    assert (tmp_path / "o" / "running_side_outdoor" / "analysis.json").is_file()
