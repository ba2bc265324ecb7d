"""W3C Web Annotation Data Model, JSON-LD: an AnnotationCollection of three kinds of items.

- A mention (motivation ``tagging``): a tagging body with its label; when it is a mention of an
  entity, an ``identifying`` body whose source is the entity (``urn:newsreader:entity:<id>``,
  with its name, label and knowledge-base id) and, when the entity is in Wikidata, another
  whose source is the Wikidata item.
- A claim (``classifying``): classifying bodies ``claim``, ``checkworthiness:…``,
  ``claim_type:…``, ``attribution:…`` and ``claimant:…`` (its kind), as tags are strings; the
  claimant itself (the entity, or the article's author) in ``nr:claimant`` and the cue's span
  in ``nr:cue``, since the model has no purpose that says "who said it".
- A stance (``classifying``): a classifying body with its label; its target is the claim's
  annotation (by id), the entity, or the topic (``urn:newsreader:topic:<name, %-quoted>``);
  ``nr:holder`` is the entity or the article's author, ``nr:evidence`` the spans that support it.

A span is a target on the text revision with a TextQuoteSelector and a TextPositionSelector
(code points, as the model says). Terms the W3C context lacks are in the ``nr:`` namespace,
which the collection's inline context defines.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from annotations.exports import Doc

NAMESPACE = "urn:newsreader:ns:"
WIKIDATA = "http://www.wikidata.org/entity/"


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


def _item(
    doc: Doc,
    kind: str,
    obj: dict[str, Any],
    bodies: list[dict[str, Any]],
    aimed_at: str | dict[str, Any],
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": f"urn:newsreader:{kind}:{obj['id']}",
        "type": "Annotation",
        "motivation": "tagging" if kind == "mention" else "classifying",
        "creator": {
            "type": "Person" if obj["origin"] == "human" else "Software",
            "name": doc.annotator if obj["origin"] == "human" else obj["origin"],
        },
        "body": bodies,
        "target": aimed_at,
        **extra,
    }


def _classifying(value: str) -> dict[str, str]:
    return {"type": "TextualBody", "purpose": "classifying", "value": value}


def _identifying(source: str | dict[str, Any]) -> dict[str, Any]:
    return {"type": "SpecificResource", "purpose": "identifying", "source": source}


def _kb(entity: dict[str, Any] | None) -> str:
    # "NIL" says the entity is not in the knowledge base: there is no item to point at.
    kb_id = entity["kb_id"] if entity else ""
    return kb_id if kb_id and kb_id != "NIL" else ""


def _entity(entity_id: int, entities: dict[int, dict[str, Any]]) -> dict[str, Any]:
    node: dict[str, Any] = {"id": f"urn:newsreader:entity:{entity_id}", "type": "nr:Entity"}
    entity = entities.get(entity_id)
    if entity:
        node.update({"label": entity["name"], "nr:entityLabel": entity["label"]})
        if entity["kb_id"]:
            node["nr:kbId"] = entity["kb_id"]
    return node


def _author(doc: Doc) -> dict[str, str]:
    return {"id": f"urn:newsreader:article:{doc.article}:author", "type": "nr:Author"}


def _items(doc: Doc) -> list[dict[str, Any]]:
    entities = {e["id"]: e for e in doc.entities}
    items = []
    for m in doc.mentions:
        bodies: list[dict[str, Any]] = [
            {"type": "TextualBody", "purpose": "tagging", "value": m["label"]}
        ]
        if m["entity"] is not None:
            bodies.append(_identifying(_entity(m["entity"], entities)))
            if kb := _kb(entities.get(m["entity"])):
                bodies.append(_identifying(WIKIDATA + kb))
        items.append(_item(doc, "mention", m, bodies, target(doc, m)))
    for c in doc.claims:
        bodies = [
            _classifying("claim"),
            *(
                _classifying(f"{field}:{c[field]}")
                for field in ("checkworthiness", "claim_type", "attribution")
            ),
            _classifying(f"claimant:{c['claimant_kind']}"),
        ]
        extra: dict[str, Any] = {}
        if c["claimant"] is not None:
            extra["nr:claimant"] = _entity(c["claimant"], entities)
        elif c["claimant_kind"] == "author":
            extra["nr:claimant"] = _author(doc)
        if c["cue"]:
            extra["nr:cue"] = target(doc, c["cue"])
        items.append(_item(doc, "claim", c, bodies, target(doc, c), **extra))
    for s in doc.stances:
        aimed_at: str | dict[str, Any]
        if s["target_kind"] == "claim":
            aimed_at = f"urn:newsreader:claim:{s['target_claim']}"
        elif s["target_kind"] == "entity":
            aimed_at = _entity(s["target_entity"], entities)
        else:
            aimed_at = {
                "id": "urn:newsreader:topic:" + quote(s["target_topic"], safe=""),
                "type": "nr:Topic",
                "label": s["target_topic"],
            }
        holder = _entity(s["holder"], entities) if s["holder"] is not None else _author(doc)
        extra = {"nr:holder": holder}
        if s["evidence"]:
            extra["nr:evidence"] = [target(doc, e) for e in s["evidence"]]
        items.append(_item(doc, "stance", s, [_classifying(s["label"])], aimed_at, **extra))
    return items


def render(docs: list[Doc]) -> dict[str, str]:
    items = [item for doc in docs for item in _items(doc)]
    collection = {
        "@context": [
            "http://www.w3.org/ns/anno.jsonld",
            "http://www.w3.org/ns/ldp.jsonld",
            {"nr": NAMESPACE},
        ],
        "type": "AnnotationCollection",
        "label": "Newsreader export",
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    return {"annotations.jsonld": json.dumps(collection, ensure_ascii=False, indent=1)}
