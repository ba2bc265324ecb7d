"""The embedded PostgreSQL server used when DATABASE_URL is not set.

pgserver ships real PostgreSQL binaries. Every process of the checkout (web, worker, manage.py,
tests) attaches to the one server whose data lives under ``var/pgdata``; it keeps running until
``stop()`` is called (``make run`` does so on exit), so a second ``make run`` reuses the data.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import threading
import warnings
from functools import cache
from pathlib import Path

from psycopg import sql

SOCKET_NAME = ".s.PGSQL.5432"
# sockaddr_un.sun_path is 108 bytes on Linux and 104 on macOS.
MAX_SOCKET_PATH = 103


def data_dir() -> Path:
    default = Path(__file__).resolve().parent.parent / "var" / "pgdata"
    return Path(os.environ.get("NEWSREADER_PGDATA", default)).resolve()


def socket_dir() -> Path:
    """Where the server's Unix socket lives, known before the server starts.

    Mirrors pgserver's choice: the data directory, unless that path is too long for a socket.
    """
    pgdata = data_dir()
    if len(str(pgdata / SOCKET_NAME)) <= MAX_SOCKET_PATH:
        return pgdata
    import platformdirs

    pgdata.mkdir(parents=True, exist_ok=True)
    identifier = f"{pgdata}-{pgdata.stat().st_ino}"
    path_hash = hashlib.sha256(identifier.encode()).hexdigest()[:10]
    return platformdirs.user_runtime_path("python_PostgresServer") / path_hash


_starting = threading.Lock()


def ensure_running(database: str = "postgres") -> Path:
    """Start the server if needed (about 1 s the first time), create ``database`` if missing,
    and return the socket directory."""
    # Threads of one process (gunicorn's gthread workers) open their first connections at once.
    with _starting:
        return _ensure_running(database)


@cache
def _ensure_running(database: str) -> Path:
    import psycopg

    with warnings.catch_warnings():
        # Without XDG_RUNTIME_DIR (containers, CI) platformdirs warns and falls back to /tmp.
        warnings.simplefilter("ignore")
        import pgserver

    data_dir().parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir(), cleanup_mode=None)
    host = Path(server.get_uri().rsplit("host=", 1)[1])
    with psycopg.connect(dbname="postgres", user="postgres", host=str(host), autocommit=True) as db:
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            # Another process may create it first.
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    return host


def stop() -> None:
    """Stop the server cleanly (pg_ctl stop -m fast); a no-op when it is not running."""
    from pgserver._commands import pg_ctl

    pgdata = data_dir()
    if not (pgdata / "postmaster.pid").exists():
        return
    user = "pgserver" if os.geteuid() == 0 else None
    with contextlib.suppress(subprocess.CalledProcessError):  # Already stopped.
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
