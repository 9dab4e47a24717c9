"""Frame times: resample keypoints of variable-frame-rate clips onto a uniform time grid.

Phones record variable frame rates (frame intervals jitter by milliseconds and
frames are dropped under load), so the frame index is not time. Filtering,
differentiation and event search assume evenly spaced samples; rather than
teach each of them about uneven times, cleaning puts the keypoints on an
evenly spaced grid in time (:func:`resample_uniform`) and records it in the
provenance. ``time_s`` and ``fps`` of the result describe the grid, so every
later stage (which reads ``kp.time_s`` and ``kp.fps``) stays correct; event
and stance times stay in seconds from the first frame.

A clip whose frames are already evenly spaced (within 1 % of a frame) is
returned unchanged. A grid keeps the number of frames when no frame was
dropped, so frame ``i`` of the grid is within the timing jitter of frame ``i``
of the video; dropped frames add grid points, interpolated from the frames
around them (more than two dropped frames in a row count as a gap: confidence
0, not observed).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from kneetrack.keypoints import Keypoints


def timing_error_frames(time_s: NDArray[Any]) -> float:
    """Largest distance of a frame time from the evenly spaced line through the ends, in frames.

    Examples
    --------
    >>> import numpy as np
    >>> timing_error_frames(np.arange(10) / 30)
    0.0
    >>> round(timing_error_frames(np.array([0.0, 0.010, 0.033, 0.050])), 2)
    0.4
    """
    t = np.asarray(time_s, dtype=float)
    n = t.size
    if n < 3:
        return 0.0
    dt = (t[-1] - t[0]) / (n - 1)
    return float(np.max(np.abs(t - (t[0] + np.arange(n) * dt))) / dt)


def typical_interval_s(time_s: NDArray[Any]) -> float:
    """The clip's frame interval, with dropped frames and slower stretches counted as such.

    A first guess is the median of the short intervals (at most 1.5 times the
    lower quartile); each interval is then counted as a whole number of frame
    slots (a dropped frame makes two) and the interval is the clip's span over
    the number of slots, refined twice. Timing jitter does not bias it.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.concatenate([np.arange(60) / 60, 1 + np.arange(40) / 30])  # then half rate
    >>> round(1 / typical_interval_s(t), 1)
    60.0
    """
    d = np.diff(np.asarray(time_s, dtype=float))
    d = d[d > 0]
    if d.size == 0:
        return float("nan")
    short = d[d <= 1.5 * np.percentile(d, 25)]
    step = float(np.median(short if short.size else d))
    for _ in range(2):
        slots = np.maximum(1.0, np.round(d / step))
        step = float(d.sum() / slots.sum())
    return step


def uniform_grid(time_s: NDArray[Any]) -> tuple[NDArray[Any], float]:
    """An evenly spaced grid over ``time_s[0]..time_s[-1]`` and its rate (frames per second).

    The step is the clip's typical frame interval (:func:`typical_interval_s`): a
    dropped frame adds a grid point; a clip without dropped frames keeps its number
    of frames.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([0.0, 0.017, 0.033, 0.067, 0.083])    # one frame dropped at 0.05 s
    >>> grid, fps = uniform_grid(t)
    >>> grid.size, round(fps, 1)
    (6, 60.2)
    """
    t = np.asarray(time_s, dtype=float)
    span = float(t[-1] - t[0])
    if t.size < 2 or span <= 0:
        return t.copy(), float("nan")
    step = typical_interval_s(t)
    n = max(2, int(round(span / step)) + 1)
    return t[0] + np.arange(n) * (span / (n - 1)), (n - 1) / span


def _slopes(xy: NDArray[Any], t: NDArray[Any]) -> NDArray[Any]:
    """Time derivative at every frame (frames, markers, 2).

    The secants on either side, weighted for uneven intervals (second-order
    accurate); one side where the other is missing, 0 where both are.
    """
    h = np.diff(t)[:, None, None]
    sec = np.diff(xy, axis=0) / h                        # (n-1, m, 2)
    left = np.concatenate([np.full_like(sec[:1], np.nan), sec])
    right = np.concatenate([sec, np.full_like(sec[:1], np.nan)])
    hl = np.concatenate([[np.nan], np.diff(t)])[:, None, None]
    hr = np.concatenate([np.diff(t), [np.nan]])[:, None, None]
    both = (left * hr + right * hl) / (hl + hr)
    out = np.where(np.isnan(left), right, np.where(np.isnan(right), left, both))
    return np.nan_to_num(out)


def resample_to_times(kp: Keypoints, times: NDArray[Any], *, fps: float | None = None,
                      max_gap_s: float = np.inf, observed_gap_s: float | None = None,
                      cubic: bool = True) -> Keypoints:
    """Keypoints interpolated in time at ``times`` (no provenance step).

    Parameters
    ----------
    kp : Keypoints
        Input keypoints.
    times : ndarray
        Increasing times (s) inside ``kp.time_s[0]..kp.time_s[-1]``.
    fps : float, optional
        Frame rate of the result (default: that of ``kp``).
    max_gap_s : float
        A point between two frames whose interval, less one typical frame
        interval, is longer than this stays missing (as :func:`fill_gaps
        <kneetrack.kinematics.cleaning.fill_gaps>` measures gaps).
    observed_gap_s : float, optional
        A point between two frames further apart than this is interpolated but
        counts as not observed (confidence 0), like a filled gap. Default: 2.5
        typical frame intervals (one or two dropped frames are bridged as
        between any two frames).
    cubic : bool
        Cubic Hermite interpolation with slopes from the neighbouring frames
        (default; follows curved paths, which matters at 30 fps where a joint
        angle changes several degrees per frame), else linear.

    Returns
    -------
    Keypoints
        A point is interpolated between the two frames around its time when
        the marker is present in both (their slopes use the frames beyond, if
        present); its confidence is the lower of the two.
        Times that hit a frame exactly give that frame's values.
    """
    t = np.asarray(kp.time_s, dtype=float)
    q = np.asarray(times, dtype=float)
    n = t.size
    out_fps = kp.fps if fps is None else fps
    if n < 2:
        return kp.replace(xy=np.repeat(kp.xy[:1], q.size, axis=0),
                          confidence=np.repeat(kp.confidence[:1], q.size, axis=0),
                          time_s=q, fps=out_fps)
    step = typical_interval_s(t)
    seen_limit = 2.5 * step if observed_gap_s is None else observed_gap_s
    j = np.clip(np.searchsorted(t, q, side="right"), 1, n - 1)
    t0, t1 = t[j - 1], t[j]
    at0 = np.isclose(q, t0, rtol=0.0, atol=1e-9)
    at1 = np.isclose(q, t1, rtol=0.0, atol=1e-9) & ~at0
    exact = at0 | at1
    w = np.clip((q - t0) / (t1 - t0), 0.0, 1.0)
    xy0, xy1 = kp.xy[j - 1], kp.xy[j]
    if cubic:
        slope = _slopes(kp.xy, t)
        h = (t1 - t0)[:, None, None]
        s = w[:, None, None]
        between = ((2 * s ** 3 - 3 * s ** 2 + 1) * xy0
                   + (s ** 3 - 2 * s ** 2 + s) * h * slope[j - 1]
                   + (-2 * s ** 3 + 3 * s ** 2) * xy1 + (s ** 3 - s ** 2) * h * slope[j])
    else:
        between = xy0 + w[:, None, None] * (xy1 - xy0)
    # at an exact frame time the other neighbour plays no part
    xy = np.where(at0[:, None, None], xy0, np.where(at1[:, None, None], xy1, between))
    conf = np.where(at0[:, None], kp.confidence[j - 1],
                    np.where(at1[:, None], kp.confidence[j],
                             np.minimum(kp.confidence[j - 1], kp.confidence[j])))
    interval = np.where(exact, 0.0, t1 - t0)
    xy[interval - step > max_gap_s + 1e-9] = np.nan
    conf[interval > seen_limit + 1e-9] = 0.0
    conf = np.where(np.isnan(xy[..., 0]), 0.0, conf)
    return kp.replace(xy=xy, confidence=conf, time_s=q, fps=out_fps)


def resample_uniform(kp: Keypoints, *, tolerance_frames: float = 0.01,
                     max_gap_s: float = 0.1) -> Keypoints:
    """Put keypoints with uneven frame times on an evenly spaced time grid.

    Parameters
    ----------
    kp : Keypoints
        Input keypoints (any frame times).
    tolerance_frames : float
        Frames within this fraction of a frame from even spacing count as even:
        the keypoints are returned unchanged.
    max_gap_s : float
        Longest stretch without frames (dropped frames) bridged by interpolation;
        grid points in longer ones are missing. Points bridging more than two
        dropped frames count as not observed (confidence 0).

    Returns
    -------
    Keypoints
        Unchanged, or resampled with a ``resample_uniform`` provenance step
        (frames in and out, grid rate, largest timing error before, frames
        added for dropped frames). ``fps`` is the grid's rate.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([0.0, 0.018, 0.032, 0.051, 0.066])
    >>> kp = Keypoints.from_arrays({"left_hip": np.column_stack([100 * t, 0 * t])}, fps=60,
    ...                            time_s=t)
    >>> out = resample_uniform(kp)
    >>> np.round(out["left_hip"][:, 0], 2).tolist(), out.provenance[-1].step
    ([0.0, 1.65, 3.3, 4.95, 6.6], 'resample_uniform')
    """
    err = timing_error_frames(kp.time_s)
    if kp.n_frames < 3 or err <= tolerance_frames:
        return kp
    grid, fps = uniform_grid(kp.time_s)
    out = resample_to_times(kp, grid, fps=fps, max_gap_s=max_gap_s)
    return out.replace(step="resample_uniform", params={
        "frames_in": kp.n_frames, "frames_out": int(grid.size), "fps": round(fps, 4),
        "max_timing_error_ms": round(err * 1000.0 / fps, 2),
        "frames_added": int(grid.size - kp.n_frames),
        "max_gap_s": max_gap_s, "method": "cubic Hermite interpolation in time"})
