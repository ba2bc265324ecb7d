"""Exports of a project's annotations: ``collect`` reads the database once, then each format
module turns the documents into files with pure functions (data in, text out).

A document is one annotator's work on one revision of an article, so every offset in it points
into its ``text``. Entities and stances (which have no offsets) go with the article's current
revision.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from annotations.exports import brat, claims, conll, doccano, spacy, stance, webanno


@dataclass
class Doc:
    article: int
    revision: int
    title: str
    text: str
    annotator: str
    current: bool = True
    entities: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    stances: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.article}-r{self.revision}-{self.annotator}"


Files = dict[str, "str | bytes"]


def _every_stance(doc: Doc, stance: dict[str, Any]) -> bool:
    return True


@dataclass(frozen=True)
class Format:
    render: Callable[[list[Doc]], Files]
    # The name and media type when the export is one file; several files are zipped.
    filename: str
    content_type: str
    # Whether the format has somewhere to put a stance; the others are listed as left out.
    holds: Callable[[Doc, dict[str, Any]], bool] = _every_stance
    # The kinds of annotation it carries: only those are listed as left out.
    kinds: frozenset[str] = frozenset({"mention", "claim", "stance"})


STANCES = frozenset({"stance"})
CLAIMS = frozenset({"claim"})


FORMATS: dict[str, Format] = {
    "doccano": Format(doccano.render, "annotations.jsonl", "application/jsonl"),
    "spacy": Format(spacy.render, "spacy.jsonl", "application/jsonl"),
    "spacy-docbin": Format(spacy.render_docbin, "spacy.spacy", "application/octet-stream"),
    "conll2003": Format(conll.render, "conll2003.zip", "application/zip"),
    "brat": Format(brat.render, "brat.zip", "application/zip", brat.holds),
    "webanno": Format(webanno.render, "annotations.jsonld", "application/ld+json"),
    "semeval2016": Format(
        stance.render, "semeval2016-task6.txt", "text/tab-separated-values", kinds=STANCES
    ),
    "checkthat": Format(
        claims.render_checkthat, "checkthat.tsv", "text/tab-separated-values", kinds=CLAIMS
    ),
    "claimbuster": Format(claims.render_claimbuster, "claimbuster.csv", "text/csv", kinds=CLAIMS),
}


def bundle(fmt: Format, files: Files) -> tuple[str, str, bytes]:
    """(filename, content type, bytes): the file itself if there is one, else a zip of all."""
    if len(files) == 1 and not fmt.filename.endswith(".zip"):
        (content,) = files.values()
        data = content.encode("utf-8") if isinstance(content, str) else content
        return fmt.filename, fmt.content_type, data
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(files.items()):
            archive.writestr(name, content)
    name = fmt.filename if fmt.filename.endswith(".zip") else fmt.filename + ".zip"
    return name, "application/zip", buffer.getvalue()


LEFT_OUT = "left-out.tsv"


def render(name: str, docs: list[Doc]) -> tuple[str, str, bytes]:
    """The export of the documents on their article's current revision. Spans still on an
    older one (orphaned by re-anchoring, or waiting for it) would make the old text a document
    of its own, its other words unlabelled: they are listed in ``left-out.tsv`` instead.
    A stance toward a claim left out so goes with it: its target is not in the export. So
    does a stance the format has nowhere to put (``Format.holds``).
    """
    fmt = FORMATS[name]
    current, stale, stances = [], [], []
    for d in docs:
        if not d.current:
            stale.append(d)
            continue
        claims = {c["id"] for c in d.claims}
        targeted = {
            s["id"]: (s["target_kind"] != "claim" or s["target_claim"] in claims)
            and fmt.holds(d, s)
            for s in d.stances
        }
        stances += [(d, s) for s in d.stances if not targeted[s["id"]]]
        current.append(dataclasses.replace(d, stances=[s for s in d.stances if targeted[s["id"]]]))
    files = fmt.render(current)
    left_out = _left_out(stale, stances, fmt.kinds)
    if left_out:
        files = {**files, LEFT_OUT: left_out}
    return bundle(fmt, files)


def _left_out(
    docs: list[Doc], stances: list[tuple[Doc, dict[str, Any]]], kinds: frozenset[str]
) -> str:
    """The rows of ``left-out.tsv`` for annotations of ``kinds``; "" for none."""
    lines = []
    if "stance" in kinds:
        for d, s in stances:
            lines.append(f"{d.key}\tstance\t{s['id']}\t\t\t{s['label']}\t\t\t{_stance_of(d, s)}")
    for d in docs:
        for kind, spans in (("mention", d.mentions), ("claim", d.claims)):
            if kind not in kinds:
                continue
            for x in spans:
                label = x.get("label") or x.get("checkworthiness", "")
                exact = " ".join(x["exact"].split())
                lines.append(
                    f"{d.key}\t{kind}\t{x['id']}\t{x['start']}\t{x['end']}\t{label}\t{exact}"
                    f"\t{x['anchor_state']}\t"
                )
    if not lines:
        return ""
    head = "document\tkind\tid\tstart\tend\tlabel\texact\tanchor_state\tstance"
    return "\n".join([head, *lines]) + "\n"


def _stance_of(doc: Doc, stance: dict[str, Any]) -> str:
    """Who holds the stance, toward what: a row of it without them says only "AGAINST"."""
    names = {e["id"]: " ".join(e["name"].split()) for e in doc.entities}

    def entity(pk: int) -> str:
        return f"entity {pk} ({names[pk]})" if pk in names else f"entity {pk}"

    holder = "the author" if stance["holder"] is None else entity(stance["holder"])
    kind = stance["target_kind"]
    if kind == "topic":
        target = f"topic {' '.join(stance['target_topic'].split())}"
    elif kind == "entity":
        target = entity(stance["target_entity"])
    else:
        target = f"claim {stance['target_claim']}"
    return f"{holder} toward {target}"
