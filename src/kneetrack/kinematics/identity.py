"""One person throughout: split a clip where the skeleton jumps to someone or something else.

A pose estimator follows "a person", not *the* runner: in a crowded scene it
hops between people, and a close object (a shoe held up to the lens, a
treadmill console) can become a skeleton for a few frames (FIELD_NOTES). One
person cannot change size or place faster than running allows, so:

1. Per frame, the body's **scale** (the longer leg's thigh + shank, in px: it
   does not change with knee flexion) and **centre** (mid-hip).
2. A new **segment** starts where, between consecutive tracked frames, the
   scale changes by more than ``max_scale_ratio`` (against the median of the
   segment's last five frames) or the centre moves further than
   ``max_jump_legs + max_speed_legs_per_s × dt`` leg lengths.
3. The **longest segment** (in time) is the runner. Neighbouring segments are
   joined to it when they match its scale and place across the interruption,
   and what lies between (at most ``bridge_s`` seconds: a glitch) is cut out;
   everything else is cut out too.

The result keeps every frame (times unchanged): frames not kept are blanked
(NaN), so the rest of the engine sees a gap in tracking, not a new person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kneetrack.keypoints import Keypoints


def _paired(knees: tuple[NDArray[Any], NDArray[Any]],
            ends: tuple[NDArray[Any], NDArray[Any]]) -> tuple[NDArray[Any], NDArray[Any]]:
    """Per knee, the distance to its nearer-paired end point (hips or ankles).

    Of the two ways to pair two knees with two end points, the one with the
    shorter total length is taken: a left/right label swap does not change it.
    """
    def dist(a: NDArray[Any], b: NDArray[Any]) -> NDArray[Any]:
        return np.asarray(np.hypot(*(a - b).T))

    straight = (dist(knees[0], ends[0]), dist(knees[1], ends[1]))
    crossed = (dist(knees[0], ends[1]), dist(knees[1], ends[0]))
    swap = (crossed[0] + crossed[1]) < (straight[0] + straight[1])
    return (np.where(swap, crossed[0], straight[0]), np.where(swap, crossed[1], straight[1]))


def leg_scale_px(kp: Keypoints) -> NDArray[Any]:
    """Per-frame thigh + shank length of the longer leg (px; NaN where unknown).

    Both legs must be complete: with one leg missing, the other may be the
    foreshortened swing leg, and its length alone would look like a jump in
    size. Knees are paired with the hips and ankles that give the shorter
    segments, so a left/right label swap (of a knee, or of a foot) does not
    change the scale.

    Examples
    --------
    >>> import numpy as np
    >>> pts = {"left_hip": [[0, 0]], "left_knee": [[0, 3]], "left_ankle": [[4, 3]],
    ...        "right_hip": [[1, 0]], "right_knee": [[1, 1]], "right_ankle": [[1, 2]]}
    >>> kp = Keypoints.from_arrays({k: np.array(v, float) for k, v in pts.items()}, fps=30)
    >>> float(leg_scale_px(kp)[0])
    7.0
    """
    names = [f"{side}_{p}" for side in ("left", "right") for p in ("hip", "knee", "ankle")]
    if not all(kp.has(m) for m in names):
        return np.full(kp.n_frames, np.nan)
    hips = (kp["left_hip"], kp["right_hip"])
    knees = (kp["left_knee"], kp["right_knee"])
    ankles = (kp["left_ankle"], kp["right_ankle"])
    thigh = _paired(knees, hips)
    shank = _paired(knees, ankles)
    legs = np.stack([thigh[0] + shank[0], thigh[1] + shank[1]])
    out = np.full(kp.n_frames, np.nan)
    ok = np.isfinite(legs).all(axis=0)
    out[ok] = np.max(legs[:, ok], axis=0)
    return out


def centre_px(kp: Keypoints) -> NDArray[Any]:
    """Per-frame mid-hip point (frames, 2); one hip when the other is missing."""
    hips = [kp[m] for m in ("left_hip", "right_hip", "mid_hip") if kp.has(m)]
    if not hips:
        return np.full((kp.n_frames, 2), np.nan)
    stack = np.stack(hips)
    out = np.full((kp.n_frames, 2), np.nan)
    ok = np.isfinite(stack[..., 0]).any(axis=0)
    out[ok] = np.nanmean(stack[:, ok], axis=0)
    return out


@dataclass
class Segment:
    """A run of frames that one person could have produced.

    Attributes
    ----------
    start, stop : int
        Frame range ``[start, stop)``.
    t0, t1 : float
        Time of the first and the last frame (s).
    scale_px : float
        Median leg length (thigh + shank) in the segment.
    """

    start: int
    stop: int
    t0: float
    t1: float
    scale_px: float

    @property
    def duration_s(self) -> float:
        """Time covered by the segment."""
        return self.t1 - self.t0

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"start_s": round(self.t0, 3), "end_s": round(self.t1, 3),
                "frames": self.stop - self.start, "scale_px": round(self.scale_px, 1)}


@dataclass
class IdentityResult:
    """What :func:`keep_one_identity` kept.

    Attributes
    ----------
    keypoints : Keypoints
        The input with every frame outside the kept person blanked.
    segments : list of Segment
        All consistent segments, in time order.
    kept : list of int
        Indices (into ``segments``) of the segments kept.
    kept_mask : ndarray of bool
        Per frame, whether it was kept.
    notes : list of str
        Plain-language notes on what was cut out (empty when nothing was).
    frames_cut : int
        Tracked frames blanked (another person, or a glitch).
    """

    keypoints: Keypoints
    segments: list[Segment] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)
    kept_mask: NDArray[Any] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    notes: list[str] = field(default_factory=list)
    frames_cut: int = 0

    @property
    def split(self) -> bool:
        """Whether anything tracked was cut out."""
        return self.frames_cut > 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly summary for ``analysis.json``."""
        kept = [self.segments[i] for i in self.kept]
        return {"segments": [s.to_dict() for s in self.segments],
                "kept": ([round(kept[0].t0, 3), round(kept[-1].t1, 3)] if kept else None),
                "split": self.split, "frames_cut": self.frames_cut}


def find_segments(kp: Keypoints, *, max_scale_ratio: float = 1.35, max_jump_legs: float = 0.75,
                  max_speed_legs_per_s: float = 13.0, bridge_s: float = 1.0,
                  max_accel_legs_per_s: float = 3.0) -> tuple[list[Segment], NDArray[Any]]:
    """Split the tracked frames of ``kp`` where one person could not have moved so.

    A frame that breaks the current segment is first checked against the
    frames that follow (up to ``bridge_s``): when the person of the segment
    comes back where its recent motion predicts (within ``max_jump_legs +
    max_accel_legs_per_s × dt`` leg lengths, same size), the frames between
    are a glitch, not a new person.

    Returns
    -------
    segments : list of Segment
        The consistent segments, in time order.
    glitch : ndarray of bool
        Per frame, whether it is a bridged glitch (inside a segment, not the person).
    """
    scale = leg_scale_px(kp)
    centre = centre_px(kp)
    t = np.asarray(kp.time_s, dtype=float)
    valid = np.flatnonzero(np.isfinite(scale) & (scale > 0) & np.isfinite(centre).all(axis=1))
    glitch = np.zeros(kp.n_frames, dtype=bool)
    segments: list[Segment] = []
    if valid.size == 0:
        return segments, glitch

    def fits(members: list[int], i: int) -> bool:
        j = members[-1]
        ref = float(np.median(scale[members[-5:]]))
        if max(scale[i] / ref, ref / scale[i]) > max_scale_ratio:
            return False
        dt = float(t[i] - t[j])
        if len(members) >= 3:
            recent = members[-5:]
            span = float(t[recent[-1]] - t[recent[0]])
            v = (centre[recent[-1]] - centre[recent[0]]) / span if span > 0 else np.zeros(2)
            miss = float(np.hypot(*(centre[i] - centre[j] - v * dt))) / ref
            return miss <= max_jump_legs + max_accel_legs_per_s * dt
        jump = float(np.hypot(*(centre[i] - centre[j]))) / ref
        return jump <= max_jump_legs + max_speed_legs_per_s * dt

    def close(members: list[int]) -> None:
        s = np.array([scale[i] for i in members])
        segments.append(Segment(members[0], members[-1] + 1, float(t[members[0]]),
                                float(t[members[-1]]), float(np.median(s))))

    members: list[int] = [int(valid[0])]
    k = 1
    while k < valid.size:
        i = int(valid[k])
        if fits(members, i):
            members.append(i)
            k += 1
            continue
        back = None
        m = k + 1
        while m < valid.size and t[valid[m]] - t[i] <= bridge_s:
            if fits(members, int(valid[m])):
                back = m
                break
            m += 1
        if back is not None:
            glitch[valid[k:back]] = True
            k = back
            continue
        close(members)
        members = [i]
        k += 1
    close(members)
    return segments, glitch


def _matches(a: Segment, b: Segment, scale: NDArray[Any], centre: NDArray[Any], t: NDArray[Any], *,
             max_scale_ratio: float, max_jump_legs: float, max_speed_legs_per_s: float) -> bool:
    """Whether segment ``b`` (after ``a`` in time) continues the person of ``a``."""
    ia, ib = a.stop - 1, b.start
    sa = float(np.nanmedian(scale[max(a.start, a.stop - 5):a.stop]))
    sb = float(np.nanmedian(scale[b.start:min(b.stop, b.start + 5)]))
    if not (np.isfinite(sa) and np.isfinite(sb)) or max(sa / sb, sb / sa) > max_scale_ratio:
        return False
    jump = float(np.hypot(*(centre[ib] - centre[ia]))) / sa
    return jump <= max_jump_legs + max_speed_legs_per_s * float(t[ib] - t[ia])


def _runs(flags: NDArray[Any]) -> int:
    """Number of runs of True in ``flags``."""
    f = flags.astype(int)
    return int(np.sum(np.diff(np.concatenate([[0], f])) == 1))


def keep_one_identity(kp: Keypoints, *, max_scale_ratio: float = 1.35,
                      max_jump_legs: float = 0.75, max_speed_legs_per_s: float = 13.0,
                      bridge_s: float = 1.0) -> IdentityResult:
    """Keep the longest consistent person of the clip; blank everything else.

    Parameters
    ----------
    kp : Keypoints
        Raw keypoints.
    max_scale_ratio, max_jump_legs, max_speed_legs_per_s : float
        Limits of :func:`find_segments`.
    bridge_s : float
        Longest interruption between two matching segments that is cut out while
        both are kept.

    Returns
    -------
    IdentityResult
    """
    limits = {"max_scale_ratio": max_scale_ratio, "max_jump_legs": max_jump_legs,
              "max_speed_legs_per_s": max_speed_legs_per_s}
    segments, glitch = find_segments(kp, **limits, bridge_s=bridge_s)
    mask = np.zeros(kp.n_frames, dtype=bool)
    if not segments:
        return IdentityResult(kp, segments, [], mask)
    scale, centre, t = leg_scale_px(kp), centre_px(kp), np.asarray(kp.time_s, dtype=float)
    main = max(range(len(segments)), key=lambda k: (segments[k].duration_s,
                                                    segments[k].stop - segments[k].start))
    kept = [main]
    # forward, then backward: join the next segment that continues the runner when what
    # lies between is a short interruption
    for direction in (1, -1):
        k = main
        while True:
            edge = segments[kept[-1] if direction == 1 else kept[0]]
            nxt = None
            j = k + direction
            while 0 <= j < len(segments):
                cand = segments[j]
                gap = cand.t0 - edge.t1 if direction == 1 else edge.t0 - cand.t1
                if gap > bridge_s:
                    break
                a, b = (edge, cand) if direction == 1 else (cand, edge)
                if _matches(a, b, scale, centre, t, **limits):
                    nxt = j
                    break
                j += direction
            if nxt is None:
                break
            if direction == 1:
                kept.append(nxt)
            else:
                kept.insert(0, nxt)
            k = nxt
    for k in kept:
        mask[segments[k].start:segments[k].stop] = True
    mask &= ~glitch
    tracked = np.isfinite(leg_scale_px(kp))
    cut = tracked & ~mask
    notes: list[str] = []
    out = kp
    if cut.any():
        xy = kp.xy.copy()
        conf = kp.confidence.copy()
        xy[~mask] = np.nan
        conf[~mask] = 0.0
        out = kp.replace(xy=xy, confidence=conf, step="keep_one_identity", params={
            **limits, "segments": len(segments), "kept": len(kept),
            "frames_cut": int(cut.sum())})
        first, last = segments[kept[0]], segments[kept[-1]]
        share = float((mask & tracked).sum()) / max(int(tracked.sum()), 1)
        cut_segments = [k for k in range(len(segments)) if k not in kept]
        outside = [k for k in cut_segments if k < kept[0] or k > kept[-1]]
        inside = [k for k in cut_segments if kept[0] < k < kept[-1]]
        inside += [0] * _runs(glitch & ~mask)
        if outside:
            notes.append(
                "the skeleton jumped to another person or object (a sudden change of body "
                f"size or place); only {first.t0:.1f}-{last.t1:.1f} s, {100 * share:.0f} % "
                "of the tracked frames, was analysed")
        if inside:
            notes.append(f"{len(inside)} short tracking glitch(es) (the skeleton briefly on "
                         "another person or object) were cut out")
    return IdentityResult(out, segments, kept, mask, notes, int(cut.sum()))
