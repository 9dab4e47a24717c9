"""Bounded load test of ``kneetrack serve`` on loopback: page latency while analyses run.

Starts the real server (``python -m kneetrack serve``, SQLite in a temporary
folder, ``--job-workers 2``), signs in as the owner, adds two athletes and then

1. **idle**: sends ``--requests`` page loads, ``--concurrency`` at a time, over
   the signed-in pages (athlete list, athlete page, upload page, progress, job
   page) while no analysis runs;
2. **busy**: uploads the same video for each athlete (two jobs, so two analyses
   run at once on the two worker processes: real MediaPipe), waits until both
   run, and sends the same number of page loads again.

It prints p50/p95/max latency of each phase and their ratio, how many of the
busy-phase requests ended while an analysis was still running, and the peak
resident memory of the server alone and of the server with its workers and
their pool processes (sampled every 0.1 s). Then it waits for both jobs and
asserts that none was lost or duplicated: both ``done``, one stored analysis per
athlete, and no request answered with an error.

Usage::

    python benchmarks/web_load.py                       # 400 requests, 20 at a time
    python benchmarks/web_load.py --requests 200 --video /path/to/run.mp4

The video defaults to ``../shared/data/video/sprint_track_panning.mp4`` (449
frames at 1280x720, so each analysis lasts long enough to overlap the load).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import itertools
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

REPO = Path(__file__).resolve().parents[1]
DEFAULT_VIDEO = REPO.parent / "shared" / "data" / "video" / "sprint_track_panning.mp4"
PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MemorySampler(threading.Thread):
    """Peak RSS of a process alone and with all its descendants."""

    def __init__(self, pid: int, every_s: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.proc = psutil.Process(pid)
        self.every_s = every_s
        self.peak_server = 0
        self.peak_total = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every_s):
            try:
                own = self.proc.memory_info().rss
                total = own
                for child in self.proc.children(recursive=True):
                    with contextlib.suppress(psutil.Error):  # it ended meanwhile
                        total += child.memory_info().rss
            except psutil.Error:
                return
            self.peak_server = max(self.peak_server, own)
            self.peak_total = max(self.peak_total, total)


def token_of(r: httpx.Response) -> str:
    m = TOKEN.search(r.text)
    if m is None:
        raise SystemExit(f"no CSRF token on {r.request.url} (HTTP {r.status_code})")
    return m.group(1)


def set_up(c: httpx.Client) -> tuple[list[int], str]:
    """Owner account, two athletes; returns their ids and a CSRF token of the session."""
    tok = token_of(c.get("/setup"))
    r = c.post("/setup", data={"csrf_token": tok, "email": "owner@bench.test", "name": "Owner",
                               "password": PASSWORD, "password2": PASSWORD})
    r.raise_for_status()
    ids = []
    for name in ("Runner One", "Runner Two"):
        tok = token_of(c.get("/athletes"))
        r = c.post("/athletes", data={"csrf_token": tok, "name": name})
        r.raise_for_status()
        m = re.search(r'action="/athletes/(\d+)/invite"|/athletes/(\d+)/upload', r.text)
        if m is None:
            raise SystemExit("could not find the new athlete's id")
        ids.append(int(m.group(1) or m.group(2)))
    return ids, token_of(c.get("/athletes"))


def load(c: httpx.Client, urls: list[str], n: int, concurrency: int,
         busy: Any = None) -> tuple[list[float], list[str], int]:
    """``n`` GETs over ``urls``, ``concurrency`` at a time; latencies (s), errors, overlapped."""
    seq = list(itertools.islice(itertools.cycle(urls), n))
    errors: list[str] = []
    overlapped = 0
    lock = threading.Lock()

    def one(url: str) -> float:
        nonlocal overlapped
        t0 = time.perf_counter()
        r = c.get(url)
        dt = time.perf_counter() - t0
        with lock:
            if r.status_code != 200:
                errors.append(f"{url}: HTTP {r.status_code}")
            if busy is not None and busy():
                overlapped += 1
        return dt

    with cf.ThreadPoolExecutor(concurrency) as pool:
        lat = list(pool.map(one, seq))
    return lat, errors, overlapped


def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20)[18]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=400, help="page loads per phase")
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--video", type=Path, default=DEFAULT_VIDEO)
    ap.add_argument("--timeout-s", type=float, default=900, help="wait for the jobs at most")
    args = ap.parse_args(argv)
    if not args.video.is_file():
        raise SystemExit(f"video not found: {args.video}")

    tmp = Path(tempfile.mkdtemp(prefix="kneetrack-webload-"))
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO / "src"), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    server = subprocess.Popen([sys.executable, "-m", "kneetrack", "serve", "--db",
                               str(tmp / "kneetrack.db"), "--port", str(port),
                               "--job-workers", "2"],
                              env=env, stdout=(tmp / "server.log").open("w"),
                              stderr=subprocess.STDOUT, start_new_session=True)
    sampler = MemorySampler(server.pid)
    failures: list[str] = []
    try:
        base = f"http://127.0.0.1:{port}"
        limits = httpx.Limits(max_connections=args.concurrency + 5)
        with httpx.Client(base_url=base, timeout=60, limits=limits,
                          follow_redirects=True) as c:
            end = time.monotonic() + 90
            while True:
                try:
                    c.get("/login")
                    break
                except httpx.TransportError:
                    if server.poll() is not None or time.monotonic() > end:
                        raise SystemExit("server did not start:\n" +
                                         (tmp / "server.log").read_text()) from None
                    time.sleep(0.3)
            sampler.start()
            ids, tok = set_up(c)
            pages = ["/athletes"] + [u for i in ids for u in
                                     (f"/athletes/{i}", f"/athletes/{i}/upload",
                                      f"/athletes/{i}/progress", f"/athletes/{i}/jobs")]
            idle, err_idle, _ = load(c, pages, args.requests, args.concurrency)

            data = args.video.read_bytes()
            jobs = {}
            for i in ids:
                r = c.post(f"/athletes/{i}/uploads", content=data,
                           headers={"X-CSRF-Token": tok, "X-Filename": args.video.name,
                                    "Content-Type": "video/mp4"})
                if r.status_code != 201:
                    raise SystemExit(f"upload refused: HTTP {r.status_code} {r.text}")
                r = c.post(f"/athletes/{i}/jobs", data={"upload_id": r.json()["upload_id"]},
                           headers={"X-CSRF-Token": tok, "Accept": "application/json"})
                r.raise_for_status()
                jobs[i] = r.json()["job_id"]

            def states() -> list[str]:
                return [c.get(f"/api/athletes/{i}/jobs/{j}").json()["status"]
                        for i, j in jobs.items()]

            t_wait = time.monotonic()
            while states() != ["running", "running"]:
                if time.monotonic() - t_wait > 120:
                    failures.append(f"both jobs never ran at once: {states()}")
                    break
                time.sleep(0.2)
            running = {"any": True}

            def watch() -> None:
                while running["any"]:
                    running["any"] = "running" in states()
                    time.sleep(0.5)

            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
            pages_busy = pages + [f"/athletes/{i}/jobs/{j}" for i, j in jobs.items()]
            t0 = time.perf_counter()
            busy, err_busy, overlapped = load(c, pages_busy, args.requests, args.concurrency,
                                              busy=lambda: running["any"])
            busy_s = time.perf_counter() - t0

            t_jobs = time.monotonic()
            while any(s not in ("done", "failed") for s in states()):
                if time.monotonic() - t_jobs > args.timeout_s:
                    failures.append(f"jobs unfinished after {args.timeout_s:.0f} s: {states()}")
                    break
                time.sleep(1.0)
            running["any"] = False
            final = {i: c.get(f"/api/athletes/{i}/jobs/{j}").json() for i, j in jobs.items()}
            stored = {i: len(c.get(f"/api/athletes/{i}/analyses").json()) for i in ids}
    finally:
        sampler.stopped.set()
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)

    for i, job in final.items():
        if job["status"] != "done":
            failures.append(f"athlete {i}: job {job['id']} ended {job['status']}: {job['error']}")
        if stored[i] != 1:
            failures.append(f"athlete {i}: {stored[i]} stored analyses, expected 1")
    failures += err_idle + err_busy

    mib = 1024 * 1024
    print(f"kneetrack serve on loopback, {args.concurrency} concurrent page loads, "
          f"{args.requests} per phase, 2 job workers, video {args.video.name}")
    print(f"{'phase':<6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'req/s':>7}")
    for name, lat in (("idle", idle), ("busy", busy)):
        print(f"{name:<6} {1000 * statistics.median(lat):8.1f} {1000 * p95(lat):8.1f} "
              f"{1000 * max(lat):8.1f} {len(lat) / sum(lat) * args.concurrency:7.1f}")
    print(f"p95 busy/idle: {p95(busy) / p95(idle):.2f}x; busy phase {busy_s:.1f} s, "
          f"{overlapped}/{len(busy)} requests ended while an analysis ran")
    print(f"peak RSS: server {sampler.peak_server / mib:.0f} MiB, server + workers "
          f"{sampler.peak_total / mib:.0f} MiB")
    summary = ", ".join(f"{j['id']}={j['status']}" for j in final.values())
    print(f"jobs: {summary}; stored analyses per athlete: {sorted(stored.values())}")
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures[:20]))
        return 1
    print("no lost or duplicated jobs, no failed requests")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
