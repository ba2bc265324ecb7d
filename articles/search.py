"""Full-text search over articles: PostgreSQL's "simple" configuration, plus CJK bigrams.

Chinese, Japanese and Korean text has no spaces between words, so the parser would see a
whole run of characters (with any digits or Latin letters touching it) as one word, and a
search for part of it would find nothing. Before parsing, the index and every query alike
set each run of CJK characters apart and write it as its overlapping pairs of characters
("青山市地铁5号线" → 青山 山市 市地 地铁 5 号线), as Lucene's CJK analyzer does. The SQL
function ``newsreader_search_text`` (migration 0006) does this for the index,
``search_text`` below for queries; they share the character ranges (tested).

An article is indexed from its cleaning until it is approved, then from the revision that
annotators see (``articles.review.revision_activate``): what the API serves is what is found.
"""

from __future__ import annotations

import re
import unicodedata

from django.contrib.postgres.search import SearchQuery
from django.db.models.expressions import RawSQL

SEARCH_CONFIG = "simple"

# Han (with extension A and compatibility ideographs), kana, Hangul syllables.
CJK_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_CJK_RUN = re.compile(f"[{CJK_RANGES}]+")

# The article's tsvector from its title and body columns (``{title}``, ``{body}``). Both
# sides in NFC: an "é" typed or copied from the page is one code point, a scraped one may
# be two (e and a combining accent), and the two would not match.
VECTOR_SQL = (
    f"setweight(to_tsvector('{SEARCH_CONFIG}',"
    f" newsreader_search_text(normalize({{title}}, NFC))), 'A')"
    f" || setweight(to_tsvector('{SEARCH_CONFIG}',"
    f" newsreader_search_text(normalize({{body}}, NFC))), 'B')"
)


def vector(title: str, body: str) -> RawSQL:
    """The tsvector of an article with this title and body, to store in ``search_vector``."""
    sql = VECTOR_SQL.format(title="%s::text", body="%s::text")  # A constant; the text is bound.
    return RawSQL(sql, [title, body])  # noqa: S611


def search_text(text: str) -> str:
    """``text`` in NFC, each run of CJK characters set apart by spaces, as its bigrams."""
    text = unicodedata.normalize("NFC", text)
    return _CJK_RUN.sub(lambda run: f" {_bigrams(run.group())} ", text)


def _bigrams(run: str) -> str:
    if len(run) == 1:
        return run
    return " ".join(run[i : i + 2] for i in range(len(run) - 1))


def matching(query: str) -> SearchQuery:
    """The articles a search box query finds (web search syntax: "phrase", or, -word)."""
    return SearchQuery(search_text(query), config=SEARCH_CONFIG, search_type="websearch")
