"""Pose estimation over one video in several worker processes.

BlazePose costs ~25 ms of CPU per frame on one core, whatever the frame size;
decoding a 1080p H.264 frame and converting it to RGB adds a few more. This
module splits the video into contiguous chunks of frames and runs them in
worker processes, each with its own MediaPipe graph: as many as
:func:`kneetrack.pose.plan.plan_pose` plans for the clip (one for short clips,
up to one per core), or as ``workers`` says. Even one graph runs in a worker
process, so that this process is free meanwhile (``while_waiting``).

Design
------
* **Each worker decodes its own chunk.** The main process first demuxes the
  video's packets (no decoding: milliseconds per thousand frames) to get the
  presentation time of every frame, so frame ``i`` has an exact index and time
  without decoding anything before it. A worker seeks to the key frame before
  its chunk, decodes up to it without colour conversion, and converts only the
  frames it needs. No frames cross a process boundary; only landmarks do
  (a few kB per chunk).
* **Decoding overlaps inference** inside each worker: a decode thread fills a
  small bounded queue (PyAV and MediaPipe both release the GIL while working).
  It starts on the worker's first chunk before the graph is built, so the
  graph's start-up overlaps decoding too.
* **The first pose process may be started ahead** (:mod:`kneetrack.pose.warm`):
  ``kneetrack analyze VIDEO`` starts it before parsing its arguments, and it
  imports MediaPipe while this process probes the clip and plans; the run then
  hands it its arguments (``while_waiting.pose_process()``) instead of
  spawning a new one.
* **Native log lines** (MediaPipe's ``W0000 …``, TFLite's ``INFO: …``) are kept
  off the terminal: each worker filters its stderr before MediaPipe loads
  (:mod:`kneetrack.pose.native_logs`).
* **Tracking continuity across chunk boundaries.** BlazePose in video mode
  tracks the person from the previous frame's landmarks. Each chunk after the
  first starts ``overlap_frames`` frames early with a freshly reset graph; those
  warm-up frames run the detector and lock the tracker onto the runner, and are
  then discarded, so the stitched series has one pose per frame computed from
  a tracker already following the runner (the parallel result matches the
  single-process one to well under 2 px median; ``tests/pose/test_parallel.py``).
* **Frames are downscaled before inference** to ``max_side_px`` (the same
  default as the single-process path): the model crops and resizes internally,
  so this only saves decode/convert time and memory. Landmarks are returned in
  original-video pixels.
* **Memory is bounded**: streaming decode, a prefetch queue of a few frames per
  worker, small per-chunk results. The only whole-video arrays are the
  keypoints themselves (frames × markers × 2 floats).
* Workers are started with the ``spawn`` context (MediaPipe is not fork-safe),
  ignore Ctrl-C (the parent stops them), and a crash or a decode error in a
  worker becomes a one-line :class:`~kneetrack.errors.KneetrackError` /
  :class:`~kneetrack.errors.InputError`.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing as mp
import queue
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kneetrack.core.cores import available_cores  # noqa: F401 - re-exported for callers
from kneetrack.errors import InputError, KneetrackError, NoPersonError
from kneetrack.keypoints import Keypoints
from kneetrack.pose.native_logs import filter_process_stderr
from kneetrack.pose.plan import (
    MAX_CHUNK_FRAMES,
    MIN_CHUNK_FRAMES,
    PoseWaiter,
    plan_pose,
)
from kneetrack.pose.prefetch import limit_malloc_arenas, prefetch
from kneetrack.pose.sequential import (  # make_backend, reset_tracking: re-exported
    DEFAULT_MAX_SIDE_PX,
    MIN_DETECTED_FRAMES,
    estimate_sequential,
    make_backend,
    reset_tracking,
)
from kneetrack.video.reader import (
    Frame,
    VideoInfo,
    _target_size,
    _upright,
    frame_to_rgb,
    probe_video,
)
from kneetrack.video.table import (  # noqa: F401 - FrameTable re-exported for callers
    FrameTable,
    SeekFailedError,
    decode_range,
    frame_table,
)

if TYPE_CHECKING:
    from kneetrack.video.kept import FrameStore

#: Frames run before each chunk (after the first) to lock the tracker on; then discarded.
DEFAULT_OVERLAP_FRAMES = 6
#: Frames decoded ahead of inference in each worker.
PREFETCH_FRAMES = 4
#: Frames decoded ahead while a worker builds its graph (its start-up overlaps decoding).
START_PREFETCH_FRAMES = 24
#: Largest median landmark disagreement (px) on overlapping frames that still counts as
#: the same tracked person; above it the chunk is run again as a continuation.
CONTINUITY_TOLERANCE_PX = 8.0
#: A worker reports progress every this many frames.
_PROGRESS_EVERY = 8


# --------------------------------------------------------------------------- frame table


# --------------------------------------------------------------------------- chunking


@dataclass(frozen=True)
class Chunk:
    """Frames ``[start, stop)`` to keep, decoded and tracked from ``warmup_start``."""

    id: int
    start: int
    stop: int
    warmup_start: int


def plan_chunks(n_frames: int, *, workers: int,
                overlap_frames: int = DEFAULT_OVERLAP_FRAMES,
                key: np.ndarray | None = None, chunks: int | None = None) -> list[Chunk]:
    """Split ``n_frames`` into contiguous chunks for ``workers`` processes.

    ``chunks`` chunks (:func:`kneetrack.pose.plan.plan_pose` chooses them), or by
    default two per worker when the video is long enough (a worker that finishes
    early takes the next one, so a busy core does not hold up the end); none
    longer than :data:`MAX_CHUNK_FRAMES` or shorter than :data:`MIN_CHUNK_FRAMES`.
    Each chunk costs ``overlap_frames`` extra inferences and, after a seek, the
    decoding (without colour conversion) of the frames since the key frame before
    it. Given the key-frame flags ``key``, boundaries move (by less than a chunk's
    quarter) so that each chunk's warm-up starts on a key frame: nothing is
    decoded in vain.
    """
    if n_frames <= 0:
        return []
    n = max(2 * workers if chunks is None else chunks, math.ceil(n_frames / MAX_CHUNK_FRAMES))
    n = max(1, min(n, n_frames // MIN_CHUNK_FRAMES))
    edges = np.linspace(0, n_frames, n + 1).round().astype(int)
    if key is not None and n > 1:
        starts = np.flatnonzero(key[:n_frames]) + overlap_frames  # warm-up on a key frame
        slack = n_frames / n / 4
        for i in range(1, n):
            near = starts[np.abs(starts - edges[i]) <= slack] if starts.size else starts
            if near.size:
                best = int(near[np.argmin(np.abs(near - edges[i]))])
                if edges[i - 1] < best < edges[i + 1]:
                    edges[i] = best
    return [Chunk(id=i, start=int(a), stop=int(b), warmup_start=max(0, int(a) - overlap_frames))
            for i, (a, b) in enumerate(zip(edges[:-1], edges[1:], strict=True))]


# --------------------------------------------------------------------------- worker side


def _iter_chunk(info: VideoInfo, table_pts: np.ndarray, times: np.ndarray, first: int,
                stop: int, *, max_side_px: int | None, seek: bool,
                store: FrameStore | None = None) -> Iterator[Frame]:
    """Decode frames ``first..stop-1`` (indices of the whole video) as upright RGB Frames.

    ``table_pts``/``times`` hold the pts and times of frames ``first..stop-1``.
    ``store`` also keeps each frame from its ``first`` on (:mod:`kneetrack.video.kept`).
    """
    size: tuple[int, int] | None = None
    for index, frame in decode_range(info, table_pts[:stop - first], first, seek=seek):
        if size is None:
            if info.rotation_deg in (90, 270):
                th, tw = _target_size(frame.height, frame.width, max_side_px)
            else:
                tw, th = _target_size(frame.width, frame.height, max_side_px)
            size = (tw, th)
        img = None
        if store is not None and index >= store.first:
            img = store.keep(index, frame, info.rotation_deg, pose_size=size)
        if img is None:
            img = frame_to_rgb(frame, *size)
        yield Frame(index=index, time_s=float(times[index - first]),
                    image=_upright(img, info.rotation_deg), original_size=info.image_size)


def _chunk_frames(info: VideoInfo, task: tuple[Any, ...], max_side_px: int | None, *,
                  seek: bool, early: int = 0, store: FrameStore | None = None
                  ) -> Iterator[Frame]:
    chunk, pts, times, _ = task
    return prefetch(_iter_chunk(info, pts, times, chunk.warmup_start, chunk.stop,
                                 max_side_px=max_side_px, seek=seek, store=store),
                    PREFETCH_FRAMES, early=early)


def prepare_worker() -> None:
    """What a pose process does first: before MediaPipe loads, before any thread starts."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    filter_process_stderr()  # before MediaPipe loads: its native log lines stay off the terminal
    import cv2

    cv2.setNumThreads(1)  # one worker per core already: OpenCV's threads only contend
    limit_malloc_arenas()


def _worker_main(worker_id: int, info: VideoInfo, backend_spec: str, max_side_px: int | None,
                 tasks: Any, results: Any, t_spawn: float = 0.0, threads: int = 1,
                 keep: tuple[int, int] | None = None) -> None:
    """A pose process started for its run: prepare, then :func:`serve_chunks`."""
    prepare_worker()
    serve_chunks(worker_id, info, backend_spec, max_side_px, t_spawn, threads, keep,
                 tasks=tasks, results=results)


def serve_chunks(worker_id: int, info: VideoInfo, backend_spec: str, max_side_px: int | None,
                 t_spawn: float, threads: int, keep: tuple[int, int] | None, *,
                 tasks: Any, results: Any) -> None:
    """Process chunks from ``tasks`` until a ``None``; report on ``results``.

    The graph's models run on ``threads`` threads (the plan's: the cores this
    worker has to itself). ``keep``: keep every frame of the (one) chunk at this
    upright size, and run :class:`~kneetrack.video.kept.RunOnKept` work on them
    once pose is done (the graph is closed first, to free its memory).

    The first chunk starts decoding before the graph is built, so the graph's
    start-up overlaps decoding. ``("ready", …)`` carries the seconds from the
    parent's spawn call (or hand-over, for a :mod:`warm <kneetrack.pose.warm>`
    process) to the graph being ready (``t_spawn``: its ``time.time()``).
    """
    from kneetrack.video.kept import FrameStore, RunOnKept

    task = tasks.get()
    early = None
    store = None
    if keep is not None and isinstance(task, tuple):
        store = FrameStore(size=keep, first=task[0].start)
    if task is not None:  # decode the first chunk while the graph is built
        early = _chunk_frames(info, task, max_side_px, seek=True, early=START_PREFETCH_FRAMES,
                              store=store)
    try:
        backend = make_backend(backend_spec, threads=threads)
        model = getattr(backend, "_model", None)
        if callable(model):
            model()  # build the graph now, while the first frames decode
        results.put(("ready", worker_id, backend.name, tuple(backend.markers),
                     dict(getattr(backend, "params", {})),
                     time.time() - t_spawn if t_spawn else None))
    except BaseException as err:  # noqa: BLE001 - reported to the parent
        results.put(("error", worker_id, -1, type(err).__name__, str(err)))
        return
    m = len(backend.markers)
    try:
        while task is not None:
            if isinstance(task, RunOnKept):
                if backend is not None:
                    backend.close()  # pose is done: free the graph's memory for the work
                    backend = None
                results.put(task.run(store if store is not None else FrameStore(size=(0, 0))))
                task = tasks.get()
                continue
            chunk, _, _, report = task
            try:
                reset_tracking(backend)
                n = chunk.stop - chunk.warmup_start
                xy = np.full((n, m, 2), np.nan)
                conf = np.zeros((n, m))
                try:
                    frames = early or _chunk_frames(info, task, max_side_px, seek=True)
                    early = None
                    _run_chunk(backend, frames, chunk, xy, conf, results, report=report)
                except SeekFailedError:
                    reset_tracking(backend)
                    xy[:] = np.nan
                    conf[:] = 0.0
                    if store is not None:
                        store.clear()
                    frames = _chunk_frames(info, task, max_side_px, seek=False, store=store)
                    _run_chunk(backend, frames, chunk, xy, conf, results, report=False)
                results.put(("done", worker_id, chunk.id, xy, conf))
            except KneetrackError as err:
                results.put(("error", worker_id, chunk.id, type(err).__name__, str(err)))
                return
            except Exception as err:  # noqa: BLE001 - reported to the parent
                results.put(("error", worker_id, chunk.id, type(err).__name__,
                             f"{type(err).__name__}: {err}"))
                return
            task = tasks.get()
    finally:
        with contextlib.suppress(Exception):  # closing on the way out
            if backend is not None:
                backend.close()


def _run_chunk(backend: Any, frames: Iterable[Frame], chunk: Chunk, xy: np.ndarray,
               conf: np.ndarray, results: Any, *, report: bool = True) -> None:
    """Run the backend over a chunk; rows are frames ``warmup_start..stop-1``."""
    pending = 0
    for pose in backend.process(frames):
        xy[pose.index - chunk.warmup_start] = pose.xy
        conf[pose.index - chunk.warmup_start] = pose.confidence
        if pose.index < chunk.start:
            continue  # warm-up frame: tracker locking on; not counted
        pending += 1
        if report and pending >= _PROGRESS_EVERY:
            results.put(("progress", pending))
            pending = 0
    if report and pending:
        results.put(("progress", pending))


# --------------------------------------------------------------------------- parent side


def _check_detected(xy: np.ndarray, info: VideoInfo) -> None:
    n = xy.shape[0]
    detected = int(np.isfinite(xy).any(axis=(1, 2)).sum())
    if detected < min(MIN_DETECTED_FRAMES, max(1, n)):
        raise NoPersonError(
            f"{info.path}: no person detected ({detected} of {n} frames); "
            "film the runner whole, from the front, rear or side"
        )


class _Stitcher:
    """Assemble chunk results in order, checking each boundary for tracking continuity.

    Chunk ``k``'s warm-up frames are also the last frames of chunk ``k-1``. If,
    on the last warm-up frame, the two runs disagree (the fresh detector locked
    onto someone else than the tracker was following, e.g. in a crowded scene),
    chunk ``k`` is run again as a continuation of chunk ``k-1`` (from the same
    start, so the tracker state at the boundary is the single-process one).
    """

    def __init__(self, chunks: Sequence[Chunk], total: int) -> None:
        self.chunks = list(chunks)
        self.total = total
        self.xy: np.ndarray = np.empty(0)
        self.conf: np.ndarray = np.empty(0)
        self._raw: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._start = {c.id: c.warmup_start for c in chunks}  # where each run really started
        self._final = 0  # chunks 0.._final-1 are settled into xy/conf
        self._repairing: set[int] = set()
        self.repairs = 0

    @property
    def complete(self) -> bool:
        """Whether every chunk is settled."""
        return self._final == len(self.chunks)

    def add(self, cid: int, xy: np.ndarray, conf: np.ndarray) -> list[Chunk]:
        """Take one chunk's rows (from its warm-up start); return chunks to run again."""
        if self.xy.size == 0:
            self.xy = np.full((self.total, xy.shape[1], 2), np.nan)
            self.conf = np.zeros((self.total, xy.shape[1]))
        self._raw[cid] = (xy, conf)
        self._repairing.discard(cid)
        redo: list[Chunk] = []
        while self._final < len(self.chunks):
            k = self._final
            if k not in self._raw or k in self._repairing:
                break
            c = self.chunks[k]
            rxy, rconf = self._raw[k]
            off = c.start - self._start[k]
            if k > 0 and not self._continuous(k, rxy[:off]):
                prev = self.chunks[k - 1]
                self._start[k] = self._start[prev.id]
                again = Chunk(id=k, start=c.start, stop=c.stop, warmup_start=self._start[k])
                del self._raw[k]
                self._repairing.add(k)
                self.repairs += 1
                redo.append(again)
                break
            self.xy[c.start:c.stop] = rxy[off:]
            self.conf[c.start:c.stop] = rconf[off:]
            del self._raw[k]
            self._final += 1
        return redo

    def _continuous(self, k: int, warm: np.ndarray) -> bool:
        c = self.chunks[k]
        # The fresh tracker enters the chunk with what it found on its last warm-up frame;
        # the frames before are it settling (its first frames can be 30 px off while on the
        # same person), so the last one alone decides.
        n = min(1, warm.shape[0])
        if n == 0 or self._start[k] <= self.chunks[k - 1].warmup_start:
            return True  # a continuation run: continuous by construction
        ours = warm[-n:]
        theirs = self.xy[c.start - n:c.start]
        a = np.isfinite(ours).all(axis=-1)
        b = np.isfinite(theirs).all(axis=-1)
        if (a.any(axis=1) != b.any(axis=1)).any():
            return False  # one run sees a person where the other sees none
        both = a & b
        if not both.any():
            return True
        d = np.linalg.norm(ours - theirs, axis=-1)[both]
        return bool(np.median(d) <= CONTINUITY_TOLERANCE_PX)


def _stop_workers(procs: Sequence[Any], tasks: Any, *, graceful: bool) -> None:
    if graceful:
        for _ in procs:
            with contextlib.suppress(Exception):  # queue already broken
                tasks.put_nowait(None)
        for p in procs:
            p.join(timeout=5)
    for p in procs:
        if p.is_alive():
            p.terminate()
    for p in procs:
        p.join(timeout=5)
        if p.is_alive():  # pragma: no cover - last resort
            p.kill()
            p.join(timeout=2)


def estimate_video_parallel(
    info: VideoInfo | str | Path,
    *,
    workers: int | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    max_side_px: int | None = DEFAULT_MAX_SIDE_PX,
    overlap_frames: int = DEFAULT_OVERLAP_FRAMES,
    backend_spec: str = "mediapipe",
    while_waiting: PoseWaiter | None = None,
) -> Keypoints:
    """Estimate the runner's keypoints in every frame, in ``workers`` processes.

    Parameters
    ----------
    info
        The probed video (or its path).
    workers
        Pose processes. ``None``: :func:`~kneetrack.pose.plan.plan_pose` chooses
        from the clip's length and the cores (one process and one graph for short
        clips); a number forces it (``1`` still runs the graph in a worker process
        unless this process may not start one).
    progress
        ``progress(done, total)`` callback, called in this process.
    max_side_px
        Longer side frames are downscaled to before inference.
    overlap_frames
        Warm-up frames run before each chunk to lock the tracker on, then discarded.
    backend_spec
        ``"mediapipe"`` or ``"module:factory"`` naming a zero-argument backend factory.
    while_waiting
        Called once in this process with the plan after the workers have started
        (e.g. to import the analysis code meanwhile), or with ``None`` before the
        graph runs in this process; its ``core_free`` once when fewer chunks are
        left than workers (:class:`~kneetrack.pose.plan.PoseWaiter`). Its
        exceptions stop the workers.

    Returns
    -------
    Keypoints
        Same layout, markers, times and provenance as the single-process
        :func:`kneetrack.pose.run.estimate_video`.

    Raises
    ------
    InputError
        The video cannot be decoded (raised by the worker that found it).
    NoPersonError
        (Almost) no frame has a person in it.
    KneetrackError
        A worker process stopped unexpectedly.
    """
    if not isinstance(info, VideoInfo):
        info = probe_video(info)
    if workers is not None and int(workers) < 1:
        raise KneetrackError(f"workers must be at least 1, got {workers}")
    table = frame_table(info)
    if (table is not None and getattr(info, "frames_exact", False)
            and table.n_frames < 0.95 * info.frames - 1):
        # Same rule as the sequential reader: a clip missing its end is reported, not analysed.
        raise InputError(f"{info.path} is truncated: only {table.n_frames} of its "
                         f"{info.frames} frames could be decoded")
    if table is None or mp.current_process().daemon:
        # No frame table to seek with, or a daemonic process (e.g. inside a pool), which
        # may not start processes: the graph runs here.
        if while_waiting is not None:
            unused = while_waiting.pose_process()  # a pose process started ahead is not needed
            if unused is not None:
                unused.close()
            while_waiting(None)
        return _single_process(info, progress=progress, max_side_px=max_side_px,
                               backend_spec=backend_spec)
    plan = plan_pose(table.n_frames, megapixels=info.width * info.height / 1e6,
                     cores=available_cores(), workers=workers, overlap_frames=overlap_frames,
                     fps=info.fps)
    chunks = plan_chunks(table.n_frames, workers=plan.workers, overlap_frames=overlap_frames,
                         key=table.key, chunks=plan.chunks if workers is None else None)
    n_workers = min(plan.workers, len(chunks))
    total = table.n_frames
    keep = None
    if while_waiting is not None and n_workers == 1 and len(chunks) == 1:
        from kneetrack.video.kept import KEEP_MAX_BYTES, kept_bytes

        keep = while_waiting.keep_size(plan, info)
        if keep is not None and kept_bytes(total, keep) > KEEP_MAX_BYTES:
            keep = None

    # taken where it is used: an error before this leaves it to the waiter to close
    warm = while_waiting.pose_process() if while_waiting is not None else None
    ctx = mp.get_context("spawn")
    tasks = warm.tasks if warm is not None else ctx.Queue()
    results = warm.results if warm is not None else ctx.Queue()

    outstanding = 0  # chunks handed out and not yet done

    def submit(c: Chunk, *, report: bool) -> None:
        nonlocal outstanding
        sl = slice(c.warmup_start, c.stop)
        tasks.put((c, table.pts[sl].copy(), table.time_s[sl].copy(), report))
        outstanding += 1

    for c in chunks:
        submit(c, report=True)
    t_spawn = time.time()
    procs = [] if warm is None else [warm.process]  # started ahead: worker 0
    procs += [ctx.Process(target=_worker_main, name=f"kneetrack-pose-{i}",
                          args=(i, info, backend_spec, max_side_px, tasks, results, t_spawn,
                                plan.threads, keep),
                          daemon=True)
              for i in range(len(procs), n_workers)]
    stitch = _Stitcher(chunks, total)
    meta: tuple[str, tuple[str, ...], dict[str, Any]] | None = None
    started: list[float] = []
    ok = False
    freed = n_workers < 2  # core_free is for a pose process that ran out of chunks
    try:
        if warm is not None:
            warm.begin((0, info, backend_spec, max_side_px, t_spawn, plan.threads, keep))
        for p in procs[0 if warm is None else 1:]:
            p.start()
        if while_waiting is not None:
            while_waiting(plan)
        done_frames = 0
        while not stitch.complete:
            try:
                msg = results.get(timeout=0.5)
            except queue.Empty:
                dead = [p for p in procs if not p.is_alive() and p.exitcode not in (0, None)]
                if dead or not any(p.is_alive() for p in procs):
                    code = dead[0].exitcode if dead else 0
                    raise KneetrackError(
                        f"pose worker stopped unexpectedly (exit code {code}) while analysing "
                        f"{info.path}; try --workers 1 or free some memory") from None
                continue
            kind = msg[0]
            if kind == "progress":
                done_frames += msg[1]
                if progress is not None:
                    progress(min(done_frames, total), total)
            elif kind == "ready":
                if meta is None:
                    meta = (msg[2], msg[3], msg[4])
                if msg[5] is not None:
                    started.append(round(msg[5], 3))
            elif kind == "done":
                _, _, cid, cxy, cconf = msg
                outstanding -= 1
                for repair in stitch.add(cid, cxy, cconf):
                    submit(repair, report=False)
                if not freed and 0 < outstanding < n_workers:
                    freed = True  # a pose process has nothing left to do; the others run on
                    if while_waiting is not None:
                        while_waiting.core_free(plan)
            elif kind == "error":
                _, _, _, name, text = msg
                if name in ("InputError", "NoPersonError"):
                    raise InputError(text)
                raise KneetrackError(f"pose estimation failed on {info.path}: {text}")
        ok = True
    finally:
        if ok and keep is not None and while_waiting is not None:
            # The worker stays, holding the clip's frames, for whoever waited (who closes it).
            from kneetrack.video.kept import KeptFrames

            while_waiting.frames_kept(KeptFrames(procs[0], tasks, results, size=keep,
                                                 frames=total, source=(info, table)))
        else:
            _stop_workers(procs, tasks, graceful=ok)
            tasks.close()
            results.close()
    assert meta is not None
    xy, conf = stitch.xy, stitch.conf
    if progress is not None:
        progress(total, total)
    _check_detected(xy, info)
    name, markers, params = meta
    params = dict(params)
    params.update({"video": str(info.path), "rotation_deg": info.rotation_deg,
                   "max_side_px": max_side_px})
    kp = Keypoints(xy=xy, confidence=conf, markers=tuple(markers), time_s=table.time_s.copy(),
                   fps=info.fps, image_size=info.image_size, source=name)
    return kp.replace(step="pose", params={"backend": name, **params,
                                           "workers": n_workers, "chunks": len(chunks),
                                           "overlap_frames": overlap_frames,
                                           "rerun_chunks": stitch.repairs,
                                           "graph_ready_s": started,
                                           "frames_kept": keep is not None, **plan.to_params()})


def _single_process(info: VideoInfo, *, progress: Callable[[int, int | None], None] | None,
                    max_side_px: int | None, backend_spec: str) -> Keypoints:
    backend = make_backend(backend_spec)
    try:
        return estimate_sequential(info, backend=backend, progress=progress,
                                   max_side_px=max_side_px)
    finally:
        backend.close()
