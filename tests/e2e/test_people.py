"""The app for the people who use it, in Debian's Chromium: the pre-check, links, a
refresh, feedback, the About page, a phone-width screen, the dark theme, long pastes,
questions sent in a burst, and axe-core's accessibility check on the main pages.

One Streamlit server for the module, over a copy of the session's index (the app
writes feedback and saved conversations beside it). Screenshots go to tmp dirs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from browserkit import (
    ANSWER_TIMEOUT_MS,
    LOAD_TIMEOUT_MS,
    REPO,
    Server,
    ask,
    screenshot_whole,
    serious_accessibility_problems,
    settled,
)
from playwright.sync_api import Browser, Page, expect
from servers import streamlit_app

from ingest.vocabulary.settings import Settings
from retrieval import open_engine
from retrieval.answering.precheck import precheck

pytestmark = pytest.mark.e2e

WHY_NOT = "Why was the complaint about free school transport not investigated?"
SITUATION = "The council refused my blue badge and I first complained about it two years ago."
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def store(built_store: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("people") / "store"
    shutil.copytree(built_store.store_dir, copy)
    return copy


@pytest.fixture(scope="module")
def server(store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    with streamlit_app(store, log) as url:
        yield Server(url, log)


def cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, text=True, check=True, cwd=REPO
    )
    return done.stdout


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_text("This is not legal advice").first).to_be_visible(
        timeout=LOAD_TIMEOUT_MS
    )


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_precheck_from_a_typed_situation_to_cited_decisions(
    page: Page, server: Server, store: Path, tmp_path: Path
) -> None:
    engine = open_engine(Settings(store_dir=store))
    try:
        expected = precheck(engine, SITUATION, ["late", "premature"])
    finally:
        engine.close()
    open_page(page, f"{server.url}/check")
    page.get_by_label("What happened, in your own words").fill(SITUATION)
    page.get_by_text("12 months ago or more").click()
    page.get_by_text("No, not yet").click()
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("heading", name="What published decisions show")).to_be_visible(
        timeout=ANSWER_TIMEOUT_MS
    )
    late = page.get_by_test_id("stVerticalBlock").filter(has_text="The 12-month time limit")
    expect(late.get_by_text("Local Government Act 1974 section 26B").first).to_be_visible()
    first = expected.findings[0].given[0].citation
    expect(page.get_by_text(first.quote).first).to_be_visible()
    expect(page.get_by_text("Complaining to the council or provider first").first).to_be_visible()
    expect(page.get_by_text("cited", exact=True).first).to_be_visible()
    screenshot_whole(page, tmp_path / "precheck.png")
    assert serious_accessibility_problems(page) == []
    # Opening a cited decision lands on its cited paragraph.
    page.get_by_role("button", name="Open the decision").first.click()
    expect(page.get_by_role("dialog").get_by_text("cited").first).to_be_visible(
        timeout=ANSWER_TIMEOUT_MS
    )


def test_a_ref_and_para_link_opens_the_viewer_at_that_paragraph(
    page: Page, server: Server, tmp_path: Path
) -> None:
    open_page(page, f"{server.url}/?ref=21-103-417&para=2")
    viewer = page.get_by_role("dialog")
    expect(viewer.get_by_text("21 103 417").first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    cited = viewer.get_by_test_id("stVerticalBlock").filter(has_text="cited").last
    expect(cited).to_be_visible()
    expect(cited).to_contain_text("2.")
    expect(cited).to_be_in_viewport()
    page.screenshot(path=str(tmp_path / "ref-para-link.png"))


def test_a_refresh_keeps_the_conversation_and_clear_forgets_it(
    page: Page, server: Server, tmp_path: Path
) -> None:
    open_page(page, server.url)
    ask(page, WHY_NOT, turn=0)
    page.wait_for_url("**/?c=*")
    page.reload()
    expect(page.get_by_text(WHY_NOT).first).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    expect(page.get_by_text("Sources (").first).to_be_visible()
    settled(page)
    page.screenshot(path=str(tmp_path / "after-refresh.png"))
    saved = page.url
    page.get_by_test_id("stSidebar").get_by_role("button", name="Clear", exact=True).click()
    expect(page.get_by_text(WHY_NOT)).to_have_count(0)
    page.goto(saved)
    expect(page.get_by_text("no longer here").first).to_be_visible(timeout=LOAD_TIMEOUT_MS)


def test_feedback_is_stored_and_exported(page: Page, server: Server, store: Path) -> None:
    before = len(json.loads(cli("retrieval", "feedback", "--json", "--store", str(store))))
    open_page(page, server.url)
    ask(page, WHY_NOT, turn=0)
    answer = page.get_by_test_id("stChatMessage").nth(1)
    answer.get_by_role("radio", name="Thumbs up").click()
    expect(page.get_by_text("saved on this computer").first).to_be_visible()
    answer.get_by_role("button", name="Report a wrong citation").first.click()
    page.wait_for_timeout(1000)
    rows = json.loads(cli("retrieval", "feedback", "--json", "--store", str(store)))[before:]
    assert [(r["kind"], r.get("rating"), r.get("citation")) for r in rows] == [
        ("answer", "up", None),
        ("wrong_citation", None, 1),
    ]
    assert all(r["question"] == WHY_NOT and r["citations"] for r in rows)


def test_about_page_counts_equal_ingest_status(
    page: Page, server: Server, store: Path, tmp_path: Path
) -> None:
    status = json.loads(cli("ingest", "status", "--json", "--store", str(store)))
    open_page(page, f"{server.url}/about")
    decisions = page.get_by_test_id("stMetric").filter(has_text="Decisions")
    passages = page.get_by_test_id("stMetric").filter(has_text="Passages")
    expect(decisions.get_by_test_id("stMetricValue")).to_have_text(str(status["decisions"]))
    expect(passages.get_by_test_id("stMetricValue")).to_have_text(str(status["chunks"]))
    expect(page.get_by_text("re-used with attribution").first).to_be_visible()
    screenshot_whole(page, tmp_path / "about.png")
    assert serious_accessibility_problems(page) == []


def test_phone_width_has_no_horizontal_scroll_and_every_action_is_reachable(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        open_page(page, server.url)
        ask(page, WHY_NOT, turn=0)
        page.get_by_text("Sources (").first.scroll_into_view_if_needed()
        assert no_horizontal_scroll(page)
        answer = page.get_by_test_id("stChatMessage").nth(1)
        for name in ("Open the decision", "Similar decisions", "Copy link", "Copy citation"):
            button = answer.get_by_role("button", name=name).first
            button.scroll_into_view_if_needed()
            box = button.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], name
        page.screenshot(path=str(tmp_path / "phone-answer.png"))
        for path in ("/check", "/about"):
            open_page(page, server.url + path)
            settled(page)
            assert no_horizontal_scroll(page), path
        page.screenshot(path=str(tmp_path / "phone-about.png"))
    finally:
        context.close()


def test_keyboard_reaches_the_answer_actions(page: Page, server: Server) -> None:
    open_page(page, server.url)
    ask(page, WHY_NOT, turn=0)
    wanted = ("Open the decision", "Copy citation", "Report a wrong citation")
    reached: set[str] = set()
    for _ in range(250):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement; return e.tagName === 'BUTTON' ? "
            "e.innerText : ''; }"
        )
        reached |= {name for name in wanted if name in focused}
        if len(reached) == len(wanted):
            break
    assert reached == set(wanted)
    page.keyboard.press("Enter")  # on "Report a wrong citation" (the last reached): kept
    expect(page.get_by_text("saved on this computer").first).to_be_visible(timeout=10_000)


def test_dark_theme(browser: Browser, server: Server, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, color_scheme="dark")
    page = context.new_page()
    try:
        open_page(page, server.url)
        ask(page, WHY_NOT, turn=0)
        background = page.evaluate(
            "() => getComputedStyle(document.querySelector('.stApp')).backgroundColor"
        )
        red, green, blue = (int(v) for v in background[4:-1].split(",")[:3])
        assert red + green + blue < 150, background  # dark
        page.screenshot(path=str(tmp_path / "dark-answer.png"))
        assert serious_accessibility_problems(page) == []
        open_page(page, f"{server.url}/check")
        screenshot_whole(page, tmp_path / "dark-precheck.png")
    finally:
        context.close()


def test_main_page_has_no_serious_accessibility_problems(page: Page, server: Server) -> None:
    open_page(page, server.url)
    assert serious_accessibility_problems(page) == []
    ask(page, WHY_NOT, turn=0)
    assert serious_accessibility_problems(page) == []


def test_a_long_paste_is_kept_and_questions_in_a_row_are_all_answered(
    page: Page, server: Server, tmp_path: Path
) -> None:
    open_page(page, server.url)
    box = page.get_by_test_id("stChatInputTextArea")
    pasted = "The council did not answer my complaint about school transport. " * 40
    box.fill(pasted)
    box.press("Enter")
    expect(page.get_by_text("the limit is 2,000").first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    kept = page.get_by_label("Your question, to shorten")
    expect(kept).to_have_value(pasted.strip())
    page.screenshot(path=str(tmp_path / "long-paste.png"))
    page.get_by_role("button", name="Discard it").click()
    # Each question is typed as soon as the box opens again (it is closed while an answer
    # is written; tests/app/test_pages.py checks that and the queue behind it).
    burst = [WHY_NOT, "Who complained about the noise?", "What did the council agree to do?"]
    for question in burst:
        settled(page)
        box.fill(question)
        box.press("Enter")
    for question in burst:
        asked = page.get_by_test_id("stChatMessage").filter(has_text=question).first
        expect(asked).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(page.get_by_text("Was this answer useful?")).to_have_count(3)
