"""Bytes of an incoming file to text, or a clear reason why not."""

from __future__ import annotations

import codecs
import re

import charset_normalizer


class Rejected(Exception):
    """The file cannot be accepted; the message is the reason shown to the user."""

    def __init__(self, reason: str, *, not_text: bool = False) -> None:
        super().__init__(reason)
        # Binary or undecodable content, as opposed to an empty or unreadable file.
        self.not_text = not_text


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0 controls other than tab, newlines, form feed and escape: text files do not contain them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.01


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). The BOM is not part of the text."""
    if not data.strip():
        raise Rejected("empty file")
    text, encoding = _decode(data)
    if not text.strip():
        raise Rejected("empty file (whitespace only)")
    controls = len(_CONTROL.findall(text))
    if "\x00" in text or controls > _MAX_CONTROL_SHARE * len(text):
        raise Rejected("binary file (control characters), not text", not_text=True)
    return text, encoding


def _decode(data: bytes) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise Rejected(
                    f"undecodable: invalid {encoding} ({error.reason})", not_text=True
                ) from None
    if b"\x00" not in data:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    elif (encoding := _bomless_utf16(data)) is None:
        raise Rejected("binary file (NUL bytes), not text", not_text=True)
    else:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            raise Rejected("binary file (NUL bytes), not text", not_text=True) from None
    if (text := _western(data)) is not None:
        return text, "cp1252"
    match = charset_normalizer.from_bytes(data).best()
    if match is None:
        raise Rejected("undecodable: not text in any known encoding", not_text=True)
    return str(match), match.encoding


# What Western European text outside ASCII is made of: Latin letters and typographic punctuation.
_WESTERN = re.compile(
    r"[\u00a0-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u2013-\u2026\u20ac]"
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _western(data: bytes) -> str | None:
    """cp1252 (a superset of printable latin-1) when the text reads as Western European.

    Statistical detection is unreliable on short files (a few accented letters can look like
    any single-byte code page), and cp1252 is by far the most common legacy encoding in news.
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    non_ascii = _NON_ASCII.findall(text)
    western = sum(1 for char in non_ascii if _WESTERN.match(char))
    if western < 0.95 * len(non_ascii):
        return None
    # In Western languages accented letters are a minority; a Cyrillic or Greek code page read
    # as cp1252 gives words made only of them.
    letters = sum(1 for char in text if char.isalpha())
    accented = sum(1 for char in non_ascii if char.isalpha())
    return text if accented <= 0.3 * max(letters, 1) else None


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM has NUL in every other byte for Latin text."""
    if len(data) % 2:
        return None
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    half = len(data) // 2
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None
