"""``python -m ingest``: build and inspect the index (progress bars live here)."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from tqdm import tqdm

from ingest.crawl.commands import crawl_command, update_command
from ingest.indexing.pipeline import BuildSummary, build
from ingest.storage import DB_NAME, opened_store, sqlite_problem
from ingest.vocabulary.errors import OQAError
from ingest.vocabulary.settings import Settings, get_settings

app = typer.Typer(
    help="Ombudsman Q&A ingestion: decision files → searchable index.",
    no_args_is_help=True,
    add_completion=False,
)

StoreOption = Annotated[
    Path | None, typer.Option("--store", help="Index folder (default: OQA_STORE_DIR).")
]


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


app.command("crawl")(crawl_command)
app.command("update")(update_command)


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    _configure_logging(verbose)


def _settings() -> Settings:
    with one_sentence():  # an OQA_ setting whose value is not valid
        return get_settings()


@contextmanager
def one_sentence(store: Path | None = None) -> Iterator[None]:
    """Errors a user can act on become one sentence and exit status 2, never a traceback."""
    try:
        yield
    except OQAError as error:
        _fail(str(error))
    except sqlite3.DatabaseError as error:  # damage found after the index opened
        _fail(sqlite_problem(Path(store or get_settings().store_dir) / DB_NAME, error))


@app.command("build")
def build_command(
    source: Annotated[
        list[Path] | None,
        typer.Option("--source", help="Folder or file of decisions (repeatable; default: sample)."),
    ] = None,
    store: StoreOption = None,
    prune: Annotated[
        bool, typer.Option("--prune", help="Drop decisions whose file under --source is gone.")
    ] = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Index a decision from this file even when its reference is indexed from "
            "another file (without it, that is a conflict, reported and left alone).",
        ),
    ] = False,
) -> None:
    """Parse, chunk, embed and index decisions. Safe to re-run: unchanged files are skipped."""
    settings = _settings()
    sources = source or [settings.sample_dir]
    missing = [str(s) for s in sources if not s.exists()]
    if missing:
        _fail(f"source not found: {', '.join(missing)}")
    # The bar closes (its line ended) before an error is printed.
    with one_sentence(store), tqdm(desc="ingest", unit="file", dynamic_ncols=True) as bar:

        def advance(done: int, total: int, path: str) -> None:
            bar.total = total
            bar.update(done - bar.n)
            bar.set_postfix_str(Path(path).name, refresh=False)

        summary = build(sources, settings, store, prune=prune, progress=advance, replace=replace)
    _report(summary)
    if summary.failed:
        raise typer.Exit(code=1)


def _report(summary: BuildSummary) -> None:
    for path, reason in summary.skipped:
        typer.echo(f"SKIPPED {path}: {reason}", err=True)
    for path, reason in summary.failed:
        typer.echo(f"FAILED {path}: {reason}", err=True)
    typer.echo(summary.line())


@app.command("status")
def status_command(
    store: StoreOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Counts, the model and chunking that built the index, and the last build time."""
    settings = _settings()
    with one_sentence(store), opened_store(settings, store) as index:
        info = {"store": str(index.store_dir), **index.counts(), **index.meta()}
        newest = index.records.newest_decision_date()
        info["newest_decision"] = newest.isoformat() if newest else None
    if as_json:
        typer.echo(json.dumps(info, indent=2))
        return
    for key, value in info.items():
        typer.echo(f"{key:>16}: {value}")


@app.command("verify")
def verify_command(
    store: StoreOption = None,
    repair: Annotated[
        bool, typer.Option("--repair", help="Make the stores agree (see ingest/verify.py).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check that decisions, chunks, keyword index and Chroma agree; exit 1 if they do not."""
    from ingest.verify import verify_store

    with one_sentence(store):
        report, actions = verify_store(_settings(), store, fix=repair)
    if as_json:
        typer.echo(json.dumps({**report.to_json(), "repaired": actions}, indent=2))
    else:
        for line in [*(f"repaired: {a}" for a in actions), *report.lines()]:
            typer.echo(line)
    if not report.ok:
        raise typer.Exit(code=1)


def _fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=2)
