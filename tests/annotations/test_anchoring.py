"""The pure anchoring module: diff mapping, quote verification, fuzzy search with a margin."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotations import anchoring
from annotations.anchoring import Anchor, reanchor

PARAGRAPHS = [
    "The finance minister said on Tuesday that inflation would fall below 3% next year.",
    "Opposition leaders called the forecast “wishful thinking” and demanded an inquiry.",
    "Analysts at the central bank were more cautious, citing energy prices.",
    "Meanwhile, the football season opened with a surprise win for the home side.",
]
OLD = "Budget row\n\n" + "\n\n".join(PARAGRAPHS)


def anchor(text: str, exact: str, occurrence: int = 0) -> Anchor:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(exact, start + 1)
    quote = anchoring.quote_at(text, start, start + len(exact))
    return Anchor(start, start + len(exact), quote.exact, quote.prefix, quote.suffix)


def only(old: str, new: str, a: Anchor) -> anchoring.Result:
    [result] = reanchor(old, new, [a])
    return result


def test_unchanged_text_keeps_every_span() -> None:
    a = anchor(OLD, "inflation would fall")
    result = only(OLD, OLD, a)
    assert (result.state, result.start, result.end) == ("migrated", a.start, a.end)


def test_insertion_before_the_span_shifts_it() -> None:
    a = anchor(OLD, "central bank")
    new = OLD.replace("Budget row\n\n", "Budget row\n\nA new first paragraph. 🎉\n\n")
    result = only(OLD, new, a)
    assert result.state == "migrated"
    assert new[result.start : result.end] == "central bank"
    assert result.start == a.start + len("A new first paragraph. 🎉\n\n")


def test_deletion_before_the_span_shifts_it() -> None:
    a = anchor(OLD, "surprise win")
    new = OLD.replace(PARAGRAPHS[1] + "\n\n", "")
    result = only(OLD, new, a)
    assert result.state == "migrated"
    assert new[result.start : result.end] == "surprise win"


def test_deleting_the_span_orphans_it_and_keeps_its_old_offsets() -> None:
    a = anchor(OLD, "citing energy prices")
    new = OLD.replace(PARAGRAPHS[2] + "\n\n", "")
    result = only(OLD, new, a)
    assert result.state == "orphaned"
    assert (result.start, result.end) == (a.start, a.end)


def test_a_duplicated_sentence_does_not_move_the_span() -> None:
    # The duplicate is an insertion after the original: diff mapping keeps the original.
    a = anchor(OLD, PARAGRAPHS[1])
    new = OLD.replace(PARAGRAPHS[1], PARAGRAPHS[1] + "\n\n" + PARAGRAPHS[1])
    result = only(OLD, new, a)
    assert result.state == "migrated"
    assert result.start == a.start


def test_a_duplicated_sentence_before_the_span_keeps_it_on_the_same_occurrence() -> None:
    a = anchor(OLD, "demanded an inquiry")
    new = OLD.replace(PARAGRAPHS[0], PARAGRAPHS[1] + "\n\n" + PARAGRAPHS[0])
    result = only(OLD, new, a)
    assert result.state == "migrated"
    # Still the second paragraph's sentence, now the later of the two copies.
    assert result.start == new.rindex("demanded an inquiry")


def test_an_edit_inside_the_span_is_found_fuzzily() -> None:
    exact = "inflation would fall below 3% next year"
    a = anchor(OLD, exact)
    new = OLD.replace("would fall below", "would drop below")
    result = only(OLD, new, a)
    assert result.state == "fuzzy"
    assert new[result.start : result.end] == "inflation would drop below 3% next year"
    assert anchoring.THRESHOLD <= result.score < 1


def test_a_rewritten_span_is_orphaned_not_guessed() -> None:
    a = anchor(OLD, "citing energy prices")
    new = OLD.replace("citing energy prices", "pointing to uncertainty abroad")
    assert only(OLD, new, a).state == "orphaned"


def test_a_lookalike_without_a_clear_margin_is_orphaned() -> None:
    # The span's own words change and two identical copies of the old wording appear nearby:
    # neither is better, so it must not be moved to one of them (hypothesis/client#7571).
    text = "Intro.\n\nX said the plan will work.\n\nEnd."
    a = anchor(text, "the plan will work")
    new = (
        "Intro.\n\nX said the idea might fail.\n\n"
        "Y said the plan will work.\n\nEnd.\n\nY said the plan will work.\n\nEnd."
    )
    result = only(text, new, a)
    assert result.state == "orphaned"
    assert result.method == "ambiguous"


def test_a_lookalike_with_the_better_context_is_offered_as_fuzzy_only() -> None:
    text = "Intro.\n\nX said the plan will work.\n\nEnd."
    a = anchor(text, "the plan will work")
    new = "Intro.\n\nX said the idea might fail.\n\nY said the plan will work.\n\nEnd."
    result = only(text, new, a)
    assert result.state == "fuzzy"  # never "migrated": a person confirms it
    assert new[result.start : result.end] == "the plan will work"


def test_a_short_quote_is_never_matched_fuzzily() -> None:
    text = "Linus spoke.\n\nOther text here."
    a = anchor(text, "Linus")
    new = "Linux spoke.\n\nOther text here."
    assert only(text, new, a).state == "orphaned"


def test_fuzzy_search_only_looks_near_the_mapped_position() -> None:
    far = "x" * 5000
    text = f"Start.\n\nThe quick brown fox jumps.\n\n{far}\n\nEnd."
    a = anchor(text, "The quick brown fox jumps")
    new = f"Start.\n\nA slow dog sleeps.\n\n{far}\n\nThe quick brown fox jumps!\n\nEnd."
    assert only(text, new, a).state == "orphaned"


def test_a_paragraph_moved_unchanged_takes_its_spans_along() -> None:
    far = "x" * 5000
    text = f"Start.\n\nThe quick brown fox jumps.\n\n{far}\n\nEnd."
    a = anchor(text, "brown fox")
    new = f"Start.\n\n{far}\n\nThe quick brown fox jumps.\n\nEnd."
    result = only(text, new, a)
    assert result.state == "migrated"
    assert result.start == new.index("brown fox")


def test_crlf_emoji_and_rtl_text_shift_correctly() -> None:
    old = "שלום עולם 👩‍👩‍👧 café\n\nEnd of text"
    a = anchor(old, "café")
    new = "Prefix added 🇺🇦\n\n" + old
    result = only(old, new, a)
    assert result.state == "migrated"
    assert new[result.start : result.end] == "café"


# ---------------------------------------------------------------- properties

words = st.sampled_from(
    ["alpha", "beta", "gamma", "é", "e\u0301", "👩‍👩‍👧", "🇺🇦", "שלום", "\u00a0", "x", "—"]
)
texts = st.lists(words, min_size=6, max_size=40).map(" ".join)


@settings(max_examples=80, deadline=None)
@given(text=texts, data=st.data())
def test_an_unchanged_text_maps_every_span_exactly(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = anchoring.quote_at(text, start, end)
    [result] = reanchor(text, text, [Anchor(start, end, quote.exact, quote.prefix, quote.suffix)])
    assert (result.state, result.start, result.end) == ("migrated", start, end)


@settings(max_examples=80, deadline=None)
@given(text=texts, insert=texts, data=st.data())
def test_text_inserted_outside_a_span_never_breaks_it(
    text: str, insert: str, data: st.DataObject
) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    at = data.draw(
        st.sampled_from([0, len(text)]) | st.integers(0, start) | st.integers(end, len(text))
    )
    new = text[:at] + insert + text[at:]
    quote = anchoring.quote_at(text, start, end)
    [result] = reanchor(text, new, [Anchor(start, end, quote.exact, quote.prefix, quote.suffix)])
    # Never silently wrong: whatever it reports as found holds the same text.
    if result.found:
        assert new[result.start : result.end] == quote.exact or result.state == "fuzzy"
    if result.state == "migrated":
        assert new[result.start : result.end] == quote.exact


def test_a_long_claim_with_an_edit_inside_is_found_quickly() -> None:
    import time

    sentence = " ".join(f"word{i}" for i in range(300))  # about 2,400 characters
    old = f"Title\n\nBefore it. {sentence} After it.\n\nEnd."
    a = anchor(old, sentence)
    edited = sentence.replace("word150", "WORD150")
    new = f"Title\n\nA new first paragraph.\n\nBefore it. {edited} After it.\n\nEnd."
    started = time.perf_counter()
    result = only(old, new, a)
    assert time.perf_counter() - started < 2
    assert result.state == "fuzzy"
    assert new[result.start : result.end] == edited
