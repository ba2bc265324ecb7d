"""SemEval-2016 task 6 (stance detection): ``ID<TAB>Target<TAB>Tweet<TAB>Stance``, one line per
stance of the article (its author) toward a topic or an entity, the article's text (on one
line) in place of the tweet. A stance held by an entity in the article is not the text's."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from annotations.exports import Doc


def _cell(text: str) -> str:
    return " ".join(text.split())


def render(docs: list[Doc]) -> dict[str, str]:
    rows = ["ID\tTarget\tTweet\tStance"]
    entities = {}
    for doc in docs:
        entities.update({e["id"]: e["name"] for e in doc.entities})
        for s in doc.stances:
            if s["holder"] is not None:
                continue  # Someone quoted in the article: the text's own stance is another.
            if s["target_kind"] == "topic":
                target = s["target_topic"]
            elif s["target_kind"] == "entity":
                target = entities.get(s["target_entity"], "")
            else:
                continue  # Toward claims: that is the CheckThat!/FNC shape, not SemEval's.
            rows.append(f"{s['id']}\t{_cell(target)}\t{_cell(doc.text)}\t{s['label']}")
    return {"semeval2016-task6.txt": "\n".join(rows) + "\n"}
