"""Django's PostgreSQL backend, starting the embedded server on first connection.

Starting it lazily keeps commands that never touch the database (``clean_files``, ``check``)
free of a database server.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import base

from newsreader import embedded_postgres


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        embedded_postgres.ensure_running(self.settings_dict["NAME"] or "postgres")
        return super().get_new_connection(conn_params)
