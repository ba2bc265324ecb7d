"""spaCy-style JSONL (``{"text", "spans": [{"start", "end", "label"}], "meta"}``, character
offsets as spaCy counts them: code points), and a DocBin where spaCy is installed.
"""

from __future__ import annotations

import importlib.util
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from annotations.exports import Doc


def render(docs: list[Doc]) -> dict[str, str]:
    lines = []
    for doc in docs:
        record = {
            "text": doc.text,
            "spans": [
                {"start": m["start"], "end": m["end"], "label": m["label"]} for m in doc.mentions
            ],
            "meta": {"id": doc.key, "article": doc.article, "annotator": doc.annotator},
        }
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    return {"spacy.jsonl": "".join(lines)}


def docbin_available() -> bool:
    """Whether spaCy, which DocBin exports need and Newsreader does not install, is here."""
    return importlib.util.find_spec("spacy") is not None


def render_docbin(docs: list[Doc]) -> dict[str, bytes]:
    """A DocBin of blank-tokenised docs with ``doc.ents``; misaligned spans are left out there
    and listed in ``misaligned.tsv``. Needs spaCy (not a dependency of Newsreader)."""
    try:
        import spacy  # type: ignore[import-not-found]
        from spacy.tokens import DocBin  # type: ignore[import-not-found]
    except ImportError:
        raise RuntimeError("spaCy is not installed on the worker: pip install spacy") from None
    nlp = spacy.blank("xx")
    docbin = DocBin(store_user_data=True)
    misaligned = ["document\tstart\tend\tlabel\texact"]
    for doc in docs:
        sdoc = nlp.make_doc(doc.text)
        ents = []
        for m in doc.mentions:
            span = sdoc.char_span(m["start"], m["end"], label=m["label"])
            if span is None:
                misaligned.append(
                    f"{doc.key}\t{m['start']}\t{m['end']}\t{m['label']}\t{_one_line(m['exact'])}"
                )
            else:
                ents.append(span)
        sdoc.set_ents(spacy.util.filter_spans(ents))
        docbin.add(sdoc)
    return {"spacy.spacy": docbin.to_bytes(), "misaligned.tsv": "\n".join(misaligned).encode()}


def _one_line(text: str) -> str:
    return " ".join(text.split())
