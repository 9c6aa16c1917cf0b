"""The full-archive path at scale: crawl, resume, update and parse a 60,000-decision site.

    python bench/crawl_scale.py [--decisions 60000] [--interrupt-at 0.4] [--new 25]
                                [--workdir DIR] [--gpu-rate 1893] [--no-embed]

A FICTIONAL site laid out as the published one (``tests/sitekit.py``: month
windows of ``/Decisions/SearchResults``, ten entries a page, decision pages
with ``<article id="article">`` and label/value headers) is generated with
``--decisions`` decisions spread over April 2016 to August 2026 and served from
a second process on 127.0.0.1 with no delay. Then:

1. a full crawl (``since`` 2016-04-01) is stopped after ``--interrupt-at`` of the
   decisions, and run again: it must resume in the month it was in, skip the
   months it finished and fetch every remaining page once;
2. ``--new`` decisions are published, dated from ten days before the newest
   decision to ten days after it (late publications included), and the crawl
   ``update`` runs (from the newest stored decision date less
   ``OQA_UPDATE_LOOKBACK_DAYS``, as ``ingest update`` does from the index's)
   must fetch exactly those;
3. every stored page is parsed as ``ingest build`` reads it (``read_source`` +
   ``parse_decision``);
4. the embedding time is estimated from the chunks per decision of the
   benchmark corpus (``bench/common.py``) and the model's raw encode rate on
   those chunks on this machine (``bench/ingest.py``'s ``chunk_texts``), and on
   a GPU from ``--gpu-rate`` (passages/s; docs/performance.md's figure from
   ``bench/embed_device.py``);
5. the real site's crawl time is estimated at the polite default delay.

Prints the figures; asserts only that resume and update fetched what they should.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from sitekit import Catalogue, Entry, FixtureSite  # noqa: E402

from bench.common import machine_line, make_corpus, table  # noqa: E402
from ingest.crawl.crawler import CrawlOptions, CrawlSummary, crawl  # noqa: E402
from ingest.crawl.listing import RESULTS_PER_PAGE  # noqa: E402
from ingest.parse.decision import parse_decision  # noqa: E402
from ingest.parse.sources import read_source  # noqa: E402
from ingest.vocabulary.errors import SourceError  # noqa: E402
from ingest.vocabulary.normalise import slugify  # noqa: E402
from ingest.vocabulary.settings import Settings  # noqa: E402

FIRST_DAY = date(2016, 4, 1)
LAST_DAY = date(2026, 8, 31)
REAL_ARCHIVE = 57_500  # decisions published since 2016 (issue 16)
REAL_MONTHS = 125  # April 2016 to August 2026
ORGANISATIONS = [
    f"{place} {kind}"
    for place in ("Northmoor", "Eastwick", "Saltmarsh", "Brackenfield", "Harrowdene", "Millbeck",
                  "Ravensholme", "Kestrel Vale", "Westerleigh", "Greyhaven", "Wexcombe", "Ashgrove")
    for kind in ("Borough Council", "County Council", "District Council")
]
AREAS = {
    "Highways and transport": ("Parking and other penalties", "Highway maintenance"),
    "Housing": ("Homelessness", "Allocations"),
    "Education": ("School transport", "Special educational needs"),
    "Adult care services": ("Charging", "Residential care"),
    "Benefits and tax": ("Council tax", "Housing benefit and council tax benefit"),
}
OUTCOMES = ("Closed after initial enquiries", "Upheld", "Not upheld")


@dataclass(frozen=True)
class Generated:
    """One generated decision: its results entry and what its page shows."""

    entry: Entry
    area: str


def generate(count: int, first_ref: int = 0, since: date = FIRST_DAY,
             until: date = LAST_DAY) -> list[Generated]:
    """``count`` FICTIONAL decisions spread evenly over the days of ``since``..``until``."""
    days = (until - since).days + 1
    areas = list(AREAS.items())
    made = []
    for i in range(count):
        n = first_ref + i
        decided = since + timedelta(days=i * days // count)
        area, subs = areas[n % len(areas)]
        sub = subs[n // len(areas) % len(subs)]
        ref = f"{decided:%y} {100 + n // 1000:03d} {n % 1000:03d}"
        organisation = ORGANISATIONS[n % len(ORGANISATIONS)]
        entry = Entry(
            path=f"/decisions/{slugify(area)}/{slugify(sub)}/{ref.replace(' ', '-')}",
            title=f"{organisation} ({ref})",
            type="Report" if n % 97 == 0 else "Statement",
            outcome=OUTCOMES[n % len(OUTCOMES)],
            sub_area=sub,
            date=decided,
            summary=f"FICTIONAL decision {n}: we will not investigate Mr X's complaint about "
                    f"{sub.lower()} because he could appeal to a tribunal.",
        )
        made.append(Generated(entry, area))
    return made


def decision_page(areas: dict[str, str]) -> Callable[[Entry], bytes]:
    """A page as the site serves it (~3 KB of text, a closed-after-initial-enquiries size)."""

    def page(entry: Entry) -> bytes:
        area = areas[entry.path]
        paragraphs = "".join(
            f"<li>FICTIONAL paragraph {k} of {entry.title}: the Council considered Mr X's "
            f"complaint about {entry.sub_area.lower()} and replied within its published "
            "timescales, giving reasons for its decision and explaining his right of appeal.</li>"
            for k in range(1, 4)
        )
        body = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Decision</title>'
            '</head><body><nav><a href="/">Home</a></nav><main><article id="article">'
            '<div class="decision-header">'
            f'<div><span class="label">Category</span><span class="value">{area} &gt; '
            f"{entry.sub_area}</span></div>"
            f'<div><span class="label">Decision</span><span class="value">{entry.outcome}'
            "</span></div>"
            f'<div><span class="label">Decision date</span><span class="value">'
            f"{entry.date:%d %b %Y}</span></div></div>"
            "<h2>The Ombudsman's final decision:</h2>"
            f"<p>Summary: {entry.summary}</p>"
            f"<h2>The complaint</h2><ol>{paragraphs}</ol>"
            f"<h2>My assessment</h2><ol start='4'>{paragraphs}</ol>"
            "<h2>Final decision</h2><ol start='7'><li>We will not investigate this complaint."
            "</li></ol><p>Investigator's decision on behalf of the Ombudsman</p>"
            "</article></main></body></html>"
        )
        return body.encode()

    return page


def serve(count: int, pipe: Connection) -> None:
    """The site, in its own process: sends its URL, then publishes batches it is sent."""
    made = generate(count)
    areas = {g.entry.path: g.area for g in made}
    catalogue = Catalogue([g.entry for g in made])
    with FixtureSite(None, catalogue=catalogue, decision_page=decision_page(areas)) as site:
        pipe.send(site.url)
        while (message := pipe.recv()) is not None:
            new = generate(message, first_ref=count, since=date(2026, 8, 20),
                           until=date(2026, 9, 10))
            areas.update({g.entry.path: g.area for g in new})
            catalogue.add([g.entry for g in new])
            pipe.send(len(new))


class Interrupted(Exception):
    pass


def run_crawl(url: str, out: Path, since: date, until: date,
              stop_at: int | None = None) -> tuple[CrawlSummary, float, float]:
    """(summary, wall seconds, this process's CPU seconds); stopped after ``stop_at``."""
    summary_box: list[CrawlSummary] = []
    settings = Settings(crawl_base_url=url, crawl_delay_s=0, crawl_contact="bench@example.org")

    def progress(done: int, found: int) -> None:
        if stop_at is not None and done >= stop_at:
            raise Interrupted

    wall, cpu = time.perf_counter(), time.process_time()
    try:
        summary_box.append(crawl(CrawlOptions(since=since, until=until, out_dir=out),
                                 settings, progress))
    except Interrupted:
        summary_box.append(CrawlSummary())
    return summary_box[0], time.perf_counter() - wall, time.process_time() - cpu


def stored_count(out: Path) -> int:
    return sum(1 for _ in (out / "pages").glob("*.meta.json"))


def newest_stored_date(out: Path) -> date:
    import json

    dates = [json.loads(p.read_text("utf-8"))["listing_date"]
             for p in (out / "pages").glob("*.meta.json")]
    return date.fromisoformat(max(d for d in dates if d))


def parse_all(pages: Path) -> tuple[int, int, Counter[str], float]:
    """(parsed, failed, document types, seconds) over every stored page."""
    parsed = failed = 0
    kinds: Counter[str] = Counter()
    started = time.perf_counter()
    for html in pages.glob("*.html"):
        try:
            decision = parse_decision(read_source(html, pages))
        except SourceError:
            failed += 1
            continue
        parsed += 1
        kinds[decision.document_type.value] += 1
    return parsed, failed, kinds, time.perf_counter() - started


def embed_rate(workdir: Path) -> tuple[float, float]:
    """(chunks per decision, raw encode chunks/s) on the benchmark corpus, as bench/ingest.py
    measures it: the pipeline's own chunk texts through ``Embedder.embed`` in one call."""
    from bench.ingest import chunk_texts, timed_load

    settings = Settings(store_dir=workdir / "unused-store")
    corpus = make_corpus(workdir / "corpus")
    embedder, _ = timed_load(settings)
    texts = chunk_texts(corpus, settings, embedder)
    decisions = sum(1 for p in corpus.rglob("*") if p.is_file())
    started = time.perf_counter()
    embedder.embed(texts)
    return len(texts) / decisions, len(texts) / (time.perf_counter() - started)


def hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.1f} min"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decisions", type=int, default=60_000)
    parser.add_argument("--interrupt-at", type=float, default=0.4)
    parser.add_argument("--new", type=int, default=25, help="decisions published for update")
    parser.add_argument("--workdir", type=Path, help="folder for the crawl (default: temp)")
    parser.add_argument("--gpu-rate", type=float, default=1893.0,
                        help="GPU passages/s (bench/embed_device.py on an H100)")
    parser.add_argument("--no-embed", action="store_true", help="skip the encode-rate measure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        workdir = args.workdir or Path(temp)
        workdir.mkdir(parents=True, exist_ok=True)
        return run(args, workdir)


def run(args: argparse.Namespace, workdir: Path) -> int:
    print(machine_line())
    mine, theirs = multiprocessing.get_context("fork").Pipe()
    server = multiprocessing.get_context("fork").Process(
        target=serve, args=(args.decisions, theirs), daemon=True)
    started = time.perf_counter()
    server.start()
    url = mine.recv()
    print(f"site: {args.decisions:,} FICTIONAL decisions, {FIRST_DAY:%b %Y}-{LAST_DAY:%b %Y}, "
          f"up in {time.perf_counter() - started:.1f} s at {url}")
    out = workdir / "crawl"
    try:
        figures = crawl_figures(args, url, out, mine)
    finally:
        mine.send(None)
        server.join(timeout=10)
    parsed, failed, kinds, parse_s = parse_all(out / "pages")
    print(f"parse: {parsed:,} pages in {parse_s:.1f} s ({parsed / parse_s:.0f}/s), "
          f"{failed} failed, types {dict(kinds)}")
    estimates(args, figures, parse_s / max(parsed, 1), workdir)
    return 0


@dataclass
class CrawlFigures:
    wall_s: float
    cpu_s: float
    requests: int
    listing_pages: int
    decisions: int


def crawl_figures(args: argparse.Namespace, url: str, out: Path, pipe: Connection) -> CrawlFigures:
    stop = int(args.decisions * args.interrupt_at)
    first, wall1, cpu1 = run_crawl(url, out, FIRST_DAY, LAST_DAY, stop_at=stop)
    after_first = stored_count(out)
    second, wall2, cpu2 = run_crawl(url, out, FIRST_DAY, LAST_DAY)
    total = stored_count(out)
    rows = [
        ["interrupted run", f"{after_first:,}", "-", "-", f"{wall1:.1f}"],
        ["resumed run", f"{second.fetched:,}", f"{second.months_resumed}/{second.months}",
         f"{second.listing_pages:,}", f"{wall2:.1f}"],
    ]
    ok = total == args.decisions and second.fetched == args.decisions - after_first
    ok = ok and second.skipped <= RESULTS_PER_PAGE and not second.failed
    pipe.send(args.new)
    published = pipe.recv()
    since = newest_stored_date(out) - timedelta(days=Settings().update_lookback_days)
    update, wall3, _ = run_crawl(url, out, since, date(2026, 9, 30))
    rows.append(["update (newest stored date - look-back)", f"{update.fetched:,}",
                 f"{update.months} months", f"{update.listing_pages}", f"{wall3:.1f}"])
    print(table(["crawl", "pages fetched", "months resumed", "listing pages", "seconds"], rows))
    print(f"resume: {after_first:,} stored before the stop, {second.fetched:,} after, "
          f"{second.skipped} listed again but already stored; stored {total:,} of "
          f"{args.decisions:,}: {'OK' if ok else 'WRONG'}")
    print(f"update: {published} published since {since}, {update.fetched} fetched, "
          f"{update.skipped} already stored, {update.requests} requests: "
          f"{'OK' if update.fetched == published else 'WRONG'}")
    requests = second.requests + (first.requests or 0)
    wall, cpu = wall1 + wall2, cpu1 + cpu2
    print(f"full crawl: {total:,} pages in {wall:.0f} s = {total / wall:.0f} decisions/s "
          f"({cpu / total * 1000:.1f} ms crawler CPU a decision, "
          f"{second.listing_pages + args.decisions * args.interrupt_at / RESULTS_PER_PAGE:,.0f} "
          "listing pages in all)")
    if second.shortfalls:
        print(f"shortfalls: {[s.line() for s in second.shortfalls[:5]]}")
    return CrawlFigures(wall, cpu, requests, second.listing_pages, total)


def estimates(args: argparse.Namespace, crawl_run: CrawlFigures, parse_each_s: float,
              workdir: Path) -> None:
    listing = REAL_ARCHIVE / RESULTS_PER_PAGE + REAL_MONTHS / 2  # half a page of slack a month
    requests = REAL_ARCHIVE + listing + 1
    delay = Settings().crawl_delay_s
    local_each = crawl_run.wall_s / crawl_run.decisions
    rows = [
        [f"{REAL_ARCHIVE:,} decisions, server {latency:.1f} s",
         f"{requests:,.0f}", hours(requests * (delay + latency) + REAL_ARCHIVE * local_each)]
        for latency in (0.2, 0.5)
    ]
    print(f"\nreal site at the default {delay:.0f} s delay (+ the server's response time + this "
          f"crawler's own {local_each * 1000:.0f} ms a decision, measured above):")
    print(table(["archive", "requests", "crawl time"], rows))
    print(f"parse of the real archive at the rate above: {hours(REAL_ARCHIVE * parse_each_s)}")
    if args.no_embed:
        return
    per_decision, cpu_rate = embed_rate(workdir)
    chunks = REAL_ARCHIVE * per_decision
    print(f"\nembedding ({per_decision:.1f} chunks a decision in the benchmark corpus: "
          f"{chunks:,.0f} chunks for the real archive):")
    print(table(["device", "chunks/s", "embedding time"], [
        ["this machine's CPU (raw encode, measured now)", f"{cpu_rate:.0f}",
         hours(chunks / cpu_rate)],
        ["GPU (--gpu-rate)", f"{args.gpu_rate:.0f}", hours(chunks / args.gpu_rate)],
    ]))
    print("single runs on a shared machine: treat the rates as within a factor of ~1.5")


if __name__ == "__main__":
    raise SystemExit(main())
