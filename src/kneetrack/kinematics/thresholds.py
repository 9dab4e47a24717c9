"""Typed, read-only settings of the running engine, loaded once and handed in.

:class:`Thresholds` holds everything :func:`~kneetrack.kinematics.analyze_keypoints`
reads from the knowledge base: the running thresholds
(``knowledge/thresholds/running.yaml``: minimum frame rate and steps, foot
strike limits, smallest detectable differences, the finding rules), the
plausibility gate's limits (``plausibility.yaml``) and the cleaning settings.
The values are written once, in those data files; this module only reads and
types them. The service loads them once (:meth:`Thresholds.packaged`, cached)
and hands them to the engine; the engine's stages read no file.

Everything is frozen: the dataclasses cannot be changed and the rule mappings
are :class:`~kneetrack.knowledge.readonly.FrozenDict`. To try other values
make a new object (``dataclasses.replace(th, min_fps=30.0)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from kneetrack.errors import SettingsError
from kneetrack.knowledge.readonly import FrozenDict, freeze, read_packaged_yaml

__all__ = ["CleaningSettings", "FootStrikeThresholds", "Thresholds", "load_plausibility_limits",
           "load_running_thresholds"]

_PACKAGE = "kneetrack.knowledge.thresholds"


def _needs(key: str) -> Any:
    def check(data: Any) -> str | None:
        return None if key in data else f"has no {key!r}"
    return check


@lru_cache(maxsize=1)
def load_running_thresholds() -> FrozenDict:
    """``running.yaml`` as read-only data (cached): finding rules, limits, sources."""
    return read_packaged_yaml(_PACKAGE, "running.yaml", what="running thresholds",
                              check=_needs("rules"))


@lru_cache(maxsize=1)
def load_plausibility_limits() -> FrozenDict:
    """``plausibility.yaml`` as read-only data (cached): gate limits and physiological bounds."""
    return read_packaged_yaml(_PACKAGE, "plausibility.yaml", what="plausibility limits",
                              check=_needs("bounds"))


@dataclass(frozen=True)
class FootStrikeThresholds:
    """Foot angle at contact relative to the flat foot (deg) that separates strike patterns.

    Attributes
    ----------
    rearfoot_min_deg : float
        Above: rearfoot strike.
    forefoot_max_deg : float
        Below: forefoot strike; between the two: midfoot (Altman & Davis 2012).
    """

    rearfoot_min_deg: float = 8.0
    forefoot_max_deg: float = -1.6

    def to_dict(self) -> dict[str, float]:
        """The mapping :class:`~kneetrack.kinematics.metrics.StanceMetrics` takes."""
        return {"rearfoot_min_deg": self.rearfoot_min_deg,
                "forefoot_max_deg": self.forefoot_max_deg}


@dataclass(frozen=True)
class CleaningSettings:
    """How raw keypoints are cleaned (:func:`kneetrack.kinematics.cleaners.running_chain`).

    Attributes
    ----------
    min_confidence : float
        Points below this confidence are missing.
    max_gap_s : float
        Longest gap bridged by interpolation.
    cutoff_hz : float or None
        Low-pass cut-off; ``None`` follows the frame rate
        (:func:`kneetrack.kinematics.filtering.default_cutoff_hz`).
    """

    min_confidence: float = 0.3
    max_gap_s: float = 0.1
    cutoff_hz: float | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_confidence <= 1.0:
            raise SettingsError(f"min_confidence must be within 0..1, got {self.min_confidence}")
        if self.max_gap_s < 0:
            raise SettingsError(f"max_gap_s must not be negative, got {self.max_gap_s}")
        if self.cutoff_hz is not None and not self.cutoff_hz > 0:
            raise SettingsError(f"cutoff_hz must be positive, got {self.cutoff_hz}")


@dataclass(frozen=True)
class Thresholds:
    """Everything the running engine reads from the knowledge base, typed and read-only.

    Attributes
    ----------
    min_fps : float
        Below this frame rate contact timing is flagged as coarse.
    min_stances_per_side : int
        Complete stances per side needed for stable averages (Dingenen et al. 2018).
    foot_strike : FootStrikeThresholds
        Strike-pattern limits.
    sdd_deg : FrozenDict
        Smallest detectable difference per metric (deg), for asymmetry and drift.
    running : FrozenDict
        The whole running-thresholds file (finding rules, cadence, asymmetry,
        fatigue drift, sources), as :func:`~kneetrack.kinematics.findings.evaluate_findings`
        reads it.
    plausibility : FrozenDict
        The plausibility gate's limits and the physiological bounds.
    cleaning : CleaningSettings
        How keypoints are cleaned.

    Examples
    --------
    >>> th = Thresholds.packaged()
    >>> th.min_stances_per_side, th.foot_strike.rearfoot_min_deg
    (7, 8.0)
    >>> th.min_fps = 30
    Traceback (most recent call last):
    ...
    dataclasses.FrozenInstanceError: cannot assign to field 'min_fps'
    """

    min_fps: float
    min_stances_per_side: int
    foot_strike: FootStrikeThresholds
    sdd_deg: FrozenDict
    running: FrozenDict
    plausibility: FrozenDict
    cleaning: CleaningSettings = field(default_factory=CleaningSettings)

    @classmethod
    def from_mappings(cls, running: Mapping[str, Any], plausibility: Mapping[str, Any], *,
                      cleaning: CleaningSettings | None = None) -> Thresholds:
        """Type the two thresholds files' content (as parsed from YAML).

        Raises
        ------
        SettingsError
            A value the engine needs is missing or not a number.
        """
        try:
            fs = running["foot_strike"]
            return cls(
                min_fps=float(running["min_fps"]),
                min_stances_per_side=int(running["min_stances_per_side"]),
                foot_strike=FootStrikeThresholds(float(fs["rearfoot_min_deg"]),
                                                 float(fs["forefoot_max_deg"])),
                sdd_deg=freeze({k: float(v) for k, v in
                                running["smallest_detectable_difference_deg"].items()
                                if isinstance(v, int | float)}),
                running=freeze(running),
                plausibility=freeze(plausibility),
                cleaning=cleaning or CleaningSettings(),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise SettingsError(f"invalid running thresholds: {err}") from None

    @classmethod
    def packaged(cls) -> Thresholds:
        """The thresholds shipped with kneetrack (files read once per process)."""
        return _packaged()

    def with_cutoff(self, cutoff_hz: float | None) -> Thresholds:
        """These thresholds with the keypoint low-pass cut-off set (``None``: unchanged).

        Examples
        --------
        >>> th = Thresholds.packaged()
        >>> th.with_cutoff(4.0).cleaning.cutoff_hz, th.with_cutoff(None) is th
        (4.0, True)
        """
        if cutoff_hz is None:
            return self
        return replace(self, cleaning=replace(self.cleaning, cutoff_hz=cutoff_hz))


@lru_cache(maxsize=1)
def _packaged() -> Thresholds:
    return Thresholds.from_mappings(load_running_thresholds(), load_plausibility_limits())
