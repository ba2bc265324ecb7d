from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile


class ArticleSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=500)
    before = forms.IntegerField(required=False, min_value=1)


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
        widget=MultipleFileInput(attrs={"accept": ".txt,.zip,.tar.gz,.tgz,.tar"}),
        help_text="Text files, or .zip / .tar.gz archives of them.",
    )
    source = forms.CharField(max_length=200, initial="upload")
