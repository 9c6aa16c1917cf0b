"""Canonical forms of references, dates, outcomes, organisation names and page URLs."""

from __future__ import annotations

import re
from datetime import date, datetime
from urllib.parse import urlsplit, urlunsplit

from ingest.vocabulary.records import Outcome

SITE = "https://www.lgo.org.uk"

# "24 020 817", "24-020-817", "24/020/817", "24.020.817", "24020817", "24 000 542a" (joint
# decisions carry a letter). The look-arounds refuse part of a longer number ("0161-24-020-817",
# "24 020 817 5") and an amount ("£12 500 000"), while still allowing a hyphenated prefix such
# as "decision-24-020-817". Two more rules need the match (see _is_ref).
_REF_SEPARATOR = r"[ \u00a0./-]"
REF_PATTERN = re.compile(
    rf"(?<![\d£$€])(?<![\d£$€]{_REF_SEPARATOR})"
    rf"(\d{{2}}){_REF_SEPARATOR}?(\d{{3}}){_REF_SEPARATOR}?(\d{{3}})([a-z])?"
    rf"(?!\d)(?!{_REF_SEPARATOR}\d)",
    re.IGNORECASE,
)


def canonical_ref(text: str) -> str | None:
    """The first reference in ``text`` in canonical form ``"24 020 817"``, or None."""
    refs = find_refs(text)
    return refs[0] if refs else None


def find_refs(text: str) -> list[str]:
    """Every reference in ``text``, canonical, in order, without repeats."""
    refs = [_format_ref(m) for m in REF_PATTERN.finditer(text) if _is_ref(m)]
    return list(dict.fromkeys(refs))


def _is_ref(match: re.Match[str]) -> bool:
    """A reference writes both separators alike ("24 020-817" is not one), and eight bare
    digits that make a calendar date ("20240315") are that date."""
    first = match.string[match.end(1) : match.start(2)].replace("\u00a0", " ")
    second = match.string[match.end(2) : match.start(3)].replace("\u00a0", " ")
    if first != second:
        return False
    return bool(first) or _compact_date("".join(match.groups("")[:3])) is None


def _compact_date(digits: str) -> date | None:
    """``"20240315"`` as a date (years 1900-2099), else None."""
    if not digits.startswith(("19", "20")):
        return None
    try:
        return datetime.strptime(digits, "%Y%m%d").date()
    except ValueError:
        return None


def _format_ref(match: re.Match[str]) -> str:
    year, mid, end, suffix = match.groups()
    return f"{year} {mid} {end}{(suffix or '').lower()}"


def ref_slug(ref: str) -> str:
    """The URL form of a canonical reference: ``"24-020-817"``."""
    return ref.replace(" ", "-")


_DATE_FORMATS = (
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%Y",
    "%d-%B-%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%Y-%m-%d",
    "%B %d %Y",
    "%b %d %Y",
)


def parse_date(text: str) -> date | None:
    """Dates as decisions write them: ``15 Apr 2025``, ``29 March 2022``, ``09-Aug-2026``."""
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.strip().rstrip("."))
    # "15 April, 2025" and "April 15, 2025" appear in hand-made copies.
    cleaned = " ".join(cleaned.replace(",", " ").split())
    cleaned = cleaned.replace("Sept ", "Sep ").replace("-Sept-", "-Sep-")
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


# Order matters: the first prefix that matches wins, so longer wordings come first.
_OUTCOME_PREFIXES: tuple[tuple[str, Outcome], ...] = (
    ("closed after initial enquiries", Outcome.CLOSED),
    ("not upheld", Outcome.NOT_UPHELD),
    ("upheld", Outcome.UPHELD),
    ("investigation discontinued", Outcome.DISCONTINUED),
    ("discontinued", Outcome.DISCONTINUED),
    ("withdrawn", Outcome.WITHDRAWN),
    ("premature", Outcome.PREMATURE),
    ("advice given", Outcome.ADVICE_GIVEN),
    ("no further action", Outcome.CLOSED),
)


def normalise_outcome(raw: str) -> Outcome:
    """Map any published outcome wording onto the small enum."""
    lowered = " ".join(raw.lower().split())
    for prefix, outcome in _OUTCOME_PREFIXES:
        if lowered.startswith(prefix):
            return outcome
    return Outcome.UNKNOWN


def slugify(text: str) -> str:
    """``"Children's care services"`` → ``"childrens-care-services"``."""
    text = text.lower().replace("&", "and").replace("'", "").replace("’", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


# Names whose case a slug cannot give back (FORMAT.md's category list).
_SLUG_NAMES = {"covid-19": "COVID-19"}


def unslug(slug: str) -> str:
    """A name as the site writes it from its URL slug: ``children-s-care-services`` →
    ``Children's care services`` (sentence case; a lone ``s`` was an apostrophe's)."""
    if slug.lower() in _SLUG_NAMES:
        return _SLUG_NAMES[slug.lower()]
    words = [w for w in slug.lower().split("-") if w]
    name = " ".join(words).replace(" s ", "'s ")
    name = name[:-2] + "'s" if name.endswith(" s") else name
    return name[:1].upper() + name[1:]


def category_in_url(url: str) -> tuple[str, str]:
    """Area and sub-area from a published page's address (``/decisions/<area>/<sub>/<ref>``)."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if len(parts) == 4 and parts[0].lower() == "decisions" and REF_PATTERN.search(parts[3]):
        return unslug(parts[1]), unslug(parts[2])
    return "", ""


def site_slug(text: str) -> str:
    """A category as the site spells it in a page address: ``"Children's care services"`` →
    ``"children-s-care-services"`` (every run of other characters, apostrophes included,
    becomes one hyphen, as published addresses show; ``&`` is written ``and``)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("&", "and")).strip("-")


def decision_url(ref: str, category: str = "", sub_category: str = "", site: str = SITE) -> str:
    """The published page of a decision, derived from its category and reference."""
    parts = [site_slug(p) for p in (category, sub_category) if p]
    return "/".join([site.rstrip("/"), "decisions", *parts, ref_slug(ref)])


def normalise_url(url: str) -> str:
    """One form per page: https, ``www.``, no query string or fragment, no trailing slash."""
    url = url.strip()
    # "lgo.org.uk/decisions/..." without a scheme would otherwise parse as a bare path.
    if "://" not in url and not url.startswith("/"):
        url = "https://" + url
    parts = urlsplit(url)
    host = parts.netloc.lower()
    if host and not host.startswith("www.") and host.count(".") == 2 and host.endswith("org.uk"):
        host = "www." + host
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, "", ""))


def url_host(url: str) -> str:
    """The host (with any port) of ``url`` in normalise_url's form, "" when it names none."""
    return urlsplit(normalise_url(url)).netloc


_ORG_ABBREVIATIONS = {
    r"\bMBC\b": "Metropolitan Borough Council",
    r"\bBC\b": "Borough Council",
    r"\bCC\b": "City Council",
    r"\bDC\b": "District Council",
    r"\bCBC\b": "County Borough Council",
}


def normalise_organisation(name: str) -> str:
    """Expand common abbreviations so name variants of one body merge."""
    name = " ".join(name.split())
    for pattern, full in _ORG_ABBREVIATIONS.items():
        name = re.sub(pattern, full, name, flags=re.IGNORECASE)  # "liverpool cc" typed too
    return name
