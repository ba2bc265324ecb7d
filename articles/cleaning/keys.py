"""Stable keys of normalised line text (corpus statistics and editor hints)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_DIGITS = re.compile(r"\d")


def normalise_line(line: str) -> str:
    """NFKC, collapse whitespace, casefold and map every digit to 0."""
    text = line if line.isascii() else unicodedata.normalize("NFKC", line)
    text = " ".join(text.split()).casefold()
    return _DIGITS.sub("0", text) if _DIGITS.search(text) else text


def line_key(line: str) -> int:
    """Signed 64-bit key of a line's normalised text, stable across processes."""
    return key_of_normalised(normalise_line(line))


def key_of_normalised(norm: str) -> int:
    digest = hashlib.blake2b(norm.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
