"""Keeping the progress database safe: backup, restore and schema upgrade.

Called by ``kneetrack db backup|restore|upgrade`` and usable by the web app alike.
"""

from __future__ import annotations

from pathlib import Path

from kneetrack.store import open_store
from kneetrack.store.admin import UpgradeResult, backup, restore
from kneetrack.store.admin import upgrade_database as _upgrade


def backup_database(db: str | None, out: str | Path) -> tuple[Path, dict[str, int]]:
    """Write every row and stored file of an existing database into one ZIP.

    Returns
    -------
    path, counts
        The ZIP written and the number of rows per table.
    """
    with open_store(db, create=False) as store:
        path = backup(store, out)
        counts = store.count_rows()
    return path, counts


def restore_database(db: str | None, backup_zip: str | Path, *,
                     replace: bool = False) -> dict[str, int]:
    """Restore a backup into an empty database (or over everything with ``replace``)."""
    with open_store(db) as store:
        return restore(store, backup_zip, replace=replace)


def upgrade_database(db: str | None = None) -> UpgradeResult:
    """Upgrade the database schema to this version (a SQLite file is copied aside first)."""
    return _upgrade(db)
