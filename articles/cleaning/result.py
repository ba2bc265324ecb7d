"""Result types of the cleaner: spans, per-line labels and the clean result."""

from __future__ import annotations

from dataclasses import dataclass

CLEANER_VERSION = "1.2.0"

LABELS = (
    "title",
    "body",
    "navigation",
    "advertisement",
    "related",
    "author_bio",
    "newsletter",
    "promotion",
    "comments",
    "caption",
    "other",
)


@dataclass(frozen=True)
class Span:
    """Character offsets into the text as passed to ``clean``; ``end`` is exclusive."""

    start: int
    end: int

    def text(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(frozen=True)
class LineLabel:
    """The label of one non-blank line (span excludes the line terminator)."""

    start: int
    end: int
    label: str
    score: float = 0.0
    cut: tuple[Span, ...] = ()


@dataclass(frozen=True)
class CleanResult:
    title: str
    title_span: Span | None
    byline: str
    byline_span: Span | None
    blocks: tuple[Span, ...]
    lines: tuple[LineLabel, ...]
    confidence: float
    version: str = CLEANER_VERSION

    def block_texts(self, text: str) -> list[str]:
        return [text[s.start : s.end] for s in self.blocks]

    def body(self, text: str) -> str:
        return "\n".join(self.block_texts(text))


EMPTY_RESULT = CleanResult(
    title="",
    title_span=None,
    byline="",
    byline_span=None,
    blocks=(),
    lines=(),
    confidence=0.0,
)
