"""Shared fixtures: where the real data lives, and small video/keypoint factories."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from video_factory import write_video

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO / ".." / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real test data folder (``../shared/data``); skips when absent outside CI."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"shared data folder missing in CI: {SHARED_DATA}")
        pytest.skip(f"shared data folder not found: {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def make_video(tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``make_video("name.mp4", frames=..., fps=..., codec=...)``."""

    def _make(name: str = "clip.mp4", **kw: object) -> Path:
        return write_video(tmp_path / name, **kw)  # type: ignore[arg-type]

    return _make


@pytest.fixture
def warm_starts(monkeypatch) -> list:
    """Pose processes started ahead are stand-ins here; the list holds those started.

    Each stand-in counts its ``close`` calls (``closed``).
    """
    from kneetrack.pose.warm import WarmPoseProcess

    started: list = []

    class StandIn:
        closed = 0

        def close(self) -> None:
            self.closed += 1

    def start():
        started.append(StandIn())
        return started[-1]

    monkeypatch.setattr(WarmPoseProcess, "start", staticmethod(start))
    return started
