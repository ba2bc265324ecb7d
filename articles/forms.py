from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from articles.cleaning import LABELS
from articles.models import Article, Source
from articles.review import QUEUE_STATUSES, QueueFilters, QueueSort


class OlderPageForm(forms.Form):
    """A page of a list, newest first: the rows older (lower id) than ``before``."""

    before = forms.IntegerField(required=False, min_value=1)


class ArticleSearchForm(OlderPageForm):
    q = forms.CharField(required=False, max_length=500)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data: object, initial: object = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data] if data else []
        if not items and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class UploadForm(forms.Form):
    files = MultipleFileField(
        # An empty file is refused by ingest and listed in the batch report, as inside an
        # archive, not by the form (which would turn away the whole upload).
        allow_empty_file=True,
        widget=MultipleFileInput(attrs={"accept": ".txt,.zip,.tar.gz,.tgz,.tar"}),
    )
    source = forms.CharField(max_length=200, initial="upload")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Read per form, not at import, so the page states the limit in force.
        limit = settings.NEWSREADER_UPLOAD_MAX_FILES
        self.fields["files"].help_text = (
            f"Text files, or .zip / .tar.gz archives of them: up to {limit:,} files at a time "
            "(an archive counts as one)."
        )


# ---------------------------------------------------------------- review

REVIEW_LABELS = [(label, label.replace("_", " ")) for label in LABELS]


# "<id>" or "<confidence>_<cleaning id>": validated again by the queue.
PAGE_CURSOR = r"^[0-9.e+-]{1,40}(_[0-9]{1,19})?$"


class ReviewQueueForm(forms.Form):
    status = forms.ChoiceField(choices=QUEUE_STATUSES, required=False)
    source = forms.ModelChoiceField(queryset=Source.objects.all(), required=False)
    batch = forms.IntegerField(required=False, min_value=1)
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    min_confidence = forms.FloatField(
        required=False, min_value=0, max_value=1, label="Confidence from"
    )
    max_confidence = forms.FloatField(required=False, min_value=0, max_value=1, label="to")
    q = forms.CharField(required=False, max_length=500, label="Search")
    sort = forms.ChoiceField(choices=QueueSort.CHOICES, required=False)
    after = forms.RegexField(regex=PAGE_CURSOR, required=False, label="Page")
    before = forms.RegexField(regex=PAGE_CURSOR, required=False, label="Page")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("min_confidence"), data.get("max_confidence")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError(
                f"Confidence from {low:g} to {high:g} is an empty range: the first is the lower."
            )
        return data

    def filters(self) -> QueueFilters:
        data = self.cleaned_data
        return QueueFilters(
            status=data["status"] or QUEUE_STATUSES[0][0],
            source=data["source"].pk if data["source"] else None,
            batch=data["batch"],
            since=data["since"],
            until=data["until"],
            min_confidence=data["min_confidence"],
            max_confidence=data["max_confidence"],
            query=data["q"].strip(),
            sort=data["sort"] or QueueSort.NEWEST,
        )


class ArticleVersionsField(forms.Field):
    """Selected articles as "<id>:<edit version>" values, cleaned to {id: version}.

    The version rides along so a bulk action cannot overwrite a change made after the queue
    page was loaded.
    """

    widget = forms.MultipleHiddenInput

    def to_python(self, value: object) -> dict[int, int]:
        items = value if isinstance(value, list | tuple) else []
        versions = {}
        for item in items:
            article_id, _, version = str(item).partition(":")
            if not (
                f"{article_id}{version}".isascii() and article_id.isdigit() and version.isdigit()
            ):
                raise forms.ValidationError("Bad selection.")
            versions[int(article_id)] = int(version)
        return versions


class BulkReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", "Approve"), ("reclean", "Clean again")])
    articles = ArticleVersionsField(error_messages={"required": "Select at least one article."})


class VersionedForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class RecleanForm(VersionedForm):
    # Set by the confirmation step (or hx-confirm): go ahead although corrections are lost.
    confirm = forms.BooleanField(required=False)


class LinesForm(VersionedForm):
    """Line numbers count from 1. ``line`` is a clicked line; ``first``/``last`` a range."""

    line = forms.IntegerField(required=False, min_value=1)
    first = forms.IntegerField(required=False, min_value=1)
    last = forms.IntegerField(required=False, min_value=1)
    label = forms.ChoiceField(
        choices=[
            ("toggle", "toggle body / boilerplate"),
            ("boilerplate", "boilerplate (as the cleaner had it, or other)"),
            *REVIEW_LABELS,
        ],
        required=False,
    )

    MAX_RANGE = 5000

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        # A range (filled in by review.js) wins over the clicked line's own button.
        first = data.get("first") or data.get("line")
        if not first:
            raise forms.ValidationError("Say which line.")
        last = data.get("last") or first
        first, last = min(first, last), max(first, last)
        if last - first >= self.MAX_RANGE:
            raise forms.ValidationError("That range is too long.")
        data["indexes"] = list(range(first - 1, last))
        data["label"] = data.get("label") or "toggle"
        return data


class CutForm(VersionedForm):
    line = forms.IntegerField(min_value=1)
    fragment = forms.CharField(max_length=10000, strip=False)


class TitleForm(VersionedForm):
    title = forms.CharField(max_length=1000)


class BylineForm(VersionedForm):
    # Empty: the article has no byline (the cleaner took something else for one).
    byline = forms.CharField(required=False, max_length=1000)


class RejectForm(VersionedForm):
    reason = forms.ChoiceField(choices=Article.RejectReason.choices)
    note = forms.CharField(required=False, max_length=2000, widget=forms.TextInput)
