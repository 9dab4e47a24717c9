"""The ``analyze`` use case: a video or keypoint file in, an analysis folder out.

Called by ``kneetrack analyze``, the demo, batch runs and the web app alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kneetrack import __version__
from kneetrack.errors import SettingsError
from kneetrack.io.files import write_json_atomic
from kneetrack.io.load import is_video_path, load_keypoints
from kneetrack.keypoints import Keypoints

SCHEMA = "kneetrack.analysis/1"
VIEWS = ("front", "rear", "side-left", "side-right")

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
    width, height = kp.image_size if kp.image_size else (None, None)
    return {
        "path": str(path),
        "kind": kind,
        "fps": round(kp.fps, 3),
        "frames": kp.n_frames,
        "duration_s": round(kp.duration_s, 3),
        "width": width,
        "height": height,
        "source": kp.source,
    }


def acquire_keypoints(
    path: str | Path,
    *,
    progress: ProgressCallback | None = None,
    backend: Any = None,
    workers: int | None = None,
    while_waiting: Callable[[Any], None] | None = None,
) -> tuple[Keypoints, str]:
    """Return the keypoints of ``path`` and its kind (``"video"`` or ``"keypoints"``).

    Videos go through the pose backend (MediaPipe BlazePose unless ``backend``
    is given); keypoint files are read by their importer. ``while_waiting`` is
    called once while pose estimation runs (:class:`~kneetrack.app.overlap.WhilePose`).
    """
    p = Path(path)
    if is_video_path(p):
        from kneetrack.pose.run import estimate_video

        return estimate_video(p, backend=backend, progress=progress, workers=workers,
                              while_waiting=while_waiting), "video"
    return load_keypoints(p), "keypoints"


def analyze_file(
    path: str | Path,
    *,
    out_dir: str | Path | None = None,
    view: str | None = None,
    progress: ProgressCallback | None = None,
    backend: Any = None,
    workers: int | None = None,
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
    """
    if view is not None and view not in VIEWS:
        raise SettingsError(f"unknown view {view!r}; choose one of {', '.join(VIEWS)}")
    from kneetrack.app.overlap import WhilePose

    src = Path(path)
    prep = WhilePose(render=(out_dir is not None and options.get("report", True)
                             and options.get("overlay", True)), workers=workers)
    try:
        kp, kind = acquire_keypoints(src, progress=progress, backend=backend, workers=workers,
                                     while_waiting=prep)
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
    """Write the analysis folder. ``analysis.json`` is written last, so its presence means done."""
    from kneetrack.io.trc import write_trc

    out.mkdir(parents=True, exist_ok=True)
    stale = out / "analysis.json"
    if stale.exists():
        stale.unlink()
    result.out_dir = out
    result.artefacts["keypoints"] = write_trc(result.keypoints, out / "keypoints.trc")
    from kneetrack.app.report import write_report_outputs

    result.artefacts.update(write_report_outputs(result, out, source=source, options=options))
    result.artefacts["analysis"] = write_json_atomic(out / "analysis.json", result.analysis)
