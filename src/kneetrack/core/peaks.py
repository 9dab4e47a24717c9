"""Peaks of a 1-D signal, chosen by distance and prominence, in numpy.

The peaks ``scipy.signal.find_peaks(x, distance=..., prominence=...)`` returns
(``tests/core/test_peaks.py`` compares them on random signals), without
importing ``scipy.signal``: with SciPy 1.17 that import, and the ``scipy.stats``
it pulls in, costs about 0.9 s of CPU, which every analysis paid while pose
estimation ran (:mod:`kneetrack.core.butterworth` replaces the filter).

A peak is a sample (the middle of a flat top) higher than its neighbours; the
ends of the signal are never peaks. ``distance`` keeps, of peaks closer than
that, the highest (the one first in ``numpy.argsort``'s order on a tie);
``prominence`` then keeps those that stand at least that far above the higher
of the lowest points on either side before a higher sample (or the signal's end).
"""

from __future__ import annotations

import math

import numpy as np

from kneetrack.core.arrays import FloatArray


def local_maxima(x: FloatArray) -> np.ndarray:
    """Indices of the samples (middles of flat tops) higher than both neighbours.

    Examples
    --------
    >>> local_maxima(np.array([0.0, 2, 1, 3, 3, 3, 0, 5])).tolist()
    [1, 4]
    """
    x = np.asarray(x, dtype=float)
    if x.size < 3:
        return np.zeros(0, dtype=np.intp)
    # Runs of equal samples (NaN never equals anything, so each NaN is a run of its own).
    new = np.ones(x.size, dtype=bool)
    new[1:] = ~(x[1:] == x[:-1])
    start = np.flatnonzero(new)
    stop = np.append(start[1:], x.size) - 1
    v = x[start]
    top = np.zeros(v.size, dtype=bool)
    top[1:-1] = (v[:-2] < v[1:-1]) & (v[2:] < v[1:-1])
    return ((start[top] + stop[top]) // 2).astype(np.intp)


def _apart(peaks: np.ndarray, heights: np.ndarray, distance: float) -> np.ndarray:
    """Mask of the peaks kept when, of any two closer than ``distance``, the higher stays."""
    d = math.ceil(distance)
    keep = np.ones(peaks.size, dtype=bool)
    pos = peaks.tolist()
    for j in np.argsort(heights)[::-1].tolist():  # highest first
        if not keep[j]:
            continue
        k = j - 1
        while k >= 0 and pos[j] - pos[k] < d:
            keep[k] = False
            k -= 1
        k = j + 1
        while k < len(pos) and pos[k] - pos[j] < d:
            keep[k] = False
            k += 1
    return keep


def prominences(x: FloatArray, peaks: np.ndarray) -> np.ndarray:
    """How far each peak stands above the higher of its two bases.

    A base is the lowest sample between the peak and the nearest higher sample
    on that side (or the end of the signal).

    Examples
    --------
    >>> prominences(np.array([0.0, 3, 1, 2, 0]), np.array([1, 3])).tolist()
    [3.0, 1.0]
    """
    xs = np.asarray(x, dtype=float).tolist()
    out = np.empty(len(peaks))
    n = len(xs)
    for m, p in enumerate(np.asarray(peaks).tolist()):
        h = xs[p]
        lo_left = h
        i = p
        while i >= 0 and xs[i] <= h:
            lo_left = min(lo_left, xs[i])
            i -= 1
        lo_right = h
        i = p
        while i < n and xs[i] <= h:
            lo_right = min(lo_right, xs[i])
            i += 1
        out[m] = h - max(lo_left, lo_right)
    return out


def find_peaks(x: FloatArray, *, distance: float | None = None,
               prominence: float | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Peaks of ``x`` at least ``distance`` samples apart and ``prominence`` high.

    Returns the peak indices and, when ``prominence`` is given, their
    ``"prominences"`` (as ``scipy.signal.find_peaks``).

    Examples
    --------
    >>> x = np.array([0.0, 5, 0, 1, 0, 4, 0])
    >>> find_peaks(x, distance=3)[0].tolist()
    [1, 5]
    >>> find_peaks(x, prominence=2)[0].tolist()
    [1, 5]
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"find_peaks needs a 1-D signal, got shape {x.shape}")
    if distance is not None and distance < 1:
        raise ValueError("distance must be at least 1")
    peaks = local_maxima(x)
    if distance is not None and peaks.size > 1:
        peaks = peaks[_apart(peaks, x[peaks], distance)]
    props: dict[str, np.ndarray] = {}
    if prominence is not None:
        prom = prominences(x, peaks)
        keep = prom >= prominence
        peaks, props["prominences"] = peaks[keep], prom[keep]
    return peaks, props
