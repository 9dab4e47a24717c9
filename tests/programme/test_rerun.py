"""A week adapted twice from the same inputs is recognised (``kneetrack.programme.rerun``)."""

from __future__ import annotations

import math

from kneetrack.programme.rerun import STAMP, inputs_key, rerun_of, stamp

LOGS = [{"date": "2026-03-02", "exercise_id": "glute_bridge", "sets": 3, "reps": 12,
         "pain": 1.0, "rpe": 5.0, "week": 1}]
RETEST = {"changes_deg": {"fppa_peak_deg": -2.0}, "real_change": False}


def test_key_ignores_key_order_but_not_values() -> None:
    k = inputs_key(LOGS, RETEST)
    assert k == inputs_key([dict(reversed(list(LOGS[0].items())))], dict(reversed(RETEST.items())))
    assert k != inputs_key(LOGS, None)
    assert k != inputs_key([{**LOGS[0], "pain": 2.0}], RETEST)
    assert k != inputs_key(LOGS + LOGS, RETEST)
    assert inputs_key([{**LOGS[0], "rpe": math.nan}], None)  # NaN does not crash it


def test_stamp_copies_and_rerun_reads_it() -> None:
    prog = {"weeks": [{"week": 1}], "adaptations": []}
    key = inputs_key(LOGS, None)
    out = stamp(prog, week=1, key=key)
    assert STAMP not in prog and out[STAMP] == {"week": 1, "inputs": key}
    out["weeks"].append({"week": 2})
    assert len(prog["weeks"]) == 1  # a deep copy
    assert rerun_of(out, week=1, key=key) == "same"
    assert rerun_of(out, week=1, key=inputs_key(LOGS, RETEST)) == "redo"
    assert rerun_of(out, week=2, key=key) == "new"
    assert rerun_of(prog, week=1, key=key) == "new"  # never adapted
    assert rerun_of({STAMP: "junk"}, week=1, key=key) == "new"
    no_logs = stamp(prog, week=None, key=inputs_key([], None))
    assert rerun_of(no_logs, week=None, key=inputs_key([], None)) == "same"
