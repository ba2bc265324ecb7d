"""Content tokens for lexical overlap: longer words, and character bigrams for CJK."""

from __future__ import annotations

import re
from collections import Counter

from .features import CJK_RUN

# The first five letters of each word of three or more letters: a crude, language-blind stem.
_STEM = re.compile(r"\b([^\W\d_]{3,5})[^\W\d_]*")

# Frequent function words of 3+ letters in a few languages. Secondary: they only keep
# grammar from counting as topical overlap; pages in other languages work without them.
_FUNCTION_WORDS_TEXT = """
    the and for are but not you all any can had her was one our out his has him its who did
    get may new now see two way she too use how why les des une est pas que qui del los las
    por con una der die das und den dem ist ein mit von sie bei aus auf zum zur sur par dei
    che non per gli sul nel that with this from have were been they their which would there
    about after other could these where being will more when what your said says also into
    than them then only over such some just like most very because while before since under
    between against during without through those should does didn here each many much even
    well both it's that's dass nicht sich auch eine einen einer eines einem diese dieser
    dieses nach über wird werden wurde wurden haben hatte sind sein seine seiner noch schon
    oder aber wenn mehr beim unter zwischen gegen ohne durch weil denn dann sehr hier immer
    sagte para como pero más este esta estos estas desde sobre entre porque cuando también
    todo todos hasta donde ellos fueron había tiene está según sido sólo solo dans pour avec
    sont mais plus cette comme tout tous leur leurs elle elles nous vous aussi après avant
    sans sous être avoir fait était selon depuis dello della delle degli sono anche come
    questo questa perché quando essere stato
"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())
FUNCTION_STEMS = frozenset(w[:5] for w in FUNCTION_WORDS)
# Punctuation stripped from a word before the letters-only test: none of it is a word
# character, so it never belongs to a token nor joins two.
_PUNCT = "\"'()[]{}<>.,;:!?“”‘’«»„‚–—-…/*&%$#@+=|~^`"


def content_tokens(text: str) -> set[str]:
    """Stems (first 5 letters) of lowercased words of 3+ letters that are not function words;
    CJK runs give their character bigrams instead."""
    low = text.lower()
    if CJK_RUN.search(low) is None:
        return set(_STEM.findall(low)) - FUNCTION_STEMS
    toks = {t for t in _STEM.findall(CJK_RUN.sub(" ", low))} - FUNCTION_STEMS
    for run in CJK_RUN.findall(low):
        if len(run) == 1:
            toks.add(run)
        else:
            toks.update(run[i : i + 2] for i in range(len(run) - 1))
    return toks


def line_stems(text: str) -> list[str]:
    """The content tokens of one line in order, repeats included.

    Tokens never cross a line break, so the tokens of several lines are the concatenation
    of their lines' lists: ``content_tokens`` and ``token_counts`` of joined lines equal the
    set and the counts of it.
    """
    low = text.lower()
    if low.isascii() or CJK_RUN.search(low) is None:
        # _STEM.findall word by word (whitespace is never part of a token, so the tokens of
        # the line are those of its words in order): a word of letters only, once
        # punctuation around it is stripped, is one token, its first five letters. Far
        # cheaper than running the regex over every character.
        toks = []
        for word in low.split():
            bare = word.strip(_PUNCT)
            if bare.isalpha():
                if len(bare) >= 3:
                    stem = bare[:5]
                    if stem not in FUNCTION_STEMS:
                        toks.append(stem)
            else:
                toks.extend([t for t in _STEM.findall(word) if t not in FUNCTION_STEMS])
        return toks
    toks = [t for t in _STEM.findall(CJK_RUN.sub(" ", low)) if t not in FUNCTION_STEMS]
    for run in CJK_RUN.findall(low):
        if len(run) == 1:
            toks.append(run)
        else:
            toks.extend([run[i : i + 2] for i in range(len(run) - 1)])
    return toks


def token_counts(text: str) -> Counter[str]:
    """How often each content token occurs in the text."""
    low = text.lower()
    if CJK_RUN.search(low) is None:
        counts = Counter(_STEM.findall(low))
    else:
        counts = Counter(_STEM.findall(CJK_RUN.sub(" ", low)))
        for run in CJK_RUN.findall(low):
            if len(run) == 1:
                counts[run] += 1
            else:
                counts.update(run[i : i + 2] for i in range(len(run) - 1))
    for word in FUNCTION_STEMS.intersection(counts):
        del counts[word]
    return counts
