"""Frontal-plane angles of the single-leg squat: the running engine's own.

Kept as an import path for older callers; every definition lives in
:mod:`kneetrack.kinematics.angles`, where the FPPA
sign convention of ``DESIGN.md`` is written once. The squat takes the medial
side from the hip–hip line (``fppa_deg(..., other_hip=...)``), so the same
code serves the front and the rear view and survives a mirrored video.
"""

from __future__ import annotations

from kneetrack.kinematics.angles import (
    fppa_deg,
    hip_adduction_deg,
    pelvic_drop_deg,
    trunk_lean_deg,
)

__all__ = ["fppa_deg", "hip_adduction_deg", "pelvic_drop_deg", "trunk_lean_deg"]
