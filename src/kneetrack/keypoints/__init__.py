"""Keypoints: the hub type every pose backend and importer produces."""

from kneetrack.keypoints.container import Keypoints, ProvenanceStep
from kneetrack.keypoints.markers import CANONICAL, LOWER_LIMB, canonical_name

__all__ = ["CANONICAL", "LOWER_LIMB", "Keypoints", "ProvenanceStep", "canonical_name"]
