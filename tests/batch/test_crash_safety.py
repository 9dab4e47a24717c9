"""Kill ``kneetrack batch`` at random points, then restart it (issue 16 point 5).

Three keypoint clips (a glob of .trc files: no pose model needed). The batch is
killed (SIGKILL to its process group: the batch and its pool worker) at crash
points drawn with a fixed seed (see ``tests/crash_points.py``); the folder is
checked; the same command is run again to the end. Every clip then ends done
exactly once: a clip finished before the kill is skipped, not redone, and every
``analysis.json`` is whole.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from crash_points import draw_points, forkable, kills, run_cli  # noqa: E402

pytestmark = [pytest.mark.skipif(not forkable(), reason="needs fork"),
              pytest.mark.timeout(600)]
NAMES = ["clip0", "clip1", "clip2"]


@pytest.fixture
def clips(tmp_path: Path) -> Path:
    from kneetrack.io.load import load_keypoints
    from kneetrack.io.trc import write_trc
    from kneetrack.samples import sample_path

    kp = load_keypoints(sample_path("runner_front_60fps.trc"))
    folder = tmp_path / "clips"
    folder.mkdir()
    for i, name in enumerate(NAMES):
        write_trc(kp.slice_frames(60 * i, 60 * i + 240), folder / f"{name}.trc")
    return folder


def _done(out: Path) -> dict[str, int]:
    """Finished clips and their analysis.json's mtime; each must be whole JSON."""
    got = {}
    for p in out.glob("*/analysis.json"):
        json.loads(p.read_text(encoding="utf-8"))
        got[p.parent.name] = p.stat().st_mtime_ns
    return got


def test_batch_killed_anywhere_finishes_every_clip_once(clips: Path, tmp_path: Path) -> None:
    def argv(out: Path) -> list[str]:
        return ["batch", str(clips / "*.trc"), "--out", str(out), "--workers", "1",
                "--no-overlay", "-q"]

    dry = tmp_path / "dry"
    clean = run_cli(argv(dry))
    assert not clean.killed and clean.exit_code == 0
    assert sorted(_done(dry)) == NAMES
    for k, point in enumerate(draw_points(clean.points, kills(4), seed=19)):
        out = tmp_path / f"out{k}"
        res = run_cli(argv(out), kill_at=point)
        assert res.killed
        before = _done(out)  # whatever was finished is whole
        if (out / "batch_status.json").exists():
            json.loads((out / "batch_status.json").read_text(encoding="utf-8"))
        again = run_cli(argv(out))
        assert not again.killed and again.exit_code == 0, f"restart after point {point}"
        after = _done(out)
        assert sorted(after) == NAMES
        for name, stamp in before.items():  # finished before the kill: not redone
            assert after[name] == stamp, f"{name} was analysed twice (point {point})"
        status = json.loads((out / "batch_status.json").read_text(encoding="utf-8"))
        assert {n: status["videos"][n]["status"] for n in NAMES} == dict.fromkeys(NAMES, "done")
        rows = (out / "summary.csv").read_text(encoding="utf-8").strip().splitlines()
        assert len(rows) == 1 + len(NAMES)
        assert not list(out.glob("*/.kneetrack-tmp-*"))
        shutil.rmtree(out)
