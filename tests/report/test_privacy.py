"""Issue 16 point 7: faces are blurred in every still a report exports, not only the video.

The contact thumbnails are cut from frames grabbed before the overlay draws (or
decoded straight from the video with ``--no-overlay``); the PDF embeds the same
images. A high-contrast checkerboard stands in for a face: blurred, it is gone.
"""

from __future__ import annotations

import base64
import re

import cv2
import numpy as np
import pytest

from kneetrack.app.report import blur_faces_in, build_report
from kneetrack.keypoints import Keypoints

from .helpers import make_analysis

W, H, FPS, N = 320, 240, 30, 60
NOSE = (150.0, 77.0)
FACE = (152.0, 72.0)  # the "face": a checkerboard around here,
FACE_R = 14  # well inside the blur disc (radius ~24) that head_regions puts on these keypoints


MAGENTA, GREEN = np.array([255, 0, 255]), np.array([0, 255, 0])


def _face_painter(i: int, w: int, h: int) -> np.ndarray:
    img = np.full((h, w, 3), 90, np.uint8)
    yy, xx = np.mgrid[0:h, 0:w]
    board = np.where(((yy // 6 + xx // 6) % 2)[..., None] == 1, MAGENTA, GREEN).astype(np.uint8)
    inside = (xx - FACE[0]) ** 2 + (yy - FACE[1]) ** 2 <= FACE_R ** 2
    img[inside] = board[inside]
    return img


def _keypoints() -> Keypoints:
    # side view; the head sits low and close to the leg, so the leg's crop holds it
    pts = {"nose": NOSE, "left_eye": (140, 67), "left_ear": (165, 69),
           "left_shoulder": (150, 88), "right_shoulder": (152, 88),
           "left_hip": (150, 100), "right_hip": (152, 100),
           "left_knee": (165, 160), "right_knee": (172, 158),
           "left_ankle": (150, 225), "right_ankle": (175, 220),
           "left_heel": (142, 230), "left_toe": (170, 232),
           "right_heel": (168, 226), "right_toe": (190, 228)}
    return Keypoints.from_arrays({m: np.tile(np.array(p, float), (N, 1)) for m, p in pts.items()},
                                 fps=FPS, image_size=(W, H))


#: In a contact thumbnail (a JPEG, enlarged ~1.9x) colour edges are smeared over a few
#: pixels by the JPEG's half-resolution colour, so the two colours meet within 3 px, not 1.
THUMB_REACH_PX = 3


def _checker_energy(img: np.ndarray, *, bgr: bool = False, reach_px: int = 1) -> int:
    """Pixels of the face pattern: near-magenta pixels with a near-green one within ``reach_px``.

    Neither the overlay's drawing nor the plots use these two colours side by side;
    blurred, they mix to grey.
    """
    rgb = img[..., ::-1] if bgr else img
    c = rgb.astype(int)
    mag = (np.abs(c - MAGENTA).max(axis=2) < 70)
    grn = (np.abs(c - GREEN).max(axis=2) < 70).astype(np.uint8)
    near_grn = cv2.dilate(grn, np.ones((2 * reach_px + 1,) * 2, np.uint8)).astype(bool)
    return int((mag & near_grn).sum())


def test_blur_faces_in_removes_the_face_and_nothing_else():
    kp = _keypoints()
    frame = _face_painter(0, W, H)
    face = np.s_[58:86, 138:166]
    frame[200:228, 10:38] = _face_painter(0, W, H)[face]  # the pattern far from the face
    (out,) = blur_faces_in({5: frame}, kp).values()
    assert _checker_energy(frame[face]) > 50
    assert _checker_energy(out[face]) == 0
    assert np.array_equal(out[200:228, 10:38], frame[200:228, 10:38])
    assert _checker_energy(frame[face]) > 50  # the input is not changed
    # frames at another size (the annotated video's) are blurred at the scaled place
    half = cv2.resize(frame, (W // 2, H // 2), interpolation=cv2.INTER_NEAREST)
    (small,) = blur_faces_in({5: half}, kp).values()
    assert _checker_energy(small[29:43, 69:83]) == 0


def _side_analysis() -> dict:
    a = make_analysis(view="side-left", steps=3, fps=FPS)
    for k, st in enumerate(a["stances"]):
        st["contact_s"] = round(0.2 + 0.25 * k, 3)
        st["toe_off_s"] = st["contact_s"] + 0.2
    return a


def _images_in(html: str) -> list[np.ndarray]:
    out = []
    for _kind, b64 in re.findall(r"data:image/(png|jpeg);base64,([A-Za-z0-9+/=]+)", html):
        buf = np.frombuffer(base64.b64decode(b64), np.uint8)
        img = cv2.imdecode(buf, cv2.IMREAD_COLOR)
        if img is not None and min(img.shape[:2]) > 40:
            out.append(img)
    return out


def _report_stills(make_video, tmp_path, monkeypatch, *, overlay: bool, blur: bool):
    """Build a report with a PDF; return the contact frames, the crop count and every still."""
    import kneetrack.report.pdf as pdf
    import kneetrack.report.strip as strip

    video = make_video("side.mp4", frames=N, fps=FPS, size=(W, H), painter=_face_painter)
    seen: dict[int, np.ndarray] = {}
    n_crops: list[int] = []
    real_crops = strip.contact_crops

    def spy(frames, keypoints, contacts, **kw):
        seen.update(frames)
        crops = real_crops(frames, keypoints, contacts, **kw)
        n_crops.append(len(crops))
        return crops

    monkeypatch.setattr(strip, "contact_crops", spy)
    pdf_html: list[str] = []

    def capture_pdf(html, path, **kw):
        pdf_html.append(html)
        path.write_bytes(b"%PDF-1.4\n")
        return path

    monkeypatch.setattr(pdf, "write_pdf", capture_pdf)
    out = tmp_path / "rep"
    build_report(out, analysis=_side_analysis(), keypoints=_keypoints(), video=video,
                 overlay=overlay, blur_faces=blur, pdf=True, workers=1)
    assert seen and sum(n_crops) >= 3, "the test needs contact thumbnails"
    assert pdf_html, "the PDF was not written"
    html = (out / "report.html").read_text(encoding="utf-8")
    stills = _images_in(html) + _images_in(pdf_html[0])
    # every thumbnail is in the page and in the PDF (and nothing hides them from the check)
    assert len(stills) >= 2 * sum(n_crops)
    return seen, stills


def _face_box(img: np.ndarray) -> np.ndarray:
    s = img.shape[1] / W
    x, y, r = int(FACE[0] * s), int(FACE[1] * s), int(FACE_R * s)
    return img[y - r:y + r, x - r:x + r]


@pytest.mark.parametrize("overlay", [True, False])
def test_contact_thumbnails_and_pdf_show_no_face(make_video, tmp_path, monkeypatch, overlay):
    seen, stills = _report_stills(make_video, tmp_path, monkeypatch, overlay=overlay, blur=True)
    for img in seen.values():
        assert _checker_energy(_face_box(img), reach_px=THUMB_REACH_PX) == 0, \
            "a contact frame shows the face"
    for img in stills:
        assert _checker_energy(img, bgr=True, reach_px=THUMB_REACH_PX) == 0, \
            "an embedded still shows the face"


@pytest.mark.parametrize("overlay", [True, False])
def test_without_blur_the_face_pattern_would_be_seen(make_video, tmp_path, monkeypatch, overlay):
    """The control: the checks above can fail (unblurred, the pattern survives every still)."""
    seen, stills = _report_stills(make_video, tmp_path, monkeypatch, overlay=overlay, blur=False)
    for img in seen.values():
        assert _checker_energy(_face_box(img)) >= 50  # in the decoded frame, pixel to pixel
    thumbs = [_checker_energy(img, bgr=True, reach_px=THUMB_REACH_PX) for img in stills]
    assert min(thumbs) >= 40, thumbs  # in every still: the contact thumbnails, page and PDF
