"""What the annotated video shows, frame by frame: the overlay plan and its painter.

:func:`plan_overlay` turns the analysis (cleaned keypoints, stances, live
angles, peak-valgus frame) into per-frame arrays, computed once for the whole
clip with numpy: where each joint is in output pixels, which legs are in
stance or touching down, the live angles, the face disc to blur (held for a
moment when the face points drop out) and whether the peak-valgus highlight is
on. :func:`paint` draws one frame of a plan on a :class:`YuvCanvas`. A plan
can be cut into chunks (:meth:`OverlayPlan.take`) and painted in any order, by
any process, with the same result as a sequential pass.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from kneetrack.keypoints import Keypoints
from kneetrack.report.canvas import YuvCanvas

#: Leg colours (RGB), Okabe–Ito blue and vermillion, as in the plots.
LEG_RGB = {"left": (0, 114, 178), "right": (213, 94, 0)}
TORSO_RGB = (235, 235, 235)
PEAK_RGB = (240, 228, 66)  # Okabe–Ito yellow
TEXT_RGB = (255, 255, 255)
WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
LEGS = ("left", "right")

_LEG_SEGMENTS = (("hip", "knee"), ("knee", "ankle"), ("ankle", "heel"), ("heel", "toe"),
                 ("ankle", "toe"), ("shoulder", "hip"), ("shoulder", "elbow"), ("elbow", "wrist"))
_TORSO_SEGMENTS = (("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"))
_JOINTS = ("hip", "knee", "ankle")
_HEAD_MARKERS = ("nose", "left_eye", "right_eye", "left_ear", "right_ear")

#: Live angles shown per leg, in order of preference; the first two present are shown.
_LIVE = (("fppa_deg", "FPPA"), ("hip_adduction_deg", "HIP ADD"), ("pelvic_drop_deg", "PELVIS"),
         ("knee_flexion_deg", "KNEE FLEX"), ("shank_angle_deg", "SHANK"))


def _finite(v: Any) -> bool:
    try:
        return v is not None and not isinstance(v, bool) and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------- analysis → times


@dataclass(frozen=True)
class StanceMark:
    """One stance, in seconds from the first frame."""

    leg: str
    contact_s: float
    toe_off_s: float


def stances_of(analysis: Mapping[str, Any]) -> list[StanceMark]:
    """Stances with a finite contact time (toe-off NaN when the clip ends before it)."""
    out = []
    for s in analysis.get("stances") or []:
        if isinstance(s, Mapping) and _finite(s.get("contact_s")):
            off = float(s["toe_off_s"]) if _finite(s.get("toe_off_s")) else math.nan
            out.append(StanceMark(str(s.get("leg")), float(s["contact_s"]), off))
    return out


def frame_series(series: Mapping[str, Any], frame_times_s: np.ndarray) -> dict[str, np.ndarray]:
    """Angle series (``*_deg``) resampled to the given frame times (nearest sample).

    Series whose time axis equals the frames' are used as they are.
    """
    out: dict[str, np.ndarray] = {}
    if not series or "time_s" not in series:
        return out
    t = np.asarray(series["time_s"], dtype=float)
    if t.size == 0:
        return out
    same = t.shape == frame_times_s.shape and np.allclose(t, frame_times_s, atol=1e-3)
    idx = None
    if not same:
        idx = np.clip(np.searchsorted(t, frame_times_s), 1, max(t.size - 1, 1))
        if t.size > 1:
            left = t[idx - 1]
            idx = np.where(np.abs(frame_times_s - left) <= np.abs(t[idx] - frame_times_s),
                           idx - 1, idx)
        else:
            idx = np.zeros_like(idx)
        far = np.abs(t[idx] - frame_times_s) > 1.5 / max(1.0, _rate(t))
    for key, val in series.items():
        if not key.endswith("_deg"):
            continue
        a = np.asarray(val, dtype=float)
        if a.shape != t.shape:
            continue
        if same:
            out[key] = a
        else:
            b = a[idx].copy()
            b[far] = np.nan
            out[key] = b
    return out


def _rate(t: np.ndarray) -> float:
    return 1.0 / float(np.median(np.diff(t))) if t.size > 1 else 1.0


def peak_valgus_frame(analysis: Mapping[str, Any], values: Mapping[str, np.ndarray],
                      frame_times_s: np.ndarray) -> tuple[int, str, str, float] | None:
    """Frame of the clip's largest valgus: ``(index, leg, metric, value_deg)`` or ``None``.

    The stance with the highest ``fppa_peak_deg`` is picked (``hip_adduction_peak_deg``
    when the view has no FPPA); inside it, the frame where the live angle is highest.
    """
    for metric, curve in (("fppa_peak_deg", "fppa_deg"),
                          ("hip_adduction_peak_deg", "hip_adduction_deg")):
        cands = [s for s in analysis.get("stances") or []
                 if isinstance(s, Mapping) and _finite(s.get(metric))
                 and _finite(s.get("contact_s")) and _finite(s.get("toe_off_s"))]
        if not cands:
            continue
        best = max(cands, key=lambda s: float(s[metric]))
        leg = str(best.get("leg"))
        inside = np.flatnonzero((frame_times_s >= float(best["contact_s"]) - 1e-6)
                                & (frame_times_s <= float(best["toe_off_s"]) + 1e-6))
        if inside.size == 0:
            continue
        live = values.get(f"{leg}_{curve}")
        if live is not None and np.isfinite(live[inside]).any():
            j = int(inside[np.nanargmax(live[inside])])
            return j, leg, curve, float(live[j])
        j = int(inside[inside.size // 2])
        return j, leg, curve, float(best[metric])
    return None


def nearest_rows(src_t: np.ndarray, t: np.ndarray, *, tol_s: float) -> np.ndarray:
    """Per time in ``t``: index of the nearest ``src_t`` value within ``tol_s``, else -1."""
    t = np.asarray(t, dtype=float)
    if src_t.size == 0:
        return np.full(t.shape, -1, int)
    i = np.clip(np.searchsorted(src_t, t), 0, src_t.size - 1)
    j = np.clip(i - 1, 0, src_t.size - 1)
    best = np.where(np.abs(src_t[j] - t) <= np.abs(src_t[i] - t), j, i)
    return np.where(np.abs(src_t[best] - t) <= tol_s, best, -1)


# --------------------------------------------------------------------------- faces


def head_regions(kp: Keypoints) -> np.ndarray:
    """Face discs ``(x, y, radius)`` in keypoint pixels per frame (NaN rows: none).

    The centre is the mean of the visible nose, eye and ear points; the radius
    covers their spread and at least a third of the torso length (or of the
    shoulder width) so that a face seen from the side, with one ear and the
    nose only, is still covered. Without face points the head is placed above
    the shoulders.
    """
    n = kp.n_frames
    out = np.full((n, 3), np.nan)
    if n == 0:
        return out
    head = _points(kp, _HEAD_MARKERS)
    sh = _mean_points(kp, ("left_shoulder", "right_shoulder"))
    hp = _mean_points(kp, ("left_hip", "right_hip"))
    scale = np.linalg.norm(sh - hp, axis=1)  # NaN when either is missing
    vis = np.isfinite(head).all(axis=2)
    has_face = vis.any(axis=1)
    with warnings.catch_warnings():  # rows without face points are expected
        warnings.simplefilter("ignore", RuntimeWarning)
        c = np.nanmean(np.where(vis[..., None], head, np.nan), axis=1)
        d = np.linalg.norm(head - c[:, None, :], axis=2)
        spread = np.maximum(np.nanmax(np.where(vis, d, -np.inf), axis=1), 1.0)
    r = np.maximum.reduce([1.8 * spread, np.where(np.isfinite(scale), 0.33 * scale, 0.0),
                           np.full(n, 12.0)])
    out[has_face] = np.column_stack([c, r])[has_face]
    above = ~has_face & np.isfinite(scale)
    out[above, 0] = sh[above, 0]
    out[above, 1] = sh[above, 1] - 0.45 * scale[above]
    out[above, 2] = 0.38 * scale[above]
    return out


def head_region(kp: Keypoints, i: int) -> tuple[float, float, float] | None:
    """Face disc ``(x, y, radius)`` in keypoint pixels for frame ``i``, or ``None``."""
    row = head_regions(kp.slice_frames(i, i + 1))[0]
    return None if not np.isfinite(row).all() else (float(row[0]), float(row[1]), float(row[2]))


def _points(kp: Keypoints, names: Sequence[str]) -> np.ndarray:
    cols = [kp.xy[:, kp.index(m)] if kp.has(m) else np.full((kp.n_frames, 2), np.nan)
            for m in names]
    return np.stack(cols, axis=1)


def _mean_points(kp: Keypoints, names: Sequence[str]) -> np.ndarray:
    pts = _points(kp, names)
    vis = np.isfinite(pts).all(axis=2)
    with warnings.catch_warnings():  # rows without points are expected
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(np.where(vis[..., None], pts, np.nan), axis=1)


def hold_faces(faces: np.ndarray, t: np.ndarray, hold_s: float) -> np.ndarray:
    """Keep each face disc for ``hold_s`` seconds after its points disappear."""
    out = faces.copy()
    last = -1
    missing = ~np.isfinite(faces).all(axis=1)
    for i in range(faces.shape[0]):
        if not missing[i]:
            last = i
        elif last >= 0 and t[i] - t[last] <= hold_s:
            out[i] = faces[last]
    return out


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class OverlayPlan:
    """Everything drawn on frames ``first .. first + n - 1`` of the video, per frame.

    Coordinates are output-video pixels. ``xy`` holds the keypoints' markers
    (NaN: not drawn); ``time_s`` the keypoint time shown in the footer (NaN when
    no keypoint frame matches the video frame); ``values`` the live angles of the
    HUD, ``"<leg>_<key>"``; ``peak`` is 0 (off), 1 (near the peak) or 2 (the
    peak frame).
    """

    first: int
    n_video_frames: int
    markers: tuple[str, ...]
    xy: np.ndarray  # (n, markers, 2) float32
    time_s: np.ndarray  # (n,)
    face: np.ndarray  # (n, 3): x, y, radius; NaN rows: nothing to blur
    stance: np.ndarray  # (n, 2) bool: left, right in stance
    contact: np.ndarray  # (n, 2) bool: left, right touching down on this frame
    values: dict[str, np.ndarray]
    shown: tuple[tuple[str, str], ...]  # HUD columns (series key, label)
    peak: np.ndarray  # (n,) int8
    peak_info: tuple[int, str, str, float] | None  # keypoint frame, leg, metric, value

    @property
    def n(self) -> int:
        """Number of frames in this plan."""
        return int(self.time_s.size)

    def take(self, start: int, stop: int) -> OverlayPlan:
        """The plan of video frames ``start .. stop - 1`` (video-wide indices)."""
        a, b = start - self.first, stop - self.first
        return replace(self, first=start, xy=self.xy[a:b], time_s=self.time_s[a:b],
                       face=self.face[a:b], stance=self.stance[a:b],
                       contact=self.contact[a:b],
                       values={k: v[a:b] for k, v in self.values.items()}, peak=self.peak[a:b])


def plan_overlay(keypoints: Keypoints, analysis: Mapping[str, Any],
                 series: Mapping[str, Any] | None, frame_times_s: np.ndarray, *,
                 scale: float, fps: float, blur_faces: bool = True,
                 highlight_s: float = 0.2, face_hold_s: float = 0.5) -> OverlayPlan:
    """Build the :class:`OverlayPlan` of a whole video.

    Parameters
    ----------
    keypoints
        Keypoints to draw (the engine's cleaned ones), in input-video pixels.
    analysis
        The ``analysis.json`` dict (stances).
    series
        Per-frame kinematics (``time_s`` and ``*_deg`` arrays) for the live angles.
    frame_times_s
        Time of each video frame from the first one; keypoint frames are matched
        to video frames by index when the counts agree, else by nearest time.
    scale
        Output pixels per input pixel.
    fps
        The video's frame rate (for the time matching tolerance).
    """
    n = int(frame_times_s.size)
    kp_t = np.asarray(keypoints.time_s, dtype=float)
    if keypoints.n_frames == n:
        rows = np.arange(n)
    else:
        rows = nearest_rows(kp_t, frame_times_s, tol_s=0.6 / fps)
    ok = rows >= 0
    r = np.where(ok, rows, 0)

    def pick(a: np.ndarray, fill: Any) -> np.ndarray:
        out = a[r] if a.shape[0] else np.empty((n, *a.shape[1:]), a.dtype)
        out[~ok] = fill
        return out

    xy = pick(keypoints.xy.astype(np.float32) * np.float32(scale), np.nan)
    time_s = pick(kp_t, np.nan)
    values = frame_series(series or {}, kp_t)
    shown = tuple((key, label) for key, label in _LIVE
                  if f"left_{key}" in values or f"right_{key}" in values)[:2]
    hud = {f"{leg}_{key}": pick(values[f"{leg}_{key}"], np.nan)
           for key, _ in shown for leg in LEGS if f"{leg}_{key}" in values}
    stances = stances_of(analysis)
    stance = np.column_stack([pick(m, False) for m in _stance_masks(stances, kp_t)])
    contact = np.column_stack([pick(m, False) for m in _contact_masks(stances, kp_t)])
    peak_info = peak_valgus_frame(analysis, values, kp_t)
    peak = np.zeros(n, np.int8)
    if peak_info is not None:
        j = peak_info[0]
        peak[ok & (np.abs(time_s - kp_t[j]) <= highlight_s)] = 1
        peak[ok & (rows == j)] = 2
    face = np.full((n, 3), np.nan)
    if blur_faces:
        face = hold_faces(pick(head_regions(keypoints), np.nan) * scale, frame_times_s,
                          face_hold_s)
    return OverlayPlan(first=0, n_video_frames=n, markers=tuple(keypoints.markers), xy=xy,
                       time_s=time_s, face=face, stance=stance, contact=contact, values=hud,
                       shown=shown, peak=peak, peak_info=peak_info)


def _stance_masks(stances: Sequence[StanceMark], t: np.ndarray) -> list[np.ndarray]:
    """Per leg, whether each keypoint frame lies inside one of that leg's stances."""
    mask = {leg: np.zeros(t.shape, bool) for leg in LEGS}
    for m in stances:
        if m.leg in mask and math.isfinite(m.toe_off_s):
            i0 = int(np.searchsorted(t, m.contact_s - 1e-9, side="left"))
            i1 = int(np.searchsorted(t, m.toe_off_s + 1e-9, side="right"))
            mask[m.leg][i0:i1] = True
    return [mask[leg] for leg in LEGS]


def _contact_masks(stances: Sequence[StanceMark], t: np.ndarray) -> list[np.ndarray]:
    """Per leg, whether each keypoint frame is the one nearest to a contact of that leg."""
    mask = {leg: np.zeros(t.shape, bool) for leg in LEGS}
    if t.size:
        for m in stances:
            if m.leg in mask:
                i = int(np.searchsorted(t, m.contact_s))
                j = min((c for c in (i - 1, i) if 0 <= c < t.size),
                        key=lambda c: abs(t[c] - m.contact_s))
                mask[m.leg][j] = True
    return [mask[leg] for leg in LEGS]


# --------------------------------------------------------------------------- painting


class _Layout:
    """Marker indices of the drawn segments, resolved once per plan."""

    def __init__(self, markers: Sequence[str]) -> None:
        idx = {m: i for i, m in enumerate(markers)}

        def pair(a: str, b: str) -> tuple[int, int] | None:
            return (idx[a], idx[b]) if a in idx and b in idx else None

        self.torso = [p for a, b in _TORSO_SEGMENTS if (p := pair(a, b))]
        self.legs = {}
        for leg in LEGS:
            segs = []
            for a, b in _LEG_SEGMENTS:
                p = pair(f"{leg}_{a}", f"{leg}_{b}")
                if p:
                    segs.append((p, a in ("hip", "knee")))
            joints = [idx[f"{leg}_{j}"] for j in _JOINTS if f"{leg}_{j}" in idx]
            feet = [idx[f"{leg}_{m}"] for m in ("heel", "ankle") if f"{leg}_{m}" in idx]
            self.legs[leg] = (segs, joints, feet)


_LAYOUTS: dict[tuple[str, ...], _Layout] = {}


def _layout(markers: tuple[str, ...]) -> _Layout:
    if markers not in _LAYOUTS:
        _LAYOUTS[markers] = _Layout(markers)
    return _LAYOUTS[markers]


def paint(canvas: YuvCanvas, plan: OverlayPlan, index: int) -> None:
    """Draw video frame ``index`` (video-wide) of ``plan`` on ``canvas``: blur, skeleton, HUD.

    Frames outside the plan (a video longer than its frame count said) get the HUD only.
    """
    i = index - plan.first
    inside = 0 <= i < plan.n
    if inside:
        x, y, r = plan.face[i]
        if math.isfinite(r):
            canvas.blur_disc(float(x), float(y), float(r))
    u = max(min(canvas.width, canvas.height) / 720.0, 0.6)  # drawing unit
    th = max(2, int(round(3 * u)))
    if inside:
        _skeleton(canvas, plan, i, th)
    hud_bottom = _hud(canvas, plan, i if inside else -1, index, u)
    if inside and plan.peak[i]:
        _peak(canvas, plan, i, u, hud_bottom)


def _skeleton(canvas: YuvCanvas, plan: OverlayPlan, i: int, th: int) -> None:
    lay = _layout(plan.markers)
    xy = plan.xy[i]
    fin = np.isfinite(xy).all(axis=1)
    pts = np.rint(np.where(fin[:, None], xy, 0)).astype(int)

    def pt(k: int) -> tuple[int, int] | None:
        return (int(pts[k, 0]), int(pts[k, 1])) if fin[k] else None

    for a, b in lay.torso:
        pa, pb = pt(a), pt(b)
        if pa and pb:
            canvas.line(pa, pb, TORSO_RGB, th)
    for j, leg in enumerate(LEGS):
        col = LEG_RGB[leg]
        segs, joints, feet = lay.legs[leg]
        for (a, b), upper in segs:
            pa, pb = pt(a), pt(b)
            if pa and pb:
                canvas.line(pa, pb, col, th + (1 if upper else 0))
        for k in joints:
            p = pt(k)
            if p:
                canvas.circle(p, th + 2, WHITE, -1)
                canvas.circle(p, th + 2, col, max(1, th // 2))
        foot = next((p for k in feet if (p := pt(k))), None)
        if foot and plan.stance[i, j]:
            canvas.ellipse((foot[0], foot[1] + 2 * th), (7 * th, 2 * th), col, -1)
        if foot and plan.contact[i, j]:
            canvas.circle(foot, 9 * th, PEAK_RGB, th)


def _hud(canvas: YuvCanvas, plan: OverlayPlan, i: int, index: int, u: float) -> int:
    """The live-angle box (top left) and the time footer; returns the box's bottom edge."""
    fs = 0.55 * u
    ft = max(1, int(round(1.3 * u)))
    line_h = int(round(26 * u))
    rows = []
    for leg in LEGS:
        parts = [leg.upper()]
        for key, label in plan.shown:
            arr = plan.values.get(f"{leg}_{key}")
            v = float(arr[i]) if arr is not None and i >= 0 else math.nan
            parts.append(f"{label} {v:5.1f}" if math.isfinite(v) else f"{label}   --")
        rows.append("  ".join(parts))
    width = max(canvas.text_size(r, fs, ft)[0] for r in rows)
    badge_w = int(round(86 * u))
    pad = int(round(8 * u))
    box_h = line_h * len(rows) + 2 * pad
    canvas.shade(0, 0, width + badge_w + 3 * pad, box_h, 0.55)
    for j, (leg, text) in enumerate(zip(LEGS, rows, strict=True)):
        y = pad + (j + 1) * line_h - int(round(7 * u))
        canvas.text(text, (pad, y), fs, TEXT_RGB, ft)
        if i >= 0 and plan.stance[i, j]:
            label = "CONTACT" if plan.contact[i, j] else "STANCE"
            bx = pad * 2 + width
            canvas.rectangle((bx, y - int(18 * u)), (bx + badge_w, y + int(5 * u)),
                             LEG_RGB[leg], -1)
            canvas.text(label, (bx + int(6 * u), y), 0.45 * u, TEXT_RGB, ft)
    t = float(plan.time_s[i]) if i >= 0 else math.nan
    t_text = f"t {t:6.2f} s" if math.isfinite(t) else "t   --  "
    foot_text = f"{t_text}   frame {index + 1}/{plan.n_video_frames}   angles in degrees"
    tw = canvas.text_size(foot_text, 0.45 * u, ft)[0]
    h = canvas.height
    canvas.shade(0, h - line_h - pad, tw + 2 * pad, h, 0.5)
    canvas.text(foot_text, (pad, h - pad - int(4 * u)), 0.45 * u, TEXT_RGB, ft)
    return box_h


def _peak(canvas: YuvCanvas, plan: OverlayPlan, i: int, u: float, hud_bottom: int) -> None:
    if plan.peak_info is None:
        return
    _, leg, metric, value = plan.peak_info
    exact = plan.peak[i] == 2
    bw = max(4, int(round((10 if exact else 5) * u)))
    canvas.rectangle((0, 0), (canvas.width - 1, canvas.height - 1), PEAK_RGB, 2 * bw)
    label = "FPPA" if metric == "fppa_deg" else "HIP ADD"
    text = (f"PEAK VALGUS  {leg.upper()}  {label} {value:.1f} deg" if exact else "peak valgus")
    fs = (0.7 if exact else 0.5) * u
    ft = max(1, int(round(1.6 * u)))
    tw, tht = canvas.text_size(text, fs, ft)
    x = 2 * bw + int(round(8 * u))  # under the live-angle box, away from the runner's face
    y = hud_bottom + 2 * bw + tht + int(round(6 * u))
    canvas.rectangle((x - bw, y - tht - bw), (x + tw + bw, y + bw), PEAK_RGB, -1)
    canvas.text(text, (x, y), fs, BLACK, ft)
