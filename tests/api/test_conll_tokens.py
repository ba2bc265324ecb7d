"""CoNLL tokens in scripts other than Latin: whole words, one ideograph each, whole emoji."""

from __future__ import annotations

import pytest

from annotations.exports import Doc, conll


def words(text: str) -> list[str]:
    return [text[start:end] for start, end in conll.tokens(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Angela Merkel didn't e-mail.", ["Angela", "Merkel", "didn't", "e-mail", "."]),
        # Python's \w leaves out combining marks: the words were cut at each vowel sign.
        ("हिन्दी भाषा", ["हिन्दी", "भाषा"]),
        ("كَتَبَ الوَلَدُ", ["كَتَبَ", "الوَلَدُ"]),
        # No spaces between words: one ideograph or kana each, not a clause per token.
        ("马克龙访问北京。", ["马", "克", "龙", "访", "问", "北", "京", "。"]),
        ("東京に住む", ["東", "京", "に", "住", "む"]),
        ("한국어 문장", ["한국어", "문장"]),
        # An emoji with its skin tone, a ZWJ family, a flag and a keycap stay one token each.
        (
            "ok 👍🏽 👨\u200d👩\u200d👧 🇫🇷 1\ufe0f\u20e3",
            ["ok", "👍🏽", "👨\u200d👩\u200d👧", "🇫🇷", "1\ufe0f\u20e3"],
        ),
    ],
)
def test_tokens_keep_words_and_emoji_whole(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_a_chinese_name_is_tagged_character_by_character_and_aligned() -> None:
    text = "马克龙访问北京。他说。"
    name = {"id": 1, "start": 0, "end": 3, "exact": "马克龙", "label": "PER", "entity": None}
    files = conll.render(
        [
            Doc(
                article=1,
                revision=1,
                title="",
                text=text,
                annotator="a",
                entities=[],
                mentions=[{**name, "origin": "human", "anchor_state": "anchored"}],
                claims=[],
                stances=[],
            )
        ]
    )
    sentences = files["conll2003.txt"].split("\n\n")
    assert sentences[1].splitlines() == [
        "马 -X- _ B-PER",
        "克 -X- _ I-PER",
        "龙 -X- _ I-PER",
        "访 -X- _ O",
        "问 -X- _ O",
        "北 -X- _ O",
        "京 -X- _ O",
        "。 -X- _ O",
    ]
    assert sentences[2].splitlines() == ["他 -X- _ O", "说 -X- _ O", "。 -X- _ O"]
    assert files["misaligned.tsv"].splitlines()[1:] == []
