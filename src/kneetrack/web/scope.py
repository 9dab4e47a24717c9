"""What a signed-in user may see: every lookup of the web layer goes through here.

A clinician sees the athletes they look after (linked when they created the
athlete); an athlete sees only their own record. Anything else, including an
id that does not exist, is answered ``404 Not Found``, so nobody can learn
which ids exist.
"""

from __future__ import annotations

from fastapi import HTTPException

from kneetrack.store import Analysis, Athlete, Store
from kneetrack.web import accounts, services
from kneetrack.web.accounts import User


def not_found() -> HTTPException:
    """The one answer for anything a user may not see."""
    return HTTPException(404, "not found")


def visible_athlete_ids(store: Store, user: User) -> set[int]:
    """Ids of the athletes ``user`` may see."""
    if user.is_clinician:
        return accounts.linked_athlete_ids(store, user)
    return {user.athlete_id} if user.athlete_id is not None else set()


def visible_athletes(store: Store, user: User) -> list[Athlete]:
    """The athletes ``user`` may see, by name."""
    ids = visible_athlete_ids(store, user)
    return [a for a in services.list_athletes(store) if a.id in ids]


def athlete_for(store: Store, user: User, athlete_id: int) -> Athlete:
    """The athlete ``athlete_id`` if ``user`` may see it, else 404."""
    if athlete_id not in visible_athlete_ids(store, user):
        raise not_found()
    athlete = services.athlete_by_id(store, athlete_id)
    if athlete is None:
        raise not_found()
    return athlete


def analysis_for(store: Store, user: User, athlete_id: int,
                 analysis_id: int) -> tuple[Athlete, Analysis]:
    """The athlete and one of their analyses if ``user`` may see them, else 404."""
    athlete = athlete_for(store, user, athlete_id)
    found = next((a for a in services.analyses(store, athlete) if a.id == analysis_id), None)
    if found is None:
        raise not_found()
    return athlete, found


def clinician_only(user: User) -> User:
    """``user`` if a clinician; 404 for athletes (the route does not exist for them)."""
    if not user.is_clinician:
        raise not_found()
    return user
