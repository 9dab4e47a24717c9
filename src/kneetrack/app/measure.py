"""Measuring one clip, and writing an analysis folder: the steps of the ``analyze`` use case.

:func:`measure_clip` takes one clip from file to its ``analysis.json`` dict
(:func:`acquire_keypoints` → the kinematics engine → :func:`assemble_analysis`);
:func:`write_outputs` writes an :class:`AnalysisOutcome` as one folder.
:mod:`kneetrack.app.analyze` (one clip) and :mod:`kneetrack.app.multiclip`
(several) are built from them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kneetrack import __version__
from kneetrack.app.outdir import staged_output
from kneetrack.app.requests import ClipInput, ReportOptions
from kneetrack.core.atomic import write_json_atomic
from kneetrack.io.load import is_video_path, load_keypoints
from kneetrack.keypoints import Keypoints

if TYPE_CHECKING:  # the engine is imported while pose runs (WhilePose), not at start-up
    from kneetrack.kinematics.pipeline import KinematicsResult
    from kneetrack.kinematics.thresholds import Thresholds
    from kneetrack.pose.backend import PoseBackend
    from kneetrack.pose.plan import PoseWaiter
    from kneetrack.report.video import RenderPool
    from kneetrack.video.kept import KeptFrames

SCHEMA = "kneetrack.analysis/1"

#: ``progress(done, total)``: called as frames are processed (total may be None).
ProgressCallback = Callable[[int, int | None], None]


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
    while_waiting: PoseWaiter | None = None,
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


def request_thresholds(cutoff_hz: float | None = None) -> Thresholds:
    """The engine's thresholds for one request: loaded once, the request's cut-off applied.

    The service calls this once per request and hands the result to every
    clip (:func:`measure_clip`); the engine reads no file itself.
    """
    from kneetrack.kinematics.thresholds import Thresholds

    return Thresholds.packaged().with_cutoff(cutoff_hz)


def measure_clip(clip: ClipInput, *, thresholds: Thresholds | None = None,
                 cutoff_hz: float | None = None,
                 workers: int | None = None, progress: ProgressCallback | None = None,
                 backend: PoseBackend | None = None,
                 while_waiting: PoseWaiter | None = None) -> ClipAnalysis:
    """Keypoints, kinematics and the ``analysis.json`` dict of one clip.

    ``thresholds`` are the request's (:func:`request_thresholds`); ``None``: the
    packaged ones with ``cutoff_hz``, read once the keypoints are there (the
    pose processes start sooner; ``while_waiting`` reads them meanwhile).
    """
    kp, kind = acquire_keypoints(clip.path, progress=progress, backend=backend, workers=workers,
                                 fps=clip.fps, speed_factor=clip.speed_factor,
                                 while_waiting=while_waiting)
    th = thresholds if thresholds is not None else request_thresholds(cutoff_hz)
    # imported after pose: while_waiting imports it while the pose processes run
    from kneetrack.kinematics import analyze_keypoints

    kin = analyze_keypoints(kp, view=clip.view, thresholds=th)
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
                  workers: int | None = None,
                  render_pool: RenderPool | KeptFrames | None = None) -> None:
    """Write the analysis folder as a whole (see :mod:`kneetrack.app.outdir`).

    Every file is written into a staging folder first; the analysis's own files
    in ``out`` are replaced only when all are complete, ``analysis.json`` last,
    so its presence means done and a report never links a file of another run.
    ``render_pool`` (render processes already started for the annotated video,
    or the pose process keeping the clip's frames) is taken over.
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
