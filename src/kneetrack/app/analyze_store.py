"""The ``kneetrack analyze [--athlete NAME]`` use case: analyse, then keep it in a history.

:func:`analyze_and_store` is the one call the CLI (and the web app) make: it
checks the athlete before the long pose run, analyses the clips into the
output folder (:func:`kneetrack.app.analyze.analyze`) and stores the result as
one analysis of the athlete (:func:`kneetrack.app.athletes.store_analysis`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kneetrack.app.analyze import AnalysisOutcome, ProgressCallback, analyze
from kneetrack.app.requests import AnalyzeRequest, Retest, RetestOf
from kneetrack.errors import SettingsError

if TYPE_CHECKING:
    from kneetrack.pose.backend import PoseBackend
    from kneetrack.store import Analysis


@dataclass(frozen=True)
class StoredOutcome:
    """An analysis and, when an athlete was named, its row in the athlete's history."""

    outcome: AnalysisOutcome
    stored: Analysis | None = None


def analyze_and_store(
    request: AnalyzeRequest,
    *,
    athlete: str | None = None,
    db: str | None = None,
    recorded_on: dt.date | None = None,
    retest_of: RetestOf = Retest.AUTO,
    progress: ProgressCallback | None = None,
    backend: PoseBackend | None = None,
) -> StoredOutcome:
    """Analyse ``request`` and, with ``athlete``, store it in that athlete's history.

    Parameters
    ----------
    request
        What to analyse; it must name an output folder when ``athlete`` is given
        (the folder's files are copied into the store).
    athlete
        Athlete whose history keeps the analysis (must exist: checked before any work).
    db
        Database URL or SQLite file (default: ``KNEETRACK_DB`` or the user data folder).
    recorded_on
        Date of the run (default today).
    retest_of
        How the analysis is linked as a retest (:class:`~kneetrack.app.requests.Retest`).
    progress, backend
        See :func:`kneetrack.app.analyze.analyze`.
    """
    # The store (SQLAlchemy, Alembic: about 0.4 s) is imported only when it is used.
    if athlete is not None:
        from kneetrack.app.athletes import get_athlete, open_db

        if request.out_dir is None:
            raise SettingsError("storing an analysis needs an output folder (--out DIR)")
        with open_db(db) as store:  # fail before the long pose run if the athlete is unknown
            get_athlete(store, athlete)
    outcome = analyze(request, progress=progress, backend=backend)
    if athlete is None or outcome.out_dir is None:
        return StoredOutcome(outcome=outcome)
    from kneetrack.app.athletes import open_db, store_analysis

    with open_db(db) as store:
        stored = store_analysis(store, athlete, outcome.out_dir, recorded_on=recorded_on,
                                retest_of=retest_of)
    return StoredOutcome(outcome=outcome, stored=stored)
