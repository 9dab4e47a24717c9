"""Cleaning as a chain of small objects (gaitmap / tpcp style).

Each step is an object whose ``__init__`` only stores its parameters (units in
their names), whose action method :meth:`~BaseCleaner.clean` takes keypoints
and returns ``self``, and whose result is the attribute ``keypoints_``. The
numeric work is done by the functions of :mod:`kneetrack.kinematics.cleaning`
(and :mod:`~kneetrack.kinematics.swaps`, :mod:`~kneetrack.kinematics.resampling`);
the objects make a step something that can be configured, swapped and injected.

:class:`CleaningChain` runs steps in order. The running engine's chain
(:func:`running_chain`) is::

    LowConfidenceRejection → SwapRepair(view) → OutlierRejection
        → TimeGridResampling → GapFilling → lowpass filter (injected; default
          ButterworthLowpass)

Every step appends one entry to :attr:`Keypoints.provenance
<kneetrack.keypoints.Keypoints.provenance>` (a step that had nothing to do,
such as resampling evenly spaced frames, may append none), so a report can
say exactly what was done to the signal.

Examples
--------
>>> import numpy as np
>>> from kneetrack.keypoints import Keypoints
>>> t = np.arange(120) / 60
>>> kp = Keypoints.from_arrays({"left_hip": np.column_stack([100 * t, 0 * t])}, fps=60)
>>> chain = CleaningChain([LowConfidenceRejection(), GapFilling(max_gap_s=0.1),
...                        ButterworthLowpass(cutoff_hz=6.0)]).clean(kp)
>>> [p.step for p in chain.keypoints_.provenance]
['reject_low_confidence', 'fill_gaps', 'lowpass']
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Self

from kneetrack.core.views import View
from kneetrack.keypoints import Keypoints
from kneetrack.kinematics.cleaning import (
    EVEN_FRAMES_TOLERANCE,
    fill_gaps,
    lowpass,
    reject_low_confidence,
    reject_outliers,
)
from kneetrack.kinematics.resampling import resample_uniform
from kneetrack.kinematics.swaps import repair_swaps

__all__ = [
    "BaseCleaner",
    "BaseFilter",
    "ButterworthLowpass",
    "CleaningChain",
    "GapFilling",
    "LowConfidenceRejection",
    "OutlierRejection",
    "SwapRepair",
    "TimeGridResampling",
    "clean_keypoints",
    "running_chain",
]


class BaseCleaner:
    """One cleaning step.

    Subclasses store their parameters in ``__init__`` and implement
    :meth:`clean`, which sets :attr:`keypoints_` and returns ``self``.

    Attributes
    ----------
    keypoints_ : Keypoints
        The cleaned keypoints (set by :meth:`clean`).
    """

    keypoints_: Keypoints

    def clean(self, keypoints: Keypoints) -> Self:
        """Clean ``keypoints``; the result is in :attr:`keypoints_`. Returns ``self``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.endswith("_"))
        return f"{type(self).__name__}({params})"


class BaseFilter(BaseCleaner):
    """A smoothing filter step (what :func:`running_chain` accepts as its ``lowpass``)."""


class LowConfidenceRejection(BaseCleaner):
    """Points whose confidence is below ``min_confidence`` become missing.

    Parameters
    ----------
    min_confidence : float
        Confidence floor, 0..1.

    Attributes
    ----------
    keypoints_ : Keypoints
        Result (provenance step ``reject_low_confidence``).
    """

    def __init__(self, min_confidence: float = 0.3) -> None:
        self.min_confidence = min_confidence

    def clean(self, keypoints: Keypoints) -> Self:
        """Reject low-confidence points; returns ``self``."""
        self.keypoints_ = reject_low_confidence(keypoints, min_confidence=self.min_confidence)
        return self


class SwapRepair(BaseCleaner):
    """Undo left/right label swaps (:func:`kneetrack.kinematics.swaps.repair_swaps`).

    Parameters
    ----------
    view : View, optional
        The camera view; selects the cues (identity tracking in frontal views,
        continuity and shank consistency in side views).

    Attributes
    ----------
    keypoints_ : Keypoints
        Result (provenance step ``repair_swaps``).
    """

    def __init__(self, view: View | None = None) -> None:
        self.view = view

    def clean(self, keypoints: Keypoints) -> Self:
        """Repair label swaps; returns ``self``."""
        self.keypoints_ = repair_swaps(keypoints, view=self.view)
        return self


class OutlierRejection(BaseCleaner):
    """Isolated jumps become missing (:func:`kneetrack.kinematics.cleaning.reject_outliers`).

    Parameters
    ----------
    window_s : float
        Running-median window (at least 3 frames).
    k_mad : float
        Robust standard deviations from the median beyond which a point is an outlier.
    min_fraction : float
        ... and at least this fraction of the body scale away.

    Attributes
    ----------
    keypoints_ : Keypoints
        Result (provenance step ``reject_outliers``).
    """

    def __init__(self, window_s: float = 0.07, k_mad: float = 6.0,
                 min_fraction: float = 0.05) -> None:
        self.window_s = window_s
        self.k_mad = k_mad
        self.min_fraction = min_fraction

    def clean(self, keypoints: Keypoints) -> Self:
        """Reject outliers; returns ``self``."""
        self.keypoints_ = reject_outliers(keypoints, window_s=self.window_s, k_mad=self.k_mad,
                                          min_fraction=self.min_fraction)
        return self


class TimeGridResampling(BaseCleaner):
    """Keypoints with uneven frame times move onto an evenly spaced time grid.

    See :func:`kneetrack.kinematics.resampling.resample_uniform`; evenly spaced
    clips come back unchanged.

    Parameters
    ----------
    tolerance_frames : float
        Frame times within this fraction of a frame from even spacing count as even.
    max_gap_s : float
        Longest stretch without frames bridged by interpolation.

    Attributes
    ----------
    keypoints_ : Keypoints
        Result (provenance step ``resample_uniform`` when resampled).
    """

    def __init__(self, tolerance_frames: float = EVEN_FRAMES_TOLERANCE,
                 max_gap_s: float = 0.1) -> None:
        self.tolerance_frames = tolerance_frames
        self.max_gap_s = max_gap_s

    def clean(self, keypoints: Keypoints) -> Self:
        """Resample to an even time grid when needed; returns ``self``."""
        self.keypoints_ = resample_uniform(keypoints, tolerance_frames=self.tolerance_frames,
                                           max_gap_s=self.max_gap_s)
        return self


class GapFilling(BaseCleaner):
    """Gaps up to ``max_gap_s`` are interpolated in time (confidence 0: not observed).

    Parameters
    ----------
    max_gap_s : float
        Longest gap bridged; longer gaps stay missing.

    Attributes
    ----------
    keypoints_ : Keypoints
        Result (provenance step ``fill_gaps``).
    """

    def __init__(self, max_gap_s: float = 0.1) -> None:
        self.max_gap_s = max_gap_s

    def clean(self, keypoints: Keypoints) -> Self:
        """Fill short gaps; returns ``self``."""
        self.keypoints_ = fill_gaps(keypoints, max_gap_s=self.max_gap_s)
        return self


class ButterworthLowpass(BaseFilter):
    """Zero-lag Butterworth low-pass of every trajectory.

    Parameters
    ----------
    cutoff_hz : float, optional
        -3 dB cut-off of one pass; ``None`` follows the frame rate
        (:func:`kneetrack.kinematics.filtering.default_cutoff_hz`).
    order : int
        Order of one pass (run forward and backward).

    Attributes
    ----------
    keypoints_ : Keypoints
        Result (provenance step ``lowpass``).

    Notes
    -----
    Winter, *Biomechanics and Motor Control of Human Movement*, 4th ed., 2009,
    §3.4 (6–15 Hz for running markers); see :mod:`kneetrack.kinematics.filtering`.
    """

    def __init__(self, cutoff_hz: float | None = None, order: int = 2) -> None:
        self.cutoff_hz = cutoff_hz
        self.order = order

    def clean(self, keypoints: Keypoints) -> Self:
        """Low-pass the keypoints; returns ``self``."""
        self.keypoints_ = lowpass(keypoints, cutoff_hz=self.cutoff_hz, order=self.order)
        return self


class CleaningChain(BaseCleaner):
    """Run cleaning steps in order, each on the previous one's result.

    Parameters
    ----------
    steps : sequence of BaseCleaner
        The steps; each is copied before it runs, so a configured chain can be
        reused (and shared) without keeping one clip's results.

    Attributes
    ----------
    keypoints_ : Keypoints
        The last step's result (the input unchanged when there are no steps).
    steps_ : list of BaseCleaner
        The steps as run, each holding its own ``keypoints_``.
    """

    def __init__(self, steps: Sequence[BaseCleaner]) -> None:
        self.steps = tuple(steps)

    def clean(self, keypoints: Keypoints) -> Self:
        """Run every step; returns ``self``."""
        out = keypoints
        self.steps_: list[BaseCleaner] = []
        for step in self.steps:
            done = copy.copy(step).clean(out)
            self.steps_.append(done)
            out = done.keypoints_
        self.keypoints_ = out
        return self


def running_chain(view: View | None = None, *, min_confidence: float = 0.3,
                  max_gap_s: float = 0.1, lowpass: BaseFilter | None = None,
                  repair: bool = True, resample: bool = True,
                  filter_signal: bool = True) -> CleaningChain:
    """The running engine's cleaning chain (see the module docstring).

    Parameters
    ----------
    view : View, optional
        Selects the swap-repair cues.
    min_confidence : float
        Confidence floor of :class:`LowConfidenceRejection`.
    max_gap_s : float
        Longest gap bridged by resampling and gap filling.
    lowpass : BaseFilter, optional
        The smoothing filter (default: :class:`ButterworthLowpass` with the
        cut-off following the frame rate).
    repair, resample, filter_signal : bool
        Leave out the swap repair, the time-grid resampling or the filter.
    """
    steps: list[BaseCleaner] = [LowConfidenceRejection(min_confidence)]
    if repair:
        steps.append(SwapRepair(view))
    steps.append(OutlierRejection())
    if resample:
        steps.append(TimeGridResampling(EVEN_FRAMES_TOLERANCE, max_gap_s=max_gap_s))
    steps.append(GapFilling(max_gap_s))
    if filter_signal:
        steps.append(lowpass if lowpass is not None else ButterworthLowpass())
    return CleaningChain(steps)


def clean_keypoints(kp: Keypoints, *, view: View | str | None = None,
                    min_confidence: float = 0.3, max_gap_s: float = 0.1,
                    cutoff_hz: float | None = None, repair: bool = True,
                    filter_signal: bool = True, resample: bool = True) -> Keypoints:
    """Run :func:`running_chain` on ``kp`` and return the cleaned keypoints.

    ``view`` (if known) selects the swap-repair cues. With ``resample``
    (default), keypoints with uneven frame times come back on an evenly spaced
    time grid (``time_s`` and ``fps`` describe the grid, the provenance says so).
    """
    chain = running_chain(None if view is None else View(view), min_confidence=min_confidence,
                          max_gap_s=max_gap_s, lowpass=ButterworthLowpass(cutoff_hz),
                          repair=repair, resample=resample, filter_signal=filter_signal)
    return chain.clean(kp).keypoints_
