"""Batch: discovery, naming, summary, failures with reasons, retry, resume after SIGKILL, CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kneetrack.app.batch import run_batch
from kneetrack.batch.jobs import BatchStatus, discover_inputs, job_names
from kneetrack.errors import InputError, SettingsError

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))  # spawned pool workers inherit sys.path: test_batch_fakes
sys.path.insert(0, str(REPO / "tests"))

from video_factory import write_video  # noqa: E402

FAKE = "test_batch_fakes:sample_replay"
LENGTHS = (240, 252, 264, 276)  # distinct lengths identify the videos in the fake's log


def make_clips(folder: Path, lengths=LENGTHS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [write_video(folder / f"runner{i}.mp4", frames=n, fps=60)
            for i, n in enumerate(lengths)]


@pytest.fixture
def clips(tmp_path) -> Path:
    make_clips(tmp_path / "clips")
    return tmp_path / "clips"


def test_discover_folder_recurses_and_skips_non_videos(tmp_path):
    make_clips(tmp_path / "a", lengths=(5,))
    make_clips(tmp_path / "a" / "sub", lengths=(5,))
    (tmp_path / "a" / "notes.txt").write_text("x")
    (tmp_path / "a" / ".hidden").mkdir()
    write_video(tmp_path / "a" / ".hidden" / "x.mp4", frames=3)
    found = discover_inputs(tmp_path / "a")
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a/runner0.mp4", "a/sub/runner0.mp4"]
    assert job_names(found) == ["runner0", "sub__runner0"]


def test_glob_and_clashing_names(tmp_path):
    write_video(tmp_path / "clip.mp4", frames=3)
    write_video(tmp_path / "clip.mov", frames=3)
    found = discover_inputs(str(tmp_path / "clip.*"))
    assert job_names(found) == ["clip_mov", "clip_mp4"]


def test_nothing_to_do_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no videos found"):
        discover_inputs(tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        discover_inputs(tmp_path / "missing")
    with pytest.raises(SettingsError, match="unknown engine"):
        run_batch(write_video(tmp_path / "x.mp4", frames=3), tmp_path / "out", engine="spark")


def test_local_batch_summary_failures_and_retry(clips, tmp_path):
    (clips / "broken.mp4").write_bytes(b"not a video at all")
    seen = []
    res = run_batch(clips, tmp_path / "out", workers=2, backend_spec=FAKE, overlay=False,
                    progress=lambda o, done, total: seen.append((o.name, o.status, done, total)))
    assert res.names("done") == [f"runner{i}" for i in range(4)]
    assert res.names("failed") == ["broken"]
    # the failure was retried once, then recorded with its reason; the batch went on
    status = json.loads((tmp_path / "out" / "batch_status.json").read_text())
    broken = status["videos"]["broken"]
    assert broken["status"] == "failed" and broken["attempts"] == 2
    assert "broken.mp4" in broken["reason"] and "\n" not in broken["reason"]
    assert status["videos"]["runner0"]["status"] == "done"
    # progress: once per video, reaching the total
    assert sorted(n for n, *_ in seen) == ["broken", "runner0", "runner1", "runner2", "runner3"]
    assert seen[-1][2:] == (5, 5)
    # one folder per video, and a summary row per runner with its key numbers
    rows = {r["name"]: r for r in res.rows}
    for i, n in enumerate(LENGTHS):
        a = json.loads((tmp_path / "out" / f"runner{i}" / "analysis.json").read_text())
        r = rows[f"runner{i}"]
        assert r["frames"] == n == a["input"]["frames"]
        assert r["cadence_spm"] == pytest.approx(a["cadence_spm"], abs=0.05)
        assert r["left_stances"] == a["summary"]["left"]["stances"] >= 3
        assert r["left_hip_adduction_peak_deg_mean"] == pytest.approx(
            a["summary"]["left"]["hip_adduction_peak_deg"]["mean"], abs=0.01)
        assert r["findings"] == len(a["findings"])
        assert r["warnings"] == len(a["quality"]["warnings"])
        assert all(w in r["warning_text"] for w in a["quality"]["warnings"])
    csv_text = (tmp_path / "out" / "summary.csv").read_text()
    assert csv_text.splitlines()[0].startswith("name,status,reason")
    assert len(csv_text.strip().splitlines()) == 6
    html = (tmp_path / "out" / "summary.html").read_text()
    assert "runner3" in html and "4 analysed, 1 failed" in html
    assert "broken.mp4" in html  # the failure's reason is shown


def test_resume_skips_finished_and_retries_failed(clips, tmp_path, monkeypatch):
    out = tmp_path / "out"
    first = run_batch(clips, out, workers=2, backend_spec=FAKE, overlay=False)
    assert len(first.names("done")) == 4
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*/analysis.json")}
    (out / "runner2" / "analysis.json").unlink()  # as if it had never finished
    log = tmp_path / "ran.log"
    monkeypatch.setenv("KT_BATCH_LOG", str(log))
    again = run_batch(clips, out, workers=2, backend_spec=FAKE, overlay=False)
    assert again.names("skipped") == ["runner0", "runner1", "runner3"]
    assert again.names("done") == ["runner2"]
    assert log.read_text().split() == [str(LENGTHS[2])]
    for p, ns in stamps.items():
        if p.parent.name != "runner2":
            assert p.stat().st_mtime_ns == ns


def _wait_line(fifo: Path, proc: subprocess.Popen, timeout_s: float = 120) -> str:
    """The first line written to ``fifo`` (an event, not a poll of files or a delay)."""
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text(encoding="utf-8")),
                              daemon=True)
    reader.start()
    reader.join(timeout_s)
    assert got, f"the batch never reached the stop point (exit code {proc.poll()})"
    return got[0]


def test_killed_batch_resumes_without_redoing_finished_videos(clips, tmp_path, monkeypatch):
    """SIGKILL a running batch (and its workers), then resume: finished videos are not rerun.

    The fake backend stops before its second video and says so through a named
    pipe: the kill lands at the same point on every run, whatever the machine's speed.
    """
    out = tmp_path / "out"
    fifo = tmp_path / "stopped.fifo"
    os.mkfifo(fifo)
    env = {**os.environ, "KT_FAKE_STOP_FIFO": str(fifo), "KT_FAKE_STOP_AFTER": "1",
           "PYTHONPATH": os.pathsep.join([str(HERE), str(REPO / "tests")])}
    code = ("import sys; from kneetrack.app.batch import run_batch\n"
            "if __name__ == '__main__':\n"
            f"    run_batch(sys.argv[1], sys.argv[2], workers=1, backend_spec={FAKE!r}, "
            "overlay=False)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(clips), str(out)], env=env,
                            start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        assert _wait_line(fifo, proc) == "stopped after 1\n"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the batch and its pool workers
        proc.wait(timeout=30)
    finished_before = sorted(p.parent.name for p in out.glob("*/analysis.json"))
    assert finished_before == ["runner0"]  # exactly the one video before the stop point
    stamps = {n: (out / n / "analysis.json").stat().st_mtime_ns for n in finished_before}

    log = tmp_path / "ran.log"
    monkeypatch.setenv("KT_BATCH_LOG", str(log))  # read by the spawned pool workers
    res = run_batch(clips, out, workers=2, backend_spec=FAKE, overlay=False)
    assert res.names("skipped") == finished_before
    assert sorted(res.names("done") + res.names("skipped")) == [f"runner{i}" for i in range(4)]
    rerun = sorted(int(x) for x in log.read_text().split())
    expected = sorted(n for i, n in enumerate(LENGTHS) if f"runner{i}" not in finished_before)
    assert rerun == expected
    for n, ns in stamps.items():
        assert (out / n / "analysis.json").stat().st_mtime_ns == ns
    status = BatchStatus(out)
    assert all(status.records[f"runner{i}"]["status"] == "done" for i in range(4))


def test_cli_reports_bad_source_in_one_line(tmp_path, capsys):
    from kneetrack.cli.main import main

    code = main(["batch", str(tmp_path / "nope"), "--out", str(tmp_path / "o"), "-q"])
    assert code == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "Traceback" not in err


@pytest.mark.slow
def test_cli_batch_with_mediapipe_on_real_clip(shared_data, tmp_path, capsys):
    from kneetrack.cli.main import main

    clip = shared_data / "video" / "running_side_outdoor.mp4"
    code = main(["batch", str(clip), "--out", str(tmp_path / "o"), "--workers", "1",
                 "--no-overlay", "-q"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "1 of 1 videos analysed" in out
    a = json.loads((tmp_path / "o" / "running_side_outdoor" / "analysis.json").read_text())
    assert a["input"]["kind"] == "video" and a["input"]["frames"] == 47
    assert a["quality"]["tracked_fraction"] > 0.5
    # running again does nothing but report it
    assert main(["batch", str(clip), "--out", str(tmp_path / "o"), "-q"]) == 0
    assert "1 were already done" in capsys.readouterr().out
