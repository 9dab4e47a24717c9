"""The ``analyze`` use case: a video or keypoint file in, an analysis folder out.

Called by ``kneetrack analyze``, the demo, batch runs and the web app alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kneetrack import __version__
from kneetrack.app.outdir import check_writable, staged_output
from kneetrack.core.views import parse_view
from kneetrack.errors import InputError
from kneetrack.io.files import write_json_atomic
from kneetrack.io.load import is_video_path, load_keypoints
from kneetrack.keypoints import Keypoints

SCHEMA = "kneetrack.analysis/1"

#: ``progress(done, total)``: called as frames are processed (total may be None).
ProgressCallback = Callable[[int, int | None], None]


@dataclass
class AnalysisResult:
    """Everything one analysis produced."""

    analysis: dict[str, Any]
    keypoints: Keypoints
    out_dir: Path | None = None
    artefacts: dict[str, Path] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)


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
    backend: Any = None,
    workers: int | None = None,
    fps: float | None = None,
    speed_factor: float | None = None,
    while_waiting: Callable[[Any], None] | None = None,
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


def analyze_file(
    path: str | Path,
    *,
    out_dir: str | Path | None = None,
    view: str | None = None,
    progress: ProgressCallback | None = None,
    backend: Any = None,
    workers: int | None = None,
    fps: float | None = None,
    speed_factor: float | None = None,
    **options: Any,
) -> AnalysisResult:
    """Analyse a running video or keypoint file.

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
    """
    view = parse_view(view)
    from kneetrack.app.overlap import WhilePose
    from kneetrack.io.timing import check_rate_options

    check_rate_options(fps, speed_factor)  # option errors before any folder is made
    src = Path(path)
    if out_dir is not None:
        if not src.exists():  # the cheap input check first: no output folder for a typo
            raise InputError(f"file not found: {src}")
        check_writable(out_dir)  # before the long pose run
    prep = WhilePose(render=(out_dir is not None and options.get("report", True)
                             and options.get("overlay", True)), workers=workers)
    try:
        kp, kind = acquire_keypoints(src, progress=progress, backend=backend, workers=workers,
                                     fps=fps, speed_factor=speed_factor, while_waiting=prep)
        # Render processes not started during pose start now, so that they are ready when
        # the analysis is (closed below if not taken over).
        pool = prep.start_pool(kp.n_frames, kp.fps) if kind == "video" else None
        return _analyze(src, kp, kind, view=view, out_dir=out_dir,
                        options={"workers": workers, "render_pool": pool, **options})
    finally:
        prep.close()


def _analyze(src: Path, kp: Keypoints, kind: str, *, view: str | None,
             out_dir: str | Path | None, options: dict[str, Any]) -> AnalysisResult:
    from kneetrack.kinematics import analyze_keypoints

    kin = analyze_keypoints(kp, view=view)
    analysis: dict[str, Any] = {
        "schema": SCHEMA,
        "software": {"name": "kneetrack", "version": __version__},
        "input": _input_block(src, kind, kp),
    }
    analysis.update(kin.to_contract())
    analysis.setdefault("view", view)
    analysis["provenance"] = processing_steps(kp, kin)
    result = AnalysisResult(analysis=analysis, keypoints=kp, extras={"kinematics": kin})
    if out_dir is not None:
        write_outputs(result, Path(out_dir), source=src, options=options)
    return result


def processing_steps(kp: Keypoints, kin: Any) -> list[dict[str, Any]]:
    """Every step that ran, in order: reading or pose, each cleaning step, then the analysis.

    The cleaned keypoints carry the reading and cleaning steps in their
    provenance log; the gait events, stance metrics and findings follow.
    """
    cleaned = getattr(kin, "keypoints", None)
    steps = (cleaned if isinstance(cleaned, Keypoints) else kp).provenance_dicts()
    stances = getattr(kin, "stances", None) or []
    contacts = getattr(kin, "contacts", None) or {}
    steps.append({"step": "gait_events", "params": {
        "contacts": {leg: len(v) for leg, v in contacts.items()}}})
    steps.append({"step": "stance_metrics", "params": {"stances": len(stances)}})
    steps.append({"step": "findings", "params": {
        "findings": len(getattr(kin, "findings", None) or [])}})
    return steps


def write_outputs(
    result: AnalysisResult, out: Path, *, source: Path, options: dict[str, Any]
) -> None:
    """Write the analysis folder as a whole (see :mod:`kneetrack.app.outdir`).

    Every file is written into a staging folder first; the analysis's own files
    in ``out`` are replaced only when all are complete, ``analysis.json`` last,
    so its presence means done and a report never links a file of another run.
    """
    from kneetrack.app.report import write_report_outputs
    from kneetrack.io.trc import write_trc

    with staged_output(out) as stage:
        written: dict[str, Path] = {"keypoints": write_trc(result.keypoints,
                                                           stage / "keypoints.trc")}
        written.update(write_report_outputs(result, stage, source=source, options=options))
        written["analysis"] = write_json_atomic(stage / "analysis.json", result.analysis)
    result.out_dir = out
    result.artefacts.update({k: out / p.relative_to(stage) for k, p in written.items()})
