"""Run kneetrack on the bad-input catalogue and write docs/bad_input.md (input, exit code, message).

Each case is a real ``python -m kneetrack`` process (so a traceback would show),
on inputs made here in a temporary folder. Run from the repository root::

    python scripts/bad_input_catalogue.py            # writes docs/bad_input.md
    python scripts/bad_input_catalogue.py --check    # writes nothing; exit 1 if a case is not a
                                                     # clean one-line error or the doc is stale
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "src" / "kneetrack" / "samples" / "runner_front_60fps.trc"


def _trc_lines() -> list[str]:
    return SAMPLE.read_text(encoding="utf-8").splitlines()


def _cases(d: Path) -> list[tuple[str, Callable[[], list[str]]]]:
    out = d / "out"

    def write(name: str, text: str | bytes) -> Path:
        p = d / name
        p.write_bytes(text if isinstance(text, bytes) else text.encode())
        return p

    def analyze(p: Path | str, *extra: str) -> list[str]:
        return ["analyze", str(p), "--out", str(out), "-q", *extra]

    def nan_trc() -> list[str]:
        lines = _trc_lines()
        rows = [r.split("\t") for r in lines[5:305]]
        body = ["\t".join(r[:2] + ["NaN"] * (len(r) - 2)) for r in rows]
        return analyze(write("all_nan.trc", "\n".join(lines[:5] + body) + "\n"))

    def op_folder(doc: object) -> Path:
        f = d / f"openpose_{zlib.crc32(json.dumps(doc, sort_keys=True).encode()) % 10000}"
        f.mkdir(exist_ok=True)
        (f / "000_keypoints.json").write_text(json.dumps(doc))
        return f

    def readonly_out() -> list[str]:
        return ["analyze", str(SAMPLE), "--out", "/sys/kneetrack-out", "-q"]

    def file_as_out() -> list[str]:
        return ["analyze", str(SAMPLE), "--out", str(write("taken", "x")), "-q"]

    def answers(doc: object) -> list[str]:
        return ["screen", "--answers", str(write("answers.json", json.dumps(doc))),
                "--out", str(d / "scr"), "--no-interactive"]

    def log(*args: str) -> list[str]:
        return ["log", "-a", "Nobody", "-e", "x", *args, "--db", str(d / "kt.db")]

    return [
        ("missing video file", lambda: analyze(d / "nope.mp4")),
        ("0-byte .mp4", lambda: analyze(write("empty.mp4", b""))),
        ("text file named .mp4", lambda: analyze(write("fake.mp4", "not a video\n" * 40))),
        ("still image (.png)",
         lambda: analyze(write("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64))),
        ("unsupported suffix (.txt)", lambda: analyze(write("notes.txt", "hello"))),
        ("TRC: only the PathFileType line", lambda: analyze(write("head1.trc", _trc_lines()[0]))),
        ("TRC: header only, no data rows",
         lambda: analyze(write("head.trc", "\n".join(_trc_lines()[:5]) + "\n"))),
        ("TRC: every keypoint empty (NaN)", nan_trc),
        ("TRC: units mm, not px", lambda: analyze(write("mm.trc", "\n".join(
            [_trc_lines()[0], _trc_lines()[1], _trc_lines()[2].replace("\tpx\t", "\tmm\t")]
            + _trc_lines()[3:]) + "\n"))),
        ("TRC: not a TRC at all", lambda: analyze(write("x.trc", "hello\tworld\n" * 8))),
        ("CSV: no data rows", lambda: analyze(write("k.csv", "# fps: 60\nframe,time_s\n"))),
        ("CSV: '# fps: 0'",
         lambda: analyze(write("fps0.csv", "# fps: 0\nframe,left_hip_x\n0,1\n"))),
        ("OpenPose: empty folder", lambda: analyze((d / "op_empty").mkdir() or d / "op_empty")),
        ("OpenPose: 'people' is not a list", lambda: analyze(op_folder({"people": 3}))),
        ("OpenPose: 20 values per person",
         lambda: analyze(op_folder({"people": [{"pose_keypoints_2d": [1.0] * 20}]}))),
        ("output folder that cannot be made (/sys)", readonly_out),
        ("output path is a file", file_as_out),
        ("unknown --view", lambda: analyze(SAMPLE, "--view", "top")),
        ("screening answers: unknown question",
         lambda: answers({"pain_worst": 3})),
        ("screening answers: pain 14/10", lambda: answers({"pain_worst_0_10": 14})),
        ("screening answers: not JSON", lambda: ["screen", "--answers", str(write(
            "bad.json", "{not json")), "--out", str(d / "scr2"), "--no-interactive"]),
        ("log: unknown athlete", lambda: log()),
        ("log: --date not a date", lambda: log("--date", "yesterday")),
        ("report: folder without analysis.json", lambda: ["report", str(d)]),
    ]


def run(check: bool) -> int:
    """Run every case, print one line each and write the table.

    With ``check`` nothing is written; 1 is returned when a case was not a clean
    one-line error or when ``docs/bad_input.md`` differs from what the cases print now.
    """
    rows = []
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "300",
               "KNEETRACK_ARTEFACTS": str(d / "art")}
        for what, make in _cases(d):
            argv = make()
            r = subprocess.run([sys.executable, "-m", "kneetrack", *argv], capture_output=True,
                               text=True, env=env, timeout=300, cwd=d)
            lines = [ln for ln in r.stderr.strip().splitlines() if ln.strip()]
            usage = [ln.strip(" │") for ln in lines if "Invalid value" in ln]  # typer's box
            if usage:
                lines = usage
            out_lines = r.stdout.strip().splitlines()
            msg = " ".join(lines[-1:]) if lines else (out_lines[-1] if out_lines else "")
            msg = str(msg).replace(tmp, "…").replace("|", "\\|")
            traceback = "Traceback" in r.stderr
            one_line = len(lines) <= 1 or not lines[0].startswith("error:")
            if traceback or r.returncode == 0 or not one_line:
                bad += 1
            shown = " ".join(a.replace(tmp, "…") for a in argv[:1])
            rows.append(f"| {what} | `kneetrack {shown} …` | {r.returncode} | "
                        f"{'**traceback** ' if traceback else ''}{msg} |")
            print(f"{r.returncode:>3}  {what}: {msg}")
    doc = REPO / "docs" / "bad_input.md"
    text = (
        "# Bad-input catalogue\n\n"
        "What kneetrack says for each bad input: the exit code and the one line it prints.\n"
        "Generated by `python scripts/bad_input_catalogue.py` (each case is a real\n"
        "`python -m kneetrack` process; `…` is the temporary folder the inputs were made in).\n"
        "Exit code 2 is a user error; a traceback would be marked **traceback**.\n\n"
        "| input | command | exit | message |\n|---|---|---|---|\n" + "\n".join(rows) + "\n"
    )
    print(f"{len(rows)} cases, {bad} not a clean one-line error")
    if not check:
        doc.write_text(text, encoding="utf-8")
        print(f"wrote {doc}")
        return 0
    stale = not doc.is_file() or doc.read_text(encoding="utf-8") != text
    if stale:
        print(f"{doc} is out of date: run `python scripts/bad_input_catalogue.py`")
    return 1 if bad or stale else 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if a case was not clean")
    raise SystemExit(run(ap.parse_args().check))
