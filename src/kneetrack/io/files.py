"""Small, safe file helpers: atomic writes and JSON reads that fail with one clear line.

Every file kneetrack writes for a user goes through a temporary ``*.part`` file
and a rename, so a crash or a full disk never leaves half a file that looks
complete, and an older good file is replaced only by a complete new one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from kneetrack.errors import InputError


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through ``path.part``, flushed to disk, then renamed."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".part")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(p)
    return p


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` atomically (see :func:`write_bytes_atomic`)."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: str | Path, data: Any) -> Path:
    """Write strict JSON (no NaN) atomically, indented for people to read."""
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return write_text_atomic(path, text)


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
