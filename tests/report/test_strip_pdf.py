"""Side-view contact strip and the PDF writer's errors."""

from __future__ import annotations

import builtins

import numpy as np
import pytest

from kneetrack.errors import SettingsError
from kneetrack.keypoints import Keypoints
from kneetrack.report.overlay import LEG_RGB
from kneetrack.report.pdf import write_pdf
from kneetrack.report.strip import contact_crops, pick_contacts


def _side_keypoints(n: int = 30) -> Keypoints:
    pts = {"left_hip": (200, 100), "left_knee": (210, 160), "left_ankle": (200, 220),
           "left_heel": (190, 228), "left_toe": (225, 230),
           "right_hip": (205, 100), "right_knee": (230, 155), "right_ankle": (250, 210)}
    return Keypoints.from_arrays({m: np.tile(np.array(p, float), (n, 1)) for m, p in pts.items()},
                                 fps=30, image_size=(400, 300))


def test_pick_contacts_spreads_over_the_clip():
    kp = _side_keypoints()
    stances = [{"leg": "left", "contact_s": t} for t in (0.1, 0.3, 0.5, 0.7, 0.9)]
    picks = pick_contacts({"stances": stances}, kp, per_leg=3)
    assert [round(s["contact_s"], 1) for _, s in picks] == [0.1, 0.5, 0.9]
    assert [j for j, _ in picks] == [3, 15, 27]


def test_contact_crops_draw_the_leg():
    kp = _side_keypoints()
    frame = np.full((300, 400, 3), 60, np.uint8)
    stance = {"leg": "left", "contact_s": 0.5, "shank_angle_ic_deg": 4.2,
              "foot_strike": "rearfoot"}
    (crop,) = contact_crops({15: frame}, kp, [(15, stance)], height_px=200)
    assert crop["image"].shape[0] == 200
    assert crop["title"] == "Left 0.50 s · shank +4° · rearfoot"
    colours = crop["image"].reshape(-1, 3)
    assert (np.abs(colours.astype(int) - LEG_RGB["left"]).max(axis=1) < 30).any()
    # no frame, or a leg without its joints: no crop
    assert contact_crops({}, kp, [(15, stance)]) == []
    right = dict(stance, leg="right")
    kp_missing = kp.with_markers([m for m in kp.markers if m != "right_knee"])
    assert contact_crops({15: frame}, kp_missing, [(15, right)]) == []


def test_pdf_without_weasyprint_is_a_clear_error(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.startswith("weasyprint"):
            raise ImportError("no weasyprint")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(SettingsError, match=r"kneetrack\[pdf\]"):
        write_pdf("<html></html>", tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()


def test_pdf_writes_a_pdf(tmp_path):
    pytest.importorskip("weasyprint")
    p = write_pdf("<html><body><h2>Hello</h2></body></html>", tmp_path / "r.pdf")
    assert p.read_bytes()[:5] == b"%PDF-"
    assert not (tmp_path / "r.pdf.part").exists()
