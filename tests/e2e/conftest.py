"""Browser tests: Debian's Chromium per module, a fresh page per test, and a failing
test's report carries the Streamlit server's output (each module defines ``server``)."""

from __future__ import annotations

from collections.abc import Generator, Iterator

import pytest
from browserkit import CHROMIUM, CHROMIUM_ARGS, Server
from playwright.sync_api import Browser, Page, sync_playwright


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    server = getattr(item, "funcargs", {}).get("server")
    if report.failed and server is not None and server.log.exists():
        report.sections.append(("streamlit server output", server.log.read_text()))
    return report


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: install Debian's browser with `apt-get install -y chromium` "
        "(never `playwright install`)."
    )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def dialogs() -> list[str]:
    """Messages of any JavaScript dialog (alert, confirm) the page opened: must stay empty."""
    return []


@pytest.fixture
def page(browser: Browser, server: Server, dialogs: list[str]) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        yield opened
    finally:
        context.close()
