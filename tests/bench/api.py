"""API speed: the article and annotation lists (pages of 100) under 16 concurrent connections on
gunicorn, next to a trivial JSON view (/api/health/) measured in the same run.

Target (issue 6): each list at >= 50% of the trivial view's requests/s, p99 < 100 ms, on a
database of 100,000 articles and 1,000,000 annotations. The rows are made with SQL
(INSERT … SELECT generate_series) once and kept, marked by their source, so reruns are quick.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from rest_framework.authtoken.models import Token

from annotations.models import EntityMention, Project
from articles import roles
from articles.models import Article, IngestBatch, Source, TextRevision

ARTICLES = 100_000
ANNOTATIONS = 1_000_000
CONNECTIONS = 16
SECONDS = 8.0  # Per endpoint, in ROUNDS slices taken in turn.
ROUNDS = 4
SOURCE = "api-bench"
REPO = Path(__file__).resolve().parents[2]
TEXT = "Angela Merkel met Emmanuel Macron in Paris on Monday."


def _populate() -> tuple[str, Project]:
    user, _ = User.objects.get_or_create(username="api-bench")
    user.groups.add(Group.objects.get_or_create(name=roles.EDITOR)[0])
    token, _ = Token.objects.get_or_create(user=user)
    project, _ = Project.objects.get_or_create(
        name="API bench", defaults={"entity_labels": [{"name": "PER", "key": "p"}]}
    )
    source, _ = Source.objects.get_or_create(name=SOURCE)
    have = Article.objects.filter(source=source).count()
    mentions = EntityMention.objects.filter(project=project).count()
    if have == ARTICLES and mentions == ANNOTATIONS:
        return token.key, project
    with transaction.atomic(), connection.cursor() as cursor:
        # Plain SQL deletes (the ORM's collect 1M rows in Python), with the foreign keys on.
        cursor.execute("DELETE FROM annotations_entitymention WHERE project_id = %s", [project.pk])
        cursor.execute(
            "DELETE FROM articles_textrevision WHERE article_id IN"
            " (SELECT id FROM articles_article WHERE source_id = %s)",
            [source.pk],
        )
        cursor.execute("DELETE FROM articles_article WHERE source_id = %s", [source.pk])
        # Check the deferred foreign keys now: indexes cannot change with checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        batch = IngestBatch.objects.create(source=source, origin=IngestBatch.Origin.COMMAND)
        _generate(cursor, source.pk, batch.pk, project.pk, user.pk)
    with connection.cursor() as cursor:
        # Fresh visibility maps, so the cursor queries are index-only scans as in production.
        for table in (Article, TextRevision, EntityMention):
            cursor.execute(f"VACUUM (ANALYZE) {table._meta.db_table}")
    return token.key, project


TABLES = ("articles_article", "articles_textrevision", "annotations_entitymention")


def _generate(cursor: Any, source: int, batch: int, project: int, user: int) -> None:
    """100,000 articles, their revisions, 1,000,000 mentions, in about a minute.

    Rows made here are right by construction, so the foreign-key and span triggers are off
    (replica mode, for this transaction), the indexes that back no constraint are dropped
    and built again after the load, and ids are reserved up front so that each article
    names its revision as it is inserted (no UPDATE of 100,000 rows afterwards).
    """
    cursor.execute("SET LOCAL session_replication_role = replica")
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid::regclass::text = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [list(TABLES)],
    )
    indexes = cursor.fetchall()
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    first = {}
    for table, count in (("articles_article", ARTICLES), ("articles_textrevision", ARTICLES)):
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'),"
            " nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
            [table, table, count],
        )
        first[table] = cursor.fetchone()[0] - count + 1
    article, revision = first["articles_article"], first["articles_textrevision"]
    cursor.execute(
        """
        INSERT INTO articles_article (id, source_id, batch_id, sha256, raw_bytes, text,
            encoding, original_name, original_path, size_bytes, created_at, updated_at, state,
            state_changed_at, error, attempts, review_status, reject_reason, reject_note,
            edit_version, title, current_revision_id)
        SELECT %(article)s + i, %(source)s, %(batch)s,
            md5('api-bench-' || i) || md5('api-bench-2-' || i), convert_to(%(text)s, 'UTF8'),
            %(text)s, 'utf-8', 'bench-' || i || '.txt', '', 53,
            now() - (i || ' seconds')::interval, now() - (i || ' seconds')::interval,
            'cleaned', now(), '', 1, 'approved', '', '', 0, 'Bench article ' || i,
            %(revision)s + i
        FROM generate_series(0, %(count)s - 1) AS i
        """,
        {
            "article": article,
            "revision": revision,
            "source": source,
            "batch": batch,
            "text": TEXT,
            "count": ARTICLES,
        },
    )
    cursor.execute(
        """
        INSERT INTO articles_textrevision (id, article_id, number, title, text, blocks, sha256,
            normalizer_version, created_at)
        SELECT %(revision)s + i, %(article)s + i, 1, 'Bench article ' || i, %(text)s,
            '[[0, 53]]', md5((%(article)s + i)::text), '1', now()
        FROM generate_series(0, %(count)s - 1) AS i
        """,
        {"article": article, "revision": revision, "text": TEXT, "count": ARTICLES},
    )
    # Ten mentions per article, on its revision: "Angela Merkel" at 0..13.
    per = ANNOTATIONS // ARTICLES
    cursor.execute(
        """
        INSERT INTO annotations_entitymention (project_id, article_id, annotator_id, origin,
            created_at, updated_at, revision_id, start, "end", exact, prefix, suffix,
            anchor_state, label)
        SELECT %(project)s, %(article)s + g / %(per)s, %(user)s, 'human',
            now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval,
            %(revision)s + g / %(per)s, 0, 13, 'Angela Merkel', '',
            ' met Emmanuel Macron in Paris on', 'anchored', 'PER'
        FROM generate_series(0, %(count)s - 1) AS g
        """,
        {
            "project": project,
            "article": article,
            "revision": revision,
            "user": user,
            "per": per,
            "count": ANNOTATIONS,
        },
    )
    for _, definition in indexes:
        cursor.execute(definition)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_gunicorn(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsreader.settings",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        # The bench measures serving, not the per-user rate limit.
        "API_THROTTLE_USER": "100000000/minute",
        "API_THROTTLE_ANON": "100000000/minute",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "newsreader.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/health/")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def _cpu_by_process(server: int) -> dict[int, tuple[str, float]]:
    """{pid: (kind, CPU seconds so far)} of gunicorn (``server`` and its children),
    PostgreSQL and this process (the load generator), from /proc. Linux only."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[int, tuple[str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        pid, ppid = int(entry.name), int(fields[1])
        cpu = (int(fields[11]) + int(fields[12])) / ticks
        if pid == os.getpid():
            found[pid] = ("client", cpu)
        elif server in (pid, ppid):
            found[pid] = ("gunicorn", cpu)
        elif comm == "postgres":
            found[pid] = ("postgres", cpu)
    return found


def _load(port: int, path: str, headers: dict[str, str], seconds: float) -> dict[str, Any]:
    """CONNECTIONS keep-alive clients, each one request at a time, for ``seconds``."""
    latencies: list[list[float]] = [[] for _ in range(CONNECTIONS)]
    errors = [0] * CONNECTIONS
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[n] += 1
            except OSError:
                errors[n] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            latencies[n].append(time.perf_counter() - started)
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CONNECTIONS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "elapsed": time.monotonic() - started,
        "latencies": [x for per in latencies for x in per],
        "errors": sum(errors),
    }


class _Measure:
    """One endpoint's requests, latencies, errors and CPU per kind of process, over slices."""

    def __init__(self, path: str, headers: dict[str, str]) -> None:
        self.path, self.headers = path, headers
        self.elapsed = 0.0
        self.latencies: list[float] = []
        self.errors = 0
        self.cpu = {"gunicorn": 0.0, "postgres": 0.0, "client": 0.0}

    def slice(self, port: int, server: int, seconds: float) -> None:
        before = _cpu_by_process(server)
        got = _load(port, self.path, self.headers, seconds)
        after = _cpu_by_process(server)
        for pid, (kind, cpu) in after.items():
            if pid in before:  # A process that started or ended meanwhile would skew the sum.
                self.cpu[kind] += cpu - before[pid][1]
        self.elapsed += got["elapsed"]
        self.latencies += got["latencies"]
        self.errors += got["errors"]

    def result(self) -> dict[str, Any]:
        flat = sorted(self.latencies)
        requests = len(flat)
        return {
            "rps": requests / self.elapsed,
            "p50": statistics.median(flat) * 1000 if flat else float("nan"),
            "p99": flat[int(requests * 0.99) - 1] * 1000 if flat else float("nan"),
            "errors": self.errors,
            "cpu": "CPU per request: "
            + ", ".join(
                f"{kind} {seconds / max(requests, 1) * 1000:.2f} ms"
                for kind, seconds in self.cpu.items()
            ),
        }


def run() -> list[str]:
    started = time.perf_counter()
    token, project = _populate()
    lines = [
        f"data: {ARTICLES:,} articles, {ANNOTATIONS:,} annotations"
        f" (ready in {time.perf_counter() - started:.0f} s)"
    ]
    connection.close()
    port = _free_port()
    server = _start_gunicorn(port)
    auth = {"Authorization": f"Token {token}"}
    try:
        # Warm both workers' connections and caches before measuring.
        _load(port, "/api/articles/?page_size=100", auth, 2.0)
        # The endpoints take turns, a slice each per round, so that a change in the load of
        # the (shared) machine falls on all three alike, not on whichever ran then.
        measures = [
            _Measure("/api/health/", {}),
            _Measure("/api/articles/?page_size=100", auth),
            _Measure(f"/api/mentions/?page_size=100&project={project.pk}", auth),
        ]
        for _ in range(ROUNDS):
            for measure in measures:
                measure.slice(port, server.pid, SECONDS / ROUNDS)
        base = measures[0].result()
        lines.append(
            f"trivial JSON view /api/health/: {base['rps']:.0f} req/s,"
            f" p50 {base['p50']:.1f} ms, p99 {base['p99']:.1f} ms; {base['cpu']}"
        )
        for name, measure in zip(("article list", "annotation list"), measures[1:], strict=True):
            got = measure.result()
            ratio = got["rps"] / base["rps"]
            ok = ratio >= 0.5 and got["p99"] < 100 and not got["errors"]
            lines.append(
                f"{name} {measure.path}: {got['rps']:.0f} req/s ({ratio:.0%} of trivial;"
                f" goal >= 50%), p50 {got['p50']:.1f} ms, p99 {got['p99']:.1f} ms"
                f" (goal < 100 ms), errors {got['errors']:.0f} -> {'MET' if ok else 'NOT MET'};"
                f" {got['cpu']}"
            )
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)
    lines.append(
        f"gunicorn gthread 2 workers x 4 threads, {CONNECTIONS} keep-alive connections,"
        f" {SECONDS:.0f} s each in {ROUNDS} turns, load generator on the same 2-core machine"
    )
    return lines
