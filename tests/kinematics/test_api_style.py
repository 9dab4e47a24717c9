"""House-style checks: parameters and results documented, action methods return self."""

import inspect

import numpy as np
import pytest

from kneetrack.keypoints import Keypoints
from kneetrack.kinematics.cleaners import (
    ButterworthLowpass,
    CleaningChain,
    GapFilling,
    LowConfidenceRejection,
    OutlierRejection,
    SwapRepair,
    TimeGridResampling,
)
from kneetrack.kinematics.events import ContactDetector
from kneetrack.kinematics.metrics import StanceMetrics
from kneetrack.kinematics.view import ViewDetector

ALGORITHMS = [(ContactDetector, ("front",), "detect"), (ViewDetector, (), "detect"),
              (StanceMetrics, ("front",), "calculate"),
              (LowConfidenceRejection, (), "clean"), (SwapRepair, ("front",), "clean"),
              (OutlierRejection, (), "clean"), (TimeGridResampling, (), "clean"),
              (GapFilling, (), "clean"), (ButterworthLowpass, (), "clean"),
              (CleaningChain, ([GapFilling(), ButterworthLowpass()],), "clean")]


def _kp():
    n = 120
    t = np.arange(n) / 60
    arrays = {}
    for side, x in (("left", 1040.0), ("right", 960.0)):
        phase = 0.0 if side == "left" else np.pi
        lift = 60 * np.clip(np.sin(2 * np.pi * 1.4 * t + phase), 0, None)
        arrays[f"{side}_hip"] = np.stack([np.full(n, x), 500 + 5 * np.sin(4 * np.pi * 1.4 * t)], 1)
        arrays[f"{side}_knee"] = np.stack([np.full(n, x), 700 - lift / 2], 1)
        arrays[f"{side}_ankle"] = np.stack([np.full(n, x), 900 - lift], 1)
    return Keypoints.from_arrays(arrays, fps=60)


@pytest.mark.parametrize(("cls", "args", "action"), ALGORITHMS)
def test_parameters_and_results_documented_and_action_returns_self(cls, args, action):
    doc = inspect.getdoc(cls)
    params = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    for p in params:
        assert f"{p} :" in doc, f"{cls.__name__}: parameter {p} undocumented"
    obj = cls(*args)
    for p in params:
        assert hasattr(obj, p)
    kp = _kp()
    if action == "calculate":
        from kneetrack.kinematics.metrics import compute_series

        det = ContactDetector("front").detect(kp)
        out = obj.calculate(compute_series(kp, "front"), det.stances_)
    else:
        out = getattr(obj, action)(kp)
    assert out is obj
    results = [a for a in vars(obj) if a.endswith("_") and not a.startswith("_")]
    assert results
    for r in results:
        assert f"{r} :" in doc, f"{cls.__name__}: result {r} undocumented"
