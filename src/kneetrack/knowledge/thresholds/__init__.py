"""Threshold data files (YAML) used by the kinematics and screening engines."""
