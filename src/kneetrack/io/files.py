"""Small, safe file helpers: atomic writes and JSON reads that fail with one clear line.

The atomic writes live in :mod:`kneetrack.core.atomic` (every layer may use
them) and are re-exported here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kneetrack.core.atomic import write_bytes_atomic, write_json_atomic, write_text_atomic
from kneetrack.errors import InputError

__all__ = ["read_json_object", "write_bytes_atomic", "write_json_atomic", "write_text_atomic"]


def read_json_object(path: str | Path, *, what: str = "JSON file") -> dict[str, Any]:
    """Read a JSON object from ``path``; raise :class:`InputError` with one line otherwise.

    Parameters
    ----------
    path
        The file to read.
    what
        What the file is, for the message (``"analysis"``, ``"answers file"``...).
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{what} not found: {p}")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{p} is not valid JSON: {err}") from None
    if not isinstance(data, dict):
        raise InputError(f"{p}: the {what} must hold a JSON object")
    return data
