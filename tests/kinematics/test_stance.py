"""StanceRecord: the typed stance writes exactly the analysis.json stance fields."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest
from kneetrack_synthetic.runner import synthetic_clip

from kneetrack.kinematics import analyze_keypoints
from kneetrack.kinematics.bounds import withhold
from kneetrack.kinematics.events import ContactDetector
from kneetrack.kinematics.metrics import StanceMetrics, compute_series
from kneetrack.kinematics.plausibility import PlausibilityGate, apply_bounds
from kneetrack.kinematics.stance import CORE_FIELDS, StanceRecord, as_stance_record
from kneetrack.kinematics.summary import reject_outlier_stances
from kneetrack.kinematics.thresholds import Thresholds

#: The stance fields of the analysis.json contract (DESIGN.md).
CONTRACT = ("leg", "contact_s", "toe_off_s", "fppa_peak_deg", "hip_adduction_peak_deg",
            "pelvic_drop_peak_deg", "crossover", "foot_strike_angle_deg", "foot_strike",
            "shank_angle_ic_deg", "knee_flexion_ic_deg")


def _stance_dicts(view: str) -> list[dict]:
    kp, _ = synthetic_clip(view, duration_s=5.0, seed=11, dropout=0.02)
    from kneetrack.kinematics.cleaners import clean_keypoints

    clean = clean_keypoints(kp, view=view)
    events = ContactDetector(view).detect(clean)
    records = StanceMetrics(view).calculate(compute_series(clean, view), events.stances_).stances_
    assert all(isinstance(r, StanceRecord) for r in records)
    return [r.to_dict() for r in records]  # the stances as analysis.json writes them


def _same(a: object, b: object) -> bool:
    """Equality that counts NaN equal to NaN (the unrounded records hold NaN)."""
    return json.dumps(a, default=str) == json.dumps(b, default=str)


@pytest.mark.parametrize("view", ["front", "side-right"])
def test_to_dict_gives_back_the_stance_dict_field_for_field(view: str) -> None:
    dicts = _stance_dicts(view)
    assert dicts
    for d in dicts:
        rec = StanceRecord.from_dict(d)
        out = rec.to_dict()
        assert list(out) == list(d)                       # same fields, same order
        assert _same(out, d)
        assert set(CONTRACT) <= set(out)
        assert rec.leg == d["leg"] and rec.complete == d["complete"]
        if view == "front" and d["complete"]:
            assert rec.fppa_peak_deg == d["fppa_peak_deg"]
            assert rec.ankle_lateral_offset_px == d["ankle_lateral_offset_px"]
            assert rec.near_camera is None and "near_camera" not in rec
        if view == "side-right":
            assert rec.near_camera == d["near_camera"]
            assert "ankle_lateral_offset_px" not in rec


def test_in_place_stages_change_a_record_as_they_change_a_dict() -> None:
    dicts = _stance_dicts("front")
    # Plant implausible values so that bounds and outlier rejection have work to do.
    dicts[1]["fppa_peak_deg"] = 130.0
    dicts[2]["hip_adduction_peak_deg"] = 39.0
    dicts[3].setdefault("rejected", {})["pelvic_drop_peak_deg"] = 80.0
    dicts[3]["pelvic_drop_peak_deg"] = None
    records = [StanceRecord.from_dict(copy.deepcopy(d)) for d in dicts]
    limits = Thresholds.packaged().plausibility
    w_dict = apply_bounds(dicts, limits["bounds"])
    w_rec = apply_bounds(records, limits["bounds"])  # type: ignore[arg-type]
    assert w_dict == w_rec
    assert reject_outlier_stances(dicts, view="front") == reject_outlier_stances(
        records, view="front")
    gate = PlausibilityGate(limits)
    gate.withhold_all(dicts[:3], "test")
    gate.withhold_all(records[:3], "test")  # type: ignore[arg-type]
    withhold(dicts[5], "fppa_peak_deg", "why")
    withhold(records[5], "fppa_peak_deg", "why")  # type: ignore[arg-type]
    for d, r in zip(dicts, records, strict=True):
        assert _same(r.to_dict(), d)
    assert records[1].withheld["fppa_peak_deg"]["value"] == 130.0
    assert records[1].fppa_peak_deg is None
    assert "rejected" not in records[3] and records[3].rejected == {}


def test_the_contract_writes_the_records_rounded() -> None:
    kp, _ = synthetic_clip("rear", duration_s=6.0, seed=12)
    res = analyze_keypoints(kp, view="rear")
    assert all(isinstance(s, StanceRecord) for s in res.stances)
    written = res.to_contract()["stances"]
    kept = [s for s in res.stances if math.isfinite(s.contact_s)]
    assert len(written) == len(kept) > 0
    for rec, out in zip(kept, written, strict=True):
        assert list(out) == list(rec.to_dict())
        assert out["contact_s"] == round(rec.contact_s, 4)
        if rec.fppa_peak_deg is not None:
            assert out["fppa_peak_deg"] == round(rec.fppa_peak_deg, 2)
        # analysis.json round trip: reading the written stance back gives the same record.
        again = StanceRecord.from_dict(json.loads(json.dumps(out)))
        assert again.to_dict() == out


def test_mapping_interface_guards_the_fields() -> None:
    rec = StanceRecord("right", 2.0, 2.3)
    assert list(rec)[: len(CORE_FIELDS)] == list(CORE_FIELDS)
    assert len(rec) == len(CORE_FIELDS)
    with pytest.raises(TypeError):
        del rec["leg"]
    with pytest.raises(TypeError):
        rec["withheld"] = None
    assert rec.pop("rejected") == {} and "rejected" not in rec
    rec["new_field"] = 1.5            # fields added to the contract later are kept
    assert rec.to_dict()["new_field"] == 1.5
    assert as_stance_record(rec) is rec
    assert rec.value("contact_s") == 2.0 and rec.value("foot_strike") is None
    rec["shank_angle_ic_deg"] = float("nan")
    assert rec.value("shank_angle_ic_deg") is None
    assert StanceRecord.from_dict({"leg": "left", "contact_s": None}).contact_s != 0.0
    assert np.isnan(StanceRecord.from_dict({"leg": "left"}).toe_off_s)
