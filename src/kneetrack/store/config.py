"""Where the database and its artefact folder live.

Precedence for the database URL: an explicit ``--db URL`` (or ``db=`` argument),
then the ``KNEETRACK_DB`` environment variable, then a SQLite file
``kneetrack.db`` in the user's data folder (``platformdirs.user_data_dir``).
A plain file path is accepted as a SQLite database.

Dense files of stored analyses are copied into an artefact folder: for SQLite,
``<database file stem>-artefacts/`` beside the database file; for other
databases ``KNEETRACK_ARTEFACTS`` or ``<user data dir>/artefacts/<database name>``.
``KNEETRACK_ARTEFACTS`` (or ``artefacts=``) overrides both.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from kneetrack.errors import SettingsError

ENV_DB = "KNEETRACK_DB"
ENV_ARTEFACTS = "KNEETRACK_ARTEFACTS"
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class StoreLocation:
    """A resolved database URL and the artefact folder that belongs to it."""

    url: URL
    artefact_root: Path

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.url.get_backend_name()

    @property
    def sqlite_path(self) -> Path | None:
        """The database file for SQLite, else ``None``."""
        if self.backend != "sqlite" or not self.url.database:
            return None
        return Path(self.url.database)

    def display(self) -> str:
        """The URL with any password hidden, for messages."""
        return self.url.render_as_string(hide_password=True)


def default_data_dir() -> Path:
    """The user's kneetrack data folder (not created here)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("kneetrack", appauthor=False))


def _parse(db: str) -> URL:
    text = db.strip()
    if not text:
        raise SettingsError("empty database URL")
    if "://" not in text:
        if text == ":memory:":
            raise SettingsError("an in-memory database cannot keep progress; give a file path")
        return URL.create("sqlite", database=str(Path(text).expanduser().resolve()))
    try:
        url = make_url(text)
    except ArgumentError:
        raise SettingsError(f"cannot parse database URL {text!r}") from None
    if url.get_backend_name() not in SUPPORTED_BACKENDS:
        raise SettingsError(
            f"unsupported database {url.get_backend_name()!r}; use sqlite:///FILE or postgresql+psycopg://…"
        )
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise SettingsError("an in-memory database cannot keep progress; give a file path")
        url = url.set(database=str(Path(url.database).expanduser().resolve()))
    elif url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url


def resolve_location(
    db: str | None = None, *, artefacts: str | Path | None = None
) -> StoreLocation:
    """Resolve the database URL and artefact folder from arguments, environment and defaults."""
    chosen = db or os.environ.get(ENV_DB)
    if chosen:
        url = _parse(chosen)
    else:
        url = URL.create("sqlite", database=str(default_data_dir() / "kneetrack.db"))
    art = artefacts or os.environ.get(ENV_ARTEFACTS)
    if art:
        root = Path(art).expanduser().resolve()
    elif url.get_backend_name() == "sqlite":
        path = Path(url.database or "kneetrack.db")
        root = path.with_name(path.stem + "-artefacts")
    else:
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{url.host or 'local'}_{url.database or 'db'}")
        root = default_data_dir() / "artefacts" / name
    return StoreLocation(url=url, artefact_root=root)
