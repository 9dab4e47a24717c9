import shutil
import subprocess

import numpy as np
import pytest

from kneetrack.errors import InputError
from kneetrack.video import iter_frames, probe_video


@pytest.mark.parametrize(
    ("name", "codec"),
    [("a.mp4", "libx264"), ("a.mov", "libx264"), ("a.m4v", "libx264"), ("a.avi", "mpeg4"),
     ("a.mkv", "libx264"), ("a.webm", "libvpx-vp9")],
)
def test_reads_every_container(make_video, name, codec):
    path = make_video(name, frames=10, fps=30, codec=codec)
    info = probe_video(path)
    assert (info.width, info.height) == (64, 48)
    assert info.fps == pytest.approx(30, rel=0.01)
    frames = list(iter_frames(path))
    assert [f.index for f in frames] == list(range(10))
    times = np.array([f.time_s for f in frames])
    assert times[0] == 0.0
    assert np.allclose(np.diff(times), 1 / 30, atol=2e-3)
    assert frames[0].image.shape == (48, 64, 3) and frames[0].image.dtype == np.uint8


@pytest.mark.parametrize("fps", [24, 60, 120, 240])
def test_frame_rates_and_timestamps(make_video, fps):
    path = make_video(f"r{fps}.mp4", frames=8, fps=fps)
    info = probe_video(path)
    assert info.fps == pytest.approx(fps, rel=0.01)
    times = [f.time_s for f in iter_frames(path)]
    assert times[-1] == pytest.approx(7 / fps, abs=1e-3)


def test_streaming_downscale_keeps_original_size(make_video):
    path = make_video("big.mp4", frames=3, size=(640, 360))
    fr = next(iter_frames(path, max_side_px=320))
    assert fr.image.shape == (180, 320, 3)
    assert fr.original_size == (640, 360)
    assert fr.scale == pytest.approx(2.0)


def test_start_stop_select_frames_with_exact_times(make_video):
    path = make_video("s.mp4", frames=10, fps=25)
    frames = list(iter_frames(path, start=3, stop=6))
    assert [f.index for f in frames] == [3, 4, 5]
    assert frames[0].time_s == pytest.approx(3 / 25, abs=1e-3)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg CLI needed to write rotation")
def test_rotation_metadata_makes_portrait_frames_upright(make_video, tmp_path):
    # A landscape clip whose container says "display rotated 90°", as phones write portrait clips.
    src = make_video("land.mp4", frames=5, size=(96, 64))
    rotated = tmp_path / "portrait.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(src), "-metadata:s:v", "rotate=90",
                    "-c", "copy", str(rotated)], check=True)
    ref_png = tmp_path / "ref.png"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(rotated), "-frames:v", "1",
                    str(ref_png)], check=True)
    info = probe_video(rotated)
    assert info.rotation_deg in (90, 270)
    assert (info.width, info.height) == (64, 96)
    fr = next(iter_frames(rotated))
    import cv2

    ref = cv2.cvtColor(cv2.imread(str(ref_png)), cv2.COLOR_BGR2RGB)
    assert fr.image.shape == ref.shape == (96, 64, 3)
    assert np.abs(fr.image.astype(int) - ref.astype(int)).mean() < 3  # same as ffmpeg's autorotate


def test_missing_file():
    with pytest.raises(InputError, match="not found"):
        probe_video("/nonexistent/clip.mp4")


def test_zero_byte_file(tmp_path):
    p = tmp_path / "empty.mp4"
    p.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        probe_video(p)


def test_text_file_named_mp4(tmp_path):
    p = tmp_path / "notes.mp4"
    p.write_text("this is not a video\n" * 20)
    with pytest.raises(InputError, match="not a readable video"):
        probe_video(p)


def test_truncated_video(make_video, tmp_path):
    src = make_video("full.mp4", frames=60, size=(160, 120))
    data = src.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(InputError, match="corrupt|truncated|not a readable"):
        info = probe_video(cut)
        frames = list(iter_frames(cut, info=info))
        # A cut file whose index survived still must not pass silently as complete.
        assert len(frames) == info.frames


def test_still_image_renamed_as_video(tmp_path):
    import cv2

    p = tmp_path / "photo.mp4"
    ok, buf = cv2.imencode(".png", np.zeros((40, 40, 3), np.uint8))
    assert ok
    p.write_bytes(buf.tobytes())
    with pytest.raises(InputError, match="image|not a readable|single"):
        probe_video(p)


def test_still_image_by_suffix(tmp_path):
    p = tmp_path / "photo.jpg"
    p.write_bytes(b"\xff\xd8\xff" + b"0" * 100)
    with pytest.raises(InputError, match="still image"):
        probe_video(p)


def test_truncated_video_with_index_at_start(make_video, tmp_path):
    """A cut 'faststart' file keeps its frame index, so only counting frames reveals the cut."""
    import av

    src = make_video("long.mp4", frames=90, size=(320, 240),
                     painter=lambda i, w, h: np.random.default_rng(i).integers(
                         0, 255, (h, w, 3), dtype=np.uint8))
    fast = tmp_path / "fast.mp4"
    opts = {"movflags": "+faststart"}
    with av.open(str(src)) as inp, av.open(str(fast), "w", options=opts) as out:
        s_in = inp.streams.video[0]
        s_out = out.add_stream_from_template(s_in)
        for packet in inp.demux(s_in):
            if packet.dts is None:
                continue
            packet.stream = s_out
            out.mux(packet)
    data = fast.read_bytes()
    cut = tmp_path / "fast_cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    info = probe_video(cut)
    assert info.frames == 90
    with pytest.raises(InputError, match="truncated"):
        for _ in iter_frames(cut, info=info):
            pass
