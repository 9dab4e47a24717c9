"""A synthetic single-leg squat with known truth.

A 3D stick figure stands on one leg and squats ``n_reps`` times; the stance
knee swivels towards the midline about the hip–ankle axis as it bends, so that
the frontal plane projection angle (FPPA) **seen by the camera** at peak knee
flexion equals the requested value. The figure is projected through
:class:`~kneetrack_synthetic.camera.Camera` (front view by default) and
Gaussian pixel noise is added.

The truth of each repetition (time of peak knee flexion, FPPA, hip adduction,
pelvic drop and trunk lean at that instant) is computed from the *noise-free*
projection with the definitions of DESIGN.md, so it is exactly what a perfect
2D measurement would give.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import brentq

from kneetrack.keypoints import LOWER_LIMB, Keypoints
from kneetrack.kinematics.angles import (
    fppa_deg,
    hip_adduction_deg,
    pelvic_drop_deg,
    trunk_lean_deg,
)
from kneetrack_synthetic.camera import Camera

_LEGS = ("left", "right")


@dataclass(frozen=True)
class Body:
    """Segment lengths of the stick figure, in metres."""

    thigh_m: float = 0.44
    shank_m: float = 0.43
    ankle_height_m: float = 0.08
    hip_width_m: float = 0.18
    shoulder_width_m: float = 0.38
    trunk_m: float = 0.52
    head_m: float = 0.24


@dataclass
class SquatTruth:
    """What the synthetic squat was made of (one entry per repetition in ``reps``)."""

    reps: list[dict[str, Any]]
    legs: tuple[str, ...]
    fps: float
    noise_px: float
    view: str
    params: dict[str, Any] = field(default_factory=dict)

    def reps_of(self, leg: str) -> list[dict[str, Any]]:
        """Repetitions performed on ``leg``."""
        return [r for r in self.reps if r["leg"] == leg]


@dataclass
class SyntheticSquat:
    """Keypoints of a synthetic single-leg squat and its truth."""

    keypoints: Keypoints
    truth: SquatTruth
    points3d: dict[str, np.ndarray]


def _rotate(v: np.ndarray, axis: np.ndarray, angle_rad: float) -> np.ndarray:
    """Rodrigues rotation of ``v`` about the unit ``axis``."""
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    return v * c + np.cross(axis, v) * s + axis * np.dot(axis, v) * (1 - c)


def _side(leg: str) -> float:
    return 1.0 if leg == "left" else -1.0       # +y is the mover's left


def _pose(body: Body, stance: str, *, s: float, lift: float, knee_flexion_deg: float,
          swivel_deg: float, pelvic_drop_deg_: float, trunk_lean_deg_: float,
          standing_flexion_deg: float = 5.0) -> dict[str, np.ndarray]:
    """3D marker positions for one instant.

    ``s`` is the squat depth fraction (0 standing, 1 at peak flexion), ``lift``
    how far the free foot is lifted (0 = both feet on the ground).
    """
    free = "right" if stance == "left" else "left"
    ys = _side(stance) * body.hip_width_m / 2.0
    medial_y = -_side(stance)                     # towards the midline
    kappa = np.radians(standing_flexion_deg + (knee_flexion_deg - standing_flexion_deg) * s)
    alpha = 0.45 * kappa                          # shank tilts forward
    beta = kappa - alpha                          # thigh tilts back
    ankle = np.array([0.0, ys, body.ankle_height_m])
    knee_sag = ankle + body.shank_m * np.array([np.sin(alpha), 0.0, np.cos(alpha)])
    hip = knee_sag + body.thigh_m * np.array([-np.sin(beta), 0.0, np.cos(beta)])
    axis = (hip - ankle) / np.linalg.norm(hip - ankle)
    # Positive swivel moves the knee towards the midline.
    phi = np.radians(swivel_deg * s) * (1.0 if medial_y > 0 else -1.0)
    knee = ankle + _rotate(knee_sag - ankle, axis, phi)

    drop = np.radians(pelvic_drop_deg_ * s * lift)
    other_hip = hip + body.hip_width_m * np.array([0.0, medial_y * np.cos(drop), -np.sin(drop)])
    mid_hip = (hip + other_hip) / 2.0

    gamma = 0.5 * kappa * lift                    # forward trunk flexion while squatting
    lam = np.radians(trunk_lean_deg_ * s * lift) * _side(stance)
    trunk_dir = np.array([np.sin(gamma), np.sin(lam), np.cos(gamma) * np.cos(lam)])
    trunk_dir /= np.linalg.norm(trunk_dir)
    mid_sh = mid_hip + body.trunk_m * trunk_dir
    half_sh = np.array([0.0, body.shoulder_width_m / 2.0, 0.0])
    nose = mid_sh + np.array([0.08, 0.0, body.head_m])

    # Free leg: straight beside the stance leg (lift 0) or hip flexed 20 deg and knee 80 deg.
    hip_flex = np.radians(20.0 * lift)
    knee_flex = np.radians(80.0 * lift)
    f_knee = other_hip + body.thigh_m * np.array([np.sin(hip_flex), 0.0, -np.cos(hip_flex)])
    shank_back = knee_flex - hip_flex
    f_ankle = f_knee + body.shank_m * np.array([-np.sin(shank_back), 0.0, -np.cos(shank_back)])
    if lift == 0.0:
        f_ankle[2] = body.ankle_height_m          # foot on the ground
        f_knee = other_hip + (f_ankle - other_hip) / 2.0 + np.array([0.01, 0.0, 0.0])

    def foot(a: np.ndarray, side: float) -> tuple[np.ndarray, np.ndarray]:
        heel = a + np.array([-0.06, 0.0, -0.05])
        toe = a + np.array([0.16, 0.02 * side, -0.06])
        return heel, toe

    s_heel, s_toe = foot(ankle, _side(stance))
    f_heel, f_toe = foot(f_ankle, _side(free))
    return {
        "nose": nose,
        f"{stance}_shoulder": mid_sh - half_sh * medial_y,
        f"{free}_shoulder": mid_sh + half_sh * medial_y,
        f"{stance}_hip": hip, f"{free}_hip": other_hip,
        f"{stance}_knee": knee, f"{free}_knee": f_knee,
        f"{stance}_ankle": ankle, f"{free}_ankle": f_ankle,
        f"{stance}_heel": s_heel, f"{free}_heel": f_heel,
        f"{stance}_toe": s_toe, f"{free}_toe": f_toe,
    }


def _frontal_metrics(pts2d: Mapping[str, np.ndarray], leg: str) -> dict[str, float]:
    other = "right" if leg == "left" else "left"
    hip, ohip = pts2d[f"{leg}_hip"], pts2d[f"{other}_hip"]
    return {
        "fppa_deg": float(fppa_deg(hip, pts2d[f"{leg}_knee"], pts2d[f"{leg}_ankle"],
                                   other_hip=ohip)),
        "hip_adduction_deg": float(hip_adduction_deg(hip, pts2d[f"{leg}_knee"], other_hip=ohip)),
        "pelvic_drop_deg": float(pelvic_drop_deg(hip, ohip)),
        "trunk_lean_deg": float(trunk_lean_deg(hip, ohip, pts2d[f"{leg}_shoulder"],
                                               pts2d[f"{other}_shoulder"])),
    }


def _per_leg(value: float | Mapping[str, float], leg: str) -> float:
    if isinstance(value, Mapping):
        return float(value[leg])
    return float(value)


def make_single_leg_squat(
    *,
    leg: str = "left",
    n_reps: int = 5,
    fppa_peak_deg: float | Mapping[str, float] = 10.0,
    knee_flexion_peak_deg: float | Mapping[str, float] = 60.0,
    pelvic_drop_peak_deg: float | Mapping[str, float] = 4.0,
    trunk_lean_peak_deg: float | Mapping[str, float] = 3.0,
    rep_duration_s: float = 2.0,
    pause_s: float = 0.8,
    fps: float = 60.0,
    noise_px: float = 1.5,
    camera: Camera | None = None,
    body: Body | None = None,
    seed: int = 0,
) -> SyntheticSquat:
    """Make a synthetic single-leg squat clip with known truth.

    Parameters
    ----------
    leg : {"left", "right", "both"}
        Stance leg; ``"both"`` does the reps on the left, puts the foot down,
        then does them on the right.
    n_reps : int
        Repetitions per leg.
    fppa_peak_deg : float or mapping leg -> float
        FPPA seen by the camera at peak knee flexion (positive = valgus).
    knee_flexion_peak_deg : float or mapping
        3D knee flexion at the bottom of each rep.
    pelvic_drop_peak_deg, trunk_lean_peak_deg : float or mapping
        3D contralateral pelvic drop and ipsilateral trunk lean at the bottom.
    rep_duration_s : float
        Time from standing to standing of one rep (varied ±15 % per rep).
    pause_s : float
        Standing time between reps (varied ±25 %).
    fps : float
        Frame rate.
    noise_px : float
        Standard deviation of the Gaussian noise added to every coordinate.
    camera : Camera
        Defaults to ``Camera("front")``.
    body : Body
        Segment lengths.
    seed : int
        Random seed (durations and noise).

    Returns
    -------
    SyntheticSquat
        ``keypoints`` (noisy), ``truth`` and the 3D ``points3d``.

    Examples
    --------
    >>> sq = make_single_leg_squat(leg="right", n_reps=3, fppa_peak_deg=12.0)
    >>> len(sq.truth.reps), round(sq.truth.reps[0]["fppa_deg"], 1)
    (3, 12.0)
    """
    if leg not in ("left", "right", "both"):
        raise ValueError(f"leg must be 'left', 'right' or 'both', got {leg!r}")
    if n_reps < 0:
        raise ValueError("n_reps must be >= 0")
    camera = camera or Camera("front")
    body = body or Body()
    rng = np.random.default_rng(seed)
    legs = _LEGS if leg == "both" else (leg,)

    # Solve, per leg, the knee swivel that gives the requested 2D FPPA at the bottom.
    swivel: dict[str, float] = {}
    for lg in legs:
        target = _per_leg(fppa_peak_deg, lg)
        kfl = _per_leg(knee_flexion_peak_deg, lg)

        def err(phi: float, lg: str = lg, kfl: float = kfl, target: float = target) -> float:
            p3 = _pose(body, lg, s=1.0, lift=1.0, knee_flexion_deg=kfl, swivel_deg=phi,
                       pelvic_drop_deg_=_per_leg(pelvic_drop_peak_deg, lg),
                       trunk_lean_deg_=_per_leg(trunk_lean_peak_deg, lg))
            p2 = {k: camera.project(v) for k, v in p3.items()}
            return _frontal_metrics(p2, lg)["fppa_deg"] - target

        swivel[lg] = float(brentq(err, -80.0, 85.0, xtol=1e-6))

    # Timeline of states: (stance leg, depth s, lift, rep index or None).
    dt = 1.0 / fps
    states: list[tuple[str, float, float]] = []
    reps: list[dict[str, Any]] = []

    def hold(lg: str, seconds: float, s: float, lift: float) -> None:
        for _ in range(max(1, int(round(seconds * fps)))):
            states.append((lg, s, lift))

    def ramp(lg: str, seconds: float, lift_from: float, lift_to: float) -> None:
        n = max(2, int(round(seconds * fps)))
        for i in range(n):
            u = i / (n - 1)
            eased = (1 - np.cos(np.pi * u)) / 2
            states.append((lg, 0.0, lift_from + (lift_to - lift_from) * eased))

    for lg in legs:
        hold(lg, 0.6, 0.0, 0.0)
        ramp(lg, 0.4, 0.0, 1.0)
        hold(lg, 0.6, 0.0, 1.0)
        for _ in range(n_reps):
            dur = rep_duration_s * rng.uniform(0.85, 1.15)
            n = max(6, int(round(dur * fps)))
            t0 = len(states) * dt
            # Peak at a (generally) non-integer frame: the truth uses the nearest frame.
            for i in range(n):
                u = i / n
                states.append((lg, float((1 - np.cos(2 * np.pi * u)) / 2), 1.0))
            reps.append({"leg": lg, "start_s": t0, "peak_s": t0 + (n / 2) * dt,
                         "end_s": t0 + n * dt, "peak_frame": int(round(t0 * fps + n / 2))})
            hold(lg, pause_s * rng.uniform(0.75, 1.25), 0.0, 1.0)
        ramp(lg, 0.4, 1.0, 0.0)
    hold(legs[-1], 0.5, 0.0, 0.0)

    frames3d: list[dict[str, np.ndarray]] = []
    for lg, s, lift in states:
        frames3d.append(_pose(
            body, lg, s=s, lift=lift,
            knee_flexion_deg=_per_leg(knee_flexion_peak_deg, lg), swivel_deg=swivel[lg],
            pelvic_drop_deg_=_per_leg(pelvic_drop_peak_deg, lg),
            trunk_lean_deg_=_per_leg(trunk_lean_peak_deg, lg)))
    names = LOWER_LIMB
    points3d = {m: np.stack([f[m] for f in frames3d]) for m in names}
    clean2d = {m: camera.project(points3d[m]) for m in names}
    noisy = {m: v + rng.normal(0.0, noise_px, v.shape) for m, v in clean2d.items()}

    leg_len = body.thigh_m + body.shank_m
    for rep in reps:
        i = rep["peak_frame"]
        lg = rep["leg"]
        rep.update(_frontal_metrics({m: clean2d[m][i] for m in names}, lg))
        kfl = _per_leg(knee_flexion_peak_deg, lg)
        rep["knee_flexion_deg"] = kfl
        hip_z = points3d[f"{lg}_hip"][:, 2]
        rep["depth_fraction"] = float((hip_z.max() - hip_z[i]) / leg_len)

    kp = Keypoints.from_arrays(
        noisy, fps=fps, confidence={m: np.full(len(states), 0.95) for m in names},
        image_size=camera.image_size, source=f"synthetic:single-leg-squat:{leg}")
    truth = SquatTruth(
        reps=reps, legs=legs, fps=fps, noise_px=noise_px, view=camera.view,
        params={"n_reps": n_reps, "fppa_peak_deg": fppa_peak_deg,
                "knee_flexion_peak_deg": knee_flexion_peak_deg,
                "pelvic_drop_peak_deg": pelvic_drop_peak_deg,
                "trunk_lean_peak_deg": trunk_lean_peak_deg, "swivel_deg": swivel,
                "seed": seed})
    return SyntheticSquat(keypoints=kp, truth=truth, points3d=points3d)
