"""Everything a user can hand us (paths, folders, archives, uploads) as a stream of files.

Reading problems become files with a rejection reason, so one bad input never stops the rest.
Archive entries that are not files to ingest come as skipped files with the reason, so the
report names every entry (a folder's other files are not listed: the glob chose them out).
"""

from __future__ import annotations

import fnmatch
import stat
import tarfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar")


@dataclass(frozen=True)
class IncomingFile:
    name: str
    path: str
    data: bytes | None = None
    error: str | None = None
    size: int | None = None
    # Why an archive entry was left out on purpose (not a failure, unlike ``error``).
    skipped: str | None = None


def is_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def archive_kind(data: bytes) -> str | None:
    """What archive the bytes are, by their magic numbers (whatever the name says), or None."""
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "a .zip archive"
    if data.startswith(b"\x1f\x8b"):
        return "gzip-compressed (a .tar.gz archive?)"
    if data[257:262] == b"ustar":
        return "a .tar archive"
    return None


def from_paths(paths: Iterable[str | Path], *, glob: str, max_bytes: int) -> Iterator[IncomingFile]:
    for raw_path in paths:
        path = Path(raw_path)
        if path.is_dir():
            yield from _from_folder(path, glob=glob, max_bytes=max_bytes)
        elif is_archive(path.name):
            yield from _from_archive_path(path, glob=glob, max_bytes=max_bytes)
        else:
            yield _read_file(path, max_bytes=max_bytes)


def from_upload(
    name: str, stream: IO[bytes], *, glob: str, max_bytes: int
) -> Iterator[IncomingFile]:
    """One uploaded file: an archive is opened, anything else is a single page."""
    if is_archive(name):
        yield from _from_archive(name, stream, glob=glob, max_bytes=max_bytes)
        return
    size = getattr(stream, "size", None)  # Django's uploads know theirs: report it, not the cap.
    if size is not None and size > max_bytes:
        yield IncomingFile(name, name, error=_too_large(size, max_bytes), size=size)
        return
    data = stream.read(max_bytes + 1)
    yield _sized(name, name, data, max_bytes=max_bytes)


def _from_folder(folder: Path, *, glob: str, max_bytes: int) -> Iterator[IncomingFile]:
    """Files matching ``glob`` at any depth; archives in the folder are opened too."""
    try:
        paths = sorted(path for path in folder.rglob("*") if path.is_file())
    except OSError as error:
        reason = f"unreadable: {error.strerror}"
        yield IncomingFile(name=folder.name, path=str(folder), error=reason)
        return
    for path in paths:
        if is_archive(path.name):
            yield from _from_archive_path(path, glob=glob, max_bytes=max_bytes)
        elif _matches(path.name, glob):
            yield _read_file(path, max_bytes=max_bytes)


def _read_file(path: Path, *, max_bytes: int) -> IncomingFile:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return IncomingFile(path.name, str(path), error=_too_large(size, max_bytes), size=size)
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return IncomingFile(path.name, str(path), error=f"unreadable: {reason}")
    return _sized(path.name, str(path), data, max_bytes=max_bytes)


def _sized(name: str, path: str, data: bytes, *, max_bytes: int) -> IncomingFile:
    if len(data) > max_bytes:
        return IncomingFile(name, path, error=_too_large(len(data), max_bytes), size=len(data))
    return IncomingFile(name, path, data=data, size=len(data))


def _too_large(size: int, max_bytes: int) -> str:
    return f"too large: {size:,} bytes, the limit is {max_bytes:,}"


def _from_archive_path(path: Path, *, glob: str, max_bytes: int) -> Iterator[IncomingFile]:
    try:
        with path.open("rb") as stream:
            yield from _from_archive(str(path), stream, glob=glob, max_bytes=max_bytes)
    except OSError as error:
        yield IncomingFile(path.name, str(path), error=f"unreadable: {error.strerror}")


def _from_archive(
    name: str, stream: IO[bytes], *, glob: str, max_bytes: int
) -> Iterator[IncomingFile]:
    """Each entry but folders; a corrupt archive or member is a rejection, not a crash."""
    try:
        if name.lower().endswith(".zip"):
            yield from _zip_members(name, stream, glob=glob, max_bytes=max_bytes)
        else:
            yield from _tar_members(name, stream, glob=glob, max_bytes=max_bytes)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as error:
        yield IncomingFile(Path(name).name, name, error=f"corrupt archive: {error}")


def _matches(member_name: str, glob: str) -> bool:
    return fnmatch.fnmatch(Path(member_name).name, glob.removeprefix("**/"))


def _not_matching(glob: str) -> str:
    pattern = glob.removeprefix("**/")
    extension = pattern.removeprefix("*")
    if pattern.startswith("*.") and not any(char in extension for char in "*?["):
        return f"not a {extension} file"
    return f"not matching {pattern}"


class _Entry:
    """One archive member, as the file (or reason) ingest gets."""

    def __init__(self, archive: str, member: str, size: int) -> None:
        self.name, self.path, self.size = Path(member).name, f"{archive}!{member}", size

    def refused(self, *, glob: str, max_bytes: int) -> IncomingFile | None:
        """Skipped or too large, without reading it; None when it is to be read."""
        if is_archive(self.name):
            # Opening archives in archives would let a small upload unpack without bound.
            return self.skip("nested archive: not opened")
        if not _matches(self.name, glob):
            return self.skip(_not_matching(glob))
        if self.size > max_bytes:
            return self.failed(_too_large(self.size, max_bytes))
        return None

    def skip(self, reason: str) -> IncomingFile:
        return IncomingFile(self.name, self.path, skipped=reason, size=self.size)

    def failed(self, reason: str) -> IncomingFile:
        return IncomingFile(self.name, self.path, error=reason, size=self.size)

    def with_data(self, data: bytes, *, max_bytes: int) -> IncomingFile:
        return _sized(self.name, self.path, data, max_bytes=max_bytes)


def _zip_members(
    name: str, stream: IO[bytes], *, glob: str, max_bytes: int
) -> Iterator[IncomingFile]:
    with zipfile.ZipFile(stream) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            entry = _Entry(name, info.filename, info.file_size)
            # Zips from Unix keep the file's mode: a link (zip -y) holds its target's path.
            # No file type there (other systems; Python's writestr) is a regular file.
            kind = stat.S_IFMT(info.external_attr >> 16)
            if kind and kind != stat.S_IFREG:
                yield entry.skip("a link or special file, not a regular file")
                continue
            if refused := entry.refused(glob=glob, max_bytes=max_bytes):
                yield refused
                continue
            try:
                data = archive.read(info)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
                yield entry.failed(f"corrupt archive member: {error}")
            else:
                yield entry.with_data(data, max_bytes=max_bytes)


def _tar_members(
    name: str, stream: IO[bytes], *, glob: str, max_bytes: int
) -> Iterator[IncomingFile]:
    with tarfile.open(fileobj=stream, mode="r:*") as archive:
        for member in archive:
            if member.isdir():
                continue
            entry = _Entry(name, member.name, member.size)
            if not member.isfile():
                yield entry.skip("a link or special file, not a regular file")
            elif refused := entry.refused(glob=glob, max_bytes=max_bytes):
                yield refused
            elif extracted := archive.extractfile(member):
                yield entry.with_data(extracted.read(), max_bytes=max_bytes)
            else:
                yield entry.failed("unreadable archive member")
