"""Text revisions: the immutable, normalised article text that annotations point into."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max

from articles.models import Article, Cleaning, TextRevision

NORMALIZER_VERSION = "1"
BLOCK_SEPARATOR = "\n\n"
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
_SPACES = re.compile(r"[ \t]+")


def normalise_block(block: str) -> str:
    """NFC, one kind of newline, no runs of spaces, no surrounding whitespace."""
    block = unicodedata.normalize("NFC", block)
    lines = (_SPACES.sub(" ", line).strip() for line in _LINE_BREAKS.split(block))
    return "\n".join(line for line in lines if line)


def compose(title: str, blocks: Sequence[str]) -> tuple[str, list[list[int]]]:
    """The revision text and the [start, end] of each block in it (block 0 is the title)."""
    parts = [normalise_block(title)] + [b for b in map(normalise_block, blocks) if b]
    spans, position = [], 0
    for part in parts:
        spans.append([position, position + len(part)])
        position += len(part) + len(BLOCK_SEPARATOR)
    return BLOCK_SEPARATOR.join(parts), spans


def revision_create(
    *,
    article: Article,
    title: str,
    blocks: Sequence[str],
    created_by: AbstractBaseUser | None,
    cleaning: Cleaning | None = None,
) -> TextRevision:
    """Add the next revision of ``article``. It does not become current by itself."""
    text, spans = compose(title, blocks)
    with transaction.atomic():
        # Lock the article so two editors cannot take the same revision number.
        Article.objects.select_for_update().filter(pk=article.pk).get()
        latest = article.revisions.aggregate(latest=Max("number"))["latest"] or 0
        return TextRevision.objects.create(
            article=article,
            number=latest + 1,
            title=text[spans[0][0] : spans[0][1]],
            text=text,
            blocks=spans,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            normalizer_version=NORMALIZER_VERSION,
            cleaning=cleaning,
            created_by=created_by,
        )
