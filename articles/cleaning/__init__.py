"""Boilerplate cleaner: finds the article (title, byline, body) in scraped page text.

Pure Python (no Django). ``clean(text, stats)`` labels every non-blank line and returns the
body as exact character spans into ``text``.

How it works (one module per step):

- ``lines``: split on \r\n, \r or \n keeping exact offsets.
- ``features``: per-line shape (words, CJK characters counted as 0.6 word, sentence end,
  separators), known boilerplate phrases in several languages (``patterns``, a secondary
  signal), corpus document frequencies and editor hints (``stats``); each line becomes
  content, medium, short or boilerplate.
- ``select``: content lines form segments; the article is the (headline, segment) pair that
  scores best on the headline's word overlap with the text below it, its repeats, a byline
  or date next to it, closeness, and the segment's length (capped, so a long related story
  cannot win by length), minus penalties for teaser lists, name lists and text under a
  "Related"/"Comments" header. The anchor then grows over neighbouring segments that are
  coherent with it, across ad blocks, subheadings and lists.
- ``fragments``: inline boilerplate ("STORY CONTINUES BELOW THIS AD") is cut out of body
  lines; the rest keeps exact offsets.
- ``cleaner``: labels for all lines (sections opened by headers such as "Related articles"
  label what follows), title repeats, byline, author bio, result assembly.
- ``scoring``/``benchmark``: the reference scorer's metric and a dev-set benchmark.
"""

from __future__ import annotations

from .cleaner import clean
from .keys import line_key, normalise_line
from .result import CLEANER_VERSION, LABELS, CleanResult, LineLabel, Span
from .stats import CorpusStats, corpus_stats, document_keys

__all__ = [
    "CLEANER_VERSION",
    "LABELS",
    "CleanResult",
    "CorpusStats",
    "LineLabel",
    "Span",
    "clean",
    "corpus_stats",
    "document_keys",
    "line_key",
    "normalise_line",
]
