"""Content tokens for lexical overlap: longer words, and character bigrams for CJK."""

from __future__ import annotations

import re

from .features import CJK_RUN

_WORD = re.compile(r"[^\W\d_]{3,}")

# Frequent function words of 4+ letters in a few languages. Secondary: they only keep
# grammar from counting as topical overlap; pages in other languages work without them.
FUNCTION_WORDS = frozenset(
    """
    the and for are but not you all any can had her was one our out his has him its who did
    get may new now see two way she too use how why les des une est pas que qui del los las
    por con una der die das und den dem ist ein mit von sie bei aus auf zum zur sur par dei
    che non per gli sul nel
    that with this from have were been they their which would there about after other could
    these where being will more when what your said says also into than them then only over
    such some just like most very because while before since under between against during
    without through those should does didn here each many much even well both it's that's
    dass nicht sich auch eine einen einer eines einem diese dieser dieses nach über wird
    werden wurde wurden haben hatte sind sein seine seiner noch schon oder aber wenn mehr
    beim unter zwischen gegen ohne durch weil denn dann sehr hier immer sagte
    para como pero más este esta estos estas desde sobre entre porque cuando también todo
    todos hasta donde ellos fueron había tiene está según sido sólo solo
    dans pour avec sont mais plus cette comme tout tous leur leurs elle elles nous vous
    aussi après avant sans sous être avoir fait était selon depuis
    dello della delle degli sono anche come questo questa perché quando essere stato
    """.split()
)


def content_tokens(text: str) -> set[str]:
    """Stems (first 5 letters) of lowercased words of 3+ letters that are not function words;
    CJK runs give their character bigrams."""
    low = text.lower()
    words = set(_WORD.findall(low)) - FUNCTION_WORDS
    if words and CJK_RUN.search(low):
        words = {t for t in words if not CJK_RUN.search(t)}
    toks = {t[:5] for t in words}
    for run in CJK_RUN.findall(low):
        if len(run) == 1:
            toks.add(run)
        else:
            toks.update(run[i : i + 2] for i in range(len(run) - 1))
    return toks
