"""Name matching, remedy extraction and counting-question detection, without an index."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.parse.decision import parse_decision
from ingest.parse.sources import read_source
from ingest.vocabulary.errors import UnknownOrganisationError
from retrieval.answering.citations import CitationList
from retrieval.organisation.names import resolve_organisation, variant_groups
from retrieval.organisation.remedies import classify, remedies_of
from retrieval.types import Intent
from retrieval.understand.query import Vocabulary, plan_query

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
COUNTS = {
    "Northmoor Borough Council": 6,
    "Northmoor Council": 2,  # an older copy's shorter form: the same council
    "Durham County Council": 4,
    "Durham City Council": 1,  # a different council that shares the place name
    "Westerleigh County Council": 3,
    "Westerleigh Care Ltd": 1,  # a care provider, not the council
}


def test_variants_merge_only_when_kind_and_type_agree() -> None:
    groups = {group[0]: set(group) for group in variant_groups(COUNTS)}
    assert groups["Northmoor Borough Council"] == {
        "Northmoor Borough Council",
        "Northmoor Council",
    }
    assert groups["Durham County Council"] == {"Durham County Council"}
    assert groups["Durham City Council"] == {"Durham City Council"}
    assert groups["Westerleigh Care Ltd"] == {"Westerleigh Care Ltd"}


@pytest.mark.parametrize("typed", ["Northmoor", "northmoor council", "Northmoor BC", "Nortmoor"])
def test_loose_names_resolve_to_the_merged_organisation(typed: str) -> None:
    match = resolve_organisation(typed, COUNTS)
    assert match.name == "Northmoor Borough Council"
    assert set(match.variants) == {"Northmoor Borough Council", "Northmoor Council"}


def test_type_words_pick_between_councils_sharing_a_place_name() -> None:
    assert resolve_organisation("Durham CC", COUNTS).name == "Durham City Council"
    assert resolve_organisation("Durham county", COUNTS).name == "Durham County Council"
    with pytest.raises(UnknownOrganisationError, match="several organisations") as caught:
        resolve_organisation("Durham council", COUNTS)
    assert set(caught.value.close_names) == {"Durham County Council", "Durham City Council"}


def test_kind_words_separate_a_council_from_a_care_provider() -> None:
    assert resolve_organisation("Westerleigh care", COUNTS).name == "Westerleigh Care Ltd"
    assert resolve_organisation("Westerleigh council", COUNTS).name == (
        "Westerleigh County Council"
    )


def test_nothing_close_lists_the_nearest_names() -> None:
    with pytest.raises(UnknownOrganisationError, match="Close names: Durham") as caught:
        resolve_organisation("Durnham Parish Council", COUNTS)
    assert caught.value.close_names[0].startswith("Durham")


def test_remedies_are_verbatim_list_items_with_their_deadlines() -> None:
    decision = parse_decision(read_source(SAMPLE / "20-302-114.txt"))
    citations = CitationList()
    remedies = remedies_of(decision, citations)
    assert len(remedies) == 8
    assert remedies[0].kinds == ("apology",) and remedies[0].deadline == "within one month"
    assert [r.amounts for r in remedies if "payment" in r.kinds] == [("£4,200",), ("£300",)]
    assert remedies[-1].deadline == "within three months"
    assert all(r.citation.quote in decision.text for r in remedies)
    assert not any("provide us with evidence" in r.text for r in remedies)


def test_decisions_not_upheld_have_no_remedies() -> None:
    decision = parse_decision(read_source(SAMPLE / "21-103-417.txt"))
    assert remedies_of(decision, CitationList()) == []


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("a) apologise to Mr X. We publish guidance on remedies", ("apology",)),
        ("v. pay Ms B £300 ... failure to act on the review panel's recommendations", ("payment",)),
        ("b) refund £4,200 to Mrs Y", ("payment",)),
        ("a) review its procedure for deprivation of assets decisions", ("service_improvement",)),
        ("d) backdate Ms B's priority date on the housing register", ("other",)),
    ],
)
def test_remedy_kinds(text: str, kinds: tuple[str, ...]) -> None:
    assert classify(text) == kinds


@pytest.mark.parametrize(
    "question",
    [
        "how often does Northmoor council get complaints upheld about school transport?",
        "How many complaints about bins were not investigated?",
        "what percentage of complaints are upheld",
        "What is the uphold rate for Northmoor?",
        "how often do they refuse to investigate?",
        "What is the most common reason the ombudsman gives for not investigating?",
        "which outcome is most frequent for Northmoor?",
    ],
)
def test_counting_questions_have_the_stats_intent(question: str) -> None:
    vocabulary = Vocabulary(organisations=("Northmoor Borough Council",))
    assert plan_query(question, vocabulary).intent == Intent.STATS


def test_a_reference_is_a_lookup_even_when_counting_words_appear() -> None:
    assert plan_query("how many parts of 24 020 817 were late?", Vocabulary()).intent != (
        Intent.STATS
    )
