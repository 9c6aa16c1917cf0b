"""Search-results pages of the decisions site: their URLs, their result count and their entries.

The site lists decisions through one endpoint, ``GET /Decisions/SearchResults``
(the search form at ``/decisionsnew/newsearchpost`` redirects there), ten
entries a page under a line "Your search has N results". An entry is a link
``Organisation (24 020 817)`` to the decision page, then a line such as
``Statement Closed after initial enquiries Parking and other penalties
09-Aug-2026``, then the summary. The markup around them changes from time to
time, so entries are found by what they say, not by CSS classes: a link whose
path ends in a reference, and the first date in the text that follows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from ingest.vocabulary.normalise import canonical_ref, parse_date
from ingest.vocabulary.records import DocumentType, Outcome

# The published endpoint and its query parameters; kept together so a site change is one edit.
SEARCH_PATH = "/Decisions/SearchResults"
PARAM_FROM = "fd"  # decision date from, YYYY-MM-DD
PARAM_TO = "td"  # decision date to, YYYY-MM-DD
PARAM_PAGE = "page"  # 1-based
PARAM_ORGANISATION = "aname"
PARAM_CODES = "dc"  # outcome codes, each followed by "+": "c+nu+u+"
PARAM_SORT = "sortOrder"
SORT_NEWEST = "descending"
RESULTS_PER_PAGE = 10
# The form's outcome codes: closed after initial enquiries, not upheld, upheld.
OUTCOME_CODES = {Outcome.CLOSED: "c", Outcome.NOT_UPHELD: "nu", Outcome.UPHELD: "u"}

_RESULT_COUNT = re.compile(r"Your search has\s+([\d,]+)\s+results?\b", re.IGNORECASE)
_REF_SEGMENT = re.compile(r"^\d{2}-?\d{3}-?\d{3}[a-z]?$", re.IGNORECASE)
_LISTED_DATE = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?[- /](?:[A-Z][a-z]{2,8}|\d{1,2})[- /]\d{4}\b"
)
_TRAILING_REF = re.compile(r"\s*\(\s*\d{2}[ -]?\d{3}[ -]?\d{3}[a-z]?\s*\)\s*$", re.IGNORECASE)
# Sibling elements read after an entry's heading when the entry has no wrapper of its own.
_MAX_FOLLOWING = 6


@dataclass(frozen=True)
class ListingEntry:
    """One decision as a listing shows it."""

    url: str
    ref: str
    organisation: str
    date: date | None
    status: str  # the listing's line without its date, e.g. "Statement Upheld Housing"

    @property
    def document_type(self) -> DocumentType | None:
        """``Statement``, or ``Report`` for a public-interest report: the line's first word."""
        first = self.status.split(" ", 1)[0].lower()
        return DocumentType(first) if first in {t.value for t in DocumentType} else None


@dataclass(frozen=True)
class SearchQuery:
    """One window of the results endpoint: decision dates, organisation, outcome codes."""

    since: date
    until: date
    organisation: str = ""
    outcomes: tuple[Outcome, ...] = ()

    def url(self, base_url: str, page: int) -> str:
        """A results page exactly as the published form asks for it, parameter order included."""
        query = [
            (PARAM_FROM, self.since.isoformat()),
            (PARAM_TO, self.until.isoformat()),
            (PARAM_PAGE, str(page)),
        ]
        if self.organisation:
            query.append((PARAM_ORGANISATION, self.organisation))
        if self.outcomes:
            # "c nu u " is urlencoded as the form's "c+nu+u+".
            codes = [code for outcome, code in OUTCOME_CODES.items() if outcome in self.outcomes]
            query.append((PARAM_CODES, "".join(f"{code} " for code in codes)))
        query.append((PARAM_SORT, SORT_NEWEST))
        return f"{base_url.rstrip('/')}{SEARCH_PATH}?{urlencode(query)}"


@dataclass(frozen=True)
class ResultsPage:
    """A results page: the count it announces (None if it does not) and its entries."""

    count: int | None
    entries: list[ListingEntry]


def parse_results(html: str, page_url: str) -> ResultsPage:
    """The announced result count and the decision entries, in page order, no repeats."""
    soup = BeautifulSoup(html, "html.parser")
    match = _RESULT_COUNT.search(" ".join(soup.get_text(" ").split()))
    count = int(match.group(1).replace(",", "")) if match else None
    root = soup.find("main") or soup.body or soup
    # Side panels ("recent decisions") also link to decisions but are not this listing.
    for aside in root.find_all(["aside", "nav", "header", "footer"]):
        aside.decompose()
    links = [a for a in root.find_all("a", href=True) if _decision_ref(a, page_url)]
    entries: dict[str, ListingEntry] = {}
    for link in links:
        entry = _entry(link, page_url)
        entries.setdefault(entry.ref, entry)
    return ResultsPage(count, list(entries.values()))


def parse_listing(html: str, page_url: str) -> list[ListingEntry]:
    """The decision entries of a results page, in page order, no repeats."""
    return parse_results(html, page_url).entries


def area_of(url: str) -> str | None:
    """The area slug in a decision URL (``/decisions/<area>/...``)."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if len(parts) >= 3 and parts[0].lower() == "decisions":
        return parts[1].lower()
    return None


def _decision_ref(link: Tag, page_url: str) -> str | None:
    path = urlsplit(urljoin(page_url, str(link["href"]))).path.rstrip("/")
    head, _, last = path.rpartition("/")
    if "/decisions" not in head.lower() or not _REF_SEGMENT.match(last):
        return None
    return canonical_ref(last)


def _entry(link: Tag, page_url: str) -> ListingEntry:
    ref = _decision_ref(link, page_url)
    assert ref is not None  # only decision links reach here
    title = " ".join(link.get_text(" ").split())
    after = _text_after(link, title)
    match = _LISTED_DATE.search(after)
    listed = parse_date(match.group(0)) if match else None
    status = after[: match.start()] if match else after.split(".")[0]
    return ListingEntry(
        url=urljoin(page_url, str(link["href"])).split("#")[0],
        ref=ref,
        organisation=_TRAILING_REF.sub("", title),
        date=listed,
        status=" ".join(status.split())[:200],
    )


def _text_after(link: Tag, title: str) -> str:
    """The entry's text after its title: from the link's own wrapper, else its next siblings."""
    box = _entry_box(link)
    text = " ".join(box.get_text(" ").split())
    if not _LISTED_DATE.search(text.partition(title)[2]):
        text += " " + _following_text(box)
    return text.partition(title)[2] if title in text else text


def _entry_box(link: Tag) -> Tag:
    """The largest ancestor of ``link`` that holds no other decision link."""
    box = link
    while isinstance(box.parent, Tag) and box.parent.name not in ("main", "body", "[document]"):
        hrefs = {a["href"] for a in box.parent.find_all("a", href=True) if _looks_like_decision(a)}
        if len(hrefs) > 1:
            break
        box = box.parent
    return box


def _following_text(box: Tag) -> str:
    parts: list[str] = []
    for sibling in box.find_next_siblings(limit=_MAX_FOLLOWING):
        if any(_looks_like_decision(a) for a in sibling.find_all("a", href=True)):
            break
        parts.append(" ".join(sibling.get_text(" ").split()))
    return " ".join(parts)


def _looks_like_decision(link: Tag) -> bool:
    last = str(link["href"]).split("?")[0].split("#")[0].rstrip("/").rpartition("/")[2]
    return bool(_REF_SEGMENT.match(last))
