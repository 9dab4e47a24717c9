"""Typed requests of the application services: what a caller asks ``analyze`` to do.

The CLI, the demo, batch runs and the web app build an :class:`AnalyzeRequest`
and hand it to :func:`kneetrack.app.analyze.analyze`; nothing travels as
``**options``. Runtime collaborators (a progress callback, a pose backend, a
render pool) are not part of a request: they are passed to the service as
arguments of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from pathlib import Path

from kneetrack.core.views import View, parse_view
from kneetrack.errors import SettingsError

#: The camera views of ``analysis.json`` (DESIGN.md).
VIEWS = tuple(v.value for v in View)


class SquatView(StrEnum):
    """The squat's camera views as a command-line choice: :data:`FRONTAL_VIEWS`.

    Examples
    --------
    >>> from kneetrack.core.views import FRONTAL_VIEWS
    >>> tuple(SquatView) == FRONTAL_VIEWS
    True
    """

    front = View.FRONT.value
    rear = View.REAR.value



def check_view(view: str | View | None) -> View | None:
    """Return ``view`` as a :class:`View` (a ``str``), or raise :class:`SettingsError`.

    Examples
    --------
    >>> check_view("rear")
    <View.REAR: 'rear'>
    >>> check_view(None) is None
    True
    """
    return parse_view(view)


@dataclass(frozen=True)
class ClipInput:
    """One clip of an analysis: a video or keypoint file and how it was filmed.

    Parameters
    ----------
    path
        Video (mp4, mov, m4v, avi, mkv, webm) or keypoint file / OpenPose folder.
    view
        ``front``, ``rear``, ``side-left`` or ``side-right``; detected when ``None``.
    fps
        The frame rate the clip was filmed at, when the file stores none
        (OpenPose JSON, a CSV without times) or a wrong one (slow motion).
    speed_factor
        How fast the clip plays relative to real time (0.25 = a quarter of real
        speed); the frame times are scaled by it.
    """

    path: Path
    view: str | None = None
    fps: float | None = None
    speed_factor: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))
        object.__setattr__(self, "view", check_view(self.view))


@dataclass(frozen=True)
class ReportOptions:
    """What report files a fresh analysis writes next to ``analysis.json``.

    Parameters
    ----------
    write
        Write the report files at all (``False``: only ``analysis.json`` and
        ``keypoints.trc``).
    overlay
        Write ``annotated.mp4`` for videos.
    blur_faces
        Blur the runner's face in the annotated video and in every still.
    pdf
        Also write ``report.pdf`` (needs the ``pdf`` extra).
    workers
        Processes rendering the annotated video (``None``: planned per clip).
    """

    write: bool = True
    overlay: bool = True
    blur_faces: bool = True
    pdf: bool = False
    workers: int | None = None

    @property
    def draws_video(self) -> bool:
        """Whether an annotated video is wanted (for a video input)."""
        return self.write and self.overlay


@dataclass(frozen=True)
class AnalyzeRequest:
    """One analysis: one clip, or a frontal and a side clip of the same run.

    Parameters
    ----------
    clips
        The clips. With two, one must be filmed from the front or rear and the
        other from the side: the frontal metrics come from the first, the
        sagittal metrics from the second (:mod:`kneetrack.app.multiclip`).
    out_dir
        Folder for ``analysis.json``, the keypoints and the report; nothing is
        written when ``None``.
    report
        Which report files to write.
    workers
        Worker processes for videos: pose estimation and the annotated video
        (``None``: planned per clip, one per core at most).
    cutoff_hz
        Low-pass cut-off of the keypoint filter (``None``: the engine's default,
        chosen from the frame rate).
    """

    clips: tuple[ClipInput, ...]
    out_dir: Path | None = None
    report: ReportOptions = field(default_factory=ReportOptions)
    workers: int | None = None
    cutoff_hz: float | None = None

    def __post_init__(self) -> None:
        clips = tuple(self.clips)
        if not clips:
            raise SettingsError("give at least one video or keypoint file")
        if len(clips) > 2:
            raise SettingsError(f"at most two clips (a frontal and a side one) make one "
                                f"analysis, got {len(clips)}")
        object.__setattr__(self, "clips", clips)
        if self.out_dir is not None:
            object.__setattr__(self, "out_dir", Path(self.out_dir))
        if self.workers is not None and self.workers < 1:
            raise SettingsError(f"workers must be at least 1, got {self.workers}")
        if self.cutoff_hz is not None and not self.cutoff_hz > 0:
            raise SettingsError(f"cutoff_hz must be positive, got {self.cutoff_hz}")

    @classmethod
    def of(cls, paths: str | Path | Sequence[str | Path], *,
           views: Sequence[str | None] | str | None = None, fps: float | None = None,
           speed_factor: float | None = None, out_dir: str | Path | None = None,
           report: ReportOptions | None = None, workers: int | None = None,
           cutoff_hz: float | None = None) -> AnalyzeRequest:
        """Build a request from paths (one or two) with the same rate options for each.

        ``views`` is one view for every clip, or one per clip (``None`` = detect).

        Examples
        --------
        >>> r = AnalyzeRequest.of(["rear.mp4", "side.mp4"], views=["rear", None])
        >>> [c.view for c in r.clips]
        [<View.REAR: 'rear'>, None]
        """
        items = [paths] if isinstance(paths, str | Path) else list(paths)
        if views is None or isinstance(views, str):
            per_clip: list[str | None] = [views] * len(items)
        else:
            per_clip = list(views)
            if len(per_clip) != len(items):
                raise SettingsError(f"give one --view per clip ({len(items)} clips, "
                                    f"{len(per_clip)} views)")
        clips = tuple(ClipInput(Path(p), view=v, fps=fps, speed_factor=speed_factor)
                      for p, v in zip(items, per_clip, strict=True))
        return cls(clips=clips, out_dir=None if out_dir is None else Path(out_dir),
                   report=report or ReportOptions(), workers=workers, cutoff_hz=cutoff_hz)

    @property
    def multi(self) -> bool:
        """Whether several clips make this one analysis."""
        return len(self.clips) > 1


class Retest(Enum):
    """How a newly stored analysis is linked as a retest of an earlier one.

    ``AUTO`` links it to the athlete's first analysis with the same view (if
    any); ``NONE`` links nothing. An ``int`` analysis id links it to that one.
    """

    AUTO = "auto"
    NONE = "none"


#: What ``store_analysis(retest_of=...)`` takes.
RetestOf = Retest | int
