"""What the browser tests share: Debian's Chromium, the server handle, asking, axe-core."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = REPO / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
LOAD_TIMEOUT_MS = 120_000  # the first page view loads the model
ANSWER_TIMEOUT_MS = 60_000


@dataclass
class Server:
    url: str
    log: Path


def settled(page: Page) -> None:
    """Wait until the app's script has finished running (elements shown stale are faded)."""
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=ANSWER_TIMEOUT_MS
    )
    page.wait_for_timeout(500)  # the fade of stale elements ends


def ask(page: Page, question: str, turn: int) -> None:
    box = page.get_by_test_id("stChatInputTextArea")
    expect(box).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    box.fill(question)
    box.press("Enter")
    sources = page.get_by_text("Sources (")
    expect(sources.nth(turn)).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    settled(page)


def serious_accessibility_problems(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical WCAG 2 A/AA violations on the page once it settled."""
    assert AXE.is_file(), f"{AXE} is missing: run ./scripts/install-axe (npm install axe-core)"
    settled(page)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
        })).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
        }))"""
    )
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def screenshot_whole(page: Page, path: Path) -> None:
    """A screenshot of the whole main area: Streamlit scrolls inside it, not the document,
    so the window is made as tall as the content (at most 5,000 px) for the picture."""
    size = page.viewport_size or {"width": 1400, "height": 1000}
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, 600), 5000)})
    settled(page)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
