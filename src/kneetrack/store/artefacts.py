"""The managed artefact folder: copies of analysis folders, owned by the store.

Layout: ``<root>/athletes/<athlete uid>/analyses/<analysis token>/…``. Rows keep
the path relative to ``<root>`` so a backup can be restored anywhere. Copies are
made into a temporary sibling and renamed into place, so a crash never leaves a
half-copied folder under a name a row points to. All of an athlete's files sit
under one folder, which ``athlete delete`` removes whole.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from kneetrack.errors import InputError

#: Files never copied (source videos are the user's; they stay where they are).
SKIP_SUFFIXES = (".part", ".tmp")
#: Folders never copied: the staging folders of an ``analyze`` that was killed.
SKIP_PATTERNS = (".kneetrack-tmp-*",)


class ArtefactStore:
    """Copies analysis folders into ``root`` and removes them again."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def athlete_dir(self, athlete_uid: str) -> Path:
        """The folder holding every file of one athlete."""
        return self.root / "athletes" / athlete_uid

    def resolve(self, relative: str | None) -> Path | None:
        """Absolute path of a stored relative path."""
        return None if relative is None else self.root / relative

    def copy_in(self, src: Path, athlete_uid: str) -> str:
        """Copy the folder ``src`` in; return its path relative to the root."""
        src = Path(src)
        if not src.is_dir():
            raise InputError(f"analysis folder not found: {src}")
        rel = Path("athletes") / athlete_uid / "analyses" / uuid.uuid4().hex[:16]
        final = self.root / rel
        tmp = final.with_name(final.name + ".part")
        final.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(src, tmp, ignore=shutil.ignore_patterns(*(f"*{s}" for s in SKIP_SUFFIXES),
                                                          *SKIP_PATTERNS))
        tmp.rename(final)
        return rel.as_posix()

    def remove(self, relative: str | None) -> None:
        """Remove one stored folder (missing is fine)."""
        if relative:
            shutil.rmtree(self.root / relative, ignore_errors=True)

    def remove_athlete(self, athlete_uid: str, folders: list[str] | None = None) -> None:
        """Remove every file of an athlete: their folder and any stored folder of theirs.

        ``folders`` are the relative paths that the athlete's rows pointed to (a
        restored backup may keep them outside the athlete's folder).
        """
        for rel in folders or []:
            if self.inside(rel):
                self.remove(rel)
        shutil.rmtree(self.athlete_dir(athlete_uid), ignore_errors=True)

    def inside(self, relative: str | None) -> bool:
        """Whether a stored relative path stays inside the artefact root."""
        if not relative:
            return False
        root = self.root.resolve()
        return (root / relative).resolve().is_relative_to(root) and \
            (root / relative).resolve() != root

    def sweep_athletes(self, known_uids: set[str]) -> list[str]:
        """Remove the folders of athletes that no longer exist (a delete cut short).

        Returns the uids whose folders were removed.
        """
        base = self.root / "athletes"
        gone = []
        if base.is_dir():
            for d in base.iterdir():
                if d.is_dir() and d.name not in known_uids:
                    shutil.rmtree(d, ignore_errors=True)
                    gone.append(d.name)
        return gone

    def files_under(self, relative: str) -> list[Path]:
        """Every file below a stored folder, sorted."""
        base = self.root / relative
        return sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else []
