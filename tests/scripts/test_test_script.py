"""Issue 16 point 6: scripts/test.sh stops the PostgreSQL it started, and only that one."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BINDIR = sorted(glob.glob("/usr/lib/postgresql/*/bin"))

pytestmark = [
    pytest.mark.skipif(not BINDIR, reason="PostgreSQL server binaries not installed"),
    pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash"),
    pytest.mark.timeout(240),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ready(port: int) -> bool:
    return subprocess.run([f"{BINDIR[-1]}/pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)],
                          check=False).returncode == 0


@pytest.fixture
def pg_env(tmp_path):
    """A private server folder and port, and a fake venv whose python records its arguments."""
    pg_dir = Path(tempfile.mkdtemp(prefix="kt-pg-test-", dir="/tmp"))
    pg_dir.chmod(0o755)  # the server runs as the postgres user
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    log = tmp_path / "pytest-args.txt"
    fake = venv / "bin" / "python"
    fake.write_text(f'#!/bin/sh\necho "$@" > {log}\necho "URL=$KNEETRACK_TEST_PG_URL" >> {log}\n'
                    'exit "${FAKE_PYTEST_RC:-0}"\n')
    fake.chmod(0o755)
    port = _free_port()
    env = {**os.environ, "VENV": str(venv), "KNEETRACK_PG_DIR": str(pg_dir),
           "KNEETRACK_PG_PORT": str(port), "KNEETRACK_SKIP_APT": "1"}
    env.pop("KNEETRACK_PG_STARTED", None)
    yield env, port, log
    subprocess.run(["bash", str(REPO / ".ci" / "start-postgres.sh"), "stop"], env=env,
                   capture_output=True, check=False)
    shutil.rmtree(pg_dir, ignore_errors=True)


@pytest.mark.parametrize("rc", [0, 3])
def test_throwaway_server_is_stopped_when_the_suite_ends(pg_env, rc):
    env, port, log = pg_env
    r = subprocess.run(["bash", str(REPO / "scripts" / "test.sh"), "-k", "x"],
                       env={**env, "FAKE_PYTEST_RC": str(rc)}, capture_output=True, text=True,
                       cwd=REPO, timeout=200)
    assert r.returncode == rc, r.stderr
    args = log.read_text()
    assert "--durations=15" in args and "-k x" in args
    assert f"127.0.0.1:{port}/" in args  # the suite ran with the server up
    assert not _ready(port), "scripts/test.sh left its PostgreSQL running"


def test_server_the_user_started_is_left_running(pg_env):
    env, port, log = pg_env
    start = subprocess.run(["bash", "-c", f"source {REPO}/.ci/start-postgres.sh start"],
                           env=env, capture_output=True, text=True, timeout=120)
    assert start.returncode == 0, start.stderr
    assert _ready(port)
    r = subprocess.run(["bash", str(REPO / "scripts" / "test.sh")], env=env, capture_output=True,
                       text=True, cwd=REPO, timeout=200)
    assert r.returncode == 0, r.stderr
    assert f"127.0.0.1:{port}/" in log.read_text()
    assert _ready(port), "scripts/test.sh stopped a server it did not start"
