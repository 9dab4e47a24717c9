"""Receiving uploaded videos: streamed to disk under a size limit, checked by content, renamed.

The web layer hands the request body over chunk by chunk to an
:class:`UploadSink`; nothing here needs a web framework. The sink

1. writes into a temporary file under ``<upload_root>/.incoming/`` and stops
   (deleting it) as soon as the size limit is passed (:class:`UploadTooLargeError`,
   HTTP 413);
2. recognises the container from the first bytes, never from the name: MP4/MOV
   (an ``ftyp`` box), WebM/Matroska (the EBML magic) or AVI (``RIFF....AVI ``);
3. opens the file with PyAV and checks that it has a decodable video stream and
   that its duration is within the limit;
4. moves it to ``<upload_root>/<random hex>.<ext>``: the stored name is generated,
   the client's name is kept only as text for display.

Any rejection removes the temporary file, so a refused upload leaves nothing on
disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import unicodedata
from collections.abc import AsyncIterable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from kneetrack.errors import InputError

INCOMING = ".incoming"
MiB = 1024 * 1024

#: Stored-file suffix for each recognised container.
SUFFIXES = {"mp4": ".mp4", "mov": ".mov", "webm": ".webm", "mkv": ".mkv", "avi": ".avi"}


class UploadError(InputError):
    """An upload that is refused; ``status_code`` is the HTTP status to answer with."""

    status_code = 422


class UploadTooLargeError(UploadError):
    """The upload is larger than the size limit (HTTP 413)."""

    status_code = 413


class NotAVideoError(UploadError):
    """The content is not a video container we read, or has no playable video (HTTP 415)."""

    status_code = 415


class TooLongError(UploadError):
    """The video lasts longer than the duration limit (HTTP 422)."""


@dataclass(frozen=True)
class UploadLimits:
    """Limits on one uploaded file.

    Parameters
    ----------
    max_bytes : int
        Largest accepted file.
    max_duration_s : float
        Longest accepted video.
    """

    max_bytes: int = 500 * MiB
    max_duration_s: float = 120.0


@dataclass(frozen=True)
class StoredUpload:
    """A video accepted and stored under a generated name."""

    path: Path
    stored_name: str
    client_name: str
    container: str
    size_bytes: int
    sha256: str
    duration_s: float
    fps: float
    width: int
    height: int


def display_name(name: str | None) -> str:
    """The client's file name reduced to something safe to show (never used as a path).

    Keeps the last path component, drops control characters and limits the length.
    """
    text = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C").strip()
    return text[:120] or "video"


def sniff_container(head: bytes) -> str | None:
    r"""The container format from a file's first bytes, or ``None`` if not a video we read.

    Parameters
    ----------
    head : bytes
        At least the first 64 bytes of the file (fewer if the file is shorter).

    Returns
    -------
    str or None
        ``"mp4"``, ``"mov"``, ``"webm"``, ``"mkv"`` or ``"avi"``.

    Examples
    --------
    >>> sniff_container(b"\x00\x00\x00\x18ftypisom" + bytes(12))
    'mp4'
    >>> sniff_container(b"RIFF\x00\x00\x00\x00AVI LIST")
    'avi'
    >>> sniff_container(b"hello world") is None
    True
    """
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "mov" if head[8:12] == b"qt  " else "mp4"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm" if b"webm" in head[:64] else "mkv"
    return None


class UploadSink:
    """Receives one upload chunk by chunk; use as a context manager.

    Parameters
    ----------
    upload_root : Path
        Folder that receives stored uploads (created if missing).
    client_name : str or None
        The name the client sent; shown to people, never used on disk.
    limits : UploadLimits
        Size and duration limits.

    Examples
    --------
    >>> with UploadSink(root, client_name="run.mp4") as sink:  # doctest: +SKIP
    ...     for chunk in body:
    ...         sink.write(chunk)
    ...     stored = sink.finish()
    """

    def __init__(self, upload_root: Path, *, client_name: str | None,
                 limits: UploadLimits | None = None) -> None:
        self.upload_root = Path(upload_root)
        self.client_name = display_name(client_name)
        self.limits = limits or UploadLimits()
        incoming = self.upload_root / INCOMING
        incoming.mkdir(parents=True, exist_ok=True)
        self._tmp = incoming / f"{secrets.token_hex(16)}.part"
        self._fh = self._tmp.open("xb")
        self._size = 0
        self._hash = hashlib.sha256()
        self._head = b""
        self._done = False

    @property
    def size_bytes(self) -> int:
        """Bytes received so far."""
        return self._size

    def write(self, chunk: bytes) -> None:
        """Append a chunk; raises :class:`UploadTooLargeError` (and discards all) past the limit."""
        if self._done:
            raise RuntimeError("upload already finished")
        self._size += len(chunk)
        if self._size > self.limits.max_bytes:
            self.abort()
            raise UploadTooLargeError(
                f"{self.client_name!r} is larger than the limit of "
                f"{self.limits.max_bytes / MiB:.0f} MiB; film a shorter clip")
        if len(self._head) < 64:
            self._head += chunk[: 64 - len(self._head)]
        self._hash.update(chunk)
        self._fh.write(chunk)

    def finish(self) -> StoredUpload:
        """Check the received file and store it under a generated name."""
        if self._done:
            raise RuntimeError("upload already finished")
        try:
            self._fh.close()
            if self._size == 0:
                raise NotAVideoError(f"{self.client_name!r} is empty")
            container = sniff_container(self._head)
            if container is None:
                raise NotAVideoError(
                    f"{self.client_name!r} is not a video (its content is not MP4/MOV, "
                    "WebM/Matroska or AVI, whatever its name says)")
            info = _probe(self._tmp, self.client_name)
            if info.duration_s > self.limits.max_duration_s:
                raise TooLongError(
                    f"{self.client_name!r} lasts {info.duration_s:.0f} s; the limit is "
                    f"{self.limits.max_duration_s:.0f} s (10-30 s of running is enough)")
            stored_name = secrets.token_hex(16) + SUFFIXES[container]
            final = self.upload_root / stored_name
            os.replace(self._tmp, final)
        except BaseException:
            self.abort()
            raise
        self._done = True
        return StoredUpload(path=final, stored_name=stored_name, client_name=self.client_name,
                            container=container, size_bytes=self._size,
                            sha256=self._hash.hexdigest(), duration_s=round(info.duration_s, 3),
                            fps=round(info.fps, 3), width=info.width, height=info.height)

    def abort(self) -> None:
        """Discard the upload (idempotent)."""
        self._done = True
        with contextlib.suppress(OSError):
            self._fh.close()
        with contextlib.suppress(FileNotFoundError):
            self._tmp.unlink()

    def __enter__(self) -> UploadSink:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if not self._done:
            self.abort()


def _probe(path: Path, client_name: str):  # noqa: ANN202 - VideoInfo, imported lazily
    from kneetrack.video.reader import probe_video

    try:
        return probe_video(path)
    except InputError as err:
        why = str(err).replace(str(path), "").strip(" :")
        raise NotAVideoError(f"{client_name!r} is not a playable video ({why})") from None


def save_upload(chunks: Iterable[bytes], upload_root: Path, *, client_name: str | None,
                limits: UploadLimits | None = None) -> StoredUpload:
    """Store an upload given as an iterable of byte chunks (see :class:`UploadSink`)."""
    with UploadSink(upload_root, client_name=client_name, limits=limits) as sink:
        for chunk in chunks:
            sink.write(chunk)
        return sink.finish()


async def save_upload_async(chunks: AsyncIterable[bytes], upload_root: Path, *,
                            client_name: str | None, limits: UploadLimits | None = None,
                            declared_size: int | None = None) -> StoredUpload:
    """Store an upload given as an async iterable (a request body stream).

    ``declared_size`` (a ``Content-Length``) over the limit is refused before
    anything is read. The checks after the last chunk run in a thread.
    """
    import anyio.to_thread

    lim = limits or UploadLimits()
    if declared_size is not None and declared_size > lim.max_bytes:
        raise UploadTooLargeError(
            f"{display_name(client_name)!r} is larger than the limit of "
            f"{lim.max_bytes / MiB:.0f} MiB; film a shorter clip")
    with UploadSink(upload_root, client_name=client_name, limits=lim) as sink:
        async for chunk in chunks:
            sink.write(chunk)
        return await anyio.to_thread.run_sync(sink.finish)


def sweep_incoming(upload_root: Path, *, older_than_s: float = 3600.0) -> int:
    """Delete temporary files left by uploads cut short (a server kill); returns how many.

    Only files untouched for ``older_than_s`` go, so uploads still arriving at
    another server process are left alone.
    """
    import time

    n = 0
    limit = time.time() - older_than_s
    for f in (Path(upload_root) / INCOMING).glob("*.part"):
        with contextlib.suppress(FileNotFoundError):
            if f.stat().st_mtime < limit:
                f.unlink()
                n += 1
    return n
