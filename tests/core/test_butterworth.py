"""The numpy Butterworth design and zero-phase filter against scipy.signal (the reference)."""

import numpy as np
import pytest
from scipy import signal

from kneetrack.core.butterworth import butter_lowpass_coefficients, filtfilt


@pytest.mark.parametrize("order", [1, 2, 3, 4, 6])
@pytest.mark.parametrize("wn", [0.02, 0.1, 0.33, 0.5, 0.8, 0.97])
def test_coefficients_are_scipys(order, wn):
    b, a = butter_lowpass_coefficients(order, wn)
    rb, ra = signal.butter(order, wn)
    np.testing.assert_allclose(b, rb, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(a, ra, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("order,wn,n", [(2, 0.4, 13), (2, 0.1, 500), (2, 0.025, 4000),
                                        (4, 0.2, 300), (1, 0.6, 50), (3, 0.05, 1200)])
def test_filtfilt_is_scipys_on_random_signals(order, wn, n):
    rng = np.random.default_rng(n + order)
    # pixel-like trajectories: an offset, a drift, a gait-like wave and jitter, several columns
    t = np.arange(n)[:, None]
    x = (500 + 0.3 * t + 40 * np.sin(2 * np.pi * t / 37 + rng.uniform(0, 6, 5))
         + rng.normal(0, 3, (n, 5)))
    b, a = butter_lowpass_coefficients(order, wn)
    ours = filtfilt(b, a, x, axis=0)
    ref = signal.filtfilt(b, a, x, axis=0)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-8 * np.abs(x).max())


def test_filtfilt_along_another_axis_and_one_dimension():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 200))
    b, a = butter_lowpass_coefficients(2, 0.3)
    np.testing.assert_allclose(filtfilt(b, a, x, axis=1), signal.filtfilt(b, a, x, axis=1),
                               atol=1e-10)
    np.testing.assert_allclose(filtfilt(b, a, x[0]), signal.filtfilt(b, a, x[0]), atol=1e-10)


def test_a_constant_passes_unchanged_and_a_ramp_away_from_the_ends():
    b, a = butter_lowpass_coefficients(2, 0.1)
    ramp = np.linspace(-3, 7, 300)
    np.testing.assert_allclose(filtfilt(b, a, np.full(100, 4.2)), 4.2, atol=1e-9)
    np.testing.assert_allclose(filtfilt(b, a, ramp)[60:-60], ramp[60:-60], atol=1e-6)


def test_too_short_and_bad_arguments_are_refused():
    b, a = butter_lowpass_coefficients(2, 0.3)
    with pytest.raises(ValueError, match="more than 9 samples"):
        filtfilt(b, a, np.zeros(9))
    with pytest.raises(ValueError, match="Nyquist"):
        butter_lowpass_coefficients(2, 1.0)
    with pytest.raises(ValueError, match="order"):
        butter_lowpass_coefficients(0, 0.3)
