"""Feedback kept in the app's local file beside the index, exported by the CLI as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from retrieval.cli import app
from retrieval.feedback import (
    ANSWER,
    DOWN,
    WRONG_CITATION,
    Feedback,
    export_feedback,
    record_feedback,
)
from retrieval.localdata import LocalDataError
from retrieval.types import Citation

CITATION = Citation(
    n=1,
    ref="26 999 001",
    organisation="Fictional Testborough Council",  # FICTIONAL
    url="https://www.lgo.org.uk/decisions/x/26-999-001",
    section="Summary",
    paragraphs="",
    quote="We will not investigate.",
    paragraph_text="We will not investigate.",
)


def test_rows_keep_question_answer_and_citations_and_the_cli_exports_them(tmp_path: Path) -> None:
    assert export_feedback(tmp_path) == []  # none given yet: nothing is created either
    assert not list(tmp_path.iterdir())
    record_feedback(tmp_path, Feedback(ANSWER, "Why not?", "Because [1]", [CITATION], rating=DOWN))
    wrong = Feedback(WRONG_CITATION, "Why not?", "Because [1]", [CITATION], citation_n=1)
    record_feedback(tmp_path, wrong)
    result = CliRunner().invoke(app, ["feedback", "--json", "--store", str(tmp_path)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["kind"], r.get("rating"), r.get("citation")) for r in rows] == [
        ("answer", "down", None),
        ("wrong_citation", None, 1),
    ]
    assert rows[0]["citations"][0]["quote"] == "We will not investigate."
    assert rows[0]["question"] == "Why not?" and rows[0]["answer"] == "Because [1]"


def test_a_folder_that_cannot_be_written_is_one_sentence(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "folder"
    with pytest.raises(LocalDataError, match="need the index folder to be writable"):
        record_feedback(missing, Feedback(ANSWER, "q", "a", [], rating=DOWN))
