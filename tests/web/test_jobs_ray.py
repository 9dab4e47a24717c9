"""A web job runs on the Ray engine (a local Ray cluster) as it does on the process pool."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kneetrack.store import Athlete, Store, open_store
from kneetrack.web.jobs import DONE, JobQueue
from kneetrack.web.uploads import save_upload
from kneetrack.web.worker import JobWorker
from video_factory import write_video

pytestmark = pytest.mark.ray
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


@pytest.fixture
def ray_engine() -> Iterator[object]:
    ray = pytest.importorskip("ray")
    from kneetrack.batch.engines import RayEngine

    path = os.pathsep.join([str(REPO / "src"), str(HERE), str(REPO / "tests")])
    ray.init(num_cpus=1, include_dashboard=False, logging_level="WARNING", log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": path}})
    from kneetrack.app.batch_runner import JobRunner

    engine = RayEngine(workers=1, runner=JobRunner, backend_spec="jobs_support:hold_replay")
    try:
        yield engine
    finally:
        engine.close()
        ray.shutdown()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'k.db'}", artefacts=tmp_path / "art")
    yield s
    s.close()


def test_a_job_runs_on_ray(ray_engine: object, store: Store, tmp_path: Path) -> None:
    queue = JobQueue(store)
    ann = store.add_athlete(Athlete(name="Ann")).id
    assert ann is not None
    video = write_video(tmp_path / "run.mp4", frames=240, fps=60)
    up = queue.add_upload(ann, save_upload([video.read_bytes()], queue.upload_root(ann),
                                           client_name="run.mp4"))
    job = queue.enqueue(ann, [(up.id, "front")])
    done = JobWorker(queue, ray_engine, options={"overlay": False}).run_one()  # type: ignore[arg-type]
    assert done is not None and done.id == job.id and done.status == DONE, done
    [stored] = store.list_analyses(ann)
    assert done.analysis_id == stored.id and stored.view == "front"
    assert stored.metric("cadence_spm", None).mean is not None
