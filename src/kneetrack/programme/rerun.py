"""Recognise a week that was adapted already, so that ``plan --next-week`` run twice adapts once.

An adapted programme version carries ``adapted_from``: the programme week whose
logs it was made from and a digest of everything the adapter was given (the
logs and the retest). Running the adaptation again then has three outcomes:

- the same week with the same inputs (a rerun, e.g. after the first run was
  killed after it had stored its result): the stored version is the answer;
- the same week with other inputs (more sessions logged, a new retest): the
  week is adapted again *from the version before it*, never on top of itself;
- a later week: the active version is adapted as usual.

Examples
--------
>>> logs = [{"date": "2026-03-02", "exercise_id": "glute_bridge", "pain": 1}]
>>> key = inputs_key(logs, None)
>>> prog = stamp({"weeks": []}, week=1, key=key)
>>> rerun_of(prog, week=1, key=inputs_key(list(logs), None))
'same'
>>> rerun_of(prog, week=1, key=inputs_key(logs + logs, None))
'redo'
>>> rerun_of(prog, week=2, key=key)
'new'
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

#: Key of the stamp in ``programme.json``.
STAMP = "adapted_from"


def inputs_key(logs: Sequence[Mapping[str, Any]], retest: Mapping[str, Any] | None) -> str:
    """A digest of the adapter's inputs (order of keys does not matter, order of logs does)."""
    doc = {"logs": [dict(lg) for lg in logs], "retest": None if retest is None else dict(retest)}
    text = json.dumps(doc, sort_keys=True, default=str, allow_nan=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def stamp(programme: Mapping[str, Any], *, week: int | None, key: str) -> dict[str, Any]:
    """A copy of an adapted ``programme`` that records the week and inputs it came from."""
    out = copy.deepcopy(dict(programme))
    out[STAMP] = {"week": week, "inputs": key}
    return out


def rerun_of(
    programme: Mapping[str, Any], *, week: int | None, key: str
) -> Literal["same", "redo", "new"]:
    """How an adaptation of ``week`` with inputs ``key`` relates to the stamped ``programme``.

    Returns
    -------
    str
        ``"same"``: the programme is that adaptation already; ``"redo"``: it
        adapted the same week from other inputs (adapt its parent again);
        ``"new"``: it is not an adaptation of this week (adapt it).
    """
    mark = programme.get(STAMP)
    if not isinstance(mark, Mapping) or "week" not in mark or mark.get("week") != week:
        return "new"
    return "same" if mark.get("inputs") == key else "redo"
