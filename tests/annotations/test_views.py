"""The workspace over HTTP: permissions, blind mode, htmx fragments, PRG, offset round trips."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations import services
from annotations.forms import ProjectAdminForm
from annotations.models import (
    AnnotationEvent,
    Assignment,
    Claim,
    Entity,
    EntityMention,
    Project,
    Stance,
)
from annotations.services import Span
from tests.annotations.factories import approved_article, edit_text, project_for, span_of
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(project, article, suffix: str = "") -> str:
    return f"/annotate/projects/{project.pk}/articles/{article.pk}/{suffix}"


def logged_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def world(annotator, editor, django_user_model):
    """alice annotates the article; carol is another annotator of it; dave is in no project."""
    carol = django_user_model.objects.create_user("carol", password=PASSWORD)
    dave = django_user_model.objects.create_user("dave", password=PASSWORD)
    article = approved_article()
    project = project_for(annotator, carol, article=article)
    for user, exact in ((annotator, "Angela Merkel"), (carol, "Emmanuel Macron")):
        services.mention_create(
            project=project,
            article=article,
            annotator=user,
            span=span_of(article, exact),
            label="PER",
        )
    return {"project": project, "article": article, "carol": carol, "dave": dave}


def test_annotators_see_only_their_own_annotations(world, annotator) -> None:
    page = logged_in(annotator).get(url(world["project"], world["article"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<mark class="an an-mention lab-0"' in html
    assert ">Angela Merkel</mark>" in html
    assert ">Emmanuel Macron</mark>" not in html
    assert "you see only your own annotations" in html


def test_editors_see_everyones(world, editor) -> None:
    html = logged_in(editor).get(url(world["project"], world["article"])).content.decode()
    assert ">Angela Merkel</mark>" in html and ">Emmanuel Macron</mark>" in html
    assert "Tag the selection" not in html  # editors read here; they are not assigned


def test_outsiders_and_other_projects_get_404(world, annotator) -> None:
    assert logged_in(world["dave"]).get(url(world["project"], world["article"])).status_code == 404
    other_article = approved_article(title="Elsewhere")
    other = project_for(world["dave"], article=other_article)
    client = logged_in(annotator)
    assert client.get(url(other, other_article)).status_code == 404
    assert client.get(f"/annotate/projects/{other.pk}/").status_code == 404
    # Right project, article not assigned to alice.
    assert client.get(url(world["project"], other_article)).status_code == 404


def test_anonymous_users_are_sent_to_log_in(world) -> None:
    response = Client().get(url(world["project"], world["article"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_nobody_edits_someone_elses_annotation(world, annotator) -> None:
    carols = EntityMention.objects.get(annotator=world["carol"])
    client = logged_in(annotator)
    path = url(world["project"], world["article"], f"mention/{carols.pk}/")
    assert client.post(path, {"label": "ORG"}).status_code == 404
    assert client.post(path + "delete/").status_code == 404
    assert EntityMention.objects.get(pk=carols.pk).label == "PER"


def test_editors_cannot_annotate_articles_not_assigned_to_them(world, editor) -> None:
    span = span_of(world["article"], "Paris")
    response = logged_in(editor).post(
        url(world["project"], world["article"], "new/mention/"),
        {"start": span.start, "end": span.end, "exact": span.exact, "label": "GPE"},
    )
    assert response.status_code == 403


def test_htmx_create_returns_the_panel_and_only_the_touched_block(world, annotator) -> None:
    article = world["article"]
    span = span_of(article, "Berlin")
    response = logged_in(annotator).post(
        url(world["project"], article, "new/mention/"),
        {
            "revision": article.current_revision_id,
            "start": span.start,
            "end": span.end,
            "exact": span.exact,
            "label": "GPE",
            "entity": "new",
        },
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<aside id="panel"')
    assert re.findall(r'<p id="blk-(\d+)"[^>]*hx-swap-oob="true"', html) == ["3"]
    assert ">Berlin</mark>" in html
    assert "annotation-saved" in response["HX-Trigger"]
    mention = EntityMention.objects.get(exact="Berlin")
    assert mention.entity.name == "Berlin" and mention.entity.label == "GPE"


def test_plain_post_redirects_and_errors_are_flashed(world, annotator) -> None:
    article = world["article"]
    client = logged_in(annotator)
    span = span_of(article, "Berlin")
    data = {"start": span.start, "end": span.end, "exact": span.exact, "label": "GPE"}
    response = client.post(url(world["project"], article, "new/mention/"), data)
    assert response.status_code == 302 and response["Location"] == url(world["project"], article)
    bad = client.post(url(world["project"], article, "new/mention/"), {**data, "exact": "Paris"})
    assert bad.status_code == 302
    assert "does not match" in client.get(url(world["project"], article)).content.decode()


def test_without_a_selection_the_typed_text_and_its_occurrence_place_the_span(
    world, annotator
) -> None:
    project, article = world["project"], world["article"]
    client = logged_in(annotator)
    create = url(project, article, "new/mention/")
    text = article.current_revision.text
    times = [at for at in range(len(text)) if text.startswith("on", at)]
    n = len(times)
    refusals = {
        ("Zeppelin", ""): "“Zeppelin” is not in the article&#x27;s text.",
        ("on", "9"): f"“on” is in the text {n} times: choose an occurrence from 1 to {n}.",
        ("", ""): "Select some text first",
    }
    for (exact, occurrence), message in refusals.items():
        form = {"exact": exact, "occurrence": occurrence, "label": "ORG"}
        assert message in client.post(create, form, follow=True).content.decode(), exact
    # Typed with spaces around it (left out), its third time in the text.
    form = {"exact": " on ", "occurrence": "3", "label": "ORG", "revision": ""}
    client.post(create, form)
    mention = EntityMention.objects.get(annotator=annotator, label="ORG")
    assert (mention.start, mention.end, mention.exact) == (times[2], times[2] + 2, "on")


def test_htmx_errors_are_plain_text_with_a_status(world, annotator) -> None:
    article = world["article"]
    span = span_of(article, "Berlin")
    client = logged_in(annotator)
    data = {"start": span.start, "end": span.end, "exact": "Berlim", "label": "GPE"}
    response = client.post(url(world["project"], article, "new/mention/"), data, **HTMX)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    stale = {**data, "exact": "Berlin", "revision": edit_text(article)}
    assert (
        client.post(url(world["project"], article, "new/mention/"), stale, **HTMX).status_code
        == 409
    )
    bad_label = {**data, "exact": "Berlin", "label": "<script>"}
    assert (
        client.post(url(world["project"], article, "new/mention/"), bad_label, **HTMX).status_code
        == 400
    )


def test_claim_with_claimant_and_article_stance_over_http(world, annotator) -> None:
    article, project = world["article"], world["project"]
    client = logged_in(annotator)
    merkel = services.entity_create(
        project=project, article=article, annotator=annotator, name="Angela Merkel", label="PER"
    )
    claim = span_of(article, "emissions would fall by 40% before 2030")
    response = client.post(
        url(project, article, "new/claim/"),
        {
            "start": claim.start,
            "end": claim.end,
            "exact": claim.exact,
            "checkworthiness": "CFS",
            "claim_type": "quantity",
            "claimant": f"entity:{merkel.pk}",
            "attribution": "reported_speech",
        },
        **HTMX,
    )
    assert response.status_code == 200
    saved = Claim.objects.get()
    assert saved.claimant == merkel and saved.claim_type == "quantity"
    response = client.post(
        url(project, article, "topic-stance/"),
        {"topic": "Climate policy", "label": "AGAINST"},
        **HTMX,
    )
    assert response.status_code == 200
    assert Stance.objects.get().label == "AGAINST"
    assert 'value="AGAINST" aria-pressed="true"' in response.content.decode()


@pytest.mark.parametrize("htmx", [False, True])
def test_an_entity_and_a_persons_stance_over_http(world, annotator, htmx) -> None:
    """Neither is a span of text: no block of the article changes."""
    article, project = world["article"], world["project"]
    client = logged_in(annotator)
    extra = HTMX if htmx else {}
    made = client.post(
        url(project, article, "new/entity/"), {"name": "Angela Merkel", "label": "PER"}, **extra
    )
    assert made.status_code == (200 if htmx else 302), made.content
    (merkel,) = Entity.objects.filter(annotator=annotator)
    claim = services.claim_create(
        project=project,
        article=article,
        annotator=annotator,
        span=span_of(article, "emissions would fall by 40% before 2030"),
    )
    stance = {"holder": f"entity:{merkel.pk}", "target": f"claim:{claim.pk}", "label": "AGREE"}
    made = client.post(url(project, article, "new/stance/"), stance, **extra)
    assert made.status_code == (200 if htmx else 302), made.content
    assert Stance.objects.get(annotator=annotator).holder == merkel
    if htmx:
        return
    # Refused without JavaScript: back with the form open and its choices as sent.
    wrong = {**stance, "label": "FAVOR"}
    page = client.post(url(project, article, "new/stance/"), wrong, follow=True).content.decode()
    assert "Toward a claim a stance is one of AGREE, DISAGREE, DISCUSS." in page
    assert '<details id="new-stance" open>' in page
    assert f'<option value="entity:{merkel.pk}" selected>' in page
    assert f'<option value="claim:{claim.pk}" selected>' in page
    assert '<option value="FAVOR" selected>' in page


def tagged(annotator, text: str, exact: str) -> tuple:
    """A project with one article of ``text``, ``exact`` in it tagged by ``annotator``."""
    article = approved_article(blocks=[text])
    project = project_for(annotator, article=article)
    mention = services.mention_create(
        project=project,
        article=article,
        annotator=annotator,
        span=span_of(article, exact),
        label="MISC",
    )
    return project, article, mention


def test_same_named_entities_are_told_apart_in_the_dropdowns(annotator) -> None:
    article = approved_article(
        blocks=["Angela Merkel met Macron.", "Later, a nurse called Angela Merkel spoke up."]
    )
    project = project_for(annotator, article=article)
    scope = {"project": project, "article": article, "annotator": annotator}
    unused, linked, nurse = (
        services.entity_create(**scope, name="Angela Merkel", label="PER", kb_id=kb_id)
        for kb_id in ("", "Q567", "")
    )
    text = article.current_revision.text
    at = text.index("Angela Merkel", text.index("nurse"))
    services.mention_create(
        **scope, span=Span(at, at + 13, "Angela Merkel"), label="PER", entity=nurse
    )
    html = logged_in(annotator).get(url(project, article)).content.decode()
    select = re.search(r'<select name="entity" id="mention-entity".*?</select>', html).group()
    # None stays the default (a label key never links by surprise); "new" comes last.
    assert re.findall(r'<option value="([^"]*)">([^<]*)</option>', select) == [
        ("", "— none —"),
        (str(unused.pk), f"Angela Merkel (PER) · no mention (#{unused.pk})"),
        (str(linked.pk), "Angela Merkel (PER, Q567)"),
        (str(nurse.pk), "Angela Merkel (PER) · “…Later, a nurse called Angela Merkel spoke up.…”"),
        ("new", "new entity (named as the selection)"),
    ]
    # The claimant, holder and target choices say the same.
    assert html.count(f"Angela Merkel (PER) · no mention (#{unused.pk})") == 4
    # The same place tagged again as a new entity: the words around it are alike too.
    again = services.entity_create(**scope, name="Angela Merkel", label="PER")
    services.mention_create(
        **scope, span=Span(at, at + 13, "Angela Merkel"), label="PER", entity=again
    )
    html = logged_in(annotator).get(url(project, article)).content.decode()
    select = re.search(r'<select name="entity" id="mention-entity".*?</select>', html).group()
    around = "Angela Merkel (PER) · “…Later, a nurse called Angela Merkel spoke up.…”"
    assert re.findall(r'<option value="([^"]*)">([^<]*)</option>', select)[3:5] == [
        (str(nurse.pk), f"{around} (#{nurse.pk})"),
        (str(again.pk), f"{around} (#{again.pk})"),
    ]


def test_article_text_is_escaped(annotator) -> None:
    project, article, _ = tagged(
        annotator, '<script>alert("x")</script> & <b>bold</b>', "<b>bold</b>"
    )
    html = logged_in(annotator).get(url(project, article)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; " in html
    assert ">&lt;b&gt;bold&lt;/b&gt;</mark>" in html


def test_without_javascript_own_mentions_are_listed_with_links(annotator) -> None:
    project, article, mention = tagged(
        annotator, "Angela Merkel met <b>Macron</b> in Paris.", "<b>Macron</b>"
    )
    client = logged_in(annotator)
    html = client.get(url(project, article)).content.decode()
    hint = html[html.index("<noscript>") : html.index("</noscript>")]
    assert f'<a href="{url(project, article)}?list=mentions#your-mentions">' in hint
    html = client.get(url(project, article), {"list": "mentions"}).content.decode()
    listed = html[html.index('id="your-mentions"') :]
    edit = url(project, article, f"mention/{mention.pk}/")
    assert f'<a href="{edit}">&lt;b&gt;Macron' in listed
    # Its paragraph, which tells the same words in two places apart.
    assert '<span class="meta">paragraph 1</span>' in listed
    assert "Editing mention" in client.get(edit).content.decode()


def test_a_label_the_project_dropped_stays_when_other_fields_change(world, annotator) -> None:
    project, article = world["project"], world["article"]
    mention = EntityMention.objects.get(annotator=annotator)
    project.entity_labels = [x for x in project.entity_labels if x["name"] != "PER"]
    project.save()
    other = project.label_names[0]
    merkel = services.entity_create(
        project=project, article=article, annotator=annotator, name="Merkel", label=other
    )
    client = logged_in(annotator)
    edit = url(project, article, f"mention/{mention.pk}/")
    html = client.get(edit).content.decode()
    assert '<option value="PER" selected>PER (no longer a label of the project)</option>' in html
    # What the browser sends when only the entity changes: the label it shows, PER.
    assert client.post(edit, {"label": "PER", "entity": merkel.pk}).status_code in (200, 302)
    mention.refresh_from_db()
    assert (mention.label, mention.entity) == ("PER", merkel)
    client.post(edit, {"label": other, "entity": ""})
    mention.refresh_from_db()
    assert mention.label == other
    client.post(edit, {"label": "PER", "entity": ""})  # Dropped labels are not given anew.
    mention.refresh_from_db()
    assert mention.label == other


def test_an_edit_from_a_form_saved_past_elsewhere_is_refused(world, annotator) -> None:
    project, article = world["project"], world["article"]
    mention = EntityMention.objects.get(annotator=annotator)
    client = logged_in(annotator)
    edit = url(project, article, f"mention/{mention.pk}/")
    seen = re.search(r'name="seen" value="([^"]+)"', client.get(edit).content.decode())[1]
    # Another tab saves first.
    services.mention_update(mention=mention, user=annotator, label="ORG")
    stale = {"label": "MISC", "entity": "", "seen": seen}
    response = client.post(edit, stale, **HTMX)
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"])["annotation-stale"]["message"].startswith(
        "Not saved: this annotation was changed in another tab"
    )
    # The panel shows what is saved now, with the version to edit it from.
    assert '<option value="ORG" selected>' in response.content.decode()
    mention.refresh_from_db()
    assert mention.label == "ORG"
    # Without JavaScript: back to the form as it is now, with the reason.
    response = client.post(edit, stale)
    assert response.status_code == 302 and response["Location"] == edit
    assert "changed in another tab" in client.get(edit).content.decode()
    fresh = re.search(r'name="seen" value="([^"]+)"', client.get(edit).content.decode())[1]
    assert client.post(edit, {**stale, "seen": fresh}, **HTMX).status_code == 200
    mention.refresh_from_db()
    assert mention.label == "MISC"


def test_submitting_with_spans_to_resolve_says_so(world, annotator) -> None:
    project, article = world["project"], world["article"]
    EntityMention.objects.filter(annotator=annotator).update(
        anchor_state=EntityMention.State.ORPHANED
    )
    page = logged_in(annotator).post(url(project, article, "submit/"), follow=True)
    assert "Resolve the 1 span under “To resolve” first" in page.content.decode()
    assert Assignment.objects.get(annotator=annotator).status == Assignment.Status.ASSIGNED


def test_deleting_a_claim_with_stances_asks_first(world, annotator) -> None:
    project, article = world["project"], world["article"]
    claim = services.claim_create(
        project=project, article=article, annotator=annotator, span=span_of(article, "Macron")
    )
    client = logged_in(annotator)
    edit = url(project, article, f"claim/{claim.pk}/")
    assert "hx-confirm" not in client.get(edit).content.decode()
    services.stance_create(
        project=project,
        article=article,
        annotator=annotator,
        label="AGREE",
        target_kind="claim",
        target_claim=claim,
    )
    html = client.get(edit).content.decode()
    assert 'hx-confirm="Delete this claim and the 1 stance toward it?"' in html
    groups = '<optgroup label="toward a claim"><option value="AGREE">AGREE</option>'
    assert groups in html  # The new stance form says which labels go with which target.


def test_guidelines_are_markdown_without_html(annotator) -> None:
    article = approved_article()
    project = project_for(annotator, article=article)
    project.guidelines = (
        "Tag **people**.\n\n- one\n- two\n\n<script>alert(1)</script>"
        " [bad](javascript:alert(1)) [good](https://example.org)"
    )
    project.save()
    for page in (url(project, article), f"/annotate/projects/{project.pk}/"):
        html = logged_in(annotator).get(page).content.decode()
        assert "<p>Tag <strong>people</strong>.</p>" in html
        assert "<li>one</li>" in html
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
        assert 'href="javascript:' not in html
        assert '<a href="https://example.org">good</a>' in html


def test_submit_marks_done_and_goes_to_the_next(annotator) -> None:
    first, second = approved_article(title="One"), approved_article(title="Two")
    project = project_for(annotator)
    for article in (first, second):
        services.assignment_create(
            project=project, article=article, annotator=annotator, assigned_by=None
        )
    client = logged_in(annotator)
    response = client.post(url(project, first, "submit/"))
    assert response["Location"] == url(project, second)
    assert "1 of 2 done" in client.get(url(project, second)).content.decode()
    queue = client.get("/annotate/").content.decode()
    assert "1 of 2 done" in queue


def test_a_submitted_article_is_read_only(world, annotator) -> None:
    article, project = world["article"], world["project"]
    mine = EntityMention.objects.get(annotator=annotator)
    client = logged_in(annotator)
    assert client.post(url(project, article, "submit/")).status_code == 302
    span = span_of(article, "Emmanuel Macron")
    writes = [
        ("new/mention/", {"start": span.start, "end": span.end, "exact": span.exact}),
        (f"mention/{mine.pk}/", {"label": "MISC"}),
        (f"mention/{mine.pk}/delete/", {}),
        ("topic-stance/", {"topic": "Climate policy", "label": "FAVOR"}),
    ]
    for suffix, data in writes:
        response = client.post(url(project, article, suffix), {"label": "PER", **data})
        assert response.status_code == 403, suffix
    refused = client.get(url(project, article, f"mention/{mine.pk}/"))
    assert refused.status_code == 403
    assert "You have submitted this article already." in refused.content.decode()
    assert "role" not in refused.content.decode()  # Nothing to ask an administrator for.
    assert EntityMention.objects.get(pk=mine.pk).label == mine.label
    assert not Stance.objects.exists()
    page = client.get(url(project, article)).content.decode()
    assert f"mention/{mine.pk}/" not in page  # No edit or resolve links left.


def test_an_editor_reopens_a_submitted_article(world, annotator, editor) -> None:
    article, project = world["article"], world["project"]
    client = logged_in(annotator)
    client.post(url(project, article, "submit/"))
    assignment = Assignment.objects.get(project=project, article=article, annotator=annotator)
    reopen = f"/annotate/projects/{project.pk}/assignments/{assignment.pk}/reopen/"
    assert client.post(reopen).status_code == 403  # Not the annotator's own call.
    page = logged_in(editor).get(f"/annotate/projects/{project.pk}/").content.decode()
    assert f'action="{reopen}"' in page
    before = Assignment.objects.get(pk=assignment.pk).updated_at
    page = logged_in(editor).post(reopen, follow=True).content.decode()
    assert "Reopened: alice can change the article again." in page
    assignment.refresh_from_db()
    assert (assignment.status, assignment.submitted_at) == ("assigned", None)
    assert assignment.updated_at > before
    assert AnnotationEvent.objects.filter(action="reopen", actor=editor).count() == 1
    span = span_of(article, "Emmanuel Macron")
    form = {"start": span.start, "end": span.end, "exact": span.exact, "label": "PER"}
    assert client.post(url(project, article, "new/mention/"), form).status_code == 302
    page = logged_in(editor).post(reopen, follow=True).content.decode()
    assert "This article is not submitted: it is open already." in page


def test_the_workspace_query_count_does_not_grow_with_spans(
    world, annotator, django_assert_max_num_queries
) -> None:
    article, project = world["article"], world["project"]
    client = logged_in(annotator)
    text = article.current_revision.text
    for start in range(0, len(text) - 5, 7):
        if text[start : start + 5].strip() and "\n" not in text[start : start + 5]:
            services.mention_create(
                project=project,
                article=article,
                annotator=annotator,
                span=services.Span(start, start + 5, text[start : start + 5]),
                label="MISC",
            )
    with django_assert_max_num_queries(25):
        assert client.get(url(project, article)).status_code == 200


def test_a_project_member_outside_the_annotator_group_can_be_assigned(editor) -> None:
    article = approved_article()
    member = User.objects.create_user("dana", password=PASSWORD)  # In no group.
    project = project_for(member)
    client = logged_in(editor)
    page = client.get(f"/annotate/projects/{project.pk}/").content.decode()
    assert f'value="{member.pk}"' in page
    response = client.post(
        f"/annotate/projects/{project.pk}/assign/", {"annotators": [member.pk], "count": 1}
    )
    assert response.status_code == 302
    assert project.assignments.get().article == article


def test_the_project_page_says_when_its_lists_stop_short(editor, annotator, monkeypatch) -> None:
    from annotations import views

    monkeypatch.setattr(views, "MINE_SHOWN", 1)
    monkeypatch.setattr(views, "ALL_SHOWN", 1)
    project = project_for(annotator, editor)
    project.annotators_per_article = 2
    project.save()
    for n in range(2):
        article = approved_article(title=f"Story {n}")
        for user in (annotator, editor):
            services.assignment_create(
                project=project, article=article, annotator=user, assigned_by=None
            )
    page = logged_in(editor).get(f"/annotate/projects/{project.pk}/").content.decode()
    assert "The first 1 of your 2 assignments" in page
    assert "The first 1 of 4 assignments" in page


def test_editors_assign_and_configure(editor, annotator) -> None:
    article = approved_article()
    project = project_for(annotator)
    client = logged_in(editor)
    response = client.post(
        f"/annotate/projects/{project.pk}/assign/", {"annotators": [annotator.pk], "count": 5}
    )
    assert response.status_code == 302
    assert project.assignments.get().article == article
    response = client.post(
        f"/annotate/projects/{project.pk}/settings/",
        {
            "name": project.name,
            "guidelines": "# Tag people",
            "annotators_per_article": 2,
            "labels_text": "PERSON p a person\nPLACE x",
            "topics_text": "Climate\nMigration",
        },
    )
    project.refresh_from_db()
    assert project.label_names == ["PERSON", "PLACE"] and project.topics == ["Climate", "Migration"]
    assert project.annotators_per_article == 2
    assert logged_in(annotator).post(f"/annotate/projects/{project.pk}/assign/").status_code == 403
    refusals = {
        "Not saved: Annotators per article: Ensure this value is greater than": (0, "PERSON p"),
        # A label named twice (in any case) would be two labels of one name, each with a key.
        "Not saved: Entity labels: “PER” is listed twice: one line a label.": (2, "PER p\nper o"),
        "a topic is at most 200 characters (this one has 251)": (2, "PER p"),
    }
    for message, (per_article, labels) in refusals.items():
        form = {
            "name": project.name,
            "annotators_per_article": per_article,
            "labels_text": labels,
            "topics_text": "x" * 251 if "topic" in message else "",
            "guidelines": "Guidelines rewritten at length",
        }
        url = f"/annotate/projects/{project.pk}/settings/"
        response = client.post(url, form)
        refused = response.content.decode()
        assert response.status_code == 400
        assert message in refused and "labels_text:" not in refused
        # What the editor typed comes back to correct, not the saved settings.
        assert "Guidelines rewritten at length</textarea>" in refused
    project.refresh_from_db()
    assert project.annotators_per_article == 2 and project.label_names == ["PERSON", "PLACE"]


def test_assigning_skips_articles_the_chosen_annotators_have_already(
    editor, annotator, django_user_model
) -> None:
    carol = django_user_model.objects.create_user("carol", password=PASSWORD)
    first, second = approved_article(), approved_article()
    project = project_for(annotator, carol)
    project.annotators_per_article = 2
    project.save()
    services.assignment_create(
        project=project, article=first, annotator=annotator, assigned_by=None
    )
    assign = f"/annotate/projects/{project.pk}/assign/"
    client = logged_in(editor)
    # The first article still needs a second annotator, but alice has it: the one article
    # asked for is the second.
    page = client.post(assign, {"annotators": [annotator.pk], "count": 1}, follow=True)
    assert "1 assignment(s) made over 1 article(s)." in page.content.decode()
    alices = project.assignments.filter(annotator=annotator)
    assert set(alices.values_list("article", flat=True)) == {first.pk, second.pk}
    page = client.post(assign, {"annotators": [annotator.pk], "count": 5}, follow=True)
    assert "No approved article needing annotators is left for them." in page.content.decode()
    # Someone else can still take both.
    page = client.post(assign, {"annotators": [annotator.pk, carol.pk], "count": 5}, follow=True)
    assert "2 assignment(s) made over 2 article(s)." in page.content.decode()


def test_renaming_a_topic_carries_its_stances_over(world, editor, annotator) -> None:
    project, article = world["project"], world["article"]
    project.topics = ["Climate policy", "Migration"]
    project.save()
    stance = services.article_topic_stance_set(
        project=project, article=article, annotator=annotator, topic="Climate policy", label="FAVOR"
    )
    rename = f"/annotate/projects/{project.pk}/topics/rename/"
    assert logged_in(annotator).post(rename, {"old": "Migration", "new": "x"}).status_code == 403
    client = logged_in(editor)
    page = client.post(rename, {"old": "Climate policy", "new": " Climate "}, follow=True)
    assert (
        "“Climate policy” is now “Climate”; 1 stance(s) on it moved along." in page.content.decode()
    )
    project.refresh_from_db()
    stance.refresh_from_db()
    assert project.topics == ["Climate", "Migration"] and stance.target_topic == "Climate"
    assert AnnotationEvent.objects.filter(
        model="stance", object_id=stance.pk, action="update", actor=editor
    ).exists()
    refused = {
        "Climate": "Not renamed: “Climate” is already another topic of this project.",
        "Migration": "Not renamed: “Migration” is already called that.",
    }
    for name, message in refused.items():
        page = client.post(rename, {"old": "Migration", "new": name})
        # Refused, and back as typed to correct.
        assert page.status_code == 400, name
        assert message in page.content.decode(), name
        assert f'name="new" value="{name}"' in page.content.decode(), name
    assert Project.objects.get(pk=project.pk).topics == ["Climate", "Migration"]


def test_renaming_a_label_carries_its_entities_and_mentions_over(world, editor, annotator) -> None:
    project, article = world["project"], world["article"]
    merkel = services.entity_create(
        project=project, article=article, annotator=annotator, name="Merkel", label="PER"
    )
    key = next(x["key"] for x in project.entity_labels if x["name"] == "PER")
    before = EntityMention.objects.get(annotator=annotator).updated_at
    rename = f"/annotate/projects/{project.pk}/labels/rename/"
    asked = {"label-old": "PER", "label-new": " person "}
    assert logged_in(annotator).post(rename, asked).status_code == 403
    client = logged_in(editor)
    page = client.post(rename, asked, follow=True).content.decode()
    # Both annotators' mentions and the entity: 3.
    assert "“PER” is now “PERSON”; 3 entities and mentions on it moved along." in page
    project.refresh_from_db()
    assert "PERSON" in project.label_names and "PER" not in project.label_names
    assert next(x["key"] for x in project.entity_labels if x["name"] == "PERSON") == key
    assert set(EntityMention.objects.values_list("label", flat=True)) == {"PERSON"}
    merkel.refresh_from_db()
    assert merkel.label == "PERSON"
    # Each row moved forward for sync consumers, and the change is in the audit trail.
    assert EntityMention.objects.get(annotator=annotator).updated_at > before
    events = AnnotationEvent.objects.filter(action="update", actor=editor)
    assert events.count() == 3
    assert {(e.before["label"], e.after["label"]) for e in events} == {("PER", "PERSON")}
    other = next(name for name in project.label_names if name != "PERSON")
    refused = {
        other: f"Not renamed: “{other}” is already another label of this project.",
        "PERSON": "Not renamed: “PERSON” is already called that.",
        "Per son": "Not renamed: “PER SON”: capital letters, digits, - and _ only.",
    }
    for name, message in refused.items():
        asked = {"label-old": "PERSON", "label-new": name}
        response = client.post(rename, asked)
        page = response.content.decode()
        assert response.status_code == 400 and message in page, name
        assert f'name="label-new" value="{name}"' in page, name
    assert "PERSON" in Project.objects.get(pk=project.pk).label_names


def test_a_label_in_use_is_not_dropped_by_editing_the_list(world, editor) -> None:
    project = world["project"]
    settings_form = {
        "name": project.name,
        "annotators_per_article": 2,
        "labels_text": "PERSON p",  # The line edited: the old name dropped.
    }
    url_ = f"/annotate/projects/{project.pk}/settings/"
    page = logged_in(editor).post(url_, settings_form, follow=True).content.decode()
    assert "“PER” is on 2 entities or mentions. To change a label&#x27;s name, rename it" in page
    assert "PER" in Project.objects.get(pk=project.pk).label_names
    admin_form = ProjectAdminForm(
        {
            "name": project.name,
            "entity_labels": '[{"name": "PERSON"}]',
            "topics": "[]",
            "annotators_per_article": 1,
        },
        instance=project,
    )
    assert "“PER” is on 2 entities or mentions" in str(admin_form.errors["entity_labels"])
    # Labels nothing carries are dropped freely.
    settings_form["labels_text"] = "PER p"
    logged_in(editor).post(url_, settings_form)
    assert Project.objects.get(pk=project.pk).label_names == ["PER"]


def test_a_topic_with_stances_is_not_dropped_by_editing_the_list(world, editor, annotator) -> None:
    project, article = world["project"], world["article"]
    services.article_topic_stance_set(
        project=project, article=article, annotator=annotator, topic="Climate policy", label="NONE"
    )
    settings_form = {
        "name": project.name,
        "annotators_per_article": 2,
        "labels_text": "PER p",
        "topics_text": "Climate",  # The line edited: the old name dropped.
    }
    page = (
        logged_in(editor)
        .post(f"/annotate/projects/{project.pk}/settings/", settings_form, follow=True)
        .content.decode()
    )
    assert "“Climate policy” has 1 stance. To change a topic&#x27;s name, rename it" in page
    assert Project.objects.get(pk=project.pk).topics == ["Climate policy"]
    # The admin's form refuses it the same way.
    admin_form = ProjectAdminForm(
        {
            "name": project.name,
            "entity_labels": '[{"name": "PER"}]',
            "topics": '["Climate"]',
            "annotators_per_article": 1,
        },
        instance=project,
    )
    assert "“Climate policy” has 1 stance" in str(admin_form.errors["topics"])
    # An unused topic is dropped freely.
    settings_form["topics_text"] = "Climate policy"
    project.topics = ["Climate policy", "Migration"]
    project.save()
    logged_in(editor).post(f"/annotate/projects/{project.pk}/settings/", settings_form)
    assert Project.objects.get(pk=project.pk).topics == ["Climate policy"]


# ---------------------------------------------------------------- offsets, as property tests

ALPHABET = st.sampled_from(
    ["a", "Z", " ", "\u00a0", "é", "e\u0301", "👩‍👩‍👧", "🇺🇦", "😀", "ש", "ل", "\r\n", "—", "<", "&"]
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pieces=st.lists(ALPHABET, min_size=3, max_size=40), data=st.data())
def test_offsets_round_trip_through_the_server(annotator, pieces, data) -> None:
    """Code-point offsets posted with their quote come back in the page around that quote."""
    body = "".join(pieces).strip() or "x"
    article = approved_article(title=f"T {uuid.uuid4().hex[:6]}", blocks=[body])
    project = project_for(annotator, article=article)
    text = article.current_revision.text
    start = data.draw(st.integers(article.current_revision.blocks[1][0], len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    exact = text[start:end]
    client = logged_in(annotator)
    response = client.post(
        url(project, article, "new/mention/"),
        {"start": start, "end": end, "exact": exact, "label": "MISC"},
        **HTMX,
    )
    assert response.status_code == 200, response.content
    mention = EntityMention.objects.get(project=project)
    assert (mention.start, mention.end, mention.exact) == (start, end, exact)
    assert text[mention.start : mention.end] == exact
    # Off by one code point either way is refused: the quote no longer matches.
    if end + 1 <= len(text) and text[start + 1 : end + 1] != exact:
        shifted = {"start": start + 1, "end": end + 1, "exact": exact, "label": "MISC"}
        assert (
            client.post(url(project, article, "new/mention/"), shifted, **HTMX).status_code == 400
        )


def test_editors_manage_members_and_project_editors_see_everyone(world, editor) -> None:
    dave, project, article = world["dave"], world["project"], world["article"]
    client = logged_in(editor)
    page = f"/annotate/projects/{project.pk}/members/"
    project_page = client.get(f"/annotate/projects/{project.pk}/").content.decode()
    assert "<h2>Members</h2>" in project_page and "Assign approved articles" in project_page
    # "Set role" as the page offers it adds an annotator; it does not remove anyone.
    role = re.search(r'<select name="role".*?</select>', project_page, re.S)[0]
    assert '<option value="annotator" selected>' in role and 'value="" selected' not in role
    assert client.post(page, {"user": dave.pk, "role": "editor"}).status_code == 302
    html = logged_in(dave).get(url(project, article)).content.decode()
    assert ">Angela Merkel</mark>" in html and ">Emmanuel Macron</mark>" in html
    # A project editor is not a site editor: other projects stay closed.
    other_article = approved_article(title="Elsewhere")
    other = project_for(world["carol"], article=other_article)
    assert logged_in(dave).get(url(other, other_article)).status_code == 404
    assert client.post(page, {"user": dave.pk, "role": ""}).status_code == 302
    assert logged_in(dave).get(url(project, article)).status_code == 404
    assert (
        logged_in(world["carol"]).post(page, {"user": dave.pk, "role": "editor"}).status_code == 403
    )


def test_without_javascript_the_next_page_says_what_a_save_did(world, annotator) -> None:
    project, article = world["project"], world["article"]
    mention = EntityMention.objects.get(annotator=annotator)
    client = logged_in(annotator)
    edit = url(project, article, f"mention/{mention.pk}/")

    def seen() -> str:
        return re.search(r'name="seen" value="([^"]+)"', client.get(edit).content.decode())[1]

    def messages_after(response) -> list[str]:
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
        return re.findall(r'<ul class="messages">(.*?)</ul>', page)

    saved = client.post(edit, {"label": "ORG", "entity": "", "seen": seen()})
    assert messages_after(saved) == ['<li class="success">Saved.</li>']
    same = client.post(edit, {"label": "ORG", "entity": "", "seen": seen()})
    assert messages_after(same) == ['<li class="info">No change.</li>']
    span = span_of(article, "Berlin")
    data = {"start": span.start, "end": span.end, "exact": span.exact, "label": "GPE"}
    created = client.post(url(project, article, "new/mention/"), data)
    assert messages_after(created) == ['<li class="success">Saved.</li>']
    deleted = client.post(url(project, article, f"mention/{mention.pk}/delete/"))
    assert messages_after(deleted) == ['<li class="success">Deleted.</li>']
    # A refusal says only why.
    berlin = EntityMention.objects.get(exact="Berlin")
    stale = client.post(
        url(project, article, f"mention/{berlin.pk}/"),
        {"label": "LOC", "entity": "", "seen": "2000-01-01T00:00:00+00:00"},
    )
    [said] = messages_after(stale)
    assert "changed in another tab" in said and "Saved." not in said
