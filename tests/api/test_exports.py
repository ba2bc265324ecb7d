"""Exports: the job cycle over HTTP, each format from plain data, and a JSONL round trip."""

from __future__ import annotations

import importlib.util
import io
import json
import zipfile
from unittest import mock

import pytest
from django.contrib.auth.models import User

from annotations import services
from annotations.exports import FORMATS, Doc, brat, claims, conll, render, stance, webanno
from annotations.exports.collect import collect
from annotations.exports.jobs import export_job_run
from annotations.models import Claim, Entity, EntityMention, ExportJob, Stance, SupportSpan
from tests.annotations.factories import approved_article, project_for, span_of
from tests.api.conftest import client_for
from tests.conftest import _user

TEXT = "Angela Merkel met Emmanuel Macron in Paris.\n\nShe said emissions would fall by 40%."


def doc() -> Doc:
    return Doc(
        article=1,
        revision=2,
        title="t",
        text=TEXT,
        annotator="alice",
        entities=[
            {"id": 7, "name": "Angela Merkel", "label": "PER", "kb_id": "Q567", "origin": "human"}
        ],
        mentions=[
            {
                "id": 1,
                "start": 0,
                "end": 13,
                "exact": "Angela Merkel",
                "label": "PER",
                "entity": 7,
                "origin": "human",
                "anchor_state": "anchored",
            },
            # Ends inside the token "Macron": not aligned to tokens.
            {
                "id": 2,
                "start": 18,
                "end": 30,
                "exact": "Emmanuel Mac",
                "label": "PER",
                "entity": None,
                "origin": "human",
                "anchor_state": "anchored",
            },
            {
                "id": 3,
                "start": 37,
                "end": 42,
                "exact": "Paris",
                "label": "GPE",
                "entity": None,
                "origin": "tool",
                "anchor_state": "anchored",
            },
        ],
        claims=[
            {
                "id": 9,
                "start": 45,
                "end": 82,
                "exact": TEXT[45:82],
                "checkworthiness": "CFS",
                "claim_type": "quantity",
                "claimant_kind": "entity",
                "claimant": 7,
                "attribution": "reported_speech",
                "origin": "human",
                "anchor_state": "anchored",
                "cue": {"start": 49, "end": 53, "exact": "said"},
            },
        ],
        stances=[
            {
                "id": 4,
                "holder": None,
                "target_kind": "topic",
                "target_entity": None,
                "target_claim": None,
                "target_topic": "Climate policy",
                "label": "FAVOR",
                "origin": "human",
                "evidence": [],
            },
        ],
    )


def test_conll_tags_bio_and_reports_misaligned_spans() -> None:
    files = conll.render([doc()])
    lines = files["conll2003.txt"].splitlines()
    assert lines[0] == "-DOCSTART- -X- -X- O"
    assert "Angela -X- _ B-PER" in lines
    assert "Merkel -X- _ I-PER" in lines
    assert "Paris -X- _ B-GPE" in lines
    # The misaligned span is tagged on the tokens it touches and reported, not dropped.
    assert "Macron -X- _ I-PER" in lines
    report = files["misaligned.tsv"].splitlines()
    assert len(report) == 2
    assert "\t18\t30\tPER\tEmmanuel Mac\tinside a token" in report[1]


def test_conll_tags_the_span_on_token_edges_over_a_misaligned_one() -> None:
    text = "Ironbridge United won 3-2."
    ironbridge = {"start": 0, "end": 17, "exact": "Ironbridge United", "label": "ORG"}
    longer = {"start": 0, "end": 19, "exact": "Ironbridge United 3", "label": "MISC"}
    inside = {"start": 4, "end": 10, "exact": "bridge", "label": "LOC"}
    tagged, misaligned = conll.tag(text, [longer, inside, ironbridge])
    tags = [t for _, _, t in tagged]
    # The misaligned ones are reported, and tag nothing here: their tokens are taken.
    assert tags[:2] == ["B-ORG", "I-ORG"] and set(tags[2:]) == {"O"}
    reasons = {(m["label"], m["reason"]) for m in misaligned}
    assert reasons == {("MISC", "inside a token"), ("LOC", "inside a token")}


def test_brat_standoff_has_t_r_a_and_n_lines() -> None:
    files = brat.render([doc()])
    assert files["1-r2-alice.txt"] == TEXT
    ann = files["1-r2-alice.ann"].splitlines()
    assert "T1\tPER 0 13\tAngela Merkel" in ann
    assert any(line.startswith("N1\tReference T1 Wikidata:Q567") for line in ann)
    assert any(line.startswith("R") and "Cue Arg1:" in line for line in ann)
    assert any(line.startswith("A") and "Checkworthiness" in line and "CFS" in line for line in ann)
    for line in ann:
        if line.startswith("T"):
            label_and_offsets, covered = line.split("\t")[1:]
            start, end = map(int, label_and_offsets.split(" ")[1:3])
            assert TEXT[start:end] == covered


def test_brat_text_of_a_span_across_a_blank_line_is_its_fragments_joined() -> None:
    d = doc()
    d.mentions = [{**d.mentions[2], "end": 48, "exact": TEXT[37:48]}]  # "Paris.\n\nShe"
    d.claims = []
    # brat checks the text against the fragments joined by one space, and refuses a mismatch.
    assert brat.ann(d).splitlines()[0] == "T1\tGPE 37 43;45 48\tParis. She"


def _brat_conf(conf: str) -> dict[str, dict[str, str]]:
    """{section: {type: its argument list}} of an annotation.conf."""
    sections: dict[str, dict[str, str]] = {}
    for line in conf.splitlines():
        if line.startswith("["):
            section = sections.setdefault(line.strip("[]"), {})
        elif line.strip():
            kind, _, args = line.partition("\t")
            section[kind] = args
    return sections


def test_brat_has_claimants_and_stances_toward_entities_and_topics() -> None:
    d = doc()
    d.entities += [
        {"id": 8, "name": "Emmanuel Macron", "label": "PER", "kb_id": "", "origin": "human"},
        {"id": 6, "name": "Olaf\nScholz", "label": "PER", "kb_id": "", "origin": "human"},
    ]
    d.mentions[1]["entity"] = 8  # Olaf Scholz (6) is never mentioned.
    toward_topic = d.stances[0]  # The author's, toward a topic: no span on either side.
    entity = {"target_kind": "entity", "target_entity": 8, "target_topic": ""}
    d.stances += [
        {**toward_topic, "id": 5, "holder": 7},
        {**toward_topic, **entity, "id": 6, "holder": 7, "label": "AGAINST"},
        {**toward_topic, **entity, "id": 7, "label": "FAVOR"},
        {
            **toward_topic,
            "id": 8,
            "holder": 6,
            "target_kind": "claim",
            "target_claim": 9,
            "target_topic": "",
            "label": "DISAGREE",
        },
    ]
    files = brat.render([d])
    ann = files["1-r2-alice.ann"].splitlines()
    # T1 Merkel, T2 Macron, T3 Paris, T4 the claim (Merkel's), T5 its cue.
    assert "T4\tClaim 45 82\t" + TEXT[45:82] in ann
    assert "A4\tClaimantKind T4 entity" in ann
    assert "R1\tClaimant Arg1:T4 Arg2:T1" in ann
    assert "R3\tStance_AGAINST Arg1:T1 Arg2:T2" in ann
    assert "A5\tAuthorStance T2 FAVOR" in ann
    assert "#1\tAnnotatorNotes T1\tStance FAVOR toward topic: Climate policy" in ann
    # Held by someone never mentioned: a note on the claim, not the author's stance.
    assert "#2\tAnnotatorNotes T4\tStance DISAGREE held by: Olaf Scholz" in ann
    assert not any(line.startswith("A") and "AuthorStance T4" in line for line in ann)
    assert len(ann) == 16  # 5 T, 5 A, 3 R, 1 N, 2 #, and nothing for the author's topic stance.
    # brat loads only the types annotation.conf declares, and attribute values among them.
    conf = _brat_conf(files["annotation.conf"])
    for line in ann:
        kind, rest = line.split("\t")[1].split(" ", 1)
        if line.startswith("R"):
            assert kind in conf["relations"], line
        elif line.startswith("A"):
            value = rest.split(" ")[1]
            assert value in conf["attributes"][kind].split("Value:")[1].split("|"), line
    # The author's stance toward the topic has nowhere to go in brat, so it is listed.
    assert brat.holds(d, toward_topic) is False
    assert [brat.holds(d, s) for s in d.stances[1:]] == [True] * 4
    listed = zipfile.ZipFile(io.BytesIO(render("brat", [d])[2])).read("left-out.tsv")
    assert listed.decode().splitlines()[1:] == [
        "1-r2-alice\tstance\t4\t\t\tFAVOR\t\t\tthe author toward topic Climate policy"
    ]


def test_brat_has_each_stances_evidence() -> None:
    d = doc()
    said = {"start": 49, "end": 53, "exact": "said"}
    toward_topic = d.stances[0]
    d.stances += [
        {
            **toward_topic,
            "id": 5,
            "holder": 7,
            "target_kind": "claim",
            "target_claim": 9,
            "target_topic": "",
            "label": "AGREE",
            "evidence": [said],
        },
    ]
    # The author's stance toward a topic has no span of its own, but evidence: it goes there.
    toward_topic["evidence"] = [{"start": 37, "end": 42, "exact": "Paris"}]
    assert brat.holds(d, toward_topic)
    ann = brat.ann(d).splitlines()
    # R1 the claimant, R2 the cue, R3 the stance.
    assert "R3\tStance_AGREE Arg1:T1 Arg2:T4" in ann
    assert "T6\tEvidence 37 42\tParis" in ann
    about = "Evidence of the stance FAVOR of the author toward topic: Climate policy"
    assert f"#1\tAnnotatorNotes T6\t{about}" in ann
    assert "T7\tEvidence 49 53\tsaid" in ann
    assert "#2\tAnnotatorNotes T7\tEvidence of R3" in ann
    assert "Evidence" in _brat_conf(brat.render([d])["annotation.conf"])["entities"]
    assert "left-out.tsv" not in zipfile.ZipFile(io.BytesIO(render("brat", [d])[2])).namelist()


def test_web_annotation_has_quote_and_position_selectors() -> None:
    data = json.loads(webanno.render([doc()])["annotations.jsonld"])
    assert data["type"] == "AnnotationCollection"
    first = data["first"]["items"][0]
    quote, position = first["target"]["selector"]
    assert quote == {
        "type": "TextQuoteSelector",
        "exact": "Angela Merkel",
        "prefix": "",
        "suffix": TEXT[13:45],
    }
    assert position == {"type": "TextPositionSelector", "start": 0, "end": 13}
    assert data["first"]["items"][2]["creator"] == {"type": "Software", "name": "tool"}


# What the W3C context (anno.jsonld) defines and the export uses; the rest must be ``nr:``.
W3C_TERMS = {
    "@context",
    "id",
    "type",
    "label",
    "total",
    "first",
    "items",
    "startIndex",
    "motivation",
    "creator",
    "name",
    "body",
    "target",
    "source",
    "selector",
    "purpose",
    "value",
    "exact",
    "prefix",
    "suffix",
    "start",
    "end",
}
W3C_TYPES = {
    "AnnotationCollection",
    "AnnotationPage",
    "Annotation",
    "Person",
    "Software",
    "TextualBody",
    "SpecificResource",
    "TextQuoteSelector",
    "TextPositionSelector",
}
W3C_MOTIVATIONS = {"tagging", "classifying", "identifying", "linking", "commenting"}


def _undefined_terms(node: object) -> list[str]:
    """Keys, types and purposes in the JSON-LD that neither context defines."""
    found: list[str] = []
    if isinstance(node, list):
        for x in node:
            found += _undefined_terms(x)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in W3C_TERMS and not key.startswith("nr:"):
                found.append(key)
            if key == "type" and value not in W3C_TYPES and not value.startswith("nr:"):
                found.append(value)
            if key in ("purpose", "motivation") and value not in W3C_MOTIVATIONS:
                found.append(value)
            if key != "@context":
                found += _undefined_terms(value)
    return found


def test_web_annotation_has_entity_links_claim_fields_and_stances() -> None:
    d = doc()
    d.stances += [
        {
            **d.stances[0],
            "id": 5,
            "holder": 7,
            "target_kind": "claim",
            "target_claim": 9,
            "target_topic": "",
            "label": "AGREE",
            "evidence": [{"start": 45, "end": 53, "exact": "She said"}],
        },
        {**d.stances[0], "id": 6, "target_kind": "entity", "target_entity": 7, "target_topic": ""},
    ]
    data = json.loads(webanno.render([d])["annotations.jsonld"])
    assert data["@context"][2] == {"nr": "urn:newsreader:ns:"}
    assert _undefined_terms(data) == []
    items = {item["id"]: item for item in data["first"]["items"]}
    assert data["total"] == len(items) == 7
    merkel = {
        "id": "urn:newsreader:entity:7",
        "type": "nr:Entity",
        "label": "Angela Merkel",
        "nr:entityLabel": "PER",
        "nr:kbId": "Q567",
    }
    assert items["urn:newsreader:mention:1"]["body"][1:] == [
        {"type": "SpecificResource", "purpose": "identifying", "source": merkel},
        {
            "type": "SpecificResource",
            "purpose": "identifying",
            "source": "http://www.wikidata.org/entity/Q567",
        },
    ]
    assert len(items["urn:newsreader:mention:2"]["body"]) == 1  # Not linked to an entity.
    claim = items["urn:newsreader:claim:9"]
    assert [b["value"] for b in claim["body"]] == [
        "claim",
        "checkworthiness:CFS",
        "claim_type:quantity",
        "attribution:reported_speech",
        "claimant:entity",
    ]
    assert claim["nr:claimant"] == merkel
    assert claim["nr:cue"]["selector"][1] == {
        "type": "TextPositionSelector",
        "start": 49,
        "end": 53,
    }
    topic, toward_claim, toward_entity = (items[f"urn:newsreader:stance:{i}"] for i in (4, 5, 6))
    author = {"id": "urn:newsreader:article:1:author", "type": "nr:Author"}
    assert topic["body"] == [{"type": "TextualBody", "purpose": "classifying", "value": "FAVOR"}]
    assert topic["target"] == {
        "id": "urn:newsreader:topic:Climate%20policy",
        "type": "nr:Topic",
        "label": "Climate policy",
    }
    assert topic["nr:holder"] == author and "nr:evidence" not in topic
    assert toward_claim["target"] == claim["id"]
    assert toward_claim["nr:holder"] == merkel
    assert toward_claim["nr:evidence"][0]["selector"][0]["exact"] == "She said"
    assert toward_entity["target"] == merkel and toward_entity["nr:holder"] == author


def test_stance_and_claim_shapes() -> None:
    quoted = doc()
    held = {**quoted.stances[0], "id": 5, "holder": 7, "label": "AGAINST"}
    quoted.stances.append(held)  # Merkel's stance, not the article's.
    semeval = stance.render([quoted])["semeval2016-task6.txt"].splitlines()
    assert len(semeval) == 2
    assert semeval[0] == "ID\tTarget\tTweet\tStance"
    assert semeval[1].split("\t")[1] == "Climate policy"
    assert semeval[1].split("\t")[3] == "FAVOR"
    assert "\n" not in semeval[1]
    assert claims.render_claimbuster([doc()])["claimbuster.csv"].splitlines()[1].endswith(",1")
    checkthat = claims.render_checkthat([doc()])["checkthat.tsv"].splitlines()
    assert checkthat[1].split("\t") == ["article-1", "9", TEXT[45:82], "1"]


def test_every_format_renders() -> None:
    for name in FORMATS:
        if name == "spacy-docbin" and importlib.util.find_spec("spacy") is None:
            with pytest.raises(RuntimeError, match="spaCy is not installed"):
                render(name, [doc()])
            continue
        _, content_type, content = render(name, [doc()])
        assert content, name
        if content_type == "application/zip":
            assert zipfile.ZipFile(io.BytesIO(content)).namelist()


def test_spans_on_an_older_revision_are_listed_not_exported() -> None:
    old = doc()
    old.revision, old.current = 1, False
    old.mentions, old.claims = old.mentions[:1], []
    for name in ("doccano", "conll2003"):
        _, content_type, content = render(name, [doc(), old])
        files = zipfile.ZipFile(io.BytesIO(content))
        assert content_type == "application/zip"
        if name == "doccano":
            lines = files.read("annotations.jsonl").decode().splitlines()
            assert [json.loads(x)["id"] for x in lines] == ["1-r2-alice"]
        assert files.read("left-out.tsv").decode().splitlines() == [
            "document\tkind\tid\tstart\tend\tlabel\texact\tanchor_state\tstance",
            "1-r1-alice\tmention\t1\t0\t13\tPER\tAngela Merkel\tanchored\t",
        ]
    _, content_type, _ = render("doccano", [doc()])
    assert content_type == "application/jsonl"  # Nothing left out: the file itself.
    # Claim and stance formats list only what they carry: a left-out mention is no concern of
    # theirs, and they stay the one file a pipeline reads.
    for name in ("checkthat", "claimbuster", "semeval2016"):
        assert render(name, [doc(), old])[1] != "application/zip", name
    old.claims = doc().claims
    files = zipfile.ZipFile(io.BytesIO(render("checkthat", [doc(), old])[2]))
    assert [row.split("\t")[1] for row in files.read("left-out.tsv").decode().splitlines()[1:]] == [
        "claim"
    ]
    # A stance toward a claim that is left out goes with it.
    toward = doc()
    toward.claims = []
    toward.stances[0].update(target_kind="claim", target_claim=9, label="AGREE")
    files = zipfile.ZipFile(io.BytesIO(render("doccano", [toward])[2]))
    assert json.loads(files.read("annotations.jsonl"))["stances"] == []
    assert files.read("left-out.tsv").decode().splitlines()[1] == (
        "1-r2-alice\tstance\t4\t\t\tAGREE\t\t\tthe author toward claim 9"
    )


@pytest.fixture
def annotated(annotator: User) -> dict:
    article = approved_article()
    project = project_for(annotator, article=article)
    merkel = services.entity_create(
        project=project,
        article=article,
        annotator=annotator,
        name="Angela Merkel",
        label="PER",
        kb_id="Q567",
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
        origin="spacy",
    )
    claim = services.claim_create(
        project=project,
        article=article,
        annotator=annotator,
        span=span_of(article, "emissions would fall by 40% before 2030"),
        claimant_kind=Claim.Claimant.ENTITY,
        claimant=merkel,
        attribution=Claim.Attribution.REPORTED,
        cue=span_of(article, "said"),
    )
    services.stance_create(
        project=project,
        article=article,
        annotator=annotator,
        label="AGREE",
        target_kind="claim",
        target_claim=claim,
        holder=merkel,
    )
    services.article_topic_stance_set(
        project=project,
        article=article,
        annotator=annotator,
        topic="Climate policy",
        label="FAVOR",
    )
    return {"article": article, "project": project}


def _export(client: object, project_id: int, fmt: str, **extra: object) -> bytes:
    with mock.patch("annotations.tasks.run_export.delay") as delay:
        created = client.post(  # type: ignore[attr-defined]
            f"/api/projects/{project_id}/exports/", {"format": fmt, **extra}, format="json"
        )
    assert created.status_code == 202, created.content
    job = created.json()
    assert job["state"] == "pending"
    # Absolute, as the lists' next links are.
    assert job["url"] == f"http://testserver/api/exports/{job['id']}/" == created["Location"]
    assert client.get(job["url"]).json()["download"] is None  # type: ignore[attr-defined]
    early = client.get(job["url"] + "download/")  # type: ignore[attr-defined]
    assert early.status_code == 409
    assert early.json() == {"detail": "The export is pending, not ready yet."}
    # The worker's side, called directly; a second delivery does nothing.
    assert export_job_run(job_id=job["id"]) == "done"
    assert export_job_run(job_id=job["id"]) == "not pending"
    polled = client.get(job["url"]).json()  # type: ignore[attr-defined]
    assert polled["state"] == "done"
    assert polled["download"] == job["url"] + "download/"
    download = client.get(polled["download"])  # type: ignore[attr-defined]
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    del delay
    return download.content


@pytest.mark.django_db
def test_export_job_cycle_and_jsonl_round_trip(annotated: dict, annotator: User) -> None:
    client = client_for(annotator)
    project = annotated["project"]
    exported = _export(client, project.pk, "doccano").decode()
    record = json.loads(exported)
    assert record["label"][0][2] in ("PER", "GPE")
    assert {m["origin"] for m in record["mentions"]} == {"human", "spacy"}

    # Deleted, then imported back: the same annotations, so the same export.
    for model in (Stance, SupportSpan, Claim, EntityMention, Entity):
        for obj in model.objects.filter(project=project):
            if model.objects.filter(pk=obj.pk).exists():
                services.annotation_delete(obj=obj, user=annotator)
    assert not EntityMention.objects.filter(project=project).exists()
    second = project
    imported = client.post(f"/api/projects/{second.pk}/import/", {"jsonl": exported}, format="json")
    assert imported.status_code == 200, imported.content
    assert imported.json() == {"entities": 1, "mentions": 2, "claims": 1, "stances": 2}
    assert _export(client, second.pk, "doccano").decode() == exported
    # The tool's lines imported once more: nothing new.
    tools = [{**m, "entity": None} for m in record["mentions"] if m["origin"] != "human"]
    rerun = {**record, "entities": [], "claims": [], "stances": [], "mentions": tools}
    again = client.post(
        f"/api/projects/{second.pk}/import/", {"jsonl": json.dumps(rerun)}, format="json"
    )
    assert again.status_code == 200, again.content
    assert again.json() == {"entities": 0, "mentions": 0, "claims": 0, "stances": 0}
    assert _export(client, second.pk, "doccano").decode() == exported


@pytest.mark.django_db
def test_annotators_export_only_their_own(annotated: dict, annotator: User) -> None:
    carol = _user("carol", "annotator")
    services.membership_set(project=annotated["project"], user=carol)
    response = client_for(carol).post(
        f"/api/projects/{annotated['project'].pk}/exports/",
        {"format": "doccano", "annotator": annotator.pk},
        format="json",
    )
    assert response.status_code == 403
    with mock.patch("annotations.tasks.run_export.delay"):
        mine = client_for(carol).post(
            f"/api/projects/{annotated['project'].pk}/exports/",
            {"format": "conll2003"},
            format="json",
        )
    job = ExportJob.objects.get(pk=mine.json()["id"])
    assert job.filters == {"annotator": carol.pk}
    assert collect(annotated["project"], carol.pk) == []
    unknown = client_for(_user("erin", "editor")).post(
        f"/api/projects/{annotated['project'].pk}/exports/",
        {"format": "doccano", "annotator": 10**9},
        format="json",
    )
    assert unknown.status_code == 400 and unknown.json() == {"annotator": ["No such user."]}


@pytest.mark.django_db
def test_import_reports_the_bad_line(annotated: dict, annotator: User) -> None:
    response = client_for(annotator).post(
        f"/api/projects/{annotated['project'].pk}/import/",
        {"jsonl": '{"article": 1, "text": ""}\n{oops'},
        format="json",
    )
    assert response.status_code == 400
    assert "line 2" in json.dumps(response.json())


@pytest.mark.django_db
def test_an_import_of_non_ascii_text_may_use_its_whole_character_limit(
    annotated: dict, annotator: User
) -> None:
    """JSON may write each of the 900,000 characters as six bytes: past the 1 MiB of other
    inputs, which the import's limit in characters would then never reach."""
    article = annotated["article"]
    line = json.dumps({"article": article.pk, "text": "中" * 400_000}, ensure_ascii=False)
    url = f"/api/projects/{annotated['project'].pk}/import/"
    client = client_for(annotator)
    body = json.dumps({"jsonl": line})  # Each 中 as \\u4e2d: six bytes.
    assert len(body) > 2 * 1024 * 1024
    response = client.generic("POST", url, body, content_type="application/json")
    assert response.status_code == 200, response.content[:300]
    over = json.dumps({"jsonl": line * 3})
    response = client.generic("POST", url, over, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"].endswith("post a larger export in parts of whole lines.")


@pytest.mark.django_db
def test_a_docbin_export_needs_spacy_here(annotated: dict, annotator: User) -> None:
    url = f"/api/projects/{annotated['project'].pk}/exports/"
    with (
        mock.patch("annotations.exports.spacy.docbin_available", return_value=False),
        mock.patch("annotations.tasks.run_export.delay") as delay,
    ):
        response = client_for(annotator).post(url, {"format": "spacy-docbin"}, format="json")
    assert response.status_code == 400
    assert "spaCy is not installed" in response.json()["format"][0]
    delay.assert_not_called()
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"entities": [{"id": "E1", "name": None, "label": "PER"}]}, "name: This field may not"),
        ({"entities": [{"id": "E1", "name": "x" * 301, "label": "PER"}]}, "name: Ensure"),
        ({"claims": [{"start": 0, "end": 5, "checkworthiness": "zzz"}]}, '"zzz" is not a valid'),
        ({"mentions": [{"start": 0.5, "end": 5, "label": "PER"}]}, "Must be a whole number"),
        # JSON of the wrong type, as the API refuses it: not converted.
        ({"mentions": [{"start": "0", "end": 5, "label": "PER"}]}, "start: Must be a whole"),
        ({"claims": [{"start": 0, "end": 5, "cue": ["0", 2]}]}, "cue: Must be a whole number"),
        ({"mentions": [{"start": 0, "end": 5, "label": "PER", "entity": "E9"}]}, "'E9' is not"),
        ({"mentions": [{"start": 5, "end": 5, "label": "PER"}]}, "start must be less than end"),
        ({"revision": "x"}, "revision: Must be a whole number"),
        # Plain doccano labels: of those types exactly.
        ({"label": [["0", "5", "PER"]]}, "'label' must be [[start, end, label], …]"),
        ({"label": [[0, 5.7, "PER"]]}, "'label' must be [[start, end, label], …]"),
        ({"label": [[True, 5, "PER"]]}, "'label' must be [[start, end, label], …]"),
        ({"label": "PER"}, "'label' must be [[start, end, label], …]"),
        ({"text": 5}, "'text' must be a string"),
        # A misspelt key is refused, not left to a default: "claimtype" would be "other".
        ({"claims": [{"start": 0, "end": 5, "claimtype": "quantity"}]}, "claimtype: Unknown"),
        ({"mentions": [{"start": 0, "end": 5, "label": "PER", "colour": 1}]}, "colour: Unknown"),
        ({"bogus": 1}, "bogus: Unknown field"),
    ],
)
def test_import_checks_each_line_as_the_api_does(
    annotated: dict, annotator: User, change: dict, message: str
) -> None:
    article = annotated["article"]
    record = {"article": article.pk, "text": article.current_revision.text, **change}
    response = client_for(annotator).post(
        f"/api/projects/{annotated['project'].pk}/import/",
        {"jsonl": json.dumps(record)},
        format="json",
    )
    assert response.status_code == 400, response.content
    (reason,) = response.json()["jsonl"]
    assert reason.startswith("line 1: ") and message in reason, reason


@pytest.mark.django_db
def test_json_nested_too_deeply_is_a_400(annotated: dict, annotator: User) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    client = client_for(annotator)
    editor = client_for(_user("dora", "editor"))
    for url, who in (
        ("/api/auth/token/", client),
        ("/api/mentions/", client),
        ("/api/ingest/", editor),
    ):
        response = who.generic("POST", url, deep, content_type="application/json")
        assert response.status_code == 400, url
        assert "nested too deeply" in response.json()["detail"]
    response = client.post(
        f"/api/projects/{annotated['project'].pk}/import/", {"jsonl": deep}, format="json"
    )
    assert response.json() == {"jsonl": ["line 1: not JSON (nested too deeply)"]}


@pytest.mark.django_db
def test_downloading_a_failed_export_says_why(annotated: dict, annotator: User) -> None:
    job = ExportJob.objects.create(
        project=annotated["project"],
        requested_by=annotator,
        format="doccano",
        state=ExportJob.State.FAILED,
        error="The worker ran out of memory.",
    )
    response = client_for(annotator).get(f"/api/exports/{job.pk}/download/")
    assert response.status_code == 409
    assert response.json() == {"detail": "The export failed: The worker ran out of memory."}
