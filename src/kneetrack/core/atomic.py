"""Atomic file writes: a crash or a full disk never leaves half a file that looks complete.

Every file kneetrack writes for a user goes through a temporary ``*.part``
file, flushed to disk, and a rename, so an older good file is replaced only by
a complete new one. (:mod:`kneetrack.io.files` re-exports these for its readers.)
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


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
    """Write strict JSON (no NaN) atomically, indented for people to read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_json_atomic(d / "a.json", {"x": 1}).read_text().split()
    ['{', '"x":', '1', '}']
    >>> sorted(p.name for p in d.iterdir())
    ['a.json']
    """
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return write_text_atomic(path, text)
