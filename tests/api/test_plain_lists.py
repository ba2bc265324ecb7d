"""The list endpoints build rows without a serializer per row (newsreader.api.PlainRows): each
row must be exactly what the endpoint's serializer makes of the same object, nulls, times in the
current time zone and joined columns (annotator_username) included."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed

from annotations import services
from annotations.models import Assignment, Claim, Entity, EntityMention, Stance, SupportSpan
from annotations.serializers import (
    AssignmentSerializer,
    ClaimSerializer,
    EntitySerializer,
    MentionSerializer,
    StanceSerializer,
    SupportSpanSerializer,
)
from articles.models import Article
from articles.serializers import ArticleSerializer
from newsreader.api import PlainRows
from tests.annotations.factories import approved_article, project_for, span_of
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

SYNC = ("updated_at", "id")
ENDPOINTS: list[tuple[str, type, Any, tuple[str, ...]]] = [
    ("/api/articles/", Article, ArticleSerializer, SYNC),
    ("/api/assignments/", Assignment, AssignmentSerializer, SYNC),
    ("/api/entities/", Entity, EntitySerializer, SYNC),
    ("/api/mentions/", EntityMention, MentionSerializer, SYNC),
    ("/api/claims/", Claim, ClaimSerializer, SYNC),
    ("/api/stances/", Stance, StanceSerializer, SYNC),
    ("/api/support-spans/", SupportSpan, SupportSpanSerializer, SYNC),
]


@pytest.fixture
def annotated(annotator: User) -> None:
    """One of each kind of annotation, with nullable references both set and unset."""
    article = approved_article()
    other = approved_article(title="Another one")
    # A whole second (no fraction in ISO 8601), a fraction with trailing zeros, hostile text.
    Article.objects.filter(pk=other.pk).update(
        updated_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        created_at=datetime(2024, 1, 2, 3, 4, 5, 120000, tzinfo=UTC),
        title='Quote " back\\ slash \u2028 line \u2029 paragraph, “curly”, ünïcode, \x01 control',
    )
    project = project_for(annotator, article=article)
    merkel = services.entity_create(
        project=project, article=article, annotator=annotator, name="Angela Merkel", label="PER"
    )
    services.mention_create(
        project=project,
        article=article,
        annotator=annotator,
        span=span_of(article, "Angela Merkel"),
        label="PER",
        entity=merkel,
    )
    services.mention_create(
        project=project,
        article=article,
        annotator=annotator,
        span=span_of(article, "Paris"),
        label="GPE",
        origin="some-tool",
    )
    claim = services.claim_create(
        project=project,
        article=article,
        annotator=annotator,
        span=span_of(article, "emissions would fall by 40% before 2030"),
        claimant_kind=Claim.Claimant.ENTITY,
        claimant=merkel,
        cue=span_of(article, "said"),
    )
    services.stance_create(
        project=project,
        article=article,
        annotator=annotator,
        label=Stance.Label.AGREE,
        target_kind=Stance.Target.CLAIM,
        target_claim=claim,
        evidence=[span_of(article, "Critics in Berlin")],
    )
    services.stance_create(
        project=project,
        article=article,
        annotator=annotator,
        label=Stance.Label.FAVOR,
        target_kind=Stance.Target.TOPIC,
        target_topic="Climate policy",
    )
    EntityMention.objects.filter(label="GPE").update(anchor_score=0.75)


@pytest.mark.parametrize("time_zone", ["UTC", "Europe/Berlin"])
@pytest.mark.parametrize(("url", "model", "serializer", "order"), ENDPOINTS)
def test_list_rows_are_the_serializers_rows(
    annotated: None,
    admin_user: User,
    url: str,
    model: type,
    serializer: Any,
    order: tuple[str, ...],
    time_zone: str,
) -> None:
    with override_settings(TIME_ZONE=time_zone), timezone.override(time_zone):
        response = client_for(admin_user).get(url, {"page_size": 1000})
        assert response.status_code == 200
        rows = response.json()["results"]
        objects = model.objects.order_by(*order)
        expected = [dict(serializer(obj).data) for obj in objects]
    assert len(rows) >= 1
    body = response.content.decode()
    assert "\u2028" not in body and "\u2029" not in body
    if model is Article:  # The hostile title, escaped as DRF does.
        assert "\\u2028 line \\u2029 paragraph, “curly”" in body
    assert rows == expected
    assert [list(row) for row in rows] == [list(row) for row in expected]  # field order too


def test_a_serializer_without_a_plain_form_is_refused() -> None:
    from annotations.serializers import ProjectSerializer

    with pytest.raises(TypeError, match="entity_labels has no plain form"):
        PlainRows(ProjectSerializer)


def test_a_page_reads_each_column_once() -> None:
    """The cursor's fields come from the serializer's own columns, not a second copy."""
    plain = PlainRows(ArticleSerializer)
    ids = Article.objects.order_by("updated_at", "id").values_list("pk")[:3]
    sql = plain.page_sql(Article, str(ids.query), "updated_at", "id")
    selected = sql[: sql.index(" FROM ")].split(", ")
    assert len(selected) == len(set(selected)) == len(plain.names)
    row = tuple(range(len(plain.names)))
    names = plain.names
    assert plain.extra_values(row, "updated_at", "id") == (
        names.index("updated_at"),
        names.index("id"),
    )
    # A field the serializer lacks is read after its columns.
    assert plain.page_sql(Article, str(ids.query), "state_changed_at").startswith(
        sql[: sql.index(" FROM ")] + ', "articles_article"."state_changed_at" FROM'
    )
    assert plain.extra_values((*row, "x"), "state_changed_at") == ("x",)


def test_token_authentication_reads_the_tokens_user(annotator: User, editor: User) -> None:
    from rest_framework.test import APIClient

    assert client_for(annotator).get("/api/health/").status_code == 200
    me = client_for(editor).get("/api/articles/")
    assert me.status_code == 200
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = wrong.get("/api/articles/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Invalid token."}
    client = client_for(annotator)
    annotator.is_active = False
    annotator.save()
    response = client.get("/api/articles/")
    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted."}


def test_token_authentication_builds_the_same_objects_as_the_orm(editor: User) -> None:
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIRequestFactory

    from newsreader.authentication import TokenAuthentication

    token, _ = Token.objects.get_or_create(user=editor)
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {token.key}")
    user, got = TokenAuthentication().authenticate(request)
    assert user == editor and got == token and got.user is user
    fields = [f.attname for f in User._meta.concrete_fields]
    assert [getattr(user, f) for f in fields] == [getattr(editor, f) for f in fields]
    assert got.created == token.created
    assert [(o._state.adding, o._state.db) for o in (user, got)] == [(False, "default")] * 2


def test_token_authentication_reads_only_the_authorization_header(editor: User) -> None:
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIRequestFactory

    from newsreader.authentication import TokenAuthentication

    token, _ = Token.objects.get_or_create(user=editor)
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {token.key}")
    user, _ = TokenAuthentication().authenticate(request)
    assert user == editor
    assert "headers" not in request.__dict__  # Django's cached HttpHeaders of every header.
    for header, message in [
        ("Token", "No credentials provided."),
        ("Token a b", "should not contain spaces."),
    ]:
        bad = APIRequestFactory().get("/", HTTP_AUTHORIZATION=header)
        with pytest.raises(AuthenticationFailed, match=message):
            TokenAuthentication().authenticate(bad)
    assert TokenAuthentication().authenticate(APIRequestFactory().get("/")) is None


def test_token_authentication_sends_init_signals_to_their_receivers(editor: User) -> None:
    from django.db.models.signals import post_init
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIRequestFactory

    from newsreader.authentication import TokenAuthentication

    token, _ = Token.objects.get_or_create(user=editor)
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {token.key}")
    made: list[User] = []

    def receiver(sender: type, instance: User, **kwargs: Any) -> None:
        made.append(instance)

    post_init.connect(receiver, sender=User)
    try:
        user, _ = TokenAuthentication().authenticate(request)
    finally:
        post_init.disconnect(receiver, sender=User)
    assert made == [user] and made[0] is user and not user._state.adding


@pytest.mark.parametrize(("url", "model", "serializer", "order"), ENDPOINTS)
def test_following_next_walks_every_row_once(
    annotated: None, admin_user: User, url: str, model: type, serializer: Any, order: tuple
) -> None:
    client = client_for(admin_user)
    seen, link = [], f"{url}?page_size=1"
    while link:
        body = client.get(link).json()
        seen += [row["id"] for row in body["results"]]
        link = body["next"]
    assert seen == list(model.objects.order_by(*order).values_list("id", flat=True))
    again = client.get(url, {"page_size": 1, "cursor": body["next_cursor"]}).json()
    assert again["results"] == [] and again["next"] is None


def test_filters_still_filter(annotated: None, admin_user: User, annotator: User) -> None:
    client = client_for(admin_user)
    project = EntityMention.objects.first().project_id
    article = EntityMention.objects.first().article_id

    def ids(url: str, **query: Any) -> list[int]:
        response = client.get(url, query)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("/api/articles/", project=project) == [article]  # A method filter.
    assert ids("/api/articles/", project=project + 1000) == []
    approved = Article.objects.filter(review_status=Article.Review.APPROVED)
    assert sorted(ids("/api/articles/", approved="true")) == sorted(a.pk for a in approved)
    assert ids("/api/articles/", approved="false") == []
    assert ids("/api/mentions/", origin="some-tool") == list(
        EntityMention.objects.filter(origin="some-tool").values_list("id", flat=True)
    )
    assert ids("/api/mentions/", annotator=annotator.pk + 1000) == []
    assert len(ids("/api/mentions/", annotator=annotator.pk, project=project)) == 2
    assert client.get("/api/mentions/", {"anchor_state": "nonsense"}).status_code == 400
    assert client.get("/api/articles/", {"project": "x"}).status_code == 400


def test_token_authentication_knows_the_users_groups(editor: User, annotator: User) -> None:
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIRequestFactory

    from articles import roles
    from newsreader.authentication import TokenAuthentication

    for person, editing in ((editor, True), (annotator, False)):
        token, _ = Token.objects.get_or_create(user=person)
        request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {token.key}")
        user, _ = TokenAuthentication().authenticate(request)
        assert roles.is_editor(user) is editing
        assert roles.is_annotator(user) is not editing
