"""CLI details: help width and markup, the demo's report path, native log lines kept quiet."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kneetrack.cli.main import main

NATIVE = re.compile(r"^(W0000|I0000|E0000|INFO:|WARNING: All log messages)", re.M)


def _help(capsys, monkeypatch, argv, *, cols):
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    monkeypatch.setenv("TERM", "dumb")  # rich assumes 80 columns for these
    monkeypatch.setattr(os, "get_terminal_size", lambda fd=1: os.terminal_size((cols, 40)))
    assert main(argv) == 0
    return capsys.readouterr().out


def test_report_help_shows_the_pdf_extra(capsys, monkeypatch):
    out = _help(capsys, monkeypatch, ["report", "--help"], cols=160)
    assert "kneetrack[pdf]" in out


def test_help_uses_a_terminal_wider_than_80_columns(capsys, monkeypatch):
    wide = _help(capsys, monkeypatch, ["analyze", "--help"], cols=150)
    assert max(len(line) for line in wide.splitlines()) > 100
    assert "Worker processes for pose estimation and the annotated video" in wide


def test_help_keeps_a_narrow_terminal_narrow(capsys, monkeypatch):
    narrow = _help(capsys, monkeypatch, ["analyze", "--help"], cols=70)
    assert max(len(line) for line in narrow.splitlines()) <= 80


def test_demo_prints_the_report_path(capsys, tmp_path):
    assert main(["demo", "--out", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.startswith("report: "))
    path = Path(line.removeprefix("report: "))
    assert path.name == "report.html" and path.is_file() and path.is_absolute()


def _analyze(video: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    code = ("import sys\nfrom kneetrack.cli.main import main\n"
            "if __name__ == '__main__':\n    sys.exit(main(sys.argv[1:]))\n")
    env = {k: v for k, v in os.environ.items() if k != "KNEETRACK_NATIVE_LOGS"}
    return subprocess.run([sys.executable, "-c", code, "analyze", str(video), "--out", str(out),
                           "--no-overlay", *extra], capture_output=True, text=True, env=env,
                          timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("extra", [("-q",), ("-q", "--workers", "2"), ()])
def test_analyze_video_keeps_native_log_lines_off_stderr(shared_data, tmp_path, extra):
    """MediaPipe/TFLite/absl print W0000…/INFO: lines from C++: none reach the terminal."""
    video = shared_data / "video" / "running_side_outdoor.mp4"
    run = _analyze(video, tmp_path / "out", *extra)
    assert run.returncode == 0, run.stderr[-2000:]
    assert not NATIVE.search(run.stderr), run.stderr[-2000:]
    assert (tmp_path / "out" / "analysis.json").is_file()


@pytest.mark.slow
def test_verbose_shows_native_log_lines(shared_data, tmp_path):
    video = shared_data / "video" / "running_side_outdoor.mp4"
    run = _analyze(video, tmp_path / "out", "-q", "--verbose")
    assert run.returncode == 0, run.stderr[-2000:]
    assert NATIVE.search(run.stderr)  # the filter is what hides them, not their absence
