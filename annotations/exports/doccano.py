"""doccano-style JSONL: one document a line, ``text`` and ``label`` ([[start, end, label], …])
as doccano's sequence labelling imports it, plus Newsreader's entities, claims and stances so
that an export imported back gives the same annotations. Offsets are code points.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotations.exports import Doc


def render(docs: list[Doc]) -> dict[str, str]:
    return {"annotations.jsonl": "".join(line(doc) + "\n" for doc in docs)}


def line(doc: Doc) -> str:
    # Local ids ("E1", "C1") instead of database ids: the file stands on its own.
    entity_ids = {e["id"]: f"E{i}" for i, e in enumerate(doc.entities, 1)}
    claim_ids = {c["id"]: f"C{i}" for i, c in enumerate(doc.claims, 1)}
    record = {
        "id": doc.key,
        "article": doc.article,
        "revision": doc.revision,
        "annotator": doc.annotator,
        "text": doc.text,
        "label": [[m["start"], m["end"], m["label"]] for m in doc.mentions],
        "entities": [
            {
                "id": entity_ids[e["id"]],
                "name": e["name"],
                "label": e["label"],
                "kb_id": e["kb_id"],
                "origin": e["origin"],
            }
            for e in doc.entities
        ],
        "mentions": [
            {
                "start": m["start"],
                "end": m["end"],
                "label": m["label"],
                "entity": entity_ids.get(m["entity"]),
                "origin": m["origin"],
                "anchor_state": m["anchor_state"],
            }
            for m in doc.mentions
        ],
        "claims": [
            {
                "id": claim_ids[c["id"]],
                "start": c["start"],
                "end": c["end"],
                "checkworthiness": c["checkworthiness"],
                "claim_type": c["claim_type"],
                "claimant_kind": c["claimant_kind"],
                "claimant": entity_ids.get(c["claimant"]),
                "attribution": c["attribution"],
                "cue": [c["cue"]["start"], c["cue"]["end"]] if c["cue"] else None,
                "origin": c["origin"],
                "anchor_state": c["anchor_state"],
            }
            for c in doc.claims
        ],
        "stances": [
            {
                "holder": entity_ids.get(s["holder"]),
                "target_kind": s["target_kind"],
                "target": _target(s, entity_ids, claim_ids),
                "label": s["label"],
                "evidence": [[x["start"], x["end"]] for x in s["evidence"]],
                "origin": s["origin"],
            }
            for s in doc.stances
        ],
    }
    return json.dumps(record, ensure_ascii=False)


def _target(stance: dict[str, Any], entity_ids: dict, claim_ids: dict) -> str | None:
    if stance["target_kind"] == "topic":
        return stance["target_topic"]
    if stance["target_kind"] == "entity":
        return entity_ids.get(stance["target_entity"])
    return claim_ids.get(stance["target_claim"])


class ImportError_(ValueError):
    """A line that cannot be imported, with its line number."""


def parse(text: str) -> list[dict[str, Any]]:
    """The records of a JSONL export, checked for shape (the services check the meaning)."""
    records = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as error:
            raise ImportError_(f"line {number}: not JSON ({error.msg})") from None
        except RecursionError:
            raise ImportError_(f"line {number}: not JSON (nested too deeply)") from None
        if not isinstance(record, dict) or not isinstance(record.get("article"), int):
            raise ImportError_(f"line {number}: an object with an integer 'article' expected")
        if "text" not in record:
            raise ImportError_(f"line {number}: 'text' missing")
        if not isinstance(record["text"], str):
            raise ImportError_(f"line {number}: 'text' must be a string")
        for key in ("entities", "mentions", "claims", "stances"):
            value = record.setdefault(key, [])
            if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
                raise ImportError_(f"line {number}: '{key}' must be a list of objects")
        if not record["mentions"] and "label" in record:
            # Plain doccano sequence labelling: [[start, end, label], …], of those types
            # exactly, as the API takes them (no "0" or 5.7 read as numbers).
            spans = record["label"]
            if not isinstance(spans, list) or not all(_is_doccano_span(x) for x in spans):
                raise ImportError_(
                    f"line {number}: 'label' must be [[start, end, label], …]: two whole"
                    " numbers and a string each"
                )
            record["mentions"] = [{"start": s, "end": e, "label": lab} for s, e, lab in spans]
        record["_line"] = number
        records.append(record)
    return records


def _is_doccano_span(span: Any) -> bool:
    if not isinstance(span, list) or len(span) != 3:
        return False
    start, end, label = span
    whole = all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end))
    return whole and isinstance(label, str)
