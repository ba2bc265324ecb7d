"""Corpus statistics: per-line document frequencies and editor hints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .keys import line_key
from .lines import split_lines


@dataclass(frozen=True)
class CorpusStats:
    documents: int
    line_doc_freq: Mapping[int, int]
    source_documents: int = 0
    source_line_doc_freq: Mapping[int, int] = field(default_factory=dict)
    hints: Mapping[int, str] = field(default_factory=dict)


def document_keys(text: str) -> set[int]:
    """The distinct line keys of one document (what a document frequency counts)."""
    return {line_key(text[a:b]) for a, b, _s, _e in split_lines(text) if _s < _e}


def corpus_stats(texts: Iterable[str]) -> CorpusStats:
    """Build statistics from an in-memory corpus (all texts count as one source too)."""
    freq: Counter[int] = Counter()
    documents = 0
    for text in texts:
        documents += 1
        freq.update(document_keys(text))
    return CorpusStats(documents=documents, line_doc_freq=dict(freq))
