"""A checked sentence is read as being about the decision the answer is about, and one that
points back ("This is because ...", "It will ...") as being about the sentence before it: each
must stand on that decision. Passages are FICTIONAL, from the bundled sample."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.parse.decision import parse_decision
from ingest.parse.sources import read_source
from ingest.vocabulary.records import SUMMARY_SECTION
from retrieval.check.checker import split_claims
from retrieval.llm.answerer import Assembler, Source

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def summary_source(n: int, name: str) -> Source:
    decision = parse_decision(read_source(SAMPLE / name))
    return Source(n, decision, SUMMARY_SECTION, decision.summary)


@pytest.fixture(scope="module")
def sources() -> dict[int, Source]:
    # 21 511 640: a grant delayed, £500 and £150; 25 312 709: noise, £200 to Mrs H.
    return {1: summary_source(1, "21-511-640.txt"), 2: summary_source(2, "25-312-709.txt")}


def assemble(draft: str, sources: dict[int, Source]) -> tuple[str, list[str]]:
    assembler = Assembler(sources, 0.6)
    for claim in split_claims(draft):
        assembler.add(claim)
    result = assembler.draft()
    return result.text, [r.reason for r in result.removed]


def test_a_sentence_about_another_decision_must_say_which(sources: dict[int, Source]) -> None:
    # The answer is about passage 1's decision (the best found): a sentence true only of
    # another reads as the answer about this one, unless it names its decision.
    text, removed = assemble(
        "The Council lost the referral for four months [1]. "
        "The Council has agreed to apologise and pay Mrs H £200 [2].",
        sources,
    )
    assert "£200" not in text
    assert removed == ["is about another decision than the answer's, and does not say which"]
    named, _ = assemble(
        "In decision 25 312 709 the Council has agreed to apologise and pay Mrs H £200 [2].",
        sources,
    )
    assert "£200" in named


def test_a_sentence_pointing_back_to_another_decision_is_removed(
    sources: dict[int, Source],
) -> None:
    # Each sentence is true of the passage it cites; together they say the noise decision's
    # Council lost a grant referral, which no passage says.
    text, removed = assemble(
        "In decision 25 312 709 the Council has agreed to apologise and pay Mrs H £200 [2]. "
        "It lost the referral for four months [1].",
        sources,
    )
    assert "referral" not in text
    assert removed == ["points back to a sentence about another decision"]


def test_a_sentence_pointing_back_to_a_removed_one_is_removed(
    sources: dict[int, Source],
) -> None:
    text, removed = assemble(
        "The Council was not at fault [1]. It has agreed to apologise [1].", sources
    )
    assert text == ""
    assert removed[1] == "points back to a removed sentence"


def test_a_sentence_pointing_back_within_one_decision_is_kept(
    sources: dict[int, Source],
) -> None:
    text, removed = assemble(
        "The Council lost the referral for four months [1]. It has agreed to apologise [1].",
        sources,
    )
    assert removed == []
    # Two quotes of the one decision, numbered in order of use.
    assert text == (
        "The Council lost the referral for four months. [1] It has agreed to apologise. [2]"
    )
