"""Hypothesis profiles for the fuzz tests.

``ci`` (the default) is bounded: a fixed seed (``derandomize``) and few enough
examples that every fuzz test together takes well under a minute on two cores.
``fuzz`` (``make fuzz``, or ``HYPOTHESIS_PROFILE=fuzz``) runs many more, still
reproducible from the printed seed.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, derandomize=True, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "fuzz", max_examples=1000, derandomize=False, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
