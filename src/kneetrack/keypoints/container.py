"""The hub type: one person's 2D keypoints over one clip.

Every pose backend and importer produces a :class:`Keypoints`; every later
stage consumes one. It is validated once, at construction, and never mutated:
processing steps return a new object with a step appended to ``provenance``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kneetrack.core.arrays import FloatArray
from kneetrack.errors import InputError
from kneetrack.keypoints.markers import CANONICAL


@dataclass(frozen=True)
class ProvenanceStep:
    """One processing step applied to a signal: what ran and with which parameters."""

    step: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly form."""
        return {"step": self.step, "params": dict(self.params)}


@dataclass(frozen=True, eq=False)
class Keypoints:
    """2D keypoints of one person in one clip.

    Parameters
    ----------
    xy : ndarray, shape (frames, markers, 2)
        Image coordinates in pixels, x = column (right), y = row (down).
        NaN where a marker is missing.
    confidence : ndarray, shape (frames, markers)
        Detection confidence 0..1 (0 where missing).
    markers : tuple of str
        Canonical marker names (see :mod:`kneetrack.keypoints.markers`), one per
        column of ``xy``.
    time_s : ndarray, shape (frames,)
        Time of each frame in seconds from the first frame (strictly increasing;
        phones record variable frame rates).
    fps : float
        Nominal frame rate in frames per second.
    image_size : tuple of int or None
        ``(width, height)`` of the image in pixels, if known.
    source : str
        Where the keypoints came from (``"mediapipe-blazepose-full"``,
        ``"trc:path"``...).
    provenance : tuple of ProvenanceStep
        Every step applied since the keypoints were produced.
    """

    xy: FloatArray
    confidence: FloatArray
    markers: tuple[str, ...]
    time_s: FloatArray
    fps: float
    image_size: tuple[int, int] | None = None
    source: str = "unknown"
    provenance: tuple[ProvenanceStep, ...] = ()

    def __post_init__(self) -> None:
        xy = np.asarray(self.xy, dtype=float)
        conf = np.asarray(self.confidence, dtype=float)
        t = np.asarray(self.time_s, dtype=float)
        markers = tuple(self.markers)
        if xy.ndim != 3 or xy.shape[2] != 2:
            raise InputError(f"keypoints xy must have shape (frames, markers, 2), got {xy.shape}")
        n_frames, n_markers = xy.shape[:2]
        if n_frames == 0:
            raise InputError("keypoints contain no frames")
        if conf.shape != (n_frames, n_markers):
            raise InputError(
                f"confidence must have shape {(n_frames, n_markers)}, got {conf.shape}"
            )
        if len(markers) != n_markers:
            raise InputError(f"{len(markers)} marker names for {n_markers} marker columns")
        unknown = [m for m in markers if m not in CANONICAL]
        if unknown:
            raise InputError(f"unknown marker names: {', '.join(unknown)}")
        if len(set(markers)) != len(markers):
            raise InputError("duplicate marker names")
        if t.shape != (n_frames,):
            raise InputError(f"time_s must have {n_frames} values, got shape {t.shape}")
        if not np.all(np.isfinite(t)) or (n_frames > 1 and np.any(np.diff(t) <= 0)):
            raise InputError("frame times must be finite and strictly increasing")
        if not (np.isfinite(self.fps) and self.fps > 0):
            raise InputError(f"frame rate must be positive, got {self.fps}")
        if np.any(np.isinf(xy)):
            raise InputError("keypoints contain infinite coordinates")
        # Missing coordinates have zero confidence; NaN confidence means missing.
        conf = np.where(np.isnan(conf), 0.0, np.clip(conf, 0.0, 1.0))
        missing = np.isnan(xy).any(axis=2)
        xy = xy.copy()
        xy[missing] = np.nan
        conf = np.where(missing, 0.0, conf)
        xy.setflags(write=False)
        conf.setflags(write=False)
        t = t.copy()
        t.setflags(write=False)
        object.__setattr__(self, "xy", xy)
        object.__setattr__(self, "confidence", conf)
        object.__setattr__(self, "time_s", t)
        object.__setattr__(self, "markers", markers)
        object.__setattr__(self, "fps", float(self.fps))
        if self.image_size is not None:
            w, h = self.image_size
            object.__setattr__(self, "image_size", (int(w), int(h)))
        object.__setattr__(self, "provenance", tuple(self.provenance))

    # ------------------------------------------------------------------ access
    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.xy.shape[0])

    def __len__(self) -> int:
        return self.n_frames

    @property
    def duration_s(self) -> float:
        """Time from the first frame to the end of the last frame, in seconds."""
        if self.n_frames < 2:
            return 1.0 / self.fps
        return float(self.time_s[-1] - self.time_s[0] + np.median(np.diff(self.time_s)))

    def has(self, marker: str) -> bool:
        """Whether the marker is present as a column (it may still be all NaN)."""
        return marker in self.markers

    def index(self, marker: str) -> int:
        """Column index of ``marker``."""
        try:
            return self.markers.index(marker)
        except ValueError:
            raise KeyError(f"no marker {marker!r} in keypoints") from None

    def __getitem__(self, marker: str) -> FloatArray:
        """Return the (frames, 2) trajectory of one marker (read-only view)."""
        return self.xy[:, self.index(marker), :]

    def conf(self, marker: str) -> FloatArray:
        """Return the (frames,) confidence of one marker."""
        return self.confidence[:, self.index(marker)]

    def tracked_fraction(self, markers: Sequence[str] | None = None) -> float:
        """Fraction of frames in which all of ``markers`` (default: legs) are present."""
        names = [m for m in (markers or _LEG_MARKERS) if m in self.markers]
        if not names:
            return 0.0
        cols = [self.index(m) for m in names]
        ok = ~np.isnan(self.xy[:, cols, 0]).any(axis=1)
        return float(ok.mean())

    # ------------------------------------------------------------ derivation
    def replace(self, *, step: str | None = None, params: Mapping[str, Any] | None = None,
                **changes: Any) -> Keypoints:
        """Return a copy with ``changes`` applied and, if given, ``step`` logged.

        Examples
        --------
        >>> kp2 = kp.replace(xy=smoothed, step="lowpass", params={"cutoff_hz": 8})  # doctest: +SKIP
        """
        values: dict[str, Any] = {
            "xy": self.xy,
            "confidence": self.confidence,
            "markers": self.markers,
            "time_s": self.time_s,
            "fps": self.fps,
            "image_size": self.image_size,
            "source": self.source,
            "provenance": self.provenance,
        }
        values.update(changes)
        if step is not None:
            values["provenance"] = tuple(values["provenance"]) + (
                ProvenanceStep(step, dict(params or {})),
            )
        return Keypoints(**values)

    def slice_frames(self, start: int, stop: int) -> Keypoints:
        """Return frames ``start:stop`` (times keep their origin)."""
        sl = slice(start, stop)
        return self.replace(
            xy=self.xy[sl], confidence=self.confidence[sl], time_s=self.time_s[sl],
            step="slice_frames", params={"start": start, "stop": stop},
        )

    def with_markers(self, markers: Sequence[str]) -> Keypoints:
        """Return keypoints restricted to (and ordered as) ``markers``; absent ones are NaN."""
        n = self.n_frames
        xy = np.full((n, len(markers), 2), np.nan)
        conf = np.zeros((n, len(markers)))
        for j, m in enumerate(markers):
            if m in self.markers:
                i = self.index(m)
                xy[:, j] = self.xy[:, i]
                conf[:, j] = self.confidence[:, i]
        return self.replace(xy=xy, confidence=conf, markers=tuple(markers))

    def provenance_dicts(self) -> list[dict[str, Any]]:
        """Provenance log as JSON-friendly dicts."""
        return [p.to_dict() for p in self.provenance]

    @classmethod
    def from_arrays(
        cls,
        arrays: Mapping[str, FloatArray],
        *,
        fps: float,
        time_s: FloatArray | None = None,
        confidence: Mapping[str, FloatArray] | None = None,
        image_size: tuple[int, int] | None = None,
        source: str = "arrays",
    ) -> Keypoints:
        """Build keypoints from a mapping ``marker -> (frames, 2)`` array.

        Examples
        --------
        >>> import numpy as np
        >>> kp = Keypoints.from_arrays({"left_hip": np.zeros((3, 2))}, fps=30)
        >>> kp.n_frames, kp.markers
        (3, ('left_hip',))
        """
        names = tuple(arrays)
        if not names:
            raise InputError("no markers given")
        xy = np.stack([np.asarray(arrays[m], dtype=float) for m in names], axis=1)
        n = xy.shape[0]
        if confidence is None:
            conf = np.where(np.isnan(xy).any(axis=2), 0.0, 1.0)
        else:
            conf = np.stack([np.asarray(confidence[m], dtype=float) for m in names], axis=1)
        t = np.arange(n) / float(fps) if time_s is None else np.asarray(time_s, dtype=float)
        return cls(xy=xy, confidence=conf, markers=names, time_s=t, fps=fps,
                   image_size=image_size, source=source)


_LEG_MARKERS = ("left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle")
