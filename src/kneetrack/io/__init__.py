"""Keypoint file formats: TRC (Sports2D style), OpenPose JSON folders, CSV."""
