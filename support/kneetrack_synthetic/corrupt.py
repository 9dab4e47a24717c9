"""Pose-estimator failure modes applied to clean synthetic keypoints.

What BlazePose does to a runner (see FIELD_NOTES.md): pixel jitter, frames in
which nobody is detected, and left/right label swaps — short bursts of 1–4
frames, some lasting 10–26 frames (about a step at 60 fps), about half of
them swapping only the foot (ankle, heel, toe) while the knee keeps its label.
Confidence stays high during swaps (BlazePose cannot see them) and drops
around detection failures. Optionally also: both legs drawn in the same place
(the hidden leg copied onto the visible one), the hidden leg drawn onto a
nearby still object (a treadmill console) for up to 24 frames, and
implausible heel/toe points (toe behind the heel, foot too short or too long,
heel above the ankle).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kneetrack.errors import SettingsError
from kneetrack.keypoints import Keypoints

#: Marker parts exchanged by a whole-leg swap and by a foot-only swap.
LEG_PARTS: tuple[str, ...] = ("hip", "knee", "ankle", "heel", "toe")
FOOT_PARTS: tuple[str, ...] = ("ankle", "heel", "toe")
#: Parts moved when a leg is drawn in the wrong place (merged or snapped to an object).
LOWER_LEG_PARTS: tuple[str, ...] = ("knee", "ankle", "heel", "toe")


@dataclass(frozen=True)
class Glitch:
    """Frames ``start:stop`` where ``leg`` is drawn wrongly; ``kind`` says how.

    ``merge``: the leg is drawn on the other leg; ``snap``: on a still object;
    ``toe_behind_heel``, ``foot_short``, ``foot_long``, ``heel_above_ankle``:
    implausible foot points.
    """

    start: int
    stop: int
    leg: str
    kind: str


@dataclass(frozen=True)
class Swap:
    """One left/right label swap: frames ``start:stop`` with ``kind`` ``leg`` or ``foot``."""

    start: int
    stop: int
    kind: str

    @property
    def parts(self) -> tuple[str, ...]:
        """Marker parts whose left/right labels are exchanged."""
        return LEG_PARTS if self.kind == "leg" else FOOT_PARTS


@dataclass(frozen=True)
class CorruptionReport:
    """What :func:`corrupt_keypoints` did, so tests can check the engine's repairs.

    Attributes
    ----------
    dropped_frames : ndarray of int
        Frames in which every marker was removed (no detection).
    swaps : list of Swap
        Left/right label swaps, in frame order, not overlapping.
    noise_px : float
        Standard deviation of the Gaussian pixel noise on each coordinate.
    glitches : list of Glitch
        Legs drawn in the wrong place and implausible feet.
    """

    dropped_frames: np.ndarray
    swaps: list[Swap] = field(default_factory=list)
    noise_px: float = 0.0
    glitches: list[Glitch] = field(default_factory=list)

    def swapped_mask(self, n_frames: int, *, kind: str | None = None) -> np.ndarray:
        """Boolean ``(n_frames,)``: frames inside a swap (of ``kind`` if given)."""
        mask = np.zeros(n_frames, dtype=bool)
        for s in self.swaps:
            if kind is None or s.kind == kind:
                mask[s.start:s.stop] = True
        return mask


def _bursts(rng: np.random.Generator, n_frames: int, target: int,
            lengths: tuple[int, int]) -> np.ndarray:
    """Frames covered by random bursts until about ``target`` frames are covered."""
    mask = np.zeros(n_frames, dtype=bool)
    tries = 0
    while mask.sum() < target and tries < 100 * n_frames:
        tries += 1
        length = int(rng.integers(lengths[0], lengths[1] + 1))
        start = int(rng.integers(0, max(1, n_frames - length + 1)))
        mask[start:start + length] = True
    return np.flatnonzero(mask)


def _swap_list(rng: np.random.Generator, n_frames: int, duration_s: float, rate_hz: float,
               foot_fraction: float, long_fraction: float) -> list[Swap]:
    n_events = int(rng.poisson(rate_hz * duration_s))
    swaps: list[Swap] = []
    taken = np.zeros(n_frames + 1, dtype=bool)
    for _ in range(n_events):
        if rng.random() < long_fraction:
            length = int(rng.integers(10, 27))
        else:
            length = int(rng.integers(1, 5))
        length = min(length, n_frames)
        for _attempt in range(20):
            start = int(rng.integers(0, n_frames - length + 1))
            # keep a frame of clean data between swaps so each one is a distinct event
            lo, hi = max(0, start - 1), min(n_frames, start + length + 1)
            if not taken[lo:hi].any():
                taken[start:start + length] = True
                kind = "foot" if rng.random() < foot_fraction else "leg"
                swaps.append(Swap(start, start + length, kind))
                break
    return sorted(swaps, key=lambda s: s.start)


def corrupt_keypoints(
    kp: Keypoints,
    *,
    noise_px: float = 1.5,
    dropout: float = 0.0,
    swap_rate_hz: float = 0.0,
    foot_swap_fraction: float = 0.5,
    long_swap_fraction: float = 0.2,
    merge_fraction: float = 0.0,
    snap_fraction: float = 0.0,
    foot_glitch_fraction: float = 0.0,
    hidden_leg: str | None = None,
    seed: int | None = 0,
) -> tuple[Keypoints, CorruptionReport]:
    """Add pose-estimator errors to clean keypoints.

    Parameters
    ----------
    kp : Keypoints
        Clean keypoints (e.g. a noise-free projection of a synthetic mover).
    noise_px : float
        Standard deviation of Gaussian noise added to each coordinate, pixels.
    dropout : float
        Fraction of frames (0..0.9) with no detection, in bursts of 1–6 frames;
        the frames next to a burst keep their points with lowered confidence.
    swap_rate_hz : float
        Mean number of left/right label swaps per second of clip (BlazePose
        shows 0.25–3 per second on running video).
    foot_swap_fraction : float
        Fraction of swaps that exchange only ankle, heel and toe.
    long_swap_fraction : float
        Fraction of swaps lasting 10–26 frames; the others last 1–4 frames.
    merge_fraction : float
        Fraction of frames (bursts of 3–24) in which one leg's knee, ankle,
        heel and toe are drawn on the other leg's (BlazePose: 1–3 % of
        treadmill frames, up to 10–17 % overground).
    snap_fraction : float
        Fraction of frames (bursts of 4–24) in which one lower leg is drawn on a
        still object near the runner.
    foot_glitch_fraction : float
        Fraction of frames (bursts of 1–3, per foot) with implausible heel/toe
        points (BlazePose: ~2 % of stance frames on good treadmill video, 8–13 %
        overground).
    hidden_leg : str or None
        The leg hidden behind the other (side views): the one merged or
        snapped. ``None``: either leg, at random per burst.
    seed : int or None
        Random seed; the same seed gives the same corruption.

    Returns
    -------
    Keypoints, CorruptionReport
        The corrupted keypoints (provenance records the corruption) and what was done.
    """
    if not (np.isfinite(noise_px) and noise_px >= 0):
        raise SettingsError(f"noise_px must be >= 0, got {noise_px}")
    if not (0.0 <= dropout <= 0.9):
        raise SettingsError(f"dropout must be between 0 and 0.9, got {dropout}")
    if not (np.isfinite(swap_rate_hz) and swap_rate_hz >= 0):
        raise SettingsError(f"swap_rate_hz must be >= 0, got {swap_rate_hz}")
    for name, frac in (("foot_swap_fraction", foot_swap_fraction),
                       ("long_swap_fraction", long_swap_fraction)):
        if not (0.0 <= frac <= 1.0):
            raise SettingsError(f"{name} must be between 0 and 1, got {frac}")
    for name, frac in (("merge_fraction", merge_fraction), ("snap_fraction", snap_fraction),
                       ("foot_glitch_fraction", foot_glitch_fraction)):
        if not (0.0 <= frac <= 0.5):
            raise SettingsError(f"{name} must be between 0 and 0.5, got {frac}")
    if hidden_leg not in (None, "left", "right"):
        raise SettingsError(f"hidden_leg must be 'left', 'right' or None, got {hidden_leg!r}")
    rng = np.random.default_rng(seed)
    n = kp.n_frames
    xy = np.array(kp.xy, dtype=float)
    conf = np.array(kp.confidence, dtype=float)

    # Label swaps first: they exchange what the detector *reports*, noise comes after.
    swaps = _swap_list(rng, n, kp.duration_s, swap_rate_hz, foot_swap_fraction,
                       long_swap_fraction) if swap_rate_hz > 0 else []
    for s in swaps:
        for part in s.parts:
            left, right = f"left_{part}", f"right_{part}"
            if kp.has(left) and kp.has(right):
                i, j = kp.index(left), kp.index(right)
                xy[s.start:s.stop, [i, j]] = xy[s.start:s.stop, [j, i]]
                conf[s.start:s.stop, [i, j]] = conf[s.start:s.stop, [j, i]]

    glitches: list[Glitch] = []
    for kind, frac, lengths in (("merge", merge_fraction, (3, 24)),
                                ("snap", snap_fraction, (4, 24))):
        if frac > 0:
            glitches += _leg_glitches(rng, kp, xy, kind, frac, lengths, hidden_leg)
    if foot_glitch_fraction > 0:
        glitches += _foot_glitches(rng, kp, xy, foot_glitch_fraction)

    if noise_px > 0:
        xy = xy + rng.normal(0.0, noise_px, size=xy.shape)

    dropped = _bursts(rng, n, int(round(dropout * n)), (1, 6)) if dropout > 0 else np.array([], int)
    if dropped.size:
        near = np.zeros(n, dtype=bool)
        for d in (-2, -1, 1, 2):
            idx = dropped + d
            near[idx[(idx >= 0) & (idx < n)]] = True
        near[dropped] = False
        conf[near] *= rng.uniform(0.3, 0.6, size=(int(near.sum()), 1))
        xy[dropped] = np.nan
        conf[dropped] = 0.0

    out = kp.replace(
        xy=xy, confidence=conf,
        step="synthetic_corruption",
        params={"noise_px": float(noise_px), "dropout": float(dropout),
                "swap_rate_hz": float(swap_rate_hz), "dropped_frames": int(dropped.size),
                "swaps": len(swaps), "glitches": len(glitches), "seed": seed},
    )
    return out, CorruptionReport(dropped_frames=dropped, swaps=swaps, noise_px=float(noise_px),
                                 glitches=sorted(glitches, key=lambda g: g.start))


def _burst_starts(rng: np.random.Generator, n: int, frac: float,
                  lengths: tuple[int, int]) -> list[tuple[int, int]]:
    """Non-overlapping (start, stop) bursts covering about ``frac`` of ``n`` frames."""
    taken = np.zeros(n, dtype=bool)
    out: list[tuple[int, int]] = []
    target = int(round(frac * n))
    tries = 0
    while taken.sum() < target and tries < 50 * n:
        tries += 1
        length = min(n, int(rng.integers(lengths[0], lengths[1] + 1)))
        start = int(rng.integers(0, n - length + 1))
        if not taken[max(0, start - 1):start + length + 1].any():
            taken[start:start + length] = True
            out.append((start, start + length))
    return out


def _cols(kp: Keypoints, leg: str, parts: tuple[str, ...]) -> list[int]:
    return [kp.index(f"{leg}_{p}") for p in parts if kp.has(f"{leg}_{p}")]


def _leg_glitches(rng: np.random.Generator, kp: Keypoints, xy: np.ndarray, kind: str,
                  frac: float, lengths: tuple[int, int], hidden_leg: str | None) -> list[Glitch]:
    """Draw one lower leg on the other (``merge``) or on a still spot nearby (``snap``)."""
    out = []
    for start, stop in _burst_starts(rng, kp.n_frames, frac, lengths):
        leg = hidden_leg or ("left" if rng.random() < 0.5 else "right")
        other = "right" if leg == "left" else "left"
        cols, ocols = _cols(kp, leg, LOWER_LEG_PARTS), _cols(kp, other, LOWER_LEG_PARTS)
        if len(cols) != len(ocols) or not cols:
            continue
        if kind == "merge":
            xy[start:stop, cols] = xy[start:stop, ocols] + rng.normal(0, 2.0, (stop - start,
                                                                            len(cols), 2))
        else:
            # a still object beside the runner, about a shank length ahead of the knee
            anchor = np.nanmedian(xy[start:stop, cols], axis=0)
            shank = np.nanmedian(np.linalg.norm(xy[:, cols[1]] - xy[:, cols[0]], axis=-1))
            spot = anchor + rng.uniform(0.5, 1.0) * shank * np.array(
                [rng.choice([-1.0, 1.0]), -0.3])
            xy[start:stop, cols] = spot + rng.normal(0, 1.0, (stop - start, len(cols), 2))
        out.append(Glitch(start, stop, leg, kind))
    return out


def _foot_glitches(rng: np.random.Generator, kp: Keypoints, xy: np.ndarray,
                   frac: float) -> list[Glitch]:
    """Implausible heel/toe points: toe behind heel, foot too short/long, heel above ankle."""
    out = []
    kinds = ("toe_behind_heel", "foot_short", "foot_long", "heel_above_ankle")
    for leg in ("left", "right"):
        if not all(kp.has(f"{leg}_{p}") for p in ("ankle", "heel", "toe")):
            continue
        a, h, t = (kp.index(f"{leg}_{p}") for p in ("ankle", "heel", "toe"))
        for start, stop in _burst_starts(rng, kp.n_frames, frac / 2.0, (1, 3)):
            kind = str(rng.choice(kinds))
            sl = slice(start, stop)
            if kind == "toe_behind_heel":
                xy[sl, [h, t]] = xy[sl, [t, h]]
            elif kind in ("foot_short", "foot_long"):
                f = rng.uniform(0.35, 0.6) if kind == "foot_short" else rng.uniform(1.5, 1.9)
                for c in (h, t):
                    xy[sl, c] = xy[sl, a] + f * (xy[sl, c] - xy[sl, a])
            else:   # the heel point jumps above the ankle
                d = xy[sl, h] - xy[sl, a]
                lift = np.abs(d[:, 1]) + 0.5 * np.linalg.norm(d, axis=1)
                xy[sl, h, 1] = xy[sl, a, 1] - lift
            out.append(Glitch(start, stop, leg, kind))
    return out
