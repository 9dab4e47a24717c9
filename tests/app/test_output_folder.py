"""Issue 16, points 1-2: a reused output folder never mixes runs; bad output fails early."""

from __future__ import annotations

import errno
import re
from pathlib import Path

import pytest

from kneetrack.app.analyze import analyze_file
from kneetrack.cli.main import main
from kneetrack.errors import OutputError
from kneetrack.samples import sample_path

SAMPLE = sample_path("runner_front_60fps.trc")


def _links(html: str) -> set[str]:
    """Relative files that the report links or embeds (not data: URIs, not anchors)."""
    refs = re.findall(r'(?:href|src|poster)="([^"#][^"]*)"', html)
    return {r for r in refs if not r.startswith(("data:", "http:", "https:", "mailto:"))}


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_reused_folder_keeps_no_file_of_the_earlier_run(tmp_path):
    out = tmp_path / "out"
    (out / "plots").mkdir(parents=True)
    # what an earlier video analysis of another runner left
    for name in ("annotated.mp4", "report.pdf", "angles.mot", "batch_error.txt"):
        (out / name).write_bytes(b"old run")
    (out / "plots" / "old_runner_only.svg").write_text("<svg/>")
    (out / "plots" / "video-poster.jpg").write_bytes(b"old poster")
    (out / "programme.json").write_text('{"weeks": []}')  # made by `plan`, not ours
    (out / "my notes.txt").write_text("keep me")
    (out / ".kneetrack-tmp-killed").mkdir()  # a killed run's staging folder

    res = analyze_file(SAMPLE, out_dir=out)

    files = _files(out)
    assert {"annotated.mp4", "report.pdf", "batch_error.txt",
            "plots/old_runner_only.svg", "plots/video-poster.jpg"}.isdisjoint(files)
    assert (out / "angles.mot").read_bytes() != b"old run"  # this run's own
    assert (out / "my notes.txt").read_text() == "keep me"
    assert (out / "programme.json").read_text() == '{"weeks": []}'
    assert not list(out.glob(".kneetrack-tmp-*"))
    html = (out / "report.html").read_text(encoding="utf-8")
    links = _links(html)
    assert links, "the report links its files"
    # every file the report references was written by this run
    written = {p.relative_to(out).as_posix() for p in res.artefacts.values() if p.is_file()}
    written |= {f for f in files if f.startswith("plots/")}
    assert links <= written, links - written
    assert "programme.html" not in links and "annotated.mp4" not in links
    assert all(p.parent == out or p.parent.parent == out for p in res.artefacts.values())


def test_second_analysis_replaces_the_first_whole(tmp_path):
    out = tmp_path / "out"
    analyze_file(SAMPLE, out_dir=out)
    first = _files(out)
    stamp = (out / "analysis.json").stat().st_mtime_ns
    analyze_file(SAMPLE, out_dir=out)
    assert _files(out) == first
    assert (out / "analysis.json").stat().st_mtime_ns >= stamp


def test_failed_run_leaves_the_earlier_analysis_untouched(tmp_path, monkeypatch):
    out = tmp_path / "out"
    analyze_file(SAMPLE, out_dir=out)
    before = {f: (out / f).read_bytes() for f in _files(out)}

    import kneetrack.app.report as report

    def boom(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", str(a[1] / "report.html"))

    monkeypatch.setattr(report, "write_report_outputs", boom)
    with pytest.raises(OutputError) as exc:
        analyze_file(SAMPLE, out_dir=out)
    msg = str(exc.value)
    assert msg == f"cannot write {out / 'report.html'}: the disk is full"
    assert {f: (out / f).read_bytes() for f in _files(out)} == before


def test_unwritable_output_fails_before_any_work(tmp_path, monkeypatch, capsys):
    import tempfile

    import kneetrack.app.measure as measure

    def read_only(*a, **k):
        raise OSError(errno.EROFS, "Read-only file system", str(k.get("dir")))

    def no_work(*a, **k):
        raise AssertionError("the pose run started although the output is not writable")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    monkeypatch.setattr(measure, "acquire_keypoints", no_work)
    out = tmp_path / "ro"
    code = main(["analyze", str(SAMPLE), "--out", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert err.strip() == f"error: cannot write {out}: read-only file system"


def test_output_that_is_a_file_is_one_line(tmp_path, capsys):
    out = tmp_path / "taken"
    out.write_text("a file")
    code = main(["analyze", str(SAMPLE), "--out", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and err.strip() == f"error: cannot write {out}: it exists and is not a folder"
    assert out.read_text() == "a file"


@pytest.mark.parametrize("errno_, reason", [(errno.EACCES, "permission denied"),
                                            (errno.EIO, "Input/output error")])
def test_every_oserror_on_output_names_the_path(tmp_path, monkeypatch, errno_, reason):
    import kneetrack.app.outdir as outdir

    real = outdir.os.replace

    def failing_replace(src, dst):
        if str(dst).endswith("stances.csv"):
            raise OSError(errno_, reason, str(dst))
        return real(src, dst)

    monkeypatch.setattr(outdir.os, "replace", failing_replace)
    out = tmp_path / "o"
    expected = f"cannot write {out / 'stances.csv'}: {reason}"
    with pytest.raises(OutputError, match=re.escape(expected)):
        analyze_file(SAMPLE, out_dir=out)
    assert not (out / "analysis.json").exists()
    assert not list(out.glob(".kneetrack-tmp-*"))


def test_missing_input_creates_no_output_folder(tmp_path, capsys):
    out = tmp_path / "never"
    assert main(["analyze", str(tmp_path / "nope.trc"), "--out", str(out)]) == 2
    assert not out.exists()
