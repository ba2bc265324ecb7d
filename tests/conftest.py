from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from hypothesis import settings as hypothesis_settings

from articles import roles

# CI replays the same examples every run, so its verdict is reproducible; local runs explore.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PASSWORD = "correct horse battery staple"


# ---------------------------------------------------------------- people


def _user(username: str, group: str | None = None, **extra: object) -> User:
    user = User.objects.create_user(username, password=PASSWORD, **extra)
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


@pytest.fixture
def editor(db: None) -> User:
    return _user("bob", roles.EDITOR)


@pytest.fixture
def annotator(db: None) -> User:
    return _user("alice", roles.ANNOTATOR)


@pytest.fixture
def admin_user(db: None) -> User:
    return _user("root", is_staff=True, is_superuser=True)


# ---------------------------------------------------------------- processes


def process_env(**extra: str) -> dict[str, str]:
    """Environment for processes the tests start: same settings, on the test database."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "NEWSREADER_USE_TEST_DATABASE": "1",
        "PYTHONPATH": str(REPO),
        **extra,
    }


class Worker:
    """A real Celery worker process on the test database and broker."""

    def __init__(self, log_path: Path, **env: str) -> None:
        self.log_path = log_path
        self.log = log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "newsreader",
                "worker",
                "-Q",
                "cleaning,default",
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=REPO,
            env=process_env(NEWSREADER_PROCESS="test-worker", **env),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_until_ready()

    def _wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if b" ready." in self.log_path.read_bytes():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"worker did not start:\n{self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes, as the OOM killer would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    workers: list[Worker] = []

    def start(**env: str) -> Worker:
        worker = Worker(tmp_path / f"worker-{len(workers)}.log", **env)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(condition: Callable[[], bool], timeout: float = 60, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(
        f"timed out after {timeout} s waiting for {condition.__doc__ or condition}"
    )


# ---------------------------------------------------------------- browser

REQUIRE_BROWSER = os.environ.get("NEWSREADER_REQUIRE_BROWSER", "") not in ("", "0", "false")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM:
        return
    if REQUIRE_BROWSER:
        raise pytest.UsageError(
            "NEWSREADER_REQUIRE_BROWSER is set but Chromium is not installed "
            "(apt-get install chromium)"
        )
    skip = pytest.mark.skip(reason="Chromium not installed: apt-get install chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
        ],
    }


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not here")
    return SHARED


def pytest_configure(config: pytest.Config) -> None:
    # Playwright runs an event loop in the test thread; the live server's database access is sync.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session", autouse=True)
def _release_test_database(django_db_setup: None, django_db_blocker) -> Iterator[None]:
    """Close the broker's connections to the test database, so it can be dropped at the end."""
    yield
    from django.db import connection

    from newsreader import celery_app

    celery_app.pool.force_close_all()
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
