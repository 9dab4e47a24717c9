"""The ``analyze`` use case: one or two clips in, one analysis (and its folder) out.

Called by ``kneetrack analyze``, the demo, batch runs and the web app alike,
through :func:`analyze` with an :class:`~kneetrack.app.requests.AnalyzeRequest`
(:func:`analyze_file` is the keyword shorthand for one clip). The steps, each a
function of its own:

1. :func:`check_request` — option and input errors before any work or folder;
2. :func:`~kneetrack.app.measure.measure_clip` — keypoints of a clip, then the
   kinematics engine, then the ``analysis.json`` dict;
3. with two clips, :func:`kneetrack.app.multiclip.analyze_clips` measures both
   and combines them;
4. :func:`~kneetrack.app.measure.write_outputs` — the analysis folder, written as a whole.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kneetrack.app.measure import (
    SCHEMA,
    AnalysisOutcome,
    AnalysisResult,
    ClipAnalysis,
    ProgressCallback,
    acquire_keypoints,
    measure_clip,
    write_outputs,
)
from kneetrack.app.outdir import check_writable
from kneetrack.app.requests import VIEWS, AnalyzeRequest, ClipInput, ReportOptions, check_view
from kneetrack.errors import InputError
from kneetrack.io.load import is_video_path

if TYPE_CHECKING:
    from kneetrack.pose.backend import PoseBackend

__all__ = ["SCHEMA", "VIEWS", "AnalysisOutcome", "AnalysisResult", "ClipAnalysis",
           "ProgressCallback", "acquire_keypoints", "analyze", "analyze_file", "check_request"]


def check_request(request: AnalyzeRequest) -> None:
    """Raise for bad options or a missing input before any pose run or output folder.

    Raises
    ------
    SettingsError
        Conflicting rate options (``--fps`` with ``--speed-factor``), or two clips
        given views of the same family (two frontal or two side clips).
    InputError
        An input that does not exist (only checked when a folder will be written:
        no output folder is made for a typo).
    OutputError
        An output folder that cannot be written.
    """
    from kneetrack.io.timing import check_rate_options

    for clip in request.clips:
        check_rate_options(clip.fps, clip.speed_factor)
    if request.multi:
        from kneetrack.app.multiclip import check_given_views

        check_given_views(request)
    if request.out_dir is not None:
        for clip in request.clips:
            if not clip.path.exists():
                raise InputError(f"file not found: {clip.path}")
        check_writable(request.out_dir)  # before the long pose run


def analyze(request: AnalyzeRequest, *, progress: ProgressCallback | None = None,
            backend: PoseBackend | None = None) -> AnalysisOutcome:
    """Run one analysis: measure every clip, combine them, write the folder.

    Parameters
    ----------
    request
        What to analyse and what to write.
    progress
        Optional callback for pose-estimation progress (each clip counts from 0).
    backend
        Pose backend for videos (default: MediaPipe BlazePose full, in worker
        processes).

    Returns
    -------
    AnalysisOutcome
        The analysis dict, the first clip's keypoints and kinematics, every
        clip's result and the files written.
    """
    check_request(request)
    if request.multi:
        from kneetrack.app.multiclip import analyze_clips

        return analyze_clips(request, progress=progress, backend=backend)
    from kneetrack.app.overlap import WhilePose

    clip = request.clips[0]
    prep = WhilePose(render=request.out_dir is not None and request.report.draws_video,
                     workers=request.workers)
    try:
        if backend is None and is_video_path(clip.path):
            prep.start_pose_process()  # its start-up overlaps probing the clip and the plan
        measured = measure_clip(clip, cutoff_hz=request.cutoff_hz, workers=request.workers,
                                progress=progress, backend=backend, while_waiting=prep)
        # Render processes not started during pose start now, so that they are ready when
        # the analysis is (closed below if not taken over).
        pool = (prep.start_pool(measured.keypoints.n_frames, measured.keypoints.fps)
                if measured.kind == "video" else None)
        outcome = AnalysisOutcome(analysis=measured.analysis, keypoints=measured.keypoints,
                                  kinematics=measured.kinematics, clips=(measured,))
        if request.out_dir is not None:
            write_outputs(outcome, request.out_dir, report=request.report,
                          workers=request.workers, render_pool=pool)
        return outcome
    finally:
        prep.close()


def analyze_file(
    path: str | Path,
    *,
    out_dir: str | Path | None = None,
    view: str | None = None,
    progress: ProgressCallback | None = None,
    backend: PoseBackend | None = None,
    workers: int | None = None,
    fps: float | None = None,
    speed_factor: float | None = None,
    overlay: bool = True,
    blur_faces: bool = True,
    pdf: bool = False,
    report: bool = True,
    cutoff_hz: float | None = None,
) -> AnalysisOutcome:
    """Analyse one running video or keypoint file (the keyword form of :func:`analyze`).

    Parameters
    ----------
    path
        Video (mp4, mov, m4v, avi, mkv, webm) or keypoint file / OpenPose folder.
    out_dir
        Folder for ``analysis.json``, ``keypoints.trc`` and the report; nothing
        is written when ``None``.
    view
        ``front``, ``rear``, ``side-left`` or ``side-right``; detected when ``None``.
    progress
        Optional callback for pose-estimation progress.
    backend
        Pose backend to use for videos (default: MediaPipe BlazePose full).
    workers
        Worker processes for videos: pose estimation and the annotated video
        (default: one per core).
    fps
        The frame rate the clip was filmed at, when the file stores none
        (OpenPose JSON, a CSV without times) or a wrong one (slow motion).
    speed_factor
        How fast the clip plays relative to real time (0.25 = a quarter of real
        speed); the frame times are scaled by it.
    overlay, blur_faces, pdf, report
        See :class:`~kneetrack.app.requests.ReportOptions` (``report`` is its ``write``).
    cutoff_hz
        Low-pass cut-off of the keypoint filter (``None``: the engine's default).
    """
    request = AnalyzeRequest(
        clips=(ClipInput(Path(path), view=check_view(view), fps=fps, speed_factor=speed_factor),),
        out_dir=None if out_dir is None else Path(out_dir),
        report=ReportOptions(write=report, overlay=overlay, blur_faces=blur_faces, pdf=pdf,
                             workers=workers),
        workers=workers, cutoff_hz=cutoff_hz)
    return analyze(request, progress=progress, backend=backend)


