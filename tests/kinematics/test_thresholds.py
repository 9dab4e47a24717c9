"""Typed thresholds: read once from the data files, read-only, handed to the engine."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from kneetrack_synthetic.runner import synthetic_clip

from kneetrack.errors import SettingsError
from kneetrack.kinematics import analyze_keypoints
from kneetrack.kinematics.thresholds import (
    CleaningSettings,
    Thresholds,
    load_plausibility_limits,
    load_running_thresholds,
)


def test_packaged_values_come_from_the_data_files() -> None:
    th = Thresholds.packaged()
    running = load_running_thresholds()
    assert th.min_fps == float(running["min_fps"]) == 60.0
    assert th.min_stances_per_side == running["min_stances_per_side"] == 7
    assert th.foot_strike.rearfoot_min_deg == running["foot_strike"]["rearfoot_min_deg"]
    assert th.foot_strike.forefoot_max_deg == running["foot_strike"]["forefoot_max_deg"]
    assert th.sdd_deg["fppa_peak_deg"] == running["smallest_detectable_difference_deg"][
        "fppa_peak_deg"]
    assert "source" not in th.sdd_deg
    assert th.plausibility is load_plausibility_limits()
    assert Thresholds.packaged() is th          # loaded once


def test_thresholds_are_read_only() -> None:
    th = Thresholds.packaged()
    with pytest.raises(dataclasses.FrozenInstanceError):
        th.min_fps = 30.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        th.running["rules"].append({})
    with pytest.raises(TypeError):
        th.sdd_deg["fppa_peak_deg"] = 0.0


def test_a_missing_value_is_a_one_line_settings_error() -> None:
    running = dict(load_running_thresholds())
    del running["min_fps"]
    with pytest.raises(SettingsError, match="min_fps"):
        Thresholds.from_mappings(running, load_plausibility_limits())
    with pytest.raises(SettingsError, match="cutoff_hz"):
        CleaningSettings(cutoff_hz=0.0)


def test_handed_in_thresholds_are_used() -> None:
    kp, _truth = synthetic_clip("front", duration_s=6.0, seed=5)
    base = Thresholds.packaged()
    default = analyze_keypoints(kp, view="front")
    same = analyze_keypoints(kp, view="front", thresholds=base)
    assert same.to_contract()["stances"] == default.to_contract()["stances"]
    strict = dataclasses.replace(base, min_stances_per_side=1000, min_fps=1000.0)
    notes = analyze_keypoints(kp, view="front", thresholds=strict).quality["warnings"]
    assert any("at least 1000 per side" in n for n in notes)
    assert any("below 1000 fps" in n for n in notes)
    # The cleaning settings reach the chain: a lower cut-off smooths the angles more.
    soft = dataclasses.replace(base, cleaning=CleaningSettings(cutoff_hz=2.0))
    res = analyze_keypoints(kp, view="front", thresholds=soft)
    assert res.keypoints.provenance[-1].params["cutoff_hz"] == 2.0
    a = np.nanstd(np.diff(res.series["left_fppa_deg"]))
    b = np.nanstd(np.diff(default.series["left_fppa_deg"]))
    assert a < b
