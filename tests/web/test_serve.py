from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from kneetrack.cli.main import main


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    import uvicorn

    seen: dict[str, Any] = {}

    def fake_run(app: Any, **kw: Any) -> None:
        seen["app"] = app
        seen.update(kw)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return seen


def test_serve_binds_to_loopback_unless_told(tmp_path: Path, captured: dict[str, Any]) -> None:
    db = tmp_path / "k.db"
    assert main(["serve", "--db", str(db)]) == 0
    assert captured["host"] == "127.0.0.1" and captured["port"] == 8000
    assert isinstance(captured["app"], FastAPI)
    assert db.is_file()                                  # the CLI's store, made on first use
    assert main(["serve", "--db", str(db), "--host", "0.0.0.0", "--port", "8123"]) == 0
    assert (captured["host"], captured["port"]) == ("0.0.0.0", 8123)


def test_serve_uses_the_same_store_as_the_cli(tmp_path: Path, captured: dict[str, Any]) -> None:
    db = tmp_path / "shared.db"
    assert main(["athlete", "add", "Cli Person", "--db", str(db)]) == 0
    assert main(["serve", "--db", f"sqlite:///{db}"]) == 0
    store = captured["app"].state.kt.store
    assert store.find_athlete("Cli Person") is not None
    store.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_really_serves(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kneetrack", "serve", "--db", str(tmp_path / "s.db"),
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/setup", timeout=2) as r:
                    body = r.read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)
        assert "Create the owner account" in body
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
