"""Contact and toe-off cues for :mod:`kneetrack.kinematics.events`, one function per cue.

Every cue works on one stance's search window (frame indices ``lo..hi``) and
returns a sub-frame index (NaN when the signal shows no such event in the
window). No cue carries a delay in milliseconds: where a delay is needed it
follows from the runner's own step and stance times.

Cues
----
* :func:`foot_joins_ground` (side views): the foot's forward image position
  relative to the pelvis rises to its most forward point in late swing, then
  falls back at the ground's (belt's) speed once the foot is down. Contact is
  where its velocity has come half-way from 0 (most forward) to the stance
  velocity measured in this very stance (cf. the foot-velocity methods of
  O'Connor et al. 2007 and Leitch et al. 2011; Zeni et al. 2008 use the most
  forward point itself). Scale-free: pixels, speed and frame rate cancel.
* :func:`image_row_turn` (front view): the landing part of the foot moves
  down the image while it descends and approaches the camera, and back up
  once the ground carries it away: the image row turns at contact.
* :func:`pelvis_peaks` + :func:`sine_wave_clip_delta_s` (all views): the
  mid-hip's vertical image velocity peaks downwards and upwards when the
  vertical ground force crosses body weight. With the sine-wave force model
  of running (Morin et al. 2005, J Appl Biomech 21:167; a spring-mass runner,
  Blickhan 1989), ``F(t) = Fmax sin(pi t / Tc)`` and ``Fmax / mg = pi / (4 D)``
  (``D`` the duty factor ``Tc / (2 step)``), so both crossings sit
  ``delta = Tc / pi * asin(4 D / pi)`` inside the stance. Given the two peaks
  and the step time, ``Tc`` and ``delta`` are solved together (one delay per
  clip: the median over its stances): contact = down-peak − delta, toe-off =
  up-peak + delta. At 2 m/s (D ≈ 0.45) delta is ~60 ms, at 5 m/s ~30 ms,
  which a fixed delay cannot follow.
* :func:`knee_extension_peak` (side views): toe-off at the peak of knee
  extension (Fellin et al. 2010), averaged with the pelvis model's toe-off.
"""

from __future__ import annotations

import math

import numpy as np


def parabolic_peak(y: np.ndarray, i: int) -> float:
    """Sub-sample position of a maximum at index ``i`` (parabola through 3 samples).

    Examples
    --------
    >>> import numpy as np
    >>> round(parabolic_peak(-(np.arange(5) - 2.3) ** 2, 2), 3)
    2.3
    """
    if i <= 0 or i >= len(y) - 1:
        return float(i)
    a, b, c = y[i - 1], y[i], y[i + 1]
    den = a - 2 * b + c
    if not np.isfinite(den) or den >= 0:
        return float(i)
    return float(i + 0.5 * (a - c) / den)


def window_peak(sig: np.ndarray, lo: int, hi: int) -> float:
    """Sub-frame index of the maximum of ``sig[lo:hi+1]`` (NaN if none or at the edge)."""
    lo, hi = max(lo, 0), min(hi, len(sig) - 1)
    if hi - lo < 2:
        return float("nan")
    seg = sig[lo:hi + 1]
    if np.all(np.isnan(seg)):
        return float("nan")
    i = int(np.nanargmax(seg))
    if i == 0 or i == len(seg) - 1 or np.isnan(seg[i - 1]) or np.isnan(seg[i + 1]):
        return float("nan")  # no turning point inside the window (or at the edge of a gap)
    return lo + parabolic_peak(seg, i)


def velocity(y: np.ndarray, time_s: np.ndarray) -> np.ndarray:
    """Central-difference time derivative on (possibly uneven) frame times; NaN-safe."""
    v = np.full(y.shape, np.nan)
    if y.size > 2:
        v[1:-1] = (y[2:] - y[:-2]) / (time_s[2:] - time_s[:-2])
    return v


def _crossing_down(v: np.ndarray, level: float, start: int, stop: int) -> float:
    """First sub-frame index in ``start..stop`` where ``v`` falls through ``level``."""
    for i in range(max(start, 0), min(stop, len(v) - 1)):
        a, b = v[i], v[i + 1]
        if np.isfinite(a) and np.isfinite(b) and a > level >= b:
            return i + (a - level) / (a - b)
    return float("nan")


def foot_joins_ground(u: np.ndarray, time_s: np.ndarray, lo: int, hi: int,
                      flat: tuple[int, int], *, fraction: float = 0.5) -> float:
    """Side views: contact where the foot's forward velocity reaches ``fraction`` of stance.

    Parameters
    ----------
    u : ndarray
        Forward image position of a foot point relative to the pelvis (px,
        positive = ahead), per frame.
    time_s : ndarray
        Frame times.
    lo, hi : int
        Search window: the most forward point is sought in ``lo..hi``.
    flat : (int, int)
        Frames of mid-stance (foot flat): the stance velocity is the median
        velocity there.
    fraction : float
        How far from 0 (most forward) to the stance velocity the foot must
        have come: 0.5 = half-way.

    Returns
    -------
    float
        Sub-frame index of contact, NaN when the window shows none.
    """
    a, b = flat
    if hi - lo < 4 or b <= a:
        return float("nan")
    vu = velocity(u, time_s)
    seg = vu[a:b + 1]
    v_st = np.nanmedian(seg) if np.isfinite(seg).any() else np.nan
    if not (np.isfinite(v_st) and v_st < 0):
        return float("nan")        # the stance foot is not carried backwards
    i_fwd = window_peak(u, lo, min(hi, b))
    if not np.isfinite(i_fwd):
        return float("nan")
    return _crossing_down(vu, fraction * v_st, int(math.floor(i_fwd)), b)


def image_row_turn(y: np.ndarray, lo: int, hi: int) -> float:
    """Front view: sub-frame index where a foot point's image row stops moving down."""
    return window_peak(y, lo, hi)


def sine_wave_delta_s(peak_gap_s: float, step_s: float) -> tuple[float, float]:
    """Stance time and force-crossing delay from the pelvis velocity peaks.

    Solves ``Tc = gap + 2 delta`` with ``delta = Tc / pi * asin(4 D / pi)`` and
    ``D = Tc / (2 step)`` by fixed-point iteration (it contracts for running
    duty factors).

    Parameters
    ----------
    peak_gap_s : float
        Time from the pelvis's downward-velocity peak to its upward one.
    step_s : float
        The runner's step time (contact to opposite contact).

    Returns
    -------
    (float, float)
        Stance time and delay, seconds (NaN when the inputs are not a run).

    Examples
    --------
    >>> tc, d = sine_wave_delta_s(0.16, 0.35)
    >>> round(tc, 3), round(d, 3)
    (0.215, 0.027)
    """
    if not (np.isfinite(peak_gap_s) and np.isfinite(step_s) and 0 < peak_gap_s < 2 * step_s):
        return float("nan"), float("nan")
    tc = peak_gap_s
    delta = 0.0
    for _ in range(30):
        duty = min(tc / (2.0 * step_s), 0.7)
        delta = tc / math.pi * math.asin(min(4.0 * duty / math.pi, 1.0))
        new = peak_gap_s + 2.0 * delta
        if abs(new - tc) < 1e-5:
            tc = new
            break
        tc = new
    return tc, delta


def pelvis_peaks(v_down: np.ndarray, time_s: np.ndarray, down: tuple[int, int],
                 up: tuple[int, int]) -> tuple[float, float]:
    """Times of the mid-hip's downward and upward vertical-velocity peaks in one stance.

    Parameters
    ----------
    v_down : ndarray
        Downward image velocity of the mid-hip point (px/s, + = down).
    time_s : ndarray
        Frame times.
    down, up : (int, int)
        Frame windows of the downward and the upward velocity peak.

    Returns
    -------
    (float, float)
        Seconds; NaN where the window holds no peak.
    """
    return (at_time(time_s, window_peak(v_down, *down)),
            at_time(time_s, window_peak(-v_down, *up)))


def sine_wave_clip_delta_s(peaks: list[tuple[float, float]], step_s: float) -> float:
    """One force-crossing delay for the clip: the median of the stances' solved delays.

    A per-stance delay would pass the pelvis peaks' jitter into every event
    twice; the runner's duty factor does not change from step to step on a
    steady clip. Without any stance with both peaks, the delay of an average
    run (duty factor 0.35) at this step time.
    """
    deltas = [sine_wave_delta_s(b - a, step_s)[1] for a, b in peaks]
    deltas = [d for d in deltas if np.isfinite(d)]
    if deltas:
        return float(np.median(deltas))
    return 0.35 * 2 * step_s / math.pi * math.asin(4 * 0.35 / math.pi)


def knee_extension_peak(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray,
                        lo: int, hi: int) -> float:
    """Side views: sub-frame index of the straightest knee in ``lo..hi`` (toe-off cue).

    The knee extends through push-off and starts flexing as the foot leaves the
    ground; the peak of knee extension is the kinematic toe-off of Fellin et
    al. (2010, J Sci Med Sport 13:646) for treadmill running.
    """
    lo, hi = max(lo, 0), min(hi, len(hip) - 1)
    if hi - lo < 2:
        return float("nan")
    sl = slice(lo, hi + 1)            # only the window: this runs once per stance
    u, w = knee[sl] - hip[sl], ankle[sl] - knee[sl]
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.sum(u * w, axis=1) / (np.linalg.norm(u, axis=1) * np.linalg.norm(w, axis=1))
    flexion = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    return lo + window_peak(-flexion, 0, hi - lo)


def at_time(time_s: np.ndarray, idx: float) -> float:
    """Time at a fractional frame index (NaN stays NaN)."""
    if not np.isfinite(idx):
        return float("nan")
    i = int(np.clip(np.floor(idx), 0, len(time_s) - 1))
    if i >= len(time_s) - 1:
        return float(time_s[-1])
    return float(time_s[i] + (idx - i) * (time_s[i + 1] - time_s[i]))
