"""Compiled list-page queries, kept per process and run again with each request's cursor.

Building and compiling a filtered keyset query costs the ORM about a millisecond a request,
more than PostgreSQL takes to run it. A sync consumer asks for the same list with the same
filters again and again, only the cursor changing. So a page query is compiled once with
stand-in cursor values, and each request puts its own values where the stand-ins are. The
query is kept under everything its SQL depends on besides the cursor (``PlainListMixin``
in ``newsreader.api``): the view, what the user may see (the view's ``list_key()``),
the query string, the page size and the time zone (which reads times given without an
offset).
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# Values no real cursor holds: cursors carry no negative ids, and no row is that old.
STAND_IN_TIME = datetime(1, 1, 1, 0, 0, 0, 1, tzinfo=UTC)
STAND_IN_ID = -1_234_567_891
# And one for the sync horizon (newsreader.sync_horizon), which each request reads anew.
STAND_IN_HORIZON = datetime(1, 1, 1, 0, 0, 0, 2, tzinfo=UTC)


@dataclass(frozen=True)
class PageQuery:
    """A page's SQL and parameters; ``time_at`` and ``id_at`` index the cursor's places,
    ``horizon_at`` the sync horizon's.

    ``sql`` is None for a query that can match nothing (Django's ``EmptyResultSet``).
    """

    sql: str | None
    params: tuple[Any, ...] = ()
    time_at: tuple[int, ...] = ()
    id_at: tuple[int, ...] = ()
    horizon_at: tuple[int, ...] = ()

    def params_for(self, cursor: Sequence[Any] | None, horizon: datetime) -> list[Any]:
        """The parameters with ``cursor`` (its time or id first, then its id) and
        ``horizon`` in place."""
        params = list(self.params)
        for index in self.horizon_at:
            params[index] = horizon
        if cursor is not None:
            first, pk = cursor
            for index in self.time_at:
                params[index] = first
            for index in self.id_at:
                params[index] = pk
        return params


def stand_ins(by_id_only: bool) -> list[Any]:
    """Cursor values to compile a query with, for :func:`page_query` to find again."""
    return [STAND_IN_ID, STAND_IN_ID] if by_id_only else [STAND_IN_TIME, STAND_IN_ID]


def page_query(
    sql: str, params: Sequence[Any], with_cursor: bool, by_id_only: bool
) -> PageQuery | None:
    """The query compiled with :func:`stand_ins`, or None if they are not where expected.

    A keyset condition names its time three times and its id once (by id alone: the id
    once), and the horizon once (by id alone: not at all). Any other count (a filter value
    equal to a stand-in, a changed condition) means the places cannot be told apart, and the
    query is not kept.
    """
    time_at = tuple(
        i for i, p in enumerate(params) if isinstance(p, datetime) and p == STAND_IN_TIME
    )
    horizon_at = tuple(
        i for i, p in enumerate(params) if isinstance(p, datetime) and p == STAND_IN_HORIZON
    )
    id_at = tuple(
        i
        for i, p in enumerate(params)
        if isinstance(p, int) and not isinstance(p, bool) and p == STAND_IN_ID
    )
    expected = (0, 0) if not with_cursor else (0, 1) if by_id_only else (3, 1)
    if (len(time_at), len(id_at), len(horizon_at)) != (*expected, 0 if by_id_only else 1):
        return None
    return PageQuery(sql, tuple(params), time_at, id_at, horizon_at)


class PageQueries:
    """A bounded map of key to :class:`PageQuery`, safe across a worker's threads."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._kept: dict[Hashable, PageQuery] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> PageQuery | None:
        return self._kept.get(key)

    def keep(self, key: Hashable, query: PageQuery) -> None:
        with self._lock:
            if key not in self._kept and len(self._kept) >= self.size:
                # The oldest entry goes: lists and filters in use are asked for again soon.
                del self._kept[next(iter(self._kept))]
            self._kept[key] = query

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)
