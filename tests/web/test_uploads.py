"""Uploads: streamed under a size limit, type sniffed from content, generated names only."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from kneetrack.web.uploads import (
    INCOMING,
    NotAVideoError,
    TooLongError,
    UploadLimits,
    UploadSink,
    UploadTooLargeError,
    display_name,
    save_upload,
    save_upload_async,
    sniff_container,
    sweep_incoming,
)
from video_factory import write_video


def chunks(data: bytes, size: int = 1000):
    for i in range(0, len(data), size):
        yield data[i : i + size]


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def mp4(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return write_video(tmp_path_factory.mktemp("src") / "src.mp4", frames=30, fps=30).read_bytes()


@pytest.mark.parametrize(("head", "want"), [
    (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00", "mp4"),
    (b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00", "mov"),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "webm"),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska", "mkv"),
    (b"RIFF\x10\x00\x00\x00AVI LIST", "avi"),
    (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None),
    (b"ftyp", None),
    (b"", None),
])
def test_sniff_container(head: bytes, want: str | None) -> None:
    assert sniff_container(head) == want


def test_a_real_video_is_stored_under_a_generated_name(tmp_path: Path, mp4: bytes) -> None:
    root = tmp_path / "uploads"
    up = save_upload(chunks(mp4), root, client_name="My run.mp4")
    assert up.path.parent == root and up.path.read_bytes() == mp4
    assert up.stored_name != "My run.mp4" and len(up.stored_name) == 32 + 4
    assert up.stored_name.endswith(".mp4") and up.container == "mp4"
    assert up.client_name == "My run.mp4" and up.size_bytes == len(mp4)
    assert up.duration_s == pytest.approx(1.0, abs=0.05) and up.fps == pytest.approx(30)
    assert (up.width, up.height) == (64, 48)
    assert files_under(root) == [up.path]  # no temporary file left behind
    again = save_upload(chunks(mp4), root, client_name="My run.mp4")
    assert again.stored_name != up.stored_name and again.sha256 == up.sha256


def test_the_suffix_follows_the_content_not_the_name(tmp_path: Path) -> None:
    webm = write_video(tmp_path / "src.webm", frames=10, codec="libvpx").read_bytes()
    up = save_upload(chunks(webm), tmp_path / "up", client_name="clip.mp4")
    assert up.container == "webm" and up.stored_name.endswith(".webm")


@pytest.mark.parametrize("name", ["../../etc/passwd.mp4", "/etc/passwd.mp4",
                                  "..\\..\\windows\\x.mp4", "a/../../b.mp4", "\x00evil.mp4", ""])
def test_a_path_traversal_name_stays_inside_the_upload_folder(tmp_path: Path, mp4: bytes,
                                                               name: str) -> None:
    root = tmp_path / "data" / "uploads"
    up = save_upload(chunks(mp4), root, client_name=name)
    assert up.path.resolve().parent == root.resolve()
    assert ".." not in up.stored_name and "/" not in up.stored_name
    assert files_under(tmp_path) == [up.path]
    assert "/" not in up.client_name and "\\" not in up.client_name and "\x00" not in up.client_name


def test_display_name() -> None:
    assert display_name("../../etc/passwd.mp4") == "passwd.mp4"
    assert display_name("C:\\Users\\me\\run.MOV") == "run.MOV"
    assert display_name("a\x00b\nc.mp4") == "abc.mp4"
    assert display_name(None) == display_name("") == display_name("../") == "video"
    assert len(display_name("x" * 500)) == 120


def test_oversized_upload_is_refused_and_nothing_kept(tmp_path: Path, mp4: bytes) -> None:
    root = tmp_path / "uploads"
    fed = []

    def feed():
        for c in chunks(mp4 * 3, 4096):
            fed.append(len(c))
            yield c

    with pytest.raises(UploadTooLargeError, match="larger than the limit") as err:
        save_upload(feed(), root, client_name="big.mp4",
                    limits=UploadLimits(max_bytes=len(mp4)))
    assert err.value.status_code == 413
    assert files_under(tmp_path / "uploads") == []
    assert sum(fed) < len(mp4) * 3  # it stopped reading at the limit, not at the end


def test_exactly_at_the_limit_is_accepted(tmp_path: Path, mp4: bytes) -> None:
    up = save_upload(chunks(mp4), tmp_path, client_name="x.mp4",
                     limits=UploadLimits(max_bytes=len(mp4)))
    assert up.size_bytes == len(mp4)


@pytest.mark.parametrize(("content", "match"), [
    (b"just some text, not a video at all\n" * 50, "is not a video"),
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "is not a video"),
    (b"", "is empty"),
])
def test_non_video_named_mp4_is_a_clear_one_line_error(tmp_path: Path, content: bytes,
                                                       match: str) -> None:
    with pytest.raises(NotAVideoError, match=match) as err:
        save_upload(chunks(content), tmp_path / "up", client_name="holiday.mp4")
    msg = str(err.value)
    assert "\n" not in msg and "holiday.mp4" in msg and str(tmp_path) not in msg
    assert err.value.status_code == 415
    assert files_under(tmp_path) == []


def test_a_video_header_on_garbage_is_refused_by_pyav(tmp_path: Path) -> None:
    fake = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + os.urandom(5000)
    with pytest.raises(NotAVideoError, match="not a playable video") as err:
        save_upload(chunks(fake), tmp_path / "up", client_name="fake.mp4")
    assert str(tmp_path) not in str(err.value) and "\n" not in str(err.value)
    assert files_under(tmp_path) == []


def test_audio_only_file_is_refused(tmp_path: Path) -> None:
    import av
    import numpy as np

    path = tmp_path / "tone.mp4"
    with av.open(str(path), "w") as out:
        st = out.add_stream("aac", rate=8000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp",
                                           layout="mono")
        frame.sample_rate = 8000
        for _ in range(4):
            for pkt in st.encode(frame):
                out.mux(pkt)
        for pkt in st.encode():
            out.mux(pkt)
    with pytest.raises(NotAVideoError, match="no video stream"):
        save_upload(chunks(path.read_bytes()), tmp_path / "up", client_name="tone.mp4")
    assert files_under(tmp_path / "up") == []


def test_too_long_video_is_refused(tmp_path: Path, mp4: bytes) -> None:
    with pytest.raises(TooLongError, match="lasts 1 s; the limit is 0 s") as err:
        save_upload(chunks(mp4), tmp_path / "up", client_name="long.mp4",
                    limits=UploadLimits(max_duration_s=0.5))
    assert err.value.status_code == 422
    assert files_under(tmp_path / "up") == []


def test_an_exception_while_receiving_discards_the_file(tmp_path: Path, mp4: bytes) -> None:
    def broken():
        yield mp4[:1000]
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        save_upload(broken(), tmp_path / "up", client_name="x.mp4")
    assert files_under(tmp_path / "up") == []


def test_async_stream_and_declared_size(tmp_path: Path, mp4: bytes) -> None:
    async def body():
        for c in chunks(mp4, 777):
            yield c

    up = asyncio.run(save_upload_async(body(), tmp_path / "up", client_name="a.mp4"))
    assert up.path.read_bytes() == mp4
    with pytest.raises(UploadTooLargeError):
        asyncio.run(save_upload_async(body(), tmp_path / "up2", client_name="a.mp4",
                                      limits=UploadLimits(max_bytes=10), declared_size=11))
    assert not (tmp_path / "up2").exists() or files_under(tmp_path / "up2") == []


def test_sweep_incoming_removes_only_old_leftovers(tmp_path: Path) -> None:
    inc = tmp_path / INCOMING
    inc.mkdir()
    old, new = inc / "a.part", inc / "b.part"
    old.write_bytes(b"x")
    new.write_bytes(b"y")
    past = time.time() - 7200
    os.utime(old, (past, past))
    assert sweep_incoming(tmp_path) == 1
    assert not old.exists() and new.exists()


def test_sink_is_usable_chunk_by_chunk(tmp_path: Path, mp4: bytes) -> None:
    with UploadSink(tmp_path, client_name="x.mp4") as sink:
        sink.write(mp4[:10])
        assert sink.size_bytes == 10
    assert files_under(tmp_path) == []  # left without finish(): discarded
