"""Organisation profiles and counting questions over the built sample index.

Every expected count is computed here from the parsed source files, not from
the index, so a profile that miscounts (or a store that loses rows) fails.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from grounding import assert_grounded

from ingest.parse.decision import parse_decision
from ingest.parse.sources import discover, read_source
from ingest.vocabulary.errors import UnknownOrganisationError
from ingest.vocabulary.records import UNKNOWN_ORGANISATION, Decision
from ingest.vocabulary.settings import Settings
from retrieval.engine import Engine, open_engine
from retrieval.types import Intent

REPO = Path(__file__).resolve().parents[2]
NORTHMOOR = "Northmoor Borough Council"
STATS_QUESTION = "how often does Northmoor council get complaints upheld about school transport?"
# Written out here rather than imported, so the test does not share the code's grouping.
NOT_INVESTIGATED = {
    "closed_after_initial_enquiries",
    "premature",
    "advice_given",
    "withdrawn",
    "discontinued",
}


@pytest.fixture(scope="module")
def engine(built_store: Settings) -> Iterator[Engine]:
    opened = open_engine(built_store)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def parsed(corpus_dir: Path) -> list[Decision]:
    """The decisions the index was built from, parsed straight from the files."""
    return [parse_decision(read_source(path, corpus_dir)) for path in discover(corpus_dir)]


def of(parsed: list[Decision], organisation: str) -> list[Decision]:
    return [d for d in parsed if d.organisation == organisation]


def organisations(parsed: list[Decision]) -> list[str]:
    return sorted({d.organisation for d in parsed} - {UNKNOWN_ORGANISATION})


def year(decision: Decision) -> str:
    return str(decision.date.year) if decision.date else "undated"


def test_every_organisations_counts_match_the_parsed_records(
    engine: Engine, parsed: list[Decision]
) -> None:
    names = organisations(parsed)
    assert NORTHMOOR in names and len(names) >= 10
    for name in names:
        decisions = of(parsed, name)
        profile = engine.organisation(name)
        outcomes = Counter(d.outcome.value for d in decisions)
        upheld, not_upheld = outcomes["upheld"], outcomes["not_upheld"]
        assert profile.organisation == name
        assert profile.total == len(decisions)
        assert profile.outcomes.upheld == upheld
        assert profile.outcomes.not_upheld == not_upheld
        assert profile.outcomes.not_investigated == sum(outcomes[o] for o in NOT_INVESTIGATED)
        assert profile.outcomes.upheld_share == (
            upheld / (upheld + not_upheld) if upheld + not_upheld else None
        )
        assert profile.outcome_detail == dict(outcomes)
        assert profile.by_year == dict(Counter(year(d) for d in decisions))
        assert profile.by_area == dict(Counter(d.category or "(no category)" for d in decisions))
        reasons = Counter(r.value for d in decisions for r in set(d.reasons))
        assert profile.reasons == dict(reasons)
        assert {row["ref"] for row in profile.decisions} == {d.ref for d in decisions}


def test_northmoor_in_numbers(engine: Engine) -> None:
    """The figures a reader sees for Northmoor, pinned (8 decisions in the sample)."""
    data = engine.organisation("Northmoor").to_json()
    assert data["decisions"] == 8
    assert data["outcomes"]["upheld"] == 1 and data["outcomes"]["not_investigated"] == 7
    assert data["outcomes"]["upheld_share_of_investigated"] == 1.0
    assert data["by_sub_area"]["Education"] == {"School transport": 2}
    assert data["reasons"]["alternative_remedy_appeal"] == 2
    assert sum(data["outcomes_by_year"]["2022"].values()) == data["by_year"]["2022"] == 2
    assert "not all the complaints the Ombudsman received" in data["scope_note"]
    assert "8 decisions" in data["scope_note"]


def test_every_remedy_carries_a_verbatim_citation(engine: Engine, parsed: list[Decision]) -> None:
    shown = 0
    for name in organisations(parsed):
        profile = engine.organisation(name)
        upheld = {d.ref for d in of(parsed, name) if d.outcome.value == "upheld"}
        assert {r.ref for r in profile.remedies} <= upheld
        for remedy in profile.remedies:
            decision = engine.decision(remedy.ref)
            assert decision is not None
            assert remedy.citation.ref == remedy.ref
            assert remedy.citation.quote in decision.text
            assert remedy.citation.quote in remedy.citation.paragraph_text
            assert all(amount in remedy.citation.quote for amount in remedy.amounts)
            if remedy.deadline_citation is not None:
                assert remedy.deadline_citation.quote in decision.text
                assert remedy.deadline in remedy.deadline_citation.quote.lower()
            shown += 1
    assert shown >= 40  # nine upheld sample decisions, each agreeing several actions


def test_upheld_decisions_with_an_agreed_action_section_give_remedies(
    engine: Engine, parsed: list[Decision]
) -> None:
    with_actions = {
        d.ref
        for d in parsed
        if d.outcome.value == "upheld" and any(s.heading == "Agreed action" for s in d.sections)
    }
    found = {r.ref for name in organisations(parsed) for r in engine.organisation(name).remedies}
    assert with_actions and with_actions <= found


def test_northmoor_school_transport_remedies_are_read_as_agreed(engine: Engine) -> None:
    remedies = [r for r in engine.organisation("Northmoor BC").remedies if r.ref == "22 112 908"]
    by_kind = {
        kind: [r for r in remedies if kind in r.kinds]
        for kind in ("apology", "payment", "service_improvement")
    }
    assert by_kind["apology"][0].text.startswith("a) apologise to Mr X")
    assert [r.amounts for r in by_kind["payment"]] == [("£531.90",), ("£250",)]
    assert len(by_kind["service_improvement"]) == 4
    assert {r.deadline for r in remedies} == {"within one month", "within three months"}
    assert remedies[0].deadline_citation is not None
    assert remedies[0].deadline_citation.quote.startswith("To remedy the injustice")


@pytest.mark.parametrize(
    "typed",
    ["Northmoor", "Northmoor council", "Northmoor BC", "northmoor borough council", "Northmore"],
)
def test_name_variants_merge_into_one_profile(engine: Engine, typed: str) -> None:
    reference = engine.organisation(NORTHMOOR).to_json()
    profile = engine.organisation(typed).to_json()
    assert profile["organisation"] == NORTHMOOR
    for key in ("decisions", "outcomes", "by_year", "reasons", "remedies", "decision_list"):
        assert profile[key] == reference[key], key


def test_unknown_name_is_a_clear_error_listing_close_names(engine: Engine) -> None:
    with pytest.raises(UnknownOrganisationError, match="matches no organisation") as caught:
        engine.organisation("Zebraton Council")
    assert len(caught.value.close_names) == 5
    assert "Close names:" in str(caught.value)
    # A care provider is not a council: refused, but offered first.
    with pytest.raises(UnknownOrganisationError) as caught:
        engine.organisation("Fernbridge council")
    assert caught.value.close_names[0] == "Fernbridge Care Ltd"
    with pytest.raises(UnknownOrganisationError, match="does not name an organisation"):
        engine.organisation("the council")


def test_similar_organisations_follow_the_category_mix(
    engine: Engine, parsed: list[Decision]
) -> None:
    def vector(name: str) -> Counter[str]:
        found: Counter[str] = Counter()
        for d in of(parsed, name):
            if d.category:
                found[d.category] += 1
                if d.sub_category:
                    found[f"{d.category} > {d.sub_category}"] += 1
        return found

    def cosine(a: Counter[str], b: Counter[str]) -> float:
        dot = sum(a[k] * b[k] for k in a)
        return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))

    target = vector(NORTHMOOR)
    expected = {n: cosine(target, vector(n)) for n in organisations(parsed) if n != NORTHMOOR}
    similar = engine.organisation(NORTHMOOR).similar
    assert similar and NORTHMOOR not in {s.organisation for s in similar}
    assert similar[0].similarity == pytest.approx(max(expected.values()))
    for other in similar:
        assert other.similarity == pytest.approx(expected[other.organisation])
        assert other.shared and all(key in target for key in other.shared)


def test_counting_question_answers_with_the_count_and_citations(
    engine: Engine, parsed: list[Decision]
) -> None:
    assert engine.plan(STATS_QUESTION).intent == Intent.STATS
    matching = [d for d in of(parsed, NORTHMOOR) if d.sub_category == "School transport"]
    upheld = [d for d in matching if d.outcome.value == "upheld"]
    answer = engine.answer(STATS_QUESTION)
    assert answer.answered
    first = answer.text.split("\n\n")[0]
    assert f"holds {len(matching)} decisions about School transport involving {NORTHMOOR}" in first
    assert f"{len(upheld)} upheld" in first
    assert "1 (100%) was upheld" in first
    assert "counted from the decisions quoted below" in first
    assert "not all the complaints the Ombudsman received" in answer.text.split("\n\n")[-1]
    assert {c.ref for c in answer.citations} == {d.ref for d in matching}
    assert answer.citations[0].ref == upheld[0].ref  # the asked-about outcome comes first
    assert_grounded(engine, answer)


def test_counting_question_with_nothing_to_count_says_so_without_citations(
    engine: Engine,
) -> None:
    answer = engine.answer("how many complaints about Northmoor council in 2019?")
    assert not answer.answered and answer.citations == []
    assert "no decisions involving Northmoor Borough Council" in answer.text


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OQA_STORE_DIR": str(settings.store_dir)}
    return subprocess.run(
        [sys.executable, "-m", "retrieval", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )


def test_cli_organisation_json_shape_and_error(built_store: Settings) -> None:
    run = _cli(built_store, "organisation", "Northmoor council", "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert set(data) >= {
        "query",
        "organisation",
        "variants",
        "scope_note",
        "decisions",
        "outcomes",
        "by_year",
        "outcomes_by_year",
        "by_area",
        "by_sub_area",
        "reasons",
        "reasons_by_year",
        "remedy_counts",
        "remedies",
        "similar_organisations",
        "decision_list",
    }
    assert data["organisation"] == NORTHMOOR and data["decisions"] == 8
    remedy = data["remedies"][0]
    assert set(remedy) >= {"ref", "kinds", "amounts", "deadline", "text", "citation"}
    assert set(remedy["citation"]) >= {"n", "ref", "url", "section", "paragraphs", "quote"}
    assert set(data["decision_list"][0]) == {"ref", "date", "category", "outcome", "reasons", "url"}
    missing = _cli(built_store, "organisation", "Zebraton Council")
    assert missing.returncode == 2
    assert "Close names:" in missing.stderr and "Traceback" not in missing.stderr
