from __future__ import annotations

from pathlib import Path

import pytest

from kneetrack.errors import SettingsError
from kneetrack.store.config import resolve_location


def test_explicit_beats_environment_beats_default(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KNEETRACK_DB", str(tmp_path / "env.db"))
    monkeypatch.delenv("KNEETRACK_ARTEFACTS", raising=False)
    assert resolve_location(str(tmp_path / "arg.db")).sqlite_path == tmp_path / "arg.db"
    assert resolve_location().sqlite_path == tmp_path / "env.db"
    monkeypatch.delenv("KNEETRACK_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    default = resolve_location()
    assert default.sqlite_path is not None and default.sqlite_path.name == "kneetrack.db"
    assert "kneetrack" in default.sqlite_path.parts


def test_sqlite_artefacts_sit_beside_the_database(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KNEETRACK_ARTEFACTS", raising=False)
    loc = resolve_location(f"sqlite:///{tmp_path}/club.db")
    assert loc.artefact_root == tmp_path / "club-artefacts"
    monkeypatch.setenv("KNEETRACK_ARTEFACTS", str(tmp_path / "files"))
    assert resolve_location(f"sqlite:///{tmp_path}/club.db").artefact_root == tmp_path / "files"


def test_postgres_url_gets_the_psycopg_driver_and_hides_password(monkeypatch) -> None:
    monkeypatch.delenv("KNEETRACK_ARTEFACTS", raising=False)
    loc = resolve_location("postgresql://coach:secret@db.example:5432/clinic")
    assert loc.url.drivername == "postgresql+psycopg"
    assert loc.backend == "postgresql"
    assert "secret" not in loc.display()
    assert loc.artefact_root.name == "db.example_clinic"


@pytest.mark.parametrize(
    "bad", ["mysql://x/y", "sqlite://", ":memory:", "sqlite:///:memory:", "://nonsense", "  "]
)
def test_bad_urls_are_settings_errors(bad: str) -> None:
    with pytest.raises(SettingsError):
        resolve_location(bad)
