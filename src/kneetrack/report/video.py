"""The annotated video: skeleton, live angles, stance marks and the peak-valgus frame.

Writes H.264 in MP4 (:mod:`kneetrack.video.writer`: yuv420p, even size,
``moov`` first) with the input's frame rate and frame count. Faces are blurred
by default (the annotated video is the file people share).

How it is fast
--------------
The overlay is drawn after the analysis (it shows the cleaned keypoints, the
stances and the peak-valgus frame, which need the whole clip). For a short clip
the pose worker kept every frame at the video's size
(:mod:`kneetrack.video.kept`) and draws it there, in two halves on two threads
(:func:`render_kept`). Otherwise the video is decoded a second time. That pass
is split into chunks of consecutive frames,
cut at key frames, and rendered by one process per core, each decoding,
drawing and encoding its own chunk; the encoded chunks are then joined packet
by packet, without re-encoding (:func:`~kneetrack.video.writer.join_videos`).
Per frame, the work is kept small:

- decoding skips H.264's in-loop deblocking filter (``skip_loop_filter``): a
  quarter of the decoding cost; once scaled down, frames differ from a full
  decode by 42–51 dB PSNR (median, test clips), about the encoder's own loss;
- frames stay in YUV 4:2:0 from decoder to encoder: the planes are resized with
  OpenCV and drawn on directly (:mod:`kneetrack.report.canvas`), with no RGB
  round trip;
- the overlay itself is planned once for the whole clip with numpy
  (:mod:`kneetrack.report.overlay`), so each frame only draws;
- x264 runs its ``ultrafast`` preset with its deblocking filter back on (half the CPU
  of ``superfast``, same file size and quality).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import math
import multiprocessing as mp
import shutil
import signal
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from kneetrack.errors import InputError, KneetrackError
from kneetrack.keypoints import Keypoints
from kneetrack.report.canvas import YuvCanvas
from kneetrack.report.overlay import OverlayPlan, paint, plan_overlay
from kneetrack.report.video_size import (
    annotated_size,  # noqa: F401 - re-exported for callers
    auto_max_side,
    even,
    overlay_scaled,
)
from kneetrack.video.kept import FrameStore, KeptFrames, KeptFramesError
from kneetrack.video.reader import (
    VideoInfo,
    _upright,
    decode_frames,
    frame_to_rgb,
    iter_frames,
    probe_video,
)
from kneetrack.video.table import SeekFailedError, decode_range, frame_table
from kneetrack.video.writer import EncoderSettings, H264Writer, JoinError, join_videos
from kneetrack.video.yuv import matrix_of, new_frame, resize_into, to_rgb

#: Decoder options of the second pass: skip the deblocking filter (see the module docstring).
DECODE_OPTIONS = {"skip_loop_filter": "all"}
#: Output frames reused in turn by each render process.
_RING = 3
#: Chunks are at least this long (shorter clips use fewer processes) ...
MIN_CHUNK_FRAMES = 60
#: ... and at most this long, so that the cores finish together.
MAX_CHUNK_FRAMES = 600
#: CPU seconds the second pass costs per frame at 720p (decode 2.3 + resize 0.85 + draw
#: 0.5–0.7 + encode 2.1–2.3 ms on the development machine; about 4.5 ms at 540p).
RENDER_FRAME_S = 0.006
#: What the main process does while the video renders (tables, plots, the report page):
#: measured 1.1–1.6 s on the development machine.
MAIN_REPORT_S = 1.5
#: Starting a render process (spawn, imports): about 0.3–0.4 s of CPU.
RENDER_START_S = 0.4


# --------------------------------------------------------------------------- one chunk


@dataclass(frozen=True)
class SegmentTask:
    """Render video frames ``plan.first .. plan.first + plan.n - 1`` into ``path``.

    ``pts`` are the frame-table timestamps of those frames; ``None`` decodes the
    whole video from the start instead (no usable frame table) and renders every frame.
    """

    info: VideoInfo
    plan: OverlayPlan
    pts: np.ndarray | None
    size: tuple[int, int]
    path: Path
    rate: Fraction
    settings: EncoderSettings
    faststart: bool = False
    grab: tuple[int, ...] = ()
    poster: int | None = None


@dataclass
class SegmentResult:
    """What rendering one chunk produced."""

    path: Path
    frames: int
    grabbed: dict[int, np.ndarray] = field(default_factory=dict)
    poster: np.ndarray | None = None


def _frames(task: SegmentTask, *, seek: bool) -> Iterator[tuple[int, av.VideoFrame]]:
    if task.pts is None:
        for index, _, frame in decode_frames(task.info, options=DECODE_OPTIONS, threads="SLICE"):
            yield index, frame
    else:
        yield from decode_range(task.info, task.pts, task.plan.first, seek=seek,
                                options=DECODE_OPTIONS)


def render_segment(task: SegmentTask) -> SegmentResult:
    """Decode, draw and encode one chunk (in whichever process runs it)."""
    try:
        return _render(task, seek=True)
    except SeekFailedError:
        task.path.unlink(missing_ok=True)
        return _render(task, seek=False)


def _render(task: SegmentTask, *, seek: bool) -> SegmentResult:
    w, h = task.size
    # A few output frames, reused in turn: a fresh 720p frame costs 0.35 ms in page faults.
    # The encoder copies each frame it is given before ``write`` returns.
    ring = [new_frame(w, h) for _ in range(_RING)]

    def scaled() -> Iterator[tuple[int, av.VideoFrame, str]]:
        for index, frame in _frames(task, seek=seek):
            out = ring[index % _RING]
            resize_into(frame, out, task.info.rotation_deg)
            yield index, out, matrix_of(frame)

    return _draw_and_encode(task, scaled())


def _draw_and_encode(task: SegmentTask, frames: Iterable[tuple[int, av.VideoFrame, str]]
                     ) -> SegmentResult:
    """Draw the overlay on ``(index, frame at the output size, colour matrix)`` and encode."""
    w, h = task.size
    res = SegmentResult(path=task.path, frames=0)
    writer: H264Writer | None = None
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)  # planes are small: OpenCV's threads cost more than they save
    try:
        for index, out, matrix in frames:
            if writer is None:
                writer = H264Writer(task.path, width=w, height=h, rate=task.rate,
                                    settings=task.settings, faststart=task.faststart,
                                    matrix=matrix)
            if index in task.grab:
                res.grabbed[index] = to_rgb(out, matrix)
            paint(YuvCanvas(out, matrix), task.plan, index)
            if index == task.poster:
                res.poster = to_rgb(out, matrix)
            writer.write(out)
        if writer is None:
            raise InputError(f"{task.info.path} is corrupt or truncated: no frame could be decoded")
        writer.close()
    except av.error.FFmpegError as err:
        if writer is not None:
            writer.abort()
        raise InputError(f"could not write the annotated video: {err}") from None
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        cv2.setNumThreads(threads)
    res.frames = writer.frames
    return res


def render_kept(store: FrameStore, tasks: Sequence[SegmentTask]) -> list[SegmentResult]:
    """Draw and encode ``tasks`` from kept frames, one thread each (in the process keeping them).

    The frames are drawn on in place (each is drawn once). PyAV's encoder and
    OpenCV release the GIL, so the threads use as many cores.
    """
    for t in tasks:
        if t.size != store.size or t.plan.first < store.first or \
                t.plan.first + t.plan.n > store.stop:
            raise ValueError(f"frames {t.plan.first}..{t.plan.first + t.plan.n - 1} at "
                             f"{t.size} were not kept (kept {store.first}..{store.stop - 1} "
                             f"at {store.size})")

    def kept(t: SegmentTask) -> Iterator[tuple[int, av.VideoFrame, str]]:
        for i in range(t.plan.first, t.plan.first + t.plan.n):
            yield i, store.frames[i - store.first], store.matrix

    if len(tasks) == 1:
        return [_draw_and_encode(tasks[0], kept(tasks[0]))]
    with cf.ThreadPoolExecutor(max_workers=len(tasks)) as ex:
        futures = [ex.submit(_draw_and_encode, t, kept(t)) for t in tasks]
        return [f.result() for f in futures]


def kept_spans(n: int, parts: int) -> list[tuple[int, int]]:
    """``[start, stop)`` spans cutting ``n`` kept frames into ``parts`` (fewer when short).

    Kept frames need no key frame to start on, so the spans are equal; none is
    shorter than :data:`MIN_CHUNK_FRAMES`.
    """
    k = max(1, min(parts, n // MIN_CHUNK_FRAMES))
    edges = np.linspace(0, n, k + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True)]


# --------------------------------------------------------------------------- chunking


def plan_segments(key: np.ndarray, *, workers: int) -> list[tuple[int, int]]:
    """Cut ``len(key)`` frames into ``[start, stop)`` chunks that start on key frames.

    Chunks shrink as the video goes (each a quarter of what is left per two
    workers, between :data:`MIN_CHUNK_FRAMES` and :data:`MAX_CHUNK_FRAMES`), so
    the last ones are short and the cores finish together; a chunk costs little
    more than its frames. Each boundary is moved to the nearest key frame, so no
    chunk decodes frames it does not draw; a video with few key frames gets
    fewer, longer chunks.
    """
    n = int(key.size)
    keys = np.flatnonzero(key)
    half = MIN_CHUNK_FRAMES // 2
    keys = keys[(keys >= half) & (keys <= n - half)]
    edges = [0]
    while True:
        left = n - edges[-1]
        size = min(MAX_CHUNK_FRAMES, max(MIN_CHUNK_FRAMES, math.ceil(left / (2 * workers))))
        after = keys[keys >= edges[-1] + half]
        if left < size + half or after.size == 0:
            break
        edges.append(int(after[np.argmin(np.abs(after - (edges[-1] + size)))]))
    edges.append(n)
    return [(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]


def render_processes(frames: int, *, cores: int, workers: int | None = None,
                     fps: float = 30.0, ahead: bool = False) -> int:
    """Render processes for a clip of ``frames`` frames; 0: render in this process.

    ``workers`` (``--workers``) forces the number, ``1`` meaning this process. Otherwise:
    none for a clip too short to split; one per core when started ``ahead`` (while
    pose runs, where their start-up costs no wall time); else one, beside this process,
    while rendering costs less than what this process does meanwhile plus a process
    start (:data:`MAIN_REPORT_S`, :data:`RENDER_START_S`), since a second process would
    then only add its start-up; else one per core.
    """
    n = cores if workers is None else int(workers)
    if n <= 1 or mp.current_process().daemon or frames < 2 * MIN_CHUNK_FRAMES:
        return 0
    per_frame = RENDER_FRAME_S * (0.75 if auto_max_side(fps) < 1280 else 1.0)
    if (workers is None and not ahead
            and frames * per_frame <= MAIN_REPORT_S + RENDER_START_S):
        return 1
    return n


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C


def _ready() -> bool:
    """A no-op task: running it means the process has started and imported this module."""
    return True


class RenderPool:
    """Render processes started ahead of the render.

    Starting a process and importing OpenCV, PyAV and this module takes about
    0.3 s; started as soon as pose estimation ends, they are ready when the
    analysis is. Hand the pool to :class:`VideoOverlay` (which then owns it) or
    :meth:`close` it.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.executor: cf.ProcessPoolExecutor | None = cf.ProcessPoolExecutor(
            max_workers=workers, mp_context=mp.get_context("spawn"), initializer=_init_worker)
        for _ in range(workers):
            self.executor.submit(_ready)

    @classmethod
    def start(cls, workers: int | None = None, *, frames: int | None = None,
              fps: float = 30.0, ahead: bool = False) -> RenderPool | None:
        """A pool of the processes :func:`render_processes` plans, or ``None``.

        ``None`` where this process will render: ``workers=1``, a video of
        ``frames`` frames too short to split, or inside a daemonic pool process.
        Without ``frames``, ``workers`` processes (``None``: one per core).
        ``ahead``: started while pose runs (see :func:`render_processes`).
        """
        from kneetrack.core.cores import available_cores

        cores = available_cores()
        if frames is None:
            n = cores if workers is None else int(workers)
            n = 0 if n <= 1 or mp.current_process().daemon else n
        else:
            n = render_processes(frames, cores=cores, workers=workers, fps=fps, ahead=ahead)
        return cls(n) if n >= 1 else None

    def take(self) -> cf.ProcessPoolExecutor:
        """The executor, now owned by the caller."""
        if self.executor is None:
            raise RuntimeError("this render pool was already taken or closed")
        ex, self.executor = self.executor, None
        return ex

    def close(self) -> None:
        """Stop the processes (when the pool was not handed over)."""
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None


# --------------------------------------------------------------------------- the video


class VideoOverlay:
    """Draw the analysis onto the input video and write ``annotated.mp4``.

    Parameters
    ----------
    blur_faces
        Blur the runner's face (nose/eye/ear keypoints). On by default, since
        the annotated video is what people share.
    max_side_px
        Downscale so that the longer side is at most this many pixels. ``"auto"``
        (the default): :func:`auto_max_side`, 720p up to 30 frames/s and 540p
        above. ``None`` keeps the input size.
    crf
        x264 constant rate factor (lower = better quality, larger file).
    preset
        x264 speed preset.
    highlight_s
        How long around the peak-valgus frame the highlight border stays on.
    face_hold_s
        How long a face region is kept blurred after its keypoints disappear.
    workers
        Render processes (``None``: one per core; 1: in this process).
    pool
        Render processes already started (:class:`RenderPool`), or the process
        holding the clip's frames at the video's size
        (:class:`~kneetrack.video.kept.KeptFrames`, kept during pose estimation:
        nothing is decoded again); the overlay takes them over (and closes them
        if it renders otherwise after all).

    Attributes
    ----------
    path_ : Path
        The written video.
    frames_written_ : int
        Number of frames written (equals the input's frame count).
    fps_ : float
        Frame rate of the output.
    size_ : tuple of int
        ``(width, height)`` of the output (even numbers).
    peak_ : tuple or None
        ``(frame, leg, metric, value_deg)`` of the highlighted peak-valgus frame.
    grabbed_ : dict of int to ndarray
        Unannotated RGB frames (output size) kept for the indices asked for in ``grab``.
    poster_ : ndarray or None
        The annotated peak-valgus frame (the middle frame when there is no
        peak), for the report's video poster.
    segments_ : int
        Chunks the video was rendered in.
    """

    path_: Path
    frames_written_: int
    fps_: float
    size_: tuple[int, int]
    peak_: tuple[int, str, str, float] | None
    grabbed_: dict[int, np.ndarray]
    poster_: np.ndarray | None
    segments_: int

    def __init__(self, *, blur_faces: bool = True, max_side_px: int | str | None = "auto",
                 crf: int | None = None, preset: str | None = None, highlight_s: float = 0.2,
                 face_hold_s: float = 0.5, workers: int | None = None,
                 pool: RenderPool | KeptFrames | None = None) -> None:
        self.blur_faces = blur_faces
        self.max_side_px = max_side_px
        base = EncoderSettings()
        self.settings = EncoderSettings(crf=base.crf if crf is None else crf,
                                        preset=preset or base.preset)
        self.highlight_s = highlight_s
        self.face_hold_s = face_hold_s
        self.workers = pool.workers if isinstance(pool, RenderPool) else workers
        self.pool = pool

    def render(self, video: str | Path, out: str | Path, *, keypoints: Keypoints,
               analysis: Mapping[str, Any], series: Mapping[str, Any] | None = None,
               grab: Iterable[int] = ()) -> VideoOverlay:
        """Read ``video``, draw, and write the annotated copy to ``out``.

        Parameters
        ----------
        video
            The input video (the one the keypoints were estimated from).
        out
            Output ``.mp4`` path; written through a temporary file.
        keypoints
            Keypoints in the video's upright pixel coordinates.
        analysis
            The ``analysis.json`` dict (stances, view).
        series
            Per-frame kinematics (``time_s`` and ``*_deg`` arrays) for live angles.
        grab
            Frame indices whose unannotated images to keep in ``grabbed_``.
        """
        return self.start(video, out, keypoints=keypoints, analysis=analysis, series=series,
                          grab=grab).wait()

    def start(self, video: str | Path, out: str | Path, *, keypoints: Keypoints,
              analysis: Mapping[str, Any], series: Mapping[str, Any] | None = None,
              grab: Iterable[int] = ()) -> RenderJob:
        """Start rendering (same arguments as :meth:`render`); :meth:`RenderJob.wait` finishes it.

        With several render processes the caller is free to do other work until
        it waits; with one, the video is rendered here, before returning.
        """
        from kneetrack.core.cores import available_cores

        known = self.pool.source if isinstance(self.pool, KeptFrames) else None
        if known is not None and Path(known[0].path) == Path(video):
            info, table = known  # probed and tabled by pose estimation, which kept the frames
        else:
            info = probe_video(video)
            table = frame_table(info)
        rate = Fraction(info.fps).limit_denominator(1001)
        sw, sh = overlay_scaled(info, self.max_side_px)
        w, h = even(sw), even(sh)  # annotated_size
        if w < 2 or h < 2:
            raise InputError(f"{video}: frame size {info.width}×{info.height} is too small")
        out_path = Path(out)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        if table is not None:
            times = table.time_s
        elif keypoints.n_frames == info.frames:
            times = np.asarray(keypoints.time_s, dtype=float)
        else:
            times = np.arange(info.frames) / info.fps
        plan = plan_overlay(keypoints, analysis, series, times, scale=sw / info.width,
                            fps=info.fps, blur_faces=self.blur_faces,
                            highlight_s=self.highlight_s, face_hold_s=self.face_hold_s)
        self.peak_ = plan.peak_info
        self.fps_ = float(rate)
        self.size_ = (w, h)
        peak_frames = np.flatnonzero(plan.peak == 2)
        poster = int(peak_frames[0]) if peak_frames.size else plan.n // 2
        want = tuple(sorted({int(i) for i in grab}))
        workers = available_cores() if self.workers is None else max(1, int(self.workers))
        if mp.current_process().daemon:
            workers = 1  # a daemonic process (e.g. inside a pool) may not start processes
        spans = (plan_segments(table.key, workers=workers) if table is not None and workers > 1
                 else [(0, plan.n)])
        job = RenderJob(self, out_path)

        def task(a: int, b: int, path: Path, *, whole: bool) -> SegmentTask:
            return SegmentTask(info=info, plan=plan.take(a, b),
                               pts=table.pts[a:b] if table is not None else None,
                               size=(w, h), path=path, rate=rate, settings=self.settings,
                               faststart=whole, grab=tuple(i for i in want if a <= i < b),
                               poster=poster if a <= poster < b else None)

        pool, self.pool = self.pool, None
        if isinstance(pool, KeptFrames):
            if (pool.size == (w, h) and pool.frames == plan.n and table is not None
                    and pool.open):
                spans = kept_spans(plan.n, workers)
                if len(spans) > 1:
                    job.parts_dir.mkdir(exist_ok=True)
                tasks = [task(a, b, job.parts_dir / f"{k:04d}.mp4" if len(spans) > 1
                              else job.tmp, whole=len(spans) == 1)
                         for k, (a, b) in enumerate(spans)]
                job.submit_kept(pool, tasks)
                return job
            pool.close()  # kept at another size or count: decode again
            pool = None
        try:
            if len(spans) == 1 and pool is not None and table is not None:
                # One chunk, in the pool's process: this one writes the report meanwhile.
                job.submit([task(0, plan.n, job.tmp, whole=True)], 1, pool=pool)
            elif len(spans) == 1:
                if pool is not None:
                    pool.close()
                job.results = [render_segment(task(0, plan.n, job.tmp, whole=True))]
            else:
                job.parts_dir.mkdir(exist_ok=True)
                tasks = [task(a, b, job.parts_dir / f"{k:04d}.mp4", whole=False)
                         for k, (a, b) in enumerate(spans)]
                job.submit(tasks, min(workers, len(tasks)), pool=pool)
        except BaseException as err:
            if pool is not None:
                pool.close()
            job.fail()
            if isinstance(err, av.error.FFmpegError):
                raise InputError(f"could not write the annotated video {out_path}: {err}") from None
            raise
        return job


class RenderJob:
    """An annotated video being rendered; :meth:`wait` joins the chunks and finishes the file."""

    def __init__(self, overlay: VideoOverlay, out: Path) -> None:
        self.overlay = overlay
        self.out = out
        self.tmp = out.with_name(out.name + ".part")
        self.parts_dir = out.with_name(f".{out.name}.parts")
        self.results: list[SegmentResult] | None = None
        self._pool: cf.ProcessPoolExecutor | None = None
        self._futures: list[cf.Future[SegmentResult]] = []
        self._kept: KeptFrames | None = None
        self._kept_tasks: list[SegmentTask] = []

    def submit(self, tasks: list[SegmentTask], workers: int,
               pool: RenderPool | None = None) -> None:
        """Hand the chunks to ``pool``'s processes, or to ``workers`` new ones."""
        self._pool = pool.take() if pool is not None else cf.ProcessPoolExecutor(
            max_workers=workers, mp_context=mp.get_context("spawn"), initializer=_init_worker)
        self._futures = [self._pool.submit(render_segment, t) for t in tasks]

    def submit_kept(self, kept: KeptFrames, tasks: list[SegmentTask]) -> None:
        """Hand the chunks to the process holding the clip's kept frames (it then owns them)."""
        self._kept, self._kept_tasks = kept, tasks
        kept.submit(render_kept, tasks)

    def wait(self) -> VideoOverlay:
        """Wait for every chunk, join them and move the video into place."""
        ov = self.overlay
        try:
            if self.results is None:
                self.results = self._collect()
                if len(self.results) == 1 and self.results[0].path == self.tmp:
                    n = self.results[0].frames  # the whole video, from one process
                else:
                    n = join_videos([r.path for r in self.results], self.tmp)
            else:
                n = self.results[0].frames
        except av.error.FFmpegError as err:
            self.fail()
            raise InputError(f"could not write the annotated video {self.out}: {err}") from None
        except JoinError as err:
            self.fail()
            raise KneetrackError(f"could not join the annotated video {self.out}: {err}") from None
        except BaseException:
            self.fail()
            raise
        shutil.rmtree(self.parts_dir, ignore_errors=True)
        self.tmp.replace(self.out)
        ov.grabbed_ = {i: img for r in self.results for i, img in r.grabbed.items()}
        ov.poster_ = next((r.poster for r in self.results if r.poster is not None), None)
        ov.path_ = self.out
        ov.frames_written_ = n
        ov.segments_ = len(self.results)
        return ov

    def _collect(self) -> list[SegmentResult]:
        if self._kept is not None:
            return self._collect_kept(self._kept)
        results = []
        try:
            for f in self._futures:
                try:
                    results.append(f.result())
                except cf.process.BrokenProcessPool:
                    raise KneetrackError("a video render process stopped unexpectedly; "
                                         "try --workers 1 or free some memory") from None
        except BaseException:
            self._stop(kill=True)
            raise
        self._stop(kill=False)
        return results

    def _collect_kept(self, kept: KeptFrames) -> list[SegmentResult]:
        """The kept frames' chunks; if their process failed, the same chunks decoded here."""
        self._kept = None
        try:
            results: list[SegmentResult] = kept.result()
        except KeptFramesError:
            kept.close(kill=True)  # frees its memory before this process decodes
            for t in self._kept_tasks:
                t.path.unlink(missing_ok=True)
            return [render_segment(t) for t in self._kept_tasks]
        except BaseException:  # Ctrl-C: stop it mid-work
            kept.close(kill=True)
            raise
        kept.close()
        return results

    def _stop(self, *, kill: bool) -> None:
        if self._kept is not None:
            self._kept.close(kill=kill)
            self._kept = None
        if self._pool is None:
            return
        if kill:
            for p in list((getattr(self._pool, "_processes", None) or {}).values()):
                with contextlib.suppress(Exception):  # already gone
                    p.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None

    def fail(self) -> None:
        """Stop the render processes and remove every temporary file."""
        self._stop(kill=True)
        self.tmp.unlink(missing_ok=True)
        shutil.rmtree(self.parts_dir, ignore_errors=True)


def grab_frames(video: str | Path, indices: Iterable[int]) -> dict[int, np.ndarray]:
    """Return the upright RGB frames at ``indices``, decoding as little as possible.

    With a frame table, decoding starts at the key frame before the first wanted
    frame, skips the deblocking filter (as the annotated video's pass does) and
    converts only the wanted frames; otherwise the video is decoded from the start.
    """
    want = sorted(set(int(i) for i in indices if i >= 0))
    if not want:
        return {}
    info = probe_video(video)
    table = frame_table(info)
    if table is not None and want[-1] < table.n_frames:
        a, b = want[0], want[-1] + 1
        keep = set(want)
        got: dict[int, np.ndarray] = {}
        try:
            for index, frame in decode_range(info, table.pts[a:b], a, seek=True,
                                             options=DECODE_OPTIONS):
                if index in keep:
                    got[index] = _upright(frame_to_rgb(frame), info.rotation_deg).copy()
            return got
        except SeekFailedError:
            pass
    got = {}
    for fr in iter_frames(video, stop=want[-1] + 1, info=info):
        if fr.index in want:
            got[fr.index] = fr.image.copy()
    return got
