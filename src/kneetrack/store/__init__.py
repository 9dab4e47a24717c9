"""Progress store: athletes, analyses, screenings, programmes, workout logs and retests.

A SQLAlchemy 2 database (SQLite by default in the user's data folder, or
PostgreSQL) with Alembic migrations shipped in this package, plus a managed
artefact folder next to it for the dense files of each stored analysis
(keypoints, curves, reports). Callers work with the plain dataclasses of
:mod:`kneetrack.store.domain`; ORM rows never leave the store, whose
:class:`Store` (:mod:`kneetrack.store.repository`) gathers one module per
record type. The store keeps what it is handed and imports no domain logic:
what a document means is worked out by :mod:`kneetrack.app.records`.

Open a store with :func:`open_store`.
"""

from kneetrack.store.config import StoreLocation, resolve_location
from kneetrack.store.domain import (
    Analysis,
    Athlete,
    MetricSummary,
    Programme,
    ProgrammeWeek,
    Retest,
    Screening,
    WorkoutLog,
)
from kneetrack.store.repository import Store, open_store

__all__ = [
    "Analysis",
    "Athlete",
    "MetricSummary",
    "Programme",
    "ProgrammeWeek",
    "Retest",
    "Screening",
    "Store",
    "StoreLocation",
    "WorkoutLog",
    "open_store",
    "resolve_location",
]
