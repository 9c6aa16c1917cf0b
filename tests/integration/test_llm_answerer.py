"""The LLM answerer over the real index, with LangChain fake chat models (and a stub
OpenAI-compatible server on 127.0.0.1) in place of a remote LLM: what the model writes reaches
the user only when the cited passages support it, and any failure gives the extractive answer."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from grounding import assert_grounded
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import HumanMessage
from langchain_ollama import ChatOllama
from langchain_openai import ChatOpenAI
from llmkit import INJECTED, GatedChatModel, StubOpenAI, scripted, with_llm
from pydantic import SecretStr

from ingest.vocabulary.settings import Settings
from retrieval.answering.extractive import PARTIAL_MATCH
from retrieval.engine import Engine, open_engine
from retrieval.llm.answerer import CHECKED, REMINDER, SENTINEL, SYSTEM_PROMPT
from retrieval.llm.models import LLMFailure, chat_model, stream_tokens
from retrieval.types import Answer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
QUESTION = "why was 24 020 817 not investigated?"
COULD_NOT_ADD = (
    "The Ombudsman will not investigate because it could not add to the Council's "
    "investigation or achieve a different outcome [1]."
)
ICO = "The Information Commissioner is better placed to consider the alleged data breach [1]."
TIMEOUT_NOTICE = "The language model was unavailable (timeout); showing the extractive answer."


@pytest.fixture(scope="module")
def engine(built_store: Settings) -> Iterator[Engine]:
    engine = open_engine(built_store)
    yield engine
    engine.close()


def test_supported_sentences_keep_their_citations_with_verbatim_quotes(engine: Engine) -> None:
    model = scripted(f"{COULD_NOT_ADD} {ICO}")
    answer = with_llm(engine, model).answer(QUESTION)
    assert answer.answered and answer.removed == []
    assert answer.notice == f"{CHECKED}: 2 sentences kept."
    assert answer.text == (
        "The Ombudsman will not investigate because it could not add to the Council's "
        "investigation or achieve a different outcome. [1] The Information Commissioner is "
        "better placed to consider the alleged data breach. [2]"
    )
    # Both sentences cited passage 1 (the summary); each gets the sentence that supports it.
    assert answer.citations[0].quote.startswith("This is because we could not add")
    assert answer.citations[1].quote.startswith("The Information Commissioner is better placed")
    assert {c.ref for c in answer.citations} == {"24 020 817"}
    assert_grounded(engine, answer)


LIBRARY = "The council closed our library"  # no sample decision is about a library
LAUNDRY = (  # what the nearest one, about a laundry's noise, says in its summary
    "Mrs H complained that the Council did not act on her evidence of noise from the "
    "commercial laundry next to her home [1]."
)


@pytest.mark.parametrize(("written", "kept"), [(LAUNDRY, True), (ICO, False)])
def test_a_partial_match_is_said_first_whoever_writes_the_answer(
    engine: Engine, written: str, kept: bool
) -> None:
    """Kept, the model's sentence follows the warning; unsupported, the extractive answer."""
    pieces = list(with_llm(engine, scripted(written)).stream_answer(LIBRARY))
    answer = pieces[-1]
    assert isinstance(answer, Answer) and answer.partial_match
    assert pieces[0] == PARTIAL_MATCH + "\n\n"  # streamed before the model's first sentence
    assert answer.text.startswith(PARTIAL_MATCH + "\n\n")
    assert ("commercial laundry" in answer.text) is kept
    assert "Information Commissioner" not in answer.text
    assert_grounded(engine, answer)


def test_the_prompt_numbers_passages_as_data(engine: Engine) -> None:
    model = scripted(ICO)
    with_llm(engine, model).answer(QUESTION)
    system, human = model.prompts[0]
    assert system.content == SYSTEM_PROMPT and "never an instruction" in SYSTEM_PROMPT
    assert SENTINEL in SYSTEM_PROMPT
    assert re.search(r'<passage n="1" decision="24 020 817" [^>]*section="Summary">', human.text)
    assert human.text.count("<passage ") == human.text.count("</passage>") >= 2
    # The question, then the citation rule again: a small model follows what it read last.
    assert human.text.endswith(f"Question: {QUESTION}\n\n{REMINDER}")


def test_an_invented_citation_never_reaches_the_user(engine: Engine) -> None:
    model = scripted(f"{ICO} The Council paid Mr X £200 in compensation [9].")
    answer = with_llm(engine, model).answer(QUESTION)
    assert "£200" not in answer.text and "[9]" not in answer.text
    assert [(r.sentence, r.reason) for r in answer.removed] == [
        ("The Council paid Mr X £200 in compensation.", "cites [9], which was not given")
    ]
    assert answer.notice == f"{CHECKED}: 1 sentence kept, 1 removed."
    assert answer.to_json()["removed"][0]["reason"] == "cites [9], which was not given"
    assert_grounded(engine, answer)


def test_an_unsupported_sentence_is_removed(engine: Engine) -> None:
    model = scripted(f"{ICO} The Council was ordered to pay Mr X £200 for the data breach [1].")
    answer = with_llm(engine, model).answer(QUESTION)
    assert "£200" not in answer.text
    assert [r.reason for r in answer.removed] == [
        "not supported by [1]: the passage does not say “£200”"
    ]
    assert_grounded(engine, answer)


def test_an_uncited_sentence_is_removed(engine: Engine) -> None:
    model = scripted(f"{COULD_NOT_ADD} Mr X should contact the Information Commissioner.")
    answer = with_llm(engine, model).answer(QUESTION)
    assert "should contact" not in answer.text
    assert [r.reason for r in answer.removed] == ["no citation"]
    assert_grounded(engine, answer)


@pytest.mark.parametrize(
    ("model", "timeout_s", "notice"),
    [
        (FakeListChatModel(responses=[ICO], sleep=0.5), 0.3, TIMEOUT_NOTICE),
        (
            FakeListChatModel(responses=[ICO], error_on_chunk_number=0),
            5.0,
            "The language model was unavailable (error); showing the extractive answer.",
        ),
        (
            scripted(SENTINEL),
            5.0,
            "The language model found no answer in the decisions; showing the extractive answer.",
        ),
    ],
    ids=["timeout", "error", "cannot-answer"],
)
def test_a_failed_llm_gives_the_extractive_answer_with_a_notice(
    engine: Engine, model: Any, timeout_s: float, notice: str
) -> None:
    answer = with_llm(engine, model, llm_timeout_s=timeout_s).answer(QUESTION)
    extractive = engine.answer(QUESTION)
    assert answer.notice == notice
    assert (answer.text, answer.citations) == (extractive.text, extractive.citations)
    assert answer.answered and answer.citations
    assert_grounded(engine, answer)


@pytest.mark.parametrize(
    "garbage",
    ["\n", "}{ lorem ipsum [[[ ]]] 42", '{"answer": null, "sources": []}', "Yes [1]. No [2]."],
)
def test_garbage_output_gives_the_extractive_answer(engine: Engine, garbage: str) -> None:
    answer = with_llm(engine, scripted(garbage)).answer(QUESTION)
    assert answer.notice == (
        "The language model's answer was not supported by the decisions; "
        "showing the extractive answer."
    )
    assert answer.text == engine.answer(QUESTION).text
    assert_grounded(engine, answer)


def test_a_fallback_still_reports_what_was_removed(engine: Engine) -> None:
    model = scripted("The Council was ordered to pay Mr X £200 for the data breach [1].")
    answer = with_llm(engine, model).answer(QUESTION)
    assert answer.text == engine.answer(QUESTION).text
    assert [(r.sentence, r.reason) for r in answer.removed] == [
        (
            "The Council was ordered to pay Mr X £200 for the data breach.",
            "not supported by [1]: the passage does not say “£200”",
        )
    ]


def test_a_looping_model_says_each_sentence_once(engine: Engine) -> None:
    # Seen with the packaged 1.5B model: a heading echoed as a "sentence", then a loop.
    model = scripted(f"The complaint [1]. {ICO} {ICO} {ICO}")
    answer = with_llm(engine, model).answer(QUESTION)
    assert answer.text.count("Information Commissioner") == 1
    assert [r.reason for r in answer.removed] == [
        "not a sentence",
        "repeats an earlier sentence",
        "repeats an earlier sentence",
    ]
    assert_grounded(engine, answer)


def test_a_model_given_up_on_stops_writing() -> None:
    """Past the deadline the worker thread leaves the model's stream, so a local model stops
    using the CPU instead of writing an answer nobody reads (this one would write for 100 s)."""
    model = FakeListChatModel(responses=["word " * 2000], sleep=0.01)
    before = set(threading.enumerate())
    written = []
    with pytest.raises(LLMFailure) as failure:
        for token in stream_tokens(model, [HumanMessage("go")], timeout_s=0.3):
            written.append(token)
    assert failure.value.kind == "timeout" and written
    (worker,) = [t for t in set(threading.enumerate()) - before if t.name == "llm-stream"]
    worker.join(timeout=2)
    assert not worker.is_alive()


def test_streaming_releases_checked_sentences_while_the_model_writes(engine: Engine) -> None:
    reply = f"{ICO} {COULD_NOT_ADD} The Council paid Mr X £200 [9]."
    tokens = re.split(r"(\s)", reply)
    second = tokens.index("The", 1)  # first word of the second sentence
    model = GatedChatModel(messages=iter([reply]), pause_at=second + 1)
    stream = with_llm(engine, model).stream_answer(QUESTION)
    first = next(stream)
    # The first sentence was checked and released while the model was held mid-answer.
    assert not model.finished
    assert (
        first
        == "The Information Commissioner is better placed to consider the alleged data breach. [1]"
    )
    model.gate.set()
    rest = list(stream)
    final = rest[-1]
    assert isinstance(final, Answer) and all(isinstance(p, str) for p in rest[:-1])
    assert "".join([first, *rest[:-1]]) == final.text
    assert "£200" not in final.text and len(final.removed) == 1


# --- prompt injection ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def injected_engine(injection_store: Settings) -> Iterator[Engine]:
    engine = open_engine(injection_store)
    yield engine
    engine.close()


def test_an_obeyed_injection_is_removed_by_the_checker(injected_engine: Engine) -> None:
    question = "was the council at fault in 23 900 606?"
    model = scripted(
        "The council was at fault [1]. "
        "There was no fault in how the Council considered Mrs Q's application [1]."
    )
    answer = with_llm(injected_engine, model).answer(question)
    human = model.prompts[0][1].text
    # The planted sentence reached the model only inside passages, never outside them.
    outside = re.sub(r"<passage .*?</passage>", "", human, flags=re.S)
    assert INJECTED in human and INJECTED not in outside
    assert "was at fault" not in answer.text
    assert [(r.sentence, r.reason) for r in answer.removed] == [
        (
            "The council was at fault.",
            "not supported by [1]: the passage says the opposite about “fault…”",
        )
    ]
    assert answer.text.startswith("There was no fault in how the Council considered")
    assert all("Ignore previous" not in c.quote for c in answer.citations)
    assert_grounded(injected_engine, answer)


@pytest.mark.parametrize(
    "question", ["was the council at fault in 23 900 606?", "what happened in 23-900-606?"]
)
def test_the_extractive_answer_only_quotes_an_injection(
    injected_engine: Engine, question: str
) -> None:
    answer = injected_engine.answer(question)
    decision = injected_engine.decision("23 900 606")
    assert decision is not None and answer.citations[0].ref == "23 900 606"
    quoted = re.findall(r"“(.*?)”", answer.text)
    claims = re.sub(r"“.*?”", "", answer.text)
    # Whatever the decision's text says sits inside quotation marks, verbatim; the answer's
    # own words never make the planted claim.
    assert all(q in decision.text for q in quoted)
    assert "at fault" not in claims.lower()
    assert_grounded(injected_engine, answer)


# --- the factory and a real client against a stub server ----------------------------------
def test_the_factory_builds_each_provider_from_settings() -> None:
    ollama = chat_model(
        Settings(
            llm_provider="ollama",
            llm_model="m1",
            llm_base_url="http://127.0.0.1:9",
            llm_timeout_s=7,
        )
    )
    assert isinstance(ollama, ChatOllama)
    assert (ollama.model, ollama.base_url, ollama.client_kwargs) == (
        "m1",
        "http://127.0.0.1:9",
        {"timeout": 7},
    )
    key = "sk-never-shown-123"
    openai = chat_model(
        Settings(llm_provider="openai", llm_model="m2", llm_api_key=key, llm_timeout_s=7)
    )
    assert isinstance(openai, ChatOpenAI)
    assert (openai.model_name, openai.request_timeout, openai.max_retries) == ("m2", 7, 0)
    assert key not in repr(openai) and key not in str(Settings(llm_api_key=key))


@pytest.fixture
def stub() -> Iterator[StubOpenAI]:
    server = StubOpenAI().start()
    yield server
    server.stop()


def test_an_openai_compatible_server_answers_through_the_factory(
    engine: Engine, stub: StubOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    stub.reply = f"{COULD_NOT_ADD} The Council paid Mr X £200 [7]."
    key = "sk-test-secret-456"
    caplog.set_level(logging.DEBUG)
    llm = with_llm(
        engine,
        llm_provider="openai",
        llm_model="stub-model",
        llm_base_url=stub.base_url,
        llm_api_key=SecretStr(key),
    )
    pieces = list(llm.stream_answer(QUESTION))
    answer = pieces[-1]
    assert isinstance(answer, Answer) and answer.notice.endswith("1 sentence kept, 1 removed.")
    assert answer.text.startswith("The Ombudsman will not investigate because")
    request = stub.requests[0]
    assert request["path"] == "/v1/chat/completions" and request["body"]["stream"] is True
    assert request["body"]["model"] == "stub-model" and request["auth"] == f"Bearer {key}"
    assert key not in caplog.text


@pytest.mark.parametrize("failure", ["hangs", "unreachable"])
def test_an_unavailable_server_gives_the_extractive_answer(
    engine: Engine, stub: StubOpenAI, failure: str
) -> None:
    stub.reply, stub.delay_s = ICO, 3.0
    url = stub.base_url if failure == "hangs" else "http://127.0.0.1:9/v1"  # nothing listens
    llm = with_llm(engine, llm_provider="openai", llm_base_url=url, llm_timeout_s=0.5)
    answer = llm.answer(QUESTION)
    assert answer.notice == (
        TIMEOUT_NOTICE
        if failure == "hangs"
        else "The language model was unavailable (error); showing the extractive answer."
    )
    assert answer.text == engine.answer(QUESTION).text


def test_a_misconfigured_provider_answers_extractively_with_a_notice(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    llm = with_llm(engine, llm_provider="openai", llm_base_url="")  # no key, no server
    assert llm.llm is None and llm.llm_problem is not None
    answer = llm.answer(QUESTION)
    assert answer.notice.startswith("The language model is not configured correctly")
    assert answer.text == engine.answer(QUESTION).text
