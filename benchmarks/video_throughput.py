"""Video throughput: kneetrack analyze vs the raw single-process BlazePose loop, in one run.

Usage (from the repository root)::

    .venv/bin/python benchmarks/video_throughput.py                 # 20 s 1080p clip
    .venv/bin/python benchmarks/video_throughput.py --real --seconds 8 20 60   # the table
    .venv/bin/python benchmarks/video_throughput.py --seconds 60 --rounds 3     # one target
    .venv/bin/python benchmarks/video_throughput.py --real --costs  # the plan's measured costs
    .venv/bin/python benchmarks/video_throughput.py --seconds 600 --only analyze  # RSS check

``--real`` adds a short real clip, the shared Sports2D demo (7.7 s of 1768×994 at
30 fps, several people walking past). For the other clips it builds a 1080×1920
(portrait 1080p) 60 fps H.264 clip of each ``--seconds`` length by concatenating the
shared Pose2Sim demo clips (``../shared/data/video/pose2sim_single/cam0*.mp4``,
re-encoded once to one base segment, then looped by remuxing, so building a
10-minute clip takes seconds), then times, each in its own process:

a. the raw loop: PyAV decode + ``mediapipe.solutions.pose.Pose.process`` per frame
   (``model_complexity=1``, ``smooth_landmarks=False``), nothing else;
b. ``kneetrack analyze`` (pose + metrics + report + annotated video);
c. ``kneetrack analyze`` without the annotated video (``overlay=False``).

It prints frames/s (whole command, start-up included; for (a) also the loop
alone), the ratios b/a and c/a, the peak RSS of each command's whole process
tree (parent + workers, sampled every 50 ms with psutil) and each process's
share at that peak, the CPU time per frame of that tree, the 1-minute load
average when each finished, and how far kneetrack's landmarks are from the raw
loop's (median pixels; the target is 2 px).

Timings on a shared machine are noisy, and its speed drifts by 10 % over a few
minutes: compare the ratios from one run, read them with the load average, and
use ``--rounds N`` to repeat (a), (b), (c) interleaved and take the median ratio.
At the end it prints a table, one row per clip, with the median ratios and the
targets: with the annotated video ≥ 1.0 on the real 7.7 s clip, ≥ 1.4 on 20 s and
≥ 1.5 on 60 s; without it ≥ 1.7 on 20 s and longer.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared" / "data" / "video" / "pose2sim_single").resolve()
#: A short real clip: 7.7 s of 1768x994 at 30 fps, several people walking past.
REAL_CLIP = (REPO / ".." / "shared" / "data" / "video" / "sports2d_demo.mp4").resolve()
FPS = 60
SIZE = (1080, 1920)  # width, height: portrait 1080p, as phones film


# --------------------------------------------------------------------------- the clip


def _base_segment(path: Path, *, gop: int = FPS) -> Path:
    """Re-encode cam01..cam04 (400 frames) into one 1080×1920 H.264 segment."""
    import av

    sources = sorted(SHARED.glob("cam0*.mp4"))
    if not sources:
        sys.exit(f"demo clips not found in {SHARED}")
    w, h = SIZE
    with av.open(str(path), "w") as out:
        st = out.add_stream("libx264", rate=FPS)
        st.width, st.height, st.pix_fmt = w, h, "yuv420p"
        st.codec_context.gop_size = gop  # a key frame a second, like phones
        st.options = {"preset": "veryfast", "crf": "20"}
        for src in sources:
            with av.open(str(src)) as inp:
                for fr in inp.decode(video=0):
                    img = fr.to_ndarray(format="rgb24")
                    if img.shape[1] != w or img.shape[0] != h:  # cam03/04 are 1088 wide
                        img = img[:h, :w]
                    for pkt in st.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                        out.mux(pkt)
        for pkt in st.encode():
            out.mux(pkt)
    return path


def build_clip(path: Path, *, seconds: float) -> Path:
    """Loop the base segment (remux, no re-encoding) to ``seconds`` of video.

    The clip ends at the first key frame (one a second) at or after ``seconds``.
    """
    import av

    base = path.with_name("base.mp4")
    if not base.is_file():
        _base_segment(base)
    with av.open(str(base)) as probe:
        s = probe.streams.video[0]
        n_base = s.frames
        tb = s.time_base
    loops = max(1, int(-(-seconds * FPS // n_base)))
    step = int(round(Fraction(n_base, FPS) / tb))
    end = int(round(Fraction(seconds).limit_denominator(1000) / tb))  # pts where the clip ends
    with av.open(str(path), "w") as out, av.open(str(base)) as tmpl:
        ost = out.add_stream_from_template(tmpl.streams.video[0])
        for k in range(loops):
            with av.open(str(base)) as inp:
                ist = inp.streams.video[0]
                for pkt in inp.demux(ist):
                    if pkt.dts is None:
                        continue
                    if pkt.is_keyframe and pkt.pts is not None and pkt.pts + k * step >= end:
                        break
                    pkt.pts += k * step
                    pkt.dts += k * step
                    pkt.stream = ost
                    out.mux(pkt)
    return path


# --------------------------------------------------------------------------- (a) the raw loop


def raw_loop(video: str, landmarks_out: str | None = None) -> None:
    """The floor: decode + Pose.process per frame, nothing else. Prints JSON.

    The landmarks (pixels) are kept and saved to ``landmarks_out`` after the timed loop.
    """
    t_start = time.perf_counter()
    import av
    from mediapipe.python.solutions import pose as mp_pose

    pose = mp_pose.Pose(static_image_mode=False, model_complexity=1, smooth_landmarks=False,
                        enable_segmentation=False)
    n = 0
    found = []
    t0 = time.perf_counter()
    with av.open(video) as c:
        st = c.streams.video[0]
        st.thread_type = "AUTO"
        for fr in c.decode(st):
            found.append((pose.process(fr.to_ndarray(format="rgb24")).pose_landmarks,
                          fr.width, fr.height))
            n += 1
    loop = time.perf_counter() - t0
    pose.close()
    if landmarks_out:
        import numpy as np

        xy = np.full((n, 33, 2), np.nan)
        for i, (lm, w, h) in enumerate(found):
            if lm is not None:
                xy[i] = [(p.x * w, p.y * h) for p in lm.landmark]
        np.save(landmarks_out, xy)
    print(json.dumps({"frames": n, "loop_s": loop, "setup_s": t0 - t_start}))


# --------------------------------------------------------------------------- measuring


class TreeRSS:
    """Sample the RSS of a process and all its descendants; keep the peak of the sum."""

    def __init__(self, pid: int, every_s: float = 0.05) -> None:
        import psutil

        self._root = psutil.Process(pid)
        self._psutil = psutil
        self.every_s = every_s
        self.peak_bytes = 0
        self.at_peak: list[tuple[str, int]] = []  # (process name, RSS bytes) at the peak
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self) -> None:
        ps = self._psutil
        while not self._stop.is_set():
            try:
                procs = [self._root, *self._root.children(recursive=True)]
            except ps.Error:
                break
            total = 0
            parts = []
            for p in procs:
                with contextlib.suppress(ps.Error):
                    rss = p.memory_info().rss
                    total += rss
                    parts.append(("main" if p.pid == self._root.pid else "worker", rss))
            if total > self.peak_bytes:
                self.peak_bytes = total
                self.at_peak = sorted(parts, key=lambda x: -x[1])
            self._stop.wait(self.every_s)

    def stop(self) -> float:
        self._stop.set()
        self._t.join()
        return self.peak_bytes / 2**20


def _children_cpu_s() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)  # every waited-for descendant
    return r.ru_utime + r.ru_stime


LAST_CPU_S = 0.0
LAST_PEAK_PARTS = ""


def run_measured(cmd: list[str], *, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run ``cmd``; return (wall seconds, peak tree RSS MiB, stdout); CPU s in ``LAST_CPU_S``."""
    global LAST_CPU_S
    cpu0 = _children_cpu_s()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    rss = TreeRSS(proc.pid)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    peak = rss.stop()
    global LAST_PEAK_PARTS
    LAST_PEAK_PARTS = ", ".join(f"{n} {b / 2**20:.0f}" for n, b in rss.at_peak)
    LAST_CPU_S = _children_cpu_s() - cpu0
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err[-3000:]}")
    return wall, peak, out


def analyze_cmd(video: Path, out: Path, *, overlay: bool, workers: int | None) -> list[str]:
    # The same service as `kneetrack analyze`; the no-overlay run passes overlay=False to it.
    code = ("import sys\n"
            "from kneetrack.cli.main import main\n"
            "from kneetrack.app.analyze import analyze_file\n"
            "if __name__ == '__main__':\n"
            "    if sys.argv[3] == '1':\n"
            "        sys.exit(main(['analyze', sys.argv[1], '--out', sys.argv[2], '-q']"
            " + (['--workers', sys.argv[4]] if sys.argv[4] != '0' else [])))\n"
            "    w = int(sys.argv[4]) or None\n"
            "    analyze_file(sys.argv[1], out_dir=sys.argv[2], workers=w, overlay=False)\n")
    return [sys.executable, "-c", code, str(video), str(out), "1" if overlay else "0",
            str(workers or 0)]


def landmark_agreement(raw_xy: Path, outs: list[Path]) -> dict[str, float] | None:
    """Median distance between the raw loop's landmarks and kneetrack's pose keypoints."""
    import numpy as np

    from kneetrack.io.trc import read_trc
    from kneetrack.pose.mediapipe_backend import BLAZEPOSE_MARKERS

    trc = next((o / "keypoints.trc" for o in outs if (o / "keypoints.trc").is_file()), None)
    if not raw_xy.is_file() or trc is None:
        return None
    raw = np.load(raw_xy)
    kp = read_trc(trc)
    n = min(raw.shape[0], kp.n_frames)
    d = []
    for i, name in BLAZEPOSE_MARKERS.items():
        if kp.has(name):
            d.append(np.linalg.norm(raw[:n, i] - kp.xy[:n, kp.index(name)], axis=-1))
    dist = np.concatenate(d)
    dist = dist[np.isfinite(dist)]
    steps = json.loads((trc.parent / "analysis.json").read_text()).get("provenance") or []
    workers = next((s.get("params", {}).get("workers") for s in steps if s.get("step") == "pose"),
                   None)
    return {"median_px": float(np.median(dist)), "p95_px": float(np.percentile(dist, 95)),
            "points": int(dist.size), "workers": workers or "?"}


def measure_round(video: Path, n: int, tmp: Path, args: argparse.Namespace,
                  raw_xy: Path) -> dict[str, dict[str, float]]:
    """Time (a), (b) and (c) once, one after the other; print and return them."""
    res: dict[str, dict[str, float]] = {}
    if args.only in ("all", "raw"):
        wall, rss, out = run_measured([sys.executable, __file__, "--raw-loop", str(video),
                                       "--landmarks-out", str(raw_xy)])
        inner = json.loads(out.strip().splitlines()[-1])
        res["a"] = {"wall": wall, "rss": rss, "fps": n / wall,
                    "loop_fps": inner["frames"] / inner["loop_s"],
                    "cpu_ms_per_frame": 1000 * LAST_CPU_S / n, "load": os.getloadavg()[0]}
        print(f"(a) raw loop         : {n / wall:6.1f} frames/s "
              f"(loop alone {res['a']['loop_fps']:.1f}), {wall:6.1f} s, "
              f"peak RSS {rss:6.0f} MiB, {res['a']['cpu_ms_per_frame']:.1f} CPU ms/frame, "
              f"load {res['a']['load']:.1f}")
    for key, only, overlay, label in (("b", "analyze", True, "(b) analyze          "),
                                      ("c", "analyze-no-overlay", False,
                                       "(c) analyze, no video")):
        if args.only not in ("all", only):
            continue
        wall, rss, _ = run_measured(analyze_cmd(video, tmp / f"out_{key}", overlay=overlay,
                                                workers=args.workers))
        res[key] = {"wall": wall, "rss": rss, "fps": n / wall,
                    "cpu_ms_per_frame": 1000 * LAST_CPU_S / n, "load": os.getloadavg()[0]}
        print(f"{label}: {n / wall:6.1f} frames/s, {wall:6.1f} s, "
              f"peak RSS {rss:6.0f} MiB, {res[key]['cpu_ms_per_frame']:.1f} CPU ms/frame, "
              f"load {res[key]['load']:.1f}")
        print(f"    at the peak, MiB: {LAST_PEAK_PARTS}")
    return res


#: Targets (ratio to the raw loop in the same run, 2 cores): with the annotated video (b) and
#: without it (c), by clip. Keys: "real" (the 7.7 s Sports2D clip) or the length in seconds.
TARGETS = {"real": (1.0, None), 8.0: (None, None), 20.0: (1.4, 1.7), 60.0: (1.5, 1.7)}


def _target(key: str | float, which: str) -> float | None:
    b, c = TARGETS.get(key, (None, 1.7 if isinstance(key, float) and key >= 20 else None))
    return b if which == "b" else c


def bench_clip(video: Path, tmp: Path, args: argparse.Namespace,
               key: str | float) -> dict[str, object]:
    """Run the rounds on one clip; print and return its ratios and landmark agreement."""
    from kneetrack.video import probe_video

    info = probe_video(video)
    n = info.frames
    print(f"video: {video.name}: {info.width}x{info.height} {info.fps:.0f} fps, {n} frames "
          f"({info.duration_s:.1f} s), cores available: {len(os.sched_getaffinity(0))}")
    if args.costs:
        from kneetrack.pose.plan import costs_dict, measure_costs, plan_pose

        costs, raw = measure_costs(video)
        plan = plan_pose(n, megapixels=info.width * info.height / 1e6,
                         cores=len(os.sched_getaffinity(0)), costs=costs)
        print(f"    measured: {json.dumps({k: round(v, 4) for k, v in raw.items()})}")
        print(f"    costs: {costs_dict(costs)}; plan with them: {plan.workers} graph(s) "
              f"of {plan.threads} thread(s), "
              f"{plan.chunks} chunk(s), predicted {plan.predicted_s}")
    raw_xy = tmp / f"raw_landmarks_{video.stem}.npy"
    rounds: list[dict[str, dict[str, float]]] = []
    for r in range(args.rounds):
        if args.rounds > 1:
            print(f"-- round {r + 1} of {args.rounds}")
        rounds.append(measure_round(video, n, tmp, args, raw_xy))
    res: dict[str, object] = {"clip": video.name, "key": key, "frames": n,
                              "seconds": round(info.duration_s, 1), "fps": round(info.fps),
                              "size": f"{info.width}x{info.height}", "rounds": rounds}
    agreement = landmark_agreement(raw_xy, [tmp / "out_c", tmp / "out_b"])
    if agreement:
        res["landmarks"] = agreement
        print(f"landmarks, kneetrack ({agreement['workers']} pose process(es)) vs the raw "
              f"loop (one process, full-size frames): median {agreement['median_px']:.2f} px, "
              f"95th percentile {agreement['p95_px']:.2f} px over {agreement['points']} "
              f"points (target: median <= 2 px: "
              f"{'met' if agreement['median_px'] <= 2 else 'NOT met'})")
    ratios: dict[str, list[float]] = {}
    for k in ("b", "c"):
        each = [rd[k]["fps"] / rd["a"]["fps"] for rd in rounds if k in rd and "a" in rd]
        if each:
            med = statistics.median(each)
            ratios[f"{k}/a"] = each
            target = _target(key, k)
            per = f" (rounds: {', '.join(f'{x:.2f}' for x in each)})" if len(each) > 1 else ""
            verdict = ("" if target is None else
                       f"  (target >= {target}: {'met' if med >= target else 'NOT met'})")
            print(f"ratio {k}/a = {med:.2f}{per}{verdict}")
    res["ratios"] = ratios
    for sub in ("out_b", "out_c"):
        import shutil

        shutil.rmtree(tmp / sub, ignore_errors=True)
    return res


def print_table(results: list[dict[str, object]]) -> None:
    """The summary: one row per clip, median ratios with their targets."""
    print("\n| clip | frames | raw loop frames/s | b/a (with video) | c/a (no video) "
          "| landmarks median px |")
    print("|---|---|---|---|---|---|")
    for r in results:
        rounds = r["rounds"]
        assert isinstance(rounds, list)
        raw = [rd["a"]["fps"] for rd in rounds if "a" in rd]
        ratios = r["ratios"]
        assert isinstance(ratios, dict)
        cells = []
        for k in ("b", "c"):
            each = ratios.get(f"{k}/a")
            target = _target(r["key"], k)  # type: ignore[arg-type]
            if not each:
                cells.append("—")
                continue
            med = statistics.median(each)
            t = "" if target is None else f" (≥ {target}: {'met' if med >= target else 'NOT met'})"
            cells.append(f"{med:.2f}{t}")
        lm = r.get("landmarks")
        lm_cell = f"{lm['median_px']:.2f}" if isinstance(lm, dict) else "—"
        label = (f"{r['clip']}: {r['seconds']} s, {r['size']}, {r['fps']} fps")
        raw_cell = ", ".join(f"{x:.1f}" for x in raw) or "—"
        print(f"| {label} | {r['frames']} | {raw_cell} | {cells[0]} | {cells[1]} | {lm_cell} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, nargs="+", default=None,
                    help="built 1080p 60 fps clip length(s) (default 20 s); e.g. --seconds 8 20 60")
    ap.add_argument("--real", action="store_true",
                    help="also the Sports2D demo clip (7.7 s, 1768x994, 30 fps, several people)")
    ap.add_argument("--video", type=Path, help="use this video instead of building one")
    ap.add_argument("--only", choices=("all", "raw", "analyze", "analyze-no-overlay"),
                    default="all", help="run only some of the measurements")
    ap.add_argument("--workers", type=int, default=None, help="pose workers for analyze")
    ap.add_argument("--rounds", type=int, default=1,
                    help="repeat (a), (b), (c) this many times, interleaved; the median "
                         "ratio is reported (the machine's speed drifts between runs)")
    ap.add_argument("--costs", action="store_true",
                    help="also measure the pose costs the per-clip plan uses, and the plan")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--raw-loop", help=argparse.SUPPRESS)
    ap.add_argument("--landmarks-out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.raw_loop:
        raw_loop(args.raw_loop, args.landmarks_out)
        return

    tmp = Path(tempfile.mkdtemp(prefix="kneetrack-bench-"))
    try:
        clips: list[tuple[Path, str | float]] = []
        if args.real:
            if not REAL_CLIP.is_file():
                sys.exit(f"the Sports2D demo clip is not at {REAL_CLIP}")
            clips.append((REAL_CLIP, "real"))
        if args.video:
            clips.append((args.video, "video"))
        for sec in args.seconds or ([] if clips else [20.0]):
            t = time.perf_counter()
            video = build_clip(tmp / f"clip_1080p_{sec:g}s.mp4", seconds=sec)
            print(f"built {video.name} in {time.perf_counter() - t:.1f} s")
            clips.append((video, float(sec)))
        results = [bench_clip(video, tmp, args, key) for video, key in clips]
        print_table(results)
        print(json.dumps(results))
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
