"""The crawler's output folder: raw pages, their sidecars, readable text, resume state.

Layout under ``out``::

    pages/<YY-NNN-NNN>.html        the page exactly as served (the ingest source)
    pages/<YY-NNN-NNN>.meta.json   {"url", "ref", "fetched_at", "listing_date", "status", ...}
    text/<YY-NNN-NNN>.txt          html_to_text output, for people to read
    crawl-state.json               months finished and the last results page done, per crawl

Every file is written to a temporary name and renamed into place, and the
sidecar is written last: a page counts as stored only once its sidecar exists,
so a crawl killed mid-write leaves nothing that looks complete.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ingest.parse.sources import SIDECAR_SUFFIX
from ingest.vocabulary.normalise import ref_slug

STATE_FILE = "crawl-state.json"


@dataclass(frozen=True)
class MonthProgress:
    """How far a crawl got through one month's results pages."""

    page: int = 0  # the last results page finished; 0: not started
    announced: int | None = None  # "Your search has N results" on its first page
    listed: int = 0  # entries the finished pages listed


@dataclass(frozen=True)
class StoredPage:
    """What the crawler keeps about one fetched decision page."""

    ref: str
    url: str
    html: bytes
    text: str
    fetched_at: str
    listing_date: date | None
    status: str
    organisation: str


class PageStore:
    """Read and write the crawl output folder."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.pages_dir = out_dir / "pages"
        self.text_dir = out_dir / "text"

    def html_path(self, ref: str) -> Path:
        return self.pages_dir / f"{ref_slug(ref)}.html"

    def meta_path(self, ref: str) -> Path:
        return self.pages_dir / f"{ref_slug(ref)}{SIDECAR_SUFFIX}"

    def has(self, ref: str) -> bool:
        return self.meta_path(ref).is_file() and self.html_path(ref).is_file()

    def save(self, page: StoredPage) -> None:
        self.pages_dir.mkdir(parents=True, exist_ok=True)
        self.text_dir.mkdir(parents=True, exist_ok=True)
        slug = ref_slug(page.ref)
        write_atomic(self.html_path(page.ref), page.html)
        write_atomic(self.text_dir / f"{slug}.txt", page.text.encode("utf-8"))
        write_atomic(self.meta_path(page.ref), _json_bytes(_meta(page)))

    def stored_refs(self) -> list[str]:
        return sorted(p.name.removesuffix(SIDECAR_SUFFIX) for p in self.pages_dir.glob(
            f"*{SIDECAR_SUFFIX}"))

    # --- resume state ----------------------------------------------------
    # One entry per crawl (window and filters): the months it finished and, for a month it
    # was in when stopped, the last results page done with what the pages had said so far.
    def month_done(self, crawl: str, month: str) -> bool:
        return month in self._state().get(crawl, {}).get("done", [])

    def month_progress(self, crawl: str, month: str) -> MonthProgress:
        saved = self._state().get(crawl, {}).get("partial", {}).get(month)
        if not isinstance(saved, dict):
            return MonthProgress()
        return MonthProgress(int(saved.get("page", 0)), saved.get("announced"),
                             int(saved.get("listed", 0)))

    def save_month_progress(self, crawl: str, month: str, progress: MonthProgress) -> None:
        state = self._state()
        entry = state.setdefault(crawl, {})
        entry.setdefault("partial", {})[month] = asdict(progress)
        self._write_state(state)

    def mark_month_done(self, crawl: str, month: str) -> None:
        state = self._state()
        entry = state.setdefault(crawl, {})
        entry.get("partial", {}).pop(month, None)
        entry["done"] = sorted({*entry.get("done", []), month})
        self._write_state(state)

    def forget_crawl(self, crawl: str) -> None:
        """A crawl that reached its end walks every month again next time."""
        state = self._state()
        if state.pop(crawl, None) is not None:
            self._write_state(state)

    def _state(self) -> dict[str, Any]:
        try:
            state = json.loads((self.out_dir / STATE_FILE).read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def _write_state(self, state: dict[str, Any]) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(self.out_dir / STATE_FILE, _json_bytes(state))


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` so that ``path`` is either the old file or the whole new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _meta(page: StoredPage) -> dict[str, Any]:
    return {
        "url": page.url,
        "ref": page.ref,
        "fetched_at": page.fetched_at,
        "listing_date": page.listing_date.isoformat() if page.listing_date else None,
        "status": page.status,
        "organisation": page.organisation,
    }


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
