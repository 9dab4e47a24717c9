"""Uploads and jobs over HTTP: security (CSRF, 413, non-video, traversal), job pages, isolation,
the JSON API, and the worker processes started and stopped with the server."""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kneetrack.store import Store
from kneetrack.web import accounts, services
from kneetrack.web.app import create_app
from kneetrack.web.jobs import JobQueue
from kneetrack.web.jobs_settings import JobSettings, WorkerSettings
from kneetrack.web.settings import WebSettings
from kneetrack.web.uploads import UploadLimits
from kneetrack.web.worker import JobWorker
from video_factory import write_video

from .conftest import Browser, add_owner, athlete_account
from .jobs_support import FakeEngine

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return write_video(tmp_path_factory.mktemp("v") / "run.mp4", frames=30).read_bytes()


@pytest.fixture
def settings() -> WebSettings:
    return WebSettings(secret_key="test-key-" + "x" * 32,
                       jobs=JobSettings(processes=0, limits=UploadLimits(max_bytes=200_000)))


@pytest.fixture
def owner(store: Store) -> accounts.User:
    return add_owner(store)


@pytest.fixture
def ann(store: Store, owner: accounts.User) -> int:
    a = services.add_athlete(store, "Ann Runner")
    assert a.id is not None
    accounts.link_athlete(store, owner, a.id)
    return a.id


@pytest.fixture
def signed_in(browser: Browser, owner: accounts.User) -> Browser:
    browser.login(owner.email)
    browser.refresh_token()
    return browser


def put_video(b: Browser, athlete_id: int, data: bytes | Iterator[bytes], name: str = "run.mp4",
              *, token: bool = True, api: bool = False):  # noqa: ANN201
    headers = {"X-Filename": name, "Content-Type": "video/mp4"}
    if token:
        assert b.csrf
        headers["X-CSRF-Token"] = b.csrf
    url = f"{'/api' if api else ''}/athletes/{athlete_id}/uploads"
    return b.client.post(url, content=data, headers=headers)


def files_in(store: Store) -> list[Path]:
    root = store.artefacts.root
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_upload_without_csrf_token_is_refused(signed_in: Browser, store: Store, ann: int,
                                              video: bytes) -> None:
    r = put_video(signed_in, ann, video, token=False)
    assert r.status_code == 403
    assert files_in(store) == []


def test_oversized_upload_is_413_and_nothing_is_kept(signed_in: Browser, store: Store, ann: int,
                                                     ) -> None:
    r = put_video(signed_in, ann, b"\x00" * 200_001)  # Content-Length says it all
    assert r.status_code == 413 and "larger than the limit of 0 MiB" in r.json()["detail"]

    def chunked() -> Iterator[bytes]:  # no Content-Length: refused while it streams in
        for _ in range(100):
            yield b"\x00" * 10_000

    r = put_video(signed_in, ann, chunked())
    assert r.status_code == 413
    assert files_in(store) == []
    assert JobQueue(store).list_jobs() == []


def test_a_non_video_named_mp4_is_a_clear_error(signed_in: Browser, store: Store,
                                                ann: int) -> None:
    r = put_video(signed_in, ann, b"%PDF-1.4 not a video at all\n" * 100, name="holiday.mp4")
    assert r.status_code == 415
    detail = r.json()["detail"]
    assert detail.startswith("'holiday.mp4' is not a video") and "\n" not in detail
    assert "Traceback" not in r.text and str(store.artefacts.root) not in detail
    assert files_in(store) == []


def test_a_traversal_name_is_stored_under_a_generated_name(signed_in: Browser, store: Store,
                                                           ann: int, video: bytes,
                                                           tmp_path: Path) -> None:
    r = put_video(signed_in, ann, video, name="../../etc/passwd.mp4")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["name"] == "passwd.mp4"
    up = JobQueue(store).get_upload(body["upload_id"])
    assert up is not None
    uploads = JobQueue(store).upload_root(ann)
    assert up.path.parent == uploads and re.fullmatch(r"[0-9a-f]{32}\.mp4", up.path.name)
    assert files_in(store) == [up.path]
    assert not (tmp_path / "etc").exists()


def test_upload_queue_and_follow_a_job_to_its_report(signed_in: Browser, store: Store, ann: int,
                                                     video: bytes) -> None:
    page = signed_in.get(f"/athletes/{ann}/upload")
    assert page.status_code == 200 and 'data-upload-url="/athletes/' in page.text
    assert "/static/jobs.js" in page.text and "https://" not in page.text
    up = put_video(signed_in, ann, video).json()["upload_id"]
    r = signed_in.post(f"/athletes/{ann}/jobs", {"upload_id": up, "view": "rear"},
                       follow_redirects=False)
    assert r.status_code == 303
    url = r.headers["location"]
    assert re.fullmatch(rf"/athletes/{ann}/jobs/\d+", url)
    again = signed_in.client.post(f"/athletes/{ann}/jobs", data={"upload_id": up, "view": "rear"},
                                  headers={"X-CSRF-Token": signed_in.csrf,
                                           "Accept": "application/json"})
    assert again.json()["url"] == url  # the same upload: the same job

    waiting = signed_in.get(url)
    assert 'data-status="queued"' in waiting.text and 'hx-trigger="every 2s"' in waiting.text
    frag = signed_in.client.get(url, headers={"HX-Request": "true"})
    assert frag.text.lstrip().startswith("<div id=\"job-status\"") and "<html" not in frag.text
    athlete_page = signed_in.get(f"/athletes/{ann}")
    assert f'hx-get="/athletes/{ann}/jobs"' in athlete_page.text
    listing = signed_in.client.get(f"/athletes/{ann}/jobs", headers={"HX-Request": "true"})
    assert "run.mp4" in listing.text and "hx-trigger" in listing.text  # polls while busy

    assert JobWorker(JobQueue(store), FakeEngine()).run_one() is not None
    done = signed_in.client.get(url, headers={"HX-Request": "true"})
    assert 'data-status="done"' in done.text and "hx-trigger" not in done.text  # polling stops
    report = re.search(r'href="(/athletes/\d+/analyses/\d+)"', done.text)
    assert report is not None
    shown = signed_in.get(report.group(1))
    assert shown.status_code == 200 and 'id="cadence" data-value="166.0"' in shown.text
    listing = signed_in.client.get(f"/athletes/{ann}/jobs", headers={"HX-Request": "true"})
    assert "hx-trigger" not in listing.text and report.group(1) in listing.text


def test_a_rear_and_a_side_clip_are_one_assessment(signed_in: Browser, store: Store, ann: int,
                                                    tmp_path: Path) -> None:
    ids = []
    for name, frames in (("rear.mp4", 20), ("side.mov", 21)):
        data = write_video(tmp_path / name, frames=frames).read_bytes()
        ids.append(put_video(signed_in, ann, data, name=name).json()["upload_id"])
    r = signed_in.client.post(f"/athletes/{ann}/jobs",
                              data={"upload_id": ids, "view": ["rear", "side-right"]},
                              headers={"X-CSRF-Token": signed_in.csrf,
                                       "Accept": "application/json"})
    assert r.status_code == 200, r.text
    url = r.json()["url"]
    assert "rear.mp4 + side.mov" in signed_in.get(url).text
    engine = FakeEngine(more_cadences=[180.0])  # the side clip's cadence 14 steps/min off
    JobWorker(JobQueue(store), engine).run_one()
    done = signed_in.get(url).text
    assert 'data-status="done"' in done
    links = re.findall(r'href="(/athletes/\d+/analyses/\d+)" id="report-link-\d"', done)
    assert len(links) == 2 and links[0] == links[1]  # both clips: one combined analysis
    assert [a.view for a in store.list_analyses(ann)] == ["rear"]
    page = signed_in.get(links[0]).text
    assert 'id="cadence-check"' in page and "differ by 14.0 steps/min" in page
    assert "rear.mp4 (rear) and side.mov (side-right)" in page
    r = signed_in.client.post(f"/athletes/{ann}/jobs", data={"upload_id": ids, "view": ["rear"]},
                              headers={"X-CSRF-Token": signed_in.csrf})
    assert r.status_code == 400 and "one view per clip" in r.text
    three = signed_in.client.post(f"/athletes/{ann}/jobs", data={"upload_id": [*ids, ids[0]]},
                                  headers={"X-CSRF-Token": signed_in.csrf})
    assert three.status_code == 400 and "one or 2 clips" in three.text


def test_a_failed_job_shows_its_reason_and_can_be_retried(signed_in: Browser, store: Store,
                                                          ann: int, video: bytes) -> None:
    up = put_video(signed_in, ann, video, name="My run.mp4").json()["upload_id"]
    url = signed_in.post(f"/athletes/{ann}/jobs", {"upload_id": up},
                         follow_redirects=False).headers["location"]
    stored = JobQueue(store).get_upload(up)
    assert stored is not None
    worker = JobWorker(JobQueue(store), FakeEngine(fail=[stored.path.name]))
    worker.run_one()
    retrying = signed_in.get(url)
    assert 'data-status="queued"' in retrying.text and "did not finish" in retrying.text
    worker.run_one()
    failed = signed_in.get(url)
    assert 'data-status="failed"' in failed.text
    assert "no person found in &#39;My run.mp4&#39;" in failed.text
    assert stored.path.name not in failed.text  # the stored name stays on the server
    r = signed_in.post(f"{url}/retry", follow_redirects=False)
    assert r.status_code == 303
    assert 'data-status="queued"' in signed_in.get(url).text


def test_other_people_get_404_for_uploads_and_jobs(app: FastAPI, store: Store, owner,  # noqa: ANN001
                                                   ann: int, signed_in: Browser,
                                                   video: bytes) -> None:
    up = put_video(signed_in, ann, video).json()["upload_id"]
    job_url = signed_in.post(f"/athletes/{ann}/jobs", {"upload_id": up},
                             follow_redirects=False).headers["location"]
    job_id = int(job_url.rsplit("/", 1)[1])

    other_clinician = accounts.create_clinician(store, email="c2@clinic.test", name="C Two",
                                                password="correct horse battery")
    bob = services.add_athlete(store, "Bob")
    assert bob.id is not None
    accounts.link_athlete(store, owner, bob.id)
    athlete_account(store, owner, bob.id, "bob@x.test")
    for email in (other_clinician.email, "bob@x.test"):
        b = Browser(app)
        assert b.login(email).status_code == 303
        b.refresh_token()
        gets = [f"/athletes/{ann}/upload", f"/athletes/{ann}/jobs", job_url,
                f"/api/athletes/{ann}/jobs", f"/api/athletes/{ann}/jobs/{job_id}"]
        for url in gets:
            assert b.client.get(url).status_code == 404, (email, url)
        h = {"X-CSRF-Token": b.csrf or ""}
        posts = [(f"/athletes/{ann}/jobs", {"upload_id": up}), (f"{job_url}/retry", {})]
        for url, data in posts:
            assert b.client.post(url, data=data, headers=h).status_code == 404, (email, url)
        assert put_video(b, ann, video).status_code == 404
        assert put_video(b, ann, video, api=True).status_code == 404
        r = b.client.post(f"/api/athletes/{ann}/jobs", json={"clips": [{"upload_id": up}]},
                          headers=h)
        assert r.status_code == 404
        if bob.id is not None and email == "bob@x.test":  # Bob cannot use Ann's upload either
            r = b.client.post(f"/athletes/{bob.id}/jobs", data={"upload_id": up}, headers=h)
            assert r.status_code == 404
            mine = f"/athletes/{bob.id}/jobs/{job_id}"  # his athlete id, Ann's job
            for url in (mine, f"/api{mine}"):
                assert b.client.get(url).status_code == 404
            assert b.client.post(f"{mine}/retry", headers=h).status_code == 404
    assert len(JobQueue(store).list_jobs()) == 1


def test_json_api_with_a_token(app: FastAPI, store: Store, owner: accounts.User, ann: int,
                               video: bytes) -> None:
    token = accounts.new_api_token(store, owner)
    c = TestClient(app)
    h = {"Authorization": f"Bearer {token}"}
    r = c.post(f"/api/athletes/{ann}/uploads", content=video,
               headers={**h, "X-Filename": "side.mp4"})
    assert r.status_code == 201, r.text
    up = r.json()["upload_id"]
    r = c.post(f"/api/athletes/{ann}/jobs", json={"clips": [{"upload_id": up,
                                                             "view": "side-left"}]}, headers=h)
    assert r.status_code == 200, r.text
    job = r.json()
    assert job["status"] == "queued" and job["clips"][0]["view"] == "side-left"
    assert c.get(f"/api/athletes/{ann}/jobs/{job['id']}", headers=h).json()["id"] == job["id"]
    assert [j["id"] for j in c.get(f"/api/athletes/{ann}/jobs", headers=h).json()] == [job["id"]]
    bad = c.post(f"/api/athletes/{ann}/jobs", json={"clips": [{"upload_id": up, "view": "top"}]},
                 headers=h)
    assert bad.status_code == 400 and "unknown view" in bad.json()["detail"]
    spec = c.get("/openapi.json").json()
    assert "/api/athletes/{athlete_id}/uploads" in spec["paths"]
    assert "/api/athletes/{athlete_id}/jobs/{job_id}" in spec["paths"]


def test_the_server_starts_and_stops_its_job_workers(store: Store, owner: accounts.User,
                                                     ann: int, video: bytes,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO / "src"), str(HERE)]))
    settings = WebSettings(secret_key="k" * 40, jobs=JobSettings(processes=1, worker=WorkerSettings(
        backend_spec="jobs_support:hold_replay", poll_s=0.2, heartbeat_s=0.5,
        options={"overlay": False})))
    app = create_app(settings, store=store)
    long_video = write_video(Path(store.artefacts.root.parent) / "long.mp4", frames=240, fps=60)
    with TestClient(app) as client:
        workers = app.state.job_workers
        assert workers.alive() == 1
        first = workers.procs[0].pid
        os.killpg(first, signal.SIGKILL)  # a crashed worker is replaced
        end = time.monotonic() + 30
        while time.monotonic() < end and not (workers.alive() == 1 and
                                              workers.procs[0].pid != first):
            time.sleep(0.2)
        assert workers.alive() == 1 and workers.procs[0].pid != first and workers.restarts == 1
        b = Browser(app)
        b.client = client
        b.login(owner.email)
        b.refresh_token()
        up = put_video(b, ann, long_video.read_bytes())
        assert up.status_code == 201, up.text
        url = b.post(f"/athletes/{ann}/jobs", {"upload_id": up.json()["upload_id"]},
                     follow_redirects=False).headers["location"]
        end = time.monotonic() + 180
        while time.monotonic() < end and 'data-status="done"' not in (
                text := client.get(url, headers={"HX-Request": "true"}).text):
            assert 'data-status="failed"' not in text, text
            time.sleep(0.3)
        assert 'data-status="done"' in text
        procs = list(workers.procs)
    assert all(p.poll() is not None for p in procs)  # stopped with the server
    assert len(store.list_analyses(ann)) == 1
