"""Real time for a clip: the frame rate it was filmed at, given, read or assumed.

A phone's slow-motion clip is filmed at 120–240 fps and stored to play at
30 fps: its container says 30 fps, so one real second lasts four or eight
seconds of video. Keypoint files may store no rate at all (OpenPose JSON, a
CSV without ``time_s``). :func:`retime` applies what the user says
(``--fps`` or ``--speed-factor``); :func:`rate_source` tells the report where
the rate came from.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kneetrack.errors import SettingsError
from kneetrack.keypoints import Keypoints

#: Provenance step written by :func:`retime`.
RETIME_STEP = "retime"


def check_rate_options(fps: float | None, speed_factor: float | None) -> None:
    """Raise :class:`SettingsError` for an unusable ``--fps`` / ``--speed-factor``."""
    if fps is not None and speed_factor is not None:
        raise SettingsError("give either --fps or --speed-factor, not both")
    if fps is not None and not (math.isfinite(fps) and 1.0 <= fps <= 2000.0):
        raise SettingsError(f"--fps must be between 1 and 2000 frames per second, got {fps:g}")
    if speed_factor is not None and not (math.isfinite(speed_factor)
                                         and 0.01 <= speed_factor <= 10.0):
        raise SettingsError("--speed-factor must be between 0.01 and 10 (0.25 = the clip plays "
                            f"at a quarter of real speed), got {speed_factor:g}")


def retime(kp: Keypoints, *, fps: float | None = None,
           speed_factor: float | None = None) -> Keypoints:
    """Return ``kp`` on a real-time axis.

    Parameters
    ----------
    kp : Keypoints
        Keypoints whose ``time_s`` follows the file's (or an assumed) rate.
    fps : float, optional
        The rate the clip was really filmed at: every frame time is scaled by
        ``kp.fps / fps`` (variable-frame-rate jitter is kept, in proportion).
    speed_factor : float, optional
        How fast the clip plays relative to real time (0.25: a quarter of real
        speed, e.g. 120 fps slow motion stored at 30 fps). Times are multiplied
        by it and the rate divided by it.

    Returns
    -------
    Keypoints
        Re-timed keypoints, the step recorded in the provenance (``kp``
        itself when neither option is given).

    Examples
    --------
    >>> import numpy as np
    >>> kp = Keypoints.from_arrays({"left_hip": np.zeros((4, 2))}, fps=30)
    >>> slow = retime(kp, speed_factor=0.25)
    >>> slow.fps, float(slow.time_s[1])
    (120.0, 0.008333333333333333)
    """
    check_rate_options(fps, speed_factor)
    if fps is None and speed_factor is None:
        return kp
    factor = kp.fps / fps if fps is not None else float(speed_factor)  # type: ignore[arg-type]
    params: dict[str, Any] = {"file_fps": round(kp.fps, 6)}
    if fps is not None:
        params["fps_given"] = fps
    else:
        params["speed_factor"] = speed_factor
    t = np.asarray(kp.time_s, dtype=float)
    return kp.replace(time_s=(t - t[0]) * factor + t[0], fps=kp.fps / factor,
                      step=RETIME_STEP, params=params)


def rate_source(kp: Keypoints) -> dict[str, Any]:
    """Where the clip's frame rate came from, from its provenance.

    Returns
    -------
    dict
        ``{"fps", "source", "speed_factor"}``: ``source`` is ``"given"`` (``--fps``),
        ``"speed_factor"`` (``--speed-factor``), ``"assumed"`` (the file stores
        no rate and none was given) or ``"file"`` (read from the file or the
        video container).
    """
    out: dict[str, Any] = {"fps": round(kp.fps, 3), "source": "file", "speed_factor": None}
    for step in kp.provenance:
        params = dict(step.params)
        if step.step == RETIME_STEP:
            if "fps_given" in params:
                out.update(source="given", speed_factor=None)
            else:
                out.update(source="speed_factor", speed_factor=params.get("speed_factor"))
        elif params.get("fps_source") in ("assumed", "given"):
            out.update(source=params["fps_source"], speed_factor=None)
    return out


def rate_note(kp: Keypoints) -> str | None:
    """A one-line note when the rate was not read from the file, else ``None``."""
    src = rate_source(kp)
    if src["source"] == "assumed":
        return (f"frame rate assumed to be {src['fps']:g} fps: the file stores none; give "
                "--fps with the rate the video was filmed at")
    if src["source"] == "given":
        return f"frame rate {src['fps']:g} fps as given with --fps"
    if src["source"] == "speed_factor":
        return (f"times scaled by the speed factor {src['speed_factor']:g} given with "
                f"--speed-factor ({src['fps']:g} frames per real second)")
    return None
