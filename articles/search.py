"""Full-text search over articles: PostgreSQL's "simple" configuration, plus CJK bigrams.

Chinese, Japanese and Korean text has no spaces between words, so the parser would see a
whole run of characters as one word and a search for part of it would find nothing. Such
runs are indexed, and searched, as overlapping pairs of characters ("青山市地铁" → 青山 山市
市地 地铁), as Lucene's CJK analyzer does. The SQL function ``newsreader_cjk_bigrams``
(migration 0006) does this for the index; ``cjk_bigrams`` below for queries. The two
share the character ranges (tested).
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery

SEARCH_CONFIG = "simple"

# Han (with extension A and compatibility ideographs), kana, Hangul syllables.
CJK_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_CJK_RUN = re.compile(f"[{CJK_RANGES}]{{2,}}")

# The article's tsvector from its title and body columns (``{title}``, ``{body}``).
VECTOR_SQL = (
    f"setweight(to_tsvector('{SEARCH_CONFIG}', {{title}} || ' '"
    " || newsreader_cjk_bigrams({title})), 'A')"
    f" || setweight(to_tsvector('{SEARCH_CONFIG}', {{body}} || ' '"
    " || newsreader_cjk_bigrams({body})), 'B')"
)


def cjk_bigrams(text: str) -> str:
    """Each run of two or more CJK characters in ``text`` as its overlapping pairs."""
    return _CJK_RUN.sub(lambda run: " ".join(_pairs(run.group())), text)


def _pairs(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def matching(query: str) -> SearchQuery:
    """The articles a search box query finds (web search syntax: "phrase", or, -word)."""
    return SearchQuery(cjk_bigrams(query), config=SEARCH_CONFIG, search_type="websearch")
