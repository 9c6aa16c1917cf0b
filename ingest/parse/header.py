"""The header of a decision: organisation, reference, category, outcome and date.

Three shapes occur in copies of real decisions (FORMAT.md): the page's block
(``Org (24 020 817)``, ``Category : A > B``, ``Decision : X``, ``Decision date : D``),
a one-line copy header (``LGO ... Reference 21-018-238 Sector ... Category ...
Decided 29 March 2022``), or nothing at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.vocabulary.normalise import REF_PATTERN, canonical_ref
from ingest.vocabulary.records import SourceHints

_ORG_REF = re.compile(r"^(?P<org>.+?)\s*\((?P<ref>" + REF_PATTERN.pattern + r")\)$", re.I)
# A public-interest report's title line names the body and the reference.
_REPORT_TITLE = re.compile(
    r"^investigation into a complaint (?:against|about) (?P<org>.+?)\s*"
    r"\((?:reference(?: number)?\s*:?\s*)?(?P<ref>" + REF_PATTERN.pattern + r")\)\.?$",
    re.I,
)
_FIELD = re.compile(
    r"^(?P<key>category|decision date|date of decision|date decided|decided|decision|outcome|"
    r"reference|our ref(?:erence)?|organisation|authority|body complained about)"
    r"\s*[:\-–]\s*(?P<value>\S.*)$",
    re.IGNORECASE,
)
_ONE_LINE_KEYS = re.compile(
    r"\b(Reference|Organisation|Authority|Sector|Category|Decided|Outcome|Decision)\b\s*:?\s*"
)
_ORG_WORDS = re.compile(
    r"\b(Council|Authority|Ltd|Limited|Trust|Panel|Partnership|Board|Commissioner|Care|"
    r"Borough|College|Academy|School|Services?|LLP|plc|Group|Home)\b"
)
_SEPARATORS = " |·•-–:"


@dataclass
class Header:
    """Header fields as found; empty strings where a copy leaves them out."""

    organisation: str = ""
    ref: str = ""
    category: str = ""
    sub_category: str = ""
    outcome_raw: str = ""
    date_raw: str = ""

    def read(self, line: str) -> bool:
        """Take the fields ``line`` carries; False when it is not a header line."""
        return self._org_ref(line) or self._field(line) or self._one_line(line)

    def fill(self, hints: SourceHints) -> None:
        """Take what the text left out from where the copy came from."""
        self.ref = self.ref or canonical_ref(hints.ref) or ""
        self.organisation = self.organisation or hints.organisation
        if hints.category:
            self._set_category(hints.category)
        self.outcome_raw = self.outcome_raw or hints.outcome
        self.date_raw = self.date_raw or hints.date

    def _org_ref(self, line: str) -> bool:
        match = _REPORT_TITLE.match(line) or _ORG_REF.match(line)
        if not match or self.ref:
            return False
        self.organisation = self.organisation or match.group("org").strip(_SEPARATORS)
        self.ref = canonical_ref(match.group("ref")) or ""
        return True

    def _field(self, line: str) -> bool:
        match = _FIELD.match(line)
        if not match:
            return False
        key, value = match.group("key").lower(), match.group("value").strip()
        if key == "category":
            self._set_category(value)
        elif key in ("decision", "outcome"):
            self.outcome_raw = self.outcome_raw or value
        elif "dec" in key or "date" in key:
            self.date_raw = self.date_raw or value
        elif "ref" in key:
            self.ref = self.ref or canonical_ref(value) or ""
        else:
            self.organisation = self.organisation or value
        return True

    def _set_category(self, value: str, sector: str = "") -> None:
        area, sub = _split_category(value)
        if sector and not sub:  # "Sector Housing Category Homelessness"
            area, sub = sector, area
        self.category = self.category or area
        self.sub_category = self.sub_category or sub

    def _one_line(self, line: str) -> bool:
        """``LGO ... Reference 21-018-238 Sector ... Category ... Decided 29 March 2022``."""
        keys = list(_ONE_LINE_KEYS.finditer(line))
        names = {m.group(1) for m in keys}
        if "Reference" not in names or len(names) < 2:
            return False
        values = _one_line_values(line, keys)
        self.ref = self.ref or canonical_ref(values.get("Reference", "")) or ""
        self._set_category(values.get("Category", ""), values.get("Sector", ""))
        self.date_raw = self.date_raw or values.get("Decided", "")
        self.outcome_raw = self.outcome_raw or values.get("Outcome", values.get("Decision", ""))
        org = values.get("Organisation") or values.get("Authority") or _leading_org(line, keys)
        self.organisation = self.organisation or org
        return True


def _split_category(value: str) -> tuple[str, str]:
    area, _, sub = re.sub(r"\s*[>›»]\s*", ">", value).partition(">")
    return area.strip(), sub.strip()


def _one_line_values(line: str, keys: list[re.Match[str]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for match, following in zip(keys, [*keys[1:], None], strict=True):
        end = following.start() if following else len(line)
        value = line[match.end() : end].strip(_SEPARATORS)
        if value:
            values.setdefault(match.group(1), value)
    return values


def _leading_org(line: str, keys: list[re.Match[str]]) -> str:
    # Whatever precedes the first keyword, less the "LGO" tag, when it reads like a body's name.
    lead = line[: keys[0].start()]
    lead = re.sub(r"^(LGO|LGSCO)\b|\(?Local Government ((and|&) Social Care )?Ombudsman\)?",
                  "", lead)
    lead = lead.strip(_SEPARATORS)
    return lead if _ORG_WORDS.search(lead) else ""
