from __future__ import annotations

import io
import stat
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import override_settings

from articles import incoming
from articles.ingest import ingest_files, start_batch
from articles.models import Article, IngestBatch, Source
from tests.conftest import REPO, process_env

SAMPLE = REPO / "articles" / "sample_corpus"


def page(number: int) -> str:
    return (
        f"Menu\nHeadline number {number}\nThe body of story {number} is here, at length.\nFooter\n"
    )


def ingest(paths: list[Path], *, source: str = "test", glob: str = "*.txt") -> IngestBatch:
    batch = start_batch(source_name=source, origin=IngestBatch.Origin.COMMAND)
    files = incoming.from_paths(paths, glob=glob, max_bytes=10 * 1024 * 1024)
    with mock.patch("articles.tasks.queue_cleaning"):
        return ingest_files(files, batch=batch)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for number in range(3):
        (tmp_path / f"page{number}.txt").write_text(page(number))
    nested = tmp_path / "nested" / "deeper"
    nested.mkdir(parents=True)
    (nested / "page3.txt").write_text(page(3))
    (nested / "notes.md").write_text("not a page")
    return tmp_path


@pytest.mark.django_db
def test_it_stores_files_verbatim(tmp_path: Path) -> None:
    raw = "\ufeffTitle\r\nBody with “quotes”\r\n".encode()
    path = tmp_path / "crlf.txt"
    path.write_bytes(raw)
    batch = ingest([path], source="wire")
    article = Article.objects.get()
    assert bytes(article.raw_bytes) == raw
    assert article.text == "Title\r\nBody with “quotes”\r\n"
    assert article.encoding == "utf-8-sig"
    assert article.sha256 == __import__("hashlib").sha256(raw).hexdigest()
    assert (article.original_name, article.original_path) == ("crlf.txt", str(path))
    assert article.size_bytes == len(raw)
    assert (article.source.name, article.batch) == ("wire", batch)
    assert article.state == Article.State.QUEUED
    assert batch.summary == "ingested: 1 new, 0 duplicate, 0 rejected"


@pytest.mark.django_db
def test_it_walks_folders_recursively_with_a_glob(folder: Path) -> None:
    assert ingest([folder]).new_count == 4
    assert ingest([folder], glob="*.md").new_count == 1


@pytest.mark.django_db
def test_it_is_idempotent(folder: Path) -> None:
    first = ingest([folder])
    second = ingest([folder, folder / "page0.txt"])
    assert (first.new_count, first.duplicate_count) == (4, 0)
    assert (second.new_count, second.duplicate_count) == (0, 5)
    assert Article.objects.count() == 4
    assert Source.objects.get(name="test").article_count == 4  # Duplicates count once.
    ingest([folder / "page0.txt"], source="other")
    assert Source.objects.get(name="other").article_count == 0


@pytest.mark.django_db
def test_it_reads_archives(tmp_path: Path) -> None:
    zip_path = tmp_path / "pages.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr("a/one.txt", page(1))
        archive.writestr("two.txt", page(2))
        archive.writestr("skip.bin", b"\x00\x01")
    tar_path = tmp_path / "pages.tar.gz"
    with tarfile.open(tar_path, "w:gz") as archive:
        for number in (3, 4):
            data = page(number).encode()
            info = tarfile.TarInfo(f"dir/{number}.txt")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    batch = ingest([zip_path, tar_path])
    assert batch.summary == "ingested: 4 new, 0 duplicate, 0 rejected"
    assert batch.skipped_count == 1  # skip.bin: named in the report, below.
    assert Article.objects.filter(original_path__endswith="pages.zip!a/one.txt").exists()


def mixed_zip(path: Path) -> Path:
    nested = io.BytesIO()
    with zipfile.ZipFile(nested, "w") as archive:
        archive.writestr("inner.txt", page(9))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a/good.txt", page(1))
        archive.writestr("c/", b"")  # A folder: not an entry to report.
        archive.writestr("c/image.png", b"\x89PNG\r\n\x1a\n" + bytes(100))
        archive.writestr("c/notes.md", "# notes")
        archive.writestr("c/nested.zip", nested.getvalue())
        archive.writestr("c/corrupt.zip", b"PK\x03\x04 not really a zip")
        # As `zip -y` stores a symbolic link: the mode says so, the data is the target's path.
        link = zipfile.ZipInfo("c/link.txt")
        link.create_system = 3  # Unix
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "a/good.txt")
    return path


@pytest.mark.django_db
def test_archive_entries_that_are_not_pages_are_named_with_the_reason(tmp_path: Path) -> None:
    zip_path = mixed_zip(tmp_path / "mixed.zip")
    tar_path = tmp_path / "links.tar"
    with tarfile.open(tar_path, "w") as archive:
        link = tarfile.TarInfo("d/link.txt")
        link.type, link.linkname = tarfile.SYMTYPE, "d/elsewhere.txt"
        archive.addfile(link)
        folder = tarfile.TarInfo("e")
        folder.type = tarfile.DIRTYPE
        archive.addfile(folder)
    batch = ingest([zip_path, tar_path])
    assert batch.summary == "ingested: 1 new, 0 duplicate, 0 rejected"
    skipped = {entry.name: (entry.reason, entry.size_bytes) for entry in batch.skipped.all()}
    assert skipped == {
        f"{zip_path}!c/image.png": ("not a .txt file", 108),
        f"{zip_path}!c/notes.md": ("not a .txt file", 7),
        f"{zip_path}!c/nested.zip": ("nested archive: not opened", mock.ANY),
        f"{zip_path}!c/corrupt.zip": ("nested archive: not opened", 21),
        f"{zip_path}!c/link.txt": ("a link or special file, not a regular file", 10),
        f"{tar_path}!d/link.txt": ("a link or special file, not a regular file", 0),
    }
    assert batch.skipped_count == len(skipped)
    reasons = {
        glob: ingest([zip_path], glob=glob).skipped.get(name__endswith="good.txt").reason
        for glob in ("*.md", "notes*")
    }
    assert reasons == {"*.md": "not a .md file", "notes*": "not matching notes*"}


@pytest.mark.django_db
def test_it_rejects_bad_input_and_keeps_the_rest(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(page(1))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (tmp_path / "big.txt").write_text("x" * 2000)
    unreadable = tmp_path / "unreadable.txt"
    unreadable.write_text(page(2))
    unreadable.chmod(0)
    (tmp_path / "corrupt.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    (tmp_path / "corrupt.tar.gz").write_bytes(b"\x1f\x8b\x08 truncated gzip")
    batch = start_batch(source_name="test", origin=IngestBatch.Origin.COMMAND)
    files = list(incoming.from_paths([tmp_path], glob="*.txt", max_bytes=1000))
    files.append(
        incoming.IncomingFile(
            "missing.txt", "/no/such/missing.txt", error="unreadable: No such file or directory"
        )
    )
    with mock.patch("articles.tasks.queue_cleaning"):
        batch = ingest_files(files, batch=batch)
    reasons = {Path(r.name.split("!")[0]).name: r.reason for r in batch.rejections.all()}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["binary.txt"].startswith("binary file")
    assert reasons["big.txt"] == "too large: 2,000 bytes, the limit is 1,000"
    assert reasons["corrupt.zip"].startswith("corrupt archive")
    assert reasons["corrupt.tar.gz"].startswith("corrupt archive")
    assert reasons["missing.txt"].startswith("unreadable")
    if reasons.get("unreadable.txt") is None:  # root can read anything
        assert Article.objects.filter(original_name="unreadable.txt").exists()
    else:
        assert reasons["unreadable.txt"] == "unreadable: Permission denied"
    assert Article.objects.filter(original_name="good.txt").exists()
    assert batch.rejected_count == len(reasons)


@pytest.mark.django_db
def test_it_queues_new_articles_after_commit(
    folder: Path, django_capture_on_commit_callbacks
) -> None:
    batch = start_batch(source_name="test", origin=IngestBatch.Origin.COMMAND)
    files = incoming.from_paths([folder], glob="*.txt", max_bytes=10_000)
    with (
        mock.patch("articles.tasks.clean_articles.delay") as delay,
        override_settings(NEWSREADER_CLEANING_BATCH=3),
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            ingest_files(files, batch=batch)
        assert delay.call_count == 0
        for callback in callbacks:
            callback()
    ids = sorted(Article.objects.values_list("pk", flat=True))
    assert [call.args[0] for call in delay.call_args_list] == [ids[:3], ids[3:]]


@pytest.mark.django_db(transaction=True)
def test_concurrent_ingests_store_each_file_once(tmp_path: Path) -> None:
    for number in range(300):
        (tmp_path / f"{number}.txt").write_text(page(number) * 20)
    command = [sys.executable, "manage.py", "ingest", str(tmp_path), "--source", "race"]
    processes = [
        subprocess.Popen(
            command,
            cwd=REPO,
            env=process_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [process.communicate(timeout=120) for process in processes]
    outputs = [out for out, _ in results]
    assert [process.returncode for process in processes] == [0, 0, 0], results
    assert Article.objects.count() == 300
    news = [int(output.split("ingested: ")[1].split(" new")[0]) for output in outputs]
    assert sum(news) == 300


@pytest.mark.django_db
def test_the_command_reports_and_exits(folder: Path, tmp_path: Path, capsys) -> None:
    (folder / "empty.txt").write_bytes(b"")
    with mock.patch("articles.tasks.queue_cleaning"), pytest.raises(SystemExit) as exited:
        call_command("ingest", str(folder), "--source", "cli", verbosity=2)
    assert exited.value.code == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "ingested: 4 new, 0 duplicate, 1 rejected"
    assert f"rejected: {folder / 'empty.txt'}: empty file" in lines
    assert f"new: {folder / 'page0.txt'}" in lines

    with mock.patch("articles.tasks.queue_cleaning"):
        call_command("ingest", str(folder / "page0.txt"), "--source", "cli")
    assert capsys.readouterr().out.splitlines() == ["ingested: 0 new, 1 duplicate, 0 rejected"]


@pytest.mark.django_db
def test_the_command_names_skipped_archive_entries(tmp_path: Path, capsys) -> None:
    zip_path = mixed_zip(tmp_path / "mixed.zip")
    with mock.patch("articles.tasks.queue_cleaning"):
        call_command("ingest", str(zip_path), "--source", "cli")  # Skipping is no failure.
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"skipped: {zip_path}!c/image.png: not a .txt file",
        f"skipped: {zip_path}!c/notes.md: not a .txt file",
        f"skipped: {zip_path}!c/nested.zip: nested archive: not opened",
        f"skipped: {zip_path}!c/corrupt.zip: nested archive: not opened",
        f"skipped: {zip_path}!c/link.txt: a link or special file, not a regular file",
        "ingested: 1 new, 0 duplicate, 0 rejected",
    ]


def test_the_command_exits_2_on_usage_errors() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "ingest", "--no-such-option", "x"],
        cwd=REPO,
        env=process_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr
