"""The Streamlit app driven by AppTest over a real index (the sample corpus + the seed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from appdriver import ask, new_session
from grounding import assert_grounded
from streamlit.testing.v1 import AppTest

from appkit.text import escape_inline
from ingest.vocabulary.records import UNKNOWN_ORGANISATION
from ingest.vocabulary.settings import Settings
from retrieval import Engine, open_engine

WHY_NOT = "Why was the complaint about free school transport not investigated?"


@pytest.fixture(scope="module")
def engine(built_store: Settings) -> Iterator[Engine]:
    opened = open_engine(built_store)
    yield opened
    opened.close()




def markdown_texts(at: AppTest) -> list[str]:
    return [element.value for element in at.markdown]


def test_empty_screen_offers_three_example_questions(app: AppTest) -> None:
    labels = [app.button(key=f"example_{i}").label for i in range(3)]
    assert [label.split(":")[0] for label in labels] == [
        "**Why not investigated?**",
        "**Similar decisions**",
        "**Show me the excerpt**",
    ]
    assert app.chat_input(key="chat_question") is not None
    assert any("No filters" in caption.value for caption in app.caption)


def test_question_gets_an_answer_citing_verbatim_quotes(app: AppTest, engine: Engine) -> None:
    ask(app, WHY_NOT)
    turn = app.session_state["turns"][-1]
    assert turn.answer.answered and turn.answer.citations
    assert_grounded(engine, turn.answer)
    first = turn.answer.citations[0]
    rendered = markdown_texts(app)
    assert any(":blue-badge[1]" in text for text in rendered)  # the [1] marker, visible
    assert any(f":orange-background[{escape_inline(first.quote)}]" in t for t in rendered)
    assert app.button(key="open_0_1").label == "Open the decision"


def test_a_partial_match_is_shown_as_one_before_its_quotes(app: AppTest) -> None:
    ask(app, "The council closed our library")  # the sample has no decision about a library
    answer = app.session_state["turns"][-1].answer
    assert answer.partial_match and answer.citations
    rendered = "\n".join(markdown_texts(app))
    warning = rendered.find("matches this question only in part")
    assert -1 < warning < rendered.find(":blue-badge[1]")


def test_example_button_asks_its_question(app: AppTest) -> None:
    app.button(key="example_2").click().run()
    assert not app.exception, app.exception
    turn = app.session_state["turns"][-1]
    assert "Information Commissioner" in turn.question
    assert turn.answer.citations
    assert any("Information Commissioner" in c.quote for c in turn.answer.citations)


def test_citation_opens_the_decision_at_the_cited_paragraph(app: AppTest) -> None:
    ask(app, WHY_NOT)
    citation = app.session_state["turns"][-1].answer.citations[0]
    app.button(key="open_0_1").click().run()
    assert not app.exception, app.exception
    rendered = markdown_texts(app)
    heading = f"({escape_inline(citation.ref)})"
    assert any(text.startswith("#### ") and heading in text for text in rendered)
    highlighted = f":orange-background[{escape_inline(citation.quote)}]"
    assert sum(highlighted in text for text in rendered) >= 2  # sources panel + viewer


def test_the_sidebar_says_how_many_decisions_a_filter_leaves_out_unseen(
    app: AppTest, engine: Engine
) -> None:
    """The sample holds copies with no area line, and copies that name no organisation."""
    rows = engine.index.store.records.decision_rows()
    without_area = sum(not row["category"] for row in rows)
    without_organisation = sum(row["organisation"] == UNKNOWN_ORGANISATION for row in rows)
    assert without_area and without_organisation
    captions = "\n".join(caption.value for caption in app.sidebar.caption)
    assert f"Decisions in this index that show no area: {without_area}." in captions
    assert f"that name no organisation: {without_organisation}." in captions


def test_a_filter_changes_the_results(app: AppTest) -> None:
    question = "Why was the complaint not investigated?"
    ask(app, question)
    unfiltered = app.session_state["turns"][-1].answer
    refs = {hit.ref for hit in unfiltered.search.hits}
    outcomes = {hit.outcome for hit in unfiltered.search.hits}
    assert outcomes != {"upheld"}

    app.multiselect(key="filter_outcomes").set_value(["upheld"]).run()
    assert not app.exception, app.exception
    chips = app.get("button_group")
    assert any(chip.key.startswith("filter_chips_") for chip in chips)  # the filter is shown
    ask(app, question)
    filtered = app.session_state["turns"][-1]
    assert filtered.filters.outcomes == ("upheld",)
    assert filtered.answer.search.hits
    assert {hit.outcome for hit in filtered.answer.search.hits} == {"upheld"}
    assert {hit.ref for hit in filtered.answer.search.hits} != refs

    app.button(key="filter_clear").click().run()
    assert app.multiselect(key="filter_outcomes").value == []


def test_similar_decisions_render_with_why_and_a_chart(app: AppTest) -> None:
    ask(app, WHY_NOT)
    ref = app.session_state["turns"][-1].answer.citations[0].ref
    app.button(key="similar_0_1").click().run()
    assert not app.exception, app.exception
    assert app.session_state["view"] == "Similar decisions"
    request, result = app.session_state["similar_result"]
    assert request["ref"] == ref and result.hits
    assert ref not in {hit.ref for hit in result.hits}
    assert len(app.get("vega_lite_chart")) >= 1
    assert any(text.startswith("Why similar:") for text in markdown_texts(app))


def test_similar_decisions_from_a_described_situation(app: AppTest) -> None:
    app.session_state["view"] = "Similar decisions"
    app.run()
    app.text_area(key="similar_text").set_value(
        "My neighbour's dog barks all night and the council will not do anything about the noise."
    )
    app.button(key="similar_go").click().run()
    assert not app.exception, app.exception
    _, result = app.session_state["similar_result"]
    assert result.hits and result.outcome_counts
    assert len(app.get("vega_lite_chart")) >= 1


def test_clear_conversation_empties_it(app: AppTest) -> None:
    ask(app, WHY_NOT)
    assert app.button(key="clear_conversation").disabled is False
    app.button(key="clear_conversation").click().run()
    assert app.session_state["turns"] == []
    assert app.button(key="example_0") is not None


def test_no_index_explains_how_to_build_one(tmp_path: Path, use_store) -> None:
    use_store(tmp_path)
    at = new_session().run()
    assert not at.exception, at.exception
    assert "No index found" in at.info[0].value
    assert any("python -m ingest build" in block.value for block in at.code)
    assert at.button(key="build_sample").label == "Build the sample index"
    assert not list(tmp_path.iterdir())  # looking did not create an index


def test_index_built_with_another_model_shows_the_help_sentence(
    built_store: Settings, use_store
) -> None:
    use_store(built_store.store_dir, OQA_EMBEDDING_MODEL="some-other-model")
    at = new_session().run()
    assert not at.exception, at.exception
    message = at.error[0].value
    assert "some\\-other\\-model" in message and "python \\-m ingest build" in message


def test_build_button_indexes_the_sample_and_opens_the_app(
    tmp_path: Path, sample_dir: Path, use_store
) -> None:
    sample = tmp_path / "sample"
    sample.mkdir()
    for name in ("24-106-731.txt", "24-316-230.txt"):  # a small sample keeps this quick
        (sample / name).write_text((sample_dir / name).read_text(encoding="utf-8"))
    store = tmp_path / "store"
    use_store(store, OQA_SAMPLE_DIR=str(sample))
    at = new_session().run()
    at.button(key="build_sample").click().run()
    assert not at.exception, at.exception
    assert "Sample index built: 2 files seen" in at.success[0].value.replace("\\", "")
    assert at.button(key="example_0") is not None
    ask(at, "Why was the complaint about free school transport not investigated?")
    assert at.session_state["turns"][-1].answer.citations


def test_unselecting_a_chip_removes_its_filter(app: AppTest) -> None:
    app.multiselect(key="filter_outcomes").set_value(["upheld", "not_upheld"]).run()
    (chips,) = [c for c in app.get("button_group") if c.key.startswith("filter_chips_")]
    assert chips.value == [0, 1]
    chips.set_value([1]).run()
    assert not app.exception, app.exception
    assert app.multiselect(key="filter_outcomes").value == ["not_upheld"]


def test_citation_opens_its_organisation_page(app: AppTest) -> None:
    ask(app, WHY_NOT)
    organisation = app.session_state["turns"][-1].answer.citations[0].organisation
    app.button(key="org_0_1").click().run()
    assert not app.exception, app.exception
    assert app.session_state["view"] == "Organisation"
    assert app.selectbox(key="organisation_pick").value == organisation
    assert len(app.get("vega_lite_chart")) >= 1  # outcomes / reasons charts
    assert escape_inline(organisation) in [header.value for header in app.header]


def test_what_was_understood_ranks_and_one_click_makes_it_a_filter(app: AppTest) -> None:
    ask(app, "Northmoor council school transport complaints")
    plan = app.session_state["turns"][-1].answer.search.plan
    assert plan.filters.organisations == ()  # understood from free text: it only ranks
    captions = [caption.value for caption in app.caption]
    wanted = escape_inline("organisation: Northmoor Borough Council")  # as shown, escaped
    assert any(wanted in c for c in captions), captions
    buttons = [b for b in app.button if str(b.key).startswith("understood_")]
    assert buttons and buttons[-1].label == "Only show decisions matching this"
    buttons[-1].click().run()
    assert "Northmoor Borough Council" in app.session_state["filter_organisations"]
    ask(app, "which of them were upheld?")
    turn = app.session_state["turns"][-1]
    assert "Northmoor Borough Council" in turn.filters.organisations  # now the user's filter
    assert {hit.organisation for hit in turn.answer.search.hits} == {"Northmoor Borough Council"}


def test_a_council_no_decision_names_is_shown_escaped_and_offers_no_filter(app: AppTest) -> None:
    ask(app, "Has Wendle_ham_ council been complained about?")  # fictional, unindexed
    assert app.session_state["turns"][-1].answer.search.plan.soft.unlisted_council
    captions = [caption.value for caption in app.caption]
    assert any(escape_inline("organisation: Wendle_ham_ (") in c for c in captions), captions
    assert not [b for b in app.button if str(b.key).startswith("understood_")]
