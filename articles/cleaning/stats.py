"""Corpus statistics: per-line document frequencies and editor hints."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .keys import _DIGITS, key_of_normalised
from .lines import _BREAK


@dataclass(frozen=True)
class CorpusStats:
    """Line document frequencies (by ``line_key``), overall and within the page's source,
    and labels editors gave lines of this source (``hints``: line_key -> label)."""

    documents: int
    line_doc_freq: Mapping[int, int]
    source_documents: int = 0
    source_line_doc_freq: Mapping[int, int] = field(default_factory=dict)
    hints: Mapping[int, str] = field(default_factory=dict)


def document_keys(text: str) -> set[int]:
    """The distinct line keys of one document (what a document frequency counts).

    The same keys as ``line_key`` of each non-blank line, normalising the whole text at once:
    ingest computes them for every page, and per-line calls cost three times as much.
    NFKC, casefolding and digit mapping never cross a line break, so this is exact.
    """
    norm = text if text.isascii() else unicodedata.normalize("NFKC", text)
    norm = norm.casefold()
    if _DIGITS.search(norm):
        norm = _DIGITS.sub("0", norm)
    keys = set()
    for line in _BREAK.split(norm):
        collapsed = " ".join(line.split())
        if collapsed:
            keys.add(key_of_normalised(collapsed))
    return keys


def corpus_stats(texts: Iterable[str]) -> CorpusStats:
    """Build statistics from an in-memory corpus (all texts count as one source too)."""
    freq: Counter[int] = Counter()
    documents = 0
    for text in texts:
        documents += 1
        freq.update(document_keys(text))
    return CorpusStats(documents=documents, line_doc_freq=dict(freq))
