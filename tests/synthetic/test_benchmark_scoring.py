"""The accuracy benchmark's matching and scoring (so its table can be trusted)."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "kinematics_accuracy.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("kinematics_accuracy", BENCH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["kinematics_accuracy"] = mod          # dataclasses look their module up
    sys.path.insert(0, str(BENCH.parent))              # its own import of benchmarks/_support.py
    try:
        spec.loader.exec_module(mod)
        yield mod
    finally:
        sys.path.remove(str(BENCH.parent))
        sys.modules.pop("kinematics_accuracy", None)


class _Kp:
    fps = 60.0


def _truth(n=10, step=0.35, stance=0.23):
    st = []
    for i in range(n):
        leg = "left" if i % 2 == 0 else "right"
        ic = 0.5 + i * step
        st.append({"leg": leg, "contact_s": ic, "toe_off_s": ic + stance,
                   "fppa_peak_deg": 10.0 if leg == "left" else 4.0,
                   "hip_adduction_peak_deg": 9.0, "pelvic_drop_peak_deg": 5.0})
    return {"stances": st, "cadence_spm": 60.0 / step}


def _case(bench, view="front"):
    return bench.Case("t", view, "synthetic", True, make=None)


def test_perfect_engine_passes(bench):
    truth = _truth()
    contract = {"stances": [dict(s) for s in truth["stances"]], "cadence_spm": truth["cadence_spm"]}
    row = bench.score(_case(bench), _Kp(), truth, contract, 0.1)
    assert row.found_pct == 100 and row.spurious_pct == 0
    assert row.contact_ms == 0 and row.cadence_err == 0
    assert row.metric_err["fppa_peak_deg"] == 0
    assert row.verdict == "PASS"


def test_errors_are_measured_and_judged(bench):
    truth = _truth()
    det = []
    for s in truth["stances"]:
        d = dict(s)
        d["contact_s"] += 0.025                  # 25 ms late: fails the 20 ms front target
        d["toe_off_s"] -= 0.010
        d["fppa_peak_deg"] += 3.0 if s["leg"] == "left" else 1.0
        det.append(d)
    det = det[1:]                                # one stance missed
    det.append({"leg": "left", "contact_s": 2.0, "toe_off_s": 2.2})     # one spurious
    contract = {"stances": det, "cadence_spm": truth["cadence_spm"] + 2.0}
    row = bench.score(_case(bench), _Kp(), truth, contract, 0.1)
    assert row.found_pct == pytest.approx(90.0)
    assert row.spurious_pct == pytest.approx(10.0)
    assert row.contact_ms == pytest.approx(25.0)
    assert row.contact_bias_ms == pytest.approx(25.0)
    assert row.toe_off_ms == pytest.approx(10.0)
    assert row.cadence_err == pytest.approx(2.0)
    assert row.metric_err["fppa_peak_deg"] == pytest.approx(3.0)        # worst leg
    assert set(row.failures) == {"contact", "cadence", "fppa"}
    # the rear view allows 35 ms
    row = bench.score(_case(bench, "rear"), _Kp(), truth, contract, 0.1)
    assert "contact" not in row.failures


def test_wrong_leg_is_not_matched_and_no_stances_row(bench):
    truth = _truth()
    det = [dict(s, leg="right" if s["leg"] == "left" else "left") for s in truth["stances"]]
    row = bench.score(_case(bench), _Kp(), truth, {"stances": det, "cadence_spm": None}, 0.1)
    assert row.found_pct == 0 and row.verdict == "FAIL"
    row = bench.score(_case(bench), _Kp(), truth, {"stances": [], "cadence_spm": None}, 0.1)
    assert row.verdict == "NO STANCES"
    assert math.isnan(row.contact_ms)


def test_match_is_one_to_one_nearest_first(bench):
    truth = [{"leg": "left", "contact_s": 1.0}, {"leg": "left", "contact_s": 1.3}]
    det = [{"leg": "left", "contact_s": 1.12}, {"leg": "left", "contact_s": 1.05}]
    pairs = bench.match_stances(truth, det, 0.2)
    assert sorted(pairs) == [(0, 1), (1, 0)]


class _NoStances:
    def to_contract(self):
        return {"view": "front", "stances": [], "cadence_spm": None}


def test_benchmark_runs_with_an_engine_that_finds_nothing_or_fails(bench, monkeypatch, capsys):
    from kneetrack_synthetic.runner import synthetic_clip

    import kneetrack.kinematics as kin

    case = bench.Case("syn:tiny", "front", "synthetic", True,
                      make=lambda: synthetic_clip("front", duration_s=2.0))
    monkeypatch.setattr(kin, "analyze_keypoints", lambda kp, view=None: _NoStances())
    row = bench.run_case(case)
    assert row.verdict == "NO STANCES" and row.n_truth > 0

    def boom(kp, view=None):
        raise RuntimeError("engine under construction")

    monkeypatch.setattr(kin, "analyze_keypoints", boom)
    row = bench.run_case(case)
    assert row.verdict == "ERROR" and "under construction" in row.error
    bench.print_table([row], [case])
    assert "ERROR" in capsys.readouterr().out
    # the script reports and exits 0; --strict turns a failed gated row into exit 1
    monkeypatch.setattr(bench, "synthetic_cases", lambda quick: [case])
    monkeypatch.setattr(bench, "mocap_cases", lambda quick: [])
    assert bench.main(["--no-speed"]) == 0
    assert bench.main(["--no-speed", "--strict"]) == 1
