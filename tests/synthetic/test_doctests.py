"""The runnable examples in the synthetic modules' docstrings stay correct."""

from __future__ import annotations

import doctest

import pytest
from kneetrack_synthetic import angles2d, camera, runner, runner_params


@pytest.mark.parametrize("module", [angles2d, camera, runner, runner_params])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
