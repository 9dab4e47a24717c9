"""How to run pose estimation on one clip: how many graphs, how many chunks.

A second BlazePose graph only pays when the clip is long enough. Each pose
process costs a start-up (spawn, imports, building the graph, the first frame,
which runs the detector), every chunk after the first costs warm-up frames and
a fresh detector run, and in a crowded scene a chunk whose fresh detector picks
someone else is run again from the chunk before it. Meanwhile one graph leaves
the other core to decoding and to the main process, which imports the analysis
and report code while it waits.

A graph alone on the machine runs its models on a thread per core
(:mod:`~kneetrack.pose.inference_threads`), so a short clip still gets every
core, though less efficiently than from one graph per core.

:func:`plan_pose` predicts the wall time of one, two, … graphs from measured
costs (:class:`PoseCosts`) and takes the fewest graphs whose prediction is not
beaten by :data:`MIN_GAIN` or more by more graphs.

The costs are measured, not guessed: :func:`measure_costs` times them on a
clip (``benchmarks/video_throughput.py --costs`` prints them), and the defaults
are what it measured on the 2-core development machine (``docs/speed.md``).
"""

from __future__ import annotations

import math
import multiprocessing as mp
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from kneetrack.pose.inference_threads import MAX_THREADS

if TYPE_CHECKING:
    from kneetrack.pose.warm import WarmPoseProcess
    from kneetrack.video.kept import KeptFrames
    from kneetrack.video.reader import VideoInfo

#: A plan with more graphs must be predicted this much faster to be chosen. A chunk
#: boundary in a crowded scene can cost a rerun of two chunks (on the Sports2D demo
#: clip, 2 of 3 boundaries did), and on a busy machine a second graph gains less.
MIN_GAIN = 0.15
#: No chunk is shorter than this (frames).
MIN_CHUNK_FRAMES = 40
#: Chunks are at most this long, so that a slower (or busier) core does not hold up the end.
MAX_CHUNK_FRAMES = 600
#: How much slower one core may run than the other (another program, boost clocks): the
#: last chunk then finishes this fraction of a chunk late. More, shorter chunks let the
#: faster core take over; each costs warm-up frames and a detector run.
IMBALANCE = 0.1


@dataclass(frozen=True)
class PoseCosts:
    """Measured costs of pose estimation (seconds). Defaults: the development machine.

    Parameters
    ----------
    start_s
        A pose process from spawn to its first landmarks: interpreter, imports,
        graph, first frame (measured 0.44–0.54 s; 0.67–0.69 s in an earlier
        measurement).
    frame_s
        BlazePose per frame, tracking (measured 18.5–19.1 ms on the Sports2D demo
        clip scaled to 1280 px, 20.2–21.5 ms on the 1080p lab clip; up to 31 ms
        while the machine was busy).
    decode_s_per_mpx
        Decoding and converting a frame, per megapixel of input (measured 1.7–2.5 ms:
        3.0–4.3 ms for a 1.76 MPx Sports2D frame, 3.8–5.0 ms for a 2.07 MPx lab
        frame; 4.4–4.8 ms in an earlier measurement, before frames were scaled
        with OpenCV instead of swscale).
    prepare_s
        Imports the main process does while pose runs (kinematics, plots, report:
        measured 0.98–1.33 s, 2.0 s while the machine was busy).
    chunk_s
        Extra cost of a chunk after the first: the seek and the detector run on a
        fresh graph (warm-up frames are counted with ``frame_s``).
    thread_speedup
        How much faster one graph runs its models on two threads than on one
        (:mod:`~kneetrack.pose.inference_threads`), on frames decoded beforehand:
        measured 1.67–1.74 per frame (median) on the Sports2D demo clip and the
        1080p lab clip. Each thread stays busy meanwhile, so two threads cost
        about twice the wall time in CPU; and a graph with a thread per core
        waits while its frames decode (:func:`predict_s`). More threads are
        extrapolated with Amdahl's law (:meth:`speedup`).
    decode_wait
        How long a graph with a thread per core waits per frame while that frame's
        successor decodes, as a multiple of the decoding time: the model's threads
        wait for each other whenever decoding holds one of their cores. Fitted on
        the Sports2D demo clip (17.3 ms a frame with two threads and a decode
        thread, against 11.1 ms for the models alone and 3.9 ms of decoding); the
        plan it gives agrees with the whole-command measurements on the built 8 s
        and 20 s clips, which it was not fitted on (two graphs faster on both).
    """

    start_s: float = 0.5
    frame_s: float = 0.020
    decode_s_per_mpx: float = 0.0022
    prepare_s: float = 1.1
    chunk_s: float = 0.1
    thread_speedup: float = 1.7
    decode_wait: float = 1.6

    def speedup(self, threads: int) -> float:
        """How much faster a graph with ``threads`` threads runs than with one.

        Amdahl's law with the parallel share that ``thread_speedup`` implies for
        two threads.

        Examples
        --------
        >>> PoseCosts(thread_speedup=1.6).speedup(2)
        1.6
        >>> round(PoseCosts(thread_speedup=1.6).speedup(4), 2)
        2.29
        """
        if threads <= 1:
            return 1.0
        share = min(1.0, max(0.0, 2.0 * (1.0 - 1.0 / self.thread_speedup)))
        return 1.0 / ((1.0 - share) + share / threads)


#: The development machine's costs (see :class:`PoseCosts`).
MEASURED = PoseCosts()


@dataclass(frozen=True)
class PosePlan:
    """How one clip is run: ``workers`` graphs in as many processes, over ``chunks`` chunks.

    Each graph runs its models on ``threads`` threads (the cores it has to
    itself). ``predicted_s`` holds the predicted pose wall time for each number
    of graphs considered; ``forced`` is set when ``--workers`` chose the number.
    """

    workers: int
    chunks: int
    threads: int = 1
    frames: int = 0
    fps: float = 30.0
    predicted_s: dict[int, float] = field(default_factory=dict)
    forced: bool = False

    def to_params(self) -> dict[str, Any]:
        """The plan for the provenance log."""
        return {"planned_workers": self.workers, "planned_chunks": self.chunks,
                "planned_threads": self.threads,
                "predicted_s": {str(k): round(v, 2) for k, v in self.predicted_s.items()},
                "workers_forced": self.forced}


class PoseWaiter(Protocol):
    """What the caller of pose estimation does meanwhile (``while_waiting``).

    Called with the plan once the pose processes have started (``None`` before
    a graph runs in the caller's own process), and :meth:`core_free` once when
    a pose process has no chunk left while others still run: from then on a
    core is free (:class:`kneetrack.app.overlap.WhilePose` starts the annotated
    video's render processes there). When one graph runs the whole clip, it is
    asked first whether to keep the frames (:meth:`keep_size`), and handed the
    process holding them at the end (:meth:`frames_kept`). A pose process it
    started ahead, while the clip was being probed, becomes the run's first
    (:meth:`pose_process`).
    """

    def __call__(self, plan: PosePlan | None) -> None:
        """The pose processes have started (``plan``), or a graph runs here (``None``)."""

    def core_free(self, plan: PosePlan) -> None:
        """A pose process has finished its last chunk; others still run."""

    def keep_size(self, plan: PosePlan, info: VideoInfo) -> tuple[int, int] | None:
        """Before one graph runs a whole clip: the size to keep its frames at, or ``None``.

        Kept frames (:mod:`kneetrack.video.kept`) spare a second pass over the
        clip its decoding; the pose process then stays, holding them, and is
        handed over with :meth:`frames_kept`.
        """

    def frames_kept(self, kept: KeptFrames) -> None:
        """Pose is done; the process holding the kept frames is now the waiter's to close."""

    def pose_process(self) -> WarmPoseProcess | None:
        """A pose process the waiter started ahead (:mod:`kneetrack.pose.warm`), or ``None``.

        Asked once, before the run starts its processes: the run takes it over
        as its first pose process, or closes it when the graph runs here.
        """


def _chunk_options(n_frames: int, workers: int) -> list[int]:
    if workers <= 1:
        return [1]
    # a whole number of chunks per worker, each at most MAX_CHUNK_FRAMES long
    per = math.ceil(math.ceil(n_frames / MAX_CHUNK_FRAMES) / workers)
    top = max(1, n_frames // MIN_CHUNK_FRAMES)
    return sorted({max(1, min(workers * max(k, per), top)) for k in (1, 2)})


def graph_threads(workers: int, cores: int) -> int:
    """Threads for each graph's models: the cores each graph has to itself.

    Examples
    --------
    >>> graph_threads(1, 2), graph_threads(2, 2), graph_threads(2, 8), graph_threads(1, 16)
    (2, 1, 4, 4)
    """
    return max(1, min(MAX_THREADS, cores // max(1, workers)))


def predict_s(n_frames: int, workers: int, chunks: int, *, megapixels: float, cores: int,
              costs: PoseCosts = MEASURED, overlap_frames: int = 6,
              threads: int | None = None) -> float:
    """Predicted wall time of pose estimation with ``workers`` graphs over ``chunks`` chunks.

    The longer of the critical path and the CPU work spread over the cores,
    after the start-up:

    - the critical path: the busiest graph's frames, sped up by its ``threads``
      (default :func:`graph_threads`); a graph with more than one thread also
      waits while its frames decode, since decoding takes one of its cores
      (:attr:`PoseCosts.decode_wait`);
    - the CPU work: every graph's frames (each thread busy throughout),
      decoding, the start-ups and the main process's imports.
    """
    if threads is None:
        threads = graph_threads(workers, cores)
    speed = costs.speedup(threads)
    extra = max(0, chunks - 1)
    infer = n_frames * costs.frame_s + extra * (overlap_frames * costs.frame_s + costs.chunk_s)
    decode = n_frames * costs.decode_s_per_mpx * megapixels
    per_graph = infer / workers if workers > 1 else infer
    if workers > 1:  # the busiest graph holds a whole chunk more when chunks do not divide evenly
        per_graph = max(per_graph, infer / chunks * math.ceil(chunks / workers))
        per_graph += IMBALANCE * infer / chunks
    per_graph /= speed
    if threads > 1:
        per_graph += costs.decode_wait * decode / workers * min(1.0, threads / max(1, cores))
    cpu = infer * threads / speed + decode + workers * costs.start_s + costs.prepare_s
    return costs.start_s + max(per_graph, cpu / max(1, cores))


def plan_pose(n_frames: int, *, megapixels: float, cores: int, workers: int | None = None,
              costs: PoseCosts = MEASURED, overlap_frames: int = 6,
              fps: float = 30.0) -> PosePlan:
    """Choose the graphs and chunks for a clip of ``n_frames`` frames.

    Parameters
    ----------
    n_frames
        Frames in the clip.
    megapixels
        Size of one input frame (decoding cost grows with it).
    cores
        CPU cores available.
    workers
        Force this many graphs (``--workers``); chunks are still planned.
    costs
        Measured costs; default :data:`MEASURED`.
    overlap_frames
        Warm-up frames per chunk after the first.
    fps
        The clip's frame rate (recorded in the plan, for planning the render).

    Examples
    --------
    >>> plan_pose(230, megapixels=1.76, cores=2).workers   # 7.7 s at 30 fps: one graph
    1
    >>> plan_pose(3600, megapixels=2.07, cores=2).workers  # 60 s at 60 fps: one per core
    2
    """
    most = max(1, min(cores, n_frames // MIN_CHUNK_FRAMES or 1))
    options = [workers] if workers is not None else list(range(1, most + 1))
    predicted: dict[int, float] = {}
    chunks: dict[int, int] = {}
    for w in options:
        w = max(1, min(int(w), max(1, n_frames // MIN_CHUNK_FRAMES)))
        for k in _chunk_options(n_frames, w):
            t = predict_s(n_frames, w, k, megapixels=megapixels, cores=cores, costs=costs,
                          overlap_frames=overlap_frames)
            if w not in predicted or t < predicted[w]:
                predicted[w], chunks[w] = t, k
    best = min(predicted)
    for w in sorted(predicted):
        if predicted[w] < predicted[best] * (1 - MIN_GAIN):
            best = w
    return PosePlan(workers=best, chunks=chunks[best], threads=graph_threads(best, cores),
                    frames=n_frames, fps=fps, predicted_s=predicted, forced=workers is not None)


# --------------------------------------------------------------------------- measuring


def _time_frames(backend: Any, images: list[Any]) -> list[float]:
    """Seconds ``backend`` takes on each of ``images``, one at a time."""
    times = []
    for fr in images:
        t0 = time.perf_counter()
        list(backend.process([fr]))
        times.append(time.perf_counter() - t0)
    return times


def _time_worker(path: str, frames: int, results: Any, t_spawn: float) -> None:
    """In a fresh process: time imports, graph, first frame, then per-frame costs."""
    from kneetrack.core.cores import available_cores
    from kneetrack.pose.native_logs import filter_process_stderr

    filter_process_stderr()
    t_main = time.time()
    from kneetrack.pose.sequential import DEFAULT_MAX_SIDE_PX, make_backend
    from kneetrack.video.reader import iter_frames

    t_import = time.time()
    backend = make_backend("mediapipe")
    decode = []
    images = []
    t0 = time.perf_counter()
    for fr in iter_frames(path, max_side_px=DEFAULT_MAX_SIDE_PX, stop=frames):
        t1 = time.perf_counter()
        decode.append(t1 - t0)
        images.append(fr)
        t0 = time.perf_counter()
    t_graph = time.time()
    it = backend.process(images[:1])
    next(it)
    t_first = time.time()
    infer = _time_frames(backend, images[1:])
    backend.close()
    threaded = infer
    if available_cores() >= 2:  # the same frames, the models on two threads
        backend = make_backend("mediapipe", threads=2)
        list(backend.process(images[:1]))
        threaded = _time_frames(backend, images[1:])
        backend.close()
    size = images[0].original_size
    results.put({"spawn_s": t_main - t_spawn, "import_s": t_import - t_main,
                 "first_frame_s": t_first - t_graph,
                 "decode_s": statistics.median(decode), "frame_s": statistics.median(infer),
                 "frame_s_2_threads": statistics.median(threaded),
                 "megapixels": size[0] * size[1] / 1e6})


#: What the main process imports while pose runs (``kneetrack.app.overlap.WhilePose``
#: imports this list), timed by :func:`measure_costs`. Named, not imported: pose sits
#: below the analysis.
PREPARE_MODULES = ("kneetrack.app.report", "kneetrack.kinematics.pipeline", "kneetrack.report.html",
                   "kneetrack.report.plots")


def _time_prepare(results: Any, modules: tuple[str, ...] = PREPARE_MODULES) -> None:
    import importlib

    t0 = time.perf_counter()
    for name in modules:
        importlib.import_module(name)
    results.put(time.perf_counter() - t0)


def measure_costs(video: str | Path, *, frames: int = 60) -> tuple[PoseCosts, dict[str, float]]:
    """Measure :class:`PoseCosts` on ``video`` (its first ``frames`` frames), in fresh processes.

    Returns the costs and the raw measurements (spawn, import, first frame,
    decode per frame, inference per frame on one thread and on two, the main
    process's imports).
    """
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    t = time.time()
    p = ctx.Process(target=_time_worker, args=(str(video), frames, q, t))
    p.start()
    raw = q.get(timeout=300)
    p.join()
    p = ctx.Process(target=_time_prepare, args=(q,))
    p.start()
    raw["prepare_s"] = q.get(timeout=300)
    p.join()
    start = raw["spawn_s"] + raw["import_s"] + raw["first_frame_s"]  # the graph: first frame
    costs = PoseCosts(start_s=start, frame_s=raw["frame_s"],
                      decode_s_per_mpx=raw["decode_s"] / raw["megapixels"],
                      prepare_s=raw["prepare_s"], chunk_s=MEASURED.chunk_s,
                      thread_speedup=raw["frame_s"] / max(raw["frame_s_2_threads"], 1e-9))
    return costs, raw


def costs_dict(costs: PoseCosts) -> dict[str, float]:
    """The costs as a plain dict (for printing and provenance)."""
    return {k: round(v, 4) for k, v in asdict(costs).items()}
