"""Claim check-worthiness in the shapes of CheckThat! (task 1: ``topic_id, sentence_id,
sentence, label``, tab-separated, label 1 for check-worthy) and ClaimBuster
(``Sentence_id,Text,Verdict`` with 1 = CFS, 0 = UFS, -1 = NFS)."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from annotations.exports import Doc

VERDICT = {"CFS": 1, "UFS": 0, "NFS": -1}


def _cell(text: str) -> str:
    return " ".join(text.split())


def render_checkthat(docs: list[Doc]) -> dict[str, str]:
    rows = ["topic_id\tsentence_id\tsentence\tlabel"]
    for doc in docs:
        for c in doc.claims:
            label = 1 if c["checkworthiness"] == "CFS" else 0
            rows.append(f"article-{doc.article}\t{c['id']}\t{_cell(c['exact'])}\t{label}")
    return {"checkthat.tsv": "\n".join(rows) + "\n"}


def render_claimbuster(docs: list[Doc]) -> dict[str, str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Sentence_id", "Text", "Verdict"])
    for doc in docs:
        for c in doc.claims:
            writer.writerow([c["id"], _cell(c["exact"]), VERDICT[c["checkworthiness"]]])
    return {"claimbuster.csv": out.getvalue()}
