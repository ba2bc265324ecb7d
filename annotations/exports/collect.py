"""The one part of exporting that reads the database: a project's annotations as documents."""

from __future__ import annotations

from typing import Any

from annotations.exports import Doc
from annotations.models import Claim, Entity, EntityMention, Project, Stance, SupportSpan
from articles.models import Article, TextRevision


def collect(project: Project, annotator_id: int | None = None) -> list[Doc]:
    scope: dict[str, Any] = {"project": project}
    if annotator_id is not None:
        scope["annotator_id"] = annotator_id
    mentions = EntityMention.objects.filter(**scope).select_related("annotator")
    entities = Entity.objects.filter(**scope).select_related("annotator")
    claims = Claim.objects.filter(**scope).select_related("annotator")
    stances = Stance.objects.filter(**scope).select_related("annotator")
    support = SupportSpan.objects.filter(**scope)
    cues = {s.claim_id: s for s in support if s.role == SupportSpan.Role.CUE}
    evidence: dict[int, list[SupportSpan]] = {}
    for s in support:
        if s.role == SupportSpan.Role.EVIDENCE and s.stance_id is not None:
            evidence.setdefault(s.stance_id, []).append(s)

    article_ids = {x.article_id for q in (mentions, entities, claims, stances) for x in q}
    current = dict(
        Article.objects.filter(pk__in=article_ids).values_list("pk", "current_revision_id")
    )
    docs: dict[tuple[int, int, str], Doc] = {}
    revisions: dict[int, TextRevision] = {}

    def doc(article_id: int, revision_id: int | None, username: str) -> Doc:
        revision_id = revision_id or current.get(article_id)
        key = (article_id, revision_id or 0, username)
        if key not in docs:
            if revision_id not in revisions:
                revisions[revision_id] = TextRevision.objects.get(pk=revision_id)
            revision = revisions[revision_id]
            docs[key] = Doc(
                article=article_id,
                revision=revision.pk,
                title=revision.title,
                text=revision.text,
                annotator=username,
                current=revision.pk == current.get(article_id),
            )
        return docs[key]

    for e in entities.order_by("id"):
        doc(e.article_id, None, e.annotator.username).entities.append(
            {"id": e.pk, "name": e.name, "label": e.label, "kb_id": e.kb_id, "origin": e.origin}
        )
    for m in mentions.order_by("start", "end", "id"):
        doc(m.article_id, m.revision_id, m.annotator.username).mentions.append(
            {**_span(m), "label": m.label, "entity": m.entity_id}
        )
    for c in claims.order_by("start", "end", "id"):
        cue = cues.get(c.pk)
        doc(c.article_id, c.revision_id, c.annotator.username).claims.append(
            {
                **_span(c),
                "checkworthiness": c.checkworthiness,
                "claim_type": c.claim_type,
                "claimant_kind": c.claimant_kind,
                "claimant": c.claimant_id,
                "attribution": c.attribution,
                "cue": _bare(cue) if cue is not None else None,
            }
        )
    for s in stances.order_by("id"):
        doc(s.article_id, None, s.annotator.username).stances.append(
            {
                "id": s.pk,
                "holder": s.holder_id,
                "target_kind": s.target_kind,
                "target_entity": s.target_entity_id,
                "target_claim": s.target_claim_id,
                "target_topic": s.target_topic,
                "label": s.label,
                "origin": s.origin,
                "evidence": [_bare(x) for x in evidence.get(s.pk, [])],
            }
        )
    return [docs[key] for key in sorted(docs)]


def _bare(span: Any) -> dict[str, Any]:
    return {"start": span.start, "end": span.end, "exact": span.exact}


def _span(span: Any) -> dict[str, Any]:
    return {
        "id": span.pk,
        **_bare(span),
        "anchor_state": span.anchor_state,
        "origin": span.origin,
    }
