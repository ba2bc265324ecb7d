import codecs

import pytest

from articles.decoding import Rejected, decode

TEXT = "Größe: “Zürich” – 5 €\nSecond line\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("cp1252"), "cp1252"),
        ("Café au lait, naïve façade\n".encode("latin-1"), "cp1252"),
    ],
)
def test_it_decodes(data: bytes, encoding: str) -> None:
    text, found = decode(data)
    assert found == encoding
    assert text.lstrip("\ufeff") == (TEXT if "Größe" in text else "Café au lait, naïve façade\n")


def test_it_keeps_line_endings() -> None:
    assert decode(b"one\r\ntwo\rthree\n")[0] == "one\r\ntwo\rthree\n"


def test_it_detects_cyrillic_legacy_encoding() -> None:
    text = "Правительство объявило о новых мерах поддержки для малого бизнеса в регионах."
    assert decode(text.encode("cp1251")) == (text, "cp1251")


@pytest.mark.parametrize(
    ("data", "reason", "not_text"),
    [
        (b"", "empty file", False),
        (b" \n\t\r\n", "empty file", False),
        (b"\x00\x01\x02\x03binary\x00\xff" * 50, "binary file", True),
        (bytes(range(256)) * 8, "binary file", True),
        (b"\x7fELF\x02\x01\x01" + b"\x05\x06\x07" * 100, "binary file", True),
    ],
)
def test_it_rejects(data: bytes, reason: str, not_text: bool) -> None:
    with pytest.raises(Rejected, match=reason) as caught:
        decode(data)
    assert caught.value.not_text is not_text
