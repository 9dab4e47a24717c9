"""The ``analyze`` use case: one or two clips in, one analysis (and its folder) out.

Called by ``kneetrack analyze``, the demo, batch runs and the web app alike,
through :func:`analyze` with an :class:`~kneetrack.app.requests.AnalyzeRequest`
(:func:`analyze_file` is the keyword shorthand for one clip). The steps, each a
function of its own:

1. :func:`check_request` — option and input errors before any work or folder;
2. :func:`measure_clip` — keypoints of a clip (:func:`acquire_keypoints`), then
   the kinematics engine, then :func:`assemble_analysis` (the ``analysis.json`` dict);
3. with two clips, :func:`kneetrack.app.multiclip.combine_clips` merges them;
4. :func:`write_outputs` — the analysis folder, written as a whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kneetrack import __version__
from kneetrack.app.outdir import check_writable, staged_output
from kneetrack.app.requests import VIEWS, AnalyzeRequest, ClipInput, ReportOptions, check_view
from kneetrack.core.atomic import write_json_atomic
from kneetrack.errors import InputError
from kneetrack.io.load import is_video_path, load_keypoints
from kneetrack.keypoints import Keypoints

if TYPE_CHECKING:  # the engine is imported while pose runs (WhilePose), not at start-up
    from kneetrack.kinematics.pipeline import KinematicsResult
    from kneetrack.pose.backend import PoseBackend
    from kneetrack.pose.plan import PosePlan
    from kneetrack.report.video import RenderPool

SCHEMA = "kneetrack.analysis/1"
__all__ = ["SCHEMA", "VIEWS", "AnalysisOutcome", "AnalysisResult", "ClipAnalysis",
           "ProgressCallback", "acquire_keypoints", "analyze", "analyze_file"]

#: ``progress(done, total)``: called as frames are processed (total may be None).
ProgressCallback = Callable[[int, int | None], None]
#: Called once while pose estimation runs (see :class:`~kneetrack.app.overlap.WhilePose`).
WhileWaiting = Callable[["PosePlan | None"], None]


@dataclass(frozen=True)
class ClipAnalysis:
    """One clip measured: its keypoints, the engine's result and its own ``analysis.json`` dict."""

    clip: ClipInput
    kind: str
    keypoints: Keypoints
    kinematics: KinematicsResult
    analysis: dict[str, Any]


@dataclass
class AnalysisOutcome:
    """Everything one analysis produced.

    Attributes
    ----------
    analysis
        The ``analysis.json`` dict (one clip's, or the combined one of several).
    keypoints
        The raw keypoints of the first clip.
    kinematics
        The kinematics engine's result for the first clip (cleaned keypoints,
        per-frame series, events, stances).
    clips
        Every clip measured, in the request's order.
    out_dir
        The analysis folder, when one was written.
    artefacts
        The files written, by kind (``analysis``, ``keypoints``, ``report``...).
    """

    analysis: dict[str, Any]
    keypoints: Keypoints
    kinematics: KinematicsResult
    clips: tuple[ClipAnalysis, ...] = ()
    out_dir: Path | None = None
    artefacts: dict[str, Path] = field(default_factory=dict)


#: The former name of :class:`AnalysisOutcome`.
AnalysisResult = AnalysisOutcome


def _input_block(path: Path, kind: str, kp: Keypoints) -> dict[str, Any]:
    from kneetrack.io.timing import rate_source

    width, height = kp.image_size if kp.image_size else (None, None)
    rate = rate_source(kp)
    return {
        "path": str(path),
        "kind": kind,
        "fps": round(kp.fps, 3),
        "frames": kp.n_frames,
        "duration_s": round(kp.duration_s, 3),
        "width": width,
        "height": height,
        "source": kp.source,
        # where the frame rate came from: file (or container), given (--fps),
        # speed_factor (--speed-factor) or assumed (the file stores none)
        "fps_source": rate["source"],
        "speed_factor": rate["speed_factor"],
    }


def acquire_keypoints(
    path: str | Path,
    *,
    progress: ProgressCallback | None = None,
    backend: PoseBackend | None = None,
    workers: int | None = None,
    fps: float | None = None,
    speed_factor: float | None = None,
    while_waiting: WhileWaiting | None = None,
) -> tuple[Keypoints, str]:
    """Return the keypoints of ``path`` and its kind (``"video"`` or ``"keypoints"``).

    Videos go through the pose backend (MediaPipe BlazePose unless ``backend``
    is given); keypoint files are read by their importer. ``fps`` (the rate
    the clip was filmed at) or ``speed_factor`` (how fast it plays relative to
    real time) put the keypoints on a real-time axis
    (:func:`kneetrack.io.timing.retime`); a file without a rate takes ``fps`` as
    its rate.
    ``while_waiting`` is called once while pose estimation runs
    (:class:`~kneetrack.app.overlap.WhilePose`).
    """
    from kneetrack.io.timing import check_rate_options, rate_source, retime

    check_rate_options(fps, speed_factor)
    p = Path(path)
    if is_video_path(p):
        from kneetrack.pose.run import estimate_video

        kp = estimate_video(p, backend=backend, progress=progress, workers=workers,
                            while_waiting=while_waiting)
        return retime(kp, fps=fps, speed_factor=speed_factor), "video"
    kp = load_keypoints(p, fps=fps)
    if fps is not None and rate_source(kp)["source"] == "given":
        fps = None  # the reader took it as the file's rate
    return retime(kp, fps=fps, speed_factor=speed_factor), "keypoints"


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


def measure_clip(clip: ClipInput, *, cutoff_hz: float | None = None, workers: int | None = None,
                 progress: ProgressCallback | None = None, backend: PoseBackend | None = None,
                 while_waiting: WhileWaiting | None = None) -> ClipAnalysis:
    """Keypoints, kinematics and the ``analysis.json`` dict of one clip."""
    from kneetrack.kinematics import analyze_keypoints

    kp, kind = acquire_keypoints(clip.path, progress=progress, backend=backend, workers=workers,
                                 fps=clip.fps, speed_factor=clip.speed_factor,
                                 while_waiting=while_waiting)
    kin = analyze_keypoints(kp, view=clip.view, cutoff_hz=cutoff_hz)
    return ClipAnalysis(clip=clip, kind=kind, keypoints=kp, kinematics=kin,
                        analysis=assemble_analysis(clip.path, kind, kp, kin, view=clip.view))


def assemble_analysis(src: Path, kind: str, kp: Keypoints, kin: KinematicsResult, *,
                      view: str | None = None) -> dict[str, Any]:
    """The ``analysis.json`` dict of one clip: schema, software, input, the engine's fields."""
    analysis: dict[str, Any] = {
        "schema": SCHEMA,
        "software": {"name": "kneetrack", "version": __version__},
        "input": _input_block(src, kind, kp),
    }
    analysis.update(kin.to_contract())
    analysis.setdefault("view", view)
    analysis["provenance"] = processing_steps(kp, kin)
    return analysis


def processing_steps(kp: Keypoints, kin: KinematicsResult) -> list[dict[str, Any]]:
    """Every step that ran, in order: reading or pose, each cleaning step, then the analysis.

    The cleaned keypoints carry the reading and cleaning steps in their
    provenance log; the gait events, stance metrics and findings follow.
    """
    steps = (kin.keypoints if isinstance(kin.keypoints, Keypoints) else kp).provenance_dicts()
    steps.append({"step": "gait_events", "params": {
        "contacts": {leg: len(v) for leg, v in kin.contacts.items()}}})
    steps.append({"step": "stance_metrics", "params": {"stances": len(kin.stances)}})
    steps.append({"step": "findings", "params": {"findings": len(kin.findings)}})
    return steps


def write_outputs(outcome: AnalysisOutcome, out: Path, *, report: ReportOptions,
                  workers: int | None = None, render_pool: RenderPool | None = None) -> None:
    """Write the analysis folder as a whole (see :mod:`kneetrack.app.outdir`).

    Every file is written into a staging folder first; the analysis's own files
    in ``out`` are replaced only when all are complete, ``analysis.json`` last,
    so its presence means done and a report never links a file of another run.
    ``render_pool`` (render processes already started for the annotated video)
    is taken over.
    """
    from kneetrack.app.report import write_report_outputs
    from kneetrack.io.trc import write_trc

    with staged_output(out) as stage:
        written: dict[str, Path] = {}
        for i, clip in enumerate(outcome.clips or ()):
            name = "keypoints" if i == 0 else f"keypoints_{i + 1}"
            written[name] = write_trc(clip.keypoints, stage / f"{name.replace('_', '-')}.trc")
        if not outcome.clips:
            written["keypoints"] = write_trc(outcome.keypoints, stage / "keypoints.trc")
        written.update(write_report_outputs(outcome, stage, options=report, workers=workers,
                                            render_pool=render_pool))
        written["analysis"] = write_json_atomic(stage / "analysis.json", outcome.analysis)
    outcome.out_dir = out
    outcome.artefacts.update({k: out / p.relative_to(stage) for k, p in written.items()})
