"""Athlete use cases: add, list, show, export, delete, and storing results for an athlete.

Called by ``kneetrack athlete …``, ``kneetrack analyze --athlete``,
``kneetrack plan --athlete`` and the web app alike.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kneetrack.app.records import record_analysis, record_programme
from kneetrack.app.requests import Retest, RetestOf
from kneetrack.errors import SettingsError
from kneetrack.io.common import naming_file
from kneetrack.io.files import read_json_object
from kneetrack.store import Analysis, Athlete, Programme, Screening, Store, open_store
from kneetrack.store.domain import to_jsonable

EXPORT_SCHEMA = "kneetrack.athlete-export/1"


def open_db(db: str | None = None, *, create: bool = True) -> Store:
    """Open the progress store (a context manager); the one way front ends reach it.

    ``db`` is a database URL or SQLite file, default ``KNEETRACK_DB`` or the
    user's data folder (:func:`kneetrack.store.open_store`).
    """
    return open_store(db, create=create)


def get_athlete(store: Store, name: str) -> Athlete:
    """The athlete called ``name``; a one-line :class:`InputError` if there is none."""
    return store.get_athlete(name)


def store_location(store: Store) -> str:
    """Where the store lives, for people (a file path or a URL without its password)."""
    return str(store.location.display())


@dataclass(frozen=True)
class AthleteOverview:
    """An athlete with counts of what is stored about them."""

    athlete: Athlete
    analyses: int
    logs: int
    programmes: int
    last_activity: dt.date | None


def add_athlete(store: Store, name: str, **facts: Any) -> Athlete:
    """Add an athlete (``sex``, ``birth_year``, ``height_cm``, ``dominant_leg``, ``notes``)."""
    return store.add_athlete(Athlete(name=name, **facts))


def list_athletes(store: Store) -> list[AthleteOverview]:
    """Every athlete with a short overview."""
    out = []
    for a in store.list_athletes():
        assert a.id is not None
        analyses = store.list_analyses(a.id)
        logs = store.list_logs(a.id)
        days = [x.recorded_on for x in analyses] + [lg.performed_on for lg in logs]
        out.append(
            AthleteOverview(
                a,
                len(analyses),
                len(logs),
                len(store.list_programmes(a.id)),
                max(days) if days else None,
            )
        )
    return out


def athlete_record(store: Store, name: str) -> dict[str, Any]:
    """Everything stored about one athlete as a JSON-friendly dict."""
    a = store.get_athlete(name)
    assert a.id is not None
    root = store.artefacts.root
    analyses = []
    for x in store.list_analyses(a.id):
        d = to_jsonable(x)
        d["artefact_dir"] = (
            x.artefact_dir.relative_to(root).as_posix() if x.artefact_dir is not None else None
        )
        analyses.append(d)
    return {
        "schema": EXPORT_SCHEMA,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "athlete": to_jsonable(a),
        "analyses": analyses,
        "retests": [to_jsonable(r) for r in store.list_retests(a.id)],
        "screenings": [to_jsonable(s) for s in store.list_screenings(a.id)],
        "programmes": [to_jsonable(p) for p in store.list_programmes(a.id)],
        "logs": [to_jsonable(lg) for lg in store.list_logs(a.id)],
    }


def export_athlete(store: Store, name: str, out: str | Path) -> Path:
    """Write one ZIP with ``athlete.json`` (every row) and the athlete's artefact files.

    The ZIP is written to a temporary file and renamed, so an interrupted
    export never leaves a truncated archive under the requested name.
    """
    record = athlete_record(store, name)
    dest = Path(out)
    if dest.is_dir():
        slug = "".join(c if c.isalnum() else "_" for c in record["athlete"]["name"]).strip("_")
        dest = dest / f"{slug or 'athlete'}-kneetrack.zip"
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    root = store.artefacts.root
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("athlete.json", json.dumps(record, indent=2, ensure_ascii=False))
        for an in record["analyses"]:
            rel = an.get("artefact_dir")
            if not rel:
                continue
            for f in store.artefacts.files_under(rel):
                zf.write(f, "artefacts/" + f.relative_to(root).as_posix())
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    tmp.replace(dest)
    return dest


def delete_athlete(store: Store, name: str) -> dict[str, int]:
    """Delete an athlete's rows and files; return how many rows each table lost."""
    a = store.get_athlete(name)
    assert a.id is not None
    counts = store.count_rows(a.id)
    store.delete_athlete(a.id)
    return counts


def store_analysis(
    store: Store,
    name: str,
    source: str | Path | dict[str, Any],
    *,
    recorded_on: dt.date | None = None,
    copy_artefacts: bool = True,
    retest_of: RetestOf = Retest.AUTO,
) -> Analysis:
    """Store an analysis for an athlete.

    Parameters
    ----------
    store
        The open store.
    name
        Athlete name (must exist).
    source
        An analysis folder (with ``analysis.json``), an ``analysis.json`` path,
        or the analysis dict itself (then nothing is copied).
    recorded_on
        Date of the run (default today).
    copy_artefacts
        Copy the analysis folder into the store's artefact folder.
    retest_of
        :attr:`Retest.AUTO` links it as a retest of the athlete's first analysis
        with the same view (if any), :attr:`Retest.NONE` links nothing, an
        analysis id links it to that analysis.
    """
    athlete = store.get_athlete(name)
    assert athlete.id is not None
    folder: Path | None = None
    if isinstance(source, dict):
        data = source
    else:
        p = Path(source)
        folder = p if p.is_dir() else p.parent
        data = read_json_object(p / "analysis.json" if p.is_dir() else p, what="analysis")
    return record_analysis(
        store,
        athlete.id,
        data,
        recorded_on=recorded_on,
        artefact_src=folder if copy_artefacts else None,
        retest_of=_store_retest(retest_of),
    )


def _store_retest(retest_of: RetestOf) -> int | str | None:
    """The store's form of ``retest_of`` (``"auto"``, ``None`` or an id)."""
    if isinstance(retest_of, Retest):
        return "auto" if retest_of is Retest.AUTO else None
    if isinstance(retest_of, bool) or not isinstance(retest_of, int):
        raise SettingsError(f"retest_of must be Retest.AUTO, Retest.NONE or an analysis id, "
                            f"got {retest_of!r}")
    return retest_of


def store_screening(
    store: Store, name: str, source: str | Path | dict[str, Any], *, taken_on: dt.date | None = None
) -> Screening:
    """Validate and store a ``screening.json`` (path or dict) for an athlete."""
    from kneetrack.screening.schema import parse_screening

    athlete = store.get_athlete(name)
    assert athlete.id is not None
    where = None if isinstance(source, dict) else Path(source)
    data = source if isinstance(source, dict) else read_json_object(Path(source), what="screening")
    with naming_file(where):
        screening = parse_screening(data)
    return store.add_screening(athlete.id, screening.to_dict(), taken_on=taken_on)


def store_programme(
    store: Store, name: str, source: str | Path | dict[str, Any], *, analysis_id: int | None = None
) -> Programme:
    """Store a ``programme.json`` (path, folder or dict) as the athlete's active programme."""
    athlete = store.get_athlete(name)
    assert athlete.id is not None
    if isinstance(source, dict):
        data, where = source, None
    else:
        p = Path(source)
        where = p / "programme.json" if p.is_dir() else p
        data = read_json_object(where, what="programme")
    if analysis_id is None:
        latest = store.list_analyses(athlete.id)
        analysis_id = latest[-1].id if latest else None
    with naming_file(where):
        return record_programme(store, athlete.id, data, analysis_id=analysis_id)
