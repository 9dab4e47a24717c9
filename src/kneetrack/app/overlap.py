"""Work the ``analyze`` use case does while the pose processes run.

Pose estimation of a video runs in worker processes; the main process only
waits for landmarks. Meanwhile it imports the analysis and report code (about
1 s on the development machine). When one graph runs the whole clip (a short
clip, planned), it asks that graph's worker to keep the frames for the
annotated video (:meth:`WhilePose.keep_size`); that worker then draws the
video after the analysis, and no render process is started. Otherwise it
starts the render processes as soon as a core is free, so that they are ready
when the analysis is: at once when pose runs one graph (``--workers`` given),
else when a pose process has finished its last chunk while the other still
runs. Started during pose, their start-up (about 0.4 s of CPU each) is off the
critical path, so there is one per core even for a short clip. Kept frames
spare the Sports2D demo clip both the start-ups and a second decode: 0.79 to
0.88 times the raw loop's speed (``docs/speed.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kneetrack.pose.plan import PosePlan
    from kneetrack.pose.warm import WarmPoseProcess
    from kneetrack.report.video import RenderPool
    from kneetrack.video.kept import KeptFrames
    from kneetrack.video.reader import VideoInfo


class WhilePose:
    """``while_waiting`` callback of pose estimation; owns the render pool it may start.

    Parameters
    ----------
    render
        Whether an annotated video will be drawn.
    workers
        ``--workers`` (``None``: planned).
    """

    def __init__(self, *, render: bool, workers: int | None) -> None:
        self.render = render
        self.workers = workers
        self.pool: RenderPool | None = None
        self.kept: KeptFrames | None = None
        self.warm: WarmPoseProcess | None = None
        self._started = False
        self._keeping = False

    def __call__(self, plan: PosePlan | None = None) -> None:
        """Start the render processes if pose leaves a core free; import the analysis code."""
        import importlib

        from kneetrack.core.cores import available_cores
        from kneetrack.pose.plan import PREPARE_MODULES

        if plan is not None and plan.workers < available_cores() and not self._keeping:
            self.core_free(plan)
        for name in PREPARE_MODULES:  # the list the plan's cost model times
            importlib.import_module(name)
        from kneetrack.kinematics.thresholds import Thresholds
        from kneetrack.report.html import prepare

        Thresholds.packaged()  # read once per process: now, not after pose
        prepare()  # the page's template, compiled now rather than after the video

    def start_pose_process(self) -> None:
        """Start the first pose process now, while the request is checked and the clip probed.

        For a video that the default backend will measure; pose takes it over
        (:meth:`pose_process`), or :meth:`close` stops it. The one the front end
        started before parsing its arguments, if it did
        (:func:`~kneetrack.pose.warm.start_ahead`).
        """
        if self.warm is None:
            from kneetrack.pose.warm import WarmPoseProcess, take_parked

            self.warm = take_parked() or WarmPoseProcess.start()

    def pose_process(self) -> WarmPoseProcess | None:
        """The pose process started ahead, handed to pose (once)."""
        warm, self.warm = self.warm, None
        return warm

    def keep_size(self, plan: PosePlan, info: VideoInfo) -> tuple[int, int] | None:
        """Keep the frames at the annotated video's size when it will be drawn (planned runs)."""
        if not self.render or self.workers is not None:
            return None
        from kneetrack.report.video_size import annotated_size

        self._keeping = True
        return annotated_size(info)

    def frames_kept(self, kept: KeptFrames) -> None:
        """Hold the pose process keeping the frames until the overlay takes it."""
        self.kept = kept

    def core_free(self, plan: PosePlan) -> None:
        """A core is free while pose runs: start the render processes there."""
        if plan.frames:
            self.start_pool(plan.frames, plan.fps, during_pose=True)

    def start_pool(self, frames: int, fps: float, *, during_pose: bool = False
                   ) -> RenderPool | KeptFrames | None:
        """Start the render processes (once) for a clip of ``frames`` frames.

        The process keeping the clip's frames, when pose kept them, instead.
        ``during_pose``: started while pose runs, where their start-up costs no
        wall time (one per core even for a short clip).
        """
        if self.kept is not None:
            return self.kept
        if self.render and not self._started:
            from kneetrack.report.video import RenderPool

            self._started = True
            self.pool = RenderPool.start(self.workers, frames=frames, fps=fps,
                                         ahead=during_pose)
        return self.pool

    def close(self) -> None:
        """Stop what nobody took over: render processes, the frame-keeping one, the warm one."""
        if self.warm is not None:
            self.warm.close()
            self.warm = None
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        if self.kept is not None:
            self.kept.close()  # a no-op once the overlay has closed it
            self.kept = None
