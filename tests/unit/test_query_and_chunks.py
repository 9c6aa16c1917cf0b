"""Query understanding (pure) and the chunker's limits (with the real tokenizer)."""

from __future__ import annotations

import pytest

from ingest.indexing.chunk import ChunkLimits, chunk_decision, embedding_text
from ingest.indexing.embeddings import Embedder, get_embedder
from ingest.vocabulary.records import SUMMARY_SECTION, Decision, Paragraph, Section
from ingest.vocabulary.settings import Settings
from retrieval.types import Intent
from retrieval.understand.query import Vocabulary, plan_query

VOCABULARY = Vocabulary(
    organisations=("Northmoor Borough Council", "Liverpool City Council", "Fernbridge Care Ltd"),
    sub_categories=("School transport", "Council tax"),
)


@pytest.mark.parametrize("text", ["24 020 817", "24-020-817", "24020817", "ref 24-020-817?"])
def test_reference_forms_become_a_ref_filter(text: str) -> None:
    plan = plan_query(f"tell me about {text}", VOCABULARY)
    assert plan.filters.refs == ("24 020 817",)
    assert plan.intent == Intent.LOOKUP


def test_loose_and_misspelt_organisation_names_are_soft_hints_not_filters() -> None:
    liverpool = plan_query("Liverpool council social workers", VOCABULARY)
    assert liverpool.soft.organisations == ("Liverpool City Council",)
    assert liverpool.filters.organisations == ()  # understanding ranks; only the user excludes
    assert plan_query("northmore borough bins", VOCABULARY).soft.organisations == (
        "Northmoor Borough Council",)
    assert plan_query("the council was rude", VOCABULARY).soft.organisations == ()


ENGLAND = (
    "Woking Borough Council", "Herefordshire Council", "Hertfordshire County Council",
    "Bath and North East Somerset Council", "North Somerset Council", "Somerset Council",
    "South Gloucestershire Council", "Gloucestershire County Council",
    "Durham County Council", "Durham City Council",
)


@pytest.mark.parametrize(("question", "expected"), [
    ("they took 20 working days to reply", ()),  # a real word is no misspelt "Woking"
    ("Herefordshire refused my council tax discount", ("Herefordshire Council",)),
    ("Hertfordshire refused my school place", ("Hertfordshire County Council",)),
    ("Bath and North East Somerset lost my file", ("Bath and North East Somerset Council",)),
    ("North Somerset lost my file", ("North Somerset Council",)),
    ("South Gloucestershire ignored me", ("South Gloucestershire Council",)),
    ("Gloucestershire county council ignored me", ("Gloucestershire County Council",)),
    ("Durham County Council closed the road", ("Durham County Council",)),
    ("Wokingg council bins", ("Woking Borough Council",)),  # one misspelt word, one name
    ("Hertfordshir and the school", ()),  # as close to Herefordshire: no guess
])
def test_organisation_matching_prefers_the_longest_exact_name(
    question: str, expected: tuple[str, ...]
) -> None:
    vocabulary = Vocabulary(organisations=ENGLAND, is_word=lambda w: w == "working")
    assert plan_query(question, vocabulary).soft.organisations == expected


@pytest.mark.parametrize(("question", "expected"), [
    ("How many school transport complaints were upheld?", ("School transport",)),
    ("Transport to day care, and then school transport", ("Transport", "School transport")),
    ("Did the transport team lie?", ("Transport",)),
])
def test_an_area_name_inside_a_longer_one_is_not_read_as_well(
    question: str, expected: tuple[str, ...]
) -> None:
    """Adult care's sub-area "Transport" is not also read from "school transport"."""
    vocabulary = Vocabulary(sub_categories=("Transport", "School transport"))
    assert plan_query(question, vocabulary).soft.categories == expected


@pytest.mark.parametrize(("question", "expected"), [
    ("How much did Lancs county council pay?", ("Lancashire County Council",)),
    ("Staffs council took my cab licence", ("Staffordshire County Council",)),
    ("South Glos was slow with the plan", ("South Gloucestershire Council",)),
    ("Glos council and my son", ("Gloucestershire County Council",)),
    ("MK council refused", ("Milton Keynes Council",)),
    ("the Glossop office", ()),  # a short form only as a whole word
])
def test_short_forms_of_council_names_are_spelt_out(
    question: str, expected: tuple[str, ...]
) -> None:
    names = (
        "Lancashire County Council", "Staffordshire County Council",
        "South Gloucestershire Council", "Gloucestershire County Council",
        "Milton Keynes Council",
    )
    assert plan_query(question, Vocabulary(organisations=names)).soft.organisations == expected


def test_a_misspelling_matching_two_names_matches_neither() -> None:
    one, other = "Brackenfold Council", "Brackenfeld Council"  # fictional names
    assert plan_query("Brackenfild council", Vocabulary(organisations=(one,))).soft.organisations
    assert plan_query("Brackenfild council", Vocabulary(organisations=(other,))).soft.organisations
    both = Vocabulary(organisations=(one, other))
    assert plan_query("Brackenfild council", both).soft.organisations == ()


@pytest.mark.parametrize(("question", "expected"), [
    ("Ashcoombe Wetherfield took my bins", ("Ashcombe Wetherfield Council",)),  # first word
    ("Ashcombe Wetherfeild took my bins", ("Ashcombe Wetherfield Council",)),  # second word
    ("Ashcoombe Wetherfeild took my bins", ()),  # two words misspelt: no guess
    ("Wetherfeild took my bins", ()),  # half a name, misspelt
])
def test_one_misspelt_word_of_a_longer_name(question: str, expected: tuple[str, ...]) -> None:
    vocabulary = Vocabulary(organisations=("Ashcombe Wetherfield Council",))  # fictional
    assert plan_query(question, vocabulary).soft.organisations == expected


@pytest.mark.parametrize(("question", "named"), [
    ("Did Eastwold council have to pay anything?", "Eastwold"),  # fictional place
    ("Why did Stoke-on-Trent City Council refuse?", "Stoke-on-Trent"),
    ("BCP council dragged its feet", "BCP"),
    ("The council was rude and my local council ignored me", ""),
    ("Northmoor council bins", ""),  # an indexed name: an organisation hint instead
])
def test_a_council_the_index_does_not_name_is_understood_as_such(
    question: str, named: str
) -> None:
    soft = plan_query(question, VOCABULARY).soft
    assert soft.unlisted_council == named
    assert any(note.startswith(f"organisation: {named} (") for note in soft.notes()) == bool(named)


@pytest.mark.parametrize(("question", "intent"), [
    ("Why won't the Ombudsman look at my complaint?", Intent.WHY_NOT),
    ("they refused to investigate my school transport complaint", Intent.WHY_NOT),
    ("any decisions similar to mine about council tax?", Intent.SIMILAR),
    ("what did the council agree to pay?", Intent.GENERAL),
])
def test_intent(question: str, intent: Intent) -> None:
    assert plan_query(question, VOCABULARY).intent == intent


@pytest.mark.parametrize("question", [
    "The ombudsman decided not to look at my complaint about the Eastwold bins.",
    "Why did they stop looking at my case?",
    "Why did the ombudsman not pursue my complaint?",
    "Why did the ombudsman say no?",
    "Why is the ombudsman saying I should have gone to the tribunal?",
    "The ombudsman sent me back to the council.",
    "Why does the ombudsman say it's too early?",
])
def test_the_ombudsmans_refusal_in_a_persons_own_words_is_a_why_not_question(
    question: str,
) -> None:
    assert plan_query(question, VOCABULARY).intent == Intent.WHY_NOT


@pytest.mark.parametrize("question", [
    "Why did the council decide not to help me?",
    "Why did the council close the library?",
    "Why did the ombudsman find the council at fault?",
    "Why did the ombudsman say the council should pay me?",
])
def test_a_refusal_by_the_council_or_a_finding_is_not_a_why_not_question(question: str) -> None:
    """The why-not boost lifts decisions that were not investigated: it must come from the
    Ombudsman's refusal, not from any "not" in the question."""
    assert plan_query(question, VOCABULARY).intent != Intent.WHY_NOT


def test_years_reasons_areas_and_outcomes_are_soft_hints() -> None:
    plan = plan_query("upheld cases about school transport between 2021 and 2023", VOCABULARY)
    assert plan.soft.dates == ("2021-01-01", "2023-12-31")
    assert plan.soft.outcomes == ("upheld",)
    assert "School transport" in plan.soft.categories
    assert plan.filters == type(plan.filters)()  # nothing read from free text excludes
    late = plan_query("they said I complained too late, since 2022", VOCABULARY)
    assert late.soft.reasons == ("late",)
    assert late.soft.dates == ("2022-01-01", None)
    assert late.filters.date_from is None
    assert plan_query("the ICO should deal with it", VOCABULARY).soft.reasons == (
        "other_body_better_placed",)
    assert "dates: 2022-01-01 to …" in late.notes  # shown to the user, who may make it a filter


SITUATION = "The council put us in a bed and breakfast for months after we lost our home."


@pytest.mark.parametrize("aside", [
    "Can the ombudsman help?",
    "What has the Ombudsman said about cases like this?",
    "Has the ombudsman ever looked at anything like that?",
])
def test_the_embedded_text_leaves_out_a_sentence_that_only_addresses_the_ombudsman(
    aside: str,
) -> None:
    """Such a sentence matches the stock paragraphs of every decision, whatever its subject."""
    assert plan_query(f"{SITUATION} {aside}", VOCABULARY).dense_text == SITUATION
    assert plan_query(f"{aside} {SITUATION}", VOCABULARY).dense_text == SITUATION


def test_a_sentence_to_the_ombudsman_with_a_subject_word_is_embedded() -> None:
    question = f"{SITUATION} Has the ombudsman ruled on allotment evictions?"
    assert plan_query(question, VOCABULARY).dense_text == question


def test_a_why_not_question_keeps_its_sentence_about_the_ombudsman() -> None:
    """There the Ombudsman's refusal is what is asked about ("too old for the ombudsman")."""
    question = "Is my complaint too old for the ombudsman? It happened years ago."
    assert plan_query(question, VOCABULARY).intent == Intent.WHY_NOT
    assert plan_query(question, VOCABULARY).dense_text == question


def test_the_embedded_text_is_never_empty_and_drops_the_question_frame() -> None:
    assert plan_query("Can the ombudsman help?", VOCABULARY).dense_text == (
        "Can the ombudsman help?")
    framed = "Why did the Ombudsman look at my complaint about school transport?"
    assert plan_query(framed, VOCABULARY).intent != Intent.WHY_NOT
    assert plan_query(framed, VOCABULARY).dense_text == "school transport?"


def test_a_why_not_question_is_embedded_with_its_frame() -> None:
    """The refusal asked about is what meets a summary that gives one ("We will not
    investigate this complaint about…")."""
    framed = "Why won't the Ombudsman look at my complaint about school transport?"
    assert plan_query(framed, VOCABULARY).intent == Intent.WHY_NOT
    assert plan_query(framed, VOCABULARY).dense_text == framed


@pytest.mark.parametrize(("question", "term"), [
    ("they refused my disabled parking permit", "blue badge"),
    ("I got a parking ticket outside my house", "penalty charge notice"),
    ("the council sent bailiffs round", "enforcement agent"),
    ("my son's EHCP is months late", "education health and care plan"),
])
def test_a_lay_phrase_brings_the_official_term_to_the_keyword_searches(
    question: str, term: str
) -> None:
    plan = plan_query(question, VOCABULARY)
    assert plan.keyword_text == f"{question} {term}"
    assert plan.text == question  # what is shown and embedded is the person's own wording


def test_no_official_term_is_added_twice_or_without_its_lay_phrase() -> None:
    for question in ("my Blue Badge was refused: the disabled badge form", "a fine for litter"):
        assert plan_query(question, VOCABULARY).keyword_text == question


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return get_embedder(Settings())


def _decision(paragraphs: list[str]) -> Decision:
    sections = [Section(heading="My assessment", paragraphs=[
        Paragraph(number=i, text=t) for i, t in enumerate(paragraphs, start=1)])]
    text = "\n".join(["Summary: We will not investigate.", "My assessment", *paragraphs])
    return Decision(ref="23 100 001", organisation="Fictional Testborough Council",
                    url="https://www.lgo.org.uk/decisions/x/23-100-001",
                    summary="We will not investigate.", sections=sections, text=text)


def test_no_chunk_exceeds_the_model_limit_and_none_loses_text(embedder: Embedder) -> None:
    long_sentence = " ".join(f"word{i}" for i in range(400))  # no sentence end at all
    long_paragraph = " ".join(f"The Council considered point {i} carefully." for i in range(90))
    decision = _decision(["Short one.", long_paragraph, long_sentence, "Another short one."])
    limits = ChunkLimits(max_tokens=embedder.max_tokens, target_tokens=160)
    chunks = chunk_decision(decision, limits, embedder.count_tokens)
    sizes = embedder.count_tokens([embedding_text(decision, c.section, c.text) for c in chunks])
    assert max(sizes) <= embedder.max_tokens
    assert chunks[0].section == SUMMARY_SECTION and chunks[0].paragraphs == ""
    assert all(c.text in decision.text for c in chunks if "\n" not in c.text)
    joined = " ".join(c.text for c in chunks)
    for word in ("word0", "word399", "point 89", "Another short one."):
        assert word in joined  # split, never truncated
    assert {c.paragraphs for c in chunks if "word" in c.text} == {"3"}
    assert len({c.id for c in chunks}) == len(chunks)


def test_chunk_metadata_carries_the_header(embedder: Embedder) -> None:
    decision = _decision(["One.", "Two."])
    chunk = chunk_decision(decision, ChunkLimits(256, 160), embedder.count_tokens)[1]
    assert chunk.metadata["ref"] == "23 100 001"
    assert chunk.metadata["organisation"] == "Fictional Testborough Council"
    assert chunk.metadata["section"] == "My assessment"
    assert chunk.paragraphs == "1-2"
