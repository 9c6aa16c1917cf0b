"""The reviewed explanatory sentences: complete, and their law the law the decisions quote."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ingest.vocabulary.records import Outcome, Reason
from retrieval.answering.precheck import reasons_from_answers
from retrieval.wording import explanations

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "corpus.jsonl"


def test_every_reason_outcome_and_answer_has_its_sentence() -> None:
    loaded = explanations()
    assert set(loaded.tests) == {r.value for r in Reason}
    assert set(loaded.outcomes) == {o.value for o in Outcome}
    for test in loaded.tests.values():
        assert test.test and test.meaning and test.next_step and test.source
    for question in loaded.questions:
        assert question.label.endswith("?") and question.source and question.options


@pytest.fixture(scope="module")
def published_text() -> str:
    assert REALDATA.is_file(), f"the real decisions are missing: {REALDATA}"
    lines = REALDATA.read_text(encoding="utf-8").splitlines()
    return "\n".join(json.loads(line)["text"] for line in lines)


def test_each_statutory_basis_is_one_the_published_decisions_cite(published_text: str) -> None:
    """"section 26B", "section 26(6)(a)", "Schedule 5"...: each is quoted by real decisions."""
    for test in explanations().tests.values():
        for part in re.findall(r"(?:section \S+|Schedule \d+)", test.basis):
            pattern = re.escape(part).replace("section", "sections?")
            assert re.search(pattern, published_text), f"{test.reason}: {part} not quoted"


def test_answers_point_to_the_tests_they_raise() -> None:
    answers = {
        "aware": "12 months ago or more",
        "complained": "I complained but have no final reply yet",
        "appeal": "I am not sure",
        "everyone": "No, it is about me or my family",
        "elsewhere": "No",
    }
    assert reasons_from_answers(answers) == [
        "late",
        "premature",
        "alternative_remedy_appeal",
        "alternative_remedy_court",
    ]
    assert reasons_from_answers({}) == []
