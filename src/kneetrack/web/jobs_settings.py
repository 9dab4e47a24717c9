"""Settings of the upload and job part of the web app (one field of ``WebSettings``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kneetrack.web.uploads import UploadLimits


@dataclass(frozen=True)
class WorkerSettings:
    """How a worker runs jobs.

    Parameters
    ----------
    engine : str
        ``local`` (a process pool) or ``ray``.
    workers : int or None
        Pool processes (local) or Ray actors; with ``local`` and more than one,
        a single clip's pose estimation is spread over that many processes.
    ray_address : str or None
        An existing Ray cluster (``--engine ray`` only).
    backend_spec : str
        Pose backend (``"mediapipe"``, or ``"module:factory"`` in tests).
    lease_s : float
        Lease length; a worker silent for this long is taken for dead.
    heartbeat_s : float
        How often a running job's lease is renewed (well under ``lease_s``).
    poll_s : float
        Wait between looks at an empty queue.
    options : dict
        Options of :func:`kneetrack.app.analyze.analyze_file` for every job.
    """

    engine: str = "local"
    workers: int | None = 1
    ray_address: str | None = None
    backend_spec: str = "mediapipe"
    lease_s: float = 60.0
    heartbeat_s: float = 10.0
    poll_s: float = 1.0
    options: dict[str, Any] = field(default_factory=dict)

    def argv(self) -> list[str]:
        """Command-line arguments of :func:`main` that give these settings."""
        out = ["--engine", self.engine, "--backend", self.backend_spec,
               "--lease-s", str(self.lease_s), "--heartbeat-s", str(self.heartbeat_s),
               "--poll-s", str(self.poll_s), "--options", json.dumps(self.options)]
        if self.workers is not None:
            out += ["--workers", str(self.workers)]
        if self.ray_address:
            out += ["--ray-address", self.ray_address]
        return out


@dataclass(frozen=True)
class JobSettings:
    """Uploads and analysis jobs of a web server.

    Parameters
    ----------
    processes : int
        Worker processes the server starts with itself and stops on shutdown
        (jobs analysed at once). ``0``: none; run ``python -m kneetrack.web.worker``
        yourself (on this or other machines that share the database and files).
    worker : WorkerSettings
        How each worker runs jobs (engine, Ray address, lease).
    limits : UploadLimits
        Largest and longest accepted video.
    """

    processes: int = 1
    worker: WorkerSettings = field(default_factory=WorkerSettings)
    limits: UploadLimits = field(default_factory=UploadLimits)

    def __post_init__(self) -> None:
        from kneetrack.errors import SettingsError

        if self.processes < 0:
            raise SettingsError(f"job workers must be 0 or more, got {self.processes}")
        if self.worker.engine not in ("local", "ray"):
            raise SettingsError(f"unknown engine {self.worker.engine!r}; choose local or ray")
        if self.worker.engine == "ray" and not self.worker.ray_address and self.processes > 1:
            raise SettingsError("with --engine ray and no --ray-address each job worker would "
                                "start a Ray of its own: give --ray-address (a running "
                                "cluster) or use --job-workers 1")
