"""The documentation says what is true: docs/settings.md is the settings class as generated
(a new or changed setting without a regenerated file fails here), the README stays a short
guide, and every file the README points to exists."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.settings import Settings, settings_markdown

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
README_MAX_LINES = 200


def test_docs_settings_is_the_generated_table() -> None:
    committed = (REPO / "docs" / "settings.md").read_text("utf-8")
    assert committed == settings_markdown(), (
        "docs/settings.md is out of date: run `python -m ingest.settings > docs/settings.md`"
    )


def test_every_setting_has_a_description_and_a_row() -> None:
    table = settings_markdown()
    for name, field in Settings.model_fields.items():
        assert field.description, name
        assert f"| `OQA_{name.upper()}` |" in table, name


def test_the_readme_is_short() -> None:
    assert len(README.read_text("utf-8").splitlines()) <= README_MAX_LINES


def test_every_file_the_readme_links_to_exists() -> None:
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README.read_text("utf-8"))
    local = [link for link in links if "://" not in link]
    assert local, "the README links to no documentation"
    missing = [link for link in local if not (REPO / link).exists()]
    assert not missing, f"README links to missing files: {missing}"
