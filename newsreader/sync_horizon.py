"""The sync horizon: the time before which every change to the database is committed.

A row's ``updated_at`` is set when it is written, but others see the row only once its
transaction commits, which may be seconds later (an import of thousands of spans). A sync
consumer that read past it meanwhile would have its cursor beyond the row for good, and its
mirror would never get it. So the API's sync lists serve only rows older than the horizon:
the start of the database's oldest open transaction, or now, less NEWSREADER_SYNC_SETTLE_MS
for the clocks of the machines that write (SQL ``newsreader_sync_horizon``, migration
``newsreader/0003``). What they leave out comes on a later page.

Reading it costs PostgreSQL about a millisecond (it copies every backend's status), more than
a page of rows, so each process reads it at most every NEWSREADER_SYNC_HORIZON_REFRESH_MS.
An older horizon is as safe, only later: rows before it were committed then already.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from newsreader.binary_rows import fetch_all


class SyncHorizon:
    def __init__(self) -> None:
        self._value: datetime | None = None
        self._read_at = 0.0
        self._lock = threading.Lock()

    def get(self) -> datetime:
        refresh = settings.NEWSREADER_SYNC_HORIZON_REFRESH_MS / 1000
        if self._value is None or time.monotonic() - self._read_at >= refresh:
            with self._lock:  # One read for the threads that find it old at once.
                if self._value is None or time.monotonic() - self._read_at >= refresh:
                    read_at = time.monotonic()
                    settle = settings.NEWSREADER_SYNC_SETTLE_MS / 1000
                    [(value,)] = fetch_all("SELECT newsreader_sync_horizon(%s)", [settle])
                    self._value, self._read_at = value, read_at
        return self._value  # type: ignore[return-value]

    def forget(self) -> None:
        with self._lock:
            self._value = None


HORIZON = SyncHorizon()


@receiver(setting_changed)
def _forget_horizon(**kwargs: Any) -> None:
    HORIZON.forget()
