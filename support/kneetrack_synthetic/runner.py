"""A synthetic runner with known truth: 3D legs, pelvis and trunk, seen by a camera.

The model runs on a treadmill (pelvis near the world origin, the stance foot
carried backwards at belt speed) or overground (the pelvis advances along +x
and crosses the camera's field). World frame: metres, x = forward, y = the
runner's left, z = up (see :mod:`kneetrack_synthetic.camera`).

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
projection with :mod:`kneetrack_synthetic.angles2d`, not copied from the
parameters.

Examples
--------
>>> from kneetrack_synthetic.camera import Camera
>>> params = RunnerParams.make(fppa_peak_deg=(12.0, 4.0), cadence_spm=172)
>>> motion = simulate_runner(params, duration_s=4.0, fps=60, seed=1)
>>> kp = motion.to_keypoints(Camera("front"), noise_px=1.5, seed=2)
>>> truth = motion.truth(Camera("front"))
>>> sorted(truth)[:3]
['cadence_spm', 'case', 'contacts']
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import yaml

from kneetrack.errors import SettingsError
from kneetrack.keypoints import Keypoints
from kneetrack_synthetic import angles2d
from kneetrack_synthetic.camera import Camera
from kneetrack_synthetic.corrupt import CorruptionReport, corrupt_keypoints
from kneetrack_synthetic.runner_model import RunnerModel
from kneetrack_synthetic.runner_params import LEGS, LegParams, RunnerParams, with_leg

__all__ = ["LegParams", "Motion3D", "RunnerParams", "frame_times", "simulate_runner",
           "synthetic_clip", "with_leg"]


def _load_truth_thresholds() -> dict[str, Any]:
    text = resources.files("kneetrack_synthetic").joinpath("truth_thresholds.yaml").read_text(
        encoding="utf-8")
    return yaml.safe_load(text)


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
    _model: RunnerModel

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
            Left/right label swaps per second (see :mod:`kneetrack_synthetic.corrupt`).
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
        (:mod:`kneetrack_synthetic.angles2d`): frontal peaks over the stance
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
    model = RunnerModel(params, duration_s, rng)
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
