"""Camera views: which way the camera looks at the runner (``DESIGN.md``).

One enum for every layer. :class:`View` is a :class:`~enum.StrEnum`, so a view
*is* its string: ``View.FRONT == "front"``, it hashes like ``"front"``, and it
is written to ``analysis.json`` and JSON as ``"front"``. Code that still holds
a plain string keeps working; new code asks the view what it is
(``view.frontal``, ``view.sagittal``, ``view.family``) instead of testing
membership in a tuple of strings.

``front`` = camera in front of the runner (the runner's left leg appears on
the image's right), ``rear`` = camera behind, ``side-right`` = camera on the
runner's right side (the runner faces image +x), ``side-left`` = camera on the
left side.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from kneetrack.errors import SettingsError

__all__ = ["FRONTAL_VIEWS", "SAGITTAL_VIEWS", "View", "ViewFamily", "parse_view"]

ViewFamily = Literal["frontal", "sagittal"]


class View(StrEnum):
    """A camera view; its value is the contract string.

    Examples
    --------
    >>> View("rear").frontal, View.SIDE_LEFT.sagittal, View.FRONT.family
    (True, True, 'frontal')
    >>> View.FRONT == "front", f"{View.SIDE_RIGHT}"
    (True, 'side-right')
    >>> View.REAR.medial_sign("left"), View.FRONT.medial_sign("left")
    (1.0, -1.0)
    """

    FRONT = "front"
    REAR = "rear"
    SIDE_LEFT = "side-left"
    SIDE_RIGHT = "side-right"

    @property
    def frontal(self) -> bool:
        """Whether the camera looks at the runner from the front or behind."""
        return self in FRONTAL_VIEWS

    @property
    def sagittal(self) -> bool:
        """Whether the camera looks at the runner from one side."""
        return self in SAGITTAL_VIEWS

    @property
    def family(self) -> ViewFamily:
        """``"frontal"`` (front, rear) or ``"sagittal"`` (side-left, side-right)."""
        return "frontal" if self.frontal else "sagittal"

    @property
    def near_leg(self) -> str | None:
        """The leg nearer the camera in a side view (``None`` for frontal views)."""
        return {View.SIDE_RIGHT: "right", View.SIDE_LEFT: "left"}.get(self)

    @property
    def far_leg(self) -> str | None:
        """The leg on the far side of the camera in a side view (``None`` for frontal views)."""
        return {View.SIDE_RIGHT: "left", View.SIDE_LEFT: "right"}.get(self)

    @property
    def forward_sign(self) -> float:
        """Image x direction the runner faces in a side view: +1 (``side-right``), -1, 0."""
        return {View.SIDE_RIGHT: 1.0, View.SIDE_LEFT: -1.0}.get(self, 0.0)

    def medial_sign(self, leg: str) -> float:
        """Image x direction towards the body midline from ``leg`` (frontal views).

        From the front the left leg appears on the image's right, so its
        midline is image -x; from behind it is +x. Side views raise
        ``ValueError`` (there is no medial direction in the image).
        """
        if not self.frontal:
            raise ValueError(f"a {self.value} view has no medial direction in the image")
        if leg not in ("left", "right"):
            raise ValueError(f"leg must be 'left' or 'right', got {leg!r}")
        left = -1.0 if self is View.FRONT else 1.0
        return left if leg == "left" else -left


#: Views that see the frontal plane (FPPA, hip adduction, pelvic drop).
FRONTAL_VIEWS: tuple[View, ...] = (View.FRONT, View.REAR)
#: Views that see the sagittal plane (foot strike, shank angle, knee flexion).
SAGITTAL_VIEWS: tuple[View, ...] = (View.SIDE_LEFT, View.SIDE_RIGHT)


def parse_view(value: str | View | None, *, allowed: tuple[View, ...] = tuple(View),
               what: str = "view") -> View | None:
    """The :class:`View` named by ``value``; the one place a view is checked.

    ``None`` (view not given) stays ``None``.

    Parameters
    ----------
    value : str, View or None
        A contract string (``front``, ``rear``, ``side-left``, ``side-right``) or a view.
    allowed : tuple of View
        Views accepted here (e.g. :data:`FRONTAL_VIEWS` for the squat).
    what : str
        Name of the setting in the error message.

    Raises
    ------
    SettingsError
        ``value`` names no view, or one not in ``allowed`` (a one-line message
        listing the choices).

    Examples
    --------
    >>> parse_view("side-left")
    <View.SIDE_LEFT: 'side-left'>
    >>> parse_view(None) is None
    True
    >>> parse_view("side-left", allowed=FRONTAL_VIEWS)
    Traceback (most recent call last):
    ...
    kneetrack.errors.SettingsError: unknown view 'side-left'; choose one of front, rear
    """
    if value is None:
        return None
    try:
        view = View(value)
    except ValueError:
        view = None
    if view is None or view not in allowed:
        choices = ", ".join(v.value for v in allowed)
        raise SettingsError(f"unknown {what} {value!r}; choose one of {choices}")
    return view
