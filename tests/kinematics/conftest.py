"""Shared fixtures: the real motion-capture runners projected to 2D (mocap2d)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kneetrack.io.trc import read_trc
from kneetrack.keypoints import Keypoints

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "mocap2d"


@pytest.fixture(scope="session")
def mocap2d_dir() -> Path:
    if not (DATA / "index.json").exists():
        pytest.skip("shared mocap2d data not available")
    return DATA


@pytest.fixture(scope="session")
def load_trial(mocap2d_dir):
    cache: dict[str, tuple[Keypoints, dict]] = {}

    def _load(name: str) -> tuple[Keypoints, dict]:
        if name not in cache:
            kp = read_trc(mocap2d_dir / f"{name}.trc")
            truth = json.loads((mocap2d_dir / f"{name}.truth.json").read_text())
            cache[name] = (kp, truth)
        return cache[name]

    return _load
