"""Tests of the boilerplate cleaner (pure Python, no database)."""

from __future__ import annotations

import importlib.util
import statistics
from pathlib import Path

import pytest

from articles.cleaning import (
    CLEANER_VERSION,
    LABELS,
    CleanResult,
    CorpusStats,
    Span,
    clean,
    corpus_stats,
    line_key,
)
from articles.cleaning.scoring import score_document, summarise, token_f1

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
DEV = SHARED / "bench" / "dev"
SEEDS = ["000_31b0e0b7b64f7964", "003_da5bc25322853d1b"]

LOREM = [
    "The city council voted on Tuesday to expand the tram network into the northern suburbs, "
    "ending a debate that had lasted for almost three years.",
    "Supporters of the plan said the new line would cut commuting times for thousands of "
    "residents and reduce traffic on the main roads into the centre.",
    "Opponents argued that the cost of the tram line, estimated at 400 million euros, was too "
    "high for a city that is already struggling to pay for repairs to its bridges.",
    "The mayor said construction could begin next spring if the regional government approves "
    "its share of the funding before the end of the year.",
]


def page(*blocks: str, sep: str = "\n") -> str:
    return sep.join(blocks)


def labels_by_text(result: CleanResult, text: str) -> dict[str, str]:
    return {text[ll.start : ll.end].strip(): ll.label for ll in result.lines}


def check_offsets(result: CleanResult, text: str) -> None:
    for span in result.blocks:
        piece = text[span.start : span.end]
        assert piece and piece == piece.strip()
        assert "\n" not in piece and "\r" not in piece
    for ll in result.lines:
        assert ll.label in LABELS
        assert text[ll.start : ll.end].strip()
        for cut in ll.cut:
            assert ll.start <= cut.start < cut.end <= ll.end


# --- scoring helper ---------------------------------------------------------------------


def test_token_f1_matches_reference_definition() -> None:
    assert token_f1("", "") == (1.0, 1.0, 1.0)
    assert token_f1("", "a b") == (0.0, 0.0, 0.0)
    assert token_f1("a b", "") == (0.0, 1.0, 0.0)
    p, r, f = token_f1("The cat the CAT sat", "the cat sat on the mat")
    assert (p, r) == (4 / 5, 4 / 6)
    assert f == pytest.approx(2 * p * r / (p + r))


def test_summarise_figures() -> None:
    scores = [score_document("a", "x y z", "x y z"), score_document("b", "x", "x y z w")]
    summary = summarise(scores)
    assert summary["docs"] == 2
    assert summary["f1_mean"] == pytest.approx((1.0 + 0.4) / 2)
    assert summary["f1_ge_0_9"] == 0.5
    assert summary["empty_preds"] == 0


@pytest.mark.skipif(not (SHARED / "bench" / "score.py").exists(), reason="no ../shared")
def test_summarise_reproduces_reference_scorer() -> None:
    spec = importlib.util.spec_from_file_location("reference_score", SHARED / "bench" / "score.py")
    assert spec is not None and spec.loader is not None
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)
    golds, preds = {}, {}
    for gold_path in sorted(DEV.glob("*.gold.txt"))[:40]:
        doc_id = gold_path.name[: -len(".gold.txt")]
        text = (DEV / f"{doc_id}.txt").read_text(encoding="utf-8", errors="replace")
        golds[doc_id] = gold_path.read_text(encoding="utf-8")
        preds[doc_id] = clean(text).body(text)
    expected, _rows = reference.score_texts(preds, golds)
    ours = summarise(score_document(i, preds[i], golds[i]) for i in golds)
    assert ours == pytest.approx(expected)


# --- seeds ------------------------------------------------------------------------------


def read_labels(name: str) -> dict[int, str]:
    rows = (FIXTURES / f"{name}.labels.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {int(n): label for n, label, _rest in (row.split("\t", 2) for row in rows)}


@pytest.mark.parametrize("name", SEEDS)
def test_seed_body_f1(name: str) -> None:
    text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    gold = (FIXTURES / f"{name}.gold.txt").read_text(encoding="utf-8")
    result = clean(text)
    check_offsets(result, text)
    assert token_f1(result.body(text), gold)[2] >= 0.98


@pytest.mark.parametrize("name", SEEDS)
def test_seed_line_labels(name: str) -> None:
    text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    expected = read_labels(name)
    result = clean(text)
    assert len(result.lines) == len(expected)
    line_no = {start: n for n, start in enumerate(_line_starts(text), 1)}
    got = {line_no[ll.start]: ll.label for ll in result.lines}
    wrong = {n: (expected[n], got.get(n)) for n in expected if got.get(n) != expected[n]}
    assert not wrong


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts


def test_seed_related_trap_title_and_no_related_story() -> None:
    text = (FIXTURES / "003_da5bc25322853d1b.txt").read_text(encoding="utf-8")
    result = clean(text)
    assert result.title.startswith("'Identical views on all strategic issues'")
    body = result.body(text)
    assert "Rutte" not in body and "Ludhiana" not in body
    assert "Taboola" not in body and "Lavrov thanked North Korea" in body


# --- synthetic pages --------------------------------------------------------------------

NAV = ["Home", "World", "Politics", "Business", "Sport", "Subscribe", "Log in"]


def test_related_story_longer_than_article_is_not_chosen() -> None:
    title = "Tram network to reach northern suburbs after council vote"
    related = (
        "Astronomers in Chile have photographed a comet that passes the Sun once every "
        "six thousand years, and the images show a tail of unusual length. " * 12
    ).strip()
    text = page(
        *NAV,
        title,
        "By Anna Berg",
        *LOREM,
        "Related stories",
        "Comet returns after six thousand years",
        related,
        "Contact us",
    )
    result = clean(text)
    body = result.body(text)
    assert result.title == title
    assert "comet" not in body.lower()
    assert token_f1(body, "\n".join(LOREM))[2] >= 0.98
    assert labels_by_text(result, text)[related] == "related"


NEXT = [
    "The city council also approved a budget of 80 million euros for bridge repairs on "
    "Tuesday, after engineers warned that two of the city's bridges were unsafe.",
    "The council said the repairs would start in the summer and would cause traffic "
    "disruption in the city centre for several months.",
]


@pytest.mark.parametrize("between", ["Next article", "Share"])
def test_next_article_appended_below_is_not_body(between: str) -> None:
    text = page(
        *NAV,
        "Tram network to reach northern suburbs after council vote",
        "By Anna Berg",
        "12 March 2025",
        *LOREM,
        between,
        "City council approves new budget for bridge repairs",
        "By Tom Hale",
        "12 March 2025",
        *NEXT,
    )
    result = clean(text)
    assert result.block_texts(text) == LOREM
    assert labels_by_text(result, text)[NEXT[0]] == "related"


@pytest.mark.parametrize(
    "fragment",
    [
        "STORY CONTINUES BELOW THIS AD",
        "by Taboola by Taboola Sponsored Links Sponsored Links Promoted Links You May Like",
        "Advertisement",
    ],
)
def test_inline_ad_fragment_is_cut_with_exact_offsets(fragment: str) -> None:
    line = f"{LOREM[1]} {fragment} {LOREM[2]}"
    text = page(*NAV, "Council approves tram plan", LOREM[0], line, LOREM[3])
    result = clean(text)
    check_offsets(result, text)
    texts = result.block_texts(text)
    assert LOREM[1] in texts and LOREM[2] in texts
    assert fragment not in result.body(text)
    cut_lines = [ll for ll in result.lines if ll.cut]
    assert len(cut_lines) == 1
    (cut,) = cut_lines[0].cut
    assert text[cut.start : cut.end].strip() == fragment


def test_subheadings_and_list_items_inside_article_are_kept() -> None:
    text = page(
        *NAV,
        "How the tram plan will change the city",
        LOREM[0],
        LOREM[1],
        "What happens next",
        LOREM[2],
        "The plan includes:",
        "Six new stations;",
        "A depot in Nordvik;",
        "Night services at weekends.",
        LOREM[3],
        "Most read",
        "Weather: sunny spells",
        "Contact us",
    )
    result = clean(text)
    body = result.block_texts(text)
    for kept in ("What happens next", "Six new stations;", "Night services at weekends."):
        assert kept in body
    assert "Most read" not in body and "Contact us" not in body


def test_unpunctuated_list_and_table_cells_inside_article_are_kept() -> None:
    stations = ["Nordvik Central", "Harbour Street", "Old Mill", "University Campus"]
    cells = ["Section", "Cost", "Centre", "120m", "North", "180m"]
    text = page(
        *NAV,
        "Tram network to reach northern suburbs",
        LOREM[0],
        "The first stations to be built along the northern tram route are:",
        *stations,
        LOREM[1],
        "Estimated costs of the tram line by section:",
        *cells,
        LOREM[2],
        LOREM[3],
        "Most read",
        "Markets rally as rates pause",
    )
    body = clean(text).block_texts(text)
    assert body[0] == LOREM[0] and body[-1] == LOREM[3]
    for kept in [*stations, *cells, LOREM[1], LOREM[2]]:
        assert kept in body
    assert "Markets rally as rates pause" not in body


def test_repeated_title_is_not_body() -> None:
    title = "Tram network to reach northern suburbs"
    text = page(title, *NAV, title, "12 March 2024", title, *LOREM, "Share", title)
    result = clean(text)
    assert result.title == title
    assert title not in result.block_texts(text)
    assert result.body(text).count(title) <= 1
    assert [ll.label for ll in result.lines if text[ll.start : ll.end] == title] == ["title"] * 4


GERMAN = [
    "Der Stadtrat hat am Dienstag beschlossen, das Straßenbahnnetz bis in die nördlichen "
    "Vororte zu verlängern, und damit eine jahrelange Debatte beendet.",
    "Befürworter sagen, die neue Linie werde die Fahrzeiten für tausende Pendler verkürzen "
    "und den Verkehr auf den Einfallstraßen deutlich verringern.",
    "Kritiker halten die Kosten von rund 400 Millionen Euro für zu hoch, weil die Stadt "
    "schon die Sanierung ihrer Brücken kaum bezahlen kann.",
]


def test_german_page() -> None:
    text = page(
        "Startseite",
        "Politik",
        "Wirtschaft",
        "Sport",
        "Straßenbahn fährt bald bis in die nördlichen Vororte",
        "Von Anna Berg",
        *GERMAN,
        "Lesen Sie auch",
        "Neue Radwege in der Innenstadt",
        "Kommentare",
        "Impressum",
    )
    result = clean(text)
    assert result.title == "Straßenbahn fährt bald bis in die nördlichen Vororte"
    assert result.byline == "Von Anna Berg"
    assert token_f1(result.body(text), "\n".join(GERMAN))[2] >= 0.98


CHINESE = [
    "市议会周二投票决定将有轨电车网络延伸至北部郊区，结束了一场持续近三年的争论。",
    "支持者表示，新线路将为数千名居民缩短通勤时间，并减少进入市中心主要道路的交通流量。",
    "反对者则认为，约四亿欧元的造价对于一个连桥梁维修都难以负担的城市来说过高。",
    "市长表示，如果地区政府在年底前批准其承担的资金份额，工程最早可在明年春季开工。",
]


def test_chinese_page() -> None:
    text = page(
        "首页",
        "新闻",
        "财经",
        "体育",
        "有轨电车将延伸至北部郊区",
        "2024年3月12日",
        *CHINESE,
        "相关阅读",
        "城市自行车道建设加快",
        "分享",
        "版权所有 © 2024",
    )
    result = clean(text)
    assert result.title == "有轨电车将延伸至北部郊区"
    assert result.block_texts(text) == CHINESE
    labels = labels_by_text(result, text)
    assert labels["城市自行车道建设加快"] != "body"


def test_related_box_inside_article_is_skipped_and_article_goes_on() -> None:
    more = [
        "Scientists discover a new species of deep-sea octopus off the coast of Chile, with "
        "a body that glows in the dark and tentacles longer than any seen before.",
        "Markets rally after central bank signals a pause in interest rate rises, with stocks "
        "in Europe and Asia gaining for a third day in a row.",
    ]
    text = page(
        *NAV,
        "Tram network to reach northern suburbs",
        "By Anna Berg",
        LOREM[0],
        LOREM[1],
        "Related:",
        "Bridge repairs delayed again",
        "New bike lanes open in the centre",
        LOREM[2],
        LOREM[3],
        "More stories",
        *more,
    )
    result = clean(text)
    assert result.block_texts(text) == LOREM
    labels = labels_by_text(result, text)
    assert labels["Bridge repairs delayed again"] == "related"
    assert labels[more[0]] == "related"


def test_teasers_with_a_reading_time_and_sign_up_terms_are_boilerplate() -> None:
    teasers = [
        "Comet with two tails puzzles astronomers",
        "A strange orbit and an unusually active nucleus may explain the rare sight, "
        "researchers say. 4 min read",
        "Ancient seed vault yields barley that still sprouts",
        "Botanists coaxed three seeds back to life under laboratory conditions. 6 min read",
    ]
    text = page(
        *NAV,
        "Tram network to reach northern suburbs",
        "By Anna Berg",
        *LOREM,
        "Sign up for our free morning newsletter with the day's top stories.",
        "By signing up you agree to our Terms of Use and Privacy Policy.",
        "Related Articles",
        *teasers,
        "© 2026 Example News",
    )
    result = clean(text)
    assert result.block_texts(text) == LOREM
    labels = labels_by_text(result, text)
    assert labels["By signing up you agree to our Terms of Use and Privacy Policy."] == "newsletter"
    assert [labels[t] for t in teasers] == ["related"] * 4


def test_modern_page_boilerplate_inside_and_around_article() -> None:
    text = page(
        "We use cookies to improve your experience. Accept all",
        *NAV,
        "Council approves tram plan for northern suburbs",
        "Council approves tram plan for northern suburbs",
        "By Anna Berg and Tom Hale",
        "Published March 12, 2025 10:42 am",
        "The mayor at the council meeting on Tuesday. (Photo: Jan Olsen/Reuters)",
        LOREM[0],
        "ADVERTISEMENT",
        LOREM[1],
        "Sign up for our City newsletter to get the latest news in your inbox every week.",
        "Read more: How other cities built their tram lines",
        LOREM[2],
        LOREM[3],
        "Anna Berg is the city hall reporter. She has covered local politics since 2015.",
        "Comments (12)",
        "This is a waste of money and the council knows it, but nobody will listen to us.",
        "Reply",
    )
    result = clean(text)
    assert result.title == "Council approves tram plan for northern suburbs"
    assert result.byline == "By Anna Berg and Tom Hale"
    assert result.block_texts(text) == LOREM
    labels = labels_by_text(result, text)
    assert labels["ADVERTISEMENT"] == "advertisement"
    assert labels["Read more: How other cities built their tram lines"] == "related"
    assert labels[text.splitlines()[-4]] == "author_bio"
    assert labels["Comments (12)"] == "comments"
    assert labels[text.splitlines()[len(NAV) + 5]] == "caption"
    assert "newsletter" in labels.values()


SPANISH = [
    "El Consejo de Ministros ha aprobado este martes una subida del salario mínimo "
    "interprofesional del 4,4 por ciento, que beneficiará a más de dos millones de personas.",
    "La ministra de Trabajo defendió que la medida contribuirá a reducir la desigualdad y a "
    "mejorar el poder adquisitivo de los hogares con menos ingresos.",
    "El aumento tendrá efectos retroactivos desde el 1 de enero, según el real decreto "
    "publicado en el Boletín Oficial del Estado.",
]


def test_spanish_page_with_ad_marker_between_paragraphs() -> None:
    text = page(
        "Inicio",
        "Nacional",
        "Deportes",
        "El Gobierno aprueba la subida del salario mínimo para 2025",
        "Por Ana García",
        "Madrid, 12 de marzo de 2025",
        SPANISH[0],
        SPANISH[1],
        "Publicidad",
        SPANISH[2],
        "Noticias relacionadas",
        "Los precios de la vivienda suben un 8 por ciento en el último año, según los datos "
        "publicados hoy por el instituto de estadística.",
        "Comentarios",
        "Suscríbete a nuestro boletín",
    )
    result = clean(text)
    assert result.byline == "Por Ana García"
    assert result.block_texts(text) == SPANISH


def test_japanese_page() -> None:
    body = [
        "気象庁は24日、東京都心で桜が満開になったと発表した。平年より七日早い。",
        "都内の公園では朝から多くの花見客が訪れ、写真を撮ったり弁当を楽しんだりした。",
        "気象庁によると、三月に入ってから気温の高い日が続いたことが開花を早めたという。",
    ]
    text = page(
        "ホーム",
        "ニュース",
        "経済",
        "東京で桜が満開、平年より一週間早く",
        "2025年3月24日 10時00分",
        *body,
        "関連記事",
        "大阪でも開花、各地で春の訪れ",
        "シェア",
    )
    result = clean(text)
    assert result.title == "東京で桜が満開、平年より一週間早く"
    assert result.block_texts(text) == body


def test_empty_and_whitespace_input() -> None:
    for text in ("", "   ", "\n\r\n\t\n"):
        result = clean(text)
        assert result.blocks == () and result.lines == ()
        assert result.title == "" and result.title_span is None
        assert result.body(text) == ""
        assert result.version == CLEANER_VERSION


def test_one_line_input() -> None:
    text = "  " + LOREM[0] + "  "
    result = clean(text)
    assert len(result.lines) == 1
    assert result.block_texts(text) == [LOREM[0]]
    assert result.lines[0].start == 0 and result.lines[0].end == len(text)


@pytest.mark.parametrize("sep", ["\r\n", "\r", "\n"])
def test_line_endings_keep_exact_offsets(sep: str) -> None:
    text = page(*NAV, "Council approves tram plan", *LOREM, "Contact us", sep=sep) + sep
    result = clean(text)
    check_offsets(result, text)
    assert result.block_texts(text) == LOREM
    assert len(result.lines) == len(NAV) + 1 + len(LOREM) + 1
    assert result.title_span == Span(
        text.index("Council"), text.index("Council") + len("Council approves tram plan")
    )


def test_corpus_stats_make_recurring_line_boilerplate() -> None:
    promo = "Our journalism is made possible by readers like you, every single day of the year."
    article = page(*NAV, "Council approves tram plan", LOREM[0], promo, *LOREM[1:])
    others = [
        page(
            *NAV,
            f"Story number {i}",
            f"Paragraph {i} tells a different story entirely, "
            "with enough words to look like an article body.",
            promo,
        )
        for i in range(12)
    ]
    assert promo in clean(article).block_texts(article)
    stats = corpus_stats([article, *others])
    assert stats.documents == 13
    assert stats.line_doc_freq[line_key(promo)] == 13
    result = clean(article, stats)
    assert promo not in result.block_texts(article)
    assert result.block_texts(article) == LOREM


def test_source_stats_catch_long_template_lines() -> None:
    footer = (
        "The Nordvik Courier is an independent newspaper owned by its readers; it was founded "
        "in 1921 and publishes every weekday morning, with a weekend edition on Saturday."
    )
    article = page(*NAV, "Council approves tram plan", *LOREM, footer)
    assert footer in clean(article).block_texts(article)
    stats = CorpusStats(
        documents=0,
        line_doc_freq={},
        source_documents=20,
        source_line_doc_freq={line_key(footer): 20},
    )
    assert footer not in clean(article, stats).block_texts(article)


def test_a_series_of_numbered_headlines_in_a_source_keeps_its_titles() -> None:
    # Line keys map digits to 0: "Round 12: …" on every page of a source recurs like a
    # template line, but a headline of a series it is.
    pages = [
        page(*NAV, f"Round {n}: Nordvik beat the visitors {n} to 1", *LOREM) for n in range(30)
    ]
    stats = corpus_stats(pages)
    stats = CorpusStats(
        documents=stats.documents,
        line_doc_freq=stats.line_doc_freq,
        source_documents=stats.documents,
        source_line_doc_freq=stats.line_doc_freq,
    )
    titled = clean(pages[9], stats)
    # The same page with its headline lost: a cleaning to look at first.
    untitled = clean(
        pages[9],
        CorpusStats(0, {}, hints={line_key(pages[9].splitlines()[len(NAV)]): "navigation"}),
    )
    assert untitled.title == "" and untitled.confidence == round(titled.confidence / 2, 4)
    assert [clean(text, stats).title for text in pages[9:12]] == [
        "Round 9: Nordvik beat the visitors 9 to 1",
        "Round 10: Nordvik beat the visitors 10 to 1",
        "Round 11: Nordvik beat the visitors 11 to 1",
    ]


def test_copies_of_one_story_in_a_source_keep_their_body() -> None:
    article = page(*NAV, "Council approves tram plan", *LOREM, "Contact us")
    keys = {line_key(line) for line in article.splitlines()}
    stats = CorpusStats(
        documents=40,
        line_doc_freq={k: 4 for k in keys},
        source_documents=10,
        source_line_doc_freq={k: 4 for k in keys},
    )
    result = clean(article, stats)
    assert result.block_texts(article) == LOREM


def test_title_hint_picks_the_headline() -> None:
    text = page(*NAV, "Opinion", "Why the tram plan is a good idea", "By Anna Berg", *LOREM)
    assert clean(text).title == "Why the tram plan is a good idea"
    stats = CorpusStats(0, {}, hints={line_key("Opinion"): "title"})
    assert clean(text, stats).title == "Opinion"


def test_editor_hints_override_lines() -> None:
    note = "Brought to you by the Nordvik News Agency."
    article = page(*NAV, "Council approves tram plan", *LOREM, note, "Contact us")
    hint_body = CorpusStats(0, {}, hints={line_key(note): "body"})
    assert note in clean(article, hint_body).block_texts(article)
    hint_promo = CorpusStats(0, {}, hints={line_key(LOREM[1]): "promotion"})
    result = clean(article, hint_promo)
    assert LOREM[1] not in result.block_texts(article)
    assert labels_by_text(result, article)[LOREM[1]] == "promotion"
    assert LOREM[2] in result.block_texts(article)


def test_line_key_is_stable_and_normalised() -> None:
    assert line_key("  Read   MORE ") == line_key("read more")
    assert line_key("Updated 12:30") == line_key("updated 09:15")
    assert line_key("read more") != line_key("read less")
    # blake2b of "read more", not Python's randomised hash().
    assert line_key("read more") == -8415774691515072937
    assert -(2**63) <= line_key("x") < 2**63


def test_deterministic() -> None:
    text = (FIXTURES / "003_da5bc25322853d1b.txt").read_text(encoding="utf-8")
    assert clean(text) == clean(text)
    assert 0.0 <= clean(text).confidence <= 1.0


def test_every_nonblank_line_is_labelled_in_order() -> None:
    text = (FIXTURES / "000_31b0e0b7b64f7964.txt").read_text(encoding="utf-8")
    result = clean(text)
    nonblank = [i for i, line in enumerate(text.split("\n")) if line.strip()]
    assert len(result.lines) == len(nonblank)
    assert [ll.start for ll in result.lines] == sorted(ll.start for ll in result.lines)


# --- benchmark on ../shared (skipped where absent) --------------------------------------


@pytest.mark.skipif(not DEV.is_dir(), reason="../shared/bench/dev is not available")
@pytest.mark.parametrize("with_stats", [False, True], ids=["single-document", "corpus-stats"])
def test_dev_benchmark(with_stats: bool) -> None:
    pages = {}
    for gold_path in sorted(DEV.glob("*.gold.txt")):
        doc_id = gold_path.name[: -len(".gold.txt")]
        text = (DEV / f"{doc_id}.txt").read_text(encoding="utf-8", errors="replace")
        pages[doc_id] = (text, gold_path.read_text(encoding="utf-8"))
    assert len(pages) >= 100
    stats = corpus_stats(text for text, _gold in pages.values()) if with_stats else None
    scores = [
        score_document(doc_id, clean(text, stats).body(text), gold)
        for doc_id, (text, gold) in pages.items()
    ]
    summary = summarise(scores)
    assert summary["f1_mean"] >= 0.95, summary
    assert summary["f1_ge_0_9"] >= 0.90, summary
    assert statistics.median(s.f1 for s in scores) >= 0.97
