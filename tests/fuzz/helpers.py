"""Strategies and checks shared by the fuzz tests."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from kneetrack.errors import KneetrackError

#: Any JSON value (NaN and infinities included: Python's json reads them).
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                   max_size=4),
    max_leaves=8,
)


def paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and indices) to a value inside ``doc``."""
    out = [prefix] if prefix else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:3]):
            out += paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw: Any, doc: Any) -> tuple[Any, tuple[Any, ...] | None]:
    """``doc`` with one value replaced by any JSON value, or deleted; and the path changed."""
    every = paths(doc)
    new = copy.deepcopy(doc)
    if not every:
        return draw(json_values), None
    path = draw(st.sampled_from(every))
    parent = new
    for key in path[:-1]:
        parent = parent[key]
    if draw(st.booleans()) and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(json_values)
    return new, path


def write_json(path: Path, data: Any) -> Path:
    """Write ``data`` as JSON (non-strict: NaN and Infinity as Python writes them)."""
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def check_rejection(call: Callable[[], Any], *, path: Path,
                    field: tuple[Any, ...] | None = None) -> Any:
    """Run ``call``; a rejection must be a one-line :class:`KneetrackError` naming ``path``.

    When ``field`` (the path of the value that was changed) is given, the
    message must also name one of its keys (the field or a parent of it).
    Any other exception escapes and fails the test, as it would be a traceback.
    """
    try:
        return call()
    except KneetrackError as err:
        msg = str(err)
        assert msg and "\n" not in msg, f"not one line: {msg!r}"
        assert str(path) in msg, f"the message does not name the file {path}: {msg!r}"
        if field:
            keys = [str(k) for k in field if isinstance(k, str)]
            if keys:
                assert any(k in msg for k in keys), \
                    f"the message names none of the fields {keys}: {msg!r}"
        return None
