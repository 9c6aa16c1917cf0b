"""``python -m retrieval``: search, ask and similar, as text or JSON, one query or a batch."""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from ingest.storage import DB_NAME, sqlite_problem
from ingest.vocabulary.errors import FilterError, OQAError
from ingest.vocabulary.filters import DecisionFilter
from ingest.vocabulary.settings import get_settings
from retrieval.engine import Engine, open_engine
from retrieval.feedback import export_feedback
from retrieval.labels import outcome_label
from retrieval.organisation.report import profile_lines
from retrieval.types import NOT_SHOWN_WORDS, Answer, SearchResult, SimilarResult

logger = logging.getLogger(__name__)

app = typer.Typer(
    help="Ombudsman Q&A: search decisions, ask cited questions, find similar ones.",
    no_args_is_help=True,
    add_completion=False,
)

StoreOption = Annotated[
    Path | None, typer.Option("--store", help="Index folder (default: OQA_STORE_DIR).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (the documented shape).")]
BatchOption = Annotated[
    Path | None,
    typer.Option("--batch", help='JSONL file of {"id": ..., "query": ...}; JSONL out.'),
]
KOption = Annotated[int | None, typer.Option("--k", min=1, help="Decisions to return.")]
FilterOption = Annotated[
    list[str] | None,
    typer.Option(
        "--filter",
        help="key=value: organisation, category, sub_category, outcome, "
        "reason, ref, date_from, date_to (repeatable).",
    ),
]

_QUERY_OBJECT = 'expected {"id": ..., "query": "text"}'
Reply = SearchResult | Answer | SimilarResult
# In the JSON of a search, answer or similar under a filter on the column: the decisions the
# other filters take whose copy does not show it; and the filter's name in the text output.
NOT_SHOWN = {
    "category": ("left_out_without_area", "area"),
    "organisation": ("left_out_without_organisation", "organisation"),
}
NO_RESULTS = (
    "No decision matches. Check the filters (names must be as the index spells them: "
    "`python -m retrieval organisation NAME` finds an organisation) or use fewer words."
)
_FILTER_KEYS = {
    "organisation": "organisations",
    "category": "categories",
    "sub_category": "sub_categories",
    "outcome": "outcomes",
    "reason": "reasons",
    "ref": "refs",
}


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


def parse_filters(pairs: list[str] | None) -> DecisionFilter:
    """``["outcome=upheld", "reason=late"]`` → DecisionFilter; a bad key is a usage error."""
    values: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not value:
            raise typer.BadParameter(f"expected key=value, got {pair!r}", param_hint="--filter")
        if key in ("date_from", "date_to"):
            values[key] = value
        elif key in _FILTER_KEYS:
            field = _FILTER_KEYS[key]
            values[field] = (*values.get(field, ()), value)
        else:
            raise typer.BadParameter(f"unknown filter key {key!r}", param_hint="--filter")
    try:
        return DecisionFilter(**values)  # validated and put in canonical form
    except FilterError as error:
        raise typer.BadParameter(str(error), param_hint="--filter") from error


@app.command("search")
def search_command(
    query: Annotated[str, typer.Argument()] = "",
    k: KOption = None,
    filter: FilterOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
    batch: BatchOption = None,
) -> None:
    """Decisions ranked for a query, each with its best passages."""
    filters = parse_filters(filter)
    _run(
        store,
        query,
        batch,
        as_json,
        lambda engine, q: _with_gaps(engine, filters, engine.search(q, k=k, filters=filters)),
        _print_search,
    )


@app.command("ask")
def ask_command(
    question: Annotated[str, typer.Argument()] = "",
    filter: FilterOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
    batch: BatchOption = None,
) -> None:
    """A cited answer: every numbered marker points at a verbatim quote of a decision."""
    filters = parse_filters(filter)
    _run(
        store,
        question,
        batch,
        as_json,
        lambda engine, q: _with_gaps(engine, filters, engine.answer(q, filters=filters)),
        _print_answer,
    )


@app.command("similar")
def similar_command(
    ref: Annotated[str | None, typer.Option("--ref")] = None,
    text: Annotated[str | None, typer.Option("--text")] = None,
    k: KOption = None,
    filter: FilterOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
    batch: BatchOption = None,
) -> None:
    """Decisions like a given decision (--ref) or a described situation (--text)."""
    if not (ref or text or batch):
        raise typer.BadParameter("give --ref REF or --text SITUATION (or --batch FILE)")
    filters = parse_filters(filter)

    def run(engine: Engine, query: str) -> dict[str, Any]:
        if batch:  # a batch line is a reference when it looks like one, else a situation
            from ingest.vocabulary.normalise import canonical_ref

            by_ref = canonical_ref(query) if len(query) < 20 else None
            result = engine.similar(
                ref=by_ref, text=None if by_ref else query, k=k, filters=filters
            )
        else:
            result = engine.similar(ref=ref, text=text, k=k, filters=filters)
        return _with_gaps(engine, filters, result)

    _run(store, ref or text or "", batch, as_json, run, _print_similar)


@app.command("organisation")
def organisation_command(
    name: Annotated[str, typer.Argument(help="Council or provider; loose forms work.")] = "",
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """One organisation's decisions: outcomes, reasons, remedies, similar organisations."""
    _run(
        store,
        name,
        None,
        as_json,
        lambda engine, q: engine.organisation(q).to_json(),
        lambda result: typer.echo("\n".join(profile_lines(result))),
    )


@app.command("feedback")
def feedback_command(store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Feedback given in the app (thumbs, wrong citations), kept in the index folder."""
    try:
        rows = export_feedback(store or get_settings().store_dir)
    except OQAError as error:
        _fail(str(error))
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        judged = row.get("rating") or f"wrong citation [{row.get('citation')}]"
        typer.echo(f"{row['created']}  {judged}  {row['question']}")
    if not rows:
        typer.echo("No feedback has been given yet.")


def _run(
    store: Path | None,
    query: str,
    batch: Path | None,
    as_json: bool,
    operation: Callable[[Engine, str], dict[str, Any]],
    printer: Callable[[dict[str, Any]], None],
) -> None:
    lines = _batch_lines(batch) if batch else None  # before the model loads: fails fast
    try:
        engine = open_engine(store_dir=store)
    except OQAError as error:
        _fail(str(error))
    if lines is not None:
        _run_batch(engine, lines, operation)
        return
    if not query.strip():
        _fail("nothing to look up: give a query (or --batch FILE).")
    try:
        result = operation(engine, query)
    except OQAError as error:
        _fail(str(error))
    except sqlite3.DatabaseError as error:
        _fail(sqlite_problem(engine.index.store.store_dir / DB_NAME, error))
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        printer(result)


def _batch_lines(batch: Path) -> list[bytes]:
    try:
        return batch.read_bytes().splitlines()
    except OSError as error:
        _fail(f"cannot read the batch file {batch} ({error.strerror or error}).")


def _run_batch(
    engine: Engine, lines: list[bytes], operation: Callable[[Engine, str], dict[str, Any]]
) -> None:
    """One JSON object in, one out, per line: whatever a line holds, it gets a result or an
    error object (with its own id when it has one) and the batch goes on."""
    for number, line in enumerate(lines, start=1):
        if line.strip():
            result = _batch_result(engine, operation, number, line)
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


def _batch_result(
    engine: Engine,
    operation: Callable[[Engine, str], dict[str, Any]],
    number: int,
    line: bytes,
) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except (ValueError, RecursionError) as error:  # not UTF-8, not JSON, nested too deep
        return {"id": number, "error": f"line {number}: not a query object (not JSON: {error})"}
    if not isinstance(item, dict):
        return {"id": number, "error": f"line {number}: not a query object ({_QUERY_OBJECT})"}
    ident = item.get("id", number)
    query = item.get("query")
    if not isinstance(query, str) or not query.strip():
        return {"id": ident, "error": f"line {number}: no query text ({_QUERY_OBJECT})"}
    try:
        return {"id": ident, **operation(engine, query)}
    except OQAError as error:
        return {"id": ident, "error": str(error)}
    except Exception as error:  # one line must not end the batch: it is reported in its place
        logger.info("batch line %d failed", number, exc_info=True)
        return {"id": ident, "error": f"line {number}: failed ({type(error).__name__}: {error})"}


def _with_gaps(engine: Engine, filters: DecisionFilter, result: Reply) -> dict[str, Any]:
    """The result as JSON, with the number of decisions the filters would take but for a
    filter on the area or the organisation, whose copies do not show it."""
    data = result.to_json()
    for column, n in engine.index.store.records.left_out_unseen(filters).items():
        data[NOT_SHOWN[column][0]] = n
    return data


def _print_gaps(result: dict[str, Any]) -> None:
    for column, (key, name) in NOT_SHOWN.items():
        if result.get(key):
            typer.echo(
                f"\n(Decisions that fit the other filters but {NOT_SHOWN_WORDS[column][1]}, "
                f"which the {name} filter leaves out: {result[key]}.)"
            )


def _print_search(result: dict[str, Any]) -> None:
    if not result["results"]:
        typer.echo(NO_RESULTS)
    for hit in result["results"]:
        typer.echo(
            f"{hit['rank']:>2}. {hit['ref']}  {hit['organisation']}  "
            f"[{outcome_label(hit['outcome'])}, {hit['date']}]  {hit['category']}"
        )
        for passage in hit["passages"][:1]:
            typer.echo(f"      {passage['section']}: {passage['text'][:200]}")
        typer.echo(f"      {hit['url']}")
    _print_gaps(result)


def _print_answer(result: dict[str, Any]) -> None:
    typer.echo(result["answer"])
    if result.get("notice"):  # e.g. the LLM failed and this is the extractive answer
        typer.echo(f"\n({result['notice']})")
    if result["citations"]:
        typer.echo("\nSources:")
    for c in result["citations"]:
        where = f"{c['section']} ¶{c['paragraphs']}" if c["paragraphs"] else c["section"]
        typer.echo(f"[{c['n']}] {c['ref']} {c['organisation']}, {where}\n    {c['url']}")
    _print_gaps(result)


def _print_similar(result: dict[str, Any]) -> None:
    typer.echo(result["overview"])
    for hit in result["results"]:
        typer.echo(
            f"{hit['rank']:>2}. {hit['ref']}  {hit['organisation']}  "
            f"[{outcome_label(hit['outcome'])}]  {hit['category']}"
        )
        typer.echo(f"      why: {'; '.join(hit.get('why_similar', []))}")
    _print_gaps(result)


def _fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=2)
