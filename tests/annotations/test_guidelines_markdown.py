"""The one filter that returns HTML it was given as text: nothing hostile gets through."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from annotations.templatetags.guidelines import markdown

HOSTILE = [
    '<script>alert("x")</script>',
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "<javascript:alert(1)>",
    "[x](vbscript:msgbox)",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    '[x](https://example.org "a\\" onmouseover=alert(1)")',
    "`<b>` and <b>bold</b> & {{ x }} {% y %}",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_comes_out_escaped(text: str) -> None:
    html = str(markdown(text)).lower()
    tags = set(re.findall(r"<([a-z0-9]+)", html))
    assert tags <= {"p", "a", "code"}, tags
    for attributes in re.findall(r"<a\s([^>]*)>", html):
        assert set(re.findall(r'([a-z-]+)="', attributes)) <= {"href", "title"}
    assert not re.search(r'href="\s*(javascript|vbscript|data|file):', html)


def test_images_are_not_fetched() -> None:
    assert "<img" not in str(markdown("![tracker](https://example.org/t.png)"))


def test_only_guidelines_go_through_the_filter() -> None:
    """Editors write guidelines; article text (titles, bodies, quotes) must never reach the
    one filter whose output is marked safe, however well markdown-it escapes."""
    templates = Path(__file__).resolve().parents[2] / "templates"
    uses = [
        use
        for page in templates.rglob("*.html")
        for use in re.findall(r"\{\{\s*([^}|]+?)\s*\|\s*markdown\b", page.read_text())
    ]
    assert uses and set(uses) == {"project.guidelines"}, uses
    # Nor by the other ways to apply a filter: a {% filter %} block, or a chain after another.
    tags = [
        tag
        for page in templates.rglob("*.html")
        for tag in re.findall(r"\{[{%].*?[}%]\}", page.read_text(), re.S)
        if re.search(r"\bmarkdown\b", tag)
    ]
    assert {re.sub(r"\s+", "", tag) for tag in tags} == {"{{project.guidelines|markdown}}"}, tags
