"""Statements and public-interest reports are told apart from the page to the JSON results, with
the real parser, model and index. The two pages are the fixture site's FICTIONAL ones."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from ingest.indexing.pipeline import build
from ingest.storage import DB_NAME, opened_store
from ingest.vocabulary.settings import Settings
from retrieval.engine import open_engine

SITE = Path(__file__).resolve().parents[1] / "fixtures" / "site" / "decisions"
REPORT = SITE / "adult-care-services" / "charging" / "26-905-001.html"
OLD = SITE / "planning-and-development" / "planning-applications" / "17-905-002.html"


def test_document_type_is_stored_and_in_search_and_ask_results(tmp_path: Path) -> None:
    source = tmp_path / "pages"
    source.mkdir()
    shutil.copy(REPORT, source)
    shutil.copy(OLD, source)
    # As the crawler leaves it: the results list's organisation and line beside the page.
    sidecar = {"url": "https://www.lgo.org.uk/decisions/planning-and-development/"
               "planning-applications/17-905-002", "ref": "17 905 002",
               "organisation": "Harrowdene Metropolitan Borough Council",
               "status": "Statement Upheld Planning applications", "listing_date": "2017-07-11"}
    (source / "17-905-002.meta.json").write_text(json.dumps(sidecar), "utf-8")
    settings = Settings(store_dir=tmp_path / "store")
    built = build([source], settings)
    assert built.added_decisions == 2 and not built.failed

    engine = open_engine(settings)
    try:
        found = engine.search("deferred payment agreement care home charges").to_json()
        answer = engine.answer("why was the council at fault over care home charges?").to_json()
    finally:
        engine.close()
    kinds = {hit["ref"]: hit["document_type"] for hit in found["results"]}
    assert kinds == {"26 905 001": "report", "17 905 002": "statement"}
    assert {hit["ref"]: hit["document_type"] for hit in answer["results"]}["26 905 001"] == "report"

    # An index built before the column existed reads as statements, and gains it on a build.
    with sqlite3.connect(settings.store_dir / DB_NAME) as db:
        db.execute("ALTER TABLE decisions DROP COLUMN document_type")
    db.close()
    with opened_store(settings) as index:
        assert {r["document_type"] for r in index.records.decision_rows()} == {"statement"}
    build([source], settings)
    with opened_store(settings) as index:
        rows = {r["ref"]: r["document_type"] for r in index.records.decision_rows()}
    assert rows == {"26 905 001": "report", "17 905 002": "statement"}
