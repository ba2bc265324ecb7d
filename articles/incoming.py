"""Everything a user can hand us (paths, folders, archives, uploads) as a stream of files.

Reading problems become files with a rejection reason, so one bad input never stops the rest.
"""

from __future__ import annotations

import fnmatch
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


def is_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


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
    """Members matching ``glob``; a corrupt archive or member is a rejection, not a crash."""
    short_name = Path(name).name
    try:
        if name.lower().endswith(".zip"):
            members = _zip_members(stream, glob=glob, max_bytes=max_bytes)
        else:
            members = _tar_members(stream, glob=glob, max_bytes=max_bytes)
        for member_name, data_or_error in members:
            member_path = f"{name}!{member_name}"
            member_short = Path(member_name).name
            if isinstance(data_or_error, bytes):
                yield _sized(member_short, member_path, data_or_error, max_bytes=max_bytes)
            else:
                yield IncomingFile(member_short, member_path, error=data_or_error)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as error:
        yield IncomingFile(short_name, name, error=f"corrupt archive: {error}")


def _matches(member_name: str, glob: str) -> bool:
    return fnmatch.fnmatch(Path(member_name).name, glob.removeprefix("**/"))


def _zip_members(
    stream: IO[bytes], *, glob: str, max_bytes: int
) -> Iterator[tuple[str, bytes | str]]:
    with zipfile.ZipFile(stream) as archive:
        for info in archive.infolist():
            if info.is_dir() or not _matches(info.filename, glob):
                continue
            if info.file_size > max_bytes:
                yield info.filename, _too_large(info.file_size, max_bytes)
                continue
            try:
                yield info.filename, archive.read(info)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
                yield info.filename, f"corrupt archive member: {error}"


def _tar_members(
    stream: IO[bytes], *, glob: str, max_bytes: int
) -> Iterator[tuple[str, bytes | str]]:
    with tarfile.open(fileobj=stream, mode="r:*") as archive:
        for member in archive:
            if not member.isfile() or not _matches(member.name, glob):
                continue
            if member.size > max_bytes:
                yield member.name, _too_large(member.size, max_bytes)
                continue
            extracted = archive.extractfile(member)
            yield member.name, extracted.read() if extracted else "unreadable archive member"
