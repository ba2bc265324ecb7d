"""CoNLL-2003 with BIO tags, and a report of every span whose edges fall inside a token.

Tokens are words (runs of word characters with their combining marks, so a Devanagari or
vowelled Arabic word stays whole), single ideographs or kana (Chinese and Japanese put no spaces
between words, and a character each is what their CoNLL corpora use), and single other
characters with what joins them (an emoji with its skin tone, variation selector or ZWJ
sequence; a flag's two letters). A span that does not start and end on token edges cannot be
tagged faithfully: it is still tagged (on the tokens it touches) and listed in
``misaligned.tsv`` with what it covers, never dropped silently.
Sentences: one a block of the revision, split after . ! ? (and the full-width 。！？).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotations.exports import Doc

# CJK ideographs (with extensions and compatibility forms), kana and half-width katakana.
CJK = (
    "\u3005\u3007\u3021-\u3029\u3038-\u303b\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
# What attaches to the symbol before it: variation selectors, the keycap, skin tones, tag
# characters (subdivision flags).
SYMBOL_TAIL = "\ufe00-\ufe0f\u20e3\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f"
REGIONAL_INDICATOR = "\U0001f1e6-\U0001f1ff"
SENTENCE_END = {".", "!", "?", "。", "！", "？"}


def tokens(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _token_pattern().finditer(text)]


@functools.cache
def _token_pattern() -> re.Pattern[str]:
    marks = _combining_marks()
    word = f"(?:[^\\W{CJK}]|[{marks}])+"  # Python's \\w leaves out combining marks.
    symbol = f"[^\\w\\s{marks}]"
    return re.compile(
        f"[{CJK}][{marks}]*"
        f"|{word}(?:[-'’.]{word})*"
        f"|[{REGIONAL_INDICATOR}]{{2}}"
        f"|{symbol}(?:[{SYMBOL_TAIL}{marks}]|\u200d{symbol})*"
        f"|[{marks}]+"  # Marks with nothing to attach to, rather than no token at all.
    )


def _combining_marks() -> str:
    """Character ranges of Unicode's marks (Mn, Mc, Me), for a regular expression class."""
    ranges: list[list[int]] = []
    # The planes that hold marks, but for the supplementary variation selectors (added below).
    for code in range(0x20000):
        if unicodedata.category(chr(code)).startswith("M"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    ranges.append([0xE0100, 0xE01EF])
    return "".join(
        re.escape(chr(first)) + ("-" + re.escape(chr(last)) if last > first else "")
        for first, last in ranges
    )


def tag(text: str, spans: list[dict[str, Any]]) -> tuple[list[tuple[int, int, str]], list[dict]]:
    """(start, end, tag) per token, and the spans that do not align to token edges."""
    toks = tokens(text)
    tags = ["O"] * len(toks)
    starts = {s: i for i, (s, _) in enumerate(toks)}
    ends = {e: i for i, (_, e) in enumerate(toks)}
    misaligned = []

    def is_aligned(span: dict[str, Any]) -> bool:
        return span["start"] in starts and span["end"] in ends

    # Spans on token edges first, a misaligned one only on tokens they leave free: it cannot
    # take the tokens of one that fits them. Then longer spans first: a nested span does not
    # overwrite the one around it.
    order = sorted(spans, key=lambda x: (not is_aligned(x), x["start"], -(x["end"] - x["start"])))
    for span in order:
        covered = [i for i, (s, e) in enumerate(toks) if s < span["end"] and span["start"] < e]
        aligned = is_aligned(span)
        if not aligned:
            misaligned.append({**span, "reason": "inside a token" if covered else "no token"})
        if not covered or any(tags[i] != "O" for i in covered):
            if covered and aligned:
                misaligned.append({**span, "reason": "overlaps another span"})
            continue
        tags[covered[0]] = f"B-{span['label']}"
        for i in covered[1:]:
            tags[i] = f"I-{span['label']}"
    return [(s, e, t) for (s, e), t in zip(toks, tags, strict=True)], misaligned


def render(docs: list[Doc]) -> dict[str, str]:
    out: list[str] = []
    report = ["document\tstart\tend\tlabel\texact\treason"]
    for doc in docs:
        tagged, misaligned = tag(doc.text, doc.mentions)
        out.append("-DOCSTART- -X- -X- O\n\n")
        previous_end = 0
        sentence: list[str] = []
        for start, end, label in tagged:
            gap = doc.text[previous_end:start]
            if sentence and ("\n" in gap or (sentence[-1].split(" ")[0] in SENTENCE_END)):
                out.append("\n".join(sentence) + "\n\n")
                sentence = []
            sentence.append(f"{doc.text[start:end]} -X- _ {label}")
            previous_end = end
        if sentence:
            out.append("\n".join(sentence) + "\n\n")
        for span in misaligned:
            report.append(
                f"{doc.key}\t{span['start']}\t{span['end']}\t{span['label']}\t"
                f"{' '.join(doc.text[span['start'] : span['end']].split())}\t{span['reason']}"
            )
    return {"conll2003.txt": "".join(out), "misaligned.tsv": "\n".join(report) + "\n"}
