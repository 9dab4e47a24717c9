"""A clinician adding an athlete learns nothing about other clinicians' athletes' names."""

from __future__ import annotations

from fastapi import FastAPI

from kneetrack.store import Store
from kneetrack.web import accounts

from .conftest import PASSWORD, Browser, add_owner


def test_a_name_another_clinician_uses_is_neither_refused_nor_revealed(
        app: FastAPI, store: Store) -> None:
    add_owner(store)
    accounts.create_clinician(store, email="b@other.test", name="Bea", password=PASSWORD)
    a, b = Browser(app), Browser(app)
    assert a.login("owner@clinic.test").status_code == 303
    a.get("/athletes")
    assert a.post("/athletes", {"name": "Ann Lee"}).status_code == 200
    assert b.login("b@other.test").status_code == 303
    b.get("/athletes")
    added = b.post("/athletes", {"name": "ann  lee"})  # the same name as the store compares it
    assert added.status_code == 200 and "already exists" not in added.text
    listing = b.get("/athletes").text
    assert "ann  lee" in listing or "ann lee" in listing
    assert "~web-" not in listing and "Ann Lee" not in listing  # A's athlete stays A's
    again = b.post("/athletes", {"name": "Ann Lee"})  # now B's own name: B may be told
    assert again.status_code == 400 and "you already have an athlete named" in again.text
    assert len(store.list_athletes()) == 2
    assert "Ann Lee" in a.get("/athletes").text
