"""Every route and API endpoint, tried by a second clinician and by an athlete with the
first clinician's ids, answers 404. A new route fails this test until it is listed here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from kneetrack.store import Store
from kneetrack.web import accounts, services

from .conftest import Browser, add_athlete_with_data, add_owner, athlete_account

#: Routes without ids of anybody's data (what they show is the caller's own, or public).
NO_IDS = {
    "/", "/setup", "/login", "/logout", "/account", "/account/api-token",
    "/account/invite-clinician", "/athletes", "/assets/report.css", "/invite/{token}",
    "/api/me", "/api/athletes", "/api/screening/questions", "/openapi.json",
}
#: Bodies that pass validation, so that the answer is decided by the scope check.
FORMS: dict[str, dict[str, Any]] = {
    "/athletes/{athlete_id}/log": {"exercise_id": "glute_bridge", "sets": "3", "reps": "10"},
    "/athletes/{athlete_id}/screening": {"level": "beginner"},
    "/athletes/{athlete_id}/jobs": {"upload_id": "{upload_id}"},
}
JSON: dict[str, Any] = {
    "/api/athletes/{athlete_id}/screenings": {"answers": {"level": "beginner"}},
    "/api/athletes/{athlete_id}/logs": [{"exercise_id": "glute_bridge", "sets": 3}],
    "/api/athletes/{athlete_id}/jobs": {"clips": [{"upload_id": "{upload_id}"}]},
}
PARAM = re.compile(r"{(\w+)(?::\w+)?}")


def _upload_and_job(store: Store, athlete_id: int, folder: Path) -> tuple[int, int]:
    """An uploaded video and a queued job of the athlete: (upload id, job id)."""
    from kneetrack.web.jobs import JobQueue
    from kneetrack.web.uploads import save_upload
    from video_factory import write_video

    q = JobQueue(store)
    video = write_video(folder / f"clip{athlete_id}.mp4", frames=10 + athlete_id)
    up = q.add_upload(athlete_id, save_upload([video.read_bytes()], q.upload_root(athlete_id),
                                              client_name="run.mp4"))
    return up.id, q.enqueue(athlete_id, [up.id]).id


def _fill(body: Any, ids: dict[str, Any]) -> Any:
    """``body`` with ``"{name}"`` strings replaced by the ids (as int in JSON, text in forms)."""
    if isinstance(body, dict):
        return {k: _fill(v, ids) for k, v in body.items()}
    if isinstance(body, list):
        return [_fill(v, ids) for v in body]
    if isinstance(body, str) and (m := re.fullmatch(r"{(\w+)}", body)):
        return ids[m.group(1)]
    return body


@pytest.fixture
def world(app: FastAPI, store: Store, analysis_folder: Path, tmp_path: Path) -> dict[str, Any]:
    owner = add_owner(store)
    x = add_athlete_with_data(store, owner, "Xena First", analysis_folder)
    x_analysis = services.analyses(store, services.athlete_by_id(store, x))[0].id  # type: ignore[arg-type]
    second = accounts.create_clinician(store, email="second@other.test", name="Sam Second",
                                       password="correct horse battery")
    y = add_athlete_with_data(store, second, "Yann Second", analysis_folder)
    y_user = athlete_account(store, second, y, "yann@run.test")
    x_user = athlete_account(store, owner, x, "xena@run.test")
    x_upload, x_job = _upload_and_job(store, x, tmp_path)
    y_upload, y_job = _upload_and_job(store, y, tmp_path)
    return {
        "ids": {"athlete_id": x, "analysis_id": x_analysis, "relative": "report.html",
                "job_id": x_job, "upload_id": x_upload},
        "y_ids": {"job_id": y_job, "upload_id": y_upload},
        "owner": owner, "second": second, "y_user": y_user, "x_user": x_user, "x": x,
    }


@dataclass(frozen=True)
class Endpoint:
    path: str
    methods: frozenset[str]


def _routes(app: FastAPI) -> list[Endpoint]:
    """Every HTTP route of the app, also those of included routers.

    FastAPI >= 0.13x keeps included routers as one wrapper route each
    (``iter_route_contexts`` opens them); older versions list plain ``APIRoute``s.
    """
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:
        contexts: list[Any] = list(app.routes)
    else:
        contexts = list(iter_route_contexts(app.routes))
    out = [Endpoint(c.path, frozenset(c.methods)) for c in contexts
           if isinstance(getattr(c, "path", None), str) and getattr(c, "methods", None)]
    assert len(out) > 20, "the route listing found too few routes; FastAPI changed again?"
    return out


def _url(path: str, ids: dict[str, Any]) -> str:
    return PARAM.sub(lambda m: str(ids[m.group(1)]), path)


def test_every_route_is_covered(app: FastAPI, world: dict[str, Any]) -> None:
    ids = world["ids"]
    for r in _routes(app):
        params = set(PARAM.findall(r.path))
        if r.path in NO_IDS:
            continue
        missing = params - set(ids)
        assert params and not missing, (
            f"route {r.path} is not covered by the isolation test: add it to NO_IDS "
            f"(no ids of anybody's data) or give the first clinician's {sorted(missing)} in ids"
        )


def _try_all(app: FastAPI, who: Browser, ids: dict[str, Any], *,
             bearer: str | None) -> list[str]:
    wrong = []
    token = who.refresh_token()
    api_client = Browser(app).client          # no cookies: the token alone signs in
    for r in _routes(app):
        if r.path in NO_IDS:
            continue
        url = _url(r.path, ids)
        for method in sorted(r.methods - {"HEAD"}):
            api = r.path.startswith("/api")
            kw: dict[str, Any] = {}
            if method != "GET":
                if api:
                    kw["json"] = _fill(JSON.get(r.path), ids)
                else:
                    kw["data"] = {**_fill(FORMS.get(r.path, {}), ids), "csrf_token": token}
            headers = {"X-CSRF-Token": token}
            got = who.client.request(method, url, headers=headers, follow_redirects=False, **kw)
            if got.status_code != 404:
                wrong.append(f"{method} {url} (session) -> {got.status_code}")
            if api and bearer:
                got = api_client.request(method, url, follow_redirects=False,
                                         headers={"Authorization": f"Bearer {bearer}"}, **kw)
                if got.status_code != 404:
                    wrong.append(f"{method} {url} (token) -> {got.status_code}")
    return wrong


@pytest.mark.parametrize("intruder", ["second clinician", "athlete of the second clinician",
                                      "athlete of the first clinician"])
def test_others_get_404_on_every_route(app: FastAPI, store: Store, world: dict[str, Any],
                                       intruder: str) -> None:
    ids = dict(world["ids"])
    email = {"second clinician": "second@other.test",
             "athlete of the second clinician": "yann@run.test",
             "athlete of the first clinician": "xena@run.test"}[intruder]
    user = {"second clinician": world["second"],
            "athlete of the second clinician": world["y_user"],
            "athlete of the first clinician": world["x_user"]}[intruder]
    if intruder == "athlete of the first clinician":
        # Xena may see her own data; she must not reach another athlete's (Yann's).
        yann = next(a for a in services.list_athletes(store) if a.name == "Yann Second")
        ids = {"athlete_id": yann.id,
               "analysis_id": services.analyses(store, yann)[0].id, "relative": "report.html",
               **world["y_ids"]}
    b = Browser(app)
    assert b.login(email).status_code == 303
    wrong = _try_all(app, b, ids, bearer=accounts.new_api_token(store, user))
    assert not wrong, "\n".join(wrong)
    # Nothing was changed or deleted by the attempts.
    assert services.athlete_by_id(store, ids["athlete_id"]) is not None


def test_the_owner_reaches_every_read_route_of_their_athlete(app: FastAPI, store: Store,
                                                           world: dict[str, Any]) -> None:
    # The positive control: the same requests are not 404 for whoever may see the data,
    # so the 404s above come from the scope check and not from broken URLs.
    b = Browser(app)
    b.login("owner@clinic.test")
    tried = 0
    for r in _routes(app):
        if r.path in NO_IDS or "GET" not in r.methods:
            continue
        got = b.client.get(_url(r.path, world["ids"]), follow_redirects=False)
        assert got.status_code in (200, 206), (r.path, got.status_code)
        tried += 1
    assert tried >= 10


def test_an_athlete_reaches_their_own_data(app: FastAPI, world: dict[str, Any]) -> None:
    b = Browser(app)
    b.login("xena@run.test")
    x = world["x"]
    assert b.get(f"/athletes/{x}").status_code == 200
    assert b.client.get(f"/api/athletes/{x}/progress").status_code == 200
    assert b.client.get("/api/athletes").json()[0]["id"] == x
    assert b.get("/athletes", follow_redirects=False).headers["location"] == f"/athletes/{x}"


def test_unknown_ids_are_404_too(app: FastAPI, world: dict[str, Any]) -> None:
    b = Browser(app)
    b.login("owner@clinic.test")
    x = world["x"]
    for url in (f"/athletes/{x + 999}", f"/athletes/{x}/analyses/99999",
                f"/athletes/{x}/analyses/{world['ids']['analysis_id']}/files/../../../etc/passwd",
                f"/athletes/{x}/analyses/{world['ids']['analysis_id']}/files/%2e%2e/analysis.json",
                f"/api/athletes/{x + 999}/progress"):
        assert b.client.get(url).status_code == 404, url
