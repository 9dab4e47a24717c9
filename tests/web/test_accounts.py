from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kneetrack.errors import InputError
from kneetrack.store import Store
from kneetrack.web import accounts
from kneetrack.web.models import InviteRow, UserRow

from .conftest import PASSWORD, Browser, add_owner


def test_first_run_page_creates_the_owner_then_closes(browser: Browser, store: Store) -> None:
    r = browser.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/setup"
    assert browser.get("/login", follow_redirects=False).headers["location"] == "/setup"
    browser.get("/setup")
    r = browser.post("/setup", {"email": "Owner@Clinic.test", "name": "Olga",
                                "password": PASSWORD, "password2": PASSWORD},
                     follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/athletes"
    assert browser.get("/athletes").status_code == 200
    # Once an account exists the first-run page is gone, for everybody.
    other = Browser(browser.client.app)
    assert other.get("/setup", follow_redirects=False).headers["location"] == "/login"
    other.get("/login")
    r = other.post("/setup", {"email": "evil@x.test", "name": "Eve", "password": PASSWORD,
                              "password2": PASSWORD}, follow_redirects=False)
    assert r.headers["location"] == "/login"
    with store.transaction() as s:
        rows = s.scalars(select(UserRow)).all()
        assert [(u.email, u.role) for u in rows] == [("owner@clinic.test", "clinician")]
        assert rows[0].password_hash.startswith("$argon2")
        assert PASSWORD not in rows[0].password_hash


def test_setup_refuses_short_or_mismatched_passwords(browser: Browser) -> None:
    browser.get("/setup")
    r = browser.post("/setup", {"email": "o@c.test", "name": "O", "password": "short",
                                "password2": "short"})
    assert r.status_code == 400 and "at least 10 characters" in r.text
    r = browser.post("/setup", {"email": "o@c.test", "name": "O", "password": PASSWORD,
                                "password2": PASSWORD + "!"})
    assert r.status_code == 400 and "differ" in r.text


def test_there_is_no_default_password(browser: Browser, store: Store) -> None:
    add_owner(store)
    for pw in ("", "admin", "password", "kneetrack"):
        assert accounts.authenticate(store, "owner@clinic.test", pw) is None
    assert accounts.authenticate(store, "owner@clinic.test", PASSWORD) is not None


def test_invitation_is_single_use_hashed_and_expires(browser: Browser, store: Store) -> None:
    owner = add_owner(store)
    browser.login("owner@clinic.test")
    browser.get("/athletes")
    r = browser.post("/athletes", {"name": "Rita Runner"})
    assert r.status_code == 200
    link = r.text.split('id="invite-link">')[1].split("<")[0]
    token = link.rsplit("/", 1)[1]
    with store.transaction() as s:
        stored = s.scalars(select(InviteRow.token_hash)).all()
    assert stored == [accounts.token_digest(token)]          # only the hash is kept

    athlete = Browser(browser.client.app)
    assert athlete.get(f"/invite/{token}").status_code == 200
    r = athlete.post(f"/invite/{token}", {"email": "rita@run.test", "name": "Rita",
                                         "password": PASSWORD, "password2": PASSWORD},
                     follow_redirects=False)
    assert r.status_code == 303
    aid = int(r.headers["location"].rsplit("/", 1)[1])
    assert athlete.get(f"/athletes/{aid}").status_code == 200
    # Used once: the same link no longer works.
    again = Browser(browser.client.app)
    assert again.get(f"/invite/{token}").status_code == 404
    # An expired link is refused too.
    inv = accounts.create_invite(store, owner, role="clinician", athlete_id=None,
                                 lifetime=dt.timedelta(seconds=-1))
    assert inv.token
    with pytest.raises(InputError, match="not valid"):
        accounts.accept_invite(store, inv.token, email="x@y.test", name="X", password=PASSWORD)


def test_api_token_is_stored_hashed_and_replaced(store: Store) -> None:
    owner = add_owner(store)
    first = accounts.new_api_token(store, owner)
    assert accounts.user_for_api_token(store, first) == owner
    second = accounts.new_api_token(store, owner)
    assert accounts.user_for_api_token(store, first) is None
    assert accounts.user_for_api_token(store, second) == owner
    with store.transaction() as s:
        assert s.scalar(select(UserRow.api_token_hash)) == accounts.token_digest(second)


def test_a_colleague_invited_as_clinician_sees_only_their_own_athletes(
        browser: Browser, store: Store) -> None:
    from kneetrack.web import services

    owner = add_owner(store)
    mine = services.add_athlete(store, "Owner's Athlete")
    assert mine.id is not None
    accounts.link_athlete(store, owner, mine.id)
    browser.login("owner@clinic.test")
    browser.get("/account")
    r = browser.post("/account/invite-clinician")
    link = r.text.split('id="invite-link">')[1].split("<")[0]
    colleague = Browser(browser.client.app)
    colleague.get(link.replace("http://testserver", ""))
    r = colleague.post(link.replace("http://testserver", ""),
                       {"email": "col@clinic.test", "name": "Col", "password": PASSWORD,
                        "password2": PASSWORD}, follow_redirects=False)
    assert r.headers["location"] == "/athletes"
    page = colleague.get("/athletes")
    assert "Owner&#39;s Athlete" not in page.text and "Owner's Athlete" not in page.text
    assert "No athletes yet" in page.text
    user = accounts.authenticate(store, "col@clinic.test", PASSWORD)
    assert user is not None and user.is_clinician


def test_sessions_expire(browser: Browser, store: Store) -> None:
    from sqlalchemy import update

    from kneetrack.store.orm import utcnow
    from kneetrack.web.models import SessionRow

    add_owner(store)
    assert browser.login("owner@clinic.test").status_code == 303
    assert browser.get("/athletes").status_code == 200
    with store.transaction() as s:
        s.execute(update(SessionRow).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
    r = browser.get("/athletes", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
