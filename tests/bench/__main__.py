"""`make bench`: throughput and quality figures, each next to a reference measured in one run.

Runs on its own database (the configured one's name + "_bench"), which it empties as it goes.
"""

from __future__ import annotations

import importlib
import os
import sys
import time

SECTIONS = ("ingest", "pipeline", "cleaner", "review", "annotations", "api")


def use_bench_database() -> None:
    if database_url := os.environ.get("DATABASE_URL"):
        base, _, name = database_url.rpartition("/")
        name, _, query = name.partition("?")
        os.environ["DATABASE_URL"] = f"{base}/{name}_bench" + (f"?{query}" if query else "")
    else:
        os.environ["NEWSREADER_DB_NAME"] = os.environ.get("BENCH_DB_NAME", "newsreader_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsreader.settings")


def create_database() -> None:
    import psycopg
    from django.conf import settings
    from django.db import connection

    from newsreader import embedded_postgres

    if settings.EMBEDDED_DATABASE:
        embedded_postgres.ensure_running(settings.DATABASES["default"]["NAME"])
        return
    params = {**connection.get_connection_params(), "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**params) as admin:
        name = settings.DATABASES["default"]["NAME"]
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def main(argv: list[str]) -> int:
    wanted = argv or list(SECTIONS)
    unknown = set(wanted) - set(SECTIONS)
    if unknown:
        print(f"unknown sections: {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
        return 2
    use_bench_database()
    import django

    django.setup()
    from django.core.management import call_command

    create_database()
    call_command("migrate", interactive=False, verbosity=0)
    for name in wanted:
        try:
            module = importlib.import_module(f"tests.bench.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"tests.bench.{name}":
                raise
            continue
        print(f"\n== {name} ==", flush=True)
        started = time.perf_counter()
        for line in module.run():
            print(line, flush=True)
        print(f"({time.perf_counter() - started:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
