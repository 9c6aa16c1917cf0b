"""The app in a real browser: `streamlit run` on loopback, driven by Debian's Chromium.

Needs /usr/bin/chromium (`apt-get install -y chromium`; CI installs it) and the
Python `playwright` package; a browser is never downloaded. Screenshots go to
the test's tmp dir.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browserkit import ANSWER_TIMEOUT_MS, Server, ask
from playwright.sync_api import Page, expect
from servers import streamlit_app

from ingest.indexing.pipeline import build
from ingest.vocabulary.settings import Settings
from retrieval import open_engine

pytestmark = pytest.mark.e2e

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(2)>"
INJECTED = f"""Fictional Testborough Council (25 999 001)
Category : Highways and transport > Parking and other penalties
Decision : Closed after initial enquiries
Decision date : 12 Mar 2025
The Ombudsman's final decision:
Summary: We will not investigate Mr Z's complaint that the Council's parking permit page showed \
the code {SCRIPT} and {IMAGE} instead of the permit prices. The Council has fixed the page and \
apologised, and an investigation could not add to that.
The complaint
- Mr Z complains that in January 2025 the Fictional Testborough Council parking permit page \
showed the text {SCRIPT} and {IMAGE} where the permit prices should be. He says he could not \
renew his resident parking permit on time.
My assessment
- The Council accepts the page was broken for two days after a software update. It fixed the \
page, extended Mr Z's permit free of charge and apologised. An investigation could not add to \
what the Council has already done.
Final decision
- We will not investigate Mr Z's complaint because an investigation could not add to the \
Council's own response.
Investigator's decision on behalf of the Ombudsman
"""
QUESTION = "Why was the complaint about free school transport not investigated?"
INJECTED_QUESTION = "What did the Fictional Testborough Council parking permit page show?"


@pytest.fixture(scope="module")
def e2e_store(built_store: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The sample corpus + seed index, copied, plus a decision carrying HTML to inject."""
    root = tmp_path_factory.mktemp("e2e")
    store = root / "store"
    shutil.copytree(built_store.store_dir, store)
    extra = root / "extra"
    extra.mkdir()
    (extra / "25-999-001.txt").write_text(INJECTED, encoding="utf-8")
    settings = Settings(store_dir=store)
    summary = build([extra], settings, store)  # incremental: only the new file is embedded
    assert summary.added_decisions == 1 and not summary.failed, summary.line()
    return settings


@pytest.fixture(scope="module")
def server(e2e_store: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    with streamlit_app(e2e_store.store_dir, log) as url:
        yield Server(url, log)


def test_ask_open_a_citation_and_see_the_quote(
    page: Page, server: Server, e2e_store: Settings, dialogs: list[str], tmp_path: Path
) -> None:
    engine = open_engine(e2e_store)
    try:
        expected = engine.answer(QUESTION).citations[0]
    finally:
        engine.close()
    started = time.perf_counter()
    page.goto(server.url)
    ask(page, QUESTION, turn=0)
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer.get_by_text(expected.quote).first).to_be_visible()
    page.screenshot(path=str(tmp_path / "answer.png"))
    with page.expect_download() as download:
        page.get_by_test_id("stSidebar").get_by_role("button", name="Export").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert QUESTION.rstrip("?") in exported and f"({expected.ref})" in exported
    answer.get_by_role("button", name="Open the decision").first.click()
    viewer = page.get_by_role("dialog")
    expect(viewer).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(viewer.get_by_text(expected.organisation).first).to_be_visible()
    expect(viewer.get_by_text("cited").first).to_be_visible()
    expect(viewer.get_by_text(expected.quote).first).to_be_visible()
    page.screenshot(path=str(tmp_path / "citation-viewer.png"))
    print(f"asked and opened a citation in {time.perf_counter() - started:.1f} s")
    assert dialogs == []


def test_html_in_a_decision_is_shown_as_text(
    page: Page, server: Server, dialogs: list[str], tmp_path: Path
) -> None:
    page.goto(server.url)
    ask(page, INJECTED_QUESTION, turn=0)
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer.get_by_text("Fictional Testborough Council").first).to_be_visible()
    answer.get_by_role("button", name="Open the decision").first.click()
    viewer = page.get_by_role("dialog")
    expect(viewer.get_by_text(SCRIPT).first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(viewer.get_by_text(IMAGE).first).to_be_visible()
    page.screenshot(path=str(tmp_path / "injected-decision.png"), full_page=True)
    injected = page.evaluate(
        """() => ({
            scripts: [...document.scripts].filter(s => s.textContent.includes('alert(')).length,
            images: document.querySelectorAll('img[src="x"], img[onerror]').length,
        })"""
    )
    assert injected == {"scripts": 0, "images": 0}
    page.wait_for_timeout(500)
    assert dialogs == []


def test_citation_opens_the_organisation_page(
    page: Page, server: Server, e2e_store: Settings, tmp_path: Path
) -> None:
    engine = open_engine(e2e_store)
    try:
        organisation = engine.answer(QUESTION).citations[0].organisation
    finally:
        engine.close()
    page.goto(server.url)
    ask(page, QUESTION, turn=0)
    answer = page.get_by_test_id("stChatMessage").nth(1)
    answer.get_by_role("button", name="Organisation").first.click()
    heading = page.get_by_role("heading", name=organisation)
    expect(heading.first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(page.get_by_text("Ask about this organisation").first).to_be_visible()
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts.first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    page.screenshot(path=str(tmp_path / "organisation-page.png"), full_page=True)
