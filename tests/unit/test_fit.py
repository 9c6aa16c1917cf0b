"""Telling "the nearest decision answers it" from "no decision answers it" (retrieval.retrieve.fit).

The decisions here are FICTIONAL (fictional council, people and reference).
"""

from __future__ import annotations

from ingest.vocabulary.records import Decision, Reason
from retrieval.retrieve.fit import (
    AbstainRule,
    Fit,
    answer_fit,
    coverage,
    coverages,
    fitting_hits,
    is_answerable,
    specificity,
    subject_words,
)
from retrieval.types import DecisionHit
from retrieval.understand.query import Vocabulary, plan_query

VOCABULARY = Vocabulary(organisations=("Kestrelford District Council",))
TAX = Decision(
    ref="22 910 002",
    organisation="Kestrelford District Council",
    url="https://www.lgo.org.uk/decisions/benefits-and-tax/council-tax/22-910-002",
    summary="We will not investigate Mr B's complaint about his single person discount.",
    text="Kestrelford District Council (22 910 002)\nSummary: We will not investigate Mr B's "
    "complaint that the Council removed his single person discount on council tax. He can "
    "appeal to the Valuation Tribunal.",
)
RULE = AbstainRule(min_similarity=0.3, confident_similarity=0.6, min_coverage=0.3)


def _hit(similarity: float) -> DecisionHit:
    return DecisionHit(
        rank=1, ref=TAX.ref, organisation=TAX.organisation, category="Benefits and tax",
        sub_category="Council tax", outcome="closed_after_initial_enquiries", outcome_raw="",
        date="2022-05-11", url=TAX.url, reasons=[], score=1.0, similarity=similarity,
        passages=[],
    )


def test_specific_words_weigh_more_than_everyday_ones() -> None:
    assert specificity("knotweed") > specificity("discount") > specificity("like")


def test_coverage_counts_the_subject_not_the_council_name() -> None:
    on_subject = plan_query("Kestrelford took away my single person discount", VOCABULARY)
    off_subject = plan_query("Japanese knotweed spreading from Kestrelford land", VOCABULARY)
    assert coverage(on_subject, TAX) > 0.6
    assert coverage(off_subject, TAX) < 0.1


def test_a_subject_word_counts_in_any_form_of_the_same_stem_and_only_as_a_whole_word() -> None:
    question = plan_query("Kestrelford refused the parking permit", VOCABULARY)
    texts = {
        "stem": "The Council was refusing parking permits.",  # refus-, park-, permit-
        "prefix": "The Councillor's parkland permittee refusal.",  # other words, same start
        "inside": "Unrefused carparking.",  # inside other words
    }
    shares = coverages(question, texts)
    assert shares["stem"] == 1.0
    assert shares["prefix"] == shares["inside"] == 0.0
    # One reading of several texts gives each the share it has alone.
    alone = TAX.model_copy(update={"text": texts["stem"]})
    assert coverage(question, alone) == shares["stem"]


def test_contractions_and_possessives_are_not_subject_words() -> None:
    """"isn't" once left "isn", a rare word no decision uses, which lowered the coverage of
    every question with a contraction."""
    def words(question: str) -> list[str]:
        return subject_words(plan_query(question, VOCABULARY))

    plain = "Kestrelford is giving back my discount"
    assert words(plain) == ["giving", "back", "discount"]
    assert words("Kestrelford isn't giving back my discount") == words(plain)
    assert words("Kestrelford won’t give back my mum's discount") == [
        "give", "back", "mum", "discount"
    ]
    spoken = plan_query("Kestrelford isn't giving back my discount", VOCABULARY)
    assert coverage(spoken, TAX) == coverage(plan_query(plain, VOCABULARY), TAX)


def test_a_near_decision_on_another_subject_is_not_an_answer() -> None:
    off_subject = plan_query("Japanese knotweed spreading from Kestrelford land", VOCABULARY)
    on_subject = plan_query("Kestrelford took away my single person discount", VOCABULARY)
    decisions = {TAX.ref: TAX}
    assert not is_answerable(off_subject, [_hit(0.45)], decisions, RULE)
    assert is_answerable(on_subject, [_hit(0.45)], decisions, RULE)
    # Very close in meaning answers whatever the words; too far never does.
    assert is_answerable(off_subject, [_hit(0.65)], decisions, RULE)
    assert not is_answerable(on_subject, [_hit(0.2)], decisions, RULE)


def test_an_answer_on_one_signal_alone_is_a_partial_fit() -> None:
    off_subject = plan_query("Japanese knotweed spreading from Kestrelford land", VOCABULARY)
    on_subject = plan_query("Kestrelford took away my single person discount", VOCABULARY)
    decisions = {TAX.ref: TAX}
    assert answer_fit(on_subject, [_hit(0.65)], decisions, RULE) is Fit.CLEAR
    assert answer_fit(on_subject, [_hit(0.45)], decisions, RULE) is Fit.PARTIAL  # words only
    assert answer_fit(off_subject, [_hit(0.65)], decisions, RULE) is Fit.PARTIAL  # meaning only
    assert answer_fit(off_subject, [_hit(0.45)], decisions, RULE) is Fit.NONE
    reference = plan_query("what happened in 22 910 002?", VOCABULARY)
    assert answer_fit(reference, [_hit(0.05)], decisions, RULE) is Fit.CLEAR


def test_a_reference_in_the_question_is_always_answered() -> None:
    plan = plan_query("what happened in 22 910 002?", VOCABULARY)
    assert is_answerable(plan, [_hit(0.05)], {TAX.ref: TAX}, RULE)


def test_only_decisions_on_the_same_subject_stand_beside_the_answer() -> None:
    plan = plan_query("Kestrelford took away my single person discount", VOCABULARY)
    top, same, other = _hit(0.7), _hit(0.7), _hit(0.7)
    same.ref = "22 910 003"
    other.ref, other.category, other.sub_category = "22 910 004", "Highways", "Parking"
    decisions = {TAX.ref: TAX}
    kept = fitting_hits(plan, [top, same, other], decisions, RULE)
    assert [h.ref for h in kept] == [top.ref, "22 910 003"]


def test_a_copy_without_an_area_stands_beside_the_answer_only_for_a_shared_reason() -> None:
    """Third-party copies show no area: with nothing else to go on, only giving the same
    reason for not investigating makes such a decision "a similar decision"."""
    plan = plan_query("Kestrelford took away my single person discount", VOCABULARY)
    top, same_reason, other_reason = _hit(0.7), _hit(0.7), _hit(0.7)
    top.reasons = same_reason.reasons = [Reason.ALTERNATIVE_REMEDY_APPEAL, Reason.OTHER]
    other_reason.reasons = [Reason.LATE, Reason.OTHER]  # "other" is no common ground
    for hit, ref in ((same_reason, "22 910 006"), (other_reason, "22 910 007")):
        hit.ref, hit.category, hit.sub_category = ref, "", ""
    kept = fitting_hits(plan, [top, same_reason, other_reason], {TAX.ref: TAX}, RULE)
    assert [h.ref for h in kept] == [top.ref, "22 910 006"]
    # The same holds when it is the answer's own copy that shows no area.
    top.category = top.sub_category = ""
    other_reason.category = "Benefits and tax"
    kept = fitting_hits(plan, [top, same_reason, other_reason], {TAX.ref: TAX}, RULE)
    assert [h.ref for h in kept] == [top.ref, "22 910 006"]


def test_the_ombudsmans_term_for_a_lay_phrase_is_a_subject_word() -> None:
    """A decision says "Blue Badge" where a person says "disabled parking permit"."""
    words = subject_words(plan_query("Kestrelford refused my disabled parking permit", VOCABULARY))
    assert {"disabled", "parking", "blue", "badge"} <= set(words)
