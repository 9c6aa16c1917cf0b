"""extract_reasons: the fixed vocabulary, read only where a decision gives its own reasons.

Sentences here are FICTIONAL, written in the Ombudsman's usual wording.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.parse.decision import parse_decision
from ingest.parse.reasons import extract_reasons, find_reasons
from ingest.parse.sources import read_source
from ingest.vocabulary.records import Outcome, Paragraph, Reason, Section

R = Reason


def section(heading: str, *texts: str) -> Section:
    return Section(
        heading=heading,
        paragraphs=[Paragraph(number=n, text=t) for n, t in enumerate(texts, 1)],
    )


# The Ombudsman's role and powers lists every reason there is; it must never count.
ROLE = section(
    "The Ombudsman's role and powers",
    "We cannot investigate late complaints unless we decide there are good reasons. "
    "(Local Government Act 1974, sections 26B and 34D, as amended)",
    "We do not start an investigation if there is not enough evidence of fault, the injustice is "
    "not significant enough, we could not add to the council's investigation, another body is "
    "better placed, or someone could appeal to a tribunal or go to court.",
    "We cannot investigate most complaints about what happens in schools. (Schedule 5)",
)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The complaint is late and there is no good reason to use our discretion.", R.LATE),
        ("Mr X knew about the matter more than 12 months before he complained to us.", R.LATE),
        ("Mrs Y has a right of appeal to the SEND Tribunal.", R.ALTERNATIVE_REMEDY_APPEAL),
        ("He could have appealed to the Traffic Penalty Tribunal.", R.ALTERNATIVE_REMEDY_APPEAL),
        ("Mr X can appeal to the Valuation Tribunal.", R.ALTERNATIVE_REMEDY_APPEAL),
        ("She can appeal to the Planning Inspector.", R.ALTERNATIVE_REMEDY_APPEAL),
        ("He can appeal to the First-tier Tribunal.", R.ALTERNATIVE_REMEDY_APPEAL),
        ("It is reasonable for Mr X to go to court.", R.ALTERNATIVE_REMEDY_COURT),
        ("His claim is a matter for the Council's insurers.", R.ALTERNATIVE_REMEDY_COURT),
        ("He had a right of appeal to the magistrates' court.", R.ALTERNATIVE_REMEDY_COURT),
        ("Mr X has a right of appeal to the magistrate’s court.", R.ALTERNATIVE_REMEDY_COURT),
        ("She can appeal to the magistrates court.", R.ALTERNATIVE_REMEDY_COURT),
        ("There is not enough evidence of fault to justify investigating.", R.NOT_ENOUGH_FAULT),
        ("I have not seen enough evidence of fault.", R.NOT_ENOUGH_FAULT),
        ("Mr X has not suffered significant personal injustice.", R.NO_SIGNIFICANT_INJUSTICE),
        ("The injustice is not significant enough to justify our involvement.",
         R.NO_SIGNIFICANT_INJUSTICE),
        ("We could not add to the Council's own investigation.", R.COULD_NOT_ADD),
        ("Investigation would not lead to a different outcome.", R.DIFFERENT_OUTCOME_UNLIKELY),
        ("We could not achieve a worthwhile outcome.", R.DIFFERENT_OUTCOME_UNLIKELY),
        ("The Information Commissioner is better placed to consider it.",
         R.OTHER_BODY_BETTER_PLACED),
        ("She should complain to the ICO.", R.OTHER_BODY_BETTER_PLACED),
        ("The Housing Ombudsman can consider complaints from tenants.",
         R.OTHER_BODY_BETTER_PLACED),
        ("The Parliamentary and Health Service Ombudsman deals with NHS care.",
         R.OTHER_BODY_BETTER_PLACED),
        ("The police are better placed to investigate the alleged offence.",
         R.OTHER_BODY_BETTER_PLACED),
        ("Schedule 5 says we cannot investigate them.", R.OUT_OF_JURISDICTION),
        ("This is about the internal management of a school.", R.OUT_OF_JURISDICTION),
        ("These are personnel matters.", R.OUT_OF_JURISDICTION),
        ("We cannot investigate the start of court proceedings.", R.OUT_OF_JURISDICTION),
        ("The matter is outside our jurisdiction.", R.OUT_OF_JURISDICTION),
        ("The complaint is premature.", R.PREMATURE),
        ("The Council has not yet completed its complaints procedure.", R.PREMATURE),
        ("The decision affects all or most people in the Council's area.",
         R.AFFECTS_MOST_PEOPLE),
    ],
)
def test_each_reason_is_recognised(sentence: str, expected: Reason) -> None:
    assert find_reasons(sentence) == [expected]


@pytest.mark.parametrize(
    "sentence",
    [
        "Mr X made late payments of his council tax.",  # "late", not a late complaint
        "Please send us the documents.",  # "send", not SEND
        "The Council issued a claim in the county court for possession.",  # a fact, no remedy
        "An independent appeal panel heard Mrs Y's appeal.",  # the Council's own appeal
        "He may be able to bring a claim to an employment tribunal.",
        # Seen quoted as "the person could appeal" in a live run: the Ombudsman is no appeal.
        "But the Ombudsman does not provide a right of appeal against that decision.",
        "There is no right of appeal against the Council's decision.",
    ],
)
def test_look_alikes_are_not_reasons(sentence: str) -> None:
    assert find_reasons(sentence) == []


def test_court_appeal_is_not_a_tribunal_appeal() -> None:
    text = (
        "Mr G had a right of appeal to the magistrates' court. "
        "It was reasonable to expect him to use his right of appeal."
    )
    assert find_reasons(text) == [R.ALTERNATIVE_REMEDY_COURT]


def test_seed_reasons(seed_path: Path) -> None:
    decision = parse_decision(read_source(seed_path))
    assert extract_reasons(decision.outcome, decision.summary, decision.sections) == [
        R.COULD_NOT_ADD,
        R.DIFFERENT_OUTCOME_UNLIKELY,
        R.OTHER_BODY_BETTER_PLACED,
    ]


def test_role_and_powers_is_never_read() -> None:
    summary = "We will not investigate Mr X's complaint because it is late."
    sections = [ROLE, section("Final decision", summary)]
    assert extract_reasons(Outcome.CLOSED, summary, sections) == [R.LATE]


def test_ordered_by_first_mention_without_repeats() -> None:
    summary = (
        "We will not investigate. Mrs Y can appeal to the SEND Tribunal. The delay did not cause "
        "her significant injustice."
    )
    assessment = section(
        "My assessment",
        "The Council's delay has not caused significant injustice.",
        "The tribunal is the right place. The Information Commissioner is better placed to "
        "consider her data protection complaint. She can appeal to the tribunal.",
    )
    assert extract_reasons(Outcome.CLOSED, summary, [ROLE, assessment]) == [
        R.ALTERNATIVE_REMEDY_APPEAL,
        R.NO_SIGNIFICANT_INJUSTICE,
        R.OTHER_BODY_BETTER_PLACED,
    ]


@pytest.mark.parametrize(
    "outcome",
    [Outcome.CLOSED, Outcome.DISCONTINUED, Outcome.WITHDRAWN, Outcome.PREMATURE,
     Outcome.ADVICE_GIVEN],
)
def test_other_when_not_investigated_and_nothing_matches(outcome: Outcome) -> None:
    summary = "Mrs P has withdrawn her complaint."
    assert extract_reasons(outcome, summary, [ROLE]) == [R.OTHER]


@pytest.mark.parametrize("outcome", [Outcome.UPHELD, Outcome.NOT_UPHELD])
def test_investigated_without_parts_left_out_has_no_reasons(outcome: Outcome) -> None:
    summary = "We found fault. The Council should have used its insurers' report sooner."
    analysis = section("Analysis", "The complaint was late in the process. No fault.")
    final = section("Final decision", "I have completed my investigation.")
    assert extract_reasons(outcome, summary, [ROLE, analysis, final]) == []


def test_investigated_reads_only_parts_not_investigated() -> None:
    summary = (
        "We found fault in the Council's delay. We did not investigate the 2019 decision. "
        "This is because it is late. The Council has agreed to apologise."
    )
    left_out = section(
        "Parts of the complaint that I did not investigate",
        "I have not investigated the care provided by NHS nurses. The Parliamentary and Health "
        "Service Ombudsman is better placed to consider it.",
    )
    analysis = section("Analysis", "There is not enough evidence of fault in the letters.")
    assert extract_reasons(Outcome.UPHELD, summary, [left_out, ROLE, analysis]) == [
        R.LATE,
        R.OTHER_BODY_BETTER_PLACED,
    ]


def test_what_i_have_and_have_not_investigated_is_read_for_upheld() -> None:
    scope = section(
        "What I have and have not investigated",
        "I have not investigated the naming of the school. That is a matter for the SEND "
        "tribunal.",
    )
    assert extract_reasons(Outcome.UPHELD, "We found fault.", [scope]) == [
        R.ALTERNATIVE_REMEDY_APPEAL
    ]


def test_unknown_outcome_that_says_not_investigated_is_read_in_full() -> None:
    summary = "We will not investigate Mr X's complaint."
    assessment = section("My assessment", "There is not enough evidence of fault.")
    assert extract_reasons(Outcome.UNKNOWN, summary, [assessment]) == [R.NOT_ENOUGH_FAULT]
    assert extract_reasons(Outcome.UNKNOWN, "We found fault.", [assessment]) == []


def test_sub_sections_of_my_assessment_are_read() -> None:
    part = section("My assessment > The band", "He can appeal to the Valuation Tribunal.")
    assert extract_reasons(Outcome.CLOSED, "", [part]) == [R.ALTERNATIVE_REMEDY_APPEAL]


def test_only_the_fixed_vocabulary() -> None:
    text = " ".join(
        ["late complaint", "SEND Tribunal", "go to court", "no fault", "different outcome"]
    )
    assert all(isinstance(reason, Reason) for reason in find_reasons(text))
