"""What a document means for the store: an analysis's summary metrics, a programme's weeks.

The store keeps what it is handed and knows nothing of the analysis or programme
formats; these functions read the documents (with the progress tracker's and the
programme checker's rules) and then call the store. Every front end stores
analyses and programmes through them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from kneetrack.errors import InputError
from kneetrack.io.documents import check_programme
from kneetrack.progress.metrics import summarise_analysis
from kneetrack.progress.verdict import is_logged_session
from kneetrack.store import Analysis, Programme, ProgrammeWeek, Store


def programme_start(data: Mapping[str, Any]) -> dt.date | None:
    """First day of a ``programme.json``: ``start`` if given, else its earliest session date."""
    raw = data.get("settings")
    settings: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    for where, key in ((data, "start"), (data, "start_date"), (settings, "start")):
        if where.get(key):
            try:
                return dt.date.fromisoformat(str(where[key])[:10])
            except ValueError:
                raise InputError(f"programme {key} is not a date: {where[key]!r}") from None
    dates = []
    for w in data.get("weeks") or []:
        for s in w.get("sessions") or []:
            try:
                dates.append(dt.date.fromisoformat(str(s.get("date"))[:10]))
            except ValueError:
                continue
    return min(dates) if dates else None


def programme_weeks(data: Mapping[str, Any], start: dt.date | None) -> list[ProgrammeWeek]:
    """The weeks of a ``programme.json`` with their planned session counts."""
    weeks = data.get("weeks")
    if not isinstance(weeks, list) or not weeks:
        raise InputError("programme has no weeks")
    out = []
    seen: set[int] = set()
    for i, w in enumerate(weeks, start=1):
        if not isinstance(w, Mapping):
            raise InputError(f"programme week {i} is not an object")
        n = int(w.get("week", i))
        if n in seen:
            raise InputError(f"programme week {n} appears twice")
        seen.add(n)
        wk_start = None if start is None else start + dt.timedelta(days=7 * (n - 1))
        if w.get("start"):
            try:
                wk_start = dt.date.fromisoformat(str(w["start"])[:10])
            except ValueError:
                raise InputError(f"week {n} start is not a date: {w['start']!r}") from None
        out.append(
            ProgrammeWeek(
                week=n,
                phase=w.get("phase"),
                start_date=wk_start,
                planned_sessions=sum(1 for x in w.get("sessions") or [] if is_logged_session(x)),
            )
        )
    return out


def record_analysis(
    store: Store,
    athlete_id: int,
    analysis: Mapping[str, Any],
    *,
    recorded_on: dt.date | None = None,
    artefact_src: Path | None = None,
    retest_of: int | str | None = "auto",
    in_transaction: Callable[[Session, Analysis], None] | None = None,
) -> Analysis:
    """Store an ``analysis.json`` dict with its summary metrics (see :meth:`Store.add_analysis`)."""
    return store.add_analysis(
        athlete_id,
        analysis,
        metrics=summarise_analysis(analysis),
        recorded_on=recorded_on,
        artefact_src=artefact_src,
        retest_of=retest_of,
        in_transaction=in_transaction,
    )


def record_programme(
    store: Store,
    athlete_id: int,
    data: Mapping[str, Any],
    *,
    analysis_id: int | None = None,
    parent_id: int | None = None,
    decision: str | None = None,
    reasons: Sequence[str] = (),
) -> Programme:
    """Check a ``programme.json`` dict and store it as the athlete's active programme.

    Raises
    ------
    InputError
        One line naming the first bad field of ``data``.
    """
    check_programme(data)
    start = programme_start(data)
    return store.add_programme(
        athlete_id,
        data,
        start_date=start,
        weeks=programme_weeks(data, start),
        analysis_id=analysis_id,
        parent_id=parent_id,
        decision=decision,
        reasons=reasons,
    )
