"""Left/right label swaps: tell a pose estimator's mislabelling from legs that really cross.

BlazePose swaps the labels of the legs 0.25–3 times per second of running
video, for 1–26 frames, often the foot only, with unchanged visibility
(FIELD_NOTES.md). A crossover runner's feet, seen from the front or from
behind, *really* land across the midline, so the image order of the feet is
no evidence of a swap: an order rule relabels such a runner's feet in most
frames and puts every stance on the wrong leg.

What a swap does and a crossing foot does not: a swap **exchanges** the two
points from one frame to the next, so both labelled paths jump by the
distance between the legs, in opposite directions, and jump back when the
swap ends. A foot that crosses the midline moves there continuously.
:func:`track_labels` therefore follows each leg's identity through the clip:

- a two-state hidden Markov model per body part (labels as given / exchanged),
  decoded with the Viterbi algorithm;
- the cost of a labelling is how badly each labelled path is predicted from
  its own two previous positions (constant velocity, with the real frame
  times, so variable frame rates and dropped frames are handled), plus a cost
  per change of state (swaps are rare events) and a small cost per frame in
  the exchanged state (the estimator is right most of the time, which fixes
  the labelling that continuity alone leaves open);
- per-frame evidence for one labelling (``unary_px``): each leg repeats its
  own path once per stride (:mod:`kneetrack.kinematics.periodicity`), so the
  labelled points are compared with where the same labels were one to four
  strides earlier and later, relative to the pelvis; this tells the legs apart
  even where a swap starts or ends while they are close together. In frontal
  views the hips never cross, so an exchanged hip order is evidence too.
- the hip-to-knee chain: a whole-leg swap exchanges hip and knee together, so
  a knee swap that starts or ends with its hip's costs less. The feet get no
  order cost at all: crossing the midline is what is measured.

Side views keep the cues of :func:`repair_swaps` (continuity events and the
shank-length consistency of each ankle with its knee), where the legs overlap
in the image every step and the order of the legs means nothing.

References: the Viterbi algorithm (Forney 1973, Proc. IEEE 61:268–278);
identity tracking of pose keypoints through swaps by path continuity, as in
multi-animal tracking (e.g. Pereira et al. 2022, SLEAP, Nat. Methods 19:486).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kneetrack.core.views import FRONTAL_VIEWS, SAGITTAL_VIEWS
from kneetrack.keypoints import Keypoints
from kneetrack.kinematics.periodicity import periodic_label_cost, stride_period_s
from kneetrack.kinematics.resampling import timing_error_frames

#: Body parts that exist on both sides and can be swapped by a pose estimator.
SIDED_PARTS = ("hip", "knee", "ankle", "heel", "toe", "small_toe")
#: Parts tracked together in frontal views (heel and toe follow the ankle they sit on).
FOOT_GROUP = ("ankle", "heel", "toe", "small_toe")


def body_scale_px(kp: Keypoints) -> float:
    """A robust size of the person in pixels: median hip–ankle distance (NaN if unknown)."""
    d = []
    for side in ("left", "right"):
        if kp.has(f"{side}_hip") and kp.has(f"{side}_ankle"):
            d.append(np.hypot(*(kp[f"{side}_ankle"] - kp[f"{side}_hip"]).T))
    if not d:
        return float("nan")
    all_d = np.concatenate(d)
    all_d = all_d[np.isfinite(all_d)]
    return float(np.median(all_d)) if all_d.size else float("nan")


# ------------------------------------------------------------------------- identity tracking
def _residuals(a: NDArray[Any], b: NDArray[Any], t: NDArray[Any], *, max_link_s: float,
               cap_px: float) -> NDArray[Any]:
    """Prediction errors of every labelling of three consecutive (valid) frames.

    ``a``, ``b``: (k, m, 2) left/right-labelled points of m markers at frames with
    times ``t``. Returns ``r`` (k, 2, 2): ``r[j, s2, s1]`` is the error (px, summed
    over both legs and the markers seen in all three frames) of labelling frame j
    as-given (state 0) when frames j-1 and j-2 have states ``s1`` and ``s2``
    (the error of exchanging frame j is ``r[j, 1 - s2, 1 - s1]`` by symmetry).
    """
    k = a.shape[0]
    r = np.zeros((k, 2, 2))
    if k < 2:
        return r
    dt = np.diff(t)
    nominal = float(np.median(dt))
    pos = (a, b)   # state 0: left = a; state 1: left = b

    def err(pred_l: NDArray[Any], pred_r: NDArray[Any], j: slice, ok: NDArray[Any]) -> NDArray[Any]:
        d = (np.minimum(np.hypot(*(a[j] - pred_l).transpose(2, 0, 1)), cap_px)
             + np.minimum(np.hypot(*(b[j] - pred_r).transpose(2, 0, 1)), cap_px))
        return np.asarray(np.where(ok, d, 0.0).sum(axis=1))

    seen = np.isfinite(a[..., 0]) & np.isfinite(b[..., 0])     # (k, m)
    # first order (frame j from j-1) for j = 1 and wherever the velocity is unreliable
    for s1 in (0, 1):
        pl, pr = pos[s1][:-1], pos[1 - s1][:-1]
        ok = seen[1:] & seen[:-1]
        r[1:, 0, s1] = r[1:, 1, s1] = err(pl, pr, slice(1, None), ok)
    if k >= 3:
        ratio = (dt[1:] / dt[:-1])[:, None, None]
        velocity_ok = dt[:-1] <= 2.5 * nominal
        ok = seen[2:] & seen[1:-1] & seen[:-2]
        for s2 in (0, 1):
            for s1 in (0, 1):
                l1, r1 = pos[s1][1:-1], pos[1 - s1][1:-1]
                l2, r2 = pos[s2][:-2], pos[1 - s2][:-2]
                e = err(l1 + (l1 - l2) * ratio, r1 + (r1 - r2) * ratio, slice(2, None), ok)
                r[2:, s2, s1] = np.where(velocity_ok, e, r[2:, s2, s1])
    # no link across a long gap in tracking: each side of it is judged on its own
    r[1:][dt > max_link_s] = 0.0
    return r


def _viterbi(r: NDArray[Any], unary: NDArray[Any], switch_cost: NDArray[Any]) -> NDArray[Any]:
    """Most likely state sequence (0 = as given, 1 = exchanged) of the label model.

    States of the chain are pairs (previous, current), numbered ``2 * s1 + s0``;
    ``r`` as from :func:`_residuals`, ``unary`` (k, 2) the cost of each state in
    each frame, ``switch_cost`` (k,) the cost of a change of state from the frame
    before. A plain loop over frames (four states: numpy per step would be slower).
    """
    k = unary.shape[0]
    flat = r.reshape(k, 4)
    # r[j, s2, s1] for s0 = 0; the exchanged frame uses the mirror r[j, 1-s2, 1-s1]
    r0, r1, r2, r3 = (flat[:, i].tolist() for i in range(4))
    u0, u1 = unary[:, 0].tolist(), unary[:, 1].tolist()
    sc = switch_cost.tolist()
    # frame 1: first-order residuals (s2 plays no part)
    c0 = u0[0] + u0[1] + r0[1]
    c1 = u0[0] + u1[1] + r3[1] + sc[1]
    c2 = u1[0] + u0[1] + r1[1] + sc[1]
    c3 = u1[0] + u1[1] + r2[1]
    back: list[int] = [0, 0]
    for a, b, c, d, x, y, s in zip(r0[2:], r1[2:], r2[2:], r3[2:], u0[2:], u1[2:], sc[2:],
                                   strict=True):
        bits = 0
        # (0,0) from (0,0) | (1,0)
        p, q = c0 + a, c2 + c
        if p <= q:
            n0 = p
        else:
            n0, bits = q, 1
        # (0,1) from (0,0) | (1,0)
        p, q = c0 + d, c2 + b
        if p <= q:
            n1 = p
        else:
            n1, bits = q, bits | 2
        # (1,0) from (0,1) | (1,1)
        p, q = c1 + b, c3 + d
        if p <= q:
            n2 = p
        else:
            n2, bits = q, bits | 4
        # (1,1) from (0,1) | (1,1)
        p, q = c1 + c, c3 + a
        if p <= q:
            n3 = p
        else:
            n3, bits = q, bits | 8
        c0, c1, c2, c3 = n0 + x, n1 + y + s, n2 + x + s, n3 + y
        back.append(bits)
    cost = [c0, c1, c2, c3]
    pair = int(np.argmin(cost))
    state = np.zeros(k, dtype=np.int8)
    state[k - 1], state[k - 2] = pair % 2, pair // 2
    for j in range(k - 1, 1, -1):
        s2 = (back[j] >> pair) & 1
        pair = 2 * s2 + pair // 2
        state[j - 2] = s2
    return state


def track_labels(a: NDArray[Any], b: NDArray[Any], time_s: NDArray[Any], *,
                 switch_cost_px: float | NDArray[Any],
                 swapped_cost_px: float, unary_px: NDArray[Any] | None = None,
                 max_link_s: float = 0.25, cap_px: float = np.inf) -> NDArray[Any]:
    """Frames in which the left/right labels of one body part are exchanged.

    Parameters
    ----------
    a, b : ndarray, shape (frames, markers, 2) or (frames, 2)
        Points labelled left and right (one or more markers that swap together;
        the first decides which frames are usable). NaN where missing.
    time_s : ndarray, shape (frames,)
        Frame times (any spacing).
    switch_cost_px : float or ndarray, shape (frames,)
        Cost of one change of labelling state, in pixels of prediction error
        (per frame: the cost of a change between the previous usable frame and
        that one).
    swapped_cost_px : float
        Cost of each frame in the exchanged state.
    unary_px : ndarray, shape (frames, 2), optional
        Extra per-frame cost of each state (as given, exchanged).
    max_link_s : float
        Frames further apart than this (a tracking gap) are not linked.
    cap_px : float
        Largest prediction error one marker can add (limits glitches).

    Returns
    -------
    ndarray of bool, shape (frames,)
        True where the labels are exchanged. Frames where either side is
        missing take the state of the previous usable frame.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(40) / 60
    >>> left = np.column_stack([100 + 300 * t, 200 + 0 * t])
    >>> right = np.column_stack([300 - 300 * t, 260 + 0 * t])     # crosses the left one
    >>> a, b = left.copy(), right.copy()
    >>> a[10:14], b[10:14] = right[10:14], left[10:14]             # a 4-frame label swap
    >>> np.flatnonzero(track_labels(a, b, t, switch_cost_px=20, swapped_cost_px=1)).tolist()
    [10, 11, 12, 13]
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.ndim == 2:
        a, b = a[:, None, :], b[:, None, :]
    n = a.shape[0]
    out = np.zeros(n, dtype=bool)
    valid = np.isfinite(a[:, 0, 0]) & np.isfinite(b[:, 0, 0])
    idx = np.flatnonzero(valid)
    if idx.size < 3:
        return out
    t = np.asarray(time_s, dtype=float)[idx]
    r = _residuals(a[idx], b[idx], t, max_link_s=max_link_s, cap_px=cap_px)
    unary = np.zeros((idx.size, 2))
    unary[:, 1] = swapped_cost_px
    if unary_px is not None:
        unary += np.nan_to_num(np.asarray(unary_px, dtype=float)[idx])
    switch = np.broadcast_to(np.asarray(switch_cost_px, dtype=float), (n,))
    # a change anywhere after the previous usable frame, up to this one, counts here
    starts = np.concatenate([[0], idx[:-1] + 1])
    state = _viterbi(r, unary, np.minimum.reduceat(switch[:idx[-1] + 1], starts)).astype(bool)
    # frames where a side is missing keep the state of the last usable frame
    pos = np.clip(np.searchsorted(idx, np.arange(n), side="right") - 1, 0, idx.size - 1)
    out[:] = state[pos]
    return out


def _order_cost(dx: NDArray[Any], sign: NDArray[Any] | float, margin: float) -> NDArray[Any]:
    """(frames, 2) cost of each labelling when ``dx * sign`` should be positive."""
    with np.errstate(invalid="ignore"):
        keep = np.maximum(0.0, -dx * sign - margin)
        cross = np.maximum(0.0, dx * sign - margin)
    return np.nan_to_num(np.column_stack([keep, cross]))


# ------------------------------------------------------------------------- the cleaning step
def _swap_rows(xy: NDArray[Any], conf: NDArray[Any], il: int, ir: int, rows: NDArray[Any]) -> None:
    xy[rows, il], xy[rows, ir] = xy[rows, ir].copy(), xy[rows, il].copy()
    conf[rows, il], conf[rows, ir] = conf[rows, ir].copy(), conf[rows, il].copy()


def _dist(a: NDArray[Any], b: NDArray[Any]) -> NDArray[Any]:
    return np.asarray(np.hypot(*(a - b).T))


def _swap_state(a: NDArray[Any], b: NDArray[Any], *, ratio: float, min_px: float,
                max_swap_s: float, time_s: NDArray[Any]) -> NDArray[Any]:
    """Boolean per frame: labels of ``a``/``b`` (frames, 2) are crossed there (side views).

    Predictions use the frame times; on evenly spaced frames they are the plain
    midpoint and constant-velocity step.
    """
    n = a.shape[0]
    state = np.zeros(n, dtype=bool)
    if n < 3:
        return state
    t = np.asarray(time_s, dtype=float)
    even = timing_error_frames(t) <= 0.01
    dt = np.diff(t)
    # One-frame swaps first (the commonest): the crossed labels sit much better on the
    # point between the neighbouring frames. Fixed here, they cannot spoil the velocity
    # prediction that finds longer swaps below.
    ma = np.full_like(a, np.nan)
    mb = np.full_like(b, np.nan)
    if even:
        ma[1:-1] = 0.5 * (a[:-2] + a[2:])
        mb[1:-1] = 0.5 * (b[:-2] + b[2:])
    else:
        f = (dt[:-1] / (dt[:-1] + dt[1:]))[:, None]
        ma[1:-1] = a[:-2] + f * (a[2:] - a[:-2])
        mb[1:-1] = b[:-2] + f * (b[2:] - b[:-2])
    d_keep = _dist(a, ma) + _dist(b, mb)
    d_cross = _dist(a, mb) + _dist(b, ma)
    with np.errstate(invalid="ignore"):
        single = np.nan_to_num((d_cross < ratio * d_keep) & (d_keep > min_px),
                               nan=False).astype(bool)
    if single.any():
        a, b = a.copy(), b.copy()
        a[single], b[single] = b[single].copy(), a[single].copy()
        state |= single
    # Constant-velocity prediction from the two previous frames (falls back to the previous one).
    pa = np.full_like(a, np.nan)
    pb = np.full_like(b, np.nan)
    if even:
        pa[2:] = 2 * a[1:-1] - a[:-2]
        pb[2:] = 2 * b[1:-1] - b[:-2]
    else:
        g = (dt[1:] / dt[:-1])[:, None]
        pa[2:] = a[1:-1] + g * (a[1:-1] - a[:-2])
        pb[2:] = b[1:-1] + g * (b[1:-1] - b[:-2])
    pa[1:] = np.where(np.isnan(pa[1:]), a[:-1], pa[1:])
    pb[1:] = np.where(np.isnan(pb[1:]), b[:-1], pb[1:])
    keep = _dist(a, pa) + _dist(b, pb)
    cross = _dist(a, pb) + _dist(b, pa)
    with np.errstate(invalid="ignore"):
        event = np.nan_to_num((cross < ratio * keep) & (keep > min_px),
                              nan=False).astype(bool)
    idx = np.flatnonzero(event)
    # Pair events: a swap at i and its undo at j, at most max_swap_s later.
    step = float(np.median(dt))
    longest = max(max_swap_s + 0.49 * step, step)     # on even frames: round(max_swap_s * fps)
    k = 0
    while k < len(idx) - 1:
        i, j = idx[k], idx[k + 1]
        if t[j] - t[i] <= longest:
            state[i:j] ^= True
            k += 2
        else:
            k += 1
    return state


def _frontal(kp: Keypoints, xy: NDArray[Any], conf: NDArray[Any], cols: dict[str, tuple[int, int]],
             scale: float, *, switch_fraction: float, swapped_fraction: float,
             periodicity_weight: float, repaired: dict[str, int],
             stats: dict[str, object]) -> None:
    """Frontal views: identity tracking of hips, knees and feet, in place."""
    t = kp.time_s
    switch = switch_fraction * scale
    swapped = swapped_fraction * scale
    cap = 0.6 * scale

    def group(parts: Sequence[str]) -> tuple[list[int], list[int]]:
        present = [p for p in parts if p in cols]
        return [cols[p][0] for p in present], [cols[p][1] for p in present]

    hip_rows: NDArray[Any] | None = None
    mid = None
    if "hip" in cols:
        il, ir = cols["hip"]
        dx = xy[:, il, 0] - xy[:, ir, 0]
        with np.errstate(all="ignore"):
            sign = float(np.sign(np.nanmedian(dx)))
        # hips never cross in a front or rear view: an exchanged hip order is evidence
        unary = _order_cost(dx, sign, 0.0) if sign != 0 else None
        rows = track_labels(xy[:, il], xy[:, ir], t, switch_cost_px=switch,
                            swapped_cost_px=swapped, unary_px=unary, cap_px=cap)
        if rows.any():
            _swap_rows(xy, conf, il, ir, rows)
            repaired["hip"] = int(rows.sum())
        hip_rows = rows
        mid = 0.5 * (xy[:, il] + xy[:, ir])
    period = float("nan")
    if "ankle" in cols and periodicity_weight > 0:
        # the distance between the ankles repeats every step whatever their labels (swaps
        # do not change it): a stride is two steps
        gap = np.hypot(*(xy[:, cols["ankle"][0]] - xy[:, cols["ankle"][1]]).T)
        period = 2.0 * stride_period_s(gap, t, min_s=0.18, max_s=1.25)
    stats["stride_period_s"] = round(period, 3) if np.isfinite(period) else None

    def track(part: str, switch_px: NDArray[Any] | float) -> NDArray[Any]:
        """Swap state of ``part``: continuity and stride periodicity."""
        il, ir = cols[part]
        a, b = xy[:, il], xy[:, ir]
        if not np.isfinite(period):
            return track_labels(a, b, t, switch_cost_px=switch_px, swapped_cost_px=swapped,
                                cap_px=cap)
        rel_a, rel_b = (a, b) if mid is None else (a - mid, b - mid)
        # First from the labels as given, over eight strides (a swap covers few of
        # them), then from the repaired labels over the nearest four.
        rows = np.zeros(xy.shape[0], dtype=bool)
        for strides in ((-4, -3, -2, -1, 1, 2, 3, 4), (-2, -1, 1, 2)):
            ref_l = np.where(rows[:, None], rel_b, rel_a)
            ref_r = np.where(rows[:, None], rel_a, rel_b)
            per = periodic_label_cost(rel_a, rel_b, t, period, reference=(ref_l, ref_r),
                                      strides=strides, cap_px=cap)
            rows = track_labels(a, b, t, switch_cost_px=switch_px, swapped_cost_px=swapped,
                                unary_px=periodicity_weight * per, cap_px=cap)
        return rows

    if "knee" in cols:
        il, ir = cols["knee"]
        knee_switch: NDArray[Any] | float = switch
        if hip_rows is not None:
            # a whole-leg swap exchanges hip and knee together: a knee swap that starts or
            # ends with its hip's costs a quarter (foot-only swaps leave both alone)
            hip_change = np.concatenate([[False], hip_rows[1:] != hip_rows[:-1]])
            knee_switch = np.where(hip_change, 0.25 * switch, switch)
        rows = track("knee", knee_switch)
        if rows.any():
            _swap_rows(xy, conf, il, ir, rows)
            repaired["knee"] = int(rows.sum())
    if "ankle" in cols:
        # the ankle decides for its foot: heel and toe then follow the nearer ankle (below),
        # which also repairs heel/toe-only swaps
        rows = track("ankle", switch)
        if rows.any():
            left, right = group(FOOT_GROUP)
            for il, ir in zip(left, right, strict=True):
                _swap_rows(xy, conf, il, ir, rows)
            repaired["ankle"] = int(rows.sum())


def repair_swaps(kp: Keypoints, *, view: str | None = None, max_swap_s: float = 0.5,
                 ratio: float = 0.5, min_jump_fraction: float = 0.08,
                 switch_fraction: float = 0.1, swapped_fraction: float = 0.01,
                 periodicity_weight: float = 0.3) -> Keypoints:
    """Undo left/right label swaps, part by part.

    - **Frontal views** (``front``/``rear``): each leg's identity is tracked
      through the clip (:func:`track_labels`): hips (which never cross), knees
      (a swap with their hip's is cheaper), then each ankle, with stride
      periodicity as evidence; heel and toe follow the ankle. A label swap
      exchanges the points from one frame to the next; a foot that crosses the
      midline does not, so a crossover runner keeps its labels.
    - **Side views** and unknown views: a frame where the crossed assignment
      continues both trajectories much better (``ratio``) than the labelled one
      starts a swap; the next such frame within ``max_swap_s`` ends it. In side
      views an ankle then belongs to the knee whose shank length it keeps.
    - **Heels and toes** (every view) belong to the nearer ankle; the better
      assignment must win by 4 % of the body scale, so noise does not flip it.
      In frontal views toes follow their heel (they may point across the
      midline and hide behind the foot). This catches heel/toe-only swaps.

    Parameters
    ----------
    kp : Keypoints
        Input keypoints.
    view : str, optional
        Camera view if known; selects the cues.
    max_swap_s : float
        Side and unknown views: longest swap that the continuity cue repairs.
    ratio : float
        Side and unknown views: crossed/labelled error ratio that marks a swap.
    min_jump_fraction : float
        Side and unknown views: ignore frames whose labelled error is below this
        fraction of the body scale (hip–ankle distance).
    switch_fraction : float
        Frontal views: cost of one change of labelling (a swap starting or
        ending), as a fraction of the body scale of prediction error.
    swapped_fraction : float
        Frontal views: cost of each frame labelled as exchanged, as a fraction
        of the body scale (the estimator is right most of the time).
    periodicity_weight : float
        Frontal views: weight of the stride-periodicity evidence for knees and
        feet (:func:`kneetrack.kinematics.periodicity.periodic_label_cost`),
        per frame and pixel; 0 turns it off.
    """
    scale = body_scale_px(kp)
    min_px = (min_jump_fraction * scale) if np.isfinite(scale) else 10.0
    xy = kp.xy.copy()
    conf = kp.confidence.copy()
    repaired: dict[str, int] = {}
    stats: dict[str, object] = {}
    cols: dict[str, tuple[int, int]] = {}
    for part in SIDED_PARTS:
        left, right = f"left_{part}", f"right_{part}"
        if kp.has(left) and kp.has(right):
            cols[part] = (kp.index(left), kp.index(right))

    if view in FRONTAL_VIEWS:
        _frontal(kp, xy, conf, cols, scale if np.isfinite(scale) else 100.0,
                 switch_fraction=switch_fraction, swapped_fraction=swapped_fraction,
                 periodicity_weight=periodicity_weight, repaired=repaired, stats=stats)
    else:
        parts = ("hip", "knee") if view in SAGITTAL_VIEWS else SIDED_PARTS
        for part in parts:
            if part not in cols:
                continue
            il, ir = cols[part]
            state = _swap_state(xy[:, il], xy[:, ir], ratio=ratio, min_px=min_px,
                                max_swap_s=max_swap_s, time_s=kp.time_s)
            if state.any():
                _swap_rows(xy, conf, il, ir, state)
                repaired[part] = int(state.sum())
        if view in SAGITTAL_VIEWS and "knee" in cols and "ankle" in cols:
            knees, ankles = cols["knee"], cols["ankle"]
            kl, kr = xy[:, knees[0]], xy[:, knees[1]]
            al, ar = xy[:, ankles[0]], xy[:, ankles[1]]
            shank = np.nanmedian(np.concatenate([_dist(kl, al), _dist(kr, ar)]))
            keep = np.abs(_dist(kl, al) - shank) + np.abs(_dist(kr, ar) - shank)
            cross = np.abs(_dist(kl, ar) - shank) + np.abs(_dist(kr, al) - shank)
            with np.errstate(invalid="ignore"):
                rows = (cross < ratio * keep) & (keep > 0.15 * shank)
            if rows.any():
                _swap_rows(xy, conf, ankles[0], ankles[1], rows)
                repaired["ankle_vs_knee"] = int(rows.sum())
    # Heels and toes belong to the nearer ankle (in every view: feet may point across
    # the midline, so their image order is no cue).
    foot_margin = max(0.04 * scale, 6.0) if np.isfinite(scale) else 6.0
    heel_rows: NDArray[Any] | None = None
    for part in ("heel", "toe", "small_toe"):
        if part not in cols or "ankle" not in cols:
            continue
        il, ir = cols[part]
        al, ar = xy[:, cols["ankle"][0]], xy[:, cols["ankle"][1]]
        pl, pr = xy[:, il], xy[:, ir]
        if view in FRONTAL_VIEWS and part != "heel" and heel_rows is not None:
            # Toes may point across the midline in frontal views (and hide behind the
            # foot from the rear): they follow the heel's decision.
            rows = heel_rows
        else:
            keep = _dist(pl, al) + _dist(pr, ar)
            cross = _dist(pl, ar) + _dist(pr, al)
            with np.errstate(invalid="ignore"):
                rows = (keep - cross) > foot_margin
        if part == "heel":
            heel_rows = rows
        if rows.any():
            _swap_rows(xy, conf, il, ir, rows)
            repaired[f"{part}_vs_ankle"] = int(rows.sum())
    params: dict[str, object] = {"view": view, "frames_repaired": repaired}
    if view in FRONTAL_VIEWS:
        params.update(stats)
        params.update(method="identity tracking (Viterbi: continuity, stride periodicity)",
                      switch_px=round(float(switch_fraction * scale), 2)
                      if np.isfinite(scale) else None)
    else:
        params.update(max_swap_s=max_swap_s, ratio=ratio, min_jump_px=round(float(min_px), 2))
    return kp.replace(xy=xy, confidence=conf, step="repair_swaps", params=params)
