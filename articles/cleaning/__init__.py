"""Boilerplate cleaner: finds the article (title, byline, body) in scraped page text.

Pure Python, no Django: the Django side stores results and corpus statistics.
"""

from __future__ import annotations

from .cleaner import clean
from .keys import line_key, normalise_line
from .result import CLEANER_VERSION, LABELS, CleanResult, LineLabel, Span
from .stats import CorpusStats, corpus_stats

__all__ = [
    "CLEANER_VERSION",
    "LABELS",
    "CleanResult",
    "CorpusStats",
    "LineLabel",
    "Span",
    "clean",
    "corpus_stats",
    "line_key",
    "normalise_line",
]
