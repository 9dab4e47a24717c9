"""Array type aliases shared by every layer (typing only; numpy ≥ 1.21).

``FloatArray`` is what the keypoint and kinematics code passes around: float64
arrays of pixels, seconds or degrees, NaN where missing.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["BoolArray", "FloatArray", "IntArray", "LabelArray"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]
#: Per-frame string labels held in an object array (e.g. ``"left"``, ``"right"``, ``""``).
LabelArray = NDArray[np.object_]
