from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from annotations import services
from annotations.models import Claim, Entity, Membership, Project, Stance
from annotations.services import Span

QID = re.compile(r"^(Q[1-9][0-9]*|NIL)$")
MAX_QUOTE = 20_000


class SpanForm(forms.Form):
    """Offsets in code points and the quote the client saw there; the service checks both.

    Without a selection (a browser without JavaScript), the quote alone, typed, and which of
    its occurrences in ``text`` (the article's) is meant: the offsets are found here.
    """

    revision = forms.IntegerField(min_value=1, required=False)
    start = forms.IntegerField(min_value=0, required=False)
    end = forms.IntegerField(min_value=1, required=False)
    exact = forms.CharField(strip=False, max_length=MAX_QUOTE, required=False)
    occurrence = forms.IntegerField(min_value=1, required=False)

    def __init__(self, *args: Any, text: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.text = text

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        start, end, exact = data["start"], data["end"], data["exact"]
        if start is None and end is None and exact.strip() and self.text is not None:
            data["exact"] = exact.strip()
            data["start"] = self._find(data["exact"], data["occurrence"] or 1)
            data["end"] = data["start"] + len(data["exact"])
        elif start is None or end is None or not exact:
            raise ValidationError(
                "Select some text first (without JavaScript: type it under “Text to tag”)."
            )
        if data["start"] >= data["end"]:
            raise ValidationError("A span must not be empty.")
        return data

    def _find(self, exact: str, occurrence: int) -> int:
        """Where the ``occurrence``-th time ``exact`` is in the text starts."""
        text, found, at = self.text or "", [], -1
        while len(found) < occurrence and (at := text.find(exact, at + 1)) >= 0:
            found.append(at)
        if len(found) == occurrence:
            return found[-1]
        if not found:
            raise ValidationError(f"“{exact}” is not in the article's text.")
        raise ValidationError(
            f"“{exact}” is in the text {len(found)} time{'s' if len(found) != 1 else ''}:"
            f" choose an occurrence from 1 to {len(found)}."
        )

    @property
    def span(self) -> Span:
        data = self.cleaned_data
        return Span(data["start"], data["end"], data["exact"])


class SupportForm(SpanForm):
    owner = forms.IntegerField(min_value=1)


class MentionForm(SpanForm):
    label = forms.ChoiceField()
    # "" none, "new" a new entity named after the mention, or an entity id.
    entity = forms.CharField(required=False, max_length=20)

    def __init__(self, *args: Any, project: Project, entities: list[Entity], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["label"].choices = [(n, n) for n in project.label_names]
        self.entities = {str(e.pk): e for e in entities}

    def clean_entity(self) -> str:
        value = self.cleaned_data["entity"]
        if value not in ("", "new") and value not in self.entities:
            raise ValidationError("Unknown entity.")
        return value


def _label_choices(project: Project, kept: str | None = None) -> list[tuple[str, str]]:
    """The project's labels, and ``kept`` (what an annotation has) if the project dropped it:
    saving an annotation's other fields keeps its label instead of taking the first."""
    names = list(project.label_names)
    if kept and kept not in names:
        names.append(kept)
    return [(n, n) for n in names]


class MentionEditForm(forms.Form):
    label = forms.ChoiceField()
    entity = forms.CharField(required=False, max_length=20)

    def __init__(
        self, *args: Any, project: Project, entities: list[Entity], kept: str, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["label"].choices = _label_choices(project, kept)
        self.entities = {str(e.pk): e for e in entities}

    def clean_entity(self) -> str:
        value = self.cleaned_data["entity"]
        if value not in ("", "new") and value not in self.entities:
            raise ValidationError("Unknown entity.")
        return value


class EntityForm(forms.Form):
    name = forms.CharField(max_length=300)
    label = forms.ChoiceField()
    kb_id = forms.CharField(
        required=False, max_length=30, label="Wikidata QID", help_text="Q42, or NIL"
    )

    def __init__(self, *args: Any, project: Project, kept: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["label"].choices = _label_choices(project, kept)

    def clean_kb_id(self) -> str:
        value = self.cleaned_data["kb_id"].strip().upper()
        if value and not QID.match(value):
            raise ValidationError("A Wikidata QID (Q followed by digits) or NIL.")
        return value


def _claimant_choices(entities: list[Entity]) -> list[tuple[str, str]]:
    return [("author", "the author"), ("unattributed", "unattributed")] + [
        (f"entity:{e.pk}", e.name) for e in entities
    ]


class ClaimFieldsForm(forms.Form):
    checkworthiness = forms.ChoiceField(choices=Claim.Worthiness.choices)
    claim_type = forms.ChoiceField(choices=Claim.Type.choices)
    claimant = forms.ChoiceField()
    attribution = forms.ChoiceField(choices=Claim.Attribution.choices)

    def __init__(self, *args: Any, entities: list[Entity], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["claimant"].choices = _claimant_choices(entities)
        self.entities = {str(e.pk): e for e in entities}

    def claimant_fields(self) -> dict[str, Any]:
        value = self.cleaned_data["claimant"]
        if value.startswith("entity:"):
            return {"claimant_kind": "entity", "claimant": self.entities[value[7:]]}
        return {"claimant_kind": value, "claimant": None}

    def claim_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "checkworthiness": data["checkworthiness"],
            "claim_type": data["claim_type"],
            "attribution": data["attribution"],
            **self.claimant_fields(),
        }


class ClaimForm(SpanForm, ClaimFieldsForm):
    cue_start = forms.IntegerField(min_value=0, required=False)
    cue_end = forms.IntegerField(min_value=1, required=False)
    cue_exact = forms.CharField(strip=False, required=False, max_length=500)

    @property
    def cue(self) -> Span | None:
        data = self.cleaned_data
        if data.get("cue_start") is None or data.get("cue_end") is None or not data["cue_exact"]:
            return None
        return Span(data["cue_start"], data["cue_end"], data["cue_exact"])


class StanceForm(forms.Form):
    holder = forms.ChoiceField()
    target = forms.ChoiceField()
    label = forms.ChoiceField(choices=Stance.Label.choices)

    def __init__(
        self,
        *args: Any,
        project: Project,
        entities: list[Entity],
        claims: list[Claim],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["holder"].choices = [("author", "the author")] + [
            (f"entity:{e.pk}", e.name) for e in entities
        ]
        self.fields["target"].choices = (
            [(f"topic:{t}", f"topic: {t}") for t in project.topics]
            + [(f"entity:{e.pk}", f"entity: {e.name}") for e in entities]
            + [(f"claim:{c.pk}", f"claim: {c.exact[:60]}") for c in claims]
        )
        self.entities = {str(e.pk): e for e in entities}
        self.claims = {str(c.pk): c for c in claims}

    def stance_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        holder = data["holder"]
        kind, _, value = data["target"].partition(":")
        return {
            "holder": self.entities[holder[7:]] if holder.startswith("entity:") else None,
            "target_kind": kind,
            "target_topic": value if kind == "topic" else "",
            "target_entity": self.entities.get(value) if kind == "entity" else None,
            "target_claim": self.claims.get(value) if kind == "claim" else None,
            "label": data["label"],
        }


# As long as a stance's target_topic may be.
TOPIC_LENGTH = Stance._meta.get_field("target_topic").max_length


class TopicStanceForm(forms.Form):
    topic = forms.CharField(max_length=TOPIC_LENGTH)
    # Blank clears it.
    label = forms.ChoiceField(
        choices=[("", "none"), *[(v, v) for v in ("FAVOR", "AGAINST", "NONE")]], required=False
    )


def check_no_topic_in_use_dropped(project: Project, topics: list[str]) -> None:
    """Refuses a topic list that leaves out a topic stances still point at: they would be
    left toward a topic the project no longer has. A rename carries them over instead."""
    if not project.pk:
        return
    dropped = [topic for topic in project.topics if topic not in topics]
    in_use = services.topics_in_use(project=project, topics=dropped)
    if in_use:
        raise ValidationError(
            "; ".join(
                f"“{topic}” has {n} stance{'s' if n != 1 else ''}" for topic, n in in_use.items()
            )
            + ". To change a topic's name, rename it (its stances follow); to drop it,"
            " its stances have to be deleted first."
        )


def check_no_label_in_use_dropped(project: Project, labels: list[dict[str, str]]) -> None:
    """Refuses a label list that leaves out a label entities or mentions still carry: they
    would be left with a label the project no longer has. A rename carries them over instead."""
    if not project.pk:
        return
    kept = {label["name"] for label in labels}
    dropped = [name for name in project.label_names if name not in kept]
    in_use = services.labels_in_use(project=project, labels=dropped)
    if in_use:
        raise ValidationError(
            "; ".join(
                f"“{label}” is on {n} entit{'ies or mentions' if n != 1 else 'y or mention'}"
                for label, n in in_use.items()
            )
            + ". To change a label's name, rename it (its entities and mentions follow); to"
            " drop it, relabel or delete them first."
        )


def check_entity_labels(labels: object, *, keys_required: bool = False) -> None:
    """Refuses labels the workspace cannot offer: each a name (capitals, digits, - and _) and
    a key (one free letter; the admin may leave it out), no name or key twice."""
    if not isinstance(labels, list) or not labels:
        raise ValidationError("At least one label.")
    names, keys = set(), set()
    for label in labels:
        if not isinstance(label, dict) or not isinstance(label.get("name"), str):
            raise ValidationError(
                f'{label!r}: a label is {{"name": …, "key": …, "description": …}}.'
            )
        name, key = label["name"], label.get("key", "")
        if not re.fullmatch(services.LABEL_NAME, name):
            raise ValidationError(f"“{name}”: capital letters, digits, - and _ only.")
        if name in names:
            raise ValidationError(f"“{name}” is listed twice: one line a label.")
        names.add(name)
        if not isinstance(key, str) or not isinstance(label.get("description", ""), str):
            raise ValidationError(f"“{name}”: its key and description are text.")
        if (key or keys_required) and (
            len(key) != 1 or not key.isalpha() or key in "c0123456789" or key in keys
        ):
            raise ValidationError(f"“{name}”: its key must be one free letter (not c).")
        keys.add(key)


def check_topics(topics: object) -> None:
    if not isinstance(topics, list) or not all(isinstance(t, str) and t.strip() for t in topics):
        raise ValidationError("A list of topic names.")
    if len(set(topics)) != len(topics) or len(topics) > 9:
        raise ValidationError("Up to nine different topics (keys 1–9).")
    if too_long := [t for t in topics if len(t) > TOPIC_LENGTH]:
        raise ValidationError(
            f"“{too_long[0][:40]}…”: a topic is at most {TOPIC_LENGTH} characters"
            f" (this one has {len(too_long[0])})."
        )


class ProjectForm(forms.ModelForm):
    labels_text = forms.CharField(
        label="Entity labels",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One a line: NAME key description, e.g. “PER p person”.",
    )
    topics_text = forms.CharField(
        label="Topics",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One a line.",
    )

    class Meta:
        model = Project
        fields = ("name", "guidelines", "annotators_per_article")
        widgets = {"guidelines": forms.Textarea(attrs={"rows": 8})}

    annotators_per_article = forms.IntegerField(
        min_value=1, max_value=50, initial=1, label="Annotators per article"
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["labels_text"] = "\n".join(
                f"{x['name']} {x.get('key', '')} {x.get('description', '')}".strip()
                for x in self.instance.entity_labels
            )
            self.initial["topics_text"] = "\n".join(self.instance.topics)

    def clean_labels_text(self) -> list[dict[str, str]]:
        labels = []
        for line in self.cleaned_data["labels_text"].splitlines():
            parts = line.split(maxsplit=2)
            if parts:
                name, key, description = (*parts, "", "")[:3]
                labels.append(
                    {"name": name.upper(), "key": key.lower(), "description": description}
                )
        check_entity_labels(labels, keys_required=True)
        check_no_label_in_use_dropped(self.instance, labels)
        return labels

    def clean_topics_text(self) -> list[str]:
        topics = [t.strip() for t in self.cleaned_data["topics_text"].splitlines() if t.strip()]
        check_topics(topics)
        check_no_topic_in_use_dropped(self.instance, topics)
        return topics

    def save(self, commit: bool = True) -> Project:
        self.instance.entity_labels = self.cleaned_data["labels_text"]
        self.instance.topics = self.cleaned_data["topics_text"]
        return super().save(commit)


class TopicRenameForm(forms.Form):
    old = forms.ChoiceField(label="Topic")
    new = forms.CharField(label="New name", max_length=TOPIC_LENGTH)

    def __init__(self, *args: Any, project: Project, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["old"].choices = [(t, t) for t in project.topics]


class LabelRenameForm(forms.Form):
    prefix = "label"  # Beside TopicRenameForm on the project page: ids of its own.
    old = forms.ChoiceField(label="Label")
    new = forms.CharField(label="New name", max_length=30)

    def __init__(self, *args: Any, project: Project, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["old"].choices = [(name, name) for name in project.label_names]


class ProjectAdminForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ("name", "guidelines", "entity_labels", "topics", "annotators_per_article")

    def clean_entity_labels(self) -> list[dict[str, str]]:
        labels = self.cleaned_data["entity_labels"]
        check_entity_labels(labels)
        check_no_label_in_use_dropped(self.instance, labels)
        return labels

    def clean_topics(self) -> list[str]:
        topics = self.cleaned_data["topics"]
        check_topics(topics)
        check_no_topic_in_use_dropped(self.instance, topics)
        return topics


class AssignForm(forms.Form):
    annotators = forms.ModelMultipleChoiceField(queryset=None)  # type: ignore[arg-type]
    count = forms.IntegerField(min_value=1, max_value=1000, initial=20, label="Articles")

    def __init__(self, *args: Any, annotators: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["annotators"].queryset = annotators


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(queryset=None)  # type: ignore[arg-type]
    # Blank removes the person from the project.
    role = forms.ChoiceField(
        choices=[*Membership.Role.choices, ("", "remove from the project")],
        required=False,
        initial=Membership.Role.ANNOTATOR,  # Not blank: "Set role" must not remove by default.
    )

    def __init__(self, *args: Any, users: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
