from __future__ import annotations

from http.cookies import SimpleCookie

from fastapi import FastAPI
from sqlalchemy import func, select

from kneetrack.store import Store
from kneetrack.web import auth
from kneetrack.web.models import SessionRow
from kneetrack.web.settings import WebSettings

from .conftest import PASSWORD, Browser, add_owner


def _cookie(header: str, name: str) -> dict[str, str | bool]:
    c: SimpleCookie = SimpleCookie()
    c.load(header)
    m = c[name]
    return {"value": m.value, "httponly": bool(m["httponly"]), "samesite": m["samesite"],
            "secure": bool(m["secure"])}


def _set_cookie(r, name: str) -> dict[str, str | bool]:  # noqa: ANN001
    for header in r.headers.get_list("set-cookie"):
        if header.startswith(name + "="):
            return _cookie(header, name)
    raise AssertionError(f"no {name} cookie set")


def test_form_post_without_csrf_token_is_403(browser: Browser, store: Store) -> None:
    add_owner(store)
    browser.login("owner@clinic.test")
    browser.get("/athletes")
    r = browser.post("/athletes", {"name": "Nope"}, token=False)
    assert r.status_code == 403
    r = browser.post("/athletes", {"name": "Nope", "csrf_token": "forged"}, token=False)
    assert r.status_code == 403
    assert store.find_athlete("Nope") is None
    assert browser.post("/athletes", {"name": "Yes"}).status_code == 200     # with the token
    assert store.find_athlete("Yes") is not None


def test_login_without_csrf_token_is_403(browser: Browser, store: Store) -> None:
    add_owner(store)
    browser.get("/login")
    r = browser.post("/login", {"email": "owner@clinic.test", "password": PASSWORD},
                     token=False)
    assert r.status_code == 403


def test_csrf_token_of_another_browser_or_session_is_refused(app: FastAPI,
                                                             store: Store) -> None:
    add_owner(store)
    a, b = Browser(app), Browser(app)
    a.login("owner@clinic.test")
    b.login("owner@clinic.test")
    token_a = a.refresh_token()
    b.get("/athletes")
    r = b.client.post("/athletes", data={"name": "X", "csrf_token": token_a})
    assert r.status_code == 403
    # A token issued before signing in is void after it (bound to the session).
    c = Browser(app)
    c.get("/login")
    before = c.csrf
    c.post("/login", {"email": "owner@clinic.test", "password": PASSWORD})
    r = c.client.post("/athletes", data={"name": "X", "csrf_token": before})
    assert r.status_code == 403


def test_api_with_session_cookie_needs_csrf_header(browser: Browser, store: Store) -> None:
    add_owner(store)
    browser.login("owner@clinic.test")
    r = browser.client.post("/api/athletes", json={"name": "Api Ann"})
    assert r.status_code == 403
    token = browser.refresh_token()
    r = browser.client.post("/api/athletes", json={"name": "Api Ann"},
                            headers={"X-CSRF-Token": token})
    assert r.status_code == 201


def test_login_rate_limit_per_account_holds_even_with_the_right_password(
        app: FastAPI, store: Store, settings: WebSettings) -> None:
    add_owner(store)
    b = Browser(app)
    b.get("/login")
    for _ in range(settings.login_max_per_account):
        r = b.post("/login", {"email": "owner@clinic.test", "password": "wrong password!"})
        assert r.status_code == 401
    r = b.post("/login", {"email": "owner@clinic.test", "password": PASSWORD},
               follow_redirects=False)
    assert r.status_code == 429
    assert auth.SESSION_COOKIE not in b.client.cookies
    # A fresh browser is refused too: the account's count, not the cookie, decides
    # (the address has 5 failures, under its own limit of 20).
    other = Browser(app)
    other.get("/login")
    r = other.post("/login", {"email": "OWNER@clinic.test", "password": PASSWORD})
    assert r.status_code == 429


def test_login_rate_limit_per_address(store: Store) -> None:
    from kneetrack.web.app import create_app

    add_owner(store)
    app = create_app(WebSettings(secret_key="k" * 40, login_max_per_ip=3,
                                 login_max_per_account=100), store=store)
    b = Browser(app)
    b.get("/login")
    for i in range(3):
        r = b.post("/login", {"email": f"nobody{i}@x.test", "password": "whatever12345"})
        assert r.status_code == 401
    r = b.post("/login", {"email": "owner@clinic.test", "password": PASSWORD})
    assert r.status_code == 429


def test_session_cookie_flags(app: FastAPI, store: Store) -> None:
    add_owner(store)
    b = Browser(app)
    r = b.login("owner@clinic.test")
    c = _set_cookie(r, auth.SESSION_COOKIE)
    assert c["httponly"] and c["samesite"].lower() == "lax" and not c["secure"]
    s = Browser(app, base_url="https://testserver")
    r = s.login("owner@clinic.test")
    c = _set_cookie(r, auth.SESSION_COOKIE)
    assert c["httponly"] and c["samesite"].lower() == "lax" and c["secure"]


def test_https_setting_makes_cookies_secure_behind_a_proxy(store: Store) -> None:
    from kneetrack.web.app import create_app

    add_owner(store)
    app = create_app(WebSettings(secret_key="k" * 40, https=True), store=store)
    # The proxy talks plain http to the app; the browser sees https.
    r = Browser(app).get("/login")
    assert _set_cookie(r, "kt_csrf")["secure"]
    r = Browser(app, base_url="https://testserver").login("owner@clinic.test")
    assert _set_cookie(r, auth.SESSION_COOKIE)["secure"]


def test_logout_really_ends_the_session(app: FastAPI, store: Store) -> None:
    add_owner(store)
    b = Browser(app)
    b.login("owner@clinic.test")
    old = b.client.cookies[auth.SESSION_COOKIE]
    assert b.get("/athletes").status_code == 200
    b.post("/logout", follow_redirects=False)
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(SessionRow)) == 0
    # Replaying the old cookie (as a thief would) gets nothing.
    thief = Browser(app)
    thief.client.cookies.set(auth.SESSION_COOKIE, old)
    r = thief.get("/athletes", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert thief.client.get("/api/me").status_code == 401


def test_signing_in_again_replaces_the_old_session(app: FastAPI, store: Store) -> None:
    add_owner(store)
    b = Browser(app)
    b.login("owner@clinic.test")
    first = b.client.cookies[auth.SESSION_COOKIE]
    b.login("owner@clinic.test")
    assert b.client.cookies[auth.SESSION_COOKIE] != first
    assert auth.session_identity(store, first) is None


def test_security_headers_forbid_other_origins(browser: Browser) -> None:
    r = browser.get("/setup")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
