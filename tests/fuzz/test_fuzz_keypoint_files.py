"""Fuzzed keypoint files (TRC, CSV, OpenPose JSON): read, or one line naming the file.

Issue 16 point 4. Bounded by the ``ci`` profile (fixed seed); ``make fuzz`` runs longer.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kneetrack.io.csv import read_csv, write_csv
from kneetrack.io.load import load_keypoints
from kneetrack.io.openpose import BODY_25, read_openpose_folder
from kneetrack.io.trc import read_trc, write_trc
from kneetrack.keypoints import Keypoints
from kneetrack.samples import sample_path

from .helpers import check_rejection, json_values, mutated, write_json


def _small() -> Keypoints:
    kp = load_keypoints(sample_path("runner_front_60fps.trc"))
    return kp.slice_frames(0, 6)


def _valid_text(writer) -> str:
    with tempfile.TemporaryDirectory() as d:
        return writer(_small(), Path(d) / "k").read_text(encoding="utf-8")


VALID_TRC = _valid_text(write_trc)
VALID_CSV = _valid_text(write_csv)

cell_text = st.sampled_from(["", " ", "nan", "NaN", "inf", "-inf", "1e309", "-0", "0", "px",
                             "mm", "Frame#", "Time", "PathFileType", "abc", ",", "\t", "1,2",
                             "#", "# fps: 0", "\"", "1e-320", "-5", "999999999"]) \
    | st.text(max_size=6) | st.floats(allow_nan=True).map(repr)


@st.composite
def mutated_text(draw, text: str, sep: str) -> str:
    """``text`` with a few lines or cells deleted, replaced, duplicated or cut."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["cell", "cell", "cell", "delete", "dup", "insert", "cut"]))
        if action == "cell":
            cells = lines[i].split(sep)
            j = draw(st.integers(0, len(cells) - 1))
            cells[j] = draw(cell_text)
            lines[i] = sep.join(cells)
        elif action == "delete":
            del lines[i]
        elif action == "dup":
            lines.insert(i, lines[i])
        elif action == "insert":
            lines.insert(i, sep.join(draw(st.lists(cell_text, max_size=5))))
        else:
            lines = lines[:i] + [lines[i][: draw(st.integers(0, len(lines[i])))]]
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


def _check_file(reader, name: str, content: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / name
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8", errors="surrogatepass")
        kp = check_rejection(lambda: reader(p), path=p)
        if kp is not None:
            assert isinstance(kp, Keypoints) and kp.n_frames >= 1
            assert np.isfinite(kp.time_s).all() and kp.fps > 0


@given(mutated_text(VALID_TRC, "\t"))
def test_fuzzed_trc_reads_or_fails_in_one_line(text):
    _check_file(read_trc, "clip.trc", text)


@given(st.binary(max_size=300) | st.text(max_size=300))
def test_random_bytes_as_trc(content):
    _check_file(read_trc, "clip.trc", content)


@given(mutated_text(VALID_CSV, ","))
def test_fuzzed_csv_reads_or_fails_in_one_line(text):
    _check_file(read_csv, "clip.csv", text)


@given(st.binary(max_size=300) | st.text(max_size=300))
def test_random_bytes_as_csv(content):
    _check_file(read_csv, "clip.csv", content)


def _openpose_frame(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    flat = []
    for _ in BODY_25:
        flat += [float(rng.uniform(100, 500)), float(rng.uniform(100, 900)), 0.9]
    return {"version": 1.3, "people": [{"person_id": [-1], "pose_keypoints_2d": flat}]}


VALID_FRAME = _openpose_frame(0)


@given(st.lists(mutated(VALID_FRAME), min_size=1, max_size=3), st.integers(0, 2))
def test_fuzzed_openpose_frames(frames, good):
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d) / "openpose"
        folder.mkdir()
        for i in range(good):
            write_json(folder / f"f{i:03d}_keypoints.json", _openpose_frame(i))
        for i, (frame, _) in enumerate(frames):
            write_json(folder / f"f{good + i:03d}_keypoints.json", frame)
        check_rejection(lambda: read_openpose_folder(folder), path=folder)


@given(json_values)
def test_any_json_as_an_openpose_frame(value):
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d) / "op"
        folder.mkdir()
        write_json(folder / "a_keypoints.json", value)
        check_rejection(lambda: read_openpose_folder(folder), path=folder)


@settings(max_examples=12)
@given(mutated_text(VALID_TRC, "\t"))
def test_fuzzed_trc_through_the_whole_analysis(text):
    """What the importer accepts, the analysis handles: a result or one clear line."""
    from kneetrack.app.analyze import analyze_file

    d = Path(tempfile.mkdtemp())
    try:
        p = d / "clip.trc"
        p.write_text(text, encoding="utf-8", errors="surrogatepass")
        check_rejection(lambda: analyze_file(p), path=p)
    finally:
        shutil.rmtree(d, ignore_errors=True)
