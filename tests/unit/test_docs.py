"""The documentation says what is true: docs/settings.md is the settings class as generated
(a new or changed setting without a regenerated file fails here), the README stays a short
guide, and every file the README and docs/ link to exists."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.vocabulary.settings import Settings, settings_markdown

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
README_MAX_LINES = 200


def test_docs_settings_is_the_generated_table() -> None:
    committed = (REPO / "docs" / "settings.md").read_text("utf-8")
    assert committed == settings_markdown(), (
        "docs/settings.md is out of date: "
        "run `python -m ingest.vocabulary.settings > docs/settings.md`"
    )


def test_every_setting_has_a_description_and_a_row() -> None:
    table = settings_markdown()
    for name, field in Settings.model_fields.items():
        assert field.description, name
        assert f"| `OQA_{name.upper()}` |" in table, name


def test_the_readme_is_short() -> None:
    assert len(README.read_text("utf-8").splitlines()) <= README_MAX_LINES


def local_links(page: Path) -> list[str]:
    """The targets of a page's Markdown links that are files of this repository."""
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text("utf-8"))
    return [target for target in targets if "://" not in target]


def test_every_file_the_docs_link_to_exists() -> None:
    pages = [README, *sorted((REPO / "docs").glob("*.md"))]
    assert local_links(README), "the README links to no documentation"
    missing = [
        f"{page.name} -> {target}"
        for page in pages
        for target in local_links(page)
        if not (page.parent / target).exists()
    ]
    assert not missing, f"links to missing files: {missing}"
