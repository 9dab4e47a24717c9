"""``kneetrack serve``: the web app for runners, coaches and physical therapists."""

from __future__ import annotations

import typer

from kneetrack.cli.main import app
from kneetrack.errors import SettingsError


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host",
                             help="Address to listen on. 0.0.0.0 lets other devices on the "
                                  "network (a phone) connect: see docs/web.md first."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    db: str | None = typer.Option(None, "--db", help="Database URL or SQLite file "
                                  "(default: KNEETRACK_DB or the user's data folder)."),
    https: bool = typer.Option(False, "--https-cookies",
                               help="Mark cookies Secure (behind an https reverse proxy)."),
    proxy_headers: bool = typer.Option(False, "--proxy-headers",
                                       help="Trust X-Forwarded-For/Proto from the proxy "
                                            "(only behind your own reverse proxy)."),
    job_workers: int = typer.Option(1, "--job-workers", min=0,
                                    help="Analyses run at once by worker processes started "
                                         "with the server (0: run `python -m "
                                         "kneetrack.web.worker` yourself)."),
    engine: str = typer.Option("local", "--engine",
                               help="Where analyses run: local (a process pool) or ray."),
    ray_address: str | None = typer.Option(None, "--ray-address",
                                           help="An existing Ray cluster (with --engine ray)."),
) -> None:
    """Serve the web app (pages and JSON API) on the same store as the CLI."""
    try:
        import uvicorn

        from kneetrack.web.app import create_app
        from kneetrack.web.settings import WebSettings
    except ImportError as err:
        raise SettingsError(
            f"the web app needs its extra packages ({err.name} is missing): "
            "pip install 'kneetrack[web]'"
        ) from None
    from kneetrack.web.jobs_settings import JobSettings, WorkerSettings

    jobs = JobSettings(processes=job_workers,
                       worker=WorkerSettings(engine=engine, ray_address=ray_address))
    web = create_app(WebSettings(db=db, https=https, jobs=jobs))
    where = "this computer only" if host in ("127.0.0.1", "localhost", "::1") else \
        "every device that can reach this address"
    typer.echo(f"kneetrack serving on http://{host}:{port} ({where}); Ctrl+C stops it")
    uvicorn.run(web, host=host, port=port, proxy_headers=proxy_headers,
                forwarded_allow_ips="*" if proxy_headers else None, log_level="info")
