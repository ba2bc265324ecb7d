"""W3C Web Annotation Data Model, JSON-LD: an AnnotationCollection whose items target the text
revision with a TextQuoteSelector and a TextPositionSelector (code points, as the model says)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotations.exports import Doc


def target(doc: Doc, span: dict[str, Any]) -> dict[str, Any]:
    text = doc.text
    return {
        "source": f"urn:newsreader:article:{doc.article}:revision:{doc.revision}",
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": span["exact"],
                "prefix": text[max(0, span["start"] - 32) : span["start"]],
                "suffix": text[span["end"] : span["end"] + 32],
            },
            {"type": "TextPositionSelector", "start": span["start"], "end": span["end"]},
        ],
    }


def _item(doc: Doc, kind: str, span: dict[str, Any], bodies: list[dict[str, Any]]) -> dict:
    return {
        "id": f"urn:newsreader:{kind}:{span['id']}",
        "type": "Annotation",
        "motivation": "tagging" if kind == "mention" else "classifying",
        "creator": {
            "type": "Person" if span["origin"] == "human" else "Software",
            "name": doc.annotator if span["origin"] == "human" else span["origin"],
        },
        "body": bodies,
        "target": target(doc, span),
    }


def render(docs: list[Doc]) -> dict[str, str]:
    items = []
    for doc in docs:
        for m in doc.mentions:
            items.append(
                _item(
                    doc,
                    "mention",
                    m,
                    [{"type": "TextualBody", "purpose": "tagging", "value": m["label"]}],
                )
            )
        for c in doc.claims:
            bodies = [
                {"type": "TextualBody", "purpose": "classifying", "value": "claim"},
                {
                    "type": "TextualBody",
                    "purpose": "classifying",
                    "value": f"checkworthiness:{c['checkworthiness']}",
                },
                {
                    "type": "TextualBody",
                    "purpose": "classifying",
                    "value": f"claim_type:{c['claim_type']}",
                },
            ]
            items.append(_item(doc, "claim", c, bodies))
    collection = {
        "@context": [
            "http://www.w3.org/ns/anno.jsonld",
            "http://www.w3.org/ns/ldp.jsonld",
        ],
        "type": "AnnotationCollection",
        "label": "Newsreader export",
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    return {"annotations.jsonld": json.dumps(collection, ensure_ascii=False, indent=1)}
