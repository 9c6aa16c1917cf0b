"""The organisation page (appkit.organisation_page) driven by AppTest over the built index.

A small script draws the page the way app.py will: the sidebar filters, the
page, then the decision viewer, so the page's buttons are checked end to end.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from appkit.text import escape_inline
from ingest.vocabulary.settings import Settings, get_settings

TIMEOUT = 180  # the first run loads the model
NORTHMOOR = "Northmoor Borough Council"


def page_script() -> None:
    """Run by AppTest (its source is copied, so everything it needs is imported inside)."""
    import streamlit as st

    from appkit.filter_sidebar import date_bounds, show_chips, sidebar_filters
    from appkit.loader import engine_or_stop, load_options
    from appkit.organisation_page import current_organisation, render_organisation_page
    from appkit.sources_panel import show_viewer
    from ingest.vocabulary.settings import get_settings

    settings = get_settings()
    engine = engine_or_stop(settings)
    options = load_options(str(settings.store_dir), settings.embedding_model, engine)
    sidebar_filters(options)
    show_chips(date_bounds(options))
    name = current_organisation() or st.session_state.get("typed_name", "Northmoor council")
    render_organisation_page(engine, name)
    show_viewer(engine)


@pytest.fixture
def page(built_store: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("OQA_STORE_DIR", str(built_store.store_dir))
    get_settings.cache_clear()
    at = AppTest.from_function(page_script, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    yield at
    get_settings.cache_clear()


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def test_page_renders_metrics_charts_and_the_decision_table(page: AppTest) -> None:
    assert page.header[0].value == escape_inline(NORTHMOOR)
    captions = [caption.value for caption in page.caption]
    assert any("not all the complaints the Ombudsman received" in text for text in captions)
    metrics = {metric.label: metric.value for metric in page.metric}
    assert metrics["Decisions in the index"] == "8"
    assert metrics["Upheld"] == "1" and metrics["Not investigated"] == "7"
    assert metrics["Upheld, of those investigated"] == "100%"
    specs = chart_specs(page)
    assert len(specs) == 2  # outcomes by year, reasons by year
    assert all(spec["encoding"]["y"]["title"] == "Decisions" for spec in specs)
    table = page.dataframe[0].value
    assert len(table) == 8
    assert table["Reference"].iloc[0] == "26 111 427"  # newest first until the user sorts
    assert set(table["Outcome"]) == {"upheld", "not investigated"}


def test_remedies_show_their_verbatim_quotes(page: AppTest) -> None:
    remedy_text = [m.value for m in page.markdown if ":orange-background[" in m.value]
    assert len(remedy_text) == 7  # the upheld school transport decision's agreed actions
    assert any(escape_inline("pay Mr X £250") in text for text in remedy_text)


def test_opening_a_decision_from_the_table_shows_the_viewer(page: AppTest) -> None:
    page.selectbox(key="org_pick_northmoor_borough_council").set_value("22 112 908").run()
    page.button(key="org_open_northmoor_borough_council").click().run()
    assert not page.exception, page.exception
    headings = [m.value for m in page.markdown if m.value.startswith("#### ")]
    assert any(f"({escape_inline('22 112 908')})" in heading for heading in headings)


def test_ask_about_this_organisation_sets_the_filter_chip(page: AppTest) -> None:
    page.button(key="org_ask_northmoor_borough_council").click().run()
    assert not page.exception, page.exception
    assert page.multiselect(key="filter_organisations").value == [NORTHMOOR]
    assert page.session_state["view"] == "Conversation"
    chips = [chip for chip in page.get("button_group") if chip.key.startswith("filter_chips_")]
    assert chips  # shown as a removable chip


def test_a_similar_organisation_opens_its_own_page(page: AppTest) -> None:
    page.button(key="org_similar_northmoor_borough_council_0").click().run()
    assert not page.exception, page.exception
    assert page.header[0].value != escape_inline(NORTHMOOR)
    assert page.session_state["view"] == "Organisation"
    assert len(chart_specs(page)) >= 1


def test_an_unknown_name_shows_the_close_names(page: AppTest) -> None:
    page.session_state["typed_name"] = "Zebraton Council"
    page.run()
    assert not page.exception, page.exception
    assert "Close names" in page.warning[0].value
    assert not page.get("vega_lite_chart")
