"""One stance's record: the typed form of an ``analysis.json`` stance.

:class:`StanceRecord` holds what the engine measured for one stance (contact
to toe-off): timing, the view's metrics (``None`` where the view cannot
measure them), view-specific extras and the values moved aside by the
plausibility checks (``rejected``, ``withheld``). :meth:`StanceRecord.to_dict`
gives exactly the stance fields of ``analysis.json`` (``DESIGN.md``), and
:meth:`StanceRecord.from_dict` reads them back, so code downstream of the
engine (findings, assessment) can work on attributes whatever the source.

A record is also a :class:`~collections.abc.MutableMapping` over those same
fields (``rec["fppa_peak_deg"]``, ``rec.get("withheld")``,
``rec.setdefault("rejected", {})``), so the stages that still treat a stance
as a dict keep working unchanged while they move to attributes. ``rejected``
and ``withheld`` can always be read (empty when nothing was set aside) but are
listed, and written to ``analysis.json``, only when they hold something.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["CORE_FIELDS", "StanceRecord", "as_stance_record"]

_NOTE_FIELDS = ("rejected", "withheld")


def _opt_float(value: Any) -> float | None:
    """A finite number as float, else ``None`` (missing, NaN, or not a number at all)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


@dataclass(eq=False)
class StanceRecord(MutableMapping[str, Any]):
    """What the engine measured for one stance.

    Attributes
    ----------
    leg : str
        ``"left"`` or ``"right"``.
    contact_s, toe_off_s : float
        Initial contact and toe-off, seconds from the first frame (NaN where
        the stance is cut by the clip's ends).
    contact_uncertainty_ms : float or None
        Spread of the contact cues.
    contact_cues_ms : dict
        Each cue's contact estimate relative to the combined one (ms).
    complete : bool
        Both contact and toe-off were found.
    fppa_peak_deg, hip_adduction_peak_deg, pelvic_drop_peak_deg : float or None
        Frontal-plane peaks during stance (front/rear views).
    crossover : bool or None
        The foot landed on or across the midline (front/rear views).
    foot_strike_angle_deg : float or None
        Foot angle at contact, + = toes up (side views).
    foot_strike : str or None
        ``rearfoot``, ``midfoot`` or ``forefoot`` (side views).
    shank_angle_ic_deg, knee_flexion_ic_deg : float or None
        Values at contact (side views).
    extras : dict
        View-specific fields, present only where measured (in the order set):
        ``ankle_lateral_offset_px``, ``ankle_lateral_offset_hip_widths``
        (frontal), ``near_camera``, ``observed_at_contact``,
        ``foot_pitch_rel_flat_deg`` (side) and any field added later.
    rejected : dict
        ``{metric: value}`` moved aside as implausible (empty: none).
    withheld : dict
        ``{metric: {"value", "reason"}}`` withheld by the plausibility checks.

    Examples
    --------
    >>> rec = StanceRecord("left", 1.0, 1.25, fppa_peak_deg=12.0)
    >>> rec.fppa_peak_deg, rec["fppa_peak_deg"]
    (12.0, 12.0)
    >>> rec.setdefault("rejected", {})["fppa_peak_deg"] = 99.0
    >>> list(rec.to_dict())[-1], rec.rejected
    ('rejected', {'fppa_peak_deg': 99.0})
    """

    leg: str
    contact_s: float
    toe_off_s: float
    contact_uncertainty_ms: float | None = None
    contact_cues_ms: dict[str, float] = field(default_factory=dict)
    complete: bool = False
    fppa_peak_deg: float | None = None
    hip_adduction_peak_deg: float | None = None
    pelvic_drop_peak_deg: float | None = None
    crossover: bool | None = None
    foot_strike_angle_deg: float | None = None
    foot_strike: str | None = None
    shank_angle_ic_deg: float | None = None
    knee_flexion_ic_deg: float | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    rejected: dict[str, float] = field(default_factory=dict)
    withheld: dict[str, dict[str, Any]] = field(default_factory=dict)

    # ------------------------------------------------------------- typed extras
    @property
    def ankle_lateral_offset_px(self) -> float | None:
        """Mean ankle distance from the mid-hip vertical in stance, + = lateral (frontal)."""
        return _opt_float(self.extras.get("ankle_lateral_offset_px"))

    @property
    def ankle_lateral_offset_hip_widths(self) -> float | None:
        """:attr:`ankle_lateral_offset_px` in hip widths (frontal)."""
        return _opt_float(self.extras.get("ankle_lateral_offset_hip_widths"))

    @property
    def near_camera(self) -> bool | None:
        """Whether this leg is on the camera's side (side views)."""
        v = self.extras.get("near_camera")
        return None if v is None else bool(v)

    @property
    def foot_pitch_rel_flat_deg(self) -> float | None:
        """Foot angle at contact relative to the flat foot (side views)."""
        return _opt_float(self.extras.get("foot_pitch_rel_flat_deg"))

    def value(self, metric: str) -> float | None:
        """A numeric metric's value, ``None`` when missing, withheld, not finite or not a number."""
        return _opt_float(self.get(metric))

    # ---------------------------------------------------------------- contract
    def to_dict(self) -> dict[str, Any]:
        """The ``analysis.json`` stance fields (unrounded), in the contract's order."""
        return dict(self.items())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StanceRecord:
        """Read a stance as written in ``analysis.json`` (or built by an older stage).

        Missing timing reads as NaN, missing metrics as ``None``; fields this
        class does not name are kept in :attr:`extras`.
        """
        if isinstance(data, StanceRecord):
            return data
        rec = cls(str(data.get("leg", "")), _nan_if_none(data.get("contact_s")),
                  _nan_if_none(data.get("toe_off_s")))
        for key, value in data.items():
            if key in _NOTE_FIELDS:
                if value:
                    rec[key] = dict(value)
            elif key not in ("leg", "contact_s", "toe_off_s"):
                rec[key] = value
        return rec

    # ------------------------------------------------------- mapping interface
    def __getitem__(self, key: str) -> Any:
        if key in CORE_FIELDS or key in _NOTE_FIELDS:
            return getattr(self, key)
        return self.extras[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if key in CORE_FIELDS:
            setattr(self, key, value)
        elif key in _NOTE_FIELDS:
            if not isinstance(value, dict):
                raise TypeError(f"{key} must be a dict, got {type(value).__name__}")
            setattr(self, key, value)
        elif key == "extras":
            raise KeyError("'extras' is not a stance field")
        else:
            self.extras[key] = value

    def __delitem__(self, key: str) -> None:
        if key in _NOTE_FIELDS:
            setattr(self, key, {})
        elif key in CORE_FIELDS:
            raise TypeError(f"{key} is a contract field of every stance; set it to None instead")
        else:
            del self.extras[key]

    def __contains__(self, key: object) -> bool:
        if key in _NOTE_FIELDS:
            return bool(getattr(self, str(key)))
        return key in CORE_FIELDS or key in self.extras

    def __iter__(self) -> Iterator[str]:
        yield from CORE_FIELDS
        yield from self.extras
        yield from (k for k in _NOTE_FIELDS if getattr(self, k))

    def __len__(self) -> int:
        return len(CORE_FIELDS) + len(self.extras) + sum(1 for k in _NOTE_FIELDS
                                                         if getattr(self, k))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self.to_dict() == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable


def _nan_if_none(value: Any) -> float:
    return float("nan") if value is None else float(value)


#: Fields of every stance, in the order ``analysis.json`` writes them.
CORE_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(StanceRecord) if f.name not in ("extras",) + _NOTE_FIELDS)


def as_stance_record(stance: StanceRecord | Mapping[str, Any]) -> StanceRecord:
    """``stance`` as a :class:`StanceRecord` (a record is returned as is, a dict is read)."""
    return StanceRecord.from_dict(stance)
