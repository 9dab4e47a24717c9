"""Structure checks of the JSON documents people hand to kneetrack: programmes and workout logs.

Each check raises :class:`~kneetrack.errors.InputError` with one line naming the
field by its path (``weeks[0].sessions[2].date``), so that a hand-edited or
damaged file is refused before it reaches the store, the planner or a report.
Only what those readers rely on is checked; unknown fields are allowed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

from kneetrack.errors import InputError

PROGRAMME_SCHEMA = "kneetrack.programme/1"


def _fail(field: str, problem: str, value: Any) -> InputError:
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return InputError(f"{field} {problem}, got {shown}")


def check_date(value: Any, field: str) -> None:
    """``value`` is a ``YYYY-MM-DD`` string (a time part after it is allowed)."""
    if not isinstance(value, str):
        raise _fail(field, "must be a YYYY-MM-DD date", value)
    try:
        dt.date.fromisoformat(value[:10])
    except ValueError:
        raise _fail(field, "must be a YYYY-MM-DD date", value) from None


def check_number(value: Any, field: str, *, lo: float, hi: float, whole: bool = False,
                 optional: bool = True) -> None:
    """``value`` is a finite number in ``[lo, hi]`` (a whole one when ``whole``), or ``None``."""
    if value is None and optional:
        return
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    ok = ok and math.isfinite(value) and lo <= value <= hi
    if ok and whole:
        ok = float(value).is_integer()
    if not ok:
        kind = "a whole number" if whole else "a number"
        raise _fail(field, f"must be {kind} from {lo:g} to {hi:g}", value)


def check_text(value: Any, field: str, *, optional: bool = True, max_len: int = 2000) -> None:
    """``value`` is a string (non-empty unless ``optional``), or ``None`` when optional."""
    if value is None and optional:
        return
    if not isinstance(value, str) or (not optional and not value.strip()) or len(value) > max_len:
        raise _fail(field, "must be text" if optional else "must be non-empty text", value)


def _object(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(field, "must be a JSON object", value)
    return value


def _list(value: Any, field: str) -> Sequence[Any]:
    if not isinstance(value, list):
        raise _fail(field, "must be a list", value)
    return value


def check_programme(data: Any) -> None:
    """Check the parts of a ``programme.json`` that the store, ``log`` and ``plan`` read.

    Raises
    ------
    InputError
        Naming the first field that is missing or of the wrong kind.
    """
    doc = _object(data, "programme")
    schema = doc.get("schema")
    if schema is not None and schema != PROGRAMME_SCHEMA:
        raise _fail("schema", f"must be {PROGRAMME_SCHEMA!r}", schema)
    for key in ("start", "start_date"):
        if doc.get(key):
            check_date(doc[key], key)
    if doc.get("settings") is not None:
        settings = _object(doc["settings"], "settings")
        if settings.get("start"):
            check_date(settings["start"], "settings.start")
    for key in ("causes", "phases", "cues"):
        if doc.get(key) is not None:
            _list(doc[key], key)
    weeks = _list(doc.get("weeks"), "weeks")
    if not weeks:
        raise InputError("weeks: the programme has no weeks")
    seen: set[int] = set()
    for i, raw in enumerate(weeks):
        where = f"weeks[{i}]"
        week = _object(raw, where)
        n = week.get("week", i + 1)
        check_number(n, f"{where}.week", lo=1, hi=520, whole=True, optional=False)
        if int(n) in seen:
            raise _fail(f"{where}.week", "appears twice", n)
        seen.add(int(n))
        check_text(week.get("phase"), f"{where}.phase")
        if week.get("start"):
            check_date(week["start"], f"{where}.start")
        for j, s in enumerate(_list(week.get("sessions", []), f"{where}.sessions")):
            _check_session(s, f"{where}.sessions[{j}]")


def _check_session(raw: Any, where: str) -> None:
    session = _object(raw, where)
    if session.get("date") is not None:
        check_date(session["date"], f"{where}.date")
    check_text(session.get("kind"), f"{where}.kind")
    for k, item in enumerate(_list(session.get("items", []), f"{where}.items")):
        it = _object(item, f"{where}.items[{k}]")
        if "exercise_id" in it:
            check_text(it["exercise_id"], f"{where}.items[{k}].exercise_id", optional=False)
        check_number(it.get("sets"), f"{where}.items[{k}].sets", lo=0, hi=50, whole=True)
        check_number(it.get("reps"), f"{where}.items[{k}].reps", lo=0, hi=1000, whole=True)
        check_number(it.get("hold_s"), f"{where}.items[{k}].hold_s", lo=0, hi=3600)
        if it.get("load") is not None and not isinstance(it["load"], str | int | float):
            raise _fail(f"{where}.items[{k}].load", "must be text or a number", it["load"])


#: The fields of one workout-log entry, with how each is checked.
LOG_FIELDS = ("exercise_id", "sets", "reps", "hold_s", "load", "rpe", "pain", "note")


def check_log_entry(entry: Any, where: str = "") -> None:
    """Check one workout-log entry (``exercise_id`` and optional dose, RPE, pain, note).

    ``where`` (``entries[2]``) prefixes the field names in messages.
    """
    def f(name: str) -> str:
        return f"{where}.{name}" if where else name

    e = _object(entry, where or "log entry")
    unknown = sorted(str(k) for k in e if k not in LOG_FIELDS)
    if unknown:
        raise InputError(f"{where or 'log'}: unknown log field(s): {', '.join(unknown)}")
    check_text(e.get("exercise_id"), f("exercise_id"), optional=False, max_len=64)
    check_number(e.get("sets"), f("sets"), lo=0, hi=50, whole=True)
    check_number(e.get("reps"), f("reps"), lo=0, hi=1000, whole=True)
    check_number(e.get("hold_s"), f("hold_s"), lo=0, hi=3600)
    check_number(e.get("rpe"), f("rpe"), lo=1, hi=10)
    check_number(e.get("pain"), f("pain"), lo=0, hi=10)
    load = e.get("load")
    if load is not None and (not isinstance(load, str) or len(load) > 64):
        raise _fail(f("load"), "must be text up to 64 characters (e.g. 'red band', '8 kg')",
                    load)
    check_text(e.get("note"), f("note"))
