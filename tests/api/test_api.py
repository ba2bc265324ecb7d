"""The REST API over HTTP: tokens, access (blind mode, membership), writes through services,
keyset sync, the changes feed, ETags and bad input."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations import services
from annotations.models import (
    AnnotationEvent,
    Assignment,
    EntityMention,
    Membership,
    SupportSpan,
    Tombstone,
)
from articles.revisions import revision_create
from tests.annotations.factories import approved_article, edit_text, project_for, span_of
from tests.api.conftest import client_for
from tests.articles.factories import make_article
from tests.conftest import PASSWORD, _user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(annotator: User, editor: User) -> dict:
    """alice and carol annotate the same article in one project; bob edits (site editor)."""
    carol = _user("carol", "annotator")
    article = approved_article()
    project = project_for(annotator, carol, article=article)
    alice_mention = services.mention_create(
        project=project,
        article=article,
        annotator=annotator,
        span=span_of(article, "Angela Merkel"),
        label="PER",
    )
    carol_mention = services.mention_create(
        project=project,
        article=article,
        annotator=carol,
        span=span_of(article, "Paris"),
        label="GPE",
    )
    return {
        "article": article,
        "project": project,
        "carol": carol,
        "alice_mention": alice_mention,
        "carol_mention": carol_mention,
    }


def test_token_is_issued_for_username_and_password(annotator: User) -> None:
    client = APIClient()
    response = client.post(
        "/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    authed = APIClient()
    authed.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert authed.get("/api/articles/").status_code == 200
    wrong = client.post("/api/auth/token/", {"username": "alice", "password": "x"}, format="json")
    assert wrong.status_code == 400


def test_it_requires_authentication() -> None:
    anonymous = APIClient().get("/api/articles/")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"] == "Token"
    assert APIClient().get("/api/health/").json() == {"status": "ok"}


def test_annotators_see_only_their_own_annotations(world: dict, annotator: User) -> None:
    rows = client_for(annotator).get("/api/mentions/").json()["results"]
    assert [r["id"] for r in rows] == [world["alice_mention"].pk]
    row = rows[0]
    assert row["annotator_username"] == "alice"
    assert row["exact"] == "Angela Merkel"
    assert row["revision"] == world["article"].current_revision_id
    text = world["article"].current_revision.text
    assert text[row["start"] : row["end"]] == row["exact"]
    assert row["anchor_state"] == "anchored"
    assert row["origin"] == "human"
    assert (
        client_for(annotator).get(f"/api/mentions/{world['carol_mention'].pk}/").status_code == 404
    )


def test_editors_see_everyones_annotations(world: dict, editor: User) -> None:
    rows = client_for(editor).get("/api/mentions/").json()["results"]
    assert {r["id"] for r in rows} == {world["alice_mention"].pk, world["carol_mention"].pk}


def test_project_editors_see_their_projects_only(world: dict) -> None:
    dave = _user("dave", "annotator")
    assert client_for(dave).get("/api/mentions/").json()["results"] == []
    assert client_for(dave).get("/api/projects/").json()["results"] == []
    services.membership_set(project=world["project"], user=dave, role=Membership.Role.EDITOR)
    rows = client_for(dave).get("/api/mentions/").json()["results"]
    assert len(rows) == 2
    assert client_for(dave).get("/api/projects/").json()["results"][0]["schema"]["topics"] == [
        "Climate policy"
    ]


def test_a_tool_creates_a_pre_annotation_through_the_service(world: dict, annotator: User) -> None:
    article = world["article"]
    span = span_of(article, "Emmanuel Macron")
    body = {
        "project": world["project"].pk,
        "article": article.pk,
        "start": span.start,
        "end": span.end,
        "exact": span.exact,
        "label": "PER",
        "origin": "spacy-en-3.8",
        "revision": article.current_revision_id,
    }
    response = client_for(annotator).post("/api/mentions/", body, format="json")
    assert response.status_code == 201, response.content
    created = EntityMention.objects.get(pk=response.json()["id"])
    assert created.origin == "spacy-en-3.8"
    assert created.annotator == annotator
    assert AnnotationEvent.objects.filter(model="entitymention", object_id=created.pk).exists()
    # The tool run again: the same mention answers, not a second one.
    again = client_for(annotator).post("/api/mentions/", body, format="json")
    assert again.status_code == 200, again.content
    assert again.json() == response.json()
    assert EntityMention.objects.filter(origin="spacy-en-3.8").count() == 1
    assert AnnotationEvent.objects.filter(model="entitymention", object_id=created.pk).count() == 1
    # Anything different is another annotation; a person's are never merged.
    other = client_for(annotator).post("/api/mentions/", {**body, "label": "ORG"}, format="json")
    assert other.status_code == 201, other.content
    made = [
        client_for(annotator).post("/api/mentions/", {**body, "origin": origin}, format="json")
        for origin in ("human", "Human")  # "human" in any case is a person.
    ]
    assert [(r.status_code, r.json()["origin"]) for r in made] == [(201, "human")] * 2


def test_writes_are_checked_by_the_services(world: dict, annotator: User) -> None:
    article, client = world["article"], client_for(annotator)
    base = {"project": world["project"].pk, "article": article.pk, "label": "PER"}
    wrong_quote = client.post(
        "/api/mentions/", {**base, "start": 0, "end": 3, "exact": "zzz"}, format="json"
    )
    assert wrong_quote.status_code == 400
    assert "does not match" in json.dumps(wrong_quote.json())
    span = span_of(article, "Paris")
    bad_label = client.post(
        "/api/mentions/",
        {**base, "label": "NOPE", "start": span.start, "end": span.end, "exact": span.exact},
        format="json",
    )
    assert bad_label.status_code == 400
    loaded = edit_text(article)
    stale = client.post(
        "/api/mentions/",
        {**base, "start": span.start, "end": span.end, "exact": span.exact, "revision": loaded},
        format="json",
    )
    assert stale.status_code == 409
    unknown = client.post(
        "/api/mentions/",
        {**base, "start": span.start, "end": span.end, "exact": span.exact, "colour": "red"},
        format="json",
    )
    assert unknown.status_code == 400
    assert unknown.json() == {"colour": ["Unknown field."]}


def test_outsiders_cannot_write(world: dict) -> None:
    dave = _user("dave", "annotator")
    span = span_of(world["article"], "Paris")
    body = {
        "project": world["project"].pk,
        "article": world["article"].pk,
        "label": "GPE",
        "start": span.start,
        "end": span.end,
        "exact": span.exact,
    }
    assert client_for(dave).post("/api/mentions/", body, format="json").status_code == 400
    services.membership_set(project=world["project"], user=dave)
    assert client_for(dave).post("/api/mentions/", body, format="json").status_code == 403


def test_only_the_annotator_changes_or_deletes(world: dict, annotator: User) -> None:
    dave = _user("dave", "annotator")
    services.membership_set(project=world["project"], user=dave, role=Membership.Role.EDITOR)
    url = f"/api/mentions/{world['alice_mention'].pk}/"
    assert client_for(dave).patch(url, {"label": "ORG"}, format="json").status_code == 403
    assert client_for(annotator).patch(url, {"label": "ORG"}, format="json").json()["label"] == (
        "ORG"
    )
    assert client_for(dave).delete(url).status_code == 403
    assert client_for(annotator).delete(url).status_code == 204
    assert Tombstone.objects.filter(object_id=world["alice_mention"].pk).exists()


def test_a_submitted_article_is_read_only_for_its_annotator(world: dict, annotator: User) -> None:
    project, article = world["project"], world["article"]
    entity = services.entity_create(
        project=project, article=article, annotator=annotator, name="Merkel", label="PER"
    )
    claim = services.claim_create(
        project=project,
        article=article,
        annotator=annotator,
        span=span_of(article, "Emmanuel Macron"),
    )
    stance = services.stance_create(
        project=project,
        article=article,
        annotator=annotator,
        label="AGREE",
        target_kind="claim",
        target_claim=claim,
    )
    assignment = Assignment.objects.get(project=project, article=article, annotator=annotator)
    services.assignment_submit(assignment=assignment, user=annotator)
    client = client_for(annotator)
    changes = {
        f"/api/mentions/{world['alice_mention'].pk}/": {"label": "ORG"},
        f"/api/entities/{entity.pk}/": {"name": "Angela Merkel"},
        f"/api/claims/{claim.pk}/": {"checkworthiness": "NFS"},
        f"/api/stances/{stance.pk}/": {"label": "DISAGREE"},
    }
    for url, change in changes.items():
        for refused in (client.patch(url, change, format="json"), client.delete(url)):
            assert refused.status_code == 403, url
            assert refused.json() == {"detail": "You have submitted this article already."}
        assert client.get(url).status_code == 200  # Still readable.
    assert EntityMention.objects.get(pk=world["alice_mention"].pk).label == "PER"
    assert not Tombstone.objects.exists()
    # The project's editors may still correct it, as they may annotate any article.
    bob = _user("bob2", "annotator")
    services.membership_set(project=project, user=bob, role=Membership.Role.EDITOR)
    own = services.mention_create(
        project=project, article=article, annotator=bob, span=span_of(article, "Paris"), label="GPE"
    )
    assert (
        client_for(bob)
        .patch(f"/api/mentions/{own.pk}/", {"label": "LOC"}, format="json")
        .status_code
        == 200
    )


def test_bad_input_gets_a_clear_4xx(annotator: User) -> None:
    client = client_for(annotator)
    malformed = client.generic(
        "POST", "/api/mentions/", "{not json", content_type="application/json"
    )
    assert malformed.status_code == 400
    assert "JSON parse error" in malformed.json()["detail"]
    wrong_type = client.post("/api/mentions/", {"project": "x", "article": []}, format="json")
    assert wrong_type.status_code == 400
    assert "project" in wrong_type.json()
    huge = client.generic(
        "POST",
        "/api/mentions/",
        json.dumps({"exact": "x" * 2_000_000}),
        content_type="application/json",
    )
    assert huge.status_code == 413
    assert "too large" in huge.json()["detail"]
    # A chunked body (no Content-Length), which Django would read as empty.
    chunked = client.generic(
        "POST",
        "/api/mentions/",
        json.dumps({"project": 1}),
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
        CONTENT_LENGTH="",
    )
    assert chunked.status_code == 411
    assert "Content-Length" in chunked.json()["detail"]
    assert client.get("/api/articles/?cursor=garbage").status_code == 400
    assert client.get("/api/articles/?page_size=0").status_code == 400
    # Digits that are not ASCII ("²" passes str.isdigit(), not int()).
    for url in ("/api/mentions/?page_size=%C2%B2", "/api/changes/?project=%C2%B2"):
        assert client.get(url).status_code == 400, url
    assert client.get("/api/articles/?updated_after=yesterday").status_code == 400
    for url in ("/api/mentions/abc/", "/api/projects/1.5/", "/api/claims/-1/"):
        not_an_id = client.get(url)
        assert not_an_id.status_code == 404 and not_an_id.json() == {"detail": "Not found."}


def test_json_of_the_wrong_type_is_refused_not_converted(world: dict, annotator: User) -> None:
    client, editor_client = client_for(annotator), client_for(_user("eve", "editor"))
    number_as_text = editor_client.post("/api/ingest/", {"text": 123}, format="json")
    assert number_as_text.status_code == 400
    assert number_as_text.json() == {"text": ["Must be a string."]}
    span = span_of(world["article"], "Paris")
    base = {"project": world["project"].pk, "article": world["article"].pk, "label": "GPE"}
    text_as_number = client.post(
        "/api/mentions/",
        {**base, "start": str(span.start), "end": span.end * 1.0, "exact": span.exact},
        format="json",
    )
    assert text_as_number.status_code == 400
    assert text_as_number.json() == {
        "start": ["Must be a whole number."],
        "end": ["Must be a whole number."],
    }
    imported = client.post(
        f"/api/projects/{world['project'].pk}/import/", {"jsonl": 123}, format="json"
    )
    assert imported.json() == {"jsonl": ["Must be a string."]}
    # Form posts (ingest takes files) are text throughout, and still work.
    form = editor_client.post("/api/ingest/", {"text": "A story.\n\nIts body.", "name": "f.txt"})
    assert form.status_code == 201


def test_input_errors_name_their_field(world: dict, annotator: User) -> None:
    client = client_for(annotator)
    url = f"/api/mentions/{world['alice_mention'].pk}/"
    fixed = client.patch(url, {"start": 5, "colour": "red"}, format="json")
    assert fixed.status_code == 400
    assert fixed.json() == {
        "colour": ["Unknown field."],
        "start": ["This field cannot be changed."],
    }
    bad_label = client.patch(url, {"label": "NOPE"}, format="json")
    assert bad_label.status_code == 400
    assert bad_label.json() == {"label": ["“NOPE” is not a label of this project."]}
    token = APIClient().post(
        "/api/auth/token/",
        {"username": "alice", "password": PASSWORD, "remember": True},
        format="json",
    )
    assert token.status_code == 400 and token.json() == {"remember": ["Unknown field."]}


def test_article_list_syncs_by_cursor(annotator: User) -> None:
    articles = [approved_article(title=f"Story {i}") for i in range(5)]
    client = client_for(annotator)
    seen, url = [], "/api/articles/?page_size=2"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == [a.pk for a in sorted(articles, key=lambda a: (a.updated_at, a.pk))]
    # A change moves the article to the end: a consumer resuming from its cursor sees it.
    first = client.get("/api/articles/?page_size=5").json()
    assert first["next"] is None
    last_seen = first["results"][-1]["updated_at"]
    articles[0].save(update_fields=["updated_at"])
    later = client.get("/api/articles/", {"updated_after": last_seen}).json()["results"]
    assert [row["id"] for row in later] == [articles[0].pk]


def test_article_filters(annotator: User) -> None:
    approved = approved_article(title="Harbour derby ends in a draw")
    client = client_for(annotator)
    assert [r["id"] for r in client.get("/api/articles/?approved=true").json()["results"]] == [
        approved.pk
    ]
    assert [r["id"] for r in client.get("/api/articles/?q=harbour").json()["results"]] == [
        approved.pk
    ] or approved.search_vector is None
    assert client.get("/api/articles/?state=bogus").status_code == 400
    project = project_for(annotator, article=approved)
    rows = client.get(f"/api/articles/?project={project.pk}").json()["results"]
    assert [r["id"] for r in rows] == [approved.pk]
    for word, expected in (("1", [approved.pk]), ("FALSE", []), ("no", [])):
        rows = client.get(f"/api/articles/?approved={word}").json()["results"]
        assert [r["id"] for r in rows if r["id"] == approved.pk] == expected, word
    response = client.get("/api/articles/?approved=maybe")
    assert response.status_code == 400
    assert response.json() == {"approved": ["Use true or false."]}
    # An id is a whole number: not rounded to another row's.
    for url in (
        "/api/articles/?source=1.5",
        "/api/mentions/?article=1e0",
        "/api/claims/?project=2.5",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert list(response.json().values()) == [["Enter a whole number."]], url


def test_a_mistyped_filter_is_refused_not_ignored(world: dict, annotator: User) -> None:
    # Ignored, "projcet" would list every row: a consumer would mirror far more than asked.
    client = client_for(annotator)
    project = world["project"].pk
    for url in (
        f"/api/mentions/?projcet={project}",
        f"/api/mentions/?project={project}&projcet={project}&page_size=5",
        "/api/articles/?aproved=true",
        "/api/projects/?name=x",
        "/api/changes/?projects=1",
        "/api/revisions/?cursor_=x",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        (name, [message]), *others = response.json().items()
        assert not others and name in url and message.startswith("Unknown query parameter"), url
    # A parameter with no value or two, or an id in other digits ("١", Arabic-Indic one) or
    # as a decimal: not ignored, not read as 1.
    blank = "No value: give one, or leave the parameter out."
    for url, name, reason in (
        ("/api/mentions/?project=", "project", blank),
        ("/api/articles/?q=&approved=true", "q", blank),
        ("/api/changes/?project=", "project", blank),
        ("/api/revisions/?cursor=", "cursor", blank),
        ("/api/mentions/?project=1&project=2", "project", "Given more than once: give one value."),
        ("/api/mentions/?project=%D9%A1", "project", "Enter a whole number."),
        ("/api/mentions/?project=1.0", "project", "Enter a whole number."),
        ("/api/articles/?source=%D9%A1", "source", "Enter a whole number."),
    ):
        response = client.get(url)
        assert (response.status_code, response.json()) == (400, {name: [reason]}), url
    message = client.get("/api/mentions/?projcet=1").json()["projcet"][0]
    assert "takes anchor_state, annotator, article, cursor, format, origin, page_size, " in message
    # What each list documents still works, the format override included.
    for url in (
        f"/api/mentions/?project={project}&anchor_state=anchored&page_size=5&format=json",
        f"/api/changes/?project={project}&page_size=5",
        "/api/articles/?approved=true&q=x&updated_after=2000-01-01T00:00Z",
    ):
        assert client.get(url).status_code == 200, url


def test_the_schema_types_id_filters_as_integers(annotator: User) -> None:
    schema = client_for(annotator).get("/api/schema/?format=json").json()
    ids = {"project", "article", "annotator", "revision", "source"}
    typed = {
        (path, p["name"]): p["schema"].get("type")
        for path, methods in schema["paths"].items()
        for p in methods.get("get", {}).get("parameters", [])
        if p["in"] == "query" and p["name"] in ids
    }
    assert len(typed) > 20
    assert {kind for kind in typed.values()} == {"integer"}, typed


def test_the_schema_documents_the_errors_every_operation_may_answer(annotator: User) -> None:
    paths = client_for(annotator).get("/api/schema/?format=json").json()["paths"]

    def documented(path: str, method: str) -> set[str]:
        return set(paths[path][method]["responses"])

    assert {"400", "401", "403", "429"} <= documented("/api/mentions/", "get")
    assert {"400", "401", "403", "409", "413", "429"} <= documented("/api/mentions/", "post")
    assert {"401", "403", "404", "429"} <= documented("/api/mentions/{id}/", "delete")
    assert "400" not in documented("/api/mentions/{id}/", "delete")  # No input to refuse.
    assert documented("/api/health/", "get") == {"200"}  # Open to all, never throttled.
    assert "401" not in documented("/api/auth/token/", "post")
    error = paths["/api/articles/"]["get"]["responses"]["401"]["content"]["application/json"]
    assert error["schema"] == {"$ref": "#/components/schemas/Error"}
    components = client_for(annotator).get("/api/schema/?format=json").json()["components"]
    fields = components["schemas"]["Project"]["properties"]
    assert fields["topics"]["items"] == {"type": "string"}
    assert fields["entity_labels"]["items"] == {"$ref": "#/components/schemas/EntityLabel"}
    listed = {p["name"] for p in paths["/api/mentions/"]["get"]["parameters"]}
    assert {"cursor", "page_size", "format"} <= listed


def test_an_article_has_its_approved_byline(annotator: User) -> None:
    article = approved_article()
    client = client_for(annotator)
    assert client.get(f"/api/articles/{article.pk}/").json()["byline"] is None
    article.byline = "By Maria Jensen, Staff Reporter"
    article.save(update_fields=["byline"])
    body = client.get(f"/api/articles/{article.pk}/").json()
    assert body["byline"] == "By Maria Jensen, Staff Reporter"


def test_the_project_filter_shows_only_the_users_projects(annotator: User, editor: User) -> None:
    article = approved_article()
    elsewhere = project_for(editor, article=article)
    client = client_for(annotator)
    assert client.get(f"/api/articles/?project={elsewhere.pk}").json()["results"] == []
    rows = client_for(editor).get(f"/api/articles/?project={elsewhere.pk}").json()["results"]
    assert [r["id"] for r in rows] == [article.pk]  # A site editor sees every project.
    services.membership_set(project=elsewhere, user=annotator)
    rows = client.get(f"/api/articles/?project={elsewhere.pk}").json()["results"]
    assert [r["id"] for r in rows] == [article.pk]


def test_revisions_have_etags(annotator: User) -> None:
    article = approved_article()
    client = client_for(annotator)
    url = f"/api/revisions/{article.current_revision_id}/"
    response = client.get(url)
    assert response.status_code == 200
    assert response.json()["text"] == article.current_revision.text
    etag = response["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304


def test_changes_feed_mirrors_creates_updates_and_deletes(world: dict, editor: User) -> None:
    client = client_for(editor)
    project = world["project"]

    def drain(cursor: str | None) -> tuple[list[dict], str | None]:
        entries = []
        params = {"project": project.pk, "page_size": 1}
        while True:
            page = client.get("/api/changes/", {**params, **({"cursor": cursor} if cursor else {})})
            assert page.status_code == 200, page.content
            body = page.json()
            entries += body["results"]
            cursor = body["next_cursor"]
            if body["next"] is None:
                return entries, cursor

    mirror: dict[tuple[str, int], dict] = {}

    def apply(entries: list[dict]) -> None:
        for entry in entries:
            if entry["op"] == "upsert":
                mirror[entry["model"], entry["id"]] = entry["data"]
            else:
                mirror.pop((entry["model"], entry["id"]), None)

    entries, cursor = drain(None)
    apply(entries)
    assert set(mirror) == {
        ("mention", world["alice_mention"].pk),
        ("mention", world["carol_mention"].pk),
    }
    services.annotation_delete(obj=world["carol_mention"], user=world["carol"])
    services.mention_update(
        mention=world["alice_mention"], user=world["alice_mention"].annotator, label="ORG"
    )
    entries, cursor = drain(cursor)
    apply(entries)
    assert set(mirror) == {("mention", world["alice_mention"].pk)}
    assert mirror["mention", world["alice_mention"].pk]["label"] == "ORG"


def test_ingest_keeps_its_url_name() -> None:
    from django.urls import reverse

    assert reverse("api-ingest") == "/api/ingest/"


def test_a_revision_of_another_article_is_a_400_not_a_conflict(
    world: dict, annotator: User
) -> None:
    other = approved_article(title="Another story")
    article = world["article"]
    response = client_for(annotator).post(
        "/api/mentions/",
        {
            "project": world["project"].pk,
            "article": article.pk,
            "revision": other.current_revision_id,
            "start": 0,
            "end": 6,
            "exact": article.current_revision.text[:6],
            "label": "PER",
        },
        format="json",
    )
    assert response.status_code == 400
    (reason,) = response.json()["detail"]
    assert reason == f"Revision {other.current_revision_id} is not a revision of this article."


def test_a_revision_not_live_yet_is_told_from_a_stale_one(world: dict, annotator: User) -> None:
    article = world["article"]
    live = article.current_revision
    pending = revision_create(
        article=article, title=article.title, blocks=["Critics agreed."], created_by=None
    )
    body = {
        "project": world["project"].pk,
        "article": article.pk,
        "revision": pending.pk,
        "start": 0,
        "end": 7,
        "exact": "Critics",
        "label": "PER",
    }
    response = client_for(annotator).post("/api/mentions/", body, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"Revision {pending.pk} (number 2) is not live yet: the article's text is still"
        f" revision {live.pk} (number 1) until the annotations are re-anchored to the new one."
    )


def test_a_submitted_assignment_comes_again_after_the_saved_cursor(
    world: dict, annotator: User
) -> None:
    client = client_for(annotator)
    first = client.get("/api/assignments/").json()
    (mine,) = first["results"]
    assert mine["status"] == "assigned"
    caught_up = client.get("/api/assignments/", {"cursor": first["next_cursor"]}).json()
    assert caught_up["results"] == []
    services.assignment_submit(assignment=Assignment.objects.get(pk=mine["id"]), user=annotator)
    (changed,) = client.get("/api/assignments/", {"cursor": first["next_cursor"]}).json()["results"]
    assert changed["id"] == mine["id"] and changed["status"] == "submitted"
    assert changed["updated_at"] > mine["updated_at"]
    since = client.get("/api/assignments/", {"updated_after": mine["updated_at"]}).json()
    assert [row["id"] for row in since["results"]] == [mine["id"]]


def test_a_pre_annotated_claims_cue_and_stances_evidence_carry_its_origin(
    world: dict, annotator: User
) -> None:
    article, client = world["article"], client_for(annotator)

    def span(exact: str) -> dict:
        found = span_of(article, exact)
        return {"start": found.start, "end": found.end, "exact": found.exact}

    base = {"project": world["project"].pk, "article": article.pk, "origin": "claimbot"}
    claim_body = {**base, **span("emissions would fall by 40% before 2030"), "cue": span("said")}
    claim = client.post("/api/claims/", claim_body, format="json")
    assert claim.status_code == 201, claim.content
    stance_body = {
        **base,
        "label": "AGREE",
        "target_kind": "claim",
        "target_claim": claim.json()["id"],
        "evidence": [span("Critics in Berlin")],
    }
    stance = client.post("/api/stances/", stance_body, format="json")
    assert stance.status_code == 201, stance.content
    rows = client.get("/api/support-spans/", {"origin": "claimbot"}).json()["results"]
    assert sorted(row["role"] for row in rows) == ["cue", "evidence"]
    # The tool run again: the same claim, cue, stance and evidence; nothing deleted and remade.
    claim_again = client.post("/api/claims/", claim_body, format="json")
    assert (claim_again.status_code, claim_again.json()["id"]) == (200, claim.json()["id"])
    stance_again = client.post("/api/stances/", stance_body, format="json")
    assert (stance_again.status_code, stance_again.json()["id"]) == (200, stance.json()["id"])
    again = client.get("/api/support-spans/", {"origin": "claimbot"}).json()["results"]
    assert [row["id"] for row in again] == [row["id"] for row in rows]
    assert not Tombstone.objects.exists()
    # Posted again with other evidence: the tool's evidence is replaced, not piled up.
    other = {**stance_body, "evidence": [span("Berlin")]}
    stance_other = client.post("/api/stances/", other, format="json")
    assert (stance_other.status_code, stance_other.json()["id"]) == (200, stance.json()["id"])
    evidence = client.get("/api/support-spans/").json()["results"]
    assert [row["exact"] for row in evidence if row["role"] == "evidence"] == ["Berlin"]
    assert Tombstone.objects.filter(model="supportspan").count() == 1
    # Posted again without evidence, as a claim without a cue: it keeps what it has.
    without = {key: value for key, value in stance_body.items() if key != "evidence"}
    assert client.post("/api/stances/", without, format="json").status_code == 200
    assert SupportSpan.objects.filter(role="evidence").get().exact == "Berlin"
    # A stance as the API lists it (target_topic "" toward a claim) posts back as it is.
    listed = client.get(f"/api/stances/{stance.json()['id']}/").json()
    assert listed["target_topic"] == ""
    posted_back = client.post("/api/stances/", {**stance_body, "target_topic": ""}, format="json")
    assert (posted_back.status_code, posted_back.json()["id"]) == (200, stance.json()["id"])
    # Its holder_kind too, checked against its holder; what the server sets is named as such.
    assert listed["holder_kind"] == "author"
    as_listed = {**stance_body, "holder_kind": "author"}
    assert client.post("/api/stances/", as_listed, format="json").status_code == 200
    by_entity = {**stance_body, "holder_kind": "entity"}
    no_entity = client.post("/api/stances/", by_entity, format="json")
    assert no_entity.json() == {"holder": ["Name the entity that holds it."]}
    with_times = {**stance_body, "id": listed["id"], "updated_at": listed["updated_at"]}
    refused = client.post("/api/stances/", with_times, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "id": ["Set by the server: leave this out."],
        "updated_at": ["Set by the server: leave this out."],
    }
    # A target of another kind than target_kind says is refused, not dropped.
    mixed = {**stance_body, "target_topic": "Climate policy", "target_entity": 5}
    refused = client.post("/api/stances/", mixed, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "target_topic": ["The target is a claim, not a topic: leave this out."],
        "target_entity": ["The target is a claim, not an entity: leave this out."],
    }
    # Toward a topic, a blank one is refused, saying so.
    blank = {**base, "label": "FAVOR", "target_kind": "topic", "target_topic": ""}
    refused = client.post("/api/stances/", blank, format="json")
    assert refused.json() == {"target_topic": ["A stance toward a topic names the topic."]}


def test_assigning_twice_answers_the_existing_assignment(
    world: dict, editor: User, annotator: User
) -> None:
    article = approved_article(title="To be assigned")
    project = world["project"]
    project.annotators_per_article = 2
    project.save()
    body = {"project": project.pk, "article": article.pk, "annotator": annotator.pk}
    client = client_for(editor)
    created = client.post("/api/assignments/", body, format="json")
    assert created.status_code == 201, created.content
    again = client.post("/api/assignments/", body, format="json")
    assert again.status_code == 200 and again.json() == created.json()
    refused = client_for(annotator).post("/api/assignments/", body, format="json")
    assert refused.status_code == 403
    unknown = client.post("/api/assignments/", {**body, "annotator": 10**9}, format="json")
    assert unknown.status_code == 400 and unknown.json() == {"annotator": ["No such user."]}


def test_the_index_lists_every_resource(annotator: User) -> None:
    index = APIClient().get("/api/")
    assert index.status_code == 200
    body = index.json()
    assert body["docs"] == "http://testserver/api/docs/"
    assert body["schema"] == "http://testserver/api/schema/"
    client = client_for(annotator)
    for name, url in body["resources"].items():
        path = url.removeprefix("http://testserver")
        answer = (
            client.get(path)
            if name not in ("ingest", "token")
            else client.post(path, {}, format="json")
        )
        # Found and answering (ingest is for editors: 403 to an annotator).
        assert answer.status_code in (200, 400, 403), (name, answer.status_code)


def test_nothing_is_annotated_on_an_article_without_approved_text(world: dict) -> None:
    """As in the web UI, which has no workspace for it: entities and topic stances included,
    though they have no span to need the text."""
    dave = _user("dave", "annotator")
    services.membership_set(project=world["project"], user=dave, role=Membership.Role.EDITOR)
    unapproved = make_article("A headline\nA body line that is long enough to count as prose.\n")
    base = {"project": world["project"].pk, "article": unapproved.pk, "origin": "tool"}
    client = client_for(dave)
    for path, body in (
        ("/api/entities/", {**base, "name": "Angela Merkel", "label": "PER"}),
        (
            "/api/stances/",
            {**base, "label": "FAVOR", "target_kind": "topic", "target_topic": "Climate policy"},
        ),
    ):
        response = client.post(path, body, format="json")
        assert response.status_code == 400, (path, response.content)
        assert response.json() == {"article": ["This article has no approved text yet."]}


def test_a_second_stance_on_a_topic_names_the_one_there_is(world: dict, annotator: User) -> None:
    article, client = world["article"], client_for(annotator)
    base = {"project": world["project"].pk, "article": article.pk, "origin": "stancebot"}
    body = {**base, "label": "FAVOR", "target_kind": "topic", "target_topic": "Climate policy"}
    first = client.post("/api/stances/", body, format="json")
    assert first.status_code == 201, first.content
    # The tool run again: its stance, not a conflict.
    assert client.post("/api/stances/", body, format="json").status_code == 200
    for other in ({**body, "label": "AGAINST"}, {**body, "origin": "human"}):
        refused = client.post("/api/stances/", other, format="json")
        assert refused.status_code == 400
        (message,) = refused.json()["detail"]
        assert f"(stance {first.json()['id']}, FAVOR, origin stancebot)" in message
