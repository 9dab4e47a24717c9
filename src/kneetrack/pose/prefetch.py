"""Decoding ahead of inference in a thread, and glibc's malloc arenas in pose workers."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from kneetrack.video.reader import Frame


def prefetch(frames: Iterable[Frame], depth: int, *, early: int = 0) -> Iterator[Frame]:
    """Decode ahead in a thread, keeping at most ``depth`` frames in memory.

    The thread starts at once. Until the first frame is taken it may decode up to
    ``early`` frames ahead instead: a worker building its graph meanwhile then
    finds frames waiting.
    """
    q: queue.Queue[Any] = queue.Queue(maxsize=max(depth, early))
    stop = threading.Event()
    taken = threading.Event()
    done = object()

    def fill() -> None:
        try:
            for fr in frames:
                while not stop.is_set():
                    if taken.is_set() and q.qsize() >= depth:
                        stop.wait(0.002)  # back to ``depth`` once inference runs
                        continue
                    try:
                        q.put(fr, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(done)
        except BaseException as err:  # noqa: BLE001 - handed to the consumer
            q.put(err)

    th = threading.Thread(target=fill, name="kneetrack-decode", daemon=True)
    th.start()
    return _drain(q, th, stop, taken, done)


def _drain(q: queue.Queue[Any], th: threading.Thread, stop: threading.Event,
           taken: threading.Event, done: object) -> Iterator[Frame]:
    try:
        while True:
            item = q.get()
            taken.set()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while th.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                th.join(timeout=0.05)


def limit_malloc_arenas(n: int = 2) -> None:
    """Cap glibc's malloc arenas in this process (a no-op elsewhere).

    The decode thread allocates frames that the inference thread frees; with an
    arena per thread the freed memory is scattered, and a worker's RSS swings
    higher: on a 10-minute clip the highest swing was 413 MiB with glibc's
    default and 377 MiB with two arenas.
    """
    import ctypes

    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").mallopt(-8, n)  # M_ARENA_MAX
