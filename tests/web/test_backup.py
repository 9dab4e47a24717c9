"""`kneetrack db backup` / restore keeps the web app's rows (accounts, uploads, jobs)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kneetrack.store import Athlete, open_store
from kneetrack.store.admin import backup, restore
from kneetrack.web.accounts import authenticate, create_owner, link_athlete, linked_athlete_ids
from kneetrack.web.auth import session_identity, start_session
from kneetrack.web.jobs import JobQueue
from kneetrack.web.uploads import save_upload
from video_factory import write_video


def test_backup_and_restore_keep_users_uploads_and_jobs_but_no_sessions(tmp_path: Path) -> None:
    src = open_store(f"sqlite:///{tmp_path / 'a.db'}", artefacts=tmp_path / "art-a")
    athlete = src.add_athlete(Athlete(name="Ann")).id
    assert athlete is not None
    owner = create_owner(src, email="doc@example.org", name="Doc", password="a long password 1")
    link_athlete(src, owner, athlete)
    token, _ = start_session(src, owner, dt.timedelta(hours=1))
    assert session_identity(src, token) is not None
    queue = JobQueue(src)
    video = write_video(tmp_path / "v.mp4", frames=10).read_bytes()
    stored = save_upload([video], queue.upload_root(athlete),
                         client_name="run.mp4")
    up = queue.add_upload(athlete, stored)
    job = queue.enqueue(athlete, [(up.id, "rear")])
    zip_path = backup(src, tmp_path / "b.zip")
    src.close()

    dst = open_store(f"sqlite:///{tmp_path / 'b.db'}", artefacts=tmp_path / "art-b")
    try:
        counts = restore(dst, zip_path)
        assert counts["web_user"] == 1 and counts["web_upload"] == 1 and counts["web_job"] == 1
        assert counts["web_job_clip"] == 1 and counts["web_athlete_link"] == 1
        assert "web_session" not in counts
        user = authenticate(dst, "doc@example.org", "a long password 1")
        assert user is not None and user.id == owner.id
        assert linked_athlete_ids(dst, user) == {athlete}
        assert session_identity(dst, token) is None  # everyone signs in again
        q2 = JobQueue(dst)
        got = q2.get(job.id)
        assert got is not None and got.status == job.status
        assert [c.client_name for c in got.clips] == ["run.mp4"]
        upload = q2.get_upload(up.id)
        assert upload is not None and upload.client_name == "run.mp4"
    finally:
        dst.close()
