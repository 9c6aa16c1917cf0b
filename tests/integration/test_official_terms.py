"""A lay phrase finds the decisions that use the Ombudsman's term for it, by keyword too.

Both decisions are FICTIONAL (fictional council, people and references). The Blue Badge
decision never says "disabled parking"; the bus pass decision says "disabled", so by the
question's own words alone the keyword searches would prefer it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from buildkit import engine_over

from retrieval.engine import Engine
from retrieval.retrieve.search import gather

BLUE_BADGE = "24 930 001"
BUS_PASS = "24 930 002"
FILES = {
    "24-930-001.txt": (
        "Fictional Vale District Council (24 930 001)\n"
        "Category : Transport and highways > Blue badges\nDecision : Not upheld\n"
        "Decision date : 03 Apr 2024\nThe Ombudsman's final decision:\n"
        "Summary: There was no fault in how the Council refused Mrs P's Blue Badge "
        "application after its mobility assessment.\n"
        "The complaint\n- Mrs P complains the Council refused her a Blue Badge although she "
        "can walk only a short distance.\n"
        "My assessment\n- The Council followed the Blue Badge guidance and considered the "
        "mobility assessment properly.\n"
    ),
    "24-930-002.txt": (
        "Fictional Vale District Council (24 930 002)\n"
        "Category : Transport and highways > Other\nDecision : Not upheld\n"
        "Decision date : 05 May 2024\nThe Ombudsman's final decision:\n"
        "Summary: There was no fault in how the Council refused Mr Q a disabled person's bus "
        "pass.\n"
        "The complaint\n- Mr Q complains the Council refused his disabled person's bus pass "
        "and would not let him travel free before 9am.\n"
        "My assessment\n- The Council applied the national concessionary travel rules.\n"
    ),
}
QUESTION = "The council turned down my mum's disabled parking permit. Was that fair?"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = engine_over(FILES, tmp_path_factory)
    yield engine
    engine.close()


def test_the_keyword_searches_read_the_official_term(engine: Engine) -> None:
    plan = engine.plan(QUESTION)
    assert plan.keyword_text.endswith("blue badge")
    ranks = gather(engine.index, plan).ranks
    for ranking in ("chunk_keyword", "decision_keyword"):
        assert ranks[BLUE_BADGE][ranking] < ranks[BUS_PASS][ranking], ranking


def test_the_blue_badge_decision_answers_the_lay_question(engine: Engine) -> None:
    assert engine.search(QUESTION).hits[0].ref == BLUE_BADGE
