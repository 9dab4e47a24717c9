"""Butterworth low-pass design and zero-phase (forward-backward) filtering, in numpy.

The coefficients of ``scipy.signal.butter(order, wn)`` and the output of
``scipy.signal.filtfilt(b, a, x, axis=0)`` with its default odd padding
(``tests/core/test_butterworth.py`` compares them to 1e-9), without importing
``scipy.signal``: with SciPy 1.17 that import, and the ``scipy.stats`` it pulls
in, costs about 0.9 s of CPU, which every analysis paid while pose estimation
ran.

How it is computed
------------------
- **Design**: the analogue Butterworth poles, pre-warped, mapped by the
  bilinear transform; the order-``N`` low-pass has ``N`` zeros at z = -1.
- **One pass** of the recursive filter, started in its steady state for the
  first sample (as ``lfilter_zi`` does), is a linear map: the input convolved
  with the filter's impulse response ``h``, plus the first sample times the
  response ``g`` to that start state. Both decay geometrically (the poles lie
  inside the unit circle), so they are computed for as long as they are above
  1e-18 of their peak, and the convolution runs by FFT along the time axis, for
  every column at once.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from kneetrack.core.arrays import FloatArray

#: Relative size below which the impulse and start-state responses are cut off.
_TAIL = 1e-18


def butter_lowpass_coefficients(order: int, wn: float) -> tuple[np.ndarray, np.ndarray]:
    """``(b, a)`` of a digital Butterworth low-pass; ``wn``: cut-off / Nyquist, in (0, 1).

    Examples
    --------
    >>> b, a = butter_lowpass_coefficients(2, 0.5)
    >>> [round(v, 6) for v in b], [round(v, 6) + 0.0 for v in a]
    ([0.292893, 0.585786, 0.292893], [1.0, 0.0, 0.171573])
    """
    if order < 1:
        raise ValueError(f"order must be at least 1, got {order}")
    if not 0 < wn < 1:
        raise ValueError(f"cut-off must lie between 0 and the Nyquist frequency, got {wn}")
    m = np.arange(-order + 1, order, 2)
    poles = -np.exp(1j * np.pi * m / (2 * order))  # analogue prototype, cut-off 1 rad/s
    warped = 4.0 * math.tan(math.pi * wn / 2.0)  # pre-warped, for the bilinear map at fs = 2
    p = warped * poles
    pz = (4.0 + p) / (4.0 - p)
    gain = float(np.real(warped**order / np.prod(4.0 - p)))
    b = gain * np.real(np.poly(-np.ones(order)))
    a = np.real(np.poly(pz))
    return b, a


def _start_state(b: np.ndarray, a: np.ndarray) -> np.ndarray:
    """The filter's internal state in steady state for a unit step (``lfilter_zi``)."""
    n = len(a)
    companion = np.zeros((n - 1, n - 1))
    companion[0] = -a[1:] / a[0]
    companion[1:, :-1] += np.eye(n - 2)
    rhs = b[1:] - a[1:] * b[0]
    return np.linalg.solve(np.eye(n - 1) - companion.T, rhs)


def _run(b: np.ndarray, a: np.ndarray, x: np.ndarray, state: np.ndarray) -> np.ndarray:
    """One pass of the recursion (transposed direct form II) on a short 1-D ``x``."""
    z = state.astype(float).copy()
    y = np.empty(len(x))
    n = len(a)
    for t, v in enumerate(x.tolist()):
        out = b[0] * v + z[0]
        for i in range(n - 2):
            z[i] = b[i + 1] * v + z[i + 1] - a[i + 1] * out
        z[n - 2] = b[n - 1] * v - a[n - 1] * out
        y[t] = out
    return y


#: Longest response computed: enough for any cut-off above 1e-4 of the Nyquist frequency.
_MAX_TAPS = 1 << 16


@functools.lru_cache(maxsize=32)
def _responses(b_key: tuple[float, ...], a_key: tuple[float, ...]
               ) -> tuple[np.ndarray, np.ndarray]:
    """Impulse response ``h`` and start-state response ``g``, cut where negligible.

    Computed once per filter (the same filter runs on many signals and runs of
    samples); a pass uses as much of them as its signal is long.
    """
    b, a = np.asarray(b_key), np.asarray(a_key)
    radius = float(np.max(np.abs(np.roots(a)))) if len(a) > 1 else 0.0
    if radius >= 1.0:
        raise ValueError("the filter is unstable (a pole on or outside the unit circle)")
    taps = len(a) if radius <= 0 else min(
        _MAX_TAPS, math.ceil(math.log(_TAIL) / math.log(radius)) + 10 * len(a))
    impulse = np.zeros(taps)
    impulse[0] = 1.0
    h = _run(b, a, impulse, np.zeros(len(a) - 1))
    g = _run(b, a, np.zeros(taps), _start_state(b, a))
    return h, g


def _one_pass(b: np.ndarray, a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Filter the columns of ``x`` (time on axis 0) forward, started in steady state."""
    n = x.shape[0]
    h, g = _responses(tuple(b.tolist()), tuple(a.tolist()))
    h, g = h[:n], g[:n]
    size = 1 << (n + len(h) - 2).bit_length()
    spectrum = np.fft.rfft(x, size, axis=0) * np.fft.rfft(h, size)[:, None]
    y = np.fft.irfft(spectrum, size, axis=0)[:n]
    y[:len(g)] += np.outer(g, x[0])
    return y


def filtfilt(b: np.ndarray, a: np.ndarray, x: FloatArray, axis: int = 0) -> np.ndarray:
    """Zero-phase filtering: forward, then backward, with odd padding of ``3 * len(a)``.

    ``x`` must be longer than the padding along ``axis``.

    Examples
    --------
    >>> b, a = butter_lowpass_coefficients(2, 0.2)
    >>> y = filtfilt(b, a, np.full(20, 3.0))
    >>> bool(np.allclose(y, 3.0))
    True
    """
    b = np.asarray(b, dtype=float) / a[0]
    a = np.asarray(a, dtype=float) / a[0]
    if len(b) < len(a):
        b = np.append(b, np.zeros(len(a) - len(b)))
    elif len(a) < len(b):
        a = np.append(a, np.zeros(len(b) - len(a)))
    arr = np.moveaxis(np.asarray(x, dtype=float), axis, 0)
    shape = arr.shape
    flat = arr.reshape(shape[0], -1)
    pad = 3 * len(a)
    n = flat.shape[0]
    if n <= pad:
        raise ValueError(f"the signal needs more than {pad} samples to be filtered, has {n}")
    head = 2 * flat[0] - flat[pad:0:-1]
    tail = 2 * flat[-1] - flat[-2:-pad - 2:-1]
    ext = np.concatenate([head, flat, tail])
    y = _one_pass(b, a, ext)
    y = _one_pass(b, a, y[::-1])[::-1]
    out = y[pad:pad + n].reshape(shape)
    return np.moveaxis(out, 0, axis)
