"""What a synthetic runner is: per-leg and whole-body parameters, validated.

See :mod:`kneetrack_synthetic.runner` for how the body moves and how to simulate one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import numpy as np

from kneetrack.errors import SettingsError

LEGS = ("left", "right")
SIGN = {"left": 1.0, "right": -1.0}     # world y side of each leg

#: Per-stance angle fields that take step-to-step variability.
VARIABLE_FIELDS = ("fppa_peak_deg", "hip_adduction_peak_deg", "pelvic_drop_peak_deg",
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


def with_leg(params: RunnerParams, leg: str, **changes: Any) -> RunnerParams:
    """Return ``params`` with fields of one leg changed."""
    new_leg = replace(params.leg(leg), **changes)
    if leg == "left":
        return replace(params, left=new_leg)
    if leg == "right":
        return replace(params, right=new_leg)
    raise SettingsError(f"leg must be 'left' or 'right', got {leg!r}")
