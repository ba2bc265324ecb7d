"""An annotator's session in Chromium: tag by keyboard, add a claim, set the stance, reload."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from annotations import services
from annotations.demo import TOPICS, demo_project_setup
from annotations.models import Claim, EntityMention, Stance
from articles.models import Article
from tests.annotations.factories import approved_article, span_of
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
BLOCKS = [
    "Angela Merkel met Emmanuel Macron in Paris on Monday.",
    "The chancellor said that emissions would fall by 40% before 2030.",
    "Zoë 👩‍👩‍👧 wrote from שלום street in Kyiv 🇺🇦 about x\u0301yz.",
]


@pytest.fixture
def assigned(monkeypatch) -> tuple[Article, object]:
    monkeypatch.setenv("NEWSREADER_DEMO_PASSWORD", PASSWORD)
    call_command("demo_setup")
    article = approved_article(title="Leaders meet in Paris", blocks=BLOCKS)
    project = demo_project_setup()
    annotator = project.members.get(username="annotator")
    services.assignment_create(
        project=project, article=article, annotator=annotator, assigned_by=None
    )
    return article, project


def log_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/annotate/")
    page.get_by_label("Username").fill("annotator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base_url}/annotate/")


def open_next_article(page: Page, base_url: str) -> None:
    """Logs in and opens the first article in the queue, once annotate.js (deferred) has run."""
    log_in(page, base_url)
    page.get_by_role("link", name="Next article →").click()
    expect(page.locator("#text")).to_contain_text("Emmanuel Macron")
    page.wait_for_load_state("domcontentloaded")


def select_text(page: Page, exact: str) -> None:
    """What a mouse drag does: a DOM selection over ``exact`` in the article text."""
    page.evaluate(
        """(exact) => {
            for (const block of document.querySelectorAll('#text .blk')) {
                const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    const at = node.data.indexOf(exact);
                    if (at >= 0) {
                        const range = document.createRange();
                        range.setStart(node, at);
                        range.setEnd(node, at + exact.length);
                        getSelection().removeAllRanges();
                        getSelection().addRange(range);
                        return;
                    }
                }
            }
            throw new Error('not found: ' + exact);
        }""",
        exact,
    )


def test_annotating_an_article(page: Page, live_server, assigned) -> None:
    article, _ = assigned
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, live_server.url)
    page.get_by_role("link", name="Next article →").click()
    expect(page.locator("#text")).to_contain_text("Angela Merkel met Emmanuel Macron")
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator(".progress")).to_contain_text("0 of 1 done")

    # An entity by keyboard: double-click a word, Shift+→ extends by a word, "p" tags it PER.
    page.locator("#mention-entity").select_option("new")
    page.locator("#blk-1").get_by_text("Angela Merkel met").dblclick(position={"x": 5, "y": 5})
    page.keyboard.press("Shift+ArrowRight")
    expect(page.locator("#popup")).to_be_visible()
    page.keyboard.press("p")
    merkel = page.locator("#text mark.an-mention", has_text="Angela Merkel")
    expect(merkel).to_have_text("Angela Merkel")
    expect(page.locator("#save-status")).to_have_text("Saved.")

    # Offsets past emoji, a ZWJ family, Hebrew and a flag: the browser's UTF-16 positions
    # arrive as code points, and the server's quote check accepts them.
    select_text(page, "Kyiv")
    page.keyboard.press("g")
    expect(page.locator("#text mark.an-mention", has_text="Kyiv")).to_have_count(1)
    select_text(page, "x\u0301yz")
    page.locator("#popup").get_by_role("button", name="MISC").click()
    expect(page.locator("#text mark.an-mention", has_text="x\u0301yz")).to_have_count(1)
    text = article.current_revision.text
    kyiv = EntityMention.objects.get(exact="Kyiv")
    assert (kyiv.start, kyiv.end) == (text.index("Kyiv"), text.index("Kyiv") + 4)
    assert EntityMention.objects.get(label="MISC").exact == "x\u0301yz"

    # A claim with Angela Merkel as claimant and "said" as its cue.
    select_text(page, "emissions would fall by 40% before 2030")
    page.keyboard.press("c")
    claim_form = page.locator("#new-claim")
    expect(claim_form).to_be_visible()
    expect(page.locator("#claim-quote")).to_have_text("“emissions would fall by 40% before 2030”")
    claim_form.get_by_label("Claimant").select_option(label="Angela Merkel (PER)")
    claim_form.get_by_label("Claim type").select_option("quantity")
    claim_form.get_by_label("Attribution").select_option("reported_speech")
    claim_form.get_by_role("button", name="Add claim").click()
    expect(page.locator("#text mark.an-claim")).to_have_text(
        "emissions would fall by 40% before 2030"
    )
    expect(page.locator(".editing")).to_contain_text("Editing claim")
    select_text(page, "said")
    page.get_by_role("button", name="Set cue to the selection").click()
    expect(page.locator("#text mark.an-cue")).to_have_text("said")

    # The article's stance on the first topic: one keystroke.
    page.keyboard.press("Escape")
    page.locator("#text").focus()
    page.keyboard.press("1")
    topic = page.locator("[data-topic-key='1']")
    expect(topic.get_by_role("button", name="FAVOR")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("1")
    expect(topic.get_by_role("button", name="AGAINST")).to_have_attribute("aria-pressed", "true")

    page.reload()
    expect(page.locator("#text mark.an-mention", has_text="Angela Merkel")).to_have_count(1)
    expect(page.locator("#text mark.an-claim")).to_have_text(
        "emissions would fall by 40% before 2030"
    )
    expect(page.locator("[aria-label=Claims]")).to_contain_text("claimant: Angela Merkel")
    expect(topic.get_by_role("button", name="AGAINST")).to_have_attribute("aria-pressed", "true")
    claim = Claim.objects.get()
    assert claim.claimant.name == "Angela Merkel" and claim.attribution == "reported_speech"
    assert claim.support.get().exact == "said"
    assert Stance.objects.get().label == "AGAINST"

    # The caret in a span, or a selection inside it, and Enter open it, as a click does.
    page.locator("#text").focus()
    page.evaluate(
        """() => {
            const mark = document.querySelector('#text mark.an-mention');
            getSelection().collapse(mark.firstChild, 2);
        }"""
    )
    page.keyboard.press("Enter")
    expect(page.locator(".editing")).to_contain_text("Editing mention")
    page.keyboard.press("Escape")
    select_text(page, "ela Mer")
    page.keyboard.press("Enter")
    expect(page.locator(".editing")).to_contain_text("Editing mention")
    expect(page.locator("#popup")).to_be_hidden()
    page.keyboard.press("Escape")

    # Clicking a span opens it; resizing keeps its entity link.
    merkel.click()
    expect(page.locator(".editing")).to_contain_text("Editing mention")
    select_text(page, "Merkel")
    page.get_by_role("button", name="Move to the selection").click()
    expect(page.locator("#text mark.an-mention", has_text="Merkel").first).to_have_text("Merkel")
    moved = EntityMention.objects.get(label="PER")
    assert moved.exact == "Merkel" and moved.entity.name == "Angela Merkel"

    # Deleting says so.
    page.locator("#text mark.an-mention", has_text="Kyiv").click()
    expect(page.locator(".editing")).to_contain_text("Kyiv")
    page.locator(".editing").get_by_role("button", name="Delete").click()
    expect(page.locator("#save-status")).to_have_text("Deleted.")
    expect(page.locator("#text mark.an-mention", has_text="Kyiv")).to_have_count(0)

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "annotating.png", full_page=True)
    assert dialogs == []

    # Submitting takes a second step: the article becomes read-only.
    page.get_by_text("Submit article…").click()
    expect(page.get_by_text("Once submitted, the article is read-only for you.")).to_be_visible()
    page.locator("#panel").screenshot(path=ARTIFACTS / "submit-confirm.png")
    page.get_by_role("button", name="Submit it").click()
    expect(page.locator(".messages")).to_contain_text("Submitted")


def test_a_lost_connection_shows_an_error_and_keeps_the_selection(
    page: Page, live_server, assigned
) -> None:
    open_next_article(page, live_server.url)
    page.route("**/new/mention/", lambda route: route.abort())
    select_text(page, "Macron")
    page.keyboard.press("p")
    error = page.locator("#save-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("nothing was saved")
    assert not EntityMention.objects.exists()
    # Back online, the same keystroke saves the kept selection.
    page.unroute("**/new/mention/")
    page.keyboard.press("p")
    expect(page.locator("#text mark.an-mention")).to_have_text("Macron")
    expect(error).to_be_hidden()
    page.context.set_offline(True)
    select_text(page, "Paris")
    page.keyboard.press("g")
    expect(error).to_contain_text("offline")
    page.context.set_offline(False)


def test_a_label_key_after_clicking_away_tags_nothing(page: Page, live_server, assigned) -> None:
    open_next_article(page, live_server.url)
    page.locator("#blk-1").get_by_text("Angela Merkel met").dblclick(position={"x": 5, "y": 5})
    expect(page.locator("#popup")).to_be_visible()
    page.locator("#blk-1").click(position={"x": 200, "y": 5})  # Away, in the text.
    expect(page.locator("#popup")).to_be_hidden()
    page.keyboard.press("e")
    expect(page.locator("#save-error")).to_contain_text("Select some text first.")
    assert not EntityMention.objects.exists()


def test_a_drag_run_on_out_of_the_text_tags_nothing(page: Page, live_server, assigned) -> None:
    open_next_article(page, live_server.url)
    start = page.locator("#blk-2").bounding_box()
    panel = page.locator("#panel").bounding_box()
    page.mouse.move(start["x"] + 5, start["y"] + 5)
    page.mouse.down()
    # Through the text first (the popup shows for what is selected there), then on out.
    page.mouse.move(start["x"] + 120, start["y"] + 8, steps=5)
    expect(page.locator("#popup")).to_be_visible()
    page.mouse.move(panel["x"] + 40, panel["y"] + 60, steps=10)
    page.mouse.up()
    expect(page.locator("#popup")).to_be_hidden()
    page.keyboard.press("m")
    expect(page.locator("#save-error")).to_contain_text("Select text within the article.")
    assert not EntityMention.objects.exists()


def test_the_keyboard_goes_on_after_what_it_tagged(page: Page, live_server, assigned) -> None:
    open_next_article(page, live_server.url)
    select_text(page, "Emmanuel")
    page.keyboard.press("p")
    expect(page.locator("#text mark.an-mention", has_text="Emmanuel")).to_have_count(1)
    # The caret goes back after "Emmanuel" (once the paragraph is re-rendered): a word further
    # is "Macron", not the article's first word.
    page.wait_for_function(
        "getSelection().rangeCount && document.getElementById('text').contains("
        "getSelection().anchorNode)"
    )
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("o")
    expect(page.locator("#text mark.an-mention")).to_have_count(2)
    assert sorted(EntityMention.objects.values_list("exact", "label")) == [
        ("Emmanuel", "PER"),
        ("Macron", "ORG"),
    ]


def test_the_caret_moves_by_line_and_to_the_lines_ends(page: Page, live_server, assigned) -> None:
    open_next_article(page, live_server.url)
    page.locator("#text").focus()
    in_block = "getSelection().anchorNode.parentElement.closest('.blk').id"
    first = page.evaluate(in_block)
    page.keyboard.press("ArrowDown")
    assert page.evaluate(in_block) != first
    while page.evaluate(in_block) != "blk-1":
        page.keyboard.press("ArrowUp")
    # The paragraph's one line, whole: from its start to its end.
    page.keyboard.press("End")
    page.keyboard.press("Home")
    page.keyboard.press("Shift+End")
    page.keyboard.press("e")
    expect(page.locator("#text mark.an-mention")).to_have_count(1)
    assert EntityMention.objects.get().exact == BLOCKS[0]


def test_saving_an_annotation_deleted_elsewhere_says_so(page: Page, live_server, assigned) -> None:
    log_in(page, live_server.url)
    page.get_by_role("link", name="Next article →").click()
    page.wait_for_load_state("domcontentloaded")
    select_text(page, "Macron")
    page.keyboard.press("p")
    mark = page.locator("#text mark.an-mention", has_text="Macron")
    mark.click()
    expect(page.locator(".editing")).to_contain_text("Macron")
    EntityMention.objects.all().delete()  # As another tab would.
    page.locator(".editing").get_by_role("button", name="Save").click()
    expect(page.locator("#save-error")).to_contain_text("this annotation is gone")


def test_every_selection_converts_to_the_right_code_points(
    page: Page, live_server, assigned
) -> None:
    """Exhaustively: each (start, end) in a paragraph of emoji, ZWJ sequences, flags, combining
    marks, Hebrew and NBSP, across nested marks, gives the server's code points and quote."""
    article, project = assigned
    text = article.current_revision.text
    start, end = article.current_revision.blocks[3]
    annotator = project.members.get(username="annotator")
    for exact in ("Zoë 👩‍👩‍👧 wrote", "👩‍👩‍👧", "שלום street in Kyiv", "Kyiv 🇺🇦"):
        at = text.index(exact)
        services.mention_create(
            project=project,
            article=article,
            annotator=annotator,
            span=services.Span(at, at + len(exact), exact),
            label="MISC",
        )
    log_in(page, live_server.url)
    page.get_by_role("link", name="Next article →").click()
    # Four spans, one crossing another, which is split in two: five marks.
    expect(page.locator("#blk-3 mark")).to_have_count(5)
    page.wait_for_load_state("domcontentloaded")

    def utf16(position: int) -> int:
        return len(text[start:position].encode("utf-16-le")) // 2

    pairs = [
        (a, b)
        for a in range(start, end)
        for b in range(a + 1, end + 1)
        if not text[a].isspace() and not text[b - 1].isspace()
    ]
    results = page.evaluate(
        """([index, pairs]) => {
            const block = document.getElementById('blk-' + index);
            const nodes = [];
            const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node);
            function point(offset) {
                for (const node of nodes) {
                    if (offset <= node.length) return [node, offset];
                    offset -= node.length;
                }
                throw new Error('offset beyond the block');
            }
            return pairs.map(([a, b]) => {
                const range = document.createRange();
                range.setStart(...point(a));
                range.setEnd(...point(b));
                getSelection().removeAllRanges();
                getSelection().addRange(range);
                const found = window.newsreaderAnnotate.readSelection();
                return found && [found.start, found.end, found.exact];
            });
        }""",
        [3, [[utf16(a), utf16(b)] for a, b in pairs]],
    )
    wrong = [
        (a, b, found)
        for (a, b), found in zip(pairs, results, strict=True)
        if found != [a, b, text[a:b]]
    ]
    assert len(pairs) > 1000
    assert wrong == []


def test_without_javascript_no_button_waits_for_a_selection(browser, live_server, assigned) -> None:
    article, project = assigned
    annotator = project.members.get(username="annotator")
    claim = services.claim_create(
        project=project,
        article=article,
        annotator=annotator,
        span=span_of(article, "The chancellor said"),
    )
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url)
    page.goto(
        f"{live_server.url}/annotate/projects/{project.pk}/articles/{article.pk}/claim/{claim.pk}/"
    )
    expect(page.locator(".editing")).to_contain_text("Editing claim")
    expect(page.get_by_role("button", name="Set cue to the selection")).to_be_hidden()
    expect(page.get_by_role("button", name="Move to the selection")).to_be_hidden()
    # Nor do key hints promise keys that need JavaScript.
    expect(page.locator(".keys").first).to_be_hidden()
    expect(page.locator("#new-mention kbd").first).to_be_hidden()
    context.close()


def test_without_javascript_a_mention_is_made_from_its_text(browser, live_server, assigned) -> None:
    article, project = assigned
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/annotate/projects/{project.pk}/articles/{article.pk}/")
    form = page.locator("#new-mention")
    # A label with nothing typed says what to do, instead of the browser doing nothing.
    form.get_by_role("button", name="PER").click()
    expect(page.locator(".messages")).to_contain_text("type it under “Text to tag”")
    form = page.locator("#new-mention")
    form.get_by_text("Text to tag (without selecting)").click()
    form.get_by_label("Text", exact=True).fill("Emmanuel Macron")
    form.get_by_label("Occurrence").fill("9")
    form.get_by_role("button", name="PER").click()
    # Refused: the page comes back with what was typed, to correct.
    expect(page.locator(".messages")).to_contain_text("choose an occurrence from 1 to 1")
    form = page.locator("#new-mention")
    expect(form.get_by_label("Text", exact=True)).to_have_value("Emmanuel Macron")
    form.get_by_label("Occurrence").fill("1")
    form.get_by_role("button", name="PER").click()
    expect(page.locator("#text mark.an-mention")).to_have_text("Emmanuel Macron")
    mention = EntityMention.objects.get()
    text = article.current_revision.text
    assert (mention.start, mention.exact) == (text.index("Emmanuel Macron"), "Emmanuel Macron")
    context.close()


def open_claim_form(page: Page, base_url: str, exact: str):
    """Opens the next article, selects ``exact`` and opens the claim form on it with c."""
    open_next_article(page, base_url)
    select_text(page, exact)
    page.keyboard.press("c")
    claim_form = page.locator("#new-claim")
    expect(claim_form).to_be_visible()
    expect(claim_form.get_by_label("Check-worthiness")).to_be_focused()
    return claim_form


def test_escape_cancels_the_claim_form_and_keeps_the_selection(
    page: Page, live_server, assigned
) -> None:
    claim_form = open_claim_form(page, live_server.url, "emissions would fall")
    page.keyboard.press("Escape")
    expect(claim_form).to_be_hidden()
    # Back in the text with the selection it was opened on: a label key tags that instead.
    expect(page.locator("#text")).to_be_focused()
    page.keyboard.press("e")
    expect(page.locator("#text mark.an-mention")).to_have_text("emissions would fall")
    assert not Claim.objects.exists()
    assert EntityMention.objects.get().label == "EVENT"

    # A form opened from its summary closes the same way, back onto its summary.
    new_entity = page.get_by_text("New entity", exact=True)
    new_entity.click()
    name = page.get_by_role("textbox", name="Name")
    name.fill("Olaf Scholz")
    name.press("Escape")
    expect(name).to_be_hidden()
    expect(new_entity).to_be_focused()


def test_after_adding_a_claim_the_keyboard_goes_on_in_the_text(
    page: Page, live_server, assigned
) -> None:
    claim_form = open_claim_form(page, live_server.url, "emissions would fall")
    claim_form.get_by_role("button", name="Add claim").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#text mark.an-claim")).to_have_count(1)
    expect(page.locator("#text")).to_be_focused()
    # From the end of the claim: the next word.
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("m")
    expect(page.locator("#text mark.an-mention")).to_have_count(1)
    assert EntityMention.objects.get().exact == "by"


def open_new_mention(page: Page, base_url: str, exact: str):
    """Opens the next article, tags ``exact`` PER and opens it in the panel: (mark, panel)."""
    open_next_article(page, base_url)
    select_text(page, exact)
    page.keyboard.press("p")
    mark = page.locator("#text mark.an-mention", has_text=exact)
    mark.click()
    editing = page.locator(".editing")
    expect(editing).to_contain_text("Editing mention")
    return mark, editing


def test_escape_closes_the_span_open_in_the_panel(page: Page, live_server, assigned) -> None:
    mark, editing = open_new_mention(page, live_server.url, "Emmanuel Macron")
    expect(page.locator(".keys").first).to_be_visible()  # With JavaScript, the keys work.
    # From the panel's own form: the panel closes, the caret is back in the span.
    editing.get_by_label("Label").focus()
    page.keyboard.press("Escape")
    expect(editing).to_have_count(0)
    expect(page.locator("#text")).to_be_focused()
    expect(mark).not_to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("Enter")
    expect(editing).to_contain_text("Editing mention")
    # From the text with nothing selected, the same.
    page.locator("#text").focus()
    page.keyboard.press("Escape")
    expect(editing).to_have_count(0)
    # With a selection, Esc drops the selection first and leaves the panel as it is.
    page.keyboard.press("Enter")
    expect(editing).to_contain_text("Editing mention")
    page.locator("#text").focus()
    select_text(page, "Paris")
    page.keyboard.press("Escape")
    expect(editing).to_contain_text("Editing mention")
    assert page.evaluate("getSelection().isCollapsed")


def test_the_focus_stays_put_after_saving_or_deleting_in_the_panel(
    page: Page, live_server, assigned
) -> None:
    mark, editing = open_new_mention(page, live_server.url, "Emmanuel Macron")
    editing.get_by_label("Label").select_option("ORG")
    save = editing.get_by_role("button", name="Save", exact=True)
    save.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#save-status")).to_contain_text("Saved")
    expect(editing.get_by_role("button", name="Save", exact=True)).to_be_focused()
    assert EntityMention.objects.get().label == "ORG"
    # Deleted: back in the text where the span was, the keys going on from there.
    editing.get_by_role("button", name="Delete").focus()
    page.keyboard.press("Enter")
    expect(mark).to_have_count(0)
    expect(page.locator("#text")).to_be_focused()
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("p")
    expect(page.locator("#text mark.an-mention")).to_have_text("Emmanuel")


def test_escape_and_enter_reopen_a_claim_that_starts_with_a_mention(
    page: Page, live_server, assigned
) -> None:
    article, project = assigned
    annotator = project.members.get(username="annotator")
    where = {"project": project, "article": article, "annotator": annotator}
    services.mention_create(**where, span=span_of(article, "The chancellor"), label="PER")
    claim = span_of(article, "The chancellor said that emissions would fall")
    services.claim_create(**where, span=claim)
    open_next_article(page, live_server.url)
    # The caret in the claim, past the mention, and Enter: the claim opens.
    page.locator("#text").focus()
    page.evaluate(
        """() => {
            const claim = document.querySelector('#text mark.an-claim');
            getSelection().collapse(claim.lastChild, 10);
        }"""
    )
    page.keyboard.press("Enter")
    editing = page.locator(".editing")
    expect(editing).to_contain_text("Editing claim")
    page.locator("#text").focus()
    page.keyboard.press("Escape")
    expect(editing).to_have_count(0)
    # The caret is where the claim and the mention both start: Enter opens the claim again.
    page.keyboard.press("Enter")
    expect(editing).to_contain_text("Editing claim")


def test_a_save_that_changes_nothing_does_not_say_saved(page: Page, live_server, assigned) -> None:
    open_next_article(page, live_server.url)
    select_text(page, "Macron")
    page.keyboard.press("p")
    status = page.locator("#save-status")
    expect(status).to_have_text("Saved.")
    page.locator("#text mark.an-mention").click()
    save = page.locator(".editing").get_by_role("button", name="Save")
    save.focus()
    page.keyboard.press("Enter")  # The form as it is: nothing to save.
    expect(status).to_have_text("No change.")
    page.locator(".editing").get_by_label("Label").select_option("ORG")
    page.locator(".editing").get_by_role("button", name="Save").press("Enter")
    expect(status).to_have_text("Saved.")
    assert EntityMention.objects.get().label == "ORG"


def test_a_second_tab_does_not_overwrite_the_first(page: Page, live_server, assigned) -> None:
    open_next_article(page, live_server.url)
    select_text(page, "Macron")
    page.keyboard.press("p")
    expect(page.locator("#save-status")).to_have_text("Saved.")
    other = page.context.new_page()  # The same login, in a second tab.
    other.goto(page.url)
    expect(other.locator("#text mark.an-mention")).to_have_count(1)
    for tab in (page, other):
        tab.locator("#text mark.an-mention").click()
        expect(tab.locator(".editing")).to_contain_text("Macron")
    other.locator(".editing").get_by_label("Label").select_option("ORG")
    other.locator(".editing").get_by_role("button", name="Save").click()
    expect(other.locator("#save-status")).to_have_text("Saved.")
    # The first tab still shows PER; its edit would undo the second tab's without a word.
    page.locator(".editing").get_by_label("Label").select_option("MISC")
    page.locator(".editing").get_by_role("button", name="Save").click()
    expect(page.locator("#save-error")).to_contain_text("changed in another tab or window")
    expect(page.locator(".editing").get_by_label("Label")).to_have_value("ORG")
    assert EntityMention.objects.get().label == "ORG"
    # Now that it shows what is saved, the edit goes through.
    page.locator(".editing").get_by_label("Label").select_option("MISC")
    page.locator(".editing").get_by_role("button", name="Save").click()
    expect(page.locator("#save-status")).to_have_text("Saved.")
    expect(page.locator("#save-error")).to_be_hidden()
    assert EntityMention.objects.get().label == "MISC"


def slow_network(page: Page, latency_ms: int = 400) -> None:
    """Each request takes ``latency_ms`` more, as on a distant server."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def test_quick_keystrokes_on_a_slow_connection_are_all_saved(
    page: Page, live_server, assigned
) -> None:
    open_next_article(page, live_server.url)
    slow_network(page)
    # Three tags while the first is on its way: none is dropped.
    for exact, key in (("Angela", "p"), ("Emmanuel", "p"), ("Paris", "g")):
        select_text(page, exact)
        page.keyboard.press(key)
    expect(page.locator("#text mark.an-mention")).to_have_count(3)
    # The next word, selected while a save is on its way (in the paragraph that save
    # re-renders), stays selected for the next key.
    select_text(page, "Monday")
    page.keyboard.press("e")
    select_text(page, "met")
    expect(page.locator("#text mark.an-mention")).to_have_count(4)
    page.keyboard.press("m")
    expect(page.locator("#text mark.an-mention")).to_have_count(5)
    assert sorted(EntityMention.objects.values_list("exact", "label")) == [
        ("Angela", "PER"),
        ("Emmanuel", "PER"),
        ("Monday", "EVENT"),
        ("Paris", "GPE"),
        ("met", "MISC"),
    ]
    # A topic key pressed twice goes two steps; keys for other topics meanwhile count too.
    page.locator("#text").focus()
    for key in "1123":
        page.keyboard.press(key)
    expect(page.locator("[data-topic-key='3'] [aria-pressed=true]")).to_have_text("FAVOR")
    expect(page.locator("[data-topic-key='1'] [aria-pressed=true]")).to_have_text("AGAINST")
    expect(page.locator("[data-topic-key='2'] [aria-pressed=true]")).to_have_text("FAVOR")
    assert dict(Stance.objects.values_list("target_topic", "label")) == {
        TOPICS[0]: "AGAINST",
        TOPICS[1]: "FAVOR",
        TOPICS[2]: "FAVOR",
    }


def test_a_label_key_pressed_again_before_the_answer_tags_once(
    page: Page, live_server, assigned
) -> None:
    open_next_article(page, live_server.url)
    slow_network(page)
    select_text(page, "Macron")
    page.keyboard.press("p")
    page.keyboard.press("o")  # A quick second thought, while the first is on its way.
    expect(page.locator("#save-status")).to_contain_text("Already being tagged")
    expect(page.locator("#text mark.an-mention")).to_have_count(1)
    expect(page.locator("#save-status")).to_contain_text("Saved")
    assert list(EntityMention.objects.values_list("exact", "label")) == [("Macron", "PER")]


def test_what_a_save_says_is_in_sight_at_the_end_of_a_long_article(
    page: Page, live_server, assigned
) -> None:
    _, project = assigned
    filler = "The council said the budget would rise while critics disagreed. " * 12
    article = approved_article(
        title="A long article", blocks=[filler] * 60 + ["Olaf Scholz spoke last."]
    )
    services.assignment_create(
        project=project,
        article=article,
        annotator=project.members.get(username="annotator"),
        assigned_by=None,
    )
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/annotate/projects/{project.pk}/articles/{article.pk}/")
    page.wait_for_load_state("domcontentloaded")
    page.locator("#blk-61").scroll_into_view_if_needed()
    page.locator("#text").focus()
    page.keyboard.press("p")  # Nothing selected.
    error = page.locator("#save-error")
    expect(error).to_have_text("Select some text first.")
    expect(error).to_be_in_viewport()
    select_text(page, "Olaf Scholz")
    page.keyboard.press("p")
    status = page.locator("#save-status")
    expect(status).to_have_text("Saved.")
    expect(status).to_be_in_viewport()
    assert page.evaluate("scrollY") > 5000  # Still at the end of the article.


def test_the_claim_key_with_nothing_selected_says_to_select(
    page: Page, live_server, assigned
) -> None:
    open_next_article(page, live_server.url)
    page.locator("#text").focus()
    page.keyboard.press("c")
    expect(page.locator("#save-error")).to_have_text("Select some text first.")
    expect(page.locator("#new-claim")).to_be_hidden()
