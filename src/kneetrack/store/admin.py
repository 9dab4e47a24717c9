"""Database administration: backup, restore and schema upgrade.

A backup is one ZIP: ``backup.json`` (every row, dialect-neutral, with the
schema revision) plus ``artefacts/`` (the managed files). It restores into any
supported database — SQLite to PostgreSQL and back — at the same or a newer
schema revision.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kneetrack.errors import InputError, SettingsError
from kneetrack.store import migrate
from kneetrack.store.config import resolve_location
from kneetrack.store.engine import make_engine
from kneetrack.store.repository import Store

BACKUP_JSON = "backup.json"


def backup(store: Store, path: str | Path) -> Path:
    """Write a backup ZIP of every row and artefact file; return its path."""
    dest = Path(path)
    if dest.suffix.lower() != ".zip":
        raise SettingsError(f"backup file must end in .zip, got {dest.name!r}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    data = store.dump()
    tmp = dest.with_name(dest.name + ".part")
    root = store.artefacts.root
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(BACKUP_JSON, json.dumps(data, ensure_ascii=False))
        if root.is_dir():
            for f in sorted(root.rglob("*")):
                if f.is_file() and ".part" not in f.name:
                    zf.write(f, "artefacts/" + f.relative_to(root).as_posix())
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    tmp.replace(dest)
    return dest


def restore(store: Store, path: str | Path, *, replace: bool = False) -> dict[str, int]:
    """Restore a backup ZIP into the store; rows in one transaction, then the files.

    The files are unpacked into a temporary folder first and swapped in only
    after the rows are committed, so a failed restore changes nothing.
    """
    src = Path(path)
    if not src.is_file():
        raise InputError(f"backup not found: {src}")
    try:
        zf = zipfile.ZipFile(src)
    except zipfile.BadZipFile:
        raise InputError(f"{src} is not a ZIP backup") from None
    with zf:
        try:
            data = json.loads(zf.read(BACKUP_JSON).decode("utf-8"))
        except KeyError:
            raise InputError(f"{src} has no {BACKUP_JSON}; not a kneetrack backup") from None
        root = store.artefacts.root
        root.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=root.name + ".restore-", dir=root.parent))
        try:
            for info in zf.infolist():
                name = PurePosixPath(info.filename)
                if info.is_dir() or name.parts[:1] != ("artefacts",):
                    continue
                if ".." in name.parts or name.is_absolute():
                    raise InputError(f"unsafe path in backup: {info.filename}")
                target = staging.joinpath(*name.parts[1:])
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as fin, target.open("wb") as fout:
                    shutil.copyfileobj(fin, fout)
            counts = store.load(data, replace=replace)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    old = root.with_name(root.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if root.exists():
        root.rename(old)
    staging.rename(root)
    shutil.rmtree(old, ignore_errors=True)
    return counts


@dataclass(frozen=True)
class UpgradeResult:
    """What ``kneetrack db upgrade`` did."""

    from_revision: str | None
    to_revision: str
    backup_path: Path | None


def upgrade_database(
    db: str | None = None, *, artefacts: str | Path | None = None
) -> UpgradeResult:
    """Upgrade a database to the newest schema; SQLite files are copied aside first."""
    loc = resolve_location(db, artefacts=artefacts)
    if loc.sqlite_path is not None and not loc.sqlite_path.exists():
        raise SettingsError(f"no database at {loc.sqlite_path}")
    engine = make_engine(loc.url)
    try:
        current = migrate.current_revision(engine)
        head = migrate.head_revision()
        if current is not None and current not in migrate.known_revisions():
            raise SettingsError(f"database was made by a newer kneetrack (schema {current})")
        if current == head:
            return UpgradeResult(current, head, None)
        saved = None
        if loc.sqlite_path is not None and current is not None:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
            saved = loc.sqlite_path.with_name(f"{loc.sqlite_path.name}.before-{head}-{stamp}")
            src = sqlite3.connect(loc.sqlite_path)
            dst = sqlite3.connect(saved)
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
        migrate.upgrade(engine)
        return UpgradeResult(current, head, saved)
    finally:
        engine.dispose()
