"""The checker against each way a fluent sentence can say what its passage does not.

Two or more cases per category of the adversarial claim set
(bench/questions/claims/, scored by bench/claims.py): the set is the benchmark,
these pin the behaviour. Every passage is FICTIONAL, from the bundled sample.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.check.checker import Claim, Evidence, KeptClaim, check_claim
from retrieval.types import RemovedSentence

# FICTIONAL: data/sample/21-511-640.txt, 24-316-230.txt, 21-116-390.txt, 25-312-709.txt.
GRANT = Evidence(
    "Mr X complained about delays by the Council in dealing with a disabled facilities grant "
    "for a level-access shower for his mother, Mrs Y. The Council was at fault. It lost the "
    "referral for four months and then took longer than the law allows to approve the grant. "
    "This meant Mrs Y had to strip wash for about five months longer than she should have. "
    "The Council has agreed to apologise, pay Mrs Y £500 and Mr X £150, and improve how it "
    "tracks grant applications.",
    "Brackenfield District Council 21 511 640",
)
RECORDS = Evidence(
    "We will not investigate Ms K's complaint that the Council refused to give her copies of "
    "records it holds about her and refused her request for internal emails. The Information "
    "Commissioner's Office is better placed to deal with complaints about subject access "
    "requests and freedom of information requests.",
    "Northmoor BC 24 316 230",
)
APPEAL = Evidence(
    "The law says we cannot normally investigate a complaint when someone can appeal to a "
    "tribunal. However, we may decide to investigate if we consider it would be unreasonable "
    "to expect the person to appeal.",
    "Northmoor BC 21 116 390",
)
NOISE = Evidence(
    "Mrs H complained that the Council did not act on her evidence of noise from the "
    "commercial laundry next to her home. We found the Council failed to assess the "
    "recordings and diary sheets she sent, did not visit or install monitoring equipment, "
    "and closed her case without telling her. This caused Mrs H distress and uncertainty. "
    "The Council has agreed to apologise, pay her £200, carry out a fresh assessment of the "
    "noise and review its noise complaint procedure.",
    "Brackenfield District Council 25 312 709",
)
MIN = 0.6

SUPPORTED = [
    ("Ms K complained that her request for internal emails was refused by the Council.",
     RECORDS),
    ("Because the Council lost the referral for four months, it took longer than the law "
     "allows to approve the grant.", GRANT),
    ("The Ombudsman may decide to investigate if it would be unreasonable to expect the "
     "person to appeal.", APPEAL),
    ("The Council did not visit or install monitoring equipment, and it closed Mrs H's case "
     "without telling her.", NOISE),
    ("Complaints about subject access requests are better dealt with by the Information "
     "Commissioner's Office.", RECORDS),
]  # fmt: skip
UNSUPPORTED = {
    "negation flip": [
        ("The Council was not at fault.", GRANT),
        ("The Ombudsman will investigate Ms K's complaint about her records.", RECORDS),
        ("The Council visited Mrs H and installed monitoring equipment.", NOISE),
    ],
    "role or agent swap": [
        ("The Council has agreed to pay Mrs Y £150 and Mr X £500.", GRANT),
        ("The Council is better placed than the Information Commissioner's Office to deal "
         "with subject access requests.", RECORDS),
        ("Mrs H agreed to apologise to the Council.", NOISE),
    ],
    "wrong organisation or reference": [
        ("Eastwick County Council lost the referral for four months.", GRANT),
        ("The Housing Ombudsman is better placed to deal with subject access requests.", RECORDS),
        ("In decision 21 511 604 the Council lost the referral for four months.", GRANT),
    ],
    "changed amount, date or deadline": [
        ("The Council lost the referral for four weeks.", GRANT),
        ("The Council has agreed to pay Mrs H £2,000.", NOISE),
        ("The Council has agreed to pay Mrs H £200 by 1 June 2026.", NOISE),
    ],
    "outcome change": [
        ("The Ombudsman upheld Ms K's complaint about her records.", RECORDS),
        ("The Ombudsman found no fault in how the Council dealt with the grant.", GRANT),
    ],
    "invented remedy": [
        ("The Council has agreed to install the level-access shower within a month.", GRANT),
        ("The Council has agreed to serve an abatement notice on the laundry.", NOISE),
    ],
    "true statement cited to the wrong passage": [
        ("The Council has agreed to pay Mrs H £200.", GRANT),
        ("The Information Commissioner's Office is better placed to deal with subject access "
         "requests.", APPEAL),
    ],
    "hedged or generalised": [
        ("The Ombudsman can never investigate a complaint when someone can appeal to a "
         "tribunal.", APPEAL),
        ("The law says the Ombudsman cannot investigate a complaint when someone can appeal "
         "to a tribunal.", APPEAL),
        ("The Ombudsman always sends subject access complaints to the Information "
         "Commissioner's Office.", RECORDS),
    ],
}  # fmt: skip


def check(text: str, passage: Evidence) -> KeptClaim | RemovedSentence:
    return check_claim(Claim(f"{text} [1]"), {1: passage}, MIN)


@pytest.mark.parametrize(("claim", "passage"), SUPPORTED)
def test_a_faithful_paraphrase_is_kept(claim: str, passage: Evidence) -> None:
    assert isinstance(check(claim, passage), KeptClaim)


@pytest.mark.parametrize(
    ("claim", "passage"),
    [pytest.param(*case, id=category) for category, cases in UNSUPPORTED.items() for case in cases],
)
def test_a_claim_the_passage_does_not_make_is_removed(claim: str, passage: Evidence) -> None:
    result = check(claim, passage)
    assert isinstance(result, RemovedSentence)
    assert result.reason.startswith("not supported by [1]: ")


@pytest.mark.parametrize(
    ("claim", "passage", "reason"),
    [
        ("The Council has agreed to pay Mrs H £2,000.", NOISE, "does not say “£2000”"),
        ("The Council lost the referral for four weeks.", GRANT, "does not say “4 week”"),
        ("The Council was not at fault.", GRANT, "says the opposite about “fault…”"),
        ("The Council is better placed than the Information Commissioner's Office to deal "
         "with subject access requests.", RECORDS, "says someone else does “better…”"),
        ("The Ombudsman can never investigate a complaint when someone can appeal to a "
         "tribunal.", APPEAL, "does not say it with that certainty (universal)"),
        ("Eastwick County Council lost the referral for four months.", GRANT,
         "does not say “eastwick”"),
    ],
)  # fmt: skip
def test_the_reason_names_what_the_passage_does_not_say(
    claim: str, passage: Evidence, reason: str
) -> None:
    result = check(claim, passage)
    assert isinstance(result, RemovedSentence)
    assert result.reason == f"not supported by [1]: the passage {reason}"


def test_what_someone_complained_of_is_not_stated_as_a_finding() -> None:
    # The passage reports Ms K's complaint; it does not find that the Council refused.
    result = check("The Council refused Ms K's request for internal emails.", RECORDS)
    assert isinstance(result, RemovedSentence)
    assert result.reason == (
        "not supported by [1]: the passage reports “refus…” as a complaint, not a finding"
    )
    kept = check(
        "Ms K complained that the Council refused her request for internal emails.", RECORDS
    )
    assert isinstance(kept, KeptClaim)


# FICTIONAL, in the manner of an assessment paragraph.
LETTERS = Evidence(
    "In this case, the Council says it wrote to Mr X in March. Even if I could say the Council "
    "failed to write to him, I do not consider Mr X has suffered a significant injustice.",
    "Kestrel Vale Council 25 900 123",
)


@pytest.mark.parametrize(
    ("claim", "passage", "kept"),
    [
        ("The Council says it wrote to Mr X in March.", LETTERS, True),
        ("The decision states that the Council wrote to Mr X in March.", LETTERS, False),
        ("The Council failed to write to Mr X.", LETTERS, False),  # supposed, not found
        ("The decision agreed to pay Mrs Y £500.", GRANT, False),  # the Council agreed
    ],
)
def test_who_says_it_and_whether_it_is_only_supposed(
    claim: str, passage: Evidence, kept: bool
) -> None:
    assert isinstance(check(claim, passage), KeptClaim) is kept


# FICTIONAL: a representative, then lists after a lead-in.
ON_BEHALF = Evidence(
    "Mrs P complains, on behalf of Mr R, the Council:\n"
    "• failed to assess Mr R's care needs;\n"
    "• charged Mr R for care he did not receive.\n"
    "Mr R says the Council:\n"
    "• charged him twice for one visit;\n"
    "• refused to accept his offer to repay the charges in instalments;\n"
    "• did not reply to his letters.",
    "Kestrel Vale Council 25 900 124",
    "What happened",  # not "The complaint": the lists alone must say whose account it is
)


@pytest.mark.parametrize(
    ("claim", "kept"),
    [
        ("Mrs P complains on behalf of Mr R.", True),
        ("Mrs P complained on Mr R's behalf that the Council failed to assess his care needs.",
         True),
        ("Mr R complains on behalf of Mrs P.", False),  # who acts for whom, swapped
        # A list item's subject and speaker are in its lead-in ("Mr R says the Council:").
        ("Mr R says the Council refused to accept his offer to repay the charges in "
         "instalments.", True),
        ("The Council says Mr R refused to accept its offer to repay the charges in "
         "instalments.", False),
        ("Mr R says he did not reply to the Council's letters.", False),
        # ... and every item is his account, not a finding, whichever two are read together.
        ("The Council refused to accept Mr R's offer to repay the charges in instalments.",
         False),
    ],
)  # fmt: skip
def test_who_acts_for_whom_and_who_does_each_item_of_a_list(claim: str, kept: bool) -> None:
    assert isinstance(check(claim, ON_BEHALF), KeptClaim) is kept


def test_a_council_named_in_full_is_who_acts() -> None:
    # Seen in a live run: "the London Borough of ... decided not to investigate" (it was us).
    records = Evidence(RECORDS.text, "London Borough of Northmoor 24 316 230")
    swapped = check(
        "The London Borough of Northmoor decided not to investigate Ms K's complaint about "
        "her records.",
        records,
    )
    assert isinstance(swapped, RemovedSentence)
    assert swapped.reason.endswith("the passage says someone else does “invest…”")
    said = check("The Ombudsman will not investigate Ms K's complaint about her records.", records)
    assert isinstance(said, KeptClaim)


@pytest.mark.parametrize(
    ("claim", "passage", "reason"),
    [
        # Seen in a live run: "The council officer was rude to you, and the Ombudsman will
        # not investigate ..." - a clause of its own beside a supported one.
        ("The Council lost the referral for four months, and Mr X was rude to its officers.",
         GRANT, "does not say “rud…”"),
        ("The Council has agreed to pay Mrs H £200, because she was a vulnerable adult.",
         NOISE, "does not say “vulner…”"),
        # Someone the passage never mentions.
        ("Mr X's neighbour complained about delays by the Council in dealing with a disabled "
         "facilities grant.", GRANT, "does not mention “neighbour”"),
        ("Mrs H's landlord heard the noise from the commercial laundry next to her home.", NOISE,
         "does not mention “landlord”"),
        # Seen in a live run: "the transition was not fully successful" of a passage that
        # finds fault in how it was handled - the topic is there, the assertion is not.
        ("The Council's handling of the grant was not fully successful.", GRANT,
         "does not say it was “succes…”"),
        ("The noise complaint procedure of the Council was inadequate.", NOISE,
         "does not say it was “inadeq…”"),
    ],
)  # fmt: skip
def test_every_clause_and_everyone_named_must_be_in_the_passage(
    claim: str, passage: Evidence, reason: str
) -> None:
    result = check(claim, passage)
    assert isinstance(result, RemovedSentence)
    assert result.reason == f"not supported by [1]: the passage {reason}"


def test_a_sentence_cited_to_the_wrong_passage_is_shown_with_the_one_that_says_it() -> None:
    # Two passages of one decision: the model cited the first, the second says it.
    opening, rest = GRANT.text.split(" It lost", 1)
    passages = {1: Evidence(opening, GRANT.header), 2: Evidence(f"It lost{rest}", GRANT.header)}
    claim = Claim("The Council lost the referral for four months [1].")
    result = check_claim(claim, passages, MIN)
    assert isinstance(result, KeptClaim) and result.recited
    assert result.quotes == {
        2: "It lost the referral for four months and then took longer than the law allows to "
        "approve the grant."
    }
    # Another decision's passage: the sentence was written about the decision it cites.
    elsewhere = check_claim(claim, {1: RECORDS, 2: GRANT}, MIN)
    assert isinstance(elsewhere, RemovedSentence)


def test_the_complaint_section_supports_only_what_the_complainant_says() -> None:
    # FICTIONAL, data/sample/25-312-709.txt, "The complaint".
    account = Evidence(
        "Mrs H says the noise has disturbed her sleep for over a year and affected her health.",
        "Brackenfield District Council 25 312 709",
        "The complaint",
    )
    told = check("The noise has disturbed Mrs H's sleep for over a year.", account)
    assert isinstance(told, RemovedSentence)
    assert told.reason.endswith("the passage is the complainant's account, not a finding")
    said = check("Mrs H says the noise has disturbed her sleep for over a year.", account)
    assert isinstance(said, KeptClaim)


def test_the_quote_is_the_passage_sentence_that_says_it() -> None:
    result = check("Mrs Y will receive £500 from the Council.", GRANT)
    assert isinstance(result, RemovedSentence)  # "receive" is not what the passage says
    kept = check("The Council will pay Mrs Y £500 and apologise.", GRANT)
    assert isinstance(kept, KeptClaim)
    assert kept.quotes[1].startswith("The Council has agreed to apologise, pay Mrs Y £500")


@settings(max_examples=300, deadline=None)
@given(claim=st.text(max_size=200), passage=st.text(max_size=400))
def test_any_text_gets_a_verdict(claim: str, passage: str) -> None:
    # Model output and decision text are arbitrary: the checker answers, never raises.
    result = check_claim(
        Claim(f"{claim} [1]"), {1: Evidence(passage, "Northmoor BC 21 116 390")}, MIN
    )
    assert isinstance(result, KeptClaim | RemovedSentence)
