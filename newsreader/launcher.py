"""`make run`: database, migrations, demo data, a Celery worker and gunicorn, in one command.

Ctrl-C (or SIGTERM) stops every process started here, and the embedded PostgreSQL with them.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = BASE_DIR / "articles" / "sample_corpus"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--corpus", default="", help="folder to ingest (default: the sample corpus)"
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    args = parser.parse_args()

    # Served over plain HTTP on this machine: no HTTPS redirect, cookies not HTTPS-only.
    os.environ.setdefault("SECURE_COOKIES", "false")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsreader.settings")
    embedded = not os.environ.get("DATABASE_URL")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from newsreader import embedded_postgres

    if embedded:
        print(f"Starting the embedded PostgreSQL in {embedded_postgres.data_dir()} …", flush=True)
        embedded_postgres.ensure_running(settings.DATABASES["default"]["NAME"])
    children: list[subprocess.Popen[bytes]] = []
    try:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        logins = _quiet_command("demo_setup")
        children.append(
            _start(
                "worker",
                [
                    "celery",
                    "-A",
                    "newsreader",
                    "worker",
                    "--beat",
                    "-Q",
                    "cleaning,default",
                    "--loglevel",
                    "INFO",
                    "--concurrency",
                    "2",
                    "--schedule",
                    str(BASE_DIR / "var" / "celerybeat-schedule"),
                ],
            )
        )
        children.append(
            _start(
                "web",
                [
                    "gunicorn",
                    "newsreader.wsgi",
                    "--bind",
                    f"{args.host}:{args.port}",
                    # As the API bench measures it (tests/bench/api.py).
                    "--workers",
                    "2",
                    "--worker-class",
                    "gthread",
                    "--threads",
                    "4",
                    "--timeout",
                    "120",
                    "--access-logfile",
                    "-",
                ],
            )
        )
        corpus = args.corpus or str(DEFAULT_CORPUS)
        print(f"Ingesting {corpus} …", flush=True)
        ingest = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "ingest",
                corpus,
                "--source",
                "sample" if not args.corpus else Path(corpus).name or "corpus",
            ],
            cwd=BASE_DIR,
        )
        if ingest.returncode == 2:
            return 2
        if not args.corpus:
            _prepare_demo_annotation()
        print(
            f"\nNewsreader is running at http://{_shown(args.host)}:{args.port}/\n"
            f"Logins:\n{logins}\nPress Ctrl-C to stop.\n",
            flush=True,
        )
        return _wait(children)
    except KeyboardInterrupt:
        return 0
    finally:
        # A second Ctrl-C (or the terminal's signal reaching us twice) must not cut cleanup short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _stop(children)
        if embedded:
            embedded_postgres.stop()
            print("Stopped.", flush=True)


def _quiet_command(name: str) -> str:
    """Run a management command and return what it would print."""
    from django.core.management import call_command

    output = io.StringIO()
    call_command(name, stdout=output)
    return output.getvalue().rstrip()


def _prepare_demo_annotation(timeout: float = 90) -> None:
    """Wait for the worker to clean the sample corpus, then approve it for the demo annotator."""
    from articles.models import Article

    pending = Article.objects.filter(state__in=[Article.State.QUEUED, Article.State.CLEANING])
    deadline = time.monotonic() + timeout
    while pending.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    print(_quiet_command("demo_assign"), flush=True)


def _start(name: str, command: list[str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NEWSREADER_PROCESS": f"newsreader-{name}"}
    executable = str(Path(sys.executable).parent / command[0])
    return subprocess.Popen([executable, *command[1:]], cwd=BASE_DIR, env=env)


def _wait(children: list[subprocess.Popen[bytes]]) -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    while True:
        for child in children:
            if child.poll() is not None:
                print(f"{child.args[0]} exited with {child.returncode}; stopping.", flush=True)
                return 1
        time.sleep(0.5)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for child in children:
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            child.kill()


def _shown(host: str) -> str:
    return "localhost" if host in ("127.0.0.1", "0.0.0.0", "") else host  # noqa: S104


if __name__ == "__main__":
    sys.exit(main())
