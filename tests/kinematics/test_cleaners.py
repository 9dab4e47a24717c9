"""The cleaning chain: the same numbers as the step functions, one provenance entry per step."""

from __future__ import annotations

import numpy as np
import pytest
from kneetrack_synthetic.camera import Camera
from kneetrack_synthetic.runner import RunnerParams, simulate_runner

from kneetrack.core.views import View
from kneetrack.keypoints import Keypoints
from kneetrack.kinematics.cleaners import (
    BaseFilter,
    ButterworthLowpass,
    CleaningChain,
    GapFilling,
    LowConfidenceRejection,
    running_chain,
)
from kneetrack.kinematics.cleaning import (
    fill_gaps,
    lowpass,
    reject_low_confidence,
    reject_outliers,
    repair_swaps,
)


@pytest.fixture(scope="module")
def swapped_front() -> Keypoints:
    motion = simulate_runner(RunnerParams.make(), duration_s=4.0, fps=60.0, seed=3)
    return motion.to_keypoints(Camera("front"), noise_px=1.5, dropout=0.03, swap_rate_hz=1.0,
                               seed=4)


def test_chain_equals_the_step_functions_in_order(swapped_front: Keypoints) -> None:
    kp = swapped_front
    expected = lowpass(fill_gaps(reject_outliers(repair_swaps(
        reject_low_confidence(kp, min_confidence=0.3), view="front")), max_gap_s=0.1))
    got = running_chain(View.FRONT).clean(kp).keypoints_
    np.testing.assert_array_equal(got.xy, expected.xy)
    np.testing.assert_array_equal(got.confidence, expected.confidence)
    steps = [p.step for p in got.provenance]
    assert steps == [p.step for p in expected.provenance]
    assert steps[len(kp.provenance):] == [
        "reject_low_confidence", "repair_swaps", "reject_outliers", "fill_gaps", "lowpass"]


def test_injected_filter_is_used(swapped_front: Keypoints) -> None:
    class Halve(BaseFilter):
        """Test filter.

        Attributes
        ----------
        keypoints_ : Keypoints
            Result.
        """

        def clean(self, keypoints: Keypoints) -> Halve:
            self.keypoints_ = keypoints.replace(xy=keypoints.xy / 2, step="halve")
            return self

    plain = running_chain(View.FRONT, filter_signal=False).clean(swapped_front).keypoints_
    halved = running_chain(View.FRONT, lowpass=Halve()).clean(swapped_front).keypoints_
    np.testing.assert_array_equal(halved.xy, plain.xy / 2)
    assert halved.provenance[-1].step == "halve"
    soft = running_chain(View.FRONT, lowpass=ButterworthLowpass(cutoff_hz=3.0)).clean(
        swapped_front).keypoints_
    assert soft.provenance[-1].params["cutoff_hz"] == 3.0


def test_chain_steps_are_copied_and_results_kept(swapped_front: Keypoints) -> None:
    step = LowConfidenceRejection(0.5)
    chain = CleaningChain([step, GapFilling(max_gap_s=0.2)]).clean(swapped_front)
    assert not hasattr(step, "keypoints_")          # the configured step is not run itself
    assert chain.steps_[0].keypoints_.provenance[-1].params["min_confidence"] == 0.5
    assert chain.keypoints_ is chain.steps_[-1].keypoints_
    assert CleaningChain([]).clean(swapped_front).keypoints_ is swapped_front
    assert repr(step) == "LowConfidenceRejection(min_confidence=0.5)"
