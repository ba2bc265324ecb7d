from __future__ import annotations

from django import forms


class ArticleSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=500)
    before = forms.IntegerField(required=False, min_value=1)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data, initial=None):  # type: ignore[no-untyped-def]
        single_clean = super().clean
        if isinstance(data, list | tuple):
            return [single_clean(item, initial) for item in data]
        return [single_clean(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(
        widget=MultipleFileInput(attrs={"accept": ".txt,.zip,.tar.gz,.tgz,.tar"}),
        help_text="Text files, or .zip / .tar.gz archives of them.",
    )
    source = forms.CharField(max_length=200, initial="upload")
