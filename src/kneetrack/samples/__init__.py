"""Sample data shipped with kneetrack (see ATTRIBUTION.md)."""

from __future__ import annotations

from pathlib import Path

SAMPLES = Path(__file__).parent


def sample_path(name: str) -> Path:
    """Return the path of a bundled sample file."""
    p = SAMPLES / name
    if not p.is_file():
        raise FileNotFoundError(p)
    return p
