"""Canonical references, dates, outcomes, organisation names and page URLs."""

from __future__ import annotations

import datetime as dt

import pytest

from ingest.vocabulary.normalise import (
    canonical_ref,
    decision_url,
    find_refs,
    normalise_organisation,
    normalise_outcome,
    normalise_url,
    parse_date,
    ref_slug,
    slugify,
)
from ingest.vocabulary.records import Outcome


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24 020 817", "24 020 817"),
        ("24-020-817", "24 020 817"),
        ("24020817", "24 020 817"),
        ("24\u00a0020\u00a0817", "24 020 817"),
        ("Liverpool City Council (24 020 817)", "24 020 817"),
        ("24 000 542a", "24 000 542a"),
        ("(24 000 542A)", "24 000 542a"),
        ("https://www.lgo.org.uk/decisions/x/y/24-020-817?displaypref=1", "24 020 817"),
        ("24-020-817.txt", "24 020 817"),
        ("decision-24-020-817.txt", "24 020 817"),
        ("21-018-238 Sector Housing", "21 018 238"),
    ],
)
def test_canonical_ref(text: str, expected: str) -> None:
    assert canonical_ref(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "no reference here",
        "24 020 81",  # too short
        "0161-24-020-817",  # the tail of a longer number
        "0161 24 020 817",
        "2024-020-817",
        "£23,250 and £14,250",
        "000_cf596154ab029a04.txt",  # the seed's file name holds no reference
    ],
)
def test_no_ref(text: str) -> None:
    assert canonical_ref(text) is None


def test_find_refs_in_order_without_repeats() -> None:
    text = "See 21-018-238, then 24 020 817 and again 21018238."
    assert find_refs(text) == ["21 018 238", "24 020 817"]


def test_ref_slug() -> None:
    assert ref_slug("24 020 817") == "24-020-817"
    assert ref_slug("24 000 542a") == "24-000-542a"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 Apr 2025", dt.date(2025, 4, 15)),
        ("29 March 2022", dt.date(2022, 3, 29)),
        ("09-Aug-2026", dt.date(2026, 8, 9)),
        ("1 Sept 2021", dt.date(2021, 9, 1)),
        ("1st September 2021", dt.date(2021, 9, 1)),
        ("15 April, 2025", dt.date(2025, 4, 15)),
        ("April 15, 2025", dt.date(2025, 4, 15)),
        ("15/04/2025", dt.date(2025, 4, 15)),
        ("2025-04-15", dt.date(2025, 4, 15)),
        (" 15 Apr 2025. ", dt.date(2025, 4, 15)),
        ("not a date", None),
        ("31 Feb 2025", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Upheld", Outcome.UPHELD),
        ("Not upheld", Outcome.NOT_UPHELD),
        ("Closed after initial enquiries", Outcome.CLOSED),
        ("Upheld: maladministration and injustice", Outcome.UPHELD),
        ("Upheld: maladministration, no injustice", Outcome.UPHELD),
        ("Not upheld: no maladministration", Outcome.NOT_UPHELD),
        ("Investigation discontinued", Outcome.DISCONTINUED),
        ("Withdrawn", Outcome.WITHDRAWN),
        ("Premature decision - advice given", Outcome.PREMATURE),
        ("Advice given", Outcome.ADVICE_GIVEN),
        ("  CLOSED   AFTER initial enquiries ", Outcome.CLOSED),
        ("Something new", Outcome.UNKNOWN),
        ("", Outcome.UNKNOWN),
    ],
)
def test_normalise_outcome(raw: str, expected: Outcome) -> None:
    assert normalise_outcome(raw) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Children's care services", "childrens-care-services"),
        ("Children’s care services", "childrens-care-services"),
        ("Environmental services & public protection & regulation",
         "environmental-services-and-public-protection-and-regulation"),
        ("Benefits and tax", "benefits-and-tax"),
        ("COVID-19", "covid-19"),
    ],
)
def test_slugify(text: str, expected: str) -> None:
    assert slugify(text) == expected


def test_decision_url() -> None:
    # As published: https://www.lgo.org.uk/decisions/children-s-care-services/child-protection/...
    assert decision_url("24 020 817", "Children’s care services", "Child protection") == (
        "https://www.lgo.org.uk/decisions/children-s-care-services/child-protection/24-020-817"
    )
    assert decision_url("21 006 516", "Benefits and tax", "COVID-19").endswith(
        "/benefits-and-tax/covid-19/21-006-516")
    assert decision_url("24 020 817") == "https://www.lgo.org.uk/decisions/24-020-817"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.lgo.org.uk/decisions/housing/allocations/19-007-429",
        "http://www.lgo.org.uk/decisions/housing/allocations/19-007-429",
        "https://lgo.org.uk/decisions/housing/allocations/19-007-429",
        "https://www.lgo.org.uk/decisions/housing/allocations/19-007-429/",
        "https://www.lgo.org.uk/decisions/housing/allocations/19-007-429?displaypref=0",
        "https://WWW.LGO.ORG.UK/decisions/housing/allocations/19-007-429#top",
        "  lgo.org.uk/decisions/housing/allocations/19-007-429 ",
    ],
)
def test_normalise_url_one_form_per_page(url: str) -> None:
    assert normalise_url(url) == "https://www.lgo.org.uk/decisions/housing/allocations/19-007-429"


def test_normalise_url_leaves_other_hosts_alone() -> None:
    assert normalise_url("http://example.org/a/?q=1") == "https://example.org/a"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Liverpool City Council", "Liverpool City Council"),
        ("Liverpool  CC", "Liverpool City Council"),
        ("Harrowdene MBC", "Harrowdene Metropolitan Borough Council"),
        ("Northmoor BC", "Northmoor Borough Council"),
        ("Ravensholme DC", "Ravensholme District Council"),
        ("Millbeck CBC", "Millbeck County Borough Council"),
        ("Fernbridge Care Ltd", "Fernbridge Care Ltd"),
    ],
)
def test_normalise_organisation(name: str, expected: str) -> None:
    assert normalise_organisation(name) == expected
