"""Follow-up questions over the real index: rewritten from the conversation so that each
resolves to the decision (or organisation and dates) in focus; stand-alone questions are left
alone. The labelled conversations in bench/questions/conversations/ set the accuracy bar."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from llmkit import scripted

from bench.llm_quality import follow_up_figures
from ingest.settings import Settings
from ingest.storage import DecisionFilter
from retrieval.citations import markers
from retrieval.conversation import resolve
from retrieval.engine import Engine, open_engine
from retrieval.types import Answer, Intent, SoftHints, Turn

SEED = "24 020 817"
DAD_QUESTION = (
    "why wouldn't the ombudsman look at the dad's complaint about Liverpool social workers "
    "sharing his information?"
)
FOLLOW_UP_ACCURACY = 0.9  # measured 47/49 (0.96); the two misses follow a retrieval miss


@pytest.fixture(scope="module")
def engine(built_store: Settings) -> Iterator[Engine]:
    engine = open_engine(built_store)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def first(engine: Engine) -> Answer:
    answer = engine.answer(DAD_QUESTION)
    assert answer.citations[0].ref == SEED and answer.rewritten_query == ""
    return answer


def assert_grounded(engine: Engine, answer: Answer) -> None:
    assert set(markers(answer.text)) == {c.n for c in answer.citations}
    for citation in answer.citations:
        decision = engine.decision(citation.ref)
        assert decision is not None and citation.quote in decision.text
    assert all(markers(line) for line in answer.text.split("\n\n"))


def test_a_three_turn_conversation_stays_on_its_decision(engine: Engine, first: Answer) -> None:
    history = [Turn(DAD_QUESTION, first)]
    why = engine.answer("why was that?", history=history)
    assert why.rewritten_query == f"why was {SEED} not investigated?"
    assert why.search.plan.intent == Intent.WHY_NOT
    assert why.citations[0].ref == SEED and "Information Commissioner" in why.text
    assert_grounded(engine, why)

    history.append(Turn("why was that?", why))
    similar = engine.answer("any similar ones?", history=history)
    assert similar.rewritten_query == f"decisions similar to {SEED}"
    assert similar.search.plan.intent == Intent.SIMILAR
    listed = [hit.ref for hit in similar.search.hits]
    assert SEED not in listed and len(listed) >= 3
    # The decision in focus first, then one cited line per similar decision, best first.
    assert similar.text.startswith(f"Decisions like {SEED} (Liverpool City Council)")
    lines = similar.text.split("\n\n")
    cited = [similar.citations[markers(line)[0] - 1].ref for line in lines[1:]]
    assert cited == listed[: len(cited)] and len(cited) >= 3
    assert all(line.startswith(ref) for line, ref in zip(lines[1:], cited, strict=True))
    assert_grounded(engine, similar)


@pytest.mark.parametrize(
    ("question", "rewritten"),
    [
        ("why was that?", f"why was {SEED} not investigated?"),
        (
            "and what about the data breach part?",
            f"what about the data breach part in decision {SEED}?",
        ),
        (
            "what did the council agree to do?",
            f"what did the council agree to do in decision {SEED}?",
        ),
        ("show me similar ones", f"decisions similar to {SEED}"),
        # Questions that stand on their own are left alone.
        ("why won't they look at my complaint about my son's school transport?", None),
        ("what about parking fines?", None),
        ("what happened in 21 103 417?", None),
    ],
)
def test_follow_ups_are_rewritten_and_new_questions_are_not(
    first: Answer, question: str, rewritten: str | None
) -> None:
    assert resolve(question, [Turn(DAD_QUESTION, first)]) == (rewritten or question)


def test_without_an_answered_turn_nothing_is_carried(first: Answer) -> None:
    assert resolve("why was that?", []) == "why was that?"
    assert resolve("why was that?", [Turn(DAD_QUESTION, None)]) == "why was that?"
    plan = replace(first.search.plan, filters=DecisionFilter(), soft=SoftHints())
    unanswered = replace(first, citations=[], search=replace(first.search, plan=plan))
    assert resolve("why was that?", [Turn(DAD_QUESTION, unanswered)]) == "why was that?"


def test_organisation_and_dates_carry_over_to_a_question_about_them(engine: Engine) -> None:
    opening = engine.answer("Northmoor council school transport complaints in 2024")
    assert opening.search.plan.soft.organisations == ("Northmoor Borough Council",)
    follow = engine.answer("which of them were upheld?", history=[Turn("q", opening)])
    assert (
        follow.rewritten_query
        == "which of them were upheld (Northmoor Borough Council, decided in 2024)"
    )
    soft = follow.search.plan.soft  # understood again from the rewritten words: they rank
    assert soft.organisations == ("Northmoor Borough Council",)
    assert soft.dates == ("2024-01-01", "2024-12-31")


def test_the_labelled_conversations_resolve(engine: Engine) -> None:
    figures, misses = follow_up_figures(engine)
    assert figures["conversations"] >= 20 and figures["follow_ups"] >= 40
    assert figures["follow_up_accuracy"] >= FOLLOW_UP_ACCURACY, misses


# --- with an LLM --------------------------------------------------------------------------
def with_model(engine: Engine, model: object) -> Engine:
    settings = engine.settings.model_copy(update={"answerer": "llm", "llm_timeout_s": 5.0})
    return Engine(replace(engine.index, settings=settings), chat_model=model)  # type: ignore[arg-type]


ICO = "The Information Commissioner is better placed to consider the alleged data breach [1]."


def test_the_llm_rewrites_from_questions_and_cited_decisions(engine: Engine, first: Answer) -> None:
    rewritten = f"Why did the Ombudsman not investigate decision {SEED}?"
    model = scripted(f"Stand-alone question: {rewritten}", ICO)
    answer = with_model(engine, model).answer("why was that?", history=[Turn(DAD_QUESTION, first)])
    assert answer.rewritten_query == rewritten
    assert answer.citations[0].ref == SEED and "Information Commissioner" in answer.text
    prompt = model.prompts[0][-1].text
    assert f"User: {DAD_QUESTION}" in prompt and f"{SEED} (Liverpool City Council)" in prompt
    # The previous answer's text (quotes from decisions) is not shown to the rewriter.
    assert first.citations[0].quote not in prompt


@pytest.mark.parametrize(
    "model",
    [
        scripted("Why was that decision made?", ICO),  # dropped the decision in focus
        scripted("\n", ICO),  # nothing
        FakeListChatModel(responses=[ICO], error_on_chunk_number=0),  # failed
    ],
    ids=["lost-the-decision", "empty", "error"],
)
def test_a_failed_llm_rewrite_falls_back_to_the_deterministic_one(
    engine: Engine, first: Answer, model: object
) -> None:
    answer = with_model(engine, model).answer("why was that?", history=[Turn(DAD_QUESTION, first)])
    assert answer.rewritten_query == f"why was {SEED} not investigated?"
    assert answer.citations[0].ref == SEED
    assert_grounded(engine, answer)


def test_streaming_a_follow_up_ends_with_the_rewritten_answer(
    engine: Engine, first: Answer
) -> None:
    pieces = list(engine.stream_answer("why was that?", history=[Turn(DAD_QUESTION, first)]))
    final = pieces[-1]
    assert (
        isinstance(final, Answer) and final.rewritten_query == f"why was {SEED} not investigated?"
    )
    assert "".join(pieces[:-1]).strip() == final.text


def test_an_llm_that_keeps_the_question_shows_no_rewrite(engine: Engine, first: Answer) -> None:
    model = scripted("What about parking fines", ICO)
    answer = with_model(engine, model).answer(
        "what about parking fines?", history=[Turn(DAD_QUESTION, first)]
    )
    assert answer.rewritten_query == ""
    assert answer.search.plan.text == "what about parking fines?"
