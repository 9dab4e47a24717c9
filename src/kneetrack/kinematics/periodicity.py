"""Stride periodicity: each leg repeats its own path once per stride.

Running is periodic: one stride later (two steps) each foot and knee is back
in the same place relative to the pelvis, on its *own* path, whether or not
that path crosses the midline. A left/right label swap lasts at most about one
step (BlazePose: 1–26 frames), so the same leg one or two strides earlier and
later is, in most of those frames, labelled correctly: the median of those
positions is a reference that tells the two legs apart in every frame,
independently of how close the legs are to each other or to the midline.

All functions work on frame times (any spacing: variable frame rates and
dropped frames are handled by interpolating in time).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray


def _uniform(x: NDArray[Any], time_s: NDArray[Any], dt: float) -> NDArray[Any]:
    """``x`` (frames,) linearly interpolated onto a uniform grid of step ``dt`` (NaN filled)."""
    ok = np.isfinite(x)
    grid = np.arange(time_s[0], time_s[-1] + 0.5 * dt, dt)
    return np.interp(grid, time_s[ok], x[ok])


def stride_period_s(x: NDArray[Any], time_s: NDArray[Any], *, min_s: float = 0.4,
                    max_s: float = 2.5, min_correlation: float = 0.3) -> float:
    """Period of a periodic signal, from its autocorrelation.

    The first autocorrelation peak that reaches 85 % of the highest one in
    ``min_s..max_s`` is taken (multiples of the period correlate as well),
    refined below one sample with a parabola.

    Parameters
    ----------
    x : ndarray, shape (frames,)
        A periodic signal, e.g. the image distance between the two ankles
        (it repeats every step, whatever the legs' labels). NaN where missing.
    time_s : ndarray, shape (frames,)
        Frame times.
    min_s, max_s : float
        Range of periods searched.
    min_correlation : float
        Smallest normalised autocorrelation at the period; below it the signal is
        not periodic enough and NaN is returned.

    Returns
    -------
    float
        Stride period in seconds (NaN if none).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(600) / 60
    >>> round(stride_period_s(np.sin(2 * np.pi * t / 0.7), t), 2)
    0.7
    """
    x = np.asarray(x, dtype=float)
    t = np.asarray(time_s, dtype=float)
    ok = np.isfinite(x)
    if ok.sum() < 10 or t[-1] - t[0] < 2.0 * min_s:
        return float("nan")
    dt = float(np.median(np.diff(t)))
    u = _uniform(x, t, dt)
    u = u - u.mean()
    n = u.size
    spec = np.fft.rfft(u, 2 * n)
    ac = np.fft.irfft(spec * np.conj(spec))[:n]
    if ac[0] <= 0:
        return float("nan")
    ac = ac / ac[0] * n / np.maximum(n - np.arange(n), 1)     # unbiased, normalised
    lo = max(1, int(np.ceil(min_s / dt)))
    hi = min(n - 2, int(np.floor(max_s / dt)), int(0.7 * n))
    if hi - lo < 2:
        return float("nan")
    seg = ac[lo:hi + 1]
    # local maxima; multiples of the period correlate as well: take the first strong one
    peaks = np.flatnonzero((seg[1:-1] >= seg[:-2]) & (seg[1:-1] > seg[2:])) + 1
    if peaks.size == 0 or seg[peaks].max() < min_correlation:
        return float("nan")
    i = int(peaks[np.argmax(seg[peaks] >= 0.85 * seg[peaks].max())])
    a, b, c = seg[i - 1], seg[i], seg[i + 1]
    den = a - 2 * b + c
    frac = 0.5 * (a - c) / den if den < 0 else 0.0
    return float((lo + i + frac) * dt)


def stride_reference(points: NDArray[Any], time_s: NDArray[Any], period_s: float, *,
                     strides: tuple[int, ...] = (-2, -1, 1, 2),
                     max_gap_s: float = 0.1) -> NDArray[Any]:
    """Where each point was one and two strides earlier and later (median).

    Parameters
    ----------
    points : ndarray, shape (frames, 2)
        A point's image path (e.g. relative to the pelvis), NaN where missing.
    time_s : ndarray, shape (frames,)
        Frame times.
    period_s : float
        Stride period (:func:`stride_period_s`).
    strides : tuple of int
        Shifts, in strides, whose positions are combined.
    max_gap_s : float
        A shifted instant inside a tracking gap longer than this gives no value.

    Returns
    -------
    ndarray, shape (frames, 2)
        The median over the shifts that fall inside the clip (NaN if none).
    """
    p = np.asarray(points, dtype=float)
    t = np.asarray(time_s, dtype=float)
    out = np.full((len(strides),) + p.shape, np.nan)
    ok = np.isfinite(p[:, 0]) & np.isfinite(p[:, 1])
    if ok.sum() < 2 or not np.isfinite(period_s):
        return np.full(p.shape, np.nan)
    tv = t[ok]
    for k, s in enumerate(strides):
        q = t + s * period_s
        inside = (q >= tv[0]) & (q <= tv[-1])
        j = np.clip(np.searchsorted(tv, q), 1, tv.size - 1)
        near = inside & (tv[j] - tv[j - 1] <= max_gap_s)
        for c in range(2):
            out[k, :, c] = np.where(near, np.interp(q, tv, p[ok, c]), np.nan)
    return _nanmedian0(out)


def _nanmedian0(a: NDArray[Any]) -> NDArray[Any]:
    """Median over axis 0 ignoring NaN (NaN where all are missing); faster than np.nanmedian.

    Examples
    --------
    >>> import numpy as np
    >>> _nanmedian0(np.array([[1.0, np.nan], [3.0, np.nan], [np.nan, np.nan]])).tolist()
    [2.0, nan]
    """
    srt = np.sort(a, axis=0)                      # NaN sort last
    k = np.isfinite(a).sum(axis=0)
    lo = np.clip((k - 1) // 2, 0, None)[None]
    hi = np.clip(k // 2, 0, a.shape[0] - 1)[None]
    med = 0.5 * (np.take_along_axis(srt, lo, 0)[0] + np.take_along_axis(srt, hi, 0)[0])
    return np.where(k > 0, med, np.nan)


def periodic_label_cost(left: NDArray[Any], right: NDArray[Any], time_s: NDArray[Any],
                        period_s: float, *,
                        reference: tuple[NDArray[Any], NDArray[Any]] | None = None,
                        strides: tuple[int, ...] = (-2, -1, 1, 2),
                        cap_px: float = np.inf) -> NDArray[Any]:
    """Per-frame cost (frames, 2) of the labels as given and exchanged, from stride periodicity.

    ``left``, ``right``: the labelled points (frames, 2), best relative to the
    pelvis. The cost of a labelling is the distance of each labelled point from
    its own stride reference (:func:`stride_reference` of ``reference``, by
    default of the labelled points themselves), summed over the legs; each
    returned row is shifted so that its smaller value is 0. Rows without a
    reference are 0.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(300) / 60
    >>> ph = 2 * np.pi * t / 0.7
    >>> left = np.column_stack([10 * np.cos(ph), 40 * np.sin(ph)])
    >>> right = np.column_stack([-10 * np.cos(ph), -40 * np.sin(ph)])
    >>> left[100:110], right[100:110] = right[100:110].copy(), left[100:110].copy()
    >>> cost = periodic_label_cost(left, right, t, 0.7)
    >>> bool((cost[100:110, 0] > cost[100:110, 1]).all()), bool(cost[150:160, 1].min() > 0)
    (True, True)
    """
    src_l, src_r = (left, right) if reference is None else reference
    ref_l = stride_reference(src_l, time_s, period_s, strides=strides)
    ref_r = stride_reference(src_r, time_s, period_s, strides=strides)

    def d(a: NDArray[Any], b: NDArray[Any]) -> NDArray[Any]:
        return np.asarray(np.minimum(np.hypot(*(a - b).T), cap_px))

    keep = d(left, ref_l) + d(right, ref_r)
    cross = d(left, ref_r) + d(right, ref_l)
    cost = np.column_stack([keep, cross])
    cost = cost - np.min(cost, axis=1, keepdims=True)
    return np.asarray(np.nan_to_num(cost))
