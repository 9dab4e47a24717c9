import numpy as np
import pytest

from kneetrack.kinematics.filtering import butter_lowpass, default_cutoff_hz


def test_cutoff_follows_fps():
    assert default_cutoff_hz(60) == 12.0
    assert default_cutoff_hz(30) == 10.0
    assert default_cutoff_hz(240) == 12.0


def test_zero_lag_and_noise_reduction():
    fs = 60.0
    t = np.arange(600) / fs
    clean = 50 * np.sin(2 * np.pi * 1.5 * t)
    noisy = clean + np.random.default_rng(0).normal(0, 2.0, t.size)
    out = butter_lowpass(noisy, cutoff_hz=12, fs_hz=fs)
    inner = slice(30, -30)
    assert np.std(out[inner] - clean[inner]) < 0.7 * np.std(noisy[inner] - clean[inner])
    # No phase lag: the peak of the filtered sine is at the true peak.
    lag = np.argmax(np.correlate(out - out.mean(), clean - clean.mean(), "full")) - (t.size - 1)
    assert lag == 0


def test_nan_runs_filtered_separately():
    x = np.sin(np.linspace(0, 6, 200))
    x[90:100] = np.nan
    out = butter_lowpass(x, cutoff_hz=5, fs_hz=50)
    assert np.isnan(out[90:100]).all()
    assert np.isfinite(out[:90]).all() and np.isfinite(out[100:]).all()
    assert np.max(np.abs(out[:90] - x[:90])) < 0.02


def test_multichannel_axis_and_validation():
    x = np.random.default_rng(1).normal(size=(100, 3, 2))
    out = butter_lowpass(x, cutoff_hz=5, fs_hz=50, axis=0)
    assert out.shape == x.shape
    with pytest.raises(ValueError):
        butter_lowpass(x, cutoff_hz=0, fs_hz=50)
