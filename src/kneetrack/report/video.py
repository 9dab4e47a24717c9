"""The annotated video: skeleton, live angles, stance marks and the peak-valgus frame.

Writes H.264 in MP4 through PyAV with the settings that play in Chrome and
Safari (yuv420p, even width and height, ``moov`` atom first via
``+faststart``). The output has the input's frame rate and frame count.
Faces can be blurred (on by default: the annotated video is the file people
share); the face region comes from the nose, eye and ear keypoints.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Self

import av
import cv2
import numpy as np

from kneetrack.errors import InputError
from kneetrack.keypoints import Keypoints

#: Leg colours (RGB), Okabe–Ito blue and vermillion, as in the plots.
LEG_RGB = {"left": (0, 114, 178), "right": (213, 94, 0)}
TORSO_RGB = (235, 235, 235)
PEAK_RGB = (240, 228, 66)  # Okabe–Ito yellow
TEXT_RGB = (255, 255, 255)

_LEG_SEGMENTS = (("hip", "knee"), ("knee", "ankle"), ("ankle", "heel"), ("heel", "toe"),
                 ("ankle", "toe"), ("shoulder", "hip"), ("shoulder", "elbow"), ("elbow", "wrist"))
_TORSO_SEGMENTS = (("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"))
_HEAD_MARKERS = ("nose", "left_eye", "right_eye", "left_ear", "right_ear")

#: Live angles shown per leg, in order of preference; the first two present are shown.
_LIVE = (("fppa_deg", "FPPA"), ("hip_adduction_deg", "HIP ADD"), ("pelvic_drop_deg", "PELVIS"),
         ("knee_flexion_deg", "KNEE FLEX"), ("shank_angle_deg", "SHANK"))


def _even(n: int) -> int:
    return n - (n % 2)


def _finite(v: Any) -> bool:
    try:
        return v is not None and not isinstance(v, bool) and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class StanceMark:
    """One stance, in frame indices of the video."""

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


def head_region(kp: Keypoints, i: int) -> tuple[float, float, float] | None:
    """Face circle ``(x, y, radius)`` in keypoint pixels for frame ``i``, or ``None``.

    The centre is the mean of the visible nose, eye and ear points; the radius
    covers their spread and at least a third of the torso length (or of the
    shoulder width) so that a face seen from the side, with one ear and the
    nose only, is still covered.
    """
    pts = [kp.xy[i, kp.index(m)] for m in _HEAD_MARKERS if kp.has(m)]
    pts = [p for p in pts if np.isfinite(p).all()]
    scale = _body_scale(kp, i)
    if not pts:
        if scale is None:
            return None
        # No face points: sit the head above the shoulders.
        sh = _mean_point(kp, i, ("left_shoulder", "right_shoulder"))
        if sh is None:
            return None
        return float(sh[0]), float(sh[1] - 0.45 * scale), 0.38 * scale
    c = np.mean(pts, axis=0)
    spread = max(float(np.max(np.linalg.norm(np.array(pts) - c, axis=1))), 1.0)
    r = max(1.8 * spread, 0.33 * scale if scale else 0.0, 12.0)
    return float(c[0]), float(c[1]), r


def _mean_point(kp: Keypoints, i: int, names: Sequence[str]) -> np.ndarray | None:
    pts = [kp.xy[i, kp.index(m)] for m in names if kp.has(m)]
    pts = [p for p in pts if np.isfinite(p).all()]
    return np.mean(pts, axis=0) if pts else None


def _body_scale(kp: Keypoints, i: int) -> float | None:
    sh = _mean_point(kp, i, ("left_shoulder", "right_shoulder"))
    hp = _mean_point(kp, i, ("left_hip", "right_hip"))
    if sh is not None and hp is not None:
        return float(np.linalg.norm(sh - hp))
    return None


def blur_circle(image: np.ndarray, x: float, y: float, r: float) -> None:
    """Gaussian-blur a disc of ``image`` in place (soft edge)."""
    h, w = image.shape[:2]
    r = max(r, 4.0)
    x0, x1 = max(int(x - r), 0), min(int(x + r) + 1, w)
    y0, y1 = max(int(y - r), 0), min(int(y + r) + 1, h)
    if x1 <= x0 or y1 <= y0:
        return
    roi = image[y0:y1, x0:x1]
    # Blur a downsampled copy (as strong, a fraction of the cost for large faces), then
    # bring it back to size: the face is destroyed either way, the frame rate is not.
    f = max(1, int(r // 12))
    rh, rw = roi.shape[:2]
    small = cv2.resize(roi, (max(1, rw // f), max(1, rh // f)), interpolation=cv2.INTER_AREA)
    sigma = max(r / 2.5 / f, 1.0)
    small = cv2.GaussianBlur(small, (0, 0), sigmaX=sigma)
    small = cv2.GaussianBlur(small, (0, 0), sigmaX=sigma)
    blurred = cv2.resize(small, (rw, rh), interpolation=cv2.INTER_LINEAR)
    yy, xx = np.mgrid[y0:y1, x0:x1]
    d = np.hypot(xx - x, yy - y)
    alpha = np.clip((r - d) / (0.15 * r) , 0.0, 1.0)[..., None]
    roi[:] = (alpha * blurred + (1 - alpha) * roi).astype(np.uint8)


class VideoOverlay:
    """Draw the analysis onto the input video and write ``annotated.mp4``.

    Parameters
    ----------
    blur_faces
        Blur the runner's face (nose/eye/ear keypoints). On by default, since
        the annotated video is what people share.
    max_side_px
        Downscale so that the longer side is at most this many pixels (720p by
        default: plenty on a phone, and encoding 4K would take longer than the
        pose estimation). ``None`` keeps the input size.
    crf
        x264 constant rate factor (lower = better quality, larger file).
    preset
        x264 speed preset.
    highlight_s
        How long around the peak-valgus frame the highlight border stays on.
    face_hold_s
        How long a face region is kept blurred after its keypoints disappear.

    Attributes
    ----------
    path_ : Path
        The written video.
    frames_written_ : int
        Number of frames written (equals the input's frame count).
    fps_ : float
        Frame rate of the output.
    size_ : tuple of int
        ``(width, height)`` of the output (even numbers).
    peak_ : tuple or None
        ``(frame, leg, metric, value_deg)`` of the highlighted peak-valgus frame.
    grabbed_ : dict of int to ndarray
        Unannotated RGB frames kept for the indices asked for in ``grab``.
    poster_ : ndarray or None
        The annotated peak-valgus frame (the middle frame when there is no
        peak), for the report's video poster.
    """

    def __init__(self, *, blur_faces: bool = True, max_side_px: int | None = 1280, crf: int = 23,
                 preset: str = "superfast", highlight_s: float = 0.2,
                 face_hold_s: float = 0.5) -> None:
        self.blur_faces = blur_faces
        self.max_side_px = max_side_px
        self.crf = crf
        self.preset = preset
        self.highlight_s = highlight_s
        self.face_hold_s = face_hold_s

    def render(self, video: str | Path, out: str | Path, *, keypoints: Keypoints,
               analysis: Mapping[str, Any], series: Mapping[str, Any] | None = None,
               grab: Iterable[int] = ()) -> Self:
        """Read ``video``, draw, and write the annotated copy to ``out``.

        Parameters
        ----------
        video
            The input video (the one the keypoints were estimated from).
        out
            Output ``.mp4`` path; written through a temporary file.
        keypoints
            Keypoints in the video's upright pixel coordinates.
        analysis
            The ``analysis.json`` dict (stances, view).
        series
            Per-frame kinematics (``time_s`` and ``*_deg`` arrays) for live angles.
        grab
            Frame indices whose unannotated images to keep in ``grabbed_``.
        """
        from kneetrack.video.reader import iter_frames, probe_video

        info = probe_video(video)
        rate = Fraction(info.fps).limit_denominator(1001)
        sw, sh = _scaled_size(info.width, info.height, self.max_side_px)
        w, h = _even(sw), _even(sh)
        if w < 2 or h < 2:
            raise InputError(f"{video}: frame size {info.width}×{info.height} is too small")
        out_path = Path(out)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = out_path.with_name(out_path.name + ".part")
        kp_t = np.asarray(keypoints.time_s, dtype=float)
        stances = stances_of(analysis)
        want = set(int(i) for i in grab)
        self.grabbed_ = {}
        self.poster_: np.ndarray | None = None
        n = 0
        try:
            container = av.open(str(tmp), mode="w", format="mp4",
                                options={"movflags": "+faststart"})
            try:
                stream = container.add_stream("libx264", rate=rate)
                stream.width, stream.height = w, h
                stream.pix_fmt = "yuv420p"
                stream.options = {"crf": str(self.crf), "preset": self.preset}
                values = frame_series(series or {}, kp_t)
                self.peak_ = peak_valgus_frame(analysis, values, kp_t)
                contact_frames = _contact_frames(stances, kp_t)
                stance_mask = _stance_mask(stances, kp_t)
                same_frames = keypoints.n_frames == info.frames
                last_face: tuple[float, float, float, float] | None = None
                for fr in iter_frames(video, info=info,
                                      max_side_px=max(sw, sh) if (sw, sh) != info.image_size
                                      else None):
                    img = fr.image
                    if img.shape[1] != w or img.shape[0] != h:
                        img = img[:h, :w]
                    img = np.ascontiguousarray(img)
                    if fr.index in want:
                        self.grabbed_[fr.index] = img.copy()
                    if same_frames:
                        k = fr.index if fr.index < kp_t.size else -1
                    else:
                        k = _nearest_one(kp_t, fr.time_s, tol_s=0.6 / info.fps)
                    s = img.shape[1] / info.width
                    if self.blur_faces:
                        last_face = self._blur(img, keypoints, k, s, fr.time_s, last_face)
                    self._draw(img, keypoints, k, s, fr.index, kp_t, stance_mask, values,
                               contact_frames, info.frames)
                    if (self.peak_ is not None and k == self.peak_[0]) or \
                            (self.peak_ is None and fr.index == info.frames // 2):
                        self.poster_ = img.copy()
                    vf = av.VideoFrame.from_ndarray(img, format="rgb24")
                    vf.pts = n
                    for packet in stream.encode(vf):
                        container.mux(packet)
                    n += 1
                for packet in stream.encode():
                    container.mux(packet)
            finally:
                container.close()
        except av.error.FFmpegError as err:
            tmp.unlink(missing_ok=True)
            raise InputError(f"could not write the annotated video {out_path}: {err}") from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        tmp.replace(out_path)
        self.path_ = out_path
        self.frames_written_ = n
        self.fps_ = float(rate)
        self.size_ = (w, h)
        return self

    # ------------------------------------------------------------------ drawing
    def _blur(self, img: np.ndarray, kp: Keypoints, k: int, s: float, t: float,
              last: tuple[float, float, float, float] | None,
              ) -> tuple[float, float, float, float] | None:
        region = head_region(kp, k) if k >= 0 else None
        if region is not None:
            x, y, r = region
            last = (x, y, r, t)
        elif last is not None and t - last[3] <= self.face_hold_s:
            x, y, r = last[:3]
        else:
            return last
        blur_circle(img, x * s, y * s, r * s)
        return last

    def _draw(self, img: np.ndarray, kp: Keypoints, k: int, s: float, index: int,
              kp_t: np.ndarray, stance_mask: Mapping[str, np.ndarray],
              values: Mapping[str, np.ndarray], contact_frames: Mapping[int, list[str]],
              n_frames: int) -> None:
        h, w = img.shape[:2]
        u = max(min(w, h) / 720.0, 0.6)  # drawing unit
        th = max(2, int(round(3 * u)))
        t = float(kp_t[k]) if k >= 0 else math.nan
        in_stance = {leg: bool(k >= 0 and stance_mask[leg][k]) for leg in ("left", "right")}
        if k >= 0:
            def pt(name: str) -> tuple[int, int] | None:
                if not kp.has(name):
                    return None
                p = kp.xy[k, kp.index(name)]
                if not np.isfinite(p).all():
                    return None
                return int(round(p[0] * s)), int(round(p[1] * s))

            for a, b in _TORSO_SEGMENTS:
                pa, pb = pt(a), pt(b)
                if pa and pb:
                    cv2.line(img, pa, pb, TORSO_RGB, th, cv2.LINE_AA)
            for leg in ("left", "right"):
                col = LEG_RGB[leg]
                for a, b in _LEG_SEGMENTS:
                    pa, pb = pt(f"{leg}_{a}"), pt(f"{leg}_{b}")
                    if pa and pb:
                        cv2.line(img, pa, pb, col, th + (1 if a in ("hip", "knee") else 0),
                                 cv2.LINE_AA)
                for part in ("hip", "knee", "ankle"):
                    p = pt(f"{leg}_{part}")
                    if p:
                        cv2.circle(img, p, th + 2, (255, 255, 255), -1, cv2.LINE_AA)
                        cv2.circle(img, p, th + 2, col, max(1, th // 2), cv2.LINE_AA)
                foot = pt(f"{leg}_heel") or pt(f"{leg}_ankle")
                if foot and in_stance[leg]:
                    cv2.ellipse(img, (foot[0], foot[1] + 2 * th), (7 * th, 2 * th), 0, 0, 360,
                                col, -1, cv2.LINE_AA)
                if foot and leg in contact_frames.get(k, []):
                    cv2.circle(img, foot, 9 * th, PEAK_RGB, th, cv2.LINE_AA)
        contact = contact_frames.get(k, []) if k >= 0 else []
        self._hud(img, u, t, index, k, n_frames, in_stance, values, contact=contact)
        self._peak(img, u, k, kp_t)

    def _hud(self, img: np.ndarray, u: float, t: float, index: int, k: int, n_frames: int,
             in_stance: Mapping[str, bool], values: Mapping[str, np.ndarray], *,
             contact: Sequence[str]) -> None:
        font = cv2.FONT_HERSHEY_SIMPLEX
        fs = 0.55 * u
        ft = max(1, int(round(1.3 * u)))
        line_h = int(round(26 * u))
        shown = [(key, label) for key, label in _LIVE
                 if f"left_{key}" in values or f"right_{key}" in values][:2]
        rows = []
        for leg in ("left", "right"):
            parts = [leg.upper()]
            for key, label in shown:
                arr = values.get(f"{leg}_{key}")
                v = arr[k] if arr is not None and 0 <= k < arr.size else math.nan
                parts.append(f"{label} {v:5.1f}" if math.isfinite(v)
                             else f"{label}   --")
            rows.append((leg, "  ".join(parts)))
        width = max(cv2.getTextSize(r[1], font, fs, ft)[0][0] for r in rows)
        badge_w = int(round(86 * u))
        pad = int(round(8 * u))
        box_w = width + badge_w + 3 * pad
        box_h = line_h * len(rows) + 2 * pad
        _shade(img, 0, 0, box_w, box_h, 0.55)
        self._hud_bottom = box_h
        for i, (leg, text) in enumerate(rows):
            y = pad + (i + 1) * line_h - int(round(7 * u))
            cv2.putText(img, text, (pad, y), font, fs, TEXT_RGB, ft, cv2.LINE_AA)
            if in_stance[leg]:
                label = "CONTACT" if leg in contact else "STANCE"
                bx = pad * 2 + width
                cv2.rectangle(img, (bx, y - int(18 * u)), (bx + badge_w, y + int(5 * u)),
                              LEG_RGB[leg], -1)
                cv2.putText(img, label, (bx + int(6 * u), y), font, 0.45 * u, TEXT_RGB, ft,
                            cv2.LINE_AA)
        h, w = img.shape[:2]
        t_text = f"t {t:6.2f} s" if math.isfinite(t) else "t   --  "
        foot_text = f"{t_text}   frame {index + 1}/{n_frames}   angles in degrees"
        tw = cv2.getTextSize(foot_text, font, 0.45 * u, ft)[0][0]
        _shade(img, 0, h - line_h - pad, tw + 2 * pad, h, 0.5)
        cv2.putText(img, foot_text, (pad, h - pad - int(4 * u)), font, 0.45 * u, TEXT_RGB, ft,
                    cv2.LINE_AA)

    def _peak(self, img: np.ndarray, u: float, k: int, kp_t: np.ndarray) -> None:
        peak = getattr(self, "peak_", None)
        if peak is None or k < 0:
            return
        j, leg, metric, value = peak
        if abs(kp_t[k] - kp_t[j]) > self.highlight_s:
            return
        h, w = img.shape[:2]
        exact = k == j
        bw = max(4, int(round((10 if exact else 5) * u)))
        cv2.rectangle(img, (0, 0), (w - 1, h - 1), PEAK_RGB, 2 * bw)
        label = "FPPA" if metric == "fppa_deg" else "HIP ADD"
        text = (f"PEAK VALGUS  {leg.upper()}  {label} {value:.1f} deg" if exact
                else "peak valgus")
        font = cv2.FONT_HERSHEY_SIMPLEX
        fs = (0.7 if exact else 0.5) * u
        ft = max(1, int(round(1.6 * u)))
        (tw, tht), _ = cv2.getTextSize(text, font, fs, ft)
        x = 2 * bw + int(round(8 * u))  # under the live-angle box, away from the runner's face
        y = getattr(self, "_hud_bottom", 0) + 2 * bw + tht + int(round(6 * u))
        cv2.rectangle(img, (x - bw, y - tht - bw), (x + tw + bw, y + bw), PEAK_RGB, -1)
        cv2.putText(img, text, (x, y), font, fs, (0, 0, 0), ft, cv2.LINE_AA)


def _scaled_size(width: int, height: int, max_side_px: int | None) -> tuple[int, int]:
    """Size after limiting the longer side to ``max_side_px`` (aspect kept, even numbers)."""
    if not max_side_px or max(width, height) <= max_side_px:
        return width, height
    f = max_side_px / max(width, height)
    return max(2, int(round(width * f / 2)) * 2), max(2, int(round(height * f / 2)) * 2)


def _shade(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, alpha: float) -> None:
    h, w = img.shape[:2]
    x0, x1 = max(0, x0), min(w, x1)
    y0, y1 = max(0, y0), min(h, y1)
    if x1 > x0 and y1 > y0:
        roi = img[y0:y1, x0:x1]
        roi[:] = (roi * (1 - alpha)).astype(np.uint8)


def _nearest_one(src_t: np.ndarray, t: float, *, tol_s: float) -> int:
    """Index of the ``src_t`` value nearest to ``t`` if within ``tol_s``, else -1."""
    if src_t.size == 0:
        return -1
    i = int(np.searchsorted(src_t, t))
    cands = [j for j in (i - 1, i) if 0 <= j < src_t.size]
    j = min(cands, key=lambda c: abs(src_t[c] - t))
    return j if abs(src_t[j] - t) <= tol_s else -1


def _stance_mask(stances: Sequence[StanceMark], t: np.ndarray) -> dict[str, np.ndarray]:
    """Per leg, whether each keypoint frame lies inside one of that leg's stances."""
    mask = {leg: np.zeros(t.shape, bool) for leg in ("left", "right")}
    for m in stances:
        if m.leg in mask and math.isfinite(m.toe_off_s):
            i0 = int(np.searchsorted(t, m.contact_s - 1e-9, side="left"))
            i1 = int(np.searchsorted(t, m.toe_off_s + 1e-9, side="right"))
            mask[m.leg][i0:i1] = True
    return mask


def _contact_frames(stances: Sequence[StanceMark], frame_t: np.ndarray) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if frame_t.size == 0:
        return out
    for m in stances:
        i = int(np.searchsorted(frame_t, m.contact_s))
        j = min((c for c in (i - 1, i) if 0 <= c < frame_t.size),
                key=lambda c: abs(frame_t[c] - m.contact_s))
        out.setdefault(j, []).append(m.leg)
    return out


def grab_frames(video: str | Path, indices: Iterable[int]) -> dict[int, np.ndarray]:
    """Decode only as far as needed and return the RGB frames at ``indices``."""
    from kneetrack.video.reader import iter_frames

    want = sorted(set(int(i) for i in indices if i >= 0))
    if not want:
        return {}
    got: dict[int, np.ndarray] = {}
    for fr in iter_frames(video, stop=want[-1] + 1):
        if fr.index in want:
            got[fr.index] = fr.image.copy()
    return got
