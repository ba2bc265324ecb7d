from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.db import connection

from articles import learning, pipeline, search
from articles.cleaning import line_key
from articles.models import Article, Cleaning, LineStat, Source
from articles.search import SEARCH_CONFIG
from articles.tasks import clean_articles, requeue_stalled_articles
from tests.articles.factories import make_article

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
PAGE = (
    "Home | World | Sport\n"
    "Council approves harbour budget\n"
    "The city council approved the harbour budget on Tuesday after a long debate.\n"
    "Members said the money would repair the old piers and build a new ferry terminal.\n"
    "Share this article\n"
)


@pytest.mark.django_db
def test_the_task_cleans_and_saves() -> None:
    article = make_article(PAGE)
    clean_articles([article.pk])
    article.refresh_from_db()
    assert article.state == Article.State.CLEANED
    assert article.attempts == 1
    assert article.claimed_pid is None
    cleaning = article.current_cleaning
    assert cleaning.title == "Council approves harbour budget"
    assert "ferry terminal" in cleaning.body
    assert "Share this article" not in cleaning.body
    assert cleaning.cleaner_version
    assert article.title == cleaning.title
    labels = [label for _, _, label, _ in cleaning.lines]
    assert len(labels) == 5
    for start, end, _, _ in cleaning.lines:
        assert article.text[start:end].strip() == article.text[start:end]


@pytest.mark.django_db
def test_a_redelivered_task_does_no_harm() -> None:
    article = make_article(PAGE)
    clean_articles([article.pk])
    clean_articles([article.pk])
    assert Cleaning.objects.filter(article=article).count() == 1


@pytest.mark.django_db
def test_a_claim_by_a_live_worker_is_respected() -> None:
    article = make_article(PAGE)
    # This test's own connection is alive, so its claim must not be taken over.
    assert pipeline.claim([article.pk]) == [article]
    assert pipeline.claim([article.pk]) == []


@pytest.mark.django_db
def test_a_claim_by_a_dead_worker_is_taken_over_and_requeued() -> None:
    article = make_article(PAGE)
    Article.objects.filter(pk=article.pk).update(
        state=Article.State.CLEANING, claimed_pid=2_000_000_000, attempts=1
    )
    with mock.patch("articles.tasks.clean_articles.delay") as delay:
        assert requeue_stalled_articles() == 1
    delay.assert_called_once_with([article.pk])
    clean_articles([article.pk])
    article.refresh_from_db()
    assert (article.state, article.attempts) == (Article.State.CLEANED, 2)


@pytest.mark.django_db
def test_it_gives_up_on_an_article_that_kills_workers(settings) -> None:
    settings.NEWSREADER_MAX_CLEANING_ATTEMPTS = 2
    article = make_article(PAGE)
    Article.objects.filter(pk=article.pk).update(
        state=Article.State.CLEANING, claimed_pid=2_000_000_000, attempts=2
    )
    clean_articles([article.pk])
    article.refresh_from_db()
    assert article.state == Article.State.FAILED
    assert "2 times" in article.error


@pytest.mark.django_db
def test_a_cleaner_error_fails_that_article_only() -> None:
    bad, good = make_article(PAGE), make_article(PAGE + "More.\n")
    real_clean = pipeline.cleaning.clean

    def clean(text, stats=None):
        if text == PAGE:
            raise ValueError("boom")
        return real_clean(text, stats)

    with mock.patch("articles.cleaning.clean", side_effect=clean):
        clean_articles([bad.pk, good.pk])
    bad.refresh_from_db()
    good.refresh_from_db()
    assert (bad.state, bad.error) == (Article.State.FAILED, "ValueError: boom")
    assert good.state == Article.State.CLEANED


@pytest.mark.django_db
def test_a_soft_time_limit_fails_the_slow_article_and_releases_the_rest() -> None:
    from celery.exceptions import SoftTimeLimitExceeded

    first, slow, rest = (make_article(PAGE + f"{n}\n") for n in range(3))
    real_clean = pipeline.cleaning.clean

    def clean(text, stats=None):
        if text.endswith("1\n"):
            raise SoftTimeLimitExceeded()
        return real_clean(text, stats)

    with (
        mock.patch("articles.cleaning.clean", side_effect=clean),
        mock.patch("articles.tasks.clean_articles.delay") as delay,
    ):
        clean_articles([first.pk, slow.pk, rest.pk])
    states = dict(Article.objects.values_list("pk", "state"))
    assert states == {
        first.pk: Article.State.CLEANED,
        slow.pk: Article.State.FAILED,
        rest.pk: Article.State.QUEUED,
    }
    delay.assert_called_once_with([rest.pk])


@pytest.mark.django_db
def test_reclean_keeps_previous_results(capsys) -> None:
    article = make_article(PAGE, source="wire")
    clean_articles([article.pk])
    with mock.patch("articles.tasks.clean_articles.delay") as delay:
        call_command("reclean", "--source", "wire")
    assert "queued for cleaning: 1 articles" in capsys.readouterr().out
    delay.assert_called_once_with([article.pk])
    clean_articles([article.pk])
    article.refresh_from_db()
    assert article.cleanings.count() == 2
    assert article.current_cleaning == article.cleanings.latest()


@pytest.mark.django_db
def test_reclean_failed_only() -> None:
    failed, cleaned = make_article(PAGE), make_article(PAGE + "x\n")
    Article.objects.filter(pk=failed.pk).update(state=Article.State.FAILED, error="boom")
    clean_articles([cleaned.pk])
    with mock.patch("articles.tasks.clean_articles.delay") as delay:
        call_command("reclean", "--failed")
    delay.assert_called_once_with([failed.pk])


@pytest.mark.django_db
def test_search_vector_is_filled() -> None:
    article = make_article(PAGE)
    clean_articles([article.pk])
    query = SearchQuery("ferry terminal", config=SEARCH_CONFIG)
    assert Article.objects.filter(search_vector=query).get() == article
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'article_search_idx'")
        assert "gin" in cursor.fetchone()[0].lower()


@pytest.mark.django_db
def test_a_decomposed_accent_is_found_by_a_composed_one_and_back() -> None:
    decomposed = make_article(PAGE.replace("ferry terminal", "ferry terminal at Ame\u0301lie"))
    clean_articles([decomposed.pk])
    for query in ("Am\u00e9lie", "Ame\u0301lie"):
        assert Article.objects.filter(search_vector=search.matching(query)).get() == decomposed


CHINESE = (
    "首页 | 新闻 | 体育\n"
    "青山市地铁5号线今日开通试运营\n"
    "记者：林晓雯\n"
    "青山市地铁5号线今日上午正式开通试运营，全长二十八公里，共设十九座车站，连接城东新区与"
    "老城中心。市民可以在早上六点到晚上十一点之间乘车，试运营期间票价打八折。\n"
    "据介绍，新线路开通后，从城东新区到市中心的通勤时间将缩短一半，预计每天客流量超过二十万"
    "人次。地铁公司表示，将根据客流情况调整发车间隔。\n"
    "版权所有 © 2026 青山日报\n"
)


@pytest.mark.django_db
def test_chinese_words_are_found_inside_runs_without_spaces() -> None:
    article = make_article(CHINESE)
    other = make_article(PAGE)
    clean_articles([article.pk, other.pk])
    found = Article.objects.filter
    for query in ("地铁", "青山市", "5号线", "地铁5号线", "通勤时间", '"试运营"', "地铁 -公交"):
        assert list(found(search_vector=search.matching(query))) == [article], query
    assert not found(search_vector=search.matching("地铁公交")).exists()
    assert list(found(search_vector=search.matching("ferry terminal"))) == [other]


@pytest.mark.django_db
def test_the_index_and_queries_split_cjk_runs_alike() -> None:
    text = (
        "青山市地铁5号线 東京です 한국어 ㄱ x 市 A\u3400\u4dbfB \uf900\ufaff"
        " \u3040\u30ff \uac00\ud7af \u33ff\u4dc0"
    )
    with connection.cursor() as cursor:
        # As VECTOR_SQL calls it: NFC first (which maps the compatibility ideographs).
        cursor.execute("SELECT newsreader_search_text(normalize(%s, NFC))", [text])
        indexed = cursor.fetchone()[0]
    assert indexed == search.search_text(text)
    assert indexed.split()[:6] == ["青山", "山市", "市地", "地铁", "5", "号线"]


def _labels(path: Path) -> dict[int, str]:
    rows = path.read_text().splitlines()[1:]
    return {int(row.split("\t")[0]): row.split("\t")[1] for row in rows}


@pytest.mark.django_db
@pytest.mark.parametrize("seed", ["000_31b0e0b7b64f7964", "003_da5bc25322853d1b"])
def test_the_seed_files_come_out_as_labelled(seed: str) -> None:
    text = (SEEDS / f"{seed}.txt").read_text()
    article = make_article(text, name=f"{seed}.txt")
    clean_articles([article.pk])
    article.refresh_from_db()
    cleaning = article.current_cleaning
    expected = _labels(SEEDS / f"{seed}.labels.tsv")
    line_numbers = {start: article.text.count("\n", 0, start) + 1 for start, *_ in cleaning.lines}
    got = {line_numbers[start]: label for start, _, label, _ in cleaning.lines}
    assert got == expected
    gold = (SEEDS / f"{seed}.gold.txt").read_text().split()
    assert cleaning.body.split() == gold


@pytest.mark.django_db
def test_an_editor_correction_changes_the_next_article_of_the_source() -> None:
    promo = "Our reporters were on the ground in the city for this story all week long."
    page = (
        "Menu\nHarbour ferry service resumes after storm\n"
        "Ferries returned to the harbour on Monday after a week of storms closed the port.\n"
        "{promo}\n"
        "Operators said timetables would be back to normal by the end of the week.\n"
    )
    first = make_article(page.format(promo=promo), source="coast")
    clean_articles([first.pk])
    first.refresh_from_db()
    assert promo in first.current_cleaning.body

    learning.record_correction(article=first, line=promo, label="promotion")

    second = make_article(page.format(promo=promo).replace("Monday", "Tuesday"), source="coast")
    other_source = make_article(page.format(promo=promo).replace("Monday", "Friday"), source="bay")
    clean_articles([second.pk, other_source.pk])
    second.refresh_from_db()
    other_source.refresh_from_db()
    assert promo not in second.current_cleaning.body
    assert second.current_cleaning.hints_version == 1
    labels = {second.text[s:e]: label for s, e, label, _ in second.current_cleaning.lines}
    assert labels[promo] == "promotion"
    assert promo in other_source.current_cleaning.body


@pytest.mark.django_db
def test_lines_are_counted_once_per_article_and_source() -> None:
    first, second = make_article(PAGE, source="a"), make_article(PAGE + "x\n", source="a")
    other = make_article(PAGE + "y\n", source="b")
    clean_articles([first.pk])
    clean_articles([second.pk, other.pk])
    clean_articles([first.pk])  # redelivered: no new cleaning, no new count
    with mock.patch("articles.tasks.clean_articles.delay"):
        call_command("reclean", "--all")
    clean_articles([first.pk, second.pk, other.pk])  # a new cleaning, still no new count
    menu = line_key("Home | World | Sport")
    counts = dict(LineStat.objects.filter(key=menu).values_list("source__name", "documents"))
    assert counts == {"a": 2, "b": 1}
    assert dict(Source.objects.values_list("name", "counted_articles")) == {"a": 2, "b": 1}


@pytest.mark.django_db
def test_an_article_sees_a_corpus_that_includes_itself() -> None:
    article = make_article(PAGE)
    articles = pipeline.claim([article.pk])
    keys = pipeline.line_keys(articles)
    stats = pipeline.corpus_stats(articles, keys)[article.pk]
    assert (stats.documents, stats.source_documents) == (1, 1)
    assert stats.line_doc_freq[line_key("Share this article")] == 1
