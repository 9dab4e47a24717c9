"""Synthetic movers with known truth, for tests and accuracy benchmarks.

3D body models move in a world frame (metres; x = runner's forward, y = runner's
left, z = up) and are seen through a pinhole :class:`~kneetrack_synthetic.camera.Camera`
from the front, the rear or either side, giving :class:`~kneetrack.keypoints.Keypoints`
plus the truth they were made from.
"""
