"""Work the ``analyze`` use case does while the pose processes run.

Pose estimation of a video runs in worker processes; the main process only
waits for landmarks. Meanwhile it imports the analysis and report code (about
1 s on the development machine), and, when pose leaves a core free (one graph
on a short clip), starts the annotated video's render processes, so that they
are ready when the analysis is. On a long clip, where every core runs a graph,
the render processes start after pose instead: they would only take memory
(about 145 MiB each) while waiting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kneetrack.pose.plan import PosePlan
    from kneetrack.report.video import RenderPool


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
        self._started = False

    def __call__(self, plan: PosePlan | None = None) -> None:
        """Start the render processes if pose leaves a core free; import the analysis code."""
        from kneetrack.core.cores import available_cores

        if (self.render and plan is not None and plan.frames
                and plan.workers < available_cores()):
            self.start_pool(plan.frames, plan.fps)
        import kneetrack.app.report  # noqa: F401
        import kneetrack.kinematics.pipeline  # noqa: F401
        import kneetrack.report.html  # noqa: F401
        import kneetrack.report.plots  # noqa: F401

    def start_pool(self, frames: int, fps: float) -> RenderPool | None:
        """Start the render processes (once) for a clip of ``frames`` frames."""
        if self.render and not self._started:
            from kneetrack.report.video import RenderPool

            self._started = True
            self.pool = RenderPool.start(self.workers, frames=frames, fps=fps)
        return self.pool

    def close(self) -> None:
        """Stop the render processes if nobody took them over."""
        if self.pool is not None:
            self.pool.close()
            self.pool = None
