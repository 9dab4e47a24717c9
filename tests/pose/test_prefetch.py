"""Decoding ahead: up to ``early`` frames while the graph starts, then ``depth``."""

from __future__ import annotations

import time

import pytest

from kneetrack.pose.prefetch import prefetch


def _wait_for(cond, timeout=5.0):
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            return False
        time.sleep(0.005)
    return True


def test_decodes_ahead_while_the_graph_starts_then_keeps_depth():
    made: list[int] = []

    def frames():
        for i in range(100):
            made.append(i)
            yield i

    it = prefetch(frames(), 2, early=10)
    # nothing taken yet: the thread runs ahead up to ``early`` (+1 held by the producer)
    assert _wait_for(lambda: len(made) >= 10)
    time.sleep(0.05)
    assert len(made) <= 12
    got = [next(it) for _ in range(30)]
    assert got == list(range(30))
    time.sleep(0.1)
    # once frames are taken, the queue drains back to ``depth`` (+1 held by the producer)
    assert len(made) - 30 <= 3
    assert list(it) == list(range(30, 100))


def test_errors_reach_the_consumer():
    def frames():
        yield 1
        raise ValueError("decoder broke")

    it = prefetch(frames(), 2)
    assert next(it) == 1
    with pytest.raises(ValueError, match="decoder broke"):
        next(it)
