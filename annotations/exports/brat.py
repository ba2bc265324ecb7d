"""brat standoff: ``<doc>.txt`` and ``<doc>.ann`` per document, and ``annotation.conf``.

T: entity mentions (their label), claims (``Claim``) and cues (``Cue``).
R: a claim's cue (``Cue``); a mention's entity as ``Coref`` to the entity's first mention; a
claim's claimant entity (``Claimant``, claim → the entity's first mention); a stance
(``Stance_<LABEL>``) from the holder's first mention to the claim, or to the target entity's
first mention.
A: a claim's check-worthiness, type, attribution and claimant kind (entity, author,
unattributed); the author's stance (``AuthorStance``) on the claim or target entity's first
mention.
N: an entity's knowledge-base id (Wikidata).
#: ``AnnotatorNotes`` where only one side has a span: a stance toward a topic (on the holder's
first mention: a topic is not in the text), a stance held by, or toward, an entity that is never
mentioned, and a claimant that is never mentioned (on the claim). The name goes in the note,
since brat cannot point at anything but a span.
A stance's evidence: a T line (``Evidence``) per span, with a note naming the line that holds
the stance (``Evidence of R3``), or, where no line does, the stance itself.
A stance with a span on neither side and no evidence (the author's stance toward a topic, or
toward an entity never mentioned) has nowhere to go in brat, which has no document-level
annotations: ``holds`` says so, and the export lists it in ``left-out.tsv`` instead of
dropping it unseen.
Offsets are code points, as brat reads the .txt as UTF-8 text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotations.exports import Doc


def _flat(text: str) -> str:
    # Names and topics are typed by people: a line break (of any kind) would end the .ann line.
    return " ".join(text.split())


def holds(doc: Doc, stance: dict[str, Any]) -> bool:
    """Whether the stance has a span to go on: its holder's, its target's or its evidence."""
    mentioned = {m["entity"] for m in doc.mentions if m["entity"] is not None}
    return (
        stance["holder"] in mentioned
        or stance["target_entity"] in mentioned
        or any(c["id"] == stance["target_claim"] for c in doc.claims)
        or bool(stance["evidence"])
    )


def ann(doc: Doc) -> str:
    lines: list[str] = []
    t, r, a, n, notes = 0, 0, 0, 0, 0
    first_mention: dict[int, str] = {}
    entities = {e["id"]: e for e in doc.entities}

    def text_bound(label: str, start: int, end: int) -> str:
        nonlocal t
        t += 1
        # A span across lines becomes one fragment per line, as brat wants, and its text the
        # fragments' joined by one space: brat refuses the line unless they match exactly,
        # so a blank line inside the span must not leave two spaces.
        pieces, covered, cursor = [], [], start
        for part in doc.text[start:end].split("\n"):
            if part:
                pieces.append(f"{cursor} {cursor + len(part)}")
                covered.append(part)
            cursor += len(part) + 1
        lines.append(f"T{t}\t{label} {';'.join(pieces)}\t{' '.join(covered)}")
        return f"T{t}"

    def relation(kind: str, arg1: str, arg2: str) -> None:
        nonlocal r
        r += 1
        lines.append(f"R{r}\t{kind} Arg1:{arg1} Arg2:{arg2}")

    def attribute(kind: str, target: str, value: str) -> None:
        nonlocal a
        a += 1
        lines.append(f"A{a}\t{kind} {target} {value}")

    def note(target: str, text: str) -> None:
        nonlocal notes
        notes += 1
        lines.append(f"#{notes}\tAnnotatorNotes {target}\t{_flat(text)}")

    def name(entity_id: int) -> str:
        entity = entities.get(entity_id)
        return entity["name"] if entity else f"entity {entity_id}"

    for m in doc.mentions:
        tid = text_bound(m["label"], m["start"], m["end"])
        if m["entity"] is not None:
            if m["entity"] in first_mention:
                relation("Coref", tid, first_mention[m["entity"]])
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
        for field in ("checkworthiness", "claim_type", "attribution", "claimant_kind"):
            attribute(field.title().replace("_", ""), tid, c[field])
        if c["claimant"] is not None:
            if c["claimant"] in first_mention:
                relation("Claimant", tid, first_mention[c["claimant"]])
            else:
                note(tid, f"Claimant: {name(c['claimant'])}")
        if c["cue"]:
            relation("Cue", tid, text_bound("Cue", c["cue"]["start"], c["cue"]["end"]))
    for s in doc.stances:
        holder = first_mention.get(s["holder"]) if s["holder"] is not None else None
        if s["target_kind"] == "claim":
            target, toward = claim_ids.get(s["target_claim"]), "claim"
        elif s["target_kind"] == "entity":
            target = first_mention.get(s["target_entity"])
            toward = name(s["target_entity"])
        else:
            target, toward = None, f"topic: {s['target_topic']}"
        if holder and target:
            relation(f"Stance_{s['label']}", holder, target)
            held_in = f"R{r}"
        elif target and s["holder"] is None:
            attribute("AuthorStance", target, s["label"])
            held_in = f"A{a}"
        elif target:
            note(target, f"Stance {s['label']} held by: {name(s['holder'])}")
            held_in = f"#{notes}"
        elif holder:
            note(holder, f"Stance {s['label']} toward {toward}")
            held_in = f"#{notes}"
        else:  # No span on either side: the evidence carries it, if any (see holds()).
            by = "the author" if s["holder"] is None else name(s["holder"])
            held_in = f"the stance {s['label']} of {by} toward {toward}"
        for evidence in s["evidence"]:
            note(
                text_bound("Evidence", evidence["start"], evidence["end"]), f"Evidence of {held_in}"
            )
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
Evidence

[relations]
Coref\tArg1:<ENTITY>, Arg2:<ENTITY>
Cue\tArg1:Claim, Arg2:Cue
Claimant\tArg1:Claim, Arg2:<ENTITY>
Stance_AGREE\tArg1:<ENTITY>, Arg2:Claim
Stance_DISAGREE\tArg1:<ENTITY>, Arg2:Claim
Stance_DISCUSS\tArg1:<ENTITY>, Arg2:Claim
Stance_FAVOR\tArg1:<ENTITY>, Arg2:<ENTITY>
Stance_AGAINST\tArg1:<ENTITY>, Arg2:<ENTITY>
Stance_NONE\tArg1:<ENTITY>, Arg2:<ENTITY>

[events]

[attributes]
Checkworthiness\tArg:Claim, Value:CFS|UFS|NFS
ClaimType\tArg:Claim, Value:quantity|correlation_causation|laws_rules|prediction|\
personal_experience|other
Attribution\tArg:Claim, Value:direct_quote|reported_speech|author_assertion
ClaimantKind\tArg:Claim, Value:entity|author|unattributed
AuthorStance\tArg:<ENTITY>, Value:AGREE|DISAGREE|DISCUSS|FAVOR|AGAINST|NONE
"""
