"""The pages around the answers, driven by AppTest over a copy of the real index.

The pre-check, the About page, links (?ref, ?q, ?c), saved conversations, feedback,
a question over the length limit and questions sent while one is being answered.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from appdriver import ask, new_session
from streamlit.testing.v1 import AppTest

from appkit import state
from appkit.text import escape_inline, escape_md
from retrieval.feedback import export_feedback
from retrieval.wording import explanations, sentence

REPO = Path(__file__).resolve().parents[2]
WHY_NOT = "Why was the complaint about free school transport not investigated?"
BLUE_BADGE = "The council refused my blue badge and I first complained about it two years ago."




def texts(at: AppTest) -> list[str]:
    return [element.value for element in (*at.markdown, *at.caption)]


def test_precheck_shows_each_test_with_its_law_and_cited_decisions(app: AppTest) -> None:
    app.switch_page("views/check.py").run()
    app.text_area(key="precheck_situation").set_value(BLUE_BADGE)
    app.radio(key="precheck_aware").set_value("12 months ago or more")
    app.radio(key="precheck_complained").set_value("No, not yet")
    app.button(key="FormSubmitter:precheck_form-Check").click().run()
    assert not app.exception, app.exception
    result = app.session_state["precheck_result"]
    assert [f.test.reason for f in result.findings] == ["late", "premature"]
    late = result.findings[0]
    assert late.given, "the sample holds late complaints"
    shown = "\n".join(texts(app))
    for finding in result.findings:
        test = finding.test
        assert escape_md(test.meaning) in shown and escape_inline(test.basis) in shown
        for example in finding.given:
            assert test.reason in example.hit.reasons  # the reason really was given there
            assert escape_inline(example.citation.quote) in shown
    assert f"Of the {len(result.pool.hits)} published decisions" in shown
    assert escape_md(sentence("not_prediction")) in shown
    assert result.investigated and all(
        e.hit.outcome in ("upheld", "not_upheld") for e in result.investigated
    )


def test_a_precheck_link_fills_the_form_and_shows_the_result(app_store: Path, use_store):
    use_store(app_store)
    at = new_session().run()
    at.switch_page("views/check.py").run()
    at.text_area(key="precheck_situation").set_value(BLUE_BADGE)
    at.radio(key="precheck_aware").set_value("12 months ago or more")
    at.button(key="FormSubmitter:precheck_form-Check").click().run()
    link = dict(at.query_params)
    assert link == {"situation": BLUE_BADGE, "aware": "1"}

    shared = new_session().run()
    shared.switch_page("views/check.py")
    shared.query_params.update(link)
    shared.run()
    assert not shared.exception, shared.exception
    assert shared.text_area(key="precheck_situation").value == BLUE_BADGE
    assert shared.radio(key="precheck_aware").value == "12 months ago or more"
    result = shared.session_state["precheck_result"]
    assert [f.test.reason for f in result.findings] == ["late"]


def test_precheck_without_a_situation_asks_for_one(app: AppTest) -> None:
    app.switch_page("views/check.py").run()
    app.radio(key="precheck_aware").set_value("I am not sure")
    app.button(key="FormSubmitter:precheck_form-Check").click().run()
    assert "Describe what happened first" in app.warning[0].value
    assert app.radio(key="precheck_aware").value == "I am not sure"  # the answer is kept
    assert "precheck_result" not in app.session_state


def test_about_page_counts_are_the_index_counts(app: AppTest, app_store: Path) -> None:
    app.switch_page("views/about.py").run()
    assert not app.exception, app.exception
    metrics = {metric.label: metric.value for metric in app.metric}
    status = json.loads(cli("ingest", "status", "--json", "--store", str(app_store)))
    assert metrics["Decisions"] == str(status["decisions"])
    assert metrics["Passages"] == str(status["chunks"])
    shown = "\n".join(texts(app))
    assert "lgo.org.uk" in shown and "re\\-used with attribution" in shown


def cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, text=True, check=True, cwd=REPO
    )
    return done.stdout


def test_a_ref_and_para_link_opens_the_decision_at_that_paragraph(app_store: Path, use_store):
    use_store(app_store)
    at = new_session()
    at.query_params["ref"] = "21-103-417"
    at.query_params["para"] = "2"
    at.run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert any(t.startswith("#### ") and "21 103 417" in t for t in shown)
    cited = [t for t in shown if t.startswith(":orange-badge[cited] **2.**")]
    assert len(cited) == 1, shown


# The second is a partial match (no sample decision is about a library): that survives too.
@pytest.mark.parametrize(("question", "partial"), [
    (WHY_NOT, False), ("The council closed our library", True),
])
def test_a_question_link_asks_it_and_the_conversation_comes_back(
    app_store: Path, use_store, question: str, partial: bool
):
    use_store(app_store)
    at = new_session()
    at.query_params["q"] = question
    at.run()
    assert not at.exception, at.exception
    (turn,) = at.session_state["turns"]
    assert turn.question == question and turn.answer.citations
    assert turn.answer.partial_match is partial
    conversation_id = at.query_params["c"]
    assert "q" not in at.query_params  # asked once; the saved conversation carries it

    again = new_session()  # a refresh: a new session
    again.query_params["c"] = conversation_id
    again.run()
    assert not again.exception, again.exception
    (restored,) = again.session_state["turns"]
    assert restored.question == question
    assert restored.answer.text == turn.answer.text
    assert restored.answer.partial_match is partial
    assert restored.answer.citations == turn.answer.citations

    again.button(key="clear_conversation").click().run()
    assert "c" not in again.query_params
    gone = new_session()
    gone.query_params["c"] = conversation_id
    gone.run()
    assert gone.session_state["turns"] == []
    assert "no longer here" in gone.info[0].value


def test_feedback_is_kept_with_the_answer_and_exported(app: AppTest, app_store: Path) -> None:
    before = len(export_feedback(app_store))
    ask(app, WHY_NOT)
    turn = app.session_state["turns"][-1]
    app.feedback(key="feedback_0").set_value(0).run()  # thumbs down
    app.button(key="wrong_0_2").click().run()
    assert not app.exception, app.exception
    rows = json.loads(cli("retrieval", "feedback", "--json", "--store", str(app_store)))[before:]
    assert [(r["kind"], r.get("rating"), r.get("citation")) for r in rows] == [
        ("answer", "down", None),
        ("wrong_citation", None, 2),
    ]
    for row in rows:
        assert row["question"] == WHY_NOT and row["answer"] == turn.answer.text
        assert [c["quote"] for c in row["citations"]] == [c.quote for c in turn.answer.citations]


def test_a_question_over_the_limit_is_kept_with_a_message(app_store: Path, use_store) -> None:
    use_store(app_store, OQA_MAX_QUESTION_CHARS="300")
    at = new_session().run()
    pasted = "My complaint about school transport. " * 20  # 740 characters
    ask(at, pasted)
    assert at.session_state["turns"] == []
    assert "the limit is 300" in at.warning[0].value
    box = at.text_area(key="too_long_edit")
    assert box.value == pasted.strip()  # kept, not emptied
    box.set_value(WHY_NOT)
    at.button(key="shorten_ask").click().run()
    assert not at.exception, at.exception
    assert [t.question for t in at.session_state["turns"]] == [WHY_NOT]
    assert not at.warning


def test_questions_sent_while_one_is_answered_are_all_answered(app: AppTest) -> None:
    questions = [WHY_NOT, "What did the council agree to do about the noise?", "Who complained?"]
    # A question sent during a run interrupts it; the queue keeps the interrupted one first.
    app.session_state[state.QUEUE] = list(questions)
    app.run()
    assert not app.exception, app.exception
    assert [t.question for t in app.session_state["turns"]] == questions


def test_a_full_queue_refuses_visibly(app: AppTest) -> None:
    waiting = [f"Question {i} about school transport?" for i in range(state.MAX_QUEUED)]
    app.session_state[state.QUEUE] = waiting
    ask(app, "One too many?")
    assert len(app.session_state["turns"]) == state.MAX_QUEUED
    assert any("One too many" in w.value and "not sent" in w.value for w in app.warning)


def test_every_reason_and_outcome_has_a_reviewed_sentence() -> None:
    loaded = explanations()
    for test in loaded.tests.values():
        assert test.meaning and test.next_step and test.source
    assert all(q.options and q.source for q in loaded.questions)


def test_the_box_is_closed_and_says_so_while_a_question_waits() -> None:
    def script() -> None:
        import streamlit as st

        from appkit import state
        from appkit.chat import chat_box

        if st.session_state.get("waiting"):
            state.queue().append("Why not?")
        chat_box(2000)

    at = AppTest.from_function(script).run()
    assert at.chat_input[0].disabled is False
    at.session_state["waiting"] = True
    at.run()
    assert at.chat_input[0].disabled is True
    assert "Answering your question" in at.chat_input[0].placeholder
