from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from kneetrack.store import Store, open_store
from kneetrack.web import accounts, services
from kneetrack.web.app import create_app
from kneetrack.web.settings import WebSettings

from .conftest import Browser, add_athlete_with_data, add_owner, athlete_account


def test_token_auth_reaches_the_same_operations(app: FastAPI, store: Store,
                                               analysis_folder: Path) -> None:
    owner = add_owner(store)
    aid = add_athlete_with_data(store, owner, "Api Runner", analysis_folder)
    token = accounts.new_api_token(store, owner)
    c = Browser(app).client
    h = {"Authorization": f"Bearer {token}"}
    assert c.get("/api/me").status_code == 401
    assert c.get("/api/me", headers={"Authorization": "Bearer kt_wrong"}).status_code == 401
    me = c.get("/api/me", headers=h).json()
    assert me["role"] == "clinician" and me["email"] == "owner@clinic.test"
    assert [a["id"] for a in c.get("/api/athletes", headers=h).json()] == [aid]
    [an] = c.get(f"/api/athletes/{aid}/analyses", headers=h).json()
    full = c.get(f"/api/athletes/{aid}/analyses/{an['id']}", headers=h).json()
    assert full["schema"] == "kneetrack.analysis/1" and full["cadence_spm"] == an["cadence_spm"]
    week = c.get(f"/api/athletes/{aid}/week", headers=h).json()
    item = next(i for s in week["sessions"] for i in s.get("items") or [])
    r = c.post(f"/api/athletes/{aid}/logs", headers=h,
               json=[{"exercise_id": item["exercise_id"], "sets": 2, "reps": 8, "pain": 1}])
    assert r.status_code == 201 and r.json()[0]["exercise_id"] == item["exercise_id"]
    questions = {q["id"]: q for q in c.get("/api/screening/questions", headers=h).json()}
    assert questions["pain_worst_0_10"]["max"] == 10 and questions["level"]["choices"]
    r = c.post(f"/api/athletes/{aid}/screenings", headers=h,
               json={"answers": {"has_pain": "yes", "pain_worst_0_10": 12}})
    assert r.status_code == 400 and "pain_worst_0_10" in r.json()["detail"]
    r = c.post(f"/api/athletes/{aid}/screenings", headers=h,
               json={"answers": {"has_pain": "yes", "pain_worst_0_10": 4,
                                 "equipment": ["band"]}})
    assert r.status_code == 201
    prog = c.get(f"/api/athletes/{aid}/progress", headers=h).json()
    assert prog["analyses"] == 1 and isinstance(prog["flags"], list)
    inv = c.post(f"/api/athletes/{aid}/invite", headers=h)
    assert inv.status_code == 201 and "/invite/" in inv.json()["link"]
    r = c.post("/api/athletes", headers=h, json={"name": "Api Two"})
    assert r.status_code == 201
    assert c.delete(f"/api/athletes/{r.json()['id']}", headers=h).status_code == 204
    assert c.get(f"/api/athletes/{r.json()['id']}", headers=h).status_code == 404


def test_athletes_cannot_add_athletes(app: FastAPI, store: Store, analysis_folder: Path) -> None:
    owner = add_owner(store)
    aid = add_athlete_with_data(store, owner, "Solo", analysis_folder)
    user = athlete_account(store, owner, aid, "solo@run.test")
    h = {"Authorization": f"Bearer {accounts.new_api_token(store, user)}"}
    c = Browser(app).client
    assert c.post("/api/athletes", headers=h, json={"name": "Sneaky"}).status_code == 404
    assert c.post(f"/api/athletes/{aid}/invite", headers=h).status_code == 404
    assert store.find_athlete("Sneaky") is None


def test_openapi_describes_the_api_and_no_page(app: FastAPI) -> None:
    spec = Browser(app).client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert paths and all(p.startswith("/api/") for p in paths)
    assert {"/api/athletes/{athlete_id}/logs", "/api/athletes/{athlete_id}/progress",
            "/api/athletes/{athlete_id}/screenings"} <= paths
    assert Browser(app).client.get("/docs").status_code == 404      # it loads a CDN


@pytest.fixture
def api_world(tmp_path: Path, analysis_folder: Path) -> Any:
    st = open_store(f"sqlite:///{tmp_path / 'api.db'}", artefacts=tmp_path / "art")
    owner = add_owner(st)
    aid = add_athlete_with_data(st, owner, "Fuzz Target", analysis_folder)
    token = accounts.new_api_token(st, owner)
    app = create_app(WebSettings(secret_key="s" * 40), store=st)
    athlete = services.athlete_by_id(st, aid)
    assert athlete is not None
    real = {"athlete_id": aid, "analysis_id": services.analyses(st, athlete)[0].id}
    yield app, token, real
    st.close()


def test_api_never_answers_500(api_world: Any) -> None:
    """schemathesis: examples generated from the OpenAPI spec, bounded per operation."""
    from hypothesis import given

    app, token, real = api_world
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    tried = 0
    statuses: dict[int, int] = {}
    operations = [r.ok() for r in schema.get_all_operations()]
    # Deletes last: a generated id may well be the real athlete's.
    operations.sort(key=lambda op: op.method.upper() == "DELETE")
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            auth = {"Authorization": f"Bearer {token}"}
            case.call_and_validate(headers=auth, checks=[not_a_server_error])
            # Again with the ids of real data, so the bodies reach the application service
            # (not the delete: the other operations need the athlete).
            if case.path_parameters and case.method.upper() != "DELETE":
                case.path_parameters = {k: real.get(k, v)
                                        for k, v in case.path_parameters.items()}
                r = case.call_and_validate(headers=auth, checks=[not_a_server_error])
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

        run()
        tried += 1
    assert tried >= 14
    # The real ids reached the service: successes and its one-line refusals, never a 500.
    assert sum(n for code, n in statuses.items() if code < 300) >= 20, statuses
    assert statuses.get(400, 0) + statuses.get(422, 0) > 0, statuses
    print("statuses with real ids:", dict(sorted(statuses.items())))
