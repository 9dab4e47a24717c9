"""Side-view strip: the frame of foot contact, cropped around the leg, per leg.

Shows a coach what the numbers at contact (shank angle, foot strike) look
like on the runner. Only drawn for side views with a video.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import cv2
import numpy as np

from kneetrack.keypoints import Keypoints
from kneetrack.report.overlay import LEG_RGB, PEAK_RGB

_PARTS = ("hip", "knee", "ankle", "heel", "toe")


def pick_contacts(analysis: Mapping[str, Any], keypoints: Keypoints, *,
                  per_leg: int = 3) -> list[tuple[int, Mapping[str, Any]]]:
    """Up to ``per_leg`` stances per leg, evenly spread, with the frame of their contact."""
    t = np.asarray(keypoints.time_s, dtype=float)
    out: list[tuple[int, Mapping[str, Any]]] = []
    for leg in ("left", "right"):
        st = [s for s in analysis.get("stances") or []
              if isinstance(s, Mapping) and s.get("leg") == leg and _finite(s.get("contact_s"))]
        st.sort(key=lambda s: float(s["contact_s"]))
        if not st:
            continue
        picks = np.unique(np.linspace(0, len(st) - 1, min(per_leg, len(st))).round().astype(int))
        for i in picks:
            s = st[int(i)]
            j = int(np.argmin(np.abs(t - float(s["contact_s"]))))
            out.append((j, s))
    return out


def contact_crops(frames: Mapping[int, np.ndarray], keypoints: Keypoints,
                  contacts: Sequence[tuple[int, Mapping[str, Any]]], *,
                  height_px: int = 320) -> list[dict[str, Any]]:
    """Crop each contact frame around the stance leg and draw thigh, shank and foot.

    Parameters
    ----------
    frames
        Video frames (RGB) by keypoint frame index.
    keypoints
        Keypoints in the frames' pixel coordinates (original video size).
    contacts
        ``(frame index, stance dict)`` pairs from :func:`pick_contacts`.
    height_px
        Height of each crop.

    Returns
    -------
    list of dict
        ``{"image", "title", "colour"}`` per crop that could be made.
    """
    crops = []
    for j, stance in contacts:
        img = frames.get(j)
        if img is None:
            continue
        leg = str(stance.get("leg"))
        s = img.shape[1] / keypoints.image_size[0] if keypoints.image_size else 1.0
        pts = {}
        for part in _PARTS:
            name = f"{leg}_{part}"
            if keypoints.has(name):
                p = keypoints.xy[j, keypoints.index(name)] * s
                if np.isfinite(p).all():
                    pts[part] = p
        if not {"hip", "knee", "ankle"} <= pts.keys():
            continue
        arr = np.array(list(pts.values()))
        leg_len = float(np.linalg.norm(pts["hip"] - pts["knee"])
                        + np.linalg.norm(pts["knee"] - pts["ankle"]))
        pad = 0.25 * leg_len
        x0, y0 = arr.min(axis=0) - pad
        x1, y1 = arr.max(axis=0) + pad
        cx = (x0 + x1) / 2
        half_w = max((x1 - x0) / 2, 0.375 * (y1 - y0))  # at least 3:4
        x0, x1 = cx - half_w, cx + half_w
        h, w = img.shape[:2]
        x0i, x1i = max(int(x0), 0), min(int(math.ceil(x1)), w)
        y0i, y1i = max(int(y0), 0), min(int(math.ceil(y1)), h)
        if x1i - x0i < 8 or y1i - y0i < 8:
            continue
        crop = np.ascontiguousarray(img[y0i:y1i, x0i:x1i]).copy()
        th = max(2, int(round(crop.shape[0] / 110)))

        local = {k: (int(round(v[0] - x0i)), int(round(v[1] - y0i))) for k, v in pts.items()}
        at = local.get

        col = LEG_RGB.get(leg, (255, 255, 255))
        for a, b, c in (("hip", "knee", col), ("knee", "ankle", col), ("heel", "toe", PEAK_RGB)):
            pa, pb = at(a), at(b)
            if pa and pb:
                cv2.line(crop, pa, pb, c, th, cv2.LINE_AA)
        knee = at("knee")
        if knee:  # vertical reference through the knee for the shank angle
            cv2.line(crop, knee, (knee[0], crop.shape[0] - 1), (255, 255, 255), 1, cv2.LINE_AA)
        scale = height_px / crop.shape[0]
        crop = cv2.resize(crop, (max(1, int(round(crop.shape[1] * scale))), height_px),
                          interpolation=cv2.INTER_AREA)
        bits = [f"{leg.capitalize()} {float(stance['contact_s']):.2f} s"]
        if _finite(stance.get("shank_angle_ic_deg")):
            bits.append(f"shank {float(stance['shank_angle_ic_deg']):+.0f}°")
        if stance.get("foot_strike"):
            bits.append(str(stance["foot_strike"]))
        crops.append({"image": crop, "title": " · ".join(bits),
                      "colour": "#{:02x}{:02x}{:02x}".format(*col)})
    return crops


def _finite(v: Any) -> bool:
    try:
        return v is not None and not isinstance(v, bool) and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def contact_thumbnails(crops: Sequence[Mapping[str, Any]], *,
                       quality: int = 80) -> list[dict[str, str]]:
    """The crops as separate JPEG thumbnails for the report, each with its own caption.

    Each thumbnail is an ``<img>`` with an HTML caption under it, laid out by
    the page (a grid that wraps): captions never overlap, whatever the screen
    width, and stay real text. Returns ``{"src", "caption", "colour", "alt"}``
    per crop (``src`` a ``data:`` URI).
    """
    from kneetrack.report.plots import data_uri

    out = []
    for c in crops:
        img = c.get("image")
        if img is None:
            continue
        ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(img[..., ::-1]),
                               [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            continue
        title = str(c.get("title", ""))
        out.append({"src": data_uri(buf.tobytes(), "image/jpeg"), "caption": title,
                    "colour": str(c.get("colour", "#222222")),
                    "alt": f"Foot contact: {title}" if title else "Foot contact"})
    return out
