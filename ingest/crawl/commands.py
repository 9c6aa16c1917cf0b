"""``python -m ingest crawl`` and ``python -m ingest update``: the crawler's command-line glue.

The functions are plain typer commands; ``ingest.cli`` registers them on its app.
Exit codes follow ``ingest build``: 2 when nothing could be done (bad arguments,
robots.txt unreadable, no index to update), 1 when some pages failed.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from tqdm import tqdm

from ingest.crawl.crawler import CrawlOptions, CrawlSummary, crawl
from ingest.crawl.listing import OUTCOME_CODES
from ingest.vocabulary.errors import OQAError
from ingest.vocabulary.normalise import parse_date
from ingest.vocabulary.records import Outcome
from ingest.vocabulary.settings import Settings, get_settings

if TYPE_CHECKING:  # the pipeline pulls in the model stack; only `update` needs it
    from ingest.indexing.pipeline import BuildSummary

# Failures listed one per line after the summary; the rest are counted.
MAX_LISTED_FAILURES = 20

# What --outcome accepts: the search form's outcomes, as `ingest` names them elsewhere.
OUTCOME_CHOICES = {o.value.replace("_", "-"): o for o in OUTCOME_CODES}

OutOption = Annotated[
    Path | None, typer.Option("--out", help="Crawl output folder (default: OQA_CRAWL_OUT_DIR).")
]


def crawl_command(
    since: Annotated[str, typer.Option("--since", help="Oldest decision date, YYYY-MM-DD.")],
    until: Annotated[
        str | None, typer.Option("--until", help="Newest decision date, YYYY-MM-DD.")
    ] = None,
    area: Annotated[
        str | None,
        typer.Option("--area", help="Only decisions filed under this area slug, e.g. housing."),
    ] = None,
    organisation: Annotated[
        str | None, typer.Option("--organisation", help="Only this organisation's decisions.")
    ] = None,
    outcome: Annotated[
        list[str] | None,
        typer.Option(
            "--outcome",
            help=f"Only this outcome (repeatable): {', '.join(OUTCOME_CHOICES)}.",
        ),
    ] = None,
    out: OutOption = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Fetch pages again even when already stored.")
    ] = False,
) -> None:
    """Fetch published decision pages politely into --out (resumable; skips stored pages)."""
    settings = _settings()
    options = CrawlOptions(
        since=_date_option("--since", since),
        until=_date_option("--until", until) if until else None,
        area=area,
        organisation=organisation,
        outcomes=_outcomes_option(outcome or []),
        out_dir=out or settings.crawl_out_dir,
        refresh=refresh,
    )
    if options.until and options.until < options.since:
        raise typer.BadParameter(f"{until} is before --since {since}.", param_hint="--until")
    summary = _run_crawl(options, settings)
    if summary.failed:
        raise typer.Exit(code=1)


def update_command(
    store: Annotated[
        Path | None, typer.Option("--store", help="Index folder (default: OQA_STORE_DIR).")
    ] = None,
    out: OutOption = None,
) -> None:
    """Crawl decisions from the newest one in the index onwards, then build them in."""
    settings = _settings()
    out_dir = out or settings.crawl_out_dir
    since = _newest_indexed(settings, store)
    typer.echo(f"Crawling decisions dated {since.isoformat()} or later into {out_dir}")
    crawled = _run_crawl(CrawlOptions(since=since, out_dir=out_dir), settings)
    pages = out_dir / "pages"
    if not pages.is_dir():
        typer.echo("Nothing stored to build.")
        raise typer.Exit(code=1 if crawled.failed else 0)
    built = _build(pages, settings, store)
    if crawled.failed or built.failed:
        raise typer.Exit(code=1)


def _build(pages: Path, settings: Settings, store: Path | None) -> BuildSummary:
    from ingest.indexing.pipeline import build

    # The whole folder, not just this run's pages: build skips unchanged files by hash,
    # and pages an interrupted earlier update stored but never indexed get built too.
    with tqdm(desc="build", unit="file", dynamic_ncols=True) as bar:

        def advance(done: int, total: int, path: str) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            built = build([pages], settings, store, progress=advance)
        except OQAError as error:
            _fail(str(error))
    for path, reason in built.failed[:MAX_LISTED_FAILURES]:
        typer.echo(f"FAILED {path}: {reason}", err=True)
    typer.echo(built.line())
    return built


def _run_crawl(options: CrawlOptions, settings: Settings) -> CrawlSummary:
    with tqdm(desc="crawl", unit="decision", total=0, dynamic_ncols=True) as bar:

        def advance(done: int, found: int) -> None:
            bar.total = found
            bar.update(done - bar.n)

        try:
            summary = crawl(options, settings, advance)
        except OQAError as error:
            _fail(str(error))
    _report(summary)
    return summary


def _report(summary: CrawlSummary) -> None:
    for shortfall in summary.shortfalls[:MAX_LISTED_FAILURES]:
        typer.echo(f"SHORT {shortfall.line()}", err=True)
    problems = [("FAILED", *f) for f in summary.failed] + [("REFUSED", *r) for r in summary.refused]
    for kind, url, reason in problems[:MAX_LISTED_FAILURES]:
        typer.echo(f"{kind} {url}: {reason}", err=True)
    if len(problems) > MAX_LISTED_FAILURES:
        typer.echo(f"... and {len(problems) - MAX_LISTED_FAILURES} more", err=True)
    typer.echo(summary.line())


def _newest_indexed(settings: Settings, store_dir: Path | None) -> date:
    from ingest.storage import open_store

    try:
        index = open_store(settings, store_dir, read_only=True)
    except OQAError as error:
        _fail(f"{error} Run `python -m ingest crawl --since DATE` and `build` first.")
    try:
        newest = index.records.newest_decision_date()
    finally:
        index.close()
    if newest is None:
        _fail("The index holds no dated decision; run `python -m ingest crawl --since DATE` "
              "and `python -m ingest build --source <out>/pages` first.")
    # Back a while: a decision is published weeks after its date, so one dated before the
    # newest indexed may be new on the site; stored ones are skipped (listing requests only).
    return newest - timedelta(days=settings.update_lookback_days)


def _date_option(name: str, value: str) -> date:
    parsed = parse_date(value)
    if parsed is None:
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD.", param_hint=name)
    return parsed


def _outcomes_option(values: list[str]) -> tuple[Outcome, ...]:
    unknown = [v for v in values if v.lower() not in OUTCOME_CHOICES]
    if unknown:
        raise typer.BadParameter(
            f"{unknown[0]!r} is not an outcome; use {', '.join(OUTCOME_CHOICES)}.",
            param_hint="--outcome",
        )
    return tuple(dict.fromkeys(OUTCOME_CHOICES[v.lower()] for v in values))


def _settings() -> Settings:
    try:
        return get_settings()
    except OQAError as error:  # an OQA_ setting whose value is not valid
        _fail(str(error))


def _fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=2)
