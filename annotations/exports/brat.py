"""brat standoff: ``<doc>.txt`` and ``<doc>.ann`` per document.

T: entity mentions (their label), claims (``Claim``) and cues (``Cue``). R: a claim's cue
(``Cue``), a mention's entity as ``Coref`` to the entity's first mention, stances toward a claim
from the holder's first mention. A: a claim's check-worthiness, type and attribution; a claim's
stance when it has no holder mention. N: an entity's knowledge-base id (Wikidata).
Offsets are code points, as brat reads the .txt as UTF-8 text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from annotations.exports import Doc


def _flat(text: str) -> str:
    return text.replace("\n", " ")


def ann(doc: Doc) -> str:
    lines: list[str] = []
    t, r, a, n = 0, 0, 0, 0
    first_mention: dict[int, str] = {}
    entities = {e["id"]: e for e in doc.entities}

    def text_bound(label: str, start: int, end: int) -> str:
        nonlocal t
        t += 1
        # A span across lines becomes one fragment per line, as brat wants.
        pieces, cursor = [], start
        for part in doc.text[start:end].split("\n"):
            if part:
                pieces.append(f"{cursor} {cursor + len(part)}")
            cursor += len(part) + 1
        lines.append(f"T{t}\t{label} {';'.join(pieces)}\t{_flat(doc.text[start:end])}")
        return f"T{t}"

    for m in doc.mentions:
        tid = text_bound(m["label"], m["start"], m["end"])
        if m["entity"] is not None:
            if m["entity"] in first_mention:
                r += 1
                lines.append(f"R{r}\tCoref Arg1:{tid} Arg2:{first_mention[m['entity']]}")
            else:
                first_mention[m["entity"]] = tid
                entity = entities.get(m["entity"])
                if entity and entity["kb_id"] and entity["kb_id"] != "NIL":
                    n += 1
                    lines.append(
                        f"N{n}\tReference {tid} Wikidata:{entity['kb_id']}\t{_flat(entity['name'])}"
                    )
    claim_ids: dict[int, str] = {}
    for c in doc.claims:
        tid = text_bound("Claim", c["start"], c["end"])
        claim_ids[c["id"]] = tid
        for name in ("checkworthiness", "claim_type", "attribution"):
            a += 1
            lines.append(f"A{a}\t{name.title().replace('_', '')} {tid} {c[name]}")
        if c["cue"]:
            cue = text_bound("Cue", c["cue"]["start"], c["cue"]["end"])
            r += 1
            lines.append(f"R{r}\tCue Arg1:{tid} Arg2:{cue}")
    for s in doc.stances:
        if s["target_kind"] != "claim" or s["target_claim"] not in claim_ids:
            continue
        claim = claim_ids[s["target_claim"]]
        holder = first_mention.get(s["holder"]) if s["holder"] else None
        if holder:
            r += 1
            lines.append(f"R{r}\tStance_{s['label']} Arg1:{holder} Arg2:{claim}")
        else:
            a += 1
            lines.append(f"A{a}\tAuthorStance {claim} {s['label']}")
    return "\n".join(lines) + ("\n" if lines else "")


def render(docs: list[Doc]) -> dict[str, str]:
    files: dict[str, str] = {}
    for doc in docs:
        files[f"{doc.key}.txt"] = doc.text
        files[f"{doc.key}.ann"] = ann(doc)
    files["annotation.conf"] = CONF
    return files


CONF = """[entities]
PER
ORG
GPE
LOC
EVENT
MISC
Claim
Cue

[relations]
Coref\tArg1:<ENTITY>, Arg2:<ENTITY>
Cue\tArg1:Claim, Arg2:Cue
Stance_AGREE\tArg1:<ENTITY>, Arg2:Claim
Stance_DISAGREE\tArg1:<ENTITY>, Arg2:Claim
Stance_DISCUSS\tArg1:<ENTITY>, Arg2:Claim

[events]

[attributes]
Checkworthiness\tArg:Claim, Value:CFS|UFS|NFS
ClaimType\tArg:Claim, Value:quantity|correlation_causation|laws_rules|prediction|\
personal_experience|other
Attribution\tArg:Claim, Value:direct_quote|reported_speech|author_assertion
AuthorStance\tArg:Claim, Value:AGREE|DISAGREE|DISCUSS
"""
