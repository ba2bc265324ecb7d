"""Project guidelines, written by editors in Markdown, as HTML."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

register = template.Library()

# CommonMark without raw HTML: markdown-it escapes any HTML in the text, and refuses links to
# javascript:, vbscript:, file: and (but for images) data: URLs.
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


@register.filter
def markdown(text: str) -> SafeString:
    return mark_safe(_markdown.render(text))  # noqa: S308 (escaped by markdown-it, html off)
