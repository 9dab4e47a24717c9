"""Continuous-time kinematics of a synthetic runner (see :mod:`kneetrack_synthetic.runner`).

:class:`RunnerModel` schedules the stances, places the feet, moves the pelvis, swings the
legs and evaluates every marker at any instant.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy.interpolate import CubicHermiteSpline, CubicSpline

from kneetrack.errors import SettingsError
from kneetrack_synthetic.runner_params import (
    LEGS,
    SIGN,
    VARIABLE_FIELDS,
    LegParams,
    RunnerParams,
)


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


def _reach(dx: float, knee_flex_deg: float, model: RunnerModel) -> float:
    """Vertical hip-ankle distance for a horizontal offset ``dx`` at a given knee flexion."""
    l1, l2 = model.l1, model.l2
    d = math.sqrt(l1 ** 2 + l2 ** 2 + 2 * l1 * l2 * math.cos(math.radians(knee_flex_deg)))
    return math.sqrt(max(d ** 2 - dx ** 2, 1e-4))


# ----------------------------------------------------------------------------- the model
@dataclass(frozen=True)
class Stances:
    """The stances of one leg, in time order, with their per-stance parameters."""

    contact_s: np.ndarray
    toe_off_s: np.ndarray
    values: dict[str, np.ndarray]


class RunnerModel:
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
        self.stances: dict[str, Stances] = {}
        for leg in LEGS:
            idx = np.array([i for i in range(n_steps) if legs[i] == leg])
            ic = contacts[idx]
            base = asdict(p.leg(leg))
            frac = np.clip(ic / self.duration_s, 0.0, 1.0)
            values = {}
            for name, value in base.items():
                v = (np.nan if value is None else value) + p.drift.get(name, 0.0) * frac
                if name in VARIABLE_FIELDS and p.stance_sd_deg > 0:
                    v = v + p.stance_sd_deg * rng.standard_normal(len(ic))
                values[name] = np.asarray(v, dtype=float) * np.ones(len(ic))
            # drift and step-to-step variability must keep every stance runnable
            for extreme in (np.min, np.max):
                ends: dict[str, Any] = {k: None if np.isnan(v).all() else float(extreme(v))
                                        for k, v in values.items()}
                LegParams(**ends).validate(f"{leg} (with drift and variability)")
            self.stances[leg] = Stances(ic, ic + stance[idx], values)
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
        hips = {leg: np.column_stack([np.zeros(n), np.full(n, SIGN[leg] * w / 2), z_p])
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
            sg = SIGN[leg]
            other = "right" if leg == "left" else "left"
            hips[leg][idx, 1] = sg * hip_l
            hips[leg][idx, 2] = hip_z
            hips[other][idx, 1] = sg * (hip_l - w * np.cos(dr))
            hips[other][idx, 2] = hip_z - w * np.sin(dr)
            stance_parts[leg] = {"idx": idx, "foot": foot, "knee": knee_xz, "ankle": ankle_xz,
                                 "knee_y": sg * knee_l, "foot_y": sg * foot_l}
        # 2. every leg: swing by path + IK; stance from part 1.
        for leg in LEGS:
            sg = SIGN[leg]
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
            out[f"{leg}_shoulder"] = sh_c + np.array([0.0, SIGN[leg] * p.shoulder_width_m / 2,
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
                    [np.sin(fore), -SIGN[leg] * 0.25 * np.ones(n), -np.cos(fore)])
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
