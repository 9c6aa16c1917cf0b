"""Under an answer the app says how it was checked and lists what the check removed, and why."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _answer_with_removed_sentences() -> None:
    # Runs inside AppTest: imports here, the script is this function's body.
    import tempfile
    from pathlib import Path

    from appkit.conversation import _answer_body
    from ingest.storage import DecisionFilter
    from retrieval.llm_answerer import CHECKED
    from retrieval.types import Answer, Intent, QueryPlan, RemovedSentence, SearchResult

    plan = QueryPlan("q", DecisionFilter(), Intent.GENERAL)
    answer = Answer(
        question="q",
        text="The Ombudsman will not investigate. [1]",
        citations=[],
        search=SearchResult("q", plan, []),
        answered=True,
        notice=f"{CHECKED}: 1 sentence kept, 2 removed.",
        removed=[
            RemovedSentence(
                "The Council must pay Mr X **£500**.",
                "not supported by [1]: the passage does not say “£500”",
            ),
            RemovedSentence("The ICO <b>investigated</b>.", "no citation"),
        ],
    )
    _answer_body(0, answer, Path(tempfile.mkdtemp()), expanded=True)


def test_removed_sentences_are_listed_with_their_reason_as_plain_text() -> None:
    at = AppTest.from_function(_answer_with_removed_sentences, default_timeout=120).run()
    assert not at.exception, at.exception
    assert [e.label for e in at.expander] == ["Sentences removed by the check (2)"]
    items = [m.value for m in at.expander[0].markdown]
    # Model text is data: its Markdown and HTML are escaped, shown as written.
    assert items == [
        r"- The Council must pay Mr X \*\*£500\*\*\.: *not supported by \[1\]\: the passage "
        r"does not say “£500”*",
        r"- The ICO \<b\>investigated\<\/b\>\.: *no citation*",
    ]
    assert "was checked against the passage it cites" in at.caption[0].value
