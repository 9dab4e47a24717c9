"""Fixtures for the report tests."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import make_analysis


@pytest.fixture
def analysis_front() -> dict[str, Any]:
    return make_analysis()
