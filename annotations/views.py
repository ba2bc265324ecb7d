from __future__ import annotations

import bisect
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget, trigger_client_event
from django_htmx.middleware import HtmxDetails

from annotations import forms, services
from annotations.models import (
    Anchored,
    Assignment,
    Claim,
    Entity,
    EntityMention,
    Membership,
    Project,
    ReanchorRun,
    Stance,
    SupportSpan,
)
from annotations.rendering import marks_for, render_blocks
from articles import roles
from articles.models import Article, TextRevision


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


KINDS: dict[str, type[Any]] = {
    "mention": EntityMention,
    "claim": Claim,
    "stance": Stance,
    "entity": Entity,
    "cue": SupportSpan,
    "evidence": SupportSpan,
}
LABEL_COLOURS = 8


# ---------------------------------------------------------------- access helpers


def _get_project(request: HttpRequest, project_id: int) -> tuple[Project, str]:
    """The project and the user's role in it; 404 for people outside it."""
    project = get_object_or_404(Project, pk=project_id)
    role = services.project_role(request.user, project)
    if role is None:
        raise Http404("No such project.")
    return project, role


def _get_project_for_editor(request: HttpRequest, project_id: int) -> Project:
    project, role = _get_project(request, project_id)
    _require_editor(role)
    return project


def _get_workspace(
    request: HttpRequest, project_id: int, article_id: int
) -> tuple[Project, Article, str, Assignment | None]:
    """Annotators reach only articles assigned to them; editors every article of the project."""
    project, role = _get_project(request, project_id)
    article = get_object_or_404(
        Article.objects.select_related("current_revision").defer("raw_bytes", "text"),
        pk=article_id,
    )
    assignment = Assignment.objects.filter(
        project=project, article=article, annotator=request.user
    ).first()
    if assignment is None and not (
        role == Membership.Role.EDITOR
        and Assignment.objects.filter(project=project, article=article).exists()
    ):
        raise Http404("This article is not assigned to you in this project.")
    if article.current_revision is None:
        raise Http404("This article has no approved text.")
    return project, article, role, assignment


def _require_annotating(assignment: Assignment | None) -> Assignment:
    if assignment is None:
        raise PermissionDenied("Only the annotators assigned to this article annotate it.")
    if assignment.status != Assignment.Status.ASSIGNED:
        raise PermissionDenied("You have submitted this article already.")
    return assignment


def _require_editor(role: str) -> None:
    if role != Membership.Role.EDITOR:
        raise PermissionDenied(roles.EDITORS_ONLY)


def _workspace_url(project: Project, article: Article) -> str:
    return reverse("annotations-workspace", args=[project.pk, article.pk])


# ---------------------------------------------------------------- queue and projects


@require_safe
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if roles.is_editor(request.user):
        projects = Project.objects.all()
    else:
        projects = Project.objects.filter(memberships__user=request.user)
    projects = projects.annotate(
        mine=Count("assignments", filter=Q(assignments__annotator=request.user)),
        done=Count(
            "assignments",
            filter=Q(
                assignments__annotator=request.user,
                assignments__status=Assignment.Status.SUBMITTED,
            ),
        ),
    )
    return render(request, "annotations/queue.html", {"projects": projects})


@require_safe
@login_required
def project_next(request: HttpRequest, project_id: int) -> HttpResponse:
    project, _ = _get_project(request, project_id)
    assignment = services.assignment_next(project=project, user=request.user)
    if assignment is None:
        messages.info(request, "Nothing left in your queue for this project.")
        return redirect(project)
    return redirect(_workspace_url(project, assignment.article))


# The project page lists this many; "Next article" and the API go through the rest.
MINE_SHOWN, ALL_SHOWN = 500, 1000


@require_safe
@login_required
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project, role = _get_project(request, project_id)
    return _project_page(request, project, role)


def _project_page(
    request: HttpRequest,
    project: Project,
    role: str | None,
    refused: dict[str, Form] | None = None,
) -> HttpResponse:
    """The project page; with ``refused`` (its context name to a form as sent), that form
    in place of a blank one and status 400, so what the editor typed is there to correct."""
    done, total = services.assignment_progress(project=project, user=request.user)
    context: dict[str, Any] = {
        "project": project,
        "role": role,
        "done": done,
        "total": total,
        "mine": Assignment.objects.filter(project=project, annotator=request.user)
        .select_related("article")
        .defer("article__raw_bytes", "article__text")[:MINE_SHOWN],
        "mine_shown": MINE_SHOWN,
    }
    if role == Membership.Role.EDITOR:
        everyone = Assignment.objects.filter(project=project)
        context["assignments"] = (
            everyone.select_related("article", "annotator")
            .defer("article__raw_bytes", "article__text")
            .order_by("article_id", "id")[:ALL_SHOWN]
        )
        context["assignment_count"] = everyone.count()
        context["all_shown"] = ALL_SHOWN
        context["assign_form"] = forms.AssignForm(annotators=_annotator_candidates(project))
        context["settings_form"] = forms.ProjectForm(instance=project)
        context["rename_form"] = forms.TopicRenameForm(project=project)
        context["label_rename_form"] = forms.LabelRenameForm(project=project)
        context["member_form"] = forms.MemberForm(
            users=get_user_model().objects.filter(is_active=True).order_by("username")
        )
        context["memberships"] = project.memberships.select_related("user").order_by(
            "role", "user__username"
        )
        context["unassigned"] = _unassigned(project).count()
        context.update(refused or {})
    return render(request, "annotations/project.html", context, status=400 if refused else 200)


def _annotator_candidates(project: Project) -> Any:
    """Annotators site-wide, and whoever is a member of this project (as the members form
    lets an editor add anyone)."""
    return (
        get_user_model()
        .objects.filter(
            Q(groups__name=roles.ANNOTATOR)
            | Q(is_superuser=True)
            | Q(memberships__project=project),
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )


def _unassigned(project: Project) -> Any:
    """Approved articles that still need annotators in this project."""
    return (
        Article.objects.filter(
            review_status=Article.Review.APPROVED, current_revision__isnull=False
        )
        .annotate(n=Count("assignments", filter=Q(assignments__project=project)))
        .filter(n__lt=project.annotators_per_article)
        .defer("raw_bytes", "text")
        .order_by("id")
    )


@require_POST
@login_required
def project_assign(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _get_project_for_editor(request, project_id)
    form = forms.AssignForm(request.POST, annotators=_annotator_candidates(project))
    if not form.is_valid():
        messages.error(request, "Choose annotators and a number of articles.")
        return redirect(project)
    annotators = list(form.cleaned_data["annotators"])
    # Articles all of the chosen annotators have already would take up the count for nothing.
    chosen = Q(assignments__project=project, assignments__annotator__in=annotators)
    articles = list(
        _unassigned(project)
        .annotate(chosen_have=Count("assignments", filter=chosen))
        .filter(chosen_have__lt=len(annotators))[: form.cleaned_data["count"]]
    )
    if not articles:
        messages.info(request, "No approved article needing annotators is left for them.")
        return redirect(project)
    created = services.assignments_distribute(
        project=project, articles=articles, annotators=annotators, assigned_by=request.user
    )
    messages.success(request, f"{created} assignment(s) made over {len(articles)} article(s).")
    return redirect(project)


@require_POST
@login_required
def assignment_reopen(request: HttpRequest, project_id: int, assignment_id: int) -> HttpResponse:
    project = _get_project_for_editor(request, project_id)
    assignment = get_object_or_404(
        Assignment.objects.select_related("annotator"), pk=assignment_id, project=project
    )
    try:
        services.assignment_reopen(assignment=assignment, user=request.user)
    except services.AnnotationError as error:
        messages.error(request, str(error))
        return redirect(project)
    messages.success(request, f"Reopened: {assignment.annotator} can change the article again.")
    return redirect(project)


@require_POST
@login_required
def project_member(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _get_project_for_editor(request, project_id)
    form = forms.MemberForm(request.POST, users=get_user_model().objects.filter(is_active=True))
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(project)
    user, new_role = form.cleaned_data["user"], form.cleaned_data["role"]
    if new_role:
        services.membership_set(project=project, user=user, role=new_role)
        messages.success(request, f"{user} is now {new_role} in this project.")
    else:
        Membership.objects.filter(project=project, user=user).delete()
        messages.success(request, f"{user} is no longer in this project.")
    return redirect(project)


@require_POST
@login_required
def project_settings(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _get_project_for_editor(request, project_id)
    form = forms.ProjectForm(request.POST, instance=project)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        # The page as it is saved, but for the form: the instance took the refused values.
        project.refresh_from_db()
        return _project_page(request, project, Membership.Role.EDITOR, {"settings_form": form})
    form.save()
    messages.success(request, "Project settings saved.")
    return redirect(project)


@require_POST
@login_required
def project_topic_rename(request: HttpRequest, project_id: int) -> HttpResponse:
    return _rename(
        request,
        project_id,
        forms.TopicRenameForm,
        services.project_topic_rename,
        "stance(s)",
        "rename_form",
    )


@require_POST
@login_required
def project_label_rename(request: HttpRequest, project_id: int) -> HttpResponse:
    return _rename(
        request,
        project_id,
        forms.LabelRenameForm,
        services.project_label_rename,
        "entities and mentions",
        "label_rename_form",
    )


def _rename(
    request: HttpRequest,
    project_id: int,
    form_class: type[forms.TopicRenameForm | forms.LabelRenameForm],
    rename: Callable[..., tuple[str, int]],
    moved_what: str,
    form_name: str,
) -> HttpResponse:
    """Renames as the form says; a refused rename comes back as typed (400) to correct."""
    project = _get_project_for_editor(request, project_id)
    form = form_class(request.POST, project=project)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _project_page(request, project, Membership.Role.EDITOR, {form_name: form})
    old, new = form.cleaned_data["old"], form.cleaned_data["new"]
    try:
        new, moved = rename(project=project, old=old, new=new, user=request.user)
    except services.AnnotationError as error:
        messages.error(request, f"Not renamed: {error}")
        return _project_page(request, project, Membership.Role.EDITOR, {form_name: form})
    messages.success(request, f"“{old}” is now “{new}”; {moved} {moved_what} on it moved along.")
    return redirect(project)


# ---------------------------------------------------------------- the workspace


def _entities(project: Project, article: Article, user: Any) -> list[Entity]:
    return list(Entity.objects.filter(project=project, article=article, annotator=user))


def _workspace_context(
    request: HttpRequest,
    project: Project,
    article: Article,
    role: str,
    assignment: Assignment | None,
    *,
    changed: set[int] | None = None,
    editing: Any = None,
) -> dict[str, Any]:
    """Everything the page shows. With ``changed``, only those blocks of the text are rendered."""
    revision: TextRevision = article.current_revision  # type: ignore[assignment]
    annotator = services.visible_annotator(request.user, project, role)
    scope = {"project": project, "article": article}
    if annotator is not None:
        scope["annotator"] = annotator
    # Marks need only ids, labels and offsets: tuples, not 500 model instances per request.
    on_text = Q(revision=revision) & ~Q(anchor_state=Anchored.State.ORPHANED)
    if changed is not None:
        # A save re-renders only the blocks it touched: only their spans are needed.
        in_blocks = Q(pk__in=[])
        for index in changed:
            start, end = revision.blocks[index]
            in_blocks |= Q(start__lt=end, end__gt=start)
        on_text &= in_blocks
    mention_rows = EntityMention.objects.filter(on_text, **scope).values_list(
        "pk", "label", "start", "end"
    )
    support_rows = SupportSpan.objects.filter(on_text, **scope).values_list(
        "pk", "role", "start", "end"
    )
    claim_rows = Claim.objects.filter(on_text, **scope).values_list("pk", "start", "end")
    claims = list(
        # Not select_related("revision"): that would copy the whole text once per claim.
        Claim.objects.filter(**scope)
        .select_related("claimant", "annotator")
        .prefetch_related(Prefetch("support", queryset=SupportSpan.objects.all()))
    )
    stances = list(
        Stance.objects.filter(**scope).select_related(
            "holder", "target_entity", "target_claim", "annotator"
        )
    )
    label_css = {name: f"lab-{i % LABEL_COLOURS}" for i, name in enumerate(project.label_names)}
    marks = marks_for(mention_rows, claim_rows, support_rows, label_css)
    block_starts = [start for start, _ in revision.blocks]
    text_blocks = render_blocks(
        revision.text,
        revision.blocks,
        marks,
        only=changed,
        revision_key=f"{revision.pk}:{revision.sha256}",
    )
    mine = (
        services.entity_choice_labels(_entities(project, article, request.user))
        if assignment
        else []
    )
    topic_stances = {
        s.target_topic: s.label
        for s in stances
        if s.annotator_id == request.user.pk
        and s.holder_kind == Stance.Holder.AUTHOR
        and s.target_kind == Stance.Target.TOPIC
    }
    done, total = services.assignment_progress(project=project, user=request.user)
    can_annotate = assignment is not None and assignment.status == Assignment.Status.ASSIGNED
    return {
        "project": project,
        "article": article,
        "base": _workspace_url(project, article),
        "revision": revision,
        "role": role,
        "assignment": assignment,
        "can_annotate": can_annotate,
        "blind": annotator is not None,
        "blocks": text_blocks,
        "claims": claims,
        "stances": stances,
        "entities": mine if assignment else list(Entity.objects.filter(**scope)),
        # Without JavaScript spans cannot be clicked open: the page lists them on request,
        # each with its paragraph (0 the title), which tells the same words apart.
        "own_mentions": [
            (pk, label, exact, bisect.bisect_right(block_starts, start) - 1)
            for pk, label, exact, start in EntityMention.objects.filter(
                project=project, article=article, annotator=request.user
            )
            .order_by("start", "pk")
            .values_list("pk", "label", "exact", "start")
        ]
        if request.GET.get("list") == "mentions"
        else None,
        "topics": [(i + 1, t, topic_stances.get(t, "")) for i, t in enumerate(project.topics)],
        "labels": [{**x, "css": label_css[x["name"]]} for x in project.entity_labels],
        "label_keys": {x["key"]: x["name"] for x in project.entity_labels if x.get("key")},
        "attention": services.spans_needing_attention(
            project=project, article=article, annotator=annotator
        ),
        "done": done,
        "total": total,
        "editing": editing,
        "editing_kind": _kind_of(editing) if editing is not None else "",
        # Grouped by the targets they apply to (a stance toward a claim agrees or not).
        "stance_labels": [
            ("toward a topic or an entity", Stance.TOWARD_OTHERS),
            ("toward a claim", Stance.TOWARD_CLAIMS),
        ],
        "claim_labels": {
            "worthiness": Claim.Worthiness.choices,
            "types": Claim.Type.choices,
            "attribution": Claim.Attribution.choices,
        },
    }


def _kind_of(obj: Any) -> str:
    if isinstance(obj, SupportSpan):
        return obj.role
    return {EntityMention: "mention", Claim: "claim", Stance: "stance", Entity: "entity"}[type(obj)]


@require_safe
@login_required
def workspace(request: HtmxHttpRequest, project_id: int, article_id: int) -> HttpResponse:
    project, article, role, assignment = _get_workspace(request, project_id, article_id)
    context = _workspace_context(request, project, article, role, assignment)
    # Text typed to tag without JavaScript, back after a refusal (see annotation_create).
    typed = context["typed"] = {
        key: request.GET.get(key, "")[:500] for key in (*TYPED, *STANCE_CHOICES)
    }
    # "entity:5" as kind and id, for the template to find the option chosen.
    typed["holder_id"] = typed["holder"].removeprefix("entity:")
    typed["target_kind"], _, typed["target_id"] = typed["target"].partition(":")
    template = "annotations/workspace.html"
    if request.htmx and request.htmx.target == "panel":
        template += "#panel"
    return render(request, template, context)


def _blocks_of(revision: TextRevision, *spans: Any) -> set[int]:
    """Indexes of the blocks the given spans touch (on the current revision); objects that
    are not spans of text (entities, stances) touch none."""
    changed: set[int] = set()
    for span in spans:
        if getattr(span, "revision_id", None) != revision.pk:
            continue
        for index, (start, end) in enumerate(revision.blocks):
            if start < span.end and span.start < end:
                changed.add(index)
    return changed


# What a form typed without JavaScript sends to tag text: which form, the text, its occurrence.
TYPED = ("kind", "exact", "occurrence")
# And what the stance form sends: its three choices.
STANCE_CHOICES = ("holder", "target", "label")


def _typed_back(request: HttpRequest, kind: str) -> dict[str, str] | None:
    """What a form sent without JavaScript, for the page to show again after a refusal: the
    text typed to tag (not a selection's offsets), or a stance's choices."""
    if kind == "stance":
        return {"kind": kind, **{key: request.POST.get(key, "") for key in STANCE_CHOICES}}
    if not request.POST.get("start") and request.POST.get("exact"):
        return {"kind": kind, **{key: request.POST.get(key, "") for key in TYPED[1:]}}
    return None


# Without JavaScript the next page says what a save did, as the page's script says it for htmx.
PLAIN_SAVE_MESSAGES = {
    "annotation-saved": (messages.SUCCESS, "Saved."),
    "annotation-unchanged": (messages.INFO, "No change."),
    "annotation-deleted": (messages.SUCCESS, "Deleted."),
    "annotation-stale": (messages.ERROR, services.CHANGED_ELSEWHERE),
}


def _respond(
    request: HtmxHttpRequest,
    project: Project,
    article: Article,
    role: str,
    assignment: Assignment | None,
    changed: set[int],
    *,
    editing: Any = None,
    event: str = "annotation-saved",
    detail: dict[str, Any] | None = None,
) -> HttpResponse:
    """PRG for plain forms; for htmx the side panel plus the changed blocks (out of band),
    and ``event`` (with ``detail``) for the page's script."""
    if not request.htmx:
        if event in PLAIN_SAVE_MESSAGES:
            messages.add_message(request, *PLAIN_SAVE_MESSAGES[event])
        url = _workspace_url(project, article)
        if editing is not None and editing.pk:
            url = reverse(
                "annotations-edit", args=[project.pk, article.pk, _kind_of(editing), editing.pk]
            )
        return redirect(url)
    context = _workspace_context(
        request, project, article, role, assignment, changed=changed, editing=editing
    )
    response = render(request, "annotations/workspace.html#changes", context)
    return trigger_client_event(response, event, detail)


def _saved(obj: Any) -> str:
    """The client event a save answers with: the status line says "No change." for a save
    that found nothing to change, instead of claiming one."""
    return "annotation-unchanged" if getattr(obj, "unchanged", False) else "annotation-saved"


def _mention_saved(
    request: HtmxHttpRequest,
    project: Project,
    article: Article,
    changed: set[int],
    entities: list[Entity],
) -> HttpResponse:
    """The hot path (a label key pressed): the touched blocks and the entity list, no panel."""
    revision: TextRevision = article.current_revision  # type: ignore[assignment]
    scope = {"project": project, "article": article, "annotator": request.user}
    in_blocks = Q(pk__in=[])
    for index in changed:
        start, end = revision.blocks[index]
        in_blocks |= Q(start__lt=end, end__gt=start)
    on_text = Q(revision=revision) & ~Q(anchor_state=Anchored.State.ORPHANED) & in_blocks
    label_css = {name: f"lab-{i % LABEL_COLOURS}" for i, name in enumerate(project.label_names)}
    marks = marks_for(
        EntityMention.objects.filter(on_text, **scope).values_list("pk", "label", "start", "end"),
        Claim.objects.filter(on_text, **scope).values_list("pk", "start", "end"),
        SupportSpan.objects.filter(on_text, **scope).values_list("pk", "role", "start", "end"),
        label_css,
    )
    context = {
        "blocks": render_blocks(
            revision.text,
            revision.blocks,
            marks,
            only=changed,
            revision_key=f"{revision.pk}:{revision.sha256}",
        ),
        # No new entity takes this path, but a first mention gives its entity a context.
        "entities": services.entity_choice_labels(entities),
        "base": _workspace_url(project, article),
        "can_annotate": True,
        "oob": True,
    }
    response = render(request, "annotations/workspace.html#mention-saved", context)
    return trigger_client_event(response, "annotation-saved")


def _error(
    request: HtmxHttpRequest, project: Project, article: Article, message: str, status: int = 400
) -> HttpResponse:
    if request.htmx:
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    messages.error(request, message)
    return redirect(_workspace_url(project, article))


def _form_errors(form: Any) -> str:
    return "Not saved: " + "; ".join(
        f"{'' if field == '__all__' else str(form[field].label) + ': '}{' '.join(errors)}"
        for field, errors in form.errors.items()
    )


@require_POST
@login_required
def annotation_create(
    request: HtmxHttpRequest, project_id: int, article_id: int, kind: str
) -> HttpResponse:
    project, article, role, assignment = _get_workspace(request, project_id, article_id)
    assignment = _require_annotating(assignment)
    user = request.user
    entities = _entities(project, article, user)
    # A new cue replaces the old one, whose mark has to go too.
    replaced = (
        list(SupportSpan.objects.filter(claim_id=request.POST["owner"], role="cue", annotator=user))
        if kind == "cue" and (owner := request.POST.get("owner", "")).isascii() and owner.isdigit()
        else []
    )
    try:
        with transaction.atomic():
            obj = _create_kind(request, kind, project, article, user, entities)
    except services.StaleRevision as error:
        return _error(request, project, article, str(error), status=409)
    except (services.AnnotationError, ValueError) as error:
        response = _error(request, project, article, str(error))
        if not request.htmx and (typed := _typed_back(request, kind)):
            # Sent without JavaScript: the page comes back with it, to correct.
            response["Location"] += f"?{urlencode(typed)}#new-{kind}"
        return response
    changed = _blocks_of(article.current_revision, obj, *getattr(obj, "_support", []), *replaced)
    light = request.htmx and request.htmx.target == "save-status"
    if light and kind == "mention" and request.POST.get("entity") != "new":
        return _mention_saved(request, project, article, changed, entities)
    if light:
        # A new entity changes the claimant and stance choices too: the whole panel, then.
        response = _respond(request, project, article, role, assignment, changed)
        return reswap(retarget(response, "#panel"), "outerHTML")
    if kind in ("cue", "evidence"):
        # Stay on the claim or stance the span belongs to.
        editing: Any = obj.claim or obj.stance
    else:
        editing = obj if kind == "claim" else None
    return _respond(request, project, article, role, assignment, changed, editing=editing)


def _create_kind(
    request: HttpRequest,
    kind: str,
    project: Project,
    article: Article,
    user: Any,
    entities: list[Entity],
) -> Any:
    if kind == "mention":
        text = article.current_revision.text  # type: ignore[union-attr]
        form = forms.MentionForm(request.POST, project=project, entities=entities, text=text)
        if not form.is_valid():
            raise ValueError(_form_errors(form))
        data = form.cleaned_data
        entity = form.entities.get(data["entity"])
        if data["entity"] == "new":
            entity = services.entity_create(
                project=project,
                article=article,
                annotator=user,
                name=data["exact"],
                label=data["label"],
            )
        return services.mention_create(
            project=project,
            article=article,
            annotator=user,
            span=form.span,
            label=data["label"],
            entity=entity,
            revision_id=data["revision"],
        )
    if kind == "claim":
        text = article.current_revision.text  # type: ignore[union-attr]
        form = forms.ClaimForm(request.POST, entities=entities, text=text)
        if not form.is_valid():
            raise ValueError(_form_errors(form))
        claim = services.claim_create(
            project=project,
            article=article,
            annotator=user,
            span=form.span,
            cue=form.cue,
            revision_id=form.cleaned_data["revision"],
            **form.claim_fields(),
        )
        claim._support = list(claim.support.all())
        return claim
    if kind == "stance":
        claims = list(Claim.objects.filter(project=project, article=article, annotator=user))
        form = forms.StanceForm(request.POST, project=project, entities=entities, claims=claims)
        if not form.is_valid():
            raise ValueError(_form_errors(form))
        return services.stance_create(
            project=project, article=article, annotator=user, **form.stance_fields()
        )
    if kind in ("cue", "evidence"):
        form = forms.SupportForm(request.POST)
        if not form.is_valid():
            raise ValueError(_form_errors(form))
        owner_model = Claim if kind == "cue" else Stance
        owner = get_object_or_404(
            owner_model,
            project=project,
            article=article,
            annotator=user,
            pk=form.cleaned_data["owner"],
        )
        return services.support_create(
            span=form.span,
            role=kind,
            user=user,
            claim=owner if kind == "cue" else None,
            stance=owner if kind == "evidence" else None,
        )
    if kind == "entity":
        form = forms.EntityForm(request.POST, project=project)
        if not form.is_valid():
            raise ValueError(_form_errors(form))
        return services.entity_create(
            project=project, article=article, annotator=user, **form.cleaned_data
        )
    raise Http404("No such kind of annotation.")


def _get_own(
    kind: str, pk: int, project: Project, article: Article, user: Any, *, lock: bool = False
) -> Any:
    """The user's annotation; ``lock``: its row locked until the transaction ends."""
    model = KINDS.get(kind)
    if model is None:
        raise Http404("No such kind of annotation.")
    rows = model.objects.filter(project=project, article=article, annotator=user)
    if model is SupportSpan:
        rows = rows.filter(role=kind)
    if lock:
        rows = rows.select_for_update()
    return get_object_or_404(rows, pk=pk)


def _seen(request: HttpRequest) -> datetime | None:
    """The annotation's ``updated_at`` as the edit form showed it (None: not given)."""
    try:
        return parse_datetime(request.POST.get("seen", ""))
    except ValueError:  # Well formed but no such time: as good as not given.
        return None


@require_http_methods(["GET", "POST"])
@login_required
def annotation_edit(
    request: HtmxHttpRequest, project_id: int, article_id: int, kind: str, pk: int
) -> HttpResponse:
    """GET: the workspace with this annotation open in the side panel; POST: save changes."""
    project, article, role, assignment = _get_workspace(request, project_id, article_id)
    assignment = _require_annotating(assignment)
    if request.method == "GET":
        obj = _get_own(kind, pk, project, article, request.user)
        context = _workspace_context(request, project, article, role, assignment, editing=obj)
        template = "annotations/workspace.html"
        if request.htmx:
            template += "#panel"
        return render(request, template, context)
    entities = _entities(project, article, request.user)
    detail = None
    try:
        with transaction.atomic():
            # Locked from the check to the save: two tabs saving at once are taken in turn.
            obj = _get_own(kind, pk, project, article, request.user, lock=True)
            services.check_unchanged_since(obj, _seen(request))
            _update_kind(request, kind, obj, entities)
    except services.ChangedElsewhere as error:
        # ``obj`` was read (locked) for the check, the other tab's save in it: shown as it is.
        event, detail = "annotation-stale", {"message": str(error)}
    except (services.AnnotationError, ValueError) as error:
        return _error(request, project, article, str(error))
    else:
        obj.refresh_from_db()
        event = _saved(obj)
    return _respond(
        request,
        project,
        article,
        role,
        assignment,
        _blocks_of(article.current_revision, obj),
        editing=obj,
        event=event,
        detail=detail,
    )


def _update_kind(request: HttpRequest, kind: str, obj: Any, entities: list[Entity]) -> None:
    user = request.user
    if kind == "mention":
        form = forms.MentionEditForm(
            request.POST, project=obj.project, entities=entities, kept=obj.label
        )
        if not form.is_valid():
            raise ValueError(_form_errors(form))
        entity = form.entities.get(form.cleaned_data["entity"])
        if form.cleaned_data["entity"] == "new":
            entity = services.entity_create(
                project=obj.project,
                article=obj.article,
                annotator=user,
                name=obj.exact,
                label=form.cleaned_data["label"],
            )
        services.mention_update(
            mention=obj, user=user, label=form.cleaned_data["label"], entity=entity
        )
    elif kind == "claim":
        form = forms.ClaimFieldsForm(request.POST, entities=entities)
        if not form.is_valid():
            raise ValueError(_form_errors(form))
        services.claim_update(claim=obj, user=user, **form.claim_fields())
    elif kind == "entity":
        form = forms.EntityForm(request.POST, project=obj.project, kept=obj.label)
        if not form.is_valid():
            raise ValueError(_form_errors(form))
        services.entity_update(entity=obj, user=user, **form.cleaned_data)
    elif kind == "stance":
        label = request.POST.get("label", "")
        if label not in Stance.Label.values:
            raise ValueError("Not saved: unknown stance label.")
        services.stance_update(stance=obj, user=user, label=label)
    else:
        raise Http404("Nothing to edit here.")


@require_POST
@login_required
def annotation_delete(
    request: HtmxHttpRequest, project_id: int, article_id: int, kind: str, pk: int
) -> HttpResponse:
    project, article, role, assignment = _get_workspace(request, project_id, article_id)
    assignment = _require_annotating(assignment)
    obj = _get_own(kind, pk, project, article, request.user)
    spans = [obj]
    if isinstance(obj, Claim):
        spans += list(obj.support.all())
    if isinstance(obj, Stance):
        spans += list(obj.evidence.all())
    changed = _blocks_of(article.current_revision, *[s for s in spans if isinstance(s, Anchored)])
    try:
        services.annotation_delete(obj=obj, user=request.user)
    except services.AnnotationError as error:
        return _error(request, project, article, str(error))
    return _respond(
        request, project, article, role, assignment, changed, event="annotation-deleted"
    )


@require_POST
@login_required
def span_resize(
    request: HtmxHttpRequest, project_id: int, article_id: int, kind: str, pk: int
) -> HttpResponse:
    """Move a span to the current selection: resizing, and resolving fuzzy or orphaned spans."""
    project, article, role, assignment = _get_workspace(request, project_id, article_id)
    assignment = _require_annotating(assignment)
    obj = _get_own(kind, pk, project, article, request.user)
    if not isinstance(obj, Anchored):
        raise Http404("Only spans can be resized.")
    form = forms.SpanForm(request.POST)
    if not form.is_valid():
        return _error(request, project, article, _form_errors(form))
    old = _blocks_of(article.current_revision, obj)
    try:
        services.span_resize(
            obj=obj, user=request.user, span=form.span, revision_id=form.cleaned_data["revision"]
        )
    except services.StaleRevision as error:
        return _error(request, project, article, str(error), status=409)
    except services.AnnotationError as error:
        return _error(request, project, article, str(error))
    changed = old | _blocks_of(article.current_revision, obj)
    return _respond(
        request, project, article, role, assignment, changed, editing=obj, event=_saved(obj)
    )


@require_POST
@login_required
def span_confirm(
    request: HtmxHttpRequest, project_id: int, article_id: int, kind: str, pk: int
) -> HttpResponse:
    project, article, role, assignment = _get_workspace(request, project_id, article_id)
    assignment = _require_annotating(assignment)
    obj = _get_own(kind, pk, project, article, request.user)
    if not isinstance(obj, Anchored):
        raise Http404("Only spans are anchored.")
    services.span_confirm(obj=obj, user=request.user)
    return _respond(request, project, article, role, assignment, set(), event=_saved(obj))


@require_POST
@login_required
def topic_stance(request: HtmxHttpRequest, project_id: int, article_id: int) -> HttpResponse:
    project, article, role, assignment = _get_workspace(request, project_id, article_id)
    assignment = _require_annotating(assignment)
    form = forms.TopicStanceForm(request.POST)
    if not form.is_valid():
        return _error(request, project, article, _form_errors(form))
    try:
        stance = services.article_topic_stance_set(
            project=project,
            article=article,
            annotator=request.user,
            topic=form.cleaned_data["topic"],
            label=form.cleaned_data["label"] or None,
        )
    except services.AnnotationError as error:
        return _error(request, project, article, str(error))
    return _respond(request, project, article, role, assignment, set(), event=_saved(stance))


@require_POST
@login_required
def submit(request: HtmxHttpRequest, project_id: int, article_id: int) -> HttpResponse:
    project, article, _, assignment = _get_workspace(request, project_id, article_id)
    assignment = _require_annotating(assignment)
    try:
        services.assignment_submit(assignment=assignment, user=request.user)
    except services.AnnotationError as error:
        return _error(request, project, article, str(error))
    following = services.assignment_next(project=project, user=request.user)
    messages.success(
        request, "Submitted. " + ("Here is the next one." if following else "Your queue is empty.")
    )
    url = _workspace_url(project, following.article) if following else project.get_absolute_url()
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


# ---------------------------------------------------------------- re-anchoring report


@require_http_methods(["GET", "POST"])
@login_required
def reanchor(request: HttpRequest, revision_id: int) -> HttpResponse:
    """The report editors see before a new revision goes live, and the button that does it."""
    if not roles.is_editor(request.user):
        raise PermissionDenied("Only editors can make a revision current.")
    revision = get_object_or_404(TextRevision.objects.select_related("article"), pk=revision_id)
    article = revision.article
    current = (
        TextRevision.objects.filter(pk=article.current_revision_id).first()
        if article.current_revision_id
        else None
    )
    if request.method == "POST":
        try:
            services.revision_activate(article=article, revision=revision, user=request.user)
        except services.AnnotationError as error:
            messages.error(request, f"Not changed: {error}")
        else:
            messages.success(
                request, f"Revision {revision.number} is live; annotations are being re-anchored."
            )
        return redirect("annotations-reanchor", revision_id=revision.pk)
    too_old = services.revision_too_old(revision=revision, live=current)
    report = (
        services.revision_reanchor_preview(old=current, new=revision)
        if current and current.pk != revision.pk and not too_old
        else None
    )
    runs = ReanchorRun.objects.filter(to_revision=revision).select_related("from_revision")
    return render(
        request,
        "annotations/reanchor.html",
        {
            "revision": revision,
            "article": article,
            "current": current,
            "report": report,
            "too_old": too_old,
            "runs": runs,
        },
    )
