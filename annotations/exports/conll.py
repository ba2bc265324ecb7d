"""CoNLL-2003 with BIO tags, and a report of every span whose edges fall inside a token.

Tokens are runs of word characters or single other non-space characters. A span that does not
start and end on token edges cannot be tagged faithfully: it is still tagged (on the tokens it
touches) and listed in ``misaligned.tsv`` with what it covers, never dropped silently.
Sentences: one a block of the revision, split after . ! ? followed by a space.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotations.exports import Doc

TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]", re.UNICODE)
SENTENCE_END = {".", "!", "?"}


def tokens(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in TOKEN.finditer(text)]


def tag(text: str, spans: list[dict[str, Any]]) -> tuple[list[tuple[int, int, str]], list[dict]]:
    """(start, end, tag) per token, and the spans that do not align to token edges."""
    toks = tokens(text)
    tags = ["O"] * len(toks)
    starts = {s: i for i, (s, _) in enumerate(toks)}
    ends = {e: i for i, (_, e) in enumerate(toks)}
    misaligned = []
    # Longer spans first: a nested span does not overwrite the one around it.
    for span in sorted(spans, key=lambda x: (x["start"], -(x["end"] - x["start"]))):
        covered = [i for i, (s, e) in enumerate(toks) if s < span["end"] and span["start"] < e]
        aligned = span["start"] in starts and span["end"] in ends
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
