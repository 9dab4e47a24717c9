"""The annotated video: H.264 that browsers play, same frames and rate, overlay, face blur."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import av
import numpy as np
import pytest

from kneetrack.errors import InputError
from kneetrack.keypoints import Keypoints
from kneetrack.report.overlay import PEAK_RGB
from kneetrack.report.video import VideoOverlay, grab_frames

FPS = 30
N = 48
W, H = 320, 240
FACE = (250, 40)  # face centre, away from the top-left HUD
PEAK_FRAME = 15


def _checker(h: int, w: int, cell: int = 2) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w]
    return ((((yy // cell) + (xx // cell)) % 2) * 255).astype(np.uint8)


def _painter(i: int, w: int, h: int) -> np.ndarray:
    img = np.full((h, w, 3), 90, np.uint8)
    x, y = FACE
    img[y - 14:y + 14, x - 14:x + 14] = _checker(28, 28)[..., None]
    return img


@pytest.fixture
def clip(make_video):
    video = make_video("in.mp4", frames=N, fps=FPS, size=(W, H), painter=_painter)
    t = np.arange(N) / FPS
    x, y = FACE
    const = {
        "nose": (x, y), "left_eye": (x + 5, y - 4), "right_eye": (x - 5, y - 4),
        "left_ear": (x + 10, y), "right_ear": (x - 10, y),
        "left_shoulder": (x + 20, 80), "right_shoulder": (x - 20, 80),
        "left_hip": (x + 12, 150), "right_hip": (x - 12, 150),
        "left_knee": (x + 10, 190), "right_knee": (x - 10, 190),
        "left_ankle": (x + 12, 228), "right_ankle": (x - 12, 228),
    }
    kp = Keypoints.from_arrays({m: np.tile(np.array(p, float), (N, 1)) for m, p in const.items()},
                               fps=FPS, image_size=(W, H))
    fppa = np.zeros(N)
    fppa[9:21] = np.linspace(0, 1, 12) * 5
    fppa[PEAK_FRAME] = 15.0
    series = {"time_s": t, "left_fppa_deg": fppa, "right_fppa_deg": np.full(N, 2.0),
              "left_hip_adduction_deg": np.full(N, 8.0), "right_hip_adduction_deg": np.full(N, 6.0)}
    analysis = {"view": "front", "stances": [
        {"leg": "left", "contact_s": 0.3, "toe_off_s": 0.7, "fppa_peak_deg": 15.0},
        {"leg": "right", "contact_s": 0.9, "toe_off_s": 1.3, "fppa_peak_deg": 2.0},
    ]}
    return video, kp, series, analysis


def _decode(path: Path) -> tuple[av.video.stream.VideoStream, list[np.ndarray]]:
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        info = (s.codec_context.name, s.codec_context.pix_fmt, s.width, s.height, s.average_rate)
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(s)]
    return info, frames


def _top_level_boxes(path: Path) -> list[str]:
    data = path.read_bytes()
    boxes, i = [], 0
    while i + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[i:i + 8])
        if size == 1:
            size = struct.unpack(">Q", data[i + 8:i + 16])[0]
        boxes.append(kind.decode("latin-1"))
        if size < 8:
            break
        i += size
    return boxes


def test_annotated_video_plays_in_browsers_and_keeps_frames(clip, tmp_path):
    video, kp, series, analysis = clip
    ov = VideoOverlay().render(video, tmp_path / "annotated.mp4", keypoints=kp,
                               analysis=analysis, series=series, grab=[3, 40])
    (codec, pix_fmt, w, h, rate), frames = _decode(ov.path_)
    assert codec == "h264" and pix_fmt == "yuv420p"
    assert (w % 2, h % 2) == (0, 0) and (w, h) == (W, H)
    assert len(frames) == N == ov.frames_written_
    assert float(rate) == pytest.approx(FPS)
    boxes = _top_level_boxes(ov.path_)
    assert boxes.index("moov") < boxes.index("mdat"), boxes  # +faststart
    assert not (tmp_path / "annotated.mp4.part").exists()
    assert set(ov.grabbed_) == {3, 40}
    assert ov.peak_[:3] == (PEAK_FRAME, "left", "fppa_deg")
    assert ov.peak_[3] == pytest.approx(15.0)


def test_peak_frame_is_highlighted_only_around_the_peak(clip, tmp_path):
    video, kp, series, analysis = clip
    ov = VideoOverlay(highlight_s=0.1).render(video, tmp_path / "a.mp4", keypoints=kp,
                                              analysis=analysis, series=series)
    _, frames = _decode(ov.path_)

    def border_is_yellow(img: np.ndarray) -> bool:
        px = img[H // 2, 1].astype(int)
        return bool(np.abs(px - np.array(PEAK_RGB)).max() < 40)

    assert border_is_yellow(frames[PEAK_FRAME])
    assert not border_is_yellow(frames[0])
    assert not border_is_yellow(frames[PEAK_FRAME + 6])


def test_faces_are_blurred_by_default(clip, tmp_path):
    video, kp, series, analysis = clip
    x, y = FACE

    def face_detail(path: Path) -> float:
        _, frames = _decode(path)
        patch = frames[5][y - 8:y + 8, x - 8:x + 8].astype(float)
        return float(np.abs(np.diff(patch, axis=1)).mean())

    blurred = VideoOverlay().render(video, tmp_path / "b.mp4", keypoints=kp,
                                    analysis=analysis, series=series).path_
    sharp = VideoOverlay(blur_faces=False).render(video, tmp_path / "s.mp4", keypoints=kp,
                                                  analysis=analysis, series=series).path_
    assert face_detail(sharp) > 40  # the checkerboard survives encoding
    assert face_detail(blurred) < 0.2 * face_detail(sharp)


def test_missing_video_is_a_clear_error(clip, tmp_path):
    _, kp, series, analysis = clip
    with pytest.raises(InputError):
        VideoOverlay().render(tmp_path / "nope.mp4", tmp_path / "o.mp4", keypoints=kp,
                              analysis=analysis)


def test_grab_frames(clip):
    video = clip[0]
    got = grab_frames(video, [0, 5, 5])
    assert sorted(got) == [0, 5] and got[5].shape == (H, W, 3)


def test_grab_frames_seeks_and_matches_a_full_decode(make_video):
    """Frames grabbed after a seek are the frames a full decode gives at those indices."""
    from kneetrack.video import iter_frames

    def painter(i: int, w: int, h: int) -> np.ndarray:
        img = np.full((h, w, 3), 40, np.uint8)
        img[:, 4 * i:4 * i + 16] = 220  # a bar that moves 4 px a frame
        return img

    video = make_video("moving.mp4", frames=N, fps=FPS, size=(W, H), painter=painter)
    want = [9, 30, N - 1]
    got = grab_frames(video, want)
    full = {f.index: f.image for f in iter_frames(video) if f.index in want}
    assert sorted(got) == want
    for i in want:
        assert got[i].shape == full[i].shape
        assert np.abs(got[i].astype(int) - full[i]).mean() < 2.0
    assert np.abs(got[30].astype(int) - full[9]).mean() > 10  # frames differ: a mix-up shows


def test_large_input_is_downscaled_with_even_size(clip, tmp_path):
    video, kp, series, analysis = clip
    ov = VideoOverlay(max_side_px=201).render(video, tmp_path / "small.mp4", keypoints=kp,
                                              analysis=analysis, series=series)
    (codec, pix_fmt, w, h, _), frames = _decode(ov.path_)
    assert (w, h) == ov.size_ == (200, 150)
    assert len(frames) == N


def test_keypoints_shorter_than_video_map_by_time(clip, tmp_path):
    video, kp, series, analysis = clip
    short = kp.slice_frames(0, 40)
    ov = VideoOverlay(blur_faces=False).render(video, tmp_path / "short.mp4", keypoints=short,
                                               analysis=analysis, series=series)
    _, frames = _decode(ov.path_)
    assert len(frames) == N  # every input frame is written, with or without a skeleton
    knee = (FACE[0] + 10, 190)  # left knee joint marker (white dot) while keypoints last
    assert frames[30][knee[1], knee[0]].min() > 200
    assert frames[45][knee[1], knee[0]].max() < 120


# --------------------------------------------------------------------------- parallel chunks

LONG = 240


def _moving_painter(i: int, w: int, h: int) -> np.ndarray:
    img = np.full((h, w, 3), 70, np.uint8)
    img[:, (i * 3) % w] = 200  # a moving bar: every frame differs
    return img


@pytest.fixture
def long_clip(make_video):
    video = make_video("long.mp4", frames=LONG, fps=FPS, size=(W, H), painter=_moving_painter,
                       gop=30)
    t = np.arange(LONG) / FPS
    sway = 10 * np.sin(t * 4)[:, None]
    pts = {"left_hip": (180, 120), "right_hip": (140, 120), "left_knee": (182, 170),
           "right_knee": (138, 170), "left_ankle": (184, 220), "right_ankle": (136, 220),
           "left_shoulder": (185, 60), "right_shoulder": (135, 60), "nose": (160, 35)}
    kp = Keypoints.from_arrays({m: np.array(p, float) + sway * np.array([1.0, 0.0])
                                for m, p in pts.items()}, fps=FPS, image_size=(W, H))
    fppa = 5 + 3 * np.sin(t * 6)
    fppa[150] = 20.0
    series = {"time_s": t, "left_fppa_deg": fppa, "right_fppa_deg": np.full(LONG, 3.0)}
    analysis = {"stances": [{"leg": "left", "contact_s": 4.8, "toe_off_s": 5.3,
                             "fppa_peak_deg": 20.0},
                            {"leg": "right", "contact_s": 1.0, "toe_off_s": 1.4,
                             "fppa_peak_deg": 4.0}]}
    return video, kp, series, analysis


def _same_video(one: VideoOverlay, other: VideoOverlay, grab: list[int]) -> None:
    """``other`` wrote the same video as ``one`` (same stream, 35 dB+ a frame, same grabs)."""
    info_a, a = _decode(one.path_)
    info_b, b = _decode(other.path_)
    assert info_b == info_a and len(b) == LONG
    for fa, fb in zip(a, b, strict=True):
        mse = np.mean((fa.astype(float) - fb.astype(float)) ** 2)
        assert 10 * np.log10(255**2 / max(mse, 1e-9)) > 35
    assert sorted(other.grabbed_) == grab
    for i in grab:
        np.testing.assert_allclose(other.grabbed_[i].astype(float),
                                   one.grabbed_[i].astype(float), atol=3)


def test_chunks_in_parallel_give_the_same_video_as_one_pass(long_clip, tmp_path):
    video, kp, series, analysis = long_clip
    grab = [5, 100, 200]
    one = VideoOverlay(workers=1).render(video, tmp_path / "one.mp4", keypoints=kp,
                                         analysis=analysis, series=series, grab=grab)
    par = VideoOverlay(workers=2).render(video, tmp_path / "par.mp4", keypoints=kp,
                                         analysis=analysis, series=series, grab=grab)
    assert one.segments_ == 1 and par.segments_ >= 3
    assert par.frames_written_ == one.frames_written_ == LONG
    _same_video(one, par, grab)
    assert par.peak_[:3] == one.peak_[:3] == (150, "left", "fppa_deg")
    assert par.poster_ is not None and par.poster_.shape == (H, W, 3)
    assert not list(tmp_path.glob(".*parts*"))  # the chunk files are gone
    boxes = _top_level_boxes(par.path_)
    assert boxes.index("moov") < boxes.index("mdat")


def test_chunks_start_on_key_frames_cover_the_video_and_shrink():
    from kneetrack.report.video import MAX_CHUNK_FRAMES, MIN_CHUNK_FRAMES, plan_segments

    key = np.zeros(3600, bool)
    key[::60] = True
    spans = plan_segments(key, workers=2)
    assert spans[0][0] == 0 and spans[-1][1] == 3600
    assert all(b == c for (_, b), (c, _) in zip(spans[:-1], spans[1:], strict=True))
    assert all(key[a] for a, _ in spans)
    sizes = [b - a for a, b in spans]
    assert max(sizes) <= MAX_CHUNK_FRAMES and sizes[0] == MAX_CHUNK_FRAMES
    assert sizes[-1] <= 2 * MIN_CHUNK_FRAMES  # the cores finish together
    assert all(later <= earlier + 60 for earlier, later in zip(sizes, sizes[1:], strict=False))
    only_first = np.zeros(1000, bool)
    only_first[0] = True
    assert plan_segments(only_first, workers=2) == [(0, 1000)]
    assert plan_segments(key[:MIN_CHUNK_FRAMES], workers=2) == [(0, MIN_CHUNK_FRAMES)]


def test_a_failed_seek_falls_back_to_decoding_from_the_start(long_clip, tmp_path, monkeypatch):
    from kneetrack.report import video as mod
    from kneetrack.video.table import SeekFailedError

    real = mod.decode_range

    def flaky(info, pts, first, *, seek, options=None):
        if seek:
            raise SeekFailedError
        yield from real(info, pts, first, seek=seek, options=options)

    monkeypatch.setattr(mod, "decode_range", flaky)
    video, kp, series, analysis = long_clip
    ov = VideoOverlay(workers=1).render(video, tmp_path / "a.mp4", keypoints=kp,
                                        analysis=analysis, series=series)
    assert ov.frames_written_ == LONG


def test_sequential_segment_without_a_frame_table(long_clip, tmp_path):
    from fractions import Fraction

    from kneetrack.report.overlay import plan_overlay
    from kneetrack.report.video import SegmentTask, render_segment
    from kneetrack.video import probe_video
    from kneetrack.video.writer import EncoderSettings

    video, kp, series, analysis = long_clip
    info = probe_video(video)
    plan = plan_overlay(kp, analysis, series, np.arange(LONG - 40) / FPS, scale=1.0, fps=FPS)
    res = render_segment(SegmentTask(info=info, plan=plan, pts=None, size=(W, H),
                                     path=tmp_path / "seq.mp4", rate=Fraction(FPS),
                                     settings=EncoderSettings(), faststart=True, poster=10))
    assert res.frames == LONG  # frames beyond the plan are written too (HUD only)
    assert res.poster is not None
    assert len(_decode(res.path)[1]) == LONG


def test_a_started_render_pool_is_taken_over(long_clip, tmp_path):
    from kneetrack.report.video import RenderPool

    assert RenderPool.start(1) is None
    assert RenderPool.start(2, frames=50) is None  # too short to split
    pool = RenderPool.start(2, frames=LONG)
    assert pool is not None and pool.workers == 2
    video, kp, series, analysis = long_clip
    ov = VideoOverlay(pool=pool).render(video, tmp_path / "p.mp4", keypoints=kp,
                                        analysis=analysis, series=series)
    assert ov.segments_ > 1 and ov.frames_written_ == LONG
    assert pool.executor is None  # owned, and shut down, by the render
    pool.close()  # harmless
    with pytest.raises(RuntimeError):
        pool.take()


def test_render_processes_follow_the_clip():
    from kneetrack.report.video import MIN_CHUNK_FRAMES, render_processes

    assert render_processes(2 * MIN_CHUNK_FRAMES - 1, cores=2) == 0  # too short to split
    assert render_processes(230, cores=2) == 1  # 7.7 s at 30 fps: one, beside the report
    assert render_processes(230, cores=2, ahead=True) == 2  # started during pose: start-up hidden
    assert render_processes(2 * MIN_CHUNK_FRAMES - 1, cores=2, ahead=True) == 0
    assert render_processes(1200, cores=2, fps=60) == 2  # 20 s at 60 fps: one per core
    assert render_processes(3600, cores=4) == 4
    assert render_processes(3600, cores=2, workers=1) == 0  # --workers 1: this process
    assert render_processes(230, cores=2, workers=2) == 2  # --workers forces it
    assert render_processes(3600, cores=1) == 0


def test_a_one_process_pool_renders_the_whole_video_there(long_clip, tmp_path):
    from kneetrack.report.video import RenderPool

    pool = RenderPool(1)
    video, kp, series, analysis = long_clip
    job = VideoOverlay(pool=pool).start(video, tmp_path / "o.mp4", keypoints=kp,
                                        analysis=analysis, series=series)
    assert job.results is None  # rendering elsewhere: this process is free meanwhile
    ov = job.wait()
    assert ov.segments_ == 1 and ov.frames_written_ == LONG and pool.executor is None
    assert len(_decode(ov.path_)[1]) == LONG
    assert not list(tmp_path.glob(".*parts*")) and not list(tmp_path.glob("*.part"))


def test_an_unused_render_pool_is_closed(clip, tmp_path):
    from kneetrack.report.video import RenderPool

    video, kp, series, analysis = clip  # 48 frames: rendered in this process
    pool = RenderPool(2)
    ov = VideoOverlay(pool=pool).render(video, tmp_path / "s.mp4", keypoints=kp,
                                        analysis=analysis, series=series)
    assert ov.segments_ == 1 and pool.executor is None


def test_annotated_video_size_follows_the_frame_rate(make_video, tmp_path):
    from kneetrack.report.video import auto_max_side

    assert auto_max_side(29.97) == auto_max_side(30) == 1280
    assert auto_max_side(60) == auto_max_side(240) == 960
    video = make_video("hd60.mp4", frames=6, fps=60, size=(1280, 720))
    kp = Keypoints.from_arrays({"left_hip": np.tile([600.0, 300.0], (6, 1))}, fps=60,
                               image_size=(1280, 720))
    ov = VideoOverlay(blur_faces=False).render(video, tmp_path / "a.mp4", keypoints=kp,
                                               analysis={})
    assert ov.size_ == (960, 540)
    ov = VideoOverlay(blur_faces=False, max_side_px=None).render(
        video, tmp_path / "b.mp4", keypoints=kp, analysis={})
    assert ov.size_ == (1280, 720)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
@pytest.mark.parametrize("kept", [False, True], ids=["render-processes", "kept-frames"])
def test_ctrl_c_stops_the_drawing_processes_and_leaves_no_files(make_video, tmp_path, kept):
    from process_group import ctrl_c, spawn

    video = make_video("ctrlc.mp4", frames=400, fps=FPS, size=(W, H), painter=_moving_painter,
                       gop=30)
    out = tmp_path / "res" / "annotated.mp4"
    script = tmp_path / "render.py"
    overlay = ("rv.VideoOverlay(pool=_kept_frames(sys.argv[1]))" if kept
               else "rv.VideoOverlay(workers=2)")
    # Module-level code also runs in the spawned render processes (or the pose worker that
    # kept the frames): it slows the drawing down there, so that Ctrl-C lands mid-render.
    script.write_text(
        "import sys, time\n"
        f"sys.path[:0] = [{str(Path(__file__).resolve().parents[1] / 'pose')!r}, "
        f"{str(Path(__file__).resolve().parent)!r}]\n"
        "import numpy as np\n"
        "import kneetrack.report.video as rv\n"
        "_paint = rv.paint\n"
        "def slow_paint(*a, **k):\n"
        "    time.sleep(0.02)\n"
        "    return _paint(*a, **k)\n"
        "rv.paint = slow_paint\n"
        "if __name__ == '__main__':\n"
        "    from test_video import _kept_frames\n"
        "    from kneetrack.keypoints import Keypoints\n"
        f"    kp = Keypoints.from_arrays({{'left_hip': np.tile([100.0, 80.0], (400, 1))}},\n"
        f"                               fps={FPS}, image_size=({W}, {H}))\n"
        f"    job = {overlay}.start(sys.argv[1], sys.argv[2], keypoints=kp, analysis={{}})\n"
        "    print('started', flush=True)\n"
        "    job.wait()\n")
    proc = spawn([sys.executable, str(script), str(video), str(out)])

    ctrl_c(proc, min_members=2 if kept else 3, settle_s=0.5)  # every process stopped at once
    assert sorted(p.name for p in out.parent.iterdir()) == []  # no video, part or chunks


@pytest.mark.skipif(__import__("shutil").which("ffmpeg") is None,
                    reason="ffmpeg CLI needed to write rotation metadata")
@pytest.mark.parametrize("workers", [1, 2])
def test_phone_rotation_is_applied_in_every_chunk(make_video, tmp_path, workers):
    import subprocess

    import cv2

    def painter(i: int, w: int, h: int) -> np.ndarray:
        img = np.full((h, w, 3), 60, np.uint8)
        # A red block in the upper middle, as stored: upright, it is left of centre (a
        # rotation the wrong way would put it right of centre).
        img[20:100, 120:200] = (230, 40, 40)
        img[:, (i * 2) % w] = 200
        return img

    src = make_video("land.mp4", frames=240, fps=FPS, size=(W, H), painter=painter, gop=30)
    rotated = tmp_path / "portrait.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(src), "-metadata:s:v", "rotate=90",
                    "-c", "copy", str(rotated)], check=True)
    ref_png = tmp_path / "ref.png"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(rotated), "-vf", "select=eq(n\\,200)",
                    "-frames:v", "1", str(ref_png)], check=True)
    ref = cv2.cvtColor(cv2.imread(str(ref_png)), cv2.COLOR_BGR2RGB)
    kp = Keypoints.from_arrays({"left_hip": np.full((240, 2), np.nan)}, fps=FPS,
                               image_size=(H, W))
    ov = VideoOverlay(workers=workers, blur_faces=False).render(
        rotated, tmp_path / f"a{workers}.mp4", keypoints=kp, analysis={})
    assert ov.size_ == (H, W) and ov.frames_written_ == 240
    assert (ov.segments_ > 1) == (workers > 1)
    _, frames = _decode(ov.path_)
    got = frames[200]
    assert got.shape == ref.shape == (W, H, 3)
    mid = slice(W // 4, 3 * W // 4)  # clear of the text boxes at the top and bottom
    assert np.abs(got[mid].astype(int) - ref[mid].astype(int)).mean() < 6
    assert got[160, 60, 0] > 180 and got[160, 180, 0] < 120  # the block, upright


def _kept_frames(video: Path):
    """The pose worker (a fake backend) holding ``video``'s frames at the annotated size."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pose"))
    from test_parallel_fakes import KeepAtVideoSize

    from kneetrack.pose.parallel import estimate_video_parallel

    waiter = KeepAtVideoSize()
    estimate_video_parallel(video, while_waiting=waiter,
                            backend_spec="test_parallel_fakes:SquareFinder")
    assert waiter.kept is not None
    return waiter.kept


def test_kept_frames_give_the_video_decoding_gives(long_clip, tmp_path, monkeypatch):
    import kneetrack.report.video as rv

    video, kp, series, analysis = long_clip
    grab = [5, 100, 200]
    one = VideoOverlay(workers=1).render(video, tmp_path / "one.mp4", keypoints=kp,
                                         analysis=analysis, series=series, grab=grab)
    kept = _kept_frames(video)

    def no_second_read(*a, **k):
        raise AssertionError("the clip was probed again")

    monkeypatch.setattr(rv, "probe_video", no_second_read)  # pose's probe and table serve
    monkeypatch.setattr(rv, "frame_table", no_second_read)
    job = VideoOverlay(pool=kept).start(video, tmp_path / "kept.mp4", keypoints=kp,
                                        analysis=analysis, series=series, grab=grab)
    monkeypatch.undo()
    assert job.results is None  # drawn in the pose worker: this process is free meanwhile
    ov = job.wait()
    assert not kept.open  # the worker is stopped once the video is done
    assert ov.segments_ == 2 and ov.frames_written_ == LONG  # one thread per core there
    _same_video(one, ov, grab)
    assert ov.peak_[:3] == (150, "left", "fppa_deg") and ov.poster_ is not None
    assert not list(tmp_path.glob(".*parts*")) and not list(tmp_path.glob("*.part"))


def test_lost_kept_frames_are_decoded_again(long_clip, tmp_path, monkeypatch):
    video, kp, series, analysis = long_clip
    kept = _kept_frames(video)
    kept._process.kill()  # e.g. the system ran out of memory
    kept._process.join()
    monkeypatch.setattr(type(kept), "open", property(lambda self: True))  # not yet noticed
    ov = VideoOverlay(pool=kept).render(video, tmp_path / "k.mp4", keypoints=kp,
                                        analysis=analysis, series=series)
    assert ov.frames_written_ == LONG and len(_decode(ov.path_)[1]) == LONG
    assert not list(tmp_path.glob(".*parts*")) and not list(tmp_path.glob("*.part"))


def test_frames_kept_at_another_size_are_released_and_the_video_decoded(long_clip, tmp_path):
    video, kp, series, analysis = long_clip
    kept = _kept_frames(video)
    ov = VideoOverlay(pool=kept, max_side_px=160).render(
        video, tmp_path / "s.mp4", keypoints=kp, analysis=analysis, series=series)
    assert ov.size_ == (160, 120) and ov.frames_written_ == LONG and not kept.open
