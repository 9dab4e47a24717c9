"""Fixtures for the web app: a fresh store and app, and a browser that keeps its CSRF token."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kneetrack.store import Store, open_store
from kneetrack.web import accounts, services
from kneetrack.web.app import create_app
from kneetrack.web.settings import WebSettings

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "kneetrack" / "samples" / \
    "runner_front_60fps.trc"
PASSWORD = "correct horse battery"
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A TestClient that remembers the CSRF token of the last page it was shown."""

    def __init__(self, app: FastAPI, base_url: str = "http://testserver") -> None:
        self.client = TestClient(app, base_url=base_url)
        self.csrf: str | None = None

    def get(self, url: str, **kw: Any) -> Any:
        r = self.client.get(url, **kw)
        m = TOKEN_RE.search(r.text) if "text/html" in r.headers.get("content-type", "") else None
        if m:
            self.csrf = m.group(1)
        return r

    def post(self, url: str, data: dict[str, Any] | None = None, *, token: bool = True,
             **kw: Any) -> Any:
        form = dict(data or {})
        if token and self.csrf:
            form["csrf_token"] = self.csrf
        r = self.client.post(url, data=form, **kw)
        m = TOKEN_RE.search(r.text) if "text/html" in r.headers.get("content-type", "") else None
        if m:
            self.csrf = m.group(1)
        return r

    def refresh_token(self) -> str:
        """Load a page to get a token for the current session."""
        self.get("/account")
        assert self.csrf
        return self.csrf

    def login(self, email: str, password: str = PASSWORD) -> Any:
        self.get("/login")
        return self.post("/login", {"email": email, "password": password},
                         follow_redirects=False)


@pytest.fixture(scope="session")
def analysis_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real analysis folder (the bundled sample runner) plus a stand-in annotated video."""
    from kneetrack.app.analyze import analyze_file

    out = tmp_path_factory.mktemp("analysis") / "run"
    analyze_file(SAMPLE, out_dir=out)
    # Bytes that stand for the video: the range tests check exact byte slices.
    (out / "annotated.mp4").write_bytes(bytes(range(256)) * 400)
    return out


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st = open_store(f"sqlite:///{tmp_path / 'web.db'}", artefacts=tmp_path / "artefacts")
    yield st
    st.close()


@pytest.fixture
def settings() -> WebSettings:
    return WebSettings(secret_key="test-key-" + "x" * 32)


@pytest.fixture
def app(store: Store, settings: WebSettings) -> FastAPI:
    return create_app(settings, store=store)


@pytest.fixture
def browser(app: FastAPI) -> Browser:
    return Browser(app)


def add_owner(store: Store, email: str = "owner@clinic.test") -> accounts.User:
    return accounts.create_owner(store, email=email, name="Olga Owner", password=PASSWORD)


def add_athlete_with_data(store: Store, clinician: accounts.User, name: str,
                          folder: Path, *, plan_start: dt.date | None = None) -> int:
    """An athlete of ``clinician`` with a stored analysis, a screening and a programme."""
    from kneetrack.app.athletes import store_analysis

    athlete = services.add_athlete(store, name)
    assert athlete.id is not None
    accounts.link_athlete(store, clinician, athlete.id)
    store_analysis(store, athlete.name, folder)
    services.save_screening(store, athlete, {"level": "beginner", "has_pain": "no"})
    services.make_plan(store, athlete, start=plan_start or dt.date.today())
    return athlete.id


def athlete_account(store: Store, clinician: accounts.User, athlete_id: int,
                    email: str) -> accounts.User:
    inv = accounts.create_invite(store, clinician, role="athlete", athlete_id=athlete_id,
                                 lifetime=dt.timedelta(hours=1))
    assert inv.token
    return accounts.accept_invite(store, inv.token, email=email, name="Ath Lete",
                                  password=PASSWORD)


def copy_folder(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst
