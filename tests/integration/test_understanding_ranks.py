"""Understanding ranks; only the user excludes — over a small index of FICTIONAL decisions.

Every decision here is fictional (fictional councils, people and references), written to
pin one mechanism each: a copy with no organisation line, a named council's decision on
another subject, another council's decision on the same subject, and events years before
the decision.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from buildkit import engine_over

from ingest.indexing.pipeline import build
from ingest.vocabulary.filters import DecisionFilter
from ingest.vocabulary.settings import Settings
from retrieval.answering.stats_answer import question_scope
from retrieval.engine import Engine, open_engine
from retrieval.retrieve.search import gather

ROLE = (
    "The Ombudsman's role and powers\n"
    "- We investigate complaints about 'maladministration' and 'service failure'. We do not "
    "start an investigation if there is not enough evidence of fault. (Local Government Act "
    "1974, section 24A(6))\n"
)

# FICTIONAL. A third-party copy: no header, so its organisation is unknown to the parser;
# only its file name gives the reference.
NO_HEADER_TAX = (
    "The Ombudsman's final decision\n"
    "Summary: We will not investigate Mr B's complaint about the Council removing his single "
    "person discount on council tax. He can appeal to the Valuation Tribunal.\n"
    "The complaint\n"
    "- Mr B complains the Council removed his single person discount and backdated the "
    "council tax bill after his lodger moved out.\n" + ROLE + "My assessment\n"
    "- Mr B has a right of appeal to the Valuation Tribunal about the discount, and it is "
    "reasonable to expect him to use it.\n"
)
KESTRELFORD_PLANNING = (
    "Kestrelford District Council (23 910 001)\n"
    "Category : Planning > Enforcement\nDecision : Closed after initial enquiries\n"
    "Decision date : 02 Feb 2024\nThe Ombudsman's final decision:\n"
    "Summary: We will not investigate Mrs C's complaint that the Council did not take "
    "enforcement action against her neighbour's fence. There is not enough evidence of fault.\n"
    "The complaint\n- Mrs C complains the Council will not make her neighbour remove a "
    "fence built without planning permission.\n" + ROLE + "My assessment\n"
    "- Councils have discretion whether to take planning enforcement action.\n"
)
BRACKENMOOR_TAX = (
    "Brackenmoor Borough Council (22 910 002)\n"
    "Category : Benefits and tax > Council tax\nDecision : Upheld\n"
    "Decision date : 11 May 2022\nThe Ombudsman's final decision:\n"
    "Summary: The Council delayed deciding Ms D's single person discount. It agreed to "
    "apologise and pay £150.\n"
    "The complaint\n- Ms D complains the Council took nine months to decide her claim for a "
    "single person discount on council tax.\n" + ROLE + "My assessment\n"
    "- The Council accepted the delay. It agreed to apologise and pay Ms D £150.\n"
)
KESTRELFORD_TRANSPORT = (
    "Kestrelford District Council (23 910 003)\n"
    "Category : Education > School transport\nDecision : Not upheld\n"
    "Decision date : 20 Jun 2023\nThe Ombudsman's final decision:\n"
    "Summary: There was no fault in how the Council decided Mr E's son was not eligible for "
    "free school transport.\n"
    "The complaint\n- Mr E complains the Council refused his son free school transport "
    "between 2017 and 2019 and that the bus stop is unsafe.\n" + ROLE + "My assessment\n"
    "- The Council applied its school transport policy properly.\n"
)
FILES = {
    "22-910-004.txt": NO_HEADER_TAX,
    "23-910-001.txt": KESTRELFORD_PLANNING,
    "22-910-002.txt": BRACKENMOOR_TAX,
    "23-910-003.txt": KESTRELFORD_TRANSPORT,
}
ALL_REFS = {"22 910 004", "23 910 001", "22 910 002", "23 910 003"}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = engine_over(FILES, tmp_path_factory)
    yield engine
    engine.close()


def test_a_copy_without_organisation_is_found_by_a_question_naming_the_council(
    engine: Engine,
) -> None:
    assert engine.decision("22 910 004").organisation == "Unknown organisation"
    result = engine.search(
        "Why did the ombudsman refuse to look at my single person discount dispute with "
        "Kestrelford council?"
    )
    assert result.plan.soft.organisations == ("Kestrelford District Council",)
    assert result.hits[0].ref == "22 910 004"  # not Kestrelford's planning decision
    answer = engine.answer(
        "Why did the ombudsman refuse to look at my single person discount dispute with "
        "Kestrelford council?"
    )
    assert answer.answered and answer.citations[0].ref == "22 910 004"


def test_a_copy_without_organisation_is_found_for_a_council_no_decision_names(
    engine: Engine,
) -> None:
    question = "Wendleham council took away my single person discount on council tax"
    result = engine.search(question)
    assert result.plan.soft.unlisted_council == "Wendleham"  # fictional, in no copy
    # Brackenmoor's decision names its council, so it is not Wendleham's; the copy that
    # names none may be.
    assert [hit.ref for hit in result.hits[:2]] == ["22 910 004", "22 910 002"]
    assert {hit.ref for hit in result.hits} == ALL_REFS


@pytest.mark.parametrize("name", [
    "Kestrelfrod council",  # misspelt
    "Nowhereshire council",  # unknown
    "Kestrelford or Brackenmoor",  # two named
])
def test_an_organisation_guess_never_empties_or_shrinks_the_results(
    engine: Engine, name: str
) -> None:
    result = engine.search(f"single person discount council tax {name}")
    assert {hit.ref for hit in result.hits} == ALL_REFS
    assert result.plan.filters == DecisionFilter()


def test_an_event_year_never_excludes_a_decision(engine: Engine) -> None:
    result = engine.search(
        "Kestrelford refused my son free school transport between 2017 and 2019"
    )
    assert result.plan.soft.dates == ("2017-01-01", "2019-12-31")
    assert result.hits[0].ref == "23 910 003"  # decided in 2023, about events in 2017-19
    assert {hit.ref for hit in result.hits} == ALL_REFS


def test_only_the_user_excludes(engine: Engine) -> None:
    chosen = DecisionFilter(organisations=("Brackenmoor Borough Council",))
    result = engine.search("single person discount council tax Kestrelford", filters=chosen)
    assert [hit.ref for hit in result.hits] == ["22 910 002"]


def test_a_boost_never_becomes_a_counting_filter(engine: Engine) -> None:
    lay = engine.plan("how often does the ombudsman refuse to investigate school bus cases?")
    assert "School transport" in lay.soft.categories  # understood, so it ranks
    assert question_scope(engine.index.store, lay).filters.sub_categories == ()
    named = engine.plan("how many school transport complaints were upheld?")
    assert question_scope(engine.index.store, named).filters.sub_categories == (
        "School transport",
    )
    answer = engine.answer("how often does the ombudsman refuse to investigate school bus cases?")
    assert "4 decisions" in answer.text or "all 4" in answer.text, answer.text
    # ... and says what it guessed, and how to count only that area.
    assert "its words suggest School transport, whose decisions are quoted first" in answer.text
    assert "choose that area as a filter" in answer.text


def test_a_count_says_how_many_decisions_its_area_or_council_could_not_place(
    engine: Engine,
) -> None:
    """The copy with no header shows no area and names no council: a count by area or by
    council cannot take it, and says so, counting only the copies the rest of the
    question's scope would take."""
    by_area = engine.answer("how many school transport complaints were upheld?").text
    assert "1 decision about School transport" in by_area
    assert "1 decision that otherwise fits shows no area" in by_area
    by_council = engine.answer("how many Kestrelford school transport complaints were upheld?")
    assert "involving Kestrelford District Council" in by_council.text
    assert "could not be counted" not in by_council.text  # no copy fits but for one of them
    council = engine.answer("how many Kestrelford complaints were upheld?").text
    assert "1 decision that otherwise fits names no organisation" in council
    guessed = engine.answer("how often does the ombudsman refuse to investigate school bus cases?")
    assert "could not be counted" not in guessed.text  # counted over every area: none left out


def test_a_counting_answer_quotes_the_guessed_areas_decisions_first(engine: Engine) -> None:
    """Counted over every area, but the examples are about what was asked: the one school
    transport decision comes first, though it is neither the newest decision nor of the
    outcome asked about (not investigated; Kestrelford's planning decision is both)."""
    answer = engine.answer("how often does the ombudsman refuse to investigate school bus cases?")
    assert answer.citations[0].ref == "23 910 003"
    assert {c.ref for c in answer.citations} == ALL_REFS


def test_candidates_are_ranked_by_how_much_of_the_questions_subject_they_use(
    engine: Engine,
) -> None:
    plan = engine.plan("My bill was backdated after my lodger moved out. Can they do that?")
    ranks = gather(engine.index, plan).ranks
    assert all("coverage" in found for found in ranks.values())  # every candidate
    by_coverage = sorted(ranks, key=lambda ref: ranks[ref]["coverage"])
    # Only the copy with no header says "backdated" and "lodger", the rarest words.
    assert by_coverage[0] == "22 910 004"
    assert ranks["22 910 004"]["coverage"] == 1
    assert engine.search(plan.text).hits[0].ref == "22 910 004"


def test_a_question_no_decision_answers_is_declined_with_what_was_found(engine: Engine) -> None:
    answer = engine.answer(
        "Japanese knotweed from the council's verge is spreading into my garden; why won't "
        "the ombudsman help?"
    )
    assert not answer.answered and answer.citations == []
    assert "could not find a decision" in answer.text
    assert "nearest decisions in the index are about other subjects" in answer.text


def _bin_decision(ref: str, paragraphs: list[str]) -> str:
    """A FICTIONAL bin-collection decision of Brackenmoor Borough Council."""
    body = "".join(f"- {p}\n" for p in paragraphs)
    return (
        f"Brackenmoor Borough Council ({ref})\n"
        "Category : Environment and regulation > Refuse and recycling\n"
        "Decision : Closed after initial enquiries\nDecision date : 03 Mar 2025\n"
        "The Ombudsman's final decision:\n"
        "Summary: We will not investigate the complaint about missed bin collections.\n"
        "The complaint\n- The resident complains the Council missed the bin collection.\n"
        "My assessment\n" + body
    )


def test_one_huge_decision_does_not_crowd_out_the_others(tmp_path: Path) -> None:
    huge = [
        f"On visit {i} the crew again missed the bin collection in lane {i}; the resident "
        f"reported the missed collection and the Council logged report number {1000 + i}."
        for i in range(240)
    ]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "25-920-000.txt").write_text(_bin_decision("25 920 000", huge), encoding="utf-8")
    others = {f"25 920 00{i}" for i in range(1, 4)}
    for ref in others:
        text = _bin_decision(ref, ["The Council apologised for the missed bin collection."])
        (corpus / f"{ref.replace(' ', '-')}.txt").write_text(text, encoding="utf-8")
    settings = Settings(store_dir=tmp_path / "store")
    build([corpus], settings)
    engine = open_engine(settings)
    try:
        store, k = engine.index.store, engine.settings.keyword_k
        huge_ids = {row.id for row in store.passages.chunks_of("25 920 000")}
        assert len(huge_ids) > k  # enough to fill the passage rankings
        # The huge decision crowds the passage keyword ranking: most places are its own...
        ranked = store.keywords.search_passages("missed bin collections", k)
        assert sum(cid in huge_ids for cid, _ in ranked) > k * 3 // 4
        found = {hit.ref for hit in engine.search("missed bin collections").hits}
    finally:
        engine.close()
    assert others <= found  # ... and the whole-decision rankings still find them
