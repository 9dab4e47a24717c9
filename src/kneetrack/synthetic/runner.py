"""A synthetic runner with known truth: 3D legs, pelvis and trunk, seen by a camera.

The model runs on a treadmill (pelvis near the world origin, the stance foot
carried backwards at belt speed) or overground (the pelvis advances along +x
and crosses the camera's field). World frame: metres, x = forward, y = the
runner's left, z = up (see :mod:`kneetrack.synthetic.camera`).

How the body moves
------------------
* **Timing**: steps alternate left/right at ``cadence_spm``; each stance lasts
  ``duty_factor`` of a stride. Contacts and toe-offs are exact model instants.
* **Stance foot**: a rigid foot (heel marker, toe marker, ankle) lands at the
  requested foot angle (toes up for a rearfoot strike, heel up for a forefoot
  strike), rolls flat about the heel or the toe, stays flat on the ground while
  the ground carries it backwards at running speed, then rises onto the toe
  until toe-off.
* **Sagittal leg**: at contact the thigh and shank make exactly the requested
  shank angle and knee flexion; this places the foot ahead of the hip and sets
  the hip height. The pelvis then follows a smooth vertical oscillation (lowest
  near midstance, highest in flight) and the knee follows by inverse
  kinematics from the hip to the ankle.
* **Frontal plane** (profiles that rise from 0 at contact to their peak near 40 %
  of stance and return to 0 at toe-off): contralateral pelvic drop rotates the
  pelvis about the stance hip; the knee moves medially off the hip–ankle line by
  the amount that makes the requested FPPA in a front view; the pelvis sways
  sideways so that the femur reaches the requested 2D hip adduction. Step width
  sets where each foot lands (negative: across the midline).
* **Swing**: the ankle follows a smooth path behind and up (heel recovery) and
  forward again, arriving at the next contact moving backwards and down; the
  knee follows by inverse kinematics.

Angles are "projected" angles: in an orthographic front or side view they are
exactly the requested values; through the perspective camera they differ by a
few tenths of a degree, which is why the truth is measured on the noise-free
projection with :mod:`kneetrack.synthetic.angles2d`, not copied from the
parameters.

Examples
--------
>>> from kneetrack.synthetic.camera import Camera
>>> params = RunnerParams.make(fppa_peak_deg=(12.0, 4.0), cadence_spm=172)
>>> motion = simulate_runner(params, duration_s=4.0, fps=60, seed=1)
>>> kp = motion.to_keypoints(Camera("front"), noise_px=1.5, seed=2)
>>> truth = motion.truth(Camera("front"))
>>> sorted(truth)[:3]
['cadence_spm', 'case', 'contacts']
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from importlib import resources
from typing import Any

import numpy as np
import yaml
from scipy.interpolate import CubicHermiteSpline, CubicSpline

from kneetrack.errors import SettingsError
from kneetrack.keypoints import Keypoints
from kneetrack.synthetic import angles2d
from kneetrack.synthetic.camera import Camera
from kneetrack.synthetic.corrupt import CorruptionReport, corrupt_keypoints

LEGS = ("left", "right")
_SIGN = {"left": 1.0, "right": -1.0}     # world y side of each leg

#: Per-stance angle fields that take step-to-step variability.
_VARIABLE_FIELDS = ("fppa_peak_deg", "hip_adduction_peak_deg", "pelvic_drop_peak_deg",
                    "foot_angle_ic_deg", "shank_angle_ic_deg", "knee_flexion_ic_deg")


@dataclass(frozen=True)
class LegParams:
    """What one leg does during its stances.

    Parameters
    ----------
    fppa_peak_deg : float
        Peak frontal plane projection angle in a front view (positive = knee
        medial of the hip–ankle line, valgus). 0 keeps the knee on the line.
    hip_adduction_peak_deg : float or None
        Peak 2D hip adduction in a front view (femur to the downward
        perpendicular of the hip–hip line; positive = knee toward the midline),
        reached by shifting the pelvis sideways over the foot during the stance.
        ``None`` (default): no shift; the hip adduction is what pelvic drop,
        FPPA, step width and pelvis lowering give (about 7–9 deg for the
        defaults, more for a crossover runner). If the requested value is below
        the value at contact, the peak is the contact value; if reaching it
        needs more sway than ``RunnerParams.pelvis_sway_max_m``, the peak is
        what that sway gives. The truth always reports the real peak.
    pelvic_drop_peak_deg : float
        Peak contralateral pelvic drop during this leg's stance (the other hip
        lower). Use values >= 0; a negative value hikes the other hip and its
        "peak" is then the 0 at contact.
    foot_lateral_m : float
        Lateral distance of this ankle from the body midline when it lands
        (positive = on its own side; negative = across the midline, crossover).
    foot_angle_ic_deg : float
        Foot pitch at contact relative to the flat foot, positive = toes up.
        About > 8 rearfoot, -1.6..8 midfoot, < -1.6 forefoot (Altman & Davis 2012).
    shank_angle_ic_deg : float
        Shank to vertical at contact, positive = ankle ahead of knee (overstride).
    knee_flexion_ic_deg : float
        Knee flexion at contact (0 = straight).
    foot_angle_to_deg : float
        Foot pitch relative to flat at toe-off (negative = heel up).
    """

    fppa_peak_deg: float = 3.0
    hip_adduction_peak_deg: float | None = None
    pelvic_drop_peak_deg: float = 4.0
    foot_lateral_m: float = 0.04
    foot_angle_ic_deg: float = 12.0
    shank_angle_ic_deg: float = 7.0
    knee_flexion_ic_deg: float = 14.0
    foot_angle_to_deg: float = -50.0

    def validate(self, leg: str) -> None:
        """Raise :class:`SettingsError` if a value is outside what the model can run."""
        limits = {
            "fppa_peak_deg": (-20.0, 35.0),
            "hip_adduction_peak_deg": (-15.0, 30.0),
            "pelvic_drop_peak_deg": (-10.0, 15.0),
            "foot_lateral_m": (-0.15, 0.2),
            "foot_angle_ic_deg": (-25.0, 35.0),
            "shank_angle_ic_deg": (-15.0, 25.0),
            "knee_flexion_ic_deg": (0.0, 45.0),
            "foot_angle_to_deg": (-70.0, 0.0),
        }
        for name, (lo, hi) in limits.items():
            value = getattr(self, name)
            if value is None and name == "hip_adduction_peak_deg":
                continue
            if not (value is not None and np.isfinite(value) and lo <= value <= hi):
                raise SettingsError(f"{leg} {name} must be between {lo} and {hi}, got {value}")


@dataclass(frozen=True)
class RunnerParams:
    """A runner: its two legs plus whole-body settings.

    Parameters
    ----------
    left, right : LegParams
        Per-leg behaviour (left/right asymmetry = different values).
    cadence_spm : float
        Steps per minute (both legs together).
    duty_factor : float
        Stance time as a fraction of the stride time (running: about 0.25–0.45).
    speed_ms : float
        Running speed (belt speed on a treadmill), m/s.
    treadmill : bool
        True: pelvis stays near x = 0. False: the pelvis advances along +x.
    start_x_m : float or None
        Overground only: pelvis x at the first frame (default: centred on the
        clip, so the runner passes x = 0 half-way through).
    thigh_m, shank_m, foot_m : float
        Hip–knee, knee–ankle and heel-marker–toe-marker lengths.
    pelvis_width_m : float
        Distance between the hip joint centres.
    shoulder_width_m, trunk_m, trunk_lean_deg : float
        Shoulder width, pelvis-to-shoulder length, forward trunk lean.
    vertical_oscillation_m : float
        Pelvis rise from its lowest (midstance) to its highest (flight).
    pelvis_sway_max_m : float or None
        Largest sideways shift of the pelvis during a stance when a hip
        adduction is requested (``None``: as much as needed). Runners shift a
        few centimetres; beyond that the hip adduction is what the geometry
        gives and the truth says so.
    swing_ankle_height_m : float
        Ankle height at the top of the heel recovery in swing.
    swing_clearance_m : float or None
        Lateral distance from the midline, on the foot's own side, that the
        swing ankle reaches at least at mid-swing (an outward arc around the
        stance leg). ``None``: the swing ankle moves straight from one landing
        line to the next, so a crossover runner's feet stay crossed all stride.
    heel_marker_height_m, toe_marker_height_m : float
        Heights of the heel and toe markers above the ground with the foot
        flat; a difference tilts the image heel→toe line of the flat foot.
    arms : bool
        Add elbows and wrists swinging opposite to the legs.
    drift : mapping of str to float
        Fatigue drift: for any :class:`LegParams` field, the amount added by
        the end of the clip (growing linearly with time), e.g.
        ``{"fppa_peak_deg": 4.0}``.
    step_time_cv : float
        Step-to-step variability of step and stance times (coefficient of variation).
    stance_sd_deg : float
        Step-to-step standard deviation of the per-stance angles.
    """

    left: LegParams = field(default_factory=LegParams)
    right: LegParams = field(default_factory=LegParams)
    cadence_spm: float = 170.0
    duty_factor: float = 0.33
    speed_ms: float = 3.3
    treadmill: bool = True
    start_x_m: float | None = None
    thigh_m: float = 0.45
    shank_m: float = 0.43
    foot_m: float = 0.22
    pelvis_width_m: float = 0.17
    shoulder_width_m: float = 0.36
    trunk_m: float = 0.50
    trunk_lean_deg: float = 8.0
    vertical_oscillation_m: float = 0.08
    pelvis_sway_max_m: float | None = None
    swing_ankle_height_m: float = 0.32
    swing_clearance_m: float | None = 0.07
    heel_marker_height_m: float = 0.025
    toe_marker_height_m: float = 0.025
    arms: bool = False
    drift: Mapping[str, float] = field(default_factory=dict)
    step_time_cv: float = 0.01
    stance_sd_deg: float = 0.3

    @classmethod
    def make(cls, *, step_width_m: float | None = None, **values: Any) -> RunnerParams:
        """Build parameters from flat keywords.

        A :class:`LegParams` field may be a number (both legs) or a
        ``(left, right)`` pair; ``step_width_m`` (lateral distance between the
        feet at landing; negative = crossover) sets both ``foot_lateral_m`` to
        half of it. Other keywords are :class:`RunnerParams` fields.

        Examples
        --------
        >>> p = RunnerParams.make(pelvic_drop_peak_deg=(6, 2), step_width_m=-0.04)
        >>> p.left.pelvic_drop_peak_deg, p.right.foot_lateral_m
        (6, -0.02)
        """
        leg_names = {f.name for f in fields(LegParams)}
        runner_names = {f.name for f in fields(cls)} - {"left", "right"}
        left: dict[str, Any] = {}
        right: dict[str, Any] = {}
        runner: dict[str, Any] = {}
        if step_width_m is not None:
            left["foot_lateral_m"] = right["foot_lateral_m"] = step_width_m / 2.0
        for name, value in values.items():
            if name in leg_names:
                if isinstance(value, tuple | list):
                    if len(value) != 2:
                        raise SettingsError(f"{name} needs one value or a (left, right) pair")
                    left[name], right[name] = value
                else:
                    left[name] = right[name] = value
            elif name in runner_names:
                runner[name] = value
            else:
                raise SettingsError(f"unknown runner parameter {name!r}")
        return cls(left=LegParams(**left), right=LegParams(**right), **runner)

    @property
    def step_width_m(self) -> float:
        """Lateral distance between the landing ankles (negative = crossover)."""
        return self.left.foot_lateral_m + self.right.foot_lateral_m

    def leg(self, leg: str) -> LegParams:
        """Parameters of ``leg`` (``"left"`` or ``"right"``)."""
        return self.left if leg == "left" else self.right

    def validate(self) -> None:
        """Raise :class:`SettingsError` for values the model cannot run."""
        self.left.validate("left")
        self.right.validate("right")
        checks = {
            "cadence_spm": (100.0, 240.0),
            "duty_factor": (0.15, 0.48),
            "speed_ms": (0.5, 9.0),
            "thigh_m": (0.25, 0.7),
            "shank_m": (0.25, 0.7),
            "foot_m": (0.12, 0.35),
            "pelvis_width_m": (0.08, 0.35),
            "vertical_oscillation_m": (0.0, 0.2),
            "swing_ankle_height_m": (0.1, 0.7),
            "trunk_lean_deg": (-20.0, 45.0),
            "step_time_cv": (0.0, 0.1),
            "stance_sd_deg": (0.0, 5.0),
        }
        for name, (lo, hi) in checks.items():
            value = getattr(self, name)
            if not (np.isfinite(value) and lo <= value <= hi):
                raise SettingsError(f"{name} must be between {lo} and {hi}, got {value}")
        if self.swing_clearance_m is not None and not (-0.1 <= self.swing_clearance_m <= 0.2):
            raise SettingsError(f"swing_clearance_m must be between -0.1 and 0.2 (or None), "
                                f"got {self.swing_clearance_m}")
        if self.pelvis_sway_max_m is not None and not (0.005 <= self.pelvis_sway_max_m <= 0.3):
            raise SettingsError(f"pelvis_sway_max_m must be between 0.005 and 0.3 (or None), "
                                f"got {self.pelvis_sway_max_m}")
        leg_names = {f.name for f in fields(LegParams)}
        for name in self.drift:
            if name not in leg_names:
                raise SettingsError(f"drift of unknown leg parameter {name!r}")
            if any(getattr(self.leg(leg), name) is None for leg in ("left", "right")):
                raise SettingsError(f"drift of {name} needs a value for it on both legs")

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        d = asdict(self)
        d["drift"] = dict(self.drift)
        return d


# ----------------------------------------------------------------------------- helpers
def _bump(s: np.ndarray) -> np.ndarray:
    """0 at contact and toe-off, 1 at 40 % of stance, zero slope at both ends."""
    s = np.clip(s, 0.0, 1.0)
    return np.sin(np.pi * s ** _BUMP_EXP) ** 2


_BUMP_EXP = math.log(0.5) / math.log(0.4)


def _rot(p_rad: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate sagittal vectors ``v`` (..., 2: x forward, z up) by ``p`` (toes-up positive)."""
    c, s = np.cos(p_rad), np.sin(p_rad)
    return np.stack([c * v[..., 0] - s * v[..., 1], s * v[..., 0] + c * v[..., 1]], axis=-1)


def _knee_ik(hip: np.ndarray, ankle: np.ndarray, l1: float, l2: float,
             min_flex_deg: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Sagittal 2-link inverse kinematics, knee forward. Returns (knee, ankle reachable)."""
    e = ankle - hip
    dist = np.linalg.norm(e, axis=-1)
    d_max = math.sqrt(l1 ** 2 + l2 ** 2 + 2 * l1 * l2 * math.cos(math.radians(min_flex_deg)))
    d_min = abs(l1 - l2) + 0.05
    d = np.clip(dist, d_min, d_max)
    u = e / dist[..., None]
    alpha = np.arccos(np.clip((l1 ** 2 + d ** 2 - l2 ** 2) / (2 * l1 * d), -1.0, 1.0))
    thigh_dir = _rot(alpha, u)
    knee = hip + l1 * thigh_dir
    shank_dir = ankle - knee
    shank_dir = shank_dir / np.linalg.norm(shank_dir, axis=-1, keepdims=True)
    return knee, knee + l2 * shank_dir


def _medial_offset(tan_phi: np.ndarray, e_l: np.ndarray, e_z: np.ndarray,
                   lam: np.ndarray) -> np.ndarray:
    """Medial knee offset off the hip–ankle line that makes the FPPA ``atan(tan_phi)``.

    Frontal plane in "lateral" coordinates (l = away from the midline, z up);
    ``e`` = ankle − hip; the knee sits at fraction ``lam`` of the way down.
    """
    q = lam * (1.0 - lam) * (e_l ** 2 + e_z ** 2)
    b = -e_l                                   # e · medial unit (-1, 0)
    c = np.abs(e_z)                            # |e x medial unit|
    big_b = c - tan_phi * (1.0 - 2.0 * lam) * b
    root = np.sqrt(np.maximum(big_b ** 2 + 4.0 * tan_phi ** 2 * q, 0.0))
    return 2.0 * tan_phi * q / (big_b + root)


def _frontal_stance(hip_z: np.ndarray, knee_z: np.ndarray, ankle_z: np.ndarray,
                    foot_l: np.ndarray, fppa: np.ndarray, hip_add: np.ndarray,
                    drop: np.ndarray, *, nominal_l: float,
                    max_sway_m: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Solve the stance hip and knee lateral positions (lateral coordinates).

    Returns ``(hip_l, knee_l)`` such that the FPPA is ``fppa`` and the 2D hip
    adduction (relative to the pelvis tilted by ``drop``) is ``hip_add`` (degrees),
    as far as a sideways hip shift of at most ``max_sway_m`` from ``nominal_l``
    allows.
    """
    tan_phi = np.tan(np.radians(fppa))
    dr = np.radians(drop)
    m = np.stack([-np.cos(dr), -np.sin(dr)], axis=-1)        # toward the other hip
    p = np.stack([np.sin(dr), -np.cos(dr)], axis=-1)         # downward perpendicular
    lam = np.clip((knee_z - hip_z) / (ankle_z - hip_z), 0.0, 1.0)
    target = np.radians(hip_add)

    def knee_for(hip_l: np.ndarray) -> np.ndarray:
        e_l = foot_l - hip_l
        e_z = ankle_z - hip_z
        d = _medial_offset(tan_phi, e_l, e_z, lam)
        return hip_l + lam * e_l - d

    def adduction(hip_l: np.ndarray) -> np.ndarray:
        f = np.stack([knee_for(hip_l) - hip_l, knee_z - hip_z], axis=-1)
        return np.arctan2(np.sum(f * m, axis=-1), np.sum(f * p, axis=-1))

    lo = foot_l - 0.6
    hi = foot_l + 0.6
    for _ in range(40):                       # adduction grows as the hip moves laterally
        mid = 0.5 * (lo + hi)
        too_low = adduction(mid) < target
        lo = np.where(too_low, mid, lo)
        hi = np.where(too_low, hi, mid)
    hip_l = 0.5 * (lo + hi)
    # no hip adduction requested: the hip stays where it is
    hip_l = np.where(np.isnan(target), nominal_l, hip_l)
    if max_sway_m is not None:
        # Runners sway only a few centimetres sideways: beyond 2/3 of the limit the shift is
        # eased smoothly towards it, and the hip adduction is then what the geometry gives.
        shift = hip_l - nominal_l
        a = 2.0 / 3.0 * max_sway_m
        mag = np.abs(shift)
        eased = np.where(mag <= a, mag,
                         a + (max_sway_m - a) * np.tanh((mag - a) / (max_sway_m - a)))
        hip_l = nominal_l + np.sign(shift) * eased
    return hip_l, knee_for(hip_l)


#: Mean pelvis height over one step (contact to next contact, 21 points, range 1) of the
#: real treadmill runners in ``../shared/data/mocap2d`` (Fukuchi 2017 RBDS001 at 3.5 m/s,
#: Hamner 2010 subject 2); toe-off falls at 0.675 of the step in them.
_PELVIS_TEMPLATE = CubicSpline(
    np.linspace(0.0, 1.0, 21),
    [0.748, 0.608, 0.439, 0.263, 0.125, 0.04, 0.0, 0.004, 0.058, 0.159, 0.298, 0.457, 0.603,
     0.753, 0.869, 0.952, 0.992, 0.995, 0.955, 0.878, 0.748],
    bc_type="periodic",
)
_TEMPLATE_TO = 0.675

#: Ankle path in the last 120 ms of swing, from the same runners (swing 0.478 s at 3.5 m/s):
#: (time before contact s, dx m, dz m relative to the landing ankle, vx m/s, vz m/s).
_LATE_SWING = (
    (0.120, -0.22, 0.095, 3.5, -1.5),
    (0.060, -0.03, 0.026, 2.2, -0.56),
    (0.020, 0.014, 0.011, -0.1, -0.45),
)
_LATE_SWING_REF_S = 0.478
#: Foot speed relative to the pelvis just after contact (fraction of the running speed) and
#: the time constant with which it reaches the ground's speed.
_LANDING_SPEED_FRACTION = 0.25
_LANDING_TAU_S = 0.015


def _reach(dx: float, knee_flex_deg: float, model: _RunnerModel) -> float:
    """Vertical hip-ankle distance for a horizontal offset ``dx`` at a given knee flexion."""
    l1, l2 = model.l1, model.l2
    d = math.sqrt(l1 ** 2 + l2 ** 2 + 2 * l1 * l2 * math.cos(math.radians(knee_flex_deg)))
    return math.sqrt(max(d ** 2 - dx ** 2, 1e-4))


def _load_truth_thresholds() -> dict[str, Any]:
    text = resources.files("kneetrack.synthetic").joinpath("truth_thresholds.yaml").read_text(
        encoding="utf-8")
    return yaml.safe_load(text)


# ----------------------------------------------------------------------------- the model
@dataclass(frozen=True)
class _Stances:
    """The stances of one leg, in time order, with their per-stance parameters."""

    contact_s: np.ndarray
    toe_off_s: np.ndarray
    values: dict[str, np.ndarray]


class _RunnerModel:
    """Continuous-time kinematics of one runner; :meth:`positions` evaluates any instant."""

    def __init__(self, params: RunnerParams, duration_s: float, rng: np.random.Generator):
        self.p = params
        self.duration_s = duration_s
        self.l1, self.l2 = params.thigh_m, params.shank_m
        fm = params.foot_m
        # Flat foot in its own sagittal frame, origin at the heel's ground point.
        self.local = {
            "heel": np.array([0.0, params.heel_marker_height_m]),
            "toe": np.array([fm, params.toe_marker_height_m]),
            "ankle": np.array([0.25 * fm, 0.33 * fm]),
        }
        self.toe_ground = np.array([fm, 0.0])
        self._schedule(rng)
        self._place_stances()
        self._pelvis_height()
        self._swing_paths()

    # -- timing and per-stance values
    def _schedule(self, rng: np.random.Generator) -> None:
        p = self.p
        step = 60.0 / p.cadence_spm
        stride = 2.0 * step
        n_steps = int(math.ceil((self.duration_s + 6 * step) / step)) + 2
        steps = step * (1.0 + p.step_time_cv * rng.standard_normal(n_steps))
        t0 = -3.0 * step + rng.uniform(0.0, stride)
        contacts = t0 + np.concatenate([[0.0], np.cumsum(steps[:-1])])
        stance = p.duty_factor * stride * (1.0 + p.step_time_cv * rng.standard_normal(n_steps))
        stance = np.minimum(stance, 0.95 * steps)    # a flight phase remains
        first = "left" if rng.random() < 0.5 else "right"
        legs = [first if i % 2 == 0 else ("right" if first == "left" else "left")
                for i in range(n_steps)]
        self.stances: dict[str, _Stances] = {}
        for leg in LEGS:
            idx = np.array([i for i in range(n_steps) if legs[i] == leg])
            ic = contacts[idx]
            base = asdict(p.leg(leg))
            frac = np.clip(ic / self.duration_s, 0.0, 1.0)
            values = {}
            for name, value in base.items():
                v = (np.nan if value is None else value) + p.drift.get(name, 0.0) * frac
                if name in _VARIABLE_FIELDS and p.stance_sd_deg > 0:
                    v = v + p.stance_sd_deg * rng.standard_normal(len(ic))
                values[name] = np.asarray(v, dtype=float) * np.ones(len(ic))
            # drift and step-to-step variability must keep every stance runnable
            for extreme in (np.min, np.max):
                ends: dict[str, Any] = {k: None if np.isnan(v).all() else float(extreme(v))
                                        for k, v in values.items()}
                LegParams(**ends).validate(f"{leg} (with drift and variability)")
            self.stances[leg] = _Stances(ic, ic + stance[idx], values)
        self.step_s = step

    def _foot_stance(self, leg: str, k: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """Sagittal (x, z) of heel, toe, ankle markers and foot pitch during stance ``k``."""
        st = self.stances[leg]
        v = st.values
        ic, to = st.contact_s[k], st.toe_off_s[k]
        dt = t - ic
        s = dt / (to - ic)
        p_ic = np.radians(v["foot_angle_ic_deg"][k])
        p_to = np.radians(v["foot_angle_to_deg"][k])
        # foot-flat takes 40-80 ms after a heel or forefoot landing and starts gently
        # (the real mocap2d runners' foot angle turns smoothly through contact)
        t_flat = np.minimum(0.35 * (to - ic), 0.03 + np.abs(np.degrees(p_ic)) / 250.0)
        heel_off = 0.55
        u = np.clip(dt / t_flat, 0.0, 1.0)
        w = np.clip((s - heel_off) / (1.0 - heel_off), 0.0, 1.0)
        pitch = np.where(dt < t_flat, p_ic * (1.0 - 3.0 * u ** 2 + 2.0 * u ** 3), p_to * w ** 2)
        # pivot: heel while a rearfoot strike rolls down, toe for a forefoot strike and late stance
        toe_pivot = (s >= heel_off) | ((dt < t_flat) & (p_ic < 0))
        pivot = np.where(toe_pivot[..., None], self.toe_ground, np.zeros(2))
        # The landing foot does not take the ground's speed at once: it reaches it with a
        # time constant of ~15 ms (shoe and heel pad compress, the foot skids a little), as
        # the ankles of the real mocap2d runners do.
        speed = self.p.speed_ms
        ease = (1.0 - _LANDING_SPEED_FRACTION) * speed * _LANDING_TAU_S
        heel_ground_x = (self._heel_ground0[leg][k] - speed * np.maximum(dt, 0.0)
                         + ease * (1.0 - np.exp(-np.maximum(dt, 0.0) / _LANDING_TAU_S)))
        out = {"pitch": pitch}
        for name, loc in self.local.items():
            pt = pivot + _rot(pitch, loc - pivot)
            out[name] = np.stack([heel_ground_x + pt[..., 0], pt[..., 1]], axis=-1)
        return out

    def _place_stances(self) -> None:
        """Where each foot lands (relative to the hip) and the hip height at each contact."""
        self._heel_ground0: dict[str, np.ndarray] = {}
        self._hip_z_ic: dict[str, np.ndarray] = {}
        for leg in LEGS:
            v = self.stances[leg].values
            th_s = np.radians(v["shank_angle_ic_deg"])
            th_t = th_s + np.radians(v["knee_flexion_ic_deg"])
            dx = self.l1 * np.sin(th_t) + self.l2 * np.sin(th_s)
            dz = self.l1 * np.cos(th_t) + self.l2 * np.cos(th_s)
            p_ic = np.radians(v["foot_angle_ic_deg"])
            pivot = np.where((p_ic < 0)[:, None], self.toe_ground, np.zeros(2))
            ankle = pivot + _rot(p_ic, self.local["ankle"] - pivot)
            self._heel_ground0[leg] = dx - ankle[:, 0]
            self._hip_z_ic[leg] = ankle[:, 1] + dz

    def _pelvis_height(self) -> None:
        """Vertical oscillation shaped like real runners', through the contact heights.

        Each step (contact to the next contact of either leg) follows the mean
        pelvis path of the real treadmill runners in ``mocap2d`` (lowest near
        mid-stance, rising through toe-off, highest late in flight), time-warped
        to this runner's stance fraction and scaled to ``vertical_oscillation_m``.
        Where the stance leg could not reach the ground, the pelvis is lowered
        by a smooth bump.
        """
        events = sorted(
            (float(self.stances[leg].contact_s[k]), float(self.stances[leg].toe_off_s[k]),
             float(self._hip_z_ic[leg][k]), leg, k)
            for leg in LEGS for k in range(len(self.stances[leg].contact_s))
        )
        self._steps = np.array([(e[0], e[1], e[2]) for e in events])   # ic, to, z_ic
        self._bumps = np.zeros((0, 3))                                   # start, stop, depth
        d_max = math.sqrt(self.l1 ** 2 + self.l2 ** 2
                          + 2 * self.l1 * self.l2 * math.cos(math.radians(8.0)))
        for _ in range(4):
            new = []
            for i, (ic, to, _z, leg, k) in enumerate(events):
                tt = np.linspace(ic + 0.4 * (to - ic), to, 16)
                a = self._foot_stance(leg, np.full(tt.shape, k), tt)["ankle"]
                reach = d_max ** 2 - a[:, 0] ** 2
                if np.any(reach <= 0):
                    raise SettingsError(
                        "the foot cannot stay on the ground for the whole stance: lower "
                        "speed_ms or duty_factor, or give longer legs")
                excess = self.pelvis_z(tt) - (a[:, 1] + np.sqrt(reach))
                if np.max(excess) > 0 and i + 1 < len(events):
                    # a smooth dip that is zero at both contacts, so they keep their heights
                    start, stop = ic + 0.25 * (to - ic), events[i + 1][0]
                    window = np.sin(np.pi * (tt - start) / (stop - start)) ** 2
                    depth = float(np.max((excess + 0.004) / window))
                    new.append((start, stop, depth))
            if not new:
                break
            self._bumps = np.vstack([self._bumps, np.array(new)])

    def pelvis_z(self, t: np.ndarray) -> np.ndarray:
        """Height of the mid-hip (between the hip joint centres) at times ``t``."""
        t = np.asarray(t, dtype=float)
        ic, to, z_ic = self._steps[:, 0], self._steps[:, 1], self._steps[:, 2]
        k = np.clip(np.searchsorted(ic, t, side="right") - 1, 0, len(ic) - 2)
        step = ic[k + 1] - ic[k]
        phi = (t - ic[k]) / step
        sf = np.clip((to[k] - ic[k]) / step, 0.05, 0.95)
        warped = np.where(phi < sf, _TEMPLATE_TO * phi / sf,
                          _TEMPLATE_TO + (1 - _TEMPLATE_TO) * (phi - sf) / (1 - sf))
        shape = _PELVIS_TEMPLATE(warped) - _PELVIS_TEMPLATE(0.0)
        z = z_ic[k] + (z_ic[k + 1] - z_ic[k]) * phi + self.p.vertical_oscillation_m * shape
        for start, stop, depth in self._bumps:
            inside = (t > start) & (t < stop)
            z = z - np.where(inside, depth * np.sin(np.pi * (t - start) / (stop - start)) ** 2,
                             0.0)
        return z

    def _swing_paths(self) -> None:
        """Hermite ankle paths (x, z) and foot pitch for every swing of each leg."""
        self._swing: dict[str, tuple[CubicHermiteSpline, CubicHermiteSpline]] = {}
        v = self.p.speed_ms
        h = 1e-4
        for leg in LEGS:
            st = self.stances[leg]
            n = len(st.contact_s)
            ks = np.arange(n)
            a_ic = self._foot_stance(leg, ks, st.contact_s)["ankle"]
            a_to = self._foot_stance(leg, ks, st.toe_off_s)["ankle"]
            a_to_prev = self._foot_stance(leg, ks, st.toe_off_s - h)["ankle"]
            vel_to = (a_to - a_to_prev) / h
            p_ic = np.radians(st.values["foot_angle_ic_deg"])
            p_to = np.radians(st.values["foot_angle_to_deg"])
            times, pos, vel, ptimes, pitch, prate = [], [], [], [], [], []
            for k in range(n - 1):
                to, ic_next = st.toe_off_s[k], st.contact_s[k + 1]
                sw = ic_next - to
                # knots: early lift and top of the heel recovery (heights keep the knee
                # flexed), then the last 120 ms before contact as measured on the real
                # runners of mocap2d: the foot swings forward fast, is furthest forward
                # ~20 ms before contact and lands moving back and down.
                scale = sw / _LATE_SWING_REF_S
                ta, t1 = to + 0.15 * sw, to + 0.42 * sw
                xa = a_to[k, 0] - 0.02
                za = max(a_to[k, 1] + 0.06, float(self.pelvis_z(ta)) - _reach(xa, 50.0, self))
                x1 = a_to[k, 0] + 0.18
                z1 = max(self.p.swing_ankle_height_m,
                         float(self.pelvis_z(t1)) - _reach(x1, 75.0, self))
                late_t = [ic_next - dt * scale for dt, *_ in _LATE_SWING]
                late_p = [a_ic[k + 1] + np.array([dx, dz]) for _t, dx, dz, _vx, _vz in _LATE_SWING]
                late_v = [np.array([vx, vz]) / scale for _t, _dx, _dz, vx, vz in _LATE_SWING]
                knot_t = [to, ta, t1, *late_t, ic_next]
                knot_p = [a_to[k], np.array([xa, za]), np.array([x1, z1]), *late_p, a_ic[k + 1]]
                slopes = [vel_to[k]]
                for j in (1, 2):   # Catmull-Rom slopes at the recovery knots
                    slopes.append((knot_p[j + 1] - knot_p[j - 1])
                                  / (knot_t[j + 1] - knot_t[j - 1]))
                slopes += late_v
                slopes.append(np.array([-_LANDING_SPEED_FRACTION * v, -0.5]))
                times += knot_t
                pos += knot_p
                vel += slopes
                pm = 0.5 * p_to[k] + 0.1
                t2 = late_t[0]
                ptimes += [to, t1, t2, ic_next]
                pitch += [p_to[k], pm, p_ic[k + 1] + np.radians(5.0), p_ic[k + 1]]
                prate += [0.0, (p_ic[k + 1] - p_to[k]) / sw, (p_ic[k + 1] - pm) / sw, 0.0]
            self._swing[leg] = (
                CubicHermiteSpline(np.array(times), np.array(pos), np.array(vel), axis=0),
                CubicHermiteSpline(np.array(ptimes), np.array(pitch), np.array(prate)),
            )

    # -- evaluation
    def phase(self, leg: str, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Stance index, in-stance mask and stance fraction of ``leg`` at times ``t``."""
        st = self.stances[leg]
        k = np.clip(np.searchsorted(st.contact_s, t, side="right") - 1, 0, len(st.contact_s) - 1)
        in_stance = (t >= st.contact_s[k]) & (t <= st.toe_off_s[k])
        s = (t - st.contact_s[k]) / (st.toe_off_s[k] - st.contact_s[k])
        return k, in_stance, s

    def positions(self, t: np.ndarray) -> dict[str, np.ndarray]:
        """World positions ``(n, 3)`` of every marker at times ``t`` (seconds)."""
        t = np.asarray(t, dtype=float)
        n = t.shape[0]
        p = self.p
        w = p.pelvis_width_m
        z_p = self.pelvis_z(t)
        out: dict[str, np.ndarray] = {}
        hips = {leg: np.column_stack([np.zeros(n), np.full(n, _SIGN[leg] * w / 2), z_p])
                for leg in LEGS}
        stance_parts: dict[str, dict[str, Any]] = {}
        # 1. stance legs: sagittal foot + knee, then the frontal solve moves hips and knee.
        for leg in LEGS:
            k, ins, s = self.phase(leg, t)
            idx = np.flatnonzero(ins)
            kk, ss, tt = k[idx], s[idx], t[idx]
            foot = self._foot_stance(leg, kk, tt)
            vals = self.stances[leg].values
            bump = _bump(ss)
            drop = vals["pelvic_drop_peak_deg"][kk] * bump
            dr = np.radians(drop)
            # the pelvis path is the mid-hip's: the stance hip sits above it by half the drop
            hip_z = z_p[idx] + 0.5 * w * np.sin(dr)
            hip_xz = np.column_stack([np.zeros(idx.size), hip_z])
            knee_xz, ankle_xz = _knee_ik(hip_xz, foot["ankle"], self.l1, self.l2)
            foot_l = vals["foot_lateral_m"][kk]
            # the hip adduction the geometry gives at contact, with the hip at its nominal place
            ha_ic = self._hip_add_ic(leg)[kk]
            ha = ha_ic + (vals["hip_adduction_peak_deg"][kk] - ha_ic) * bump   # NaN: no sway
            fppa = vals["fppa_peak_deg"][kk] * bump
            hip_l, knee_l = _frontal_stance(hip_z, knee_xz[:, 1], ankle_xz[:, 1], foot_l,
                                            fppa, ha, drop, nominal_l=w / 2,
                                            max_sway_m=p.pelvis_sway_max_m)
            sg = _SIGN[leg]
            other = "right" if leg == "left" else "left"
            hips[leg][idx, 1] = sg * hip_l
            hips[leg][idx, 2] = hip_z
            hips[other][idx, 1] = sg * (hip_l - w * np.cos(dr))
            hips[other][idx, 2] = hip_z - w * np.sin(dr)
            stance_parts[leg] = {"idx": idx, "foot": foot, "knee": knee_xz, "ankle": ankle_xz,
                                 "knee_y": sg * knee_l, "foot_y": sg * foot_l}
        # 2. every leg: swing by path + IK; stance from part 1.
        for leg in LEGS:
            sg = _SIGN[leg]
            hip = hips[leg]
            knee = np.full((n, 3), np.nan)
            marks = {m: np.full((n, 3), np.nan) for m in ("ankle", "heel", "toe")}
            sp = stance_parts[leg]
            idx = sp["idx"]
            knee[idx] = np.column_stack([sp["knee"][:, 0], sp["knee_y"], sp["knee"][:, 1]])
            for m in marks:
                xz = sp["ankle"] if m == "ankle" else sp["foot"][m]
                if m != "ankle":   # keep the foot rigid on the IK-corrected ankle
                    xz = xz + (sp["ankle"] - sp["foot"]["ankle"])
                marks[m][idx] = np.column_stack([xz[:, 0], sp["foot_y"], xz[:, 1]])
            sw = np.setdiff1d(np.arange(n), idx)
            if sw.size:
                path, pitch_spline = self._swing[leg]
                tt = t[sw]
                a_xz = path(tt)
                pitch = pitch_spline(tt)
                hip_xz = hip[sw][:, [0, 2]]
                knee_xz, a_xz = _knee_ik(hip_xz, a_xz, self.l1, self.l2)
                # lateral: blend the landing positions, with a small outward arc
                st = self.stances[leg]
                kprev = np.clip(np.searchsorted(st.toe_off_s, tt, side="right") - 1,
                                0, len(st.contact_s) - 2)
                t_to, t_ic = st.toe_off_s[kprev], st.contact_s[kprev + 1]
                u = np.clip((tt - t_to) / (t_ic - t_to), 0.0, 1.0)
                fl = st.values["foot_lateral_m"]
                blend = 0.5 - 0.5 * np.cos(np.pi * u)
                lat = fl[kprev] * (1 - blend) + fl[kprev + 1] * blend
                if p.swing_clearance_m is not None:
                    lat = lat + np.maximum(0.0, p.swing_clearance_m - lat) * np.sin(np.pi * u)
                a_y = sg * lat
                lam = (knee_xz[:, 1] - hip_xz[:, 1]) / (a_xz[:, 1] - hip_xz[:, 1])
                k_y = hip[sw, 1] + lam * (a_y - hip[sw, 1])
                knee[sw] = np.column_stack([knee_xz[:, 0], k_y, knee_xz[:, 1]])
                marks["ankle"][sw] = np.column_stack([a_xz[:, 0], a_y, a_xz[:, 1]])
                for m in ("heel", "toe"):
                    rel = _rot(pitch, self.local[m] - self.local["ankle"])
                    marks[m][sw] = np.column_stack([a_xz[:, 0] + rel[:, 0], a_y,
                                                    a_xz[:, 1] + rel[:, 1]])
            out[f"{leg}_hip"] = hip
            out[f"{leg}_knee"] = knee
            for m, arr in marks.items():
                out[f"{leg}_{m}"] = arr
        # 3. trunk, head, arms
        centre = 0.5 * (out["left_hip"] + out["right_hip"])
        lean = math.radians(p.trunk_lean_deg)
        sh_c = centre + p.trunk_m * np.array([math.sin(lean), 0.0, math.cos(lean)])
        for leg in LEGS:
            out[f"{leg}_shoulder"] = sh_c + np.array([0.0, _SIGN[leg] * p.shoulder_width_m / 2,
                                                      0.0])
        out["nose"] = sh_c + np.array([0.10, 0.0, 0.24])
        if p.arms:
            for leg in LEGS:
                other = "right" if leg == "left" else "left"
                # the arm swings with the opposite thigh
                thigh = out[f"{other}_knee"] - out[f"{other}_hip"]
                ang = np.arctan2(thigh[:, 0], -thigh[:, 2]) * 1.1
                sh = out[f"{leg}_shoulder"]
                elbow = sh + 0.28 * np.column_stack([np.sin(ang), np.zeros(n), -np.cos(ang)])
                fore = ang + np.radians(85.0)
                wrist = elbow + 0.26 * np.column_stack(
                    [np.sin(fore), -_SIGN[leg] * 0.25 * np.ones(n), -np.cos(fore)])
                out[f"{leg}_elbow"] = elbow
                out[f"{leg}_wrist"] = wrist
        if not p.treadmill:
            x0 = (-p.speed_ms * self.duration_s / 2.0 if p.start_x_m is None else p.start_x_m)
            for arr in out.values():
                arr[:, 0] += x0 + p.speed_ms * t
        return out

    def _hip_add_ic(self, leg: str) -> np.ndarray:
        """2D hip adduction at each contact with the hip at its nominal place (degrees)."""
        cache = self.__dict__.setdefault("_ha_ic_cache", {})
        if leg not in cache:
            st = self.stances[leg]
            ks = np.arange(len(st.contact_s))
            foot = self._foot_stance(leg, ks, st.contact_s)
            hip_z = self.pelvis_z(st.contact_s)
            hip_xz = np.column_stack([np.zeros(ks.size), hip_z])
            knee_xz, ankle_xz = _knee_ik(hip_xz, foot["ankle"], self.l1, self.l2)
            hip_l = self.p.pelvis_width_m / 2
            foot_l = st.values["foot_lateral_m"]
            lam = (knee_xz[:, 1] - hip_z) / (ankle_xz[:, 1] - hip_z)
            knee_l = hip_l + lam * (foot_l - hip_l)
            cache[leg] = np.degrees(np.arctan2(-(knee_l - hip_l), -(knee_xz[:, 1] - hip_z)))
        return cache[leg]


# ----------------------------------------------------------------------------- public API
_FRONTAL = ("front", "rear")


@dataclass(frozen=True, eq=False)
class Motion3D:
    """A simulated runner: 3D marker paths at the frame times, plus the exact events.

    Attributes
    ----------
    params : RunnerParams
        What was simulated.
    time_s : ndarray
        Frame times (seconds from the first frame).
    fps : float
        Nominal frame rate.
    positions : dict of str to ndarray
        World positions ``(frames, 3)`` per canonical marker name.
    contacts_s, toe_offs_s : dict of str to ndarray
        Per leg: contact and toe-off instants of the stances that start and end
        inside the clip (exact model times).
    seed : int or None
        Seed the motion was made with.
    """

    params: RunnerParams
    time_s: np.ndarray
    fps: float
    positions: dict[str, np.ndarray]
    contacts_s: dict[str, np.ndarray]
    toe_offs_s: dict[str, np.ndarray]
    seed: int | None
    _model: _RunnerModel

    @property
    def duration_s(self) -> float:
        """Clip duration: last frame time plus one nominal frame."""
        return float(self.time_s[-1] + 1.0 / self.fps)

    @property
    def markers(self) -> tuple[str, ...]:
        """Canonical marker names available."""
        return tuple(self.positions)

    def positions_at(self, t: np.ndarray) -> dict[str, np.ndarray]:
        """World positions at arbitrary instants (the model is continuous)."""
        return self._model.positions(np.atleast_1d(np.asarray(t, dtype=float)))

    def project(self, camera: Camera) -> Keypoints:
        """Noise-free keypoints through ``camera``; points outside the image are missing."""
        arrays = {m: camera.project(xyz) for m, xyz in self.positions.items()}
        w, h = camera.image_size
        conf = {}
        for m, uv in arrays.items():
            outside = ~((uv[:, 0] >= 0) & (uv[:, 0] < w) & (uv[:, 1] >= 0) & (uv[:, 1] < h))
            uv[outside] = np.nan
            conf[m] = np.where(outside, 0.0, 1.0)
        return Keypoints.from_arrays(arrays, fps=self.fps, time_s=self.time_s, confidence=conf,
                                     image_size=camera.image_size,
                                     source=f"synthetic:runner:{camera.view}")

    def to_keypoints_with_report(
        self, camera: Camera, *, noise_px: float = 1.5, dropout: float = 0.0,
        swap_rate_hz: float = 0.0, foot_swap_fraction: float = 0.5,
        merge_fraction: float = 0.0, snap_fraction: float = 0.0,
        foot_glitch_fraction: float = 0.0, seed: int | None = 0,
    ) -> tuple[Keypoints, CorruptionReport]:
        """Like :meth:`to_keypoints` and also return what the corruption did."""
        clean = self.project(camera)
        rng = np.random.default_rng(None if seed is None else seed + 7919)
        conf = np.array(clean.confidence)
        conf *= rng.uniform(0.88, 1.0, size=conf.shape)
        hidden = None
        if camera.view.startswith("side"):
            hidden = "left" if camera.view == "side-right" else "right"
            cols = [clean.index(m) for m in clean.markers if m.startswith(hidden)]
            conf[:, cols] *= 0.8
        clean = clean.replace(confidence=conf)
        return corrupt_keypoints(clean, noise_px=noise_px, dropout=dropout,
                                 swap_rate_hz=swap_rate_hz,
                                 foot_swap_fraction=foot_swap_fraction,
                                 merge_fraction=merge_fraction, snap_fraction=snap_fraction,
                                 foot_glitch_fraction=foot_glitch_fraction, hidden_leg=hidden,
                                 seed=seed)

    def to_keypoints(
        self, camera: Camera, *, noise_px: float = 1.5, dropout: float = 0.0,
        swap_rate_hz: float = 0.0, foot_swap_fraction: float = 0.5,
        merge_fraction: float = 0.0, snap_fraction: float = 0.0,
        foot_glitch_fraction: float = 0.0, seed: int | None = 0,
    ) -> Keypoints:
        """Keypoints as a pose estimator would give them: projected, noisy, with failures.

        Parameters
        ----------
        camera : Camera
            The camera that films the runner.
        noise_px : float
            Gaussian pixel noise (standard deviation per coordinate).
        dropout : float
            Fraction of frames with no detection (bursts of 1–6 frames).
        swap_rate_hz : float
            Left/right label swaps per second (see :mod:`kneetrack.synthetic.corrupt`).
        foot_swap_fraction : float
            Fraction of swaps that exchange only the feet.
        merge_fraction, snap_fraction : float
            Fractions of frames in which the hidden leg (side views; either leg
            otherwise) is drawn on the other leg, or on a still object nearby.
        foot_glitch_fraction : float
            Fraction of frames with implausible heel/toe points.
        seed : int or None
            Seed of the noise and failures.
        """
        return self.to_keypoints_with_report(
            camera, noise_px=noise_px, dropout=dropout, swap_rate_hz=swap_rate_hz,
            foot_swap_fraction=foot_swap_fraction, merge_fraction=merge_fraction,
            snap_fraction=snap_fraction, foot_glitch_fraction=foot_glitch_fraction,
            seed=seed)[0]

    def truth(self, camera: Camera, *, samples_per_stance: int = 120) -> dict[str, Any]:
        """Reference values shaped like the ``analysis.json`` stances list.

        Events are the model's exact instants; angles are measured on the
        noise-free projection through ``camera`` with the DESIGN.md definitions
        (:mod:`kneetrack.synthetic.angles2d`): frontal peaks over the stance
        (``samples_per_stance`` instants), side-view values at the contact instant.
        A metric the view cannot measure is ``None``. ``in_view`` says whether
        the hips and the stance leg stay inside the image for the whole stance
        (overground runners enter and leave the frame).
        """
        view = camera.view
        frontal = view in _FRONTAL
        thresholds = _load_truth_thresholds()["foot_strike_deg"]
        fwd = self._forward_sign(camera)
        stances: list[dict[str, Any]] = []
        metric_keys = ("fppa_peak_deg", "hip_adduction_peak_deg", "pelvic_drop_peak_deg",
                       "crossover", "foot_strike_angle_deg", "foot_strike",
                       "shank_angle_ic_deg", "knee_flexion_ic_deg")
        for leg in LEGS:
            other = "right" if leg == "left" else "left"
            st = self._model.stances[leg]
            ics, tos = self.contacts_s[leg], self.toe_offs_s[leg]
            n = ics.size
            if n == 0:
                continue
            ks = np.searchsorted(st.contact_s, ics - 1e-9)
            per: dict[str, np.ndarray] = {}
            # a stance counts as filmed when the hips and this leg stay inside the image
            frac = np.linspace(0.0, 1.0, 12)
            uv = self._project_at(camera, (ics[:, None] + (tos - ics)[:, None] * frac).ravel())
            w, h = camera.image_size
            inside = np.ones(n * frac.size, dtype=bool)
            for mk in ("left_hip", "right_hip", f"{leg}_knee", f"{leg}_ankle", f"{leg}_heel",
                       f"{leg}_toe"):
                u = uv[mk]
                inside &= (u[:, 0] >= 0) & (u[:, 0] < w) & (u[:, 1] >= 0) & (u[:, 1] < h)
            in_view = inside.reshape(n, frac.size).all(axis=1)
            if frontal:
                # every stance sampled at once: (stances, samples) instants
                frac = np.linspace(0.0, 1.0, samples_per_stance)
                tt = ics[:, None] + (tos - ics)[:, None] * frac[None, :]
                uv = self._project_at(camera, tt.ravel())
                uv = {m: a.reshape(n, samples_per_stance, 2) for m, a in uv.items()}
                hip, oh = uv[f"{leg}_hip"], uv[f"{other}_hip"]
                per["fppa_peak_deg"] = np.max(angles2d.fppa_deg(
                    hip, uv[f"{leg}_knee"], uv[f"{leg}_ankle"], oh), axis=1)
                per["hip_adduction_peak_deg"] = np.max(angles2d.hip_adduction_deg(
                    hip, uv[f"{leg}_knee"], oh), axis=1)
                per["pelvic_drop_peak_deg"] = np.max(angles2d.pelvic_drop_deg(hip, oh), axis=1)
                # crossover: at contact the ankle is on or across the midline between the hips
                mid_x = 0.5 * (hip[:, 0, 0] + oh[:, 0, 0])
                side = np.sign(hip[:, 0, 0] - oh[:, 0, 0])
                per["ankle_lateral_offset_px"] = side * (uv[f"{leg}_ankle"][:, 0, 0] - mid_x)
            else:
                uv = self._project_at(camera, ics)
                # the foot is flat at 40 % of stance: the reference for the strike class
                uvf = self._project_at(camera, ics + 0.4 * (tos - ics))
                per["foot_strike_angle_deg"] = angles2d.foot_angle_deg(
                    uv[f"{leg}_heel"], uv[f"{leg}_toe"], forward_sign=fwd)
                per["foot_angle_flat_deg"] = angles2d.foot_angle_deg(
                    uvf[f"{leg}_heel"], uvf[f"{leg}_toe"], forward_sign=fwd)
                per["shank_angle_ic_deg"] = angles2d.segment_to_vertical_deg(
                    uv[f"{leg}_knee"], uv[f"{leg}_ankle"], forward_sign=fwd)
                per["knee_flexion_ic_deg"] = angles2d.knee_flexion_deg(
                    uv[f"{leg}_hip"], uv[f"{leg}_knee"], uv[f"{leg}_ankle"], forward_sign=fwd)
            for i in range(n):
                entry: dict[str, Any] = {"leg": leg, "contact_s": float(ics[i]),
                                         "toe_off_s": float(tos[i])}
                entry.update(dict.fromkeys(metric_keys))
                for key, arr in per.items():
                    entry[key] = float(arr[i])
                entry["in_view"] = bool(in_view[i])
                if frontal:
                    entry["crossover"] = bool(per["ankle_lateral_offset_px"][i] <= 0.0)
                else:
                    rel = entry["foot_strike_angle_deg"] - entry["foot_angle_flat_deg"]
                    entry["foot_pitch_ic_rel_flat_deg"] = rel
                    if rel > thresholds["rearfoot_above"]:
                        entry["foot_strike"] = "rearfoot"
                    elif rel < thresholds["forefoot_below"]:
                        entry["foot_strike"] = "forefoot"
                    else:
                        entry["foot_strike"] = "midfoot"
                    near = "right" if view == "side-right" else "left"
                    entry["visible_leg_near_camera"] = leg == near
                entry["model"] = {name: (None if np.isnan(arr[ks[i]]) else float(arr[ks[i]]))
                                  for name, arr in st.values.items()}
                stances.append(entry)
        stances.sort(key=lambda e: e["contact_s"])
        all_ic = np.sort(np.concatenate([self._model.stances[leg].contact_s for leg in LEGS]))
        in_clip = all_ic[(all_ic >= self.time_s[0]) & (all_ic <= self.time_s[-1])]
        cadence = (60.0 * (in_clip.size - 1) / (in_clip[-1] - in_clip[0])
                   if in_clip.size >= 2 else None)
        return {
            "case": {
                "name": f"synthetic_runner_{view}",
                "view": view,
                "fps": self.fps,
                "duration_s": self.duration_s,
                "frames": int(self.time_s.size),
                "image": list(camera.image_size),
                "focal_px": camera.focal_px,
                "cam_distance_m": camera.distance_m,
                "cam_height_m": camera.height_m,
                "seed": self.seed,
                "params": self.params.to_dict(),
                "tags": ["synthetic", "frontal" if frontal else "sagittal"],
            },
            "cadence_spm": cadence,
            "contacts": {leg: [float(x) for x in in_clip_leg]
                         for leg, in_clip_leg in self._contacts_in_clip().items()},
            "toe_offs": {leg: [float(x) for x in self._toe_offs_in_clip()[leg]] for leg in LEGS},
            "stances": stances,
            "thresholds": {"foot_strike_deg": thresholds},
        }

    # -- internals
    def _contacts_in_clip(self) -> dict[str, np.ndarray]:
        out = {}
        for leg in LEGS:
            c = self._model.stances[leg].contact_s
            out[leg] = c[(c >= self.time_s[0]) & (c <= self.time_s[-1])]
        return out

    def _toe_offs_in_clip(self) -> dict[str, np.ndarray]:
        out = {}
        for leg in LEGS:
            c = self._model.stances[leg].toe_off_s
            out[leg] = c[(c >= self.time_s[0]) & (c <= self.time_s[-1])]
        return out

    def _project_at(self, camera: Camera, t: np.ndarray) -> dict[str, np.ndarray]:
        return {m: camera.project(xyz) for m, xyz in self.positions_at(t).items()}

    def _forward_sign(self, camera: Camera) -> float:
        mid = 0.5 * (self.positions["left_hip"][0] + self.positions["right_hip"][0])
        uv = camera.project(np.stack([mid, mid + np.array([0.1, 0.0, 0.0])]))
        return 1.0 if uv[1, 0] > uv[0, 0] else -1.0


def frame_times(duration_s: float, fps: float, *, jitter_ms: float = 0.0,
                seed: int | None = 0) -> np.ndarray:
    """Frame times of a clip, optionally with variable-frame-rate jitter (phones).

    Each time moves by a Gaussian amount of standard deviation ``jitter_ms``
    (capped at 40 % of a frame, so times stay strictly increasing); the first
    frame stays at 0.
    """
    n = int(round(duration_s * fps))
    if n < 2:
        raise SettingsError(f"a clip of {duration_s} s at {fps} fps has fewer than 2 frames")
    t = np.arange(n) / fps
    if jitter_ms > 0:
        rng = np.random.default_rng(None if seed is None else seed + 104729)
        cap = 0.4 / fps
        t = t + np.clip(rng.normal(0.0, jitter_ms / 1000.0, size=n), -cap, cap)
        t -= t[0]
    return t


def simulate_runner(params: RunnerParams | None = None, *, duration_s: float = 10.0,
                    fps: float = 60.0, seed: int | None = 0,
                    frame_jitter_ms: float = 0.0) -> Motion3D:
    """Simulate a runner for ``duration_s`` seconds sampled at ``fps``.

    Parameters
    ----------
    params : RunnerParams, optional
        The runner (defaults: a symmetric, mildly valgus treadmill runner at 170 spm).
    duration_s : float
        Clip length, seconds (0.5–3600).
    fps : float
        Frame rate, 24–240.
    seed : int or None
        Seed for the step-to-step variability and the start phase.
    frame_jitter_ms : float
        Standard deviation of variable-frame-rate jitter of the frame times.

    Returns
    -------
    Motion3D
    """
    params = params or RunnerParams()
    if not (24.0 <= fps <= 240.0):
        raise SettingsError(f"fps must be between 24 and 240, got {fps}")
    if not (0.5 <= duration_s <= 3600.0):
        raise SettingsError(f"duration_s must be between 0.5 and 3600, got {duration_s}")
    if frame_jitter_ms < 0:
        raise SettingsError(f"frame_jitter_ms must be >= 0, got {frame_jitter_ms}")
    params.validate()
    rng = np.random.default_rng(seed)
    model = _RunnerModel(params, duration_s, rng)
    t = frame_times(duration_s, fps, jitter_ms=frame_jitter_ms, seed=seed)
    positions = model.positions(t)
    contacts, toe_offs = {}, {}
    for leg in LEGS:
        st = model.stances[leg]
        keep = (st.contact_s >= t[0]) & (st.toe_off_s <= t[-1])
        contacts[leg] = st.contact_s[keep].copy()
        toe_offs[leg] = st.toe_off_s[keep].copy()
    return Motion3D(params=params, time_s=t, fps=float(fps), positions=positions,
                    contacts_s=contacts, toe_offs_s=toe_offs, seed=seed, _model=model)


def with_leg(params: RunnerParams, leg: str, **changes: Any) -> RunnerParams:
    """Return ``params`` with fields of one leg changed."""
    new_leg = replace(params.leg(leg), **changes)
    if leg == "left":
        return replace(params, left=new_leg)
    if leg == "right":
        return replace(params, right=new_leg)
    raise SettingsError(f"leg must be 'left' or 'right', got {leg!r}")


def synthetic_clip(view: str = "front", *, duration_s: float = 10.0, fps: float = 60.0,
                   noise_px: float = 1.5, dropout: float = 0.0, swap_rate_hz: float = 0.0,
                   seed: int = 0, camera: Camera | None = None,
                   **params: Any) -> tuple[Keypoints, dict[str, Any]]:
    """One-liner for tests: keypoints of a synthetic runner and their truth.

    ``params`` are :meth:`RunnerParams.make` keywords (numbers or ``(left, right)``
    pairs). The camera defaults to ``Camera(view)``.

    Examples
    --------
    >>> kp, truth = synthetic_clip("side-right", duration_s=3.0, foot_angle_ic_deg=-6.0)
    >>> {s["foot_strike"] for s in truth["stances"]}
    {'forefoot'}
    """
    cam = camera or Camera(view)
    motion = simulate_runner(RunnerParams.make(**params), duration_s=duration_s, fps=fps,
                             seed=seed)
    kp = motion.to_keypoints(cam, noise_px=noise_px, dropout=dropout,
                             swap_rate_hz=swap_rate_hz, seed=seed + 1)
    return kp, motion.truth(cam)
