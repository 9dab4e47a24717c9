"""Which way the camera looks at the runner: front, rear, side-left or side-right.

Cues (all from the keypoints, medians over the clip so short swaps do not matter):

- **frontal vs side** — horizontal width of the shoulders and hips relative to
  the trunk height (wide in front/rear views, near zero from the side), and
  how horizontal the stance foot's heel→toe line is (lengthwise from the side,
  end-on from the front/rear).
- **front vs rear** — (a) the labelled left hip/shoulder appears on the image's
  right in a front view (left in a rear view); (b) on the stance foot, the
  point nearer the camera is lower in the image: toes below heel from the
  front, heel below toes from behind. (b) does not depend on the pose
  estimator's left/right labels.
- **side-left vs side-right** — the running direction: toes ahead of heels and
  the nose ahead of the shoulders. The runner faces image +x when the camera is
  on the runner's right (``side-right``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kneetrack.core.arrays import FloatArray
from kneetrack.core.views import View
from kneetrack.keypoints import Keypoints
from kneetrack.kinematics.filtering import nanmean_rows


@dataclass
class ViewEstimate:
    """The detected view, its confidence 0..1 and the cue values behind it."""

    view: View | None
    confidence: float
    cues: dict[str, float] = field(default_factory=dict)


def _median(x: FloatArray) -> float:
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


def _get(kp: Keypoints, name: str) -> FloatArray:
    if kp.has(name):
        return kp[name]
    return np.full((kp.n_frames, 2), np.nan)


def _vote(value: float, scale: float) -> float:
    """Map a signed cue to a vote in -1..1 (0 when unknown)."""
    if not np.isfinite(value) or not np.isfinite(scale) or scale <= 0:
        return 0.0
    return float(np.tanh(value / scale))


class ViewDetector:
    """Detect the camera view from keypoints.

    Parameters
    ----------
    frontal_width_ratio : float
        Shoulder+hip width over trunk height above which the view is frontal
        (front/rear) rather than sagittal; the confidence grows with the
        distance from this value.

    Attributes
    ----------
    view_ : View or None
        ``front``, ``rear``, ``side-left``, ``side-right``; ``None`` when the
        keypoints do not allow a decision.
    confidence_ : float
        0..1.
    cues_ : dict
        The cue values (for the report and debugging).

    Examples
    --------
    >>> det = ViewDetector().detect(kp)  # doctest: +SKIP
    >>> det.view_, det.confidence_  # doctest: +SKIP
    ('front', 0.93)
    """

    def __init__(self, frontal_width_ratio: float = 0.35) -> None:
        self.frontal_width_ratio = frontal_width_ratio

    def detect(self, kp: Keypoints) -> ViewDetector:
        """Detect the view of ``kp``; return ``self``."""
        lsh, rsh = _get(kp, "left_shoulder"), _get(kp, "right_shoulder")
        lhip, rhip = _get(kp, "left_hip"), _get(kp, "right_hip")
        mid_sh = nanmean_rows(np.stack([lsh, rsh]))
        mid_hip = nanmean_rows(np.stack([lhip, rhip]))
        trunk = _median(np.hypot(*(mid_hip - mid_sh).T))
        if not np.isfinite(trunk):
            # No shoulders: use thigh length (hip–knee) as the body scale.
            trunk = _median(np.hypot(*(_get(kp, "left_knee") - lhip).T))
        sh_w = _median(np.abs(lsh[:, 0] - rsh[:, 0]))
        hip_w = _median(np.abs(lhip[:, 0] - rhip[:, 0]))
        widths = [w for w in (sh_w, hip_w) if np.isfinite(w)]
        cues: dict[str, float] = {"trunk_px": trunk}
        if not widths or not np.isfinite(trunk) or trunk <= 0:
            self.view_, self.confidence_, self.cues_ = None, 0.0, cues
            return self
        ratio = float(np.sum(widths) / trunk) if len(widths) == 2 else float(2 * widths[0] / trunk)
        cues["width_ratio"] = ratio
        frontal_vote = _vote(ratio - self.frontal_width_ratio, 0.12)

        # Stance-foot cue: per frame, the lower foot (larger ankle y).
        lhe, rhe = _get(kp, "left_heel"), _get(kp, "right_heel")
        lto, rto = _get(kp, "left_toe"), _get(kp, "right_toe")
        lan, ran = _get(kp, "left_ankle"), _get(kp, "right_ankle")
        left_lower = lan[:, 1] > ran[:, 1]
        heel = np.where(left_lower[:, None], lhe, rhe)
        toe = np.where(left_lower[:, None], lto, rto)
        toe_minus_heel = toe - heel
        lengths = np.hypot(*toe_minus_heel.T)
        foot_len = _median(lengths)
        toe_below = _median(toe_minus_heel[:, 1])
        toe_ahead_x = _median(toe_minus_heel[:, 0])
        with np.errstate(invalid="ignore", divide="ignore"):
            foot_horizontal = _median(np.abs(toe_minus_heel[:, 0]) / lengths)
        cues.update(toe_below_heel_px=toe_below, toe_minus_heel_x_px=toe_ahead_x,
                    foot_horizontal=foot_horizontal)
        # Second frontal/side cue, immune to perspective (a runner crossing the frame far
        # from the optical axis shows some hip and shoulder width even from the side): the
        # stance foot is seen lengthwise from the side and end-on from the front/rear.
        v_foot_frontal = _vote(0.8 - foot_horizontal, 0.12)
        if v_foot_frontal != 0:
            frontal_vote = (frontal_vote + 2.0 * v_foot_frontal) / 3.0

        if frontal_vote >= 0:
            # front: left labels on the image's right; toes lower than heels.
            label = _median(np.concatenate([lhip[:, 0] - rhip[:, 0], lsh[:, 0] - rsh[:, 0]]))
            cues["left_minus_right_x_px"] = label
            v_label = _vote(label, 0.15 * trunk)
            v_foot = _vote(toe_below, 0.15 * foot_len if np.isfinite(foot_len) else 10.0)
            vote = 0.5 * v_label + 0.5 * v_foot if v_foot != 0 else v_label
            view = View.FRONT if vote >= 0 else View.REAR
            conf = abs(frontal_vote) * abs(vote)
        else:
            nose = _get(kp, "nose")
            nose_ahead = _median(nose[:, 0] - mid_sh[:, 0])
            cues["nose_minus_shoulders_x_px"] = nose_ahead
            v_toe = _vote(toe_ahead_x, 0.3 * foot_len if np.isfinite(foot_len) else 20.0)
            v_nose = _vote(nose_ahead, 0.1 * trunk)
            votes = [v for v in (v_toe, v_nose) if v != 0]
            vote = float(np.mean(votes)) if votes else 0.0
            view = View.SIDE_RIGHT if vote >= 0 else View.SIDE_LEFT
            conf = abs(frontal_vote) * abs(vote)
        self.view_ = view
        self.confidence_ = float(np.clip(conf, 0.0, 1.0))
        self.cues_ = {k: round(float(v), 3) for k, v in cues.items() if np.isfinite(v)}
        return self


def detect_view(kp: Keypoints) -> ViewEstimate:
    """Detect the view of ``kp`` (see :class:`ViewDetector`)."""
    det = ViewDetector().detect(kp)
    return ViewEstimate(det.view_, det.confidence_, det.cues_)
