"""Every model has a working admin, for the people who run Newsreader."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from articles.models import CleaningHint
from articles.tasks import clean_articles
from tests.articles.factories import make_article

MODELS = [
    model for app in ("articles", "annotations") for model in apps.get_app_config(app).get_models()
]


def test_every_model_is_in_the_admin() -> None:
    assert [m.__name__ for m in MODELS if m not in admin.site._registry] == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_the_changelist_renders(model, admin_user) -> None:
    article = make_article("Title of a page\nA body line that is long enough to count as prose.\n")
    clean_articles([article.pk])
    client = Client()
    client.force_login(admin_user)
    meta = model._meta
    response = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "articles_reviewevent",
        "annotations_annotationevent",
        "annotations_tombstone",
        # Changed only through the services, which audit, tombstone and re-anchor.
        "articles_article",
        "articles_textrevision",
        "articles_cleaning",
        "annotations_entity",
        "annotations_entitymention",
        "annotations_claim",
        "annotations_supportspan",
        "annotations_stance",
        # Made by ingest and re-anchoring, as the report of what they did.
        "articles_ingestbatch",
        "articles_ingestduplicate",
        "articles_ingestrejection",
        "articles_ingestskip",
        "annotations_reanchorrun",
        # Working records of the app: a hand-made one is one no process produced.
        "articles_linestat",
        "articles_cleaninghint",
        "articles_reviewdraft",
        "annotations_exportjob",
    ],
)
def test_records_the_services_keep_are_read_only(name: str, admin_user) -> None:
    client = Client()
    client.force_login(admin_user)
    assert client.get(reverse(f"admin:{name}_add")).status_code == 403


@pytest.mark.django_db
def test_a_stale_working_record_can_still_be_deleted(admin_user) -> None:
    article = make_article("Title of a page\nA body line that is long enough to count as prose.\n")
    clean_articles([article.pk])
    hint = CleaningHint.objects.create(source=article.source, key=1, label="OTHER")
    client = Client()
    client.force_login(admin_user)
    change = client.get(reverse("admin:articles_cleaninghint_change", args=[hint.pk]))
    assert change.status_code == 200 and b'name="_save"' not in change.content
    delete = reverse("admin:articles_cleaninghint_delete", args=[hint.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not CleaningHint.objects.exists()


@pytest.mark.django_db
def test_an_article_opened_in_the_admin_has_no_form_to_save(admin_user) -> None:
    """A textarea would turn the text's \n into \r\n on save (found by a walk-through)."""
    article = make_article("Title of a page\nA body line that is long enough to count.\n")
    client = Client()
    client.force_login(admin_user)
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = client.get(url).content.decode()
    assert "<textarea" not in page and 'name="_save"' not in page
    assert client.post(url, {"text": "changed"}).status_code == 403
    article.refresh_from_db()
    assert article.text.endswith("count.\n")


@pytest.mark.django_db
def test_users_are_deactivated_not_deleted(admin_user, annotator) -> None:
    client = Client()
    client.force_login(admin_user)
    url = reverse("admin:auth_user_delete", args=[annotator.pk])
    assert client.get(url).status_code == 403
    change = client.get(reverse("admin:auth_user_change", args=[annotator.pk]))
    assert change.status_code == 200 and 'name="is_active"' in change.content.decode()


@pytest.mark.django_db
def test_a_project_added_in_the_admin_starts_with_the_standard_labels(admin_user) -> None:
    from annotations.models import Project

    client = Client()
    client.force_login(admin_user)
    add = reverse("admin:annotations_project_add")
    form = client.get(add).context["adminform"].form
    data = {
        "name": "From the admin",
        "entity_labels": form["entity_labels"].value(),
        "topics": "[]",
        "annotators_per_article": 1,
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
    }
    response = client.post(add, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Project.objects.get(name="From the admin").label_names[:2] == ["PER", "ORG"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("labels", "topics", "message"),
    [
        ('"PER"', "[]", "At least one label."),
        ("[1]", "[]", "1: a label is"),
        ('[{"name": "PER"}, {"name": "PER"}]', "[]", "“PER” is listed twice"),
        ('[{"name": "PER", "key": "p"}, {"name": "ORG", "key": "p"}]', "[]", "one free letter"),
        ('[{"name": "per"}]', "[]", "capital letters, digits, - and _ only"),
        ('[{"name": "PER"}]', '"Economy"', "A list of topic names."),
        ('[{"name": "PER"}]', '["Economy", "Economy"]', "Up to nine different topics"),
    ],
)
def test_the_admin_refuses_labels_and_topics_the_pages_cannot_show(
    admin_user, labels: str, topics: str, message: str
) -> None:
    # Saved, a label list of another shape made every page and API answer of the project a 500.
    client = Client()
    client.force_login(admin_user)
    data = {
        "name": "From the admin",
        "entity_labels": labels,
        "topics": topics,
        "annotators_per_article": 1,
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
    }
    response = client.post(reverse("admin:annotations_project_add"), data)
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors)


def test_the_token_admin_shows_a_key_once_when_it_is_made(admin_user, django_user_model) -> None:
    client = Client()
    client.force_login(admin_user)
    holder = django_user_model.objects.create_user("sync-bot")
    made = client.post(reverse("admin:newsreader_apitoken_add"), {"user": holder.pk})
    key = Token.objects.get(user=holder).key
    assert made.status_code == 200
    assert key in made.content.decode()
    listed = client.get(reverse("admin:newsreader_apitoken_changelist")).content.decode()
    assert key not in listed
    assert f"{key[:6]}…" in listed
    page = client.get(reverse("admin:newsreader_apitoken_change", args=[holder.pk]))
    assert key not in page.content.decode()
    # Nor in the history every staff user can read.
    assert key not in LogEntry.objects.get(object_id=str(holder.pk)).object_repr
    # The token cannot be moved to another user.
    other = django_user_model.objects.create_user("someone-else")
    client.post(reverse("admin:newsreader_apitoken_change", args=[holder.pk]), {"user": other.pk})
    assert Token.objects.get(key=key).user == holder
