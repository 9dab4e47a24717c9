"""H.264 writing from YUV frames and joining encoded parts without re-encoding."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from kneetrack.video.writer import EncoderSettings, H264Writer, JoinError, join_videos
from kneetrack.video.yuv import new_frame, planes

W, H = 96, 64


def _write(path: Path, levels: list[int], *, size=(W, H), faststart=False) -> Path:
    with H264Writer(path, width=size[0], height=size[1], rate=Fraction(30),
                    faststart=faststart) as wr:
        for level in levels:
            f = new_frame(*size)
            y, u, v = planes(f)
            y[:] = level
            u[:] = v[:] = 128
            wr.write(f)
    return path


def _lumas(path: Path) -> list[float]:
    with av.open(str(path)) as c:
        return [float(f.to_ndarray()[:H].mean()) for f in c.decode(video=0)]


def test_writer_encodes_every_frame_tagged_bt709(tmp_path):
    p = _write(tmp_path / "a.mp4", [40, 80, 120, 160])
    with av.open(str(p)) as c:
        s = c.streams.video[0]
        assert (s.codec_context.name, s.codec_context.pix_fmt) == ("h264", "yuv420p")
        assert s.codec_context.colorspace == 1 and s.frames == 4
    np.testing.assert_allclose(_lumas(p), [40, 80, 120, 160], atol=2)


def test_joined_parts_play_in_order_with_continuous_timestamps(tmp_path):
    levels = [[30 + i for i in range(0, 40, 4)], [100] * 7, [200, 190, 180]]
    parts = [_write(tmp_path / f"p{k}.mp4", lv) for k, lv in enumerate(levels)]
    n = join_videos(parts, tmp_path / "all.mp4")
    assert n == 20
    flat = [x for lv in levels for x in lv]
    np.testing.assert_allclose(_lumas(tmp_path / "all.mp4"), flat, atol=2)
    with av.open(str(tmp_path / "all.mp4")) as c:
        s = c.streams.video[0]
        pts = [p.pts for p in c.demux(s) if p.pts is not None]
        assert s.frames == 20 and float(s.average_rate) == pytest.approx(30)
    assert np.all(np.diff(sorted(pts)) == np.diff(sorted(pts))[0])  # evenly spaced, no gap


def test_parts_with_other_settings_are_refused(tmp_path):
    a = _write(tmp_path / "a.mp4", [50] * 3)
    b = _write(tmp_path / "b.mp4", [50] * 3, size=(64, 48))
    with pytest.raises(JoinError):
        join_videos([a, b], tmp_path / "ab.mp4")
    with pytest.raises(JoinError):
        join_videos([], tmp_path / "none.mp4")


def test_settings_options():
    opts = EncoderSettings(crf=30, extra={"tune": "film"}).options()
    assert opts["crf"] == "30" and opts["preset"] == "ultrafast" and opts["tune"] == "film"
    assert "stitchable=1" in opts["x264-params"]


def _decodable_frames(path: Path) -> int | None:
    """Frames a player gets out of ``path``; ``None`` if it cannot be opened at all."""
    try:
        with av.open(str(path)) as c:
            return sum(1 for _ in c.decode(video=0))
    except av.error.FFmpegError:
        return None


def test_a_failed_write_leaves_the_file_unfinished_not_a_crash(tmp_path):
    p = tmp_path / "x.mp4"
    with pytest.raises(RuntimeError), H264Writer(p, width=W, height=H, rate=Fraction(30)) as wr:
        for _ in range(3):
            wr.write(new_frame(W, H))
        raise RuntimeError("stop")
    wr.abort()  # a second abort is harmless
    wr.close()  # and so is a close after it: nothing is flushed into the aborted file
    assert wr.frames == 3
    # The encoder was not flushed: the file exists but does not hold the whole clip, so it
    # cannot pass for a finished video (a finished one holds every frame, see below).
    assert p.exists()
    got = _decodable_frames(p)
    assert got is None or got < 3, got
    done = _write(tmp_path / "done.mp4", [50, 50, 50])
    assert _decodable_frames(done) == 3
