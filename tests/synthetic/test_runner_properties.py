"""Across the parameter space the runner stays physical and its truth equals the request."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from kneetrack_synthetic.camera import Camera
from kneetrack_synthetic.runner import RunnerParams, simulate_runner


def far(view: str) -> Camera:
    return Camera(view, distance_m=300.0, focal_px=1400.0 * 300.0 / 3.5, height_m=0.8,
                  target_height_m=0.8)


runner_kwargs = st.fixed_dictionaries({
    "cadence_spm": st.floats(155, 195),
    "duty_factor": st.floats(0.26, 0.42),
    "speed_ms": st.floats(2.4, 4.2),
    "fppa_peak_deg": st.floats(0.0, 18.0),
    "pelvic_drop_peak_deg": st.floats(0.5, 9.0),
    "step_width_m": st.floats(-0.08, 0.14),
    "foot_angle_ic_deg": st.floats(-10.0, 22.0),
    "shank_angle_ic_deg": st.floats(0.0, 14.0),
    "knee_flexion_ic_deg": st.floats(8.0, 24.0),
    "thigh_m": st.floats(0.40, 0.50),
    "shank_m": st.floats(0.38, 0.48),
})


# no shrinking: each example simulates a runner, and the failing example is printed as is
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(runner_kwargs, st.integers(0, 10_000))
def test_random_runners_are_physical_and_truthful(kw, seed):
    params = RunnerParams.make(stance_sd_deg=0.0, step_time_cv=0.0, **kw)
    contact_length = params.speed_ms * params.duty_factor * 120.0 / params.cadence_spm
    assume(contact_length < 0.9 * (params.thigh_m + params.shank_m))   # else refused
    m = simulate_runner(params, duration_s=3.0, fps=60, seed=seed)
    for arr in m.positions.values():
        assert np.isfinite(arr).all()
    t = m.time_s
    for leg in ("left", "right"):
        assert m.contacts_s[leg].size >= 2
        assert np.nanmin(m.positions[f"{leg}_toe"][:, 2]) > 0.0
        for ic, to in zip(m.contacts_s[leg], m.toe_offs_s[leg], strict=True):
            flat = (t > ic + 0.35 * (to - ic)) & (t < ic + 0.5 * (to - ic))
            np.testing.assert_allclose(m.positions[f"{leg}_heel"][flat, 2],
                                       params.heel_marker_height_m, atol=0.004)
    front = far("front")
    truth = m.truth(front)
    for s in truth["stances"]:
        assert abs(s["fppa_peak_deg"] - kw["fppa_peak_deg"]) < 0.3
        assert abs(s["pelvic_drop_peak_deg"] - kw["pelvic_drop_peak_deg"]) < 0.2
        if abs(kw["step_width_m"]) > 0.005:         # on the midline counts as a crossover
            assert s["crossover"] == (kw["step_width_m"] < 0)
    side = m.truth(far("side-right"))
    for s in side["stances"]:
        assert abs(s["shank_angle_ic_deg"] - kw["shank_angle_ic_deg"]) < 0.1
        assert abs(s["knee_flexion_ic_deg"] - kw["knee_flexion_ic_deg"]) < 0.1
        assert abs(s["foot_strike_angle_deg"] - kw["foot_angle_ic_deg"]) < 0.1
    assert abs(truth["cadence_spm"] - kw["cadence_spm"]) < 0.5
