"""Issue 16 point 7: ``kneetrack athlete delete`` removes every artefact file of that athlete.

The test lists the files under the artefact folder before and after.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kneetrack.cli.main import main
from kneetrack.samples import sample_path
from kneetrack.store import open_store

SAMPLE = sample_path("runner_front_60fps.trc")


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _run(capsys, *argv: str) -> str:
    code = main(list(argv))
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def test_athlete_delete_removes_every_file_of_that_athlete_only(
        db_url: str, artefact_root: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("KNEETRACK_ARTEFACTS", str(artefact_root))
    for name in ("Ana", "Ben"):
        _run(capsys, "athlete", "add", name, "--db", db_url)
    import shutil

    for k, name in enumerate(("Ana", "Ana", "Ben")):
        clip = shutil.copy(SAMPLE, tmp_path / f"clip{k}.trc")  # two clips of Ana's
        _run(capsys, "analyze", str(clip), "--out", str(tmp_path / f"run{k}"), "-q",
             "--athlete", name, "--db", db_url)
    with open_store(db_url, artefacts=artefact_root) as st:
        ana = st.get_athlete("Ana")
        ben = st.get_athlete("Ben")
        ana_dirs = [a.artefact_dir for a in st.list_analyses(ana.id)]
    # a folder that an earlier delete, cut short after its rows went, left behind
    ghost = artefact_root / "athletes" / "0123456789abcdef" / "analyses" / "x"
    ghost.mkdir(parents=True)
    (ghost / "report.html").write_text("left over")

    before = _files(artefact_root)
    ana_files = {f for f in before if f.startswith(f"athletes/{ana.uid}/")}
    ben_files = {f for f in before if f.startswith(f"athletes/{ben.uid}/")}
    assert len(ana_dirs) == 2 and all(d is not None and d.is_dir() for d in ana_dirs)
    # every file that analyze wrote was copied: the report, plots, keypoints, ...
    assert {"analysis.json", "report.html", "keypoints.trc", "stances.csv"} <= \
        {Path(f).name for f in ana_files}
    assert any("/plots/" in f for f in ana_files) and ben_files

    out = _run(capsys, "athlete", "delete", "Ana", "--yes", "--db", db_url)
    assert "deleted Ana" in out

    after = _files(artefact_root)
    assert after == ben_files, sorted(after ^ ben_files)[:5]  # Ana's and the ghost's gone
    assert not (artefact_root / "athletes" / ana.uid).exists()
    assert all(not d.exists() for d in ana_dirs if d is not None)
    with open_store(db_url, artefacts=artefact_root) as st:
        assert st.find_athlete("Ana") is None
        assert st.count_rows(ben.id)["analysis"] == 1


def test_rows_pointing_outside_the_athlete_folder_are_removed_too(store, tmp_path) -> None:
    """A restored backup may keep an analysis folder elsewhere under the root."""
    from kneetrack.app.athletes import add_athlete, delete_athlete, store_analysis

    from .factories import make_analysis, write_analysis_folder

    add_athlete(store, "Cy")
    folder = write_analysis_folder(tmp_path / "a", make_analysis())
    a = store_analysis(store, "Cy", folder)
    assert a.artefact_dir is not None
    elsewhere = store.artefacts.root / "restored" / "old-layout"
    elsewhere.parent.mkdir(parents=True)
    a.artefact_dir.rename(elsewhere)
    from sqlalchemy import update

    from kneetrack.store.orm import AnalysisRow

    with store.transaction() as s:
        s.execute(update(AnalysisRow).values(artefact_dir="restored/old-layout"))
    outside = tmp_path / "not-ours"
    outside.mkdir()
    (outside / "keep.txt").write_text("x")
    delete_athlete(store, "Cy")
    assert not elsewhere.exists()
    assert (outside / "keep.txt").exists()


@pytest.mark.parametrize("rel", ["../escape", "", "."])
def test_paths_outside_the_root_are_never_removed(tmp_path, rel) -> None:
    from kneetrack.store.artefacts import ArtefactStore

    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "escape").mkdir()
    art = ArtefactStore(root)
    art.remove_athlete("u", [rel])
    assert (tmp_path / "escape").is_dir() and root.is_dir()
