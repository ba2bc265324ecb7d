"""Client errors are logged in one line; server errors keep their traceback."""

from __future__ import annotations

import logging
import sys

from newsreader.log_filters import ClientErrorsWithoutTraceback


def record(status: int) -> logging.LogRecord:
    try:
        raise PermissionError("nope")
    except PermissionError:
        exc_info = sys.exc_info()
    entry = logging.LogRecord("django.request", logging.WARNING, "", 0, "x", (), exc_info)
    entry.status_code = status
    return entry


def test_4xx_lose_the_traceback_and_5xx_keep_it() -> None:
    keep = ClientErrorsWithoutTraceback()
    forbidden, broken = record(403), record(500)
    assert keep.filter(forbidden) and keep.filter(broken)
    assert forbidden.exc_info is None
    assert broken.exc_info is not None
    assert "Traceback" in logging.Formatter().format(broken)
    assert "Traceback" not in logging.Formatter().format(forbidden)
