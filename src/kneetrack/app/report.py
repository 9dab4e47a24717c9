"""The ``report`` use case: write (or rebuild) the report files of an analysis folder.

``kneetrack analyze`` calls :func:`write_report_outputs` right after the
keypoints are written; ``kneetrack report DIR`` calls :func:`rebuild_report`
on a finished folder. Both end in :func:`build_report`, which writes:

- ``report.html`` — the self-contained report page (and ``report.pdf`` on request);
- ``plots/*.svg`` — the report's plots as files;
- ``stances.csv`` — one row per stance;
- ``angles.mot`` — per-frame angles for OpenSim (when the kinematics provide them);
- ``annotated.mp4`` — the annotated video (when a video is given and overlay is on).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kneetrack.core.atomic import write_bytes_atomic
from kneetrack.core.views import SAGITTAL_VIEWS
from kneetrack.errors import InputError
from kneetrack.keypoints import Keypoints

if TYPE_CHECKING:
    from kneetrack.app.measure import AnalysisOutcome
    from kneetrack.app.requests import ReportOptions
    from kneetrack.kinematics.pipeline import KinematicsResult
    from kneetrack.report.video import RenderJob, RenderPool
    from kneetrack.video.kept import KeptFrames

#: Files of an analysis folder that the report lists, with what they are.
FOLDER_FILES = (
    ("analysis.json", "all numbers of this analysis (kneetrack.analysis/1)"),
    ("report.pdf", "this report as a PDF"),
    ("annotated.mp4", "the video with skeleton and angles drawn in"),
    ("stances.csv", "one row per step, for spreadsheets"),
    ("angles.mot", "joint angles per frame, for OpenSim"),
    ("keypoints.trc", "2D keypoints per frame (pixels), for OpenSim and Sports2D"),
    ("programme.html", "your full programme"),
    ("programme.ics", "your programme's sessions for a calendar app"),
)
#: The annotated peak-valgus frame, kept so that a rebuilt report still has the video's poster.
POSTER = "video-poster.jpg"


def _write_jpeg(path: Path, rgb: Any, *, quality: int = 82) -> Path:
    import cv2

    ok, buf = cv2.imencode(".jpg", rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    if ok:
        write_bytes_atomic(path, buf.tobytes())
    return path


def blur_faces_in(frames: Mapping[int, Any], keypoints: Keypoints) -> dict[int, Any]:
    """Copies of ``frames`` (RGB, by keypoint frame index) with the runner's face blurred.

    The face disc is the annotated video's (:func:`kneetrack.report.overlay.head_regions`),
    scaled from keypoint pixels to each frame's size. Every still image that a
    report shows or exports goes through here or through the overlay's own blur.
    """
    from kneetrack.report.canvas import blur_disc
    from kneetrack.report.overlay import head_regions

    discs = head_regions(keypoints)
    out: dict[int, Any] = {}
    for j, img in frames.items():
        img = img.copy()
        if 0 <= j < len(discs):
            x, y, r = discs[j]
            s = img.shape[1] / keypoints.image_size[0] if keypoints.image_size else 1.0
            if np.isfinite([x, y, r]).all():
                blur_disc(img, float(x * s), float(y * s), float(r * s))
        out[j] = img
    return out


def _load_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path} not found: is this an analysis folder?") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"{path} is not a readable {what} ({err})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path} is not a {what}")
    return data


def load_programme(folder: Path) -> dict[str, Any] | None:
    """``programme.json`` of the folder, or ``None`` when absent or unreadable."""
    p = folder / "programme.json"
    if not p.is_file():
        return None
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


@dataclass
class _ReportParts:
    """What the steps of :func:`build_report` hand each other."""

    out: Path
    written: dict[str, Path] = field(default_factory=dict)
    plots: list[dict[str, Any]] = field(default_factory=list)
    strips: list[dict[str, Any]] = field(default_factory=list)
    frames: dict[int, Any] = field(default_factory=dict)

    @property
    def plot_dir(self) -> Path:
        """The folder of the plots (and the video poster)."""
        return self.out / "plots"


def build_report(
    folder: str | Path,
    *,
    analysis: Mapping[str, Any],
    keypoints: Keypoints | None = None,
    series: Mapping[str, Any] | None = None,
    video: str | Path | None = None,
    overlay: bool = True,
    blur_faces: bool = True,
    pdf: bool = False,
    programme: Mapping[str, Any] | None = None,
    workers: int | None = None,
    render_pool: RenderPool | KeptFrames | None = None,
) -> dict[str, Path]:
    """Write the report files of one analysis into ``folder``.

    The steps: pick the side view's contact frames, start the annotated video
    (its processes work meanwhile), write the tables and plots, collect the
    video and the contact strip, then write the pages.

    Parameters
    ----------
    folder
        The analysis folder.
    analysis
        The ``analysis.json`` dict.
    keypoints
        The clip's keypoints (needed for the annotated video and the side strip).
    series
        Per-frame kinematics (``time_s`` and ``*_deg`` arrays) for the MOT
        export and the live angles of the video.
    video
        The input video; ``None`` for keypoint files.
    overlay
        Write ``annotated.mp4`` when a video is given.
    blur_faces
        Blur faces in the annotated video.
    pdf
        Also write ``report.pdf`` (needs the ``pdf`` extra).
    programme
        ``programme.json`` dict; read from the folder when ``None``.
    workers
        Processes rendering the annotated video (``None``: one per core).
    render_pool
        A :class:`~kneetrack.report.video.RenderPool` already started for the
        annotated video, or the pose process keeping the clip's frames
        (:class:`~kneetrack.video.kept.KeptFrames`); taken over, closed when no
        video is drawn.

    Returns
    -------
    dict of str to Path
        The files written, by kind (``report``, ``plots``, ``stances``, ``angles``,
        ``video``, ``pdf``).
    """
    parts = _ReportParts(out=Path(folder))
    parts.out.mkdir(parents=True, exist_ok=True)
    contacts = _side_contacts(analysis, keypoints, video)
    draw = video is not None and overlay
    if render_pool is not None and not draw:
        render_pool.close()
    job = (_start_overlay(parts.out, video, keypoints, analysis, series, contacts,
                          blur_faces=blur_faces, workers=workers, render_pool=render_pool)
           if draw and video is not None else None)
    try:
        _write_tables_and_plots(parts, analysis, series)
    except BaseException:
        if job is not None:
            job.fail()
        raise
    _collect_video(parts, job, contacts, video)
    if contacts and parts.frames and keypoints is not None:
        _add_contact_strip(parts, keypoints, contacts, blur_faces=blur_faces)
    _write_pages(parts, analysis, programme if programme is not None
                 else load_programme(parts.out), pdf=pdf)
    return parts.written


def _side_contacts(analysis: Mapping[str, Any], keypoints: Keypoints | None,
                   video: str | Path | None) -> list[tuple[int, Mapping[str, Any]]]:
    """Frames of a few foot contacts per leg for the side view's strip (none for other views)."""
    if analysis.get("view") not in SAGITTAL_VIEWS or video is None or keypoints is None:
        return []
    from kneetrack.report.strip import pick_contacts

    return pick_contacts(analysis, keypoints)


def _start_overlay(out: Path, video: str | Path, keypoints: Keypoints | None,
                   analysis: Mapping[str, Any], series: Mapping[str, Any] | None,
                   contacts: list[tuple[int, Mapping[str, Any]]], *, blur_faces: bool,
                   workers: int | None, render_pool: RenderPool | KeptFrames | None) -> RenderJob:
    """Start drawing ``annotated.mp4``; the render processes work while the tables are written."""
    if keypoints is None:
        raise InputError("the annotated video needs the clip's keypoints")
    from kneetrack.report.video import VideoOverlay

    return VideoOverlay(blur_faces=blur_faces, workers=workers, pool=render_pool).start(
        video, out / "annotated.mp4", keypoints=keypoints, analysis=analysis,
        series=series, grab=[j for j, _ in contacts])


def _write_tables_and_plots(parts: _ReportParts, analysis: Mapping[str, Any],
                            series: Mapping[str, Any] | None) -> None:
    """``stances.csv``, ``angles.mot`` (when there are angle series) and ``plots/*.svg``."""
    from kneetrack.core.atomic import write_text_atomic
    from kneetrack.report.exports import angle_series, write_angles_mot, write_stances_csv
    from kneetrack.report.html import render_plots

    out = parts.out
    parts.written["stances"] = write_stances_csv(analysis.get("stances") or [],
                                                 out / "stances.csv")
    if series and "time_s" in series and angle_series(series)[1]:
        parts.written["angles"] = write_angles_mot(series, out / "angles.mot")
    parts.plots = render_plots(analysis)
    parts.plot_dir.mkdir(exist_ok=True)
    for p in parts.plots:
        write_text_atomic(parts.plot_dir / f"{p['id']}.svg", p["svg"])
    parts.written["plots"] = parts.plot_dir


def _collect_video(parts: _ReportParts, job: RenderJob | None,
                   contacts: list[tuple[int, Mapping[str, Any]]],
                   video: str | Path | None) -> None:
    """Wait for the annotated video (and its poster), or grab the contact frames raw."""
    if job is not None:
        ov = job.wait()
        parts.written["video"] = ov.path_
        parts.frames = ov.grabbed_
        if ov.poster_ is not None:
            _write_jpeg(parts.plot_dir / POSTER, ov.poster_)
    elif contacts and video is not None:
        from kneetrack.report.video import grab_frames

        parts.frames = grab_frames(video, [j for j, _ in contacts])


def _add_contact_strip(parts: _ReportParts, keypoints: Keypoints,
                       contacts: list[tuple[int, Mapping[str, Any]]], *,
                       blur_faces: bool) -> None:
    """The side view's strip of foot-contact thumbnails (faces blurred)."""
    from kneetrack.report.strip import contact_crops, contact_thumbnails

    frames = parts.frames
    if blur_faces:  # grabbed before the overlay drew (or decoded raw): blur them here
        frames = blur_faces_in(frames, keypoints)
    thumbs = contact_thumbnails(contact_crops(frames, keypoints, contacts))
    if thumbs:
        parts.strips.append({"title": "Foot contact, side view",
                             "caption": "The frame of foot contact for a few steps per leg: "
                                        "thigh and shank in the leg's colour, the foot in "
                                        "yellow, a white vertical through the knee.",
                             "thumbs": thumbs})


def _folder_exports(out: Path, *, with_pdf: bool) -> list[dict[str, str]]:
    """The folder's files that the report links, with what they are."""
    have = {name for name, _ in FOLDER_FILES if (out / name).is_file()}
    have.add("analysis.json")  # written right after the report by ``analyze``
    if with_pdf:
        have.add("report.pdf")
    return [{"name": n, "href": n, "what": w} for n, w in FOLDER_FILES if n in have]


def _write_pages(parts: _ReportParts, analysis: Mapping[str, Any],
                 programme: Mapping[str, Any] | None, *, pdf: bool) -> None:
    """``report.html`` (and ``report.pdf``), linking the video and its poster when present."""
    from kneetrack.core.atomic import write_text_atomic
    from kneetrack.report.html import render_report_html
    from kneetrack.report.plots import data_uri

    out = parts.out
    video_href = "annotated.mp4" if (out / "annotated.mp4").is_file() else None
    poster = parts.plot_dir / POSTER
    video_poster = (data_uri(poster.read_bytes(), "image/jpeg")
                    if video_href and poster.is_file() else None)
    html = render_report_html(analysis, programme=programme, plots=parts.plots, video=video_href,
                              video_poster=video_poster, strips=parts.strips,
                              exports=_folder_exports(out, with_pdf=pdf))
    parts.written["report"] = write_text_atomic(out / "report.html", html)
    if pdf:
        from kneetrack.report.pdf import write_pdf

        html_pdf = render_report_html(analysis, programme=programme, plots=parts.plots,
                                      video=video_href, video_poster=video_poster,
                                      strips=parts.strips,
                                      exports=_folder_exports(out, with_pdf=True), pdf=True)
        parts.written["pdf"] = write_pdf(html_pdf, out / "report.pdf", base_url=out)


def write_report_outputs(outcome: AnalysisOutcome, out: Path, *, options: ReportOptions,
                         workers: int | None = None,
                         render_pool: RenderPool | KeptFrames | None = None) -> dict[str, Path]:
    """Write the report files for a fresh analysis (called by ``analyze``'s ``write_outputs``).

    Parameters
    ----------
    outcome
        The analysis just made.
    out
        The (staging) folder to write into.
    options
        Which report files to write.
    workers
        Processes for the annotated video when ``options.workers`` is ``None``.
    render_pool
        Render processes already started for the annotated video, or the pose
        process keeping the clip's frames (taken over; closed when no video is drawn).
    """
    if not options.write:
        if render_pool is not None:
            render_pool.close()
        return {}
    from kneetrack.report.gate import shown_series

    analysis = outcome.analysis
    if len(outcome.clips) > 1:
        # Several clips, several time bases: the combined report has no per-frame series,
        # annotated video or contact strip (each clip's keypoints are in the folder).
        if render_pool is not None:
            render_pool.close()
        return build_report(out, analysis=analysis, overlay=False, blur_faces=options.blur_faces,
                            pdf=options.pdf)
    kin = outcome.kinematics
    # no live angle or export of a metric the plausibility gate withheld
    series = shown_series(analysis, kin.series)
    source = outcome.clips[0].clip.path if outcome.clips else None
    is_video = (analysis.get("input") or {}).get("kind") == "video"
    return build_report(out, analysis=analysis, keypoints=_drawn(outcome.keypoints, kin),
                        series=series, video=source if is_video else None,
                        overlay=options.overlay, blur_faces=options.blur_faces, pdf=options.pdf,
                        workers=options.workers if options.workers is not None else workers,
                        render_pool=render_pool)


def _drawn(raw: Keypoints, kin: KinematicsResult) -> Keypoints:
    """The keypoints to draw: the engine's cleaned ones (swaps repaired, filtered) when usable."""
    cleaned = kin.keypoints
    if isinstance(cleaned, Keypoints) and cleaned.n_frames == raw.n_frames:
        if cleaned.image_size is None and raw.image_size is not None:
            cleaned = cleaned.replace(image_size=raw.image_size)
        return cleaned
    return raw


def rebuild_report(folder: str | Path, *, pdf: bool = False, video: str | Path | None = None,
                   blur_faces: bool = True) -> dict[str, Path]:
    """Rebuild the report files of a finished analysis folder.

    Reads ``analysis.json`` (required), ``keypoints.trc``, ``angles.mot`` and
    ``programme.json`` (when present). The annotated video is re-rendered only
    when ``video`` is given; otherwise an existing ``annotated.mp4`` is kept
    and linked.

    Raises
    ------
    InputError
        If the folder or its ``analysis.json`` is missing or unreadable, or the
        video does not exist.
    """
    out = Path(folder)
    if not out.is_dir():
        raise InputError(f"analysis folder not found: {out}")
    analysis = _load_json(out / "analysis.json", "analysis.json")
    schema = analysis.get("schema")
    if schema != "kneetrack.analysis/1":
        raise InputError(f"{out / 'analysis.json'} has schema {schema!r}, "
                         "expected 'kneetrack.analysis/1'")
    keypoints = None
    trc = out / "keypoints.trc"
    if len(analysis.get("clips") or []) > 1:
        # Several clips (several time bases): no per-frame series, video or strip.
        if video is not None:
            raise InputError(f"{out} combines several clips: its report has no annotated "
                             "video (analyse each clip on its own for one)")
        return build_report(out, analysis=analysis, overlay=False, blur_faces=blur_faces,
                            pdf=pdf)
    if trc.is_file():
        from kneetrack.io.trc import read_trc

        keypoints = read_trc(trc)
    series: dict[str, Any] = {}
    mot = out / "angles.mot"
    if mot.is_file():
        from kneetrack.report.exports import read_angles_mot

        series = read_angles_mot(mot)
    if keypoints is not None and (video is not None or not series):
        # the engine's cleaning (swap repair, filtering) for drawing, and angles if no MOT
        from kneetrack.kinematics import analyze_keypoints

        kin = analyze_keypoints(keypoints, view=analysis.get("view"))
        series = series or dict(kin.series)
        keypoints = _drawn(keypoints, kin)
    if video is not None:
        v = Path(video)
        if not v.is_file():
            raise InputError(f"video not found: {v}")
        if keypoints is None:
            raise InputError(f"{trc} is missing: the annotated video needs the keypoints")
        if keypoints.image_size is None:
            width, height = (analysis.get("input") or {}).get("width"), \
                (analysis.get("input") or {}).get("height")
            if width and height:
                keypoints = keypoints.replace(image_size=(int(width), int(height)))
    from kneetrack.report.gate import shown_series

    return build_report(out, analysis=analysis, keypoints=keypoints,
                        series=shown_series(analysis, series), video=video,
                        overlay=video is not None, blur_faces=blur_faces, pdf=pdf)
