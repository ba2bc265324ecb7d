"""Stable keys of normalised line text (corpus statistics and editor hints)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d")


def normalise_line(line: str) -> str:
    """NFKC, collapse whitespace, casefold and map every digit to 0."""
    text = line if line.isascii() else unicodedata.normalize("NFKC", line)
    text = _SPACE.sub(" ", text).strip().casefold()
    return _DIGITS.sub("0", text)


def line_key(line: str) -> int:
    """Signed 64-bit key of a line's normalised text, stable across processes."""
    digest = hashlib.blake2b(normalise_line(line).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
