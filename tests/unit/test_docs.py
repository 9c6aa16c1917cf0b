"""The README documents every setting (a new setting without a line there fails here)."""

from __future__ import annotations

from pathlib import Path

from ingest.vocabulary.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_in_the_readme() -> None:
    text = README.read_text("utf-8")
    missing = [name for name in Settings.model_fields if f"`OQA_{name.upper()}`" not in text]
    assert not missing, f"settings missing from README.md: {missing}"


def test_every_setting_has_a_description() -> None:
    assert all(field.description for field in Settings.model_fields.values())
