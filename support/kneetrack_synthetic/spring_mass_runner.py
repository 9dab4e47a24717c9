"""An independent synthetic treadmill runner for validating gait events.

:mod:`kneetrack_synthetic.runner` shapes its pelvis path and late swing on the
real ``mocap2d`` runners, the same runners the event detector was first tuned
on; a test on it would only repeat them. This runner takes its timing and
body motion from published relations instead:

* **Cadence** from speed: ``cadence = 142 + 8 v`` steps/min (step frequency
  rises roughly linearly with speed below ~6 m/s; Cavanagh & Kram 1989,
  Dorn et al. 2012).
* **Contact time** ``Tc = 0.50 v^-0.55`` s (0.34 s at 2 m/s, 0.21 s at 5 m/s:
  the range reported by Nilsson & Thorstensson 1989 and Hunter et al. 2004).
* **Pelvis**: the upper mass of the two-mass model of running forces (Clark,
  Ryan & Weyand 2017, J Exp Biol 220:247), driven by the active force only
  (the impact decelerates the lower limb): a half-sine skewed to peak at 45 %
  of stance (active peaks come a little before mid-stance); each step's
  impulse equals body weight × step time; ballistic in flight. This is
  deliberately not the symmetric sine force (Morin et al. 2005) that the
  event detector's pelvis cue assumes, so the runner tests that assumption
  instead of repeating it.
* **Foot**: the heel lands ``0.55 v Tc - 0.12`` m ahead of the hip (slightly ahead of the
  symmetric spring-mass landing), is carried back at belt speed, rolls flat
  within 15 % of stance (rearfoot: about the heel; forefoot: about the toes),
  rises onto the toes from 60 % of stance. Swing: a cubic Hermite ankle path
  that leaves at belt speed, lands moving back at 30 % of belt speed (swing-leg
  retraction, Seyfarth et al. 2003) and down at 0.6 m/s.
* **Knee** by two-link inverse kinematics (knee forward); legs lateral at
  ± half the hip width; no frontal-plane deviations (0° truth for them).

Events are exact model instants.

:class:`PendulumWalker` walks on the same treadmill with the same feet: timing
from published walking relations and a vaulting pelvis (highest at mid-stance),
for the gate's walking-vs-running decision.

Examples
--------
>>> run = SpringMassRunner(speed_ms=3.0).simulate(4.0)
>>> sorted(run.points)[:3]
['left_ankle', 'left_heel', 'left_hip']
>>> 150 < run.cadence_spm < 200
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.interpolate import CubicHermiteSpline

G = 9.81
#: exponent that moves the half-sine's peak to 45 % of stance: 0.5 ** (1 / _SKEW) = 0.45
_SKEW = math.log(0.5) / math.log(0.45)
LEGS = ("left", "right")


def cadence_spm(speed_ms: float) -> float:
    """Steps per minute at ``speed_ms`` (see module notes)."""
    return 142.0 + 8.0 * speed_ms


def contact_time_s(speed_ms: float) -> float:
    """Ground contact time at ``speed_ms`` (see module notes)."""
    return 0.50 * speed_ms ** -0.55


@dataclass
class SpringMassRun:
    """A simulated run: points (m, world frame of the camera module) at ``time_s``.

    Attributes
    ----------
    time_s : ndarray
        Sample times (600 Hz).
    points : dict of str to ndarray
        ``(n, 3)`` per canonical point (hips, knees, ankles, heels, toes).
    events : list of dict
        ``{"leg", "contact_s", "toe_off_s"}`` in time order.
    cadence_spm, contact_time_s : float
        The timing used.
    """

    time_s: np.ndarray
    points: dict[str, np.ndarray]
    events: list[dict[str, Any]]
    cadence_spm: float
    contact_time_s: float


class SpringMassRunner:
    """Parameters of an independent synthetic runner (see module notes).

    Parameters
    ----------
    speed_ms : float
        Belt speed, 1.5–7 m/s.
    foot_strike : str
        ``rearfoot`` (lands on the heel, toes 15° up) or ``forefoot`` (lands
        on the toes, heel 8° up).
    leg_length_m : float
        Hip to ankle with the knee straight (thigh 52 %, shank 48 %).
    hip_width_m : float
        Distance between the hip joint centres.
    step_time_cv : float
        Step-to-step variability of step and contact times.
    seed : int
        Seed of that variability and the start phase.
    """

    def __init__(self, *, speed_ms: float = 3.0, foot_strike: str = "rearfoot",
                 leg_length_m: float = 0.92, hip_width_m: float = 0.17,
                 step_time_cv: float = 0.015, seed: int = 0) -> None:
        if not 1.5 <= speed_ms <= 7.0:
            raise ValueError(f"speed_ms must be between 1.5 and 7, got {speed_ms}")
        if foot_strike not in ("rearfoot", "forefoot"):
            raise ValueError(f"foot_strike must be rearfoot or forefoot, got {foot_strike!r}")
        self.speed_ms = speed_ms
        self.foot_strike = foot_strike
        self.leg_length_m = leg_length_m
        self.hip_width_m = hip_width_m
        self.step_time_cv = step_time_cv
        self.seed = seed

    # ------------------------------------------------------------------ simulate
    def simulate(self, duration_s: float, *, rate_hz: float = 600.0) -> SpringMassRun:
        """Simulate ``duration_s`` seconds sampled at ``rate_hz``."""
        rng = np.random.default_rng(self.seed)
        v = self.speed_ms
        step = 60.0 / cadence_spm(v)
        tc_mean = min(contact_time_s(v), 0.9 * step)
        n_steps = int(duration_s / step) + 6
        steps = step * (1 + self.step_time_cv * rng.standard_normal(n_steps))
        t_ic = -2 * step + rng.uniform(0, step) + np.concatenate([[0], np.cumsum(steps[:-1])])
        tcs = np.minimum(tc_mean * (1 + self.step_time_cv * rng.standard_normal(n_steps)),
                         0.92 * steps)
        legs = [LEGS[i % 2] for i in range(n_steps)]
        t = np.arange(0.0, duration_s, 1.0 / rate_hz)
        # hip height at contact: the stance leg reaches the landing and take-off ankle
        # positions with the knee at most at 97 % of full extension
        ends = np.array([0.0, tc_mean])
        _h, _o, a_end = self._stance_foot(ends, tc_mean, self._x_land(tc_mean))
        reach = 0.97 * self.leg_length_m
        z0 = float(np.min(a_end[:, 1] + np.sqrt(np.maximum(reach ** 2 - a_end[:, 0] ** 2,
                                                           0.0))))
        z_hip = self._pelvis(t, t_ic, tcs, steps, z0)
        # the hip is not at the same height at contact and toe-off (asymmetric force):
        # lower it so the leg reaches the ground at both ends of every stance
        excess = 0.0
        for k in range(len(t_ic)):
            _h, _o, a = self._stance_foot(np.array([0.0, tcs[k]]), tcs[k], self._x_land(tcs[k]))
            zk = np.interp(t_ic[k] + np.array([0.0, tcs[k]]), t, z_hip)
            r = np.hypot(a[:, 0], zk - a[:, 1])
            excess = max(excess, float(np.max(r - reach)))
        if excess > 0:
            z_hip = z_hip - excess
        feet = {}
        for leg in ("left", "right"):
            ks = [i for i in range(n_steps) if legs[i] == leg]
            feet[leg] = self._foot(t, t_ic[ks], tcs[ks], z_hip)
        return self._assemble(t, feet, z_hip, legs, t_ic, tcs, duration_s,
                              cadence=cadence_spm(v), tc_mean=tc_mean)

    def _assemble(self, t: np.ndarray, feet: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
                  z_hip: np.ndarray, legs: Any, t_ic: np.ndarray, tcs: np.ndarray,
                  duration_s: float, *, cadence: float, tc_mean: float) -> SpringMassRun:
        """3D points of both legs (hips, knees from two-segment IK, feet) and the true events."""
        pts: dict[str, np.ndarray] = {}
        for leg, side in (("left", 1.0), ("right", -1.0)):
            heel, toe, ankle = feet[leg]
            y = side * self.hip_width_m / 2
            hip = np.column_stack([np.zeros_like(t), np.full_like(t, y), z_hip])
            knee = _knee(hip[:, [0, 2]], ankle, 0.52 * self.leg_length_m,
                         0.48 * self.leg_length_m)
            for name, xz in (("heel", heel), ("toe", toe), ("ankle", ankle), ("knee", knee)):
                pts[f"{leg}_{name}"] = np.column_stack([xz[:, 0], np.full_like(t, y), xz[:, 1]])
            pts[f"{leg}_hip"] = hip
        events = [{"leg": legs[i], "contact_s": float(t_ic[i]),
                   "toe_off_s": float(t_ic[i] + tcs[i])}
                  for i in range(len(t_ic)) if t_ic[i] > 0 and t_ic[i] + tcs[i] < duration_s]
        return SpringMassRun(t, pts, events, cadence, tc_mean)

    def _swing_top_m(self) -> float:
        """Height of the ankle at the top of the swing (m)."""
        return max(0.30, 0.1 + 0.08 * self.speed_ms)

    def _x_land(self, tc: float | np.ndarray) -> Any:
        """Heel landing point ahead of the hip (m), a little past half the contact length."""
        return 0.55 * self.speed_ms * tc - 0.12

    def _pelvis(self, t: np.ndarray, t_ic: np.ndarray, tcs: np.ndarray,
                steps: np.ndarray, z0: float) -> np.ndarray:
        """Mid-hip height from the upper mass of a two-mass runner (Clark et al. 2017).

        In the two-mass model the impact force decelerates the lower limb; the
        upper body (and the pelvis) is driven by the active force alone. Here it
        is a half-sine skewed to peak at 45 % of stance, scaled so each step's
        vertical impulse equals weight × step time. Height = double integral of
        ``F/m - g`` (ballistic in flight), periodic, shifted so the mean height
        at contact is ``z0``. Deliberately *not* the symmetric sine force the
        event detector's pelvis cue assumes.
        """
        dt = float(t[1] - t[0])
        tt = np.arange(t_ic[0] - 1.0, t[-1] + 1.0, dt)
        force = np.zeros(tt.size)                # F / (m g)
        for i in range(len(t_ic)):
            ins = (tt >= t_ic[i]) & (tt < t_ic[i] + tcs[i])
            s = (tt[ins] - t_ic[i]) / tcs[i]
            # the active force, skewed to peak at 45 % of stance
            shape = np.sin(math.pi * s ** _SKEW)
            area = float(np.sum(shape) * dt)
            force[ins] = shape * steps[i] / area if area > 0 else 0.0
        acc = G * (force - 1.0)
        acc[(tt < t_ic[0]) | (tt >= t_ic[-1] + tcs[-1])] = 0.0
        v = np.cumsum(acc) * dt
        v -= np.mean(v[(tt >= t_ic[0]) & (tt < t_ic[-1])])
        z = np.cumsum(v) * dt
        inside = (tt >= t_ic[0]) & (tt < t_ic[-1])
        trend = np.polyfit(tt[inside], z[inside], 1)
        z -= np.polyval(trend, tt)
        z_ic = np.interp(t_ic[1:-1], tt, z)
        return np.interp(t, tt, z) - float(np.mean(z_ic)) + z0

    def _stance_foot(self, tt: np.ndarray, tc: float, x_land: float
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Heel, toe and ankle (x, z) during one stance; ``tt`` from contact."""
        foot, h = 0.20, 0.025                    # heel–toe markers, marker height
        a_loc = np.array([0.05, 0.08])           # ankle in the flat-foot frame (heel origin)
        s = np.clip(tt / tc, 0.0, 1.0)
        rear = self.foot_strike == "rearfoot"
        p_ic = math.radians(15.0 if rear else -8.0)
        u = np.clip(s / 0.15, 0.0, 1.0)
        w = np.clip((s - 0.6) / 0.4, 0.0, 1.0)
        pitch = np.where(s < 0.15, p_ic * (1 - 3 * u ** 2 + 2 * u ** 3),
                         -math.radians(35.0) * w ** 2)
        pivot_toe = (s >= 0.6) | ((s < 0.15) & (not rear))
        ground = x_land - self.speed_ms * tt      # belt-carried ground point of the heel
        c, si = np.cos(pitch), np.sin(pitch)

        def place(local: np.ndarray) -> np.ndarray:
            # rotate about the pivot (heel ground point or toe ground point)
            piv = np.where(pivot_toe[:, None], np.array([foot, 0.0]), np.array([0.0, 0.0]))
            d = local - piv
            rx = c * d[..., 0] - si * d[..., 1]
            rz = si * d[..., 0] + c * d[..., 1]
            return np.column_stack([ground + piv[:, 0] + rx, piv[:, 1] + rz])
        heel = place(np.broadcast_to(np.array([0.0, h]), (tt.size, 2)))
        toe = place(np.broadcast_to(np.array([foot, h]), (tt.size, 2)))
        ankle = place(np.broadcast_to(a_loc, (tt.size, 2)))
        return heel, toe, ankle

    def _foot(self, t: np.ndarray, t_ic: np.ndarray, tcs: np.ndarray, z_hip: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Heel, toe, ankle (x, z) of one leg over the whole run."""
        v = self.speed_ms
        heel = np.full((t.size, 2), np.nan)
        toe = heel.copy()
        ankle = heel.copy()
        x_land = self._x_land(tcs)
        eps = 1e-4
        knots_t: list[float] = []
        knots_p: list[np.ndarray] = []
        knots_v: list[np.ndarray] = []
        pitch_k: list[tuple[float, float, float, float]] = []
        for k in range(len(t_ic)):
            ins = (t >= t_ic[k]) & (t <= t_ic[k] + tcs[k])
            h, o, a = self._stance_foot(t[ins] - t_ic[k], tcs[k], x_land[k])
            heel[ins], toe[ins], ankle[ins] = h, o, a
            ends = np.array([0.0, eps, tcs[k] - eps, tcs[k]])
            _h, _o, ae = self._stance_foot(ends, tcs[k], x_land[k])
            if k > 0:   # landing
                knots_t.append(t_ic[k])
                knots_p.append(ae[0])
                knots_v.append(np.array([-0.3 * v, -0.6]))
            if k + 1 < len(t_ic):   # take-off and the top of the swing
                t_to = t_ic[k] + tcs[k]
                sw = t_ic[k + 1] - t_to
                knots_t += [t_to, t_to + 0.4 * sw]
                knots_p += [ae[3], np.array([ae[3][0] + 0.15, self._swing_top_m()])]
                knots_v += [(ae[3] - ae[2]) / eps, np.array([(x_land[k + 1] - ae[3][0]) / sw,
                                                            0.0])]
                pitch_k.append((t_to, t_ic[k + 1], -math.radians(35.0),
                                math.radians(15.0 if self.foot_strike == "rearfoot" else -8.0)))
        spline = CubicHermiteSpline(np.array(knots_t), np.array(knots_p), np.array(knots_v),
                                    axis=0)
        swing = np.isnan(ankle[:, 0]) & (t >= knots_t[0]) & (t <= knots_t[-1])
        ankle[swing] = spline(t[swing])
        # swing foot pitch: from the toe-off pitch to the landing pitch
        pitch = np.zeros(t.size)
        for t0, t1, p0, p1 in pitch_k:
            m = (t > t0) & (t < t1)
            u = (t[m] - t0) / (t1 - t0)
            pitch[m] = p0 + (p1 - p0) * (3 * u ** 2 - 2 * u ** 3)
        c, s = np.cos(pitch[swing]), np.sin(pitch[swing])
        for out, loc in ((heel, np.array([-0.05, -0.055])), (toe, np.array([0.15, -0.055]))):
            out[swing] = ankle[swing] + np.column_stack([c * loc[0] - s * loc[1],
                                                         s * loc[0] + c * loc[1]])
        for arr in (heel, toe, ankle):   # before the first / after the last knot: hold
            bad = np.isnan(arr[:, 0])
            if bad.any() and (~bad).any():
                idx = np.flatnonzero(~bad)
                arr[bad] = arr[idx[np.clip(np.searchsorted(idx, np.flatnonzero(bad)), 0,
                                           idx.size - 1)]]
        return heel, toe, ankle


def _knee(hip: np.ndarray, ankle: np.ndarray, l1: float, l2: float) -> np.ndarray:
    """Knee (x, z) by two-link inverse kinematics, knee forward of the hip–ankle line."""
    d = ankle - hip
    r = np.clip(np.hypot(d[:, 0], d[:, 1]), abs(l1 - l2) + 1e-6, l1 + l2 - 1e-6)
    a = (l1 ** 2 - l2 ** 2 + r ** 2) / (2 * r)
    hgt = np.sqrt(np.maximum(l1 ** 2 - a ** 2, 0.0))
    e = d / np.hypot(d[:, 0], d[:, 1])[:, None]
    perp = np.column_stack([-e[:, 1], e[:, 0]])          # +90°: forward for a downward leg
    perp = np.where((perp[:, 0] < 0)[:, None], -perp, perp)
    return hip + a[:, None] * e + hgt[:, None] * perp


def walking_cadence_spm(speed_ms: float) -> float:
    """Walking steps per minute at ``speed_ms``: ``94 v^0.45`` (95 at 1 m/s, 109 at 1.4 m/s).

    A power law through the adult walking cadences reported by Tudor-Locke et
    al. (2019, Int J Behav Nutr Phys Act 16:8; ~100 steps/min at a moderate and
    ~110-120 at a brisk pace) and Grieve & Gear (1966, Ergonomics 9:379).
    """
    return 94.0 * speed_ms ** 0.45


class PendulumWalker(SpringMassRunner):
    """An independent synthetic treadmill walker (no flight, double support).

    Timing: cadence from :func:`walking_cadence_spm`; each foot is on the
    ground for ``duty_factor`` of its stride (0.62: stance 62 % of the gait
    cycle, Perry & Burnfield 2010, Gait Analysis, 2nd ed.), so both feet are
    down for about 12 % of each stride twice. Pelvis: the compass gait of an
    inverted pendulum (Cavagna et al. 1977; Kuo 2007): the hip is carried at
    0.97 leg lengths from the lower of the stance ankles, highest at
    mid-stance, lowest in double support. The feet are the runner's (heel
    strike, roll-over, toe-off) with a 0.14 m swing and a landing 0.45 stance
    lengths ahead of the hip. None of this comes from the runners the event
    detector was fitted on.

    Parameters
    ----------
    speed_ms : float
        Belt speed, 0.6–2.2 m/s.
    duty_factor : float
        Stance time over stride time, 0.55–0.7.
    leg_length_m, hip_width_m, step_time_cv, seed
        As :class:`SpringMassRunner`.

    Examples
    --------
    >>> walk = PendulumWalker(speed_ms=1.4).simulate(4.0)
    >>> 100 < walk.cadence_spm < 120
    True
    """

    def __init__(self, *, speed_ms: float = 1.4, duty_factor: float = 0.62,
                 leg_length_m: float = 0.92, hip_width_m: float = 0.17,
                 step_time_cv: float = 0.015, seed: int = 0) -> None:
        if not 0.6 <= speed_ms <= 2.2:
            raise ValueError(f"walking speed_ms must be between 0.6 and 2.2, got {speed_ms}")
        if not 0.55 <= duty_factor <= 0.7:
            raise ValueError(f"duty_factor must be between 0.55 and 0.7, got {duty_factor}")
        super().__init__(speed_ms=2.0, foot_strike="rearfoot", leg_length_m=leg_length_m,
                         hip_width_m=hip_width_m, step_time_cv=step_time_cv, seed=seed)
        self.speed_ms = speed_ms
        self.duty_factor = duty_factor

    def _swing_top_m(self) -> float:
        return 0.14

    def _x_land(self, tc: float | np.ndarray) -> Any:
        return 0.45 * self.speed_ms * tc

    def simulate(self, duration_s: float, *, rate_hz: float = 600.0) -> SpringMassRun:
        """Simulate ``duration_s`` seconds sampled at ``rate_hz``."""
        rng = np.random.default_rng(self.seed)
        v = self.speed_ms
        step = 60.0 / walking_cadence_spm(v)
        tc_mean = 2.0 * step * self.duty_factor
        n_steps = int(duration_s / step) + 6
        steps = step * (1 + self.step_time_cv * rng.standard_normal(n_steps))
        t_ic = -2 * step + rng.uniform(0, step) + np.concatenate([[0], np.cumsum(steps[:-1])])
        tcs = tc_mean * (1 + self.step_time_cv * rng.standard_normal(n_steps))
        legs = [LEGS[i % 2] for i in range(n_steps)]
        t = np.arange(0.0, duration_s, 1.0 / rate_hz)
        feet = {}
        height = np.full(t.size, np.inf)
        reach = 0.97 * self.leg_length_m
        for leg in LEGS:
            ks = [i for i in range(n_steps) if legs[i] == leg]
            heel, toe, ankle = self._foot(t, t_ic[ks], tcs[ks], np.zeros(t.size))
            feet[leg] = (heel, toe, ankle)
            down = np.zeros(t.size, bool)
            for k in ks:
                down |= (t >= t_ic[k]) & (t <= t_ic[k] + tcs[k])
            z = ankle[:, 1] + np.sqrt(np.maximum(reach ** 2 - ankle[:, 0] ** 2, 0.0))
            height = np.where(down, np.minimum(height, z), height)
        ok = np.isfinite(height)
        z_hip = np.interp(t, t[ok], height[ok])
        w = max(1, int(0.03 * rate_hz))          # 30 ms: soften the double-support corner
        z_hip = np.convolve(np.pad(z_hip, (w // 2, w - 1 - w // 2), mode="edge"),
                            np.ones(w) / w, mode="valid")
        return self._assemble(t, feet, z_hip, legs, t_ic, tcs, duration_s,
                              cadence=walking_cadence_spm(v), tc_mean=tc_mean)
