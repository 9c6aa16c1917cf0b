"""Query understanding: a question → QueryPlan (hard filters, soft hints, intent).

Hard filters are applied only where a mistake is unlikely: a decision reference,
an organisation named by its distinctive word(s), a year or date range, and an
outcome asked for by name ("upheld cases"). Areas and reasons are soft hints
that boost matching decisions, because lay wording ("bins", "too long ago") is
too loose to exclude everything else on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rapidfuzz import fuzz

from ingest.normalise import find_refs
from ingest.records import Outcome, Reason
from ingest.store import DecisionFilter
from retrieval.types import Intent, QueryPlan


@dataclass(frozen=True)
class Vocabulary:
    """Names known to the index, to recognise in questions."""

    organisations: tuple[str, ...] = ()
    sub_categories: tuple[str, ...] = ()


_GENERIC_ORG_WORDS = frozenset(
    "the of and council city borough district county metropolitan mbc bc cc dc ltd limited "
    "care home homes services combined authority panel admission appeal academy school trust "
    "london royal fire rescue police crime commissioner national park".split()
)

_REFUSED = (
    r"won'?t|wouldn'?t|will not|would not|didn'?t|did not|can'?t|cannot|could not|couldn'?t|"
    r"refus\w*|declin\w*|reject\w*|turn\w* (?:me |it )?(?:down|away)"
)
# The refusal must be the Ombudsman's: "why won't they look", "the ombudsman refused to
# investigate", not "the council didn't reply" (which is a question about the complaint).
_WHY_NOT = re.compile(
    rf"\bwhy\b[^?.]{{0,60}}?\b(?:{_REFUSED}|not (?:be )?investigat\w*|not look\w*)\b"
    rf"|\b(?:ombudsman|they|lgo|lgsco|you)\b[^?.]{{0,30}}?\b(?:{_REFUSED})\b[^?.]{{0,30}}?"
    r"\b(?:look|investigat\w*|consider|help|take|deal)"
    r"|\bnot (?:be )?investigat\w*|\bno investigation\b|\binstead of (?:looking|investigating)"
    r"|\b(?:too (?:late|old|long ago)|left it too)\b|\bwhy not\b",
    re.IGNORECASE,
)
# Questions about what was found or agreed are not why-not questions, whatever verbs they use.
_OUTCOME_QUESTION = re.compile(
    r"\bdid the ombudsman (?:find|uphold|decide)|\bat fault\b|\bhow much\b|"
    r"\bwhat did\b[^?]{0,40}\b(?:agree|pay|offer|do)\b",
    re.IGNORECASE,
)
# The frame of a why-not question says nothing about the case; left in, it pulls the dense
# search towards every decision's standard paragraphs.
_QUESTION_FRAME = re.compile(
    r"^\s*(?:why|how come)\b[^?]*?\b(?:look at|looking at|look into|investigate|consider|"
    r"deal with|help (?:me )?with|take on)\s+(?:(?:my|our|the|a|his|her|their)\s+)?"
    r"(?:\w+['’]s\s+)?(?:complaint|case)?\s*(?:about|over|regarding|concerning|on|against)?\s*",
    re.IGNORECASE,
)
_STATS = re.compile(
    r"\b(how often|how many|how much of|how frequently|how likely|what (?:share|percentage|"
    r"proportion|fraction|number)|(?:uphold|upheld|success) rate|percentage of|share of)\b",
    re.IGNORECASE,
)
_SIMILAR = re.compile(
    r"\b(similar|like (?:mine|this|that|my)|same (?:situation|thing|as)|comparable|"
    r"other (?:cases|decisions|complaints) like|cases like)\b",
    re.IGNORECASE,
)

# Lay words → the sub-category they usually mean.
_AREA_WORDS: dict[str, str] = {
    r"bins?|rubbish|recycling|refuse": "Refuse and recycling",
    r"pot ?holes?|pavement|trip(?:ped)?": "Highway maintenance",
    r"parking (?:ticket|fine)|pcn|penalty charge": "Parking and other penalties",
    r"blue badge|disabled badge": "Blue badges",
    r"care home|nursing home": "Residential care",
    r"home care|carers? (?:visit|came)": "Domiciliary care",
    r"ehc ?p|ehc plan|send|special needs|sen\b": "Special educational needs",
    r"school (?:bus|transport|taxi)|bus pass": "School transport",
    r"school (?:place|admission)s?": "School admissions",
    r"homeless\w*|bed and breakfast|b&b": "Homelessness",
    r"extension|planning permission|neighbou?r'?s? (?:build|extension)": "Planning applications",
    r"council tax": "Council tax",
    r"housing benefit": "Housing benefit and council tax benefit",
    r"noise|noisy|loud music": "Noise",
    r"social workers?|child protection": "Child protection",
    r"data (?:breach|protection)|my (?:data|information|records)": "Data protection",
    r"trees?|tpo": "Trees",
}

_REASON_WORDS: dict[str, Reason] = {
    r"too (?:late|long ago|old)|out of time|12 months|twelve months|years ago|"
    r"left it (?:too )?(?:long|late)": Reason.LATE,
    r"appeal\w*|tribunal": Reason.ALTERNATIVE_REMEDY_APPEAL,
    r"court|sue|legal action|insurer": Reason.ALTERNATIVE_REMEDY_COURT,
    r"\bico\b|information commissioner|housing ombudsman|better placed": (
        Reason.OTHER_BODY_BETTER_PLACED
    ),
    r"no evidence|not enough evidence|no fault": Reason.NOT_ENOUGH_FAULT,
    r"not serious enough|not significant|minor": Reason.NO_SIGNIFICANT_INJUSTICE,
    r"premature|still complaining|not finished|complaints process|still going through|"
    r"step in now": Reason.PREMATURE,
    r"everyone|all residents|whole area|most people": Reason.AFFECTS_MOST_PEOPLE,
    r"jurisdiction|employment|personnel|internal school": Reason.OUT_OF_JURISDICTION,
}

_OUTCOME_ASKED = (
    (re.compile(r"\bnot upheld (?:cases|decisions|complaints)\b", re.I), Outcome.NOT_UPHELD),
    (re.compile(r"\bupheld (?:cases|decisions|complaints)\b", re.I), Outcome.UPHELD),
)

_YEAR = r"(20\d{2})"
_YEAR_RANGES = (
    (re.compile(rf"\bbetween {_YEAR} and {_YEAR}\b", re.I), "between"),
    (re.compile(rf"\bfrom {_YEAR} (?:to|until) {_YEAR}\b", re.I), "between"),
    (re.compile(rf"\b(?:since|after|from) {_YEAR}\b", re.I), "since"),
    (re.compile(rf"\b(?:before|until) {_YEAR}\b", re.I), "before"),
    # A bare "in 2020" often dates the events ("back in 2020"), not the decision: only a
    # year that qualifies decisions becomes a filter.
    (
        re.compile(
            rf"\b(?:decisions?|cases?|complaints?|decided|published)\b[^?.]{{0,30}}?"
            rf"\bin {_YEAR}\b",
            re.I,
        ),
        "in",
    ),
)


def plan_query(question: str, vocabulary: Vocabulary) -> QueryPlan:
    """Understand ``question``; see the module docstring for what becomes a filter."""
    text = " ".join(question.split())
    notes: list[str] = []
    refs = tuple(find_refs(text))
    organisations = match_organisations(text, vocabulary.organisations)
    date_from, date_to = _date_range(text)
    outcomes = tuple(o.value for pattern, o in _OUTCOME_ASKED if pattern.search(text))[:1]
    filters = DecisionFilter(
        refs=refs,
        organisations=organisations,
        outcomes=outcomes,
        date_from=date_from,
        date_to=date_to,
    )
    notes += _filter_notes(filters)
    categories = _categories(text, vocabulary.sub_categories)
    reasons = tuple(dict.fromkeys(r.value for p, r in _REASON_WORDS.items() if _has(p, text)))
    notes += [f"area: {c}" for c in categories] + [f"reason: {r}" for r in reasons]
    return QueryPlan(
        text=text,
        filters=filters,
        intent=_intent(text, refs),
        boost_categories=categories,
        boost_reasons=reasons,
        notes=tuple(notes),
        dense_text=dense_text(text),
    )


def dense_text(question: str) -> str:
    """The question without its why-not frame, for the dense (embedding) search only."""
    stripped = _QUESTION_FRAME.sub("", question, count=1).strip()
    return stripped if len(stripped.split()) >= 2 else question


def with_filters(plan: QueryPlan, user: DecisionFilter | None) -> QueryPlan:
    """Combine filters the user chose (they win) with those understood from the question."""
    if user is None or user.is_empty:
        return plan
    merged = DecisionFilter(
        **{
            name: getattr(user, name) or getattr(plan.filters, name)
            for name in DecisionFilter.__dataclass_fields__
        }
    )
    return replace(plan, filters=merged)


def match_organisations(text: str, organisations: tuple[str, ...]) -> tuple[str, ...]:
    """Organisations whose distinctive words all appear in ``text`` (typos forgiven)."""
    words = re.findall(r"[a-z]+", text.lower())
    found = []
    for name in organisations:
        distinctive = distinctive_words(name)
        if distinctive and all(_word_present(w, words) for w in distinctive):
            found.append(name)
    return tuple(found)


def distinctive_words(name: str) -> list[str]:
    """The words that tell one organisation from another ("northmoor"), lower case."""
    return [w for w in re.findall(r"[a-z]+", name.lower()) if w not in _GENERIC_ORG_WORDS]


def _word_present(word: str, words: list[str]) -> bool:
    if word in words:
        return True
    # A misspelt place name ("Northmore") still counts, but only for long words.
    return len(word) >= 6 and any(len(w) >= 5 and fuzz.ratio(word, w) >= 85 for w in words)


def _has(pattern: str, text: str) -> bool:
    return re.search(rf"\b(?:{pattern})\b", text, re.IGNORECASE) is not None


def _categories(text: str, known: tuple[str, ...]) -> tuple[str, ...]:
    named = [c for c in known if c and re.search(rf"\b{re.escape(c)}\b", text, re.IGNORECASE)]
    lay = [c for pattern, c in _AREA_WORDS.items() if _has(pattern, text)]
    return tuple(dict.fromkeys(named + lay))


def _intent(text: str, refs: tuple[str, ...]) -> Intent:
    # Counting wins: "how often do they refuse to investigate" asks for numbers.
    if _STATS.search(text) and not refs:
        return Intent.STATS
    if _SIMILAR.search(text):
        return Intent.SIMILAR
    if _WHY_NOT.search(text) and not (
        _OUTCOME_QUESTION.search(text) and not re.search(r"\bwhy\b", text, re.IGNORECASE)
    ):
        return Intent.WHY_NOT
    if refs:
        return Intent.LOOKUP
    return Intent.GENERAL


def _date_range(text: str) -> tuple[str | None, str | None]:
    for pattern, kind in _YEAR_RANGES:
        match = pattern.search(text)
        if not match:
            continue
        first = match.group(1)
        if kind == "between":
            return f"{first}-01-01", f"{match.group(2)}-12-31"
        if kind == "since":
            return f"{first}-01-01", None
        if kind == "before":
            return None, f"{int(first) - 1}-12-31"
        return f"{first}-01-01", f"{first}-12-31"
    return None, None


def _filter_notes(filters: DecisionFilter) -> list[str]:
    notes = [f"decision {ref}" for ref in filters.refs]
    notes += [f"organisation: {name}" for name in filters.organisations]
    notes += [f"outcome: {o}" for o in filters.outcomes]
    if filters.date_from or filters.date_to:
        notes.append(f"dates: {filters.date_from or '…'} to {filters.date_to or '…'}")
    return notes
