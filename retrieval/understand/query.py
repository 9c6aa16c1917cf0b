"""Query understanding: a question → QueryPlan (hard filters, soft hints, intent).

Understanding ranks; only the user excludes. The one hard filter read from a
question is a decision reference (a user who types one means that decision).
Everything else read from free text — organisations, areas, reasons, outcomes
asked for, years — is a soft hint that boosts matching decisions and never
removes one: a guessed name can be wrong, a copy may not name its
organisation, and years in a question usually date the events, not the
decision. The app shows what was understood and lets the user make any of it
a filter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from rapidfuzz import fuzz
from wordfreq import zipf_frequency

from ingest.vocabulary.filters import DecisionFilter
from ingest.vocabulary.normalise import find_refs
from ingest.vocabulary.records import Outcome, Reason
from retrieval.keywords import STOPWORDS, spoken_words
from retrieval.types import Intent, QueryPlan, SoftHints


@dataclass(frozen=True)
class Vocabulary:
    """Names known to the index, to recognise in questions."""

    organisations: tuple[str, ...] = ()
    sub_categories: tuple[str, ...] = ()
    is_word: Callable[[str], bool] = lambda _: False  # a word the indexed decisions use


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
_HANDLE = r"(?:investigat\w*|look\w*|pursu\w*|consider\w*|deal\w*|tak\w*|help\w*)"
_OMBUDSMAN = r"(?:ombudsman|they|lgo|lgsco|you)"
_WHY_NOT = re.compile(
    rf"\bwhy\b[^?.]{{0,60}}?\b(?:{_REFUSED}|not (?:be )?investigat\w*|not look\w*)\b"
    rf"|\b{_OMBUDSMAN}\b[^?.]{{0,30}}?\b(?:{_REFUSED})\b[^?.]{{0,30}}?"
    r"\b(?:look|investigat\w*|consider|help|take|deal)"
    r"|\bnot (?:be )?investigat\w*|\bno investigation\b|\binstead of (?:looking|investigating)"
    r"|\b(?:too (?:late|old|long ago|early|soon)|left it too)\b|\bwhy not\b"
    # The Ombudsman's refusal in a person's own words: "they decided not to look", "why did
    # they stop investigating / close my case", "why did the ombudsman not pursue it / say
    # no / send me elsewhere", "the ombudsman turned me away".
    rf"|\b{_OMBUDSMAN}\b[^?.]{{0,30}}?\b(?:decid\w*|chose|choos\w*|opted) not to {_HANDLE}"
    rf"|\bwhy\b[^?.]{{0,30}}?\b{_OMBUDSMAN}\b[^?.]{{0,30}}?\bnot {_HANDLE}"
    rf"|\bwhy\b[^?.]{{0,30}}?\b{_OMBUDSMAN}\b[^?.]{{0,30}}?\b(?:stop\w*|clos\w*|end\w*|drop\w*|"
    r"discontinu\w*) (?:investigating|looking|considering|(?:my|the|our|her|his|their) "
    r"(?:case|complaint))"
    rf"|\bwhy (?:did|does|do|is|has|would|will) (?:the )?{_OMBUDSMAN}\b[^?.]{{0,10}}?\b(?:say|"
    r"said|tell|told|send|sent|saying|telling|sending)\b[^?.]{0,40}?\b(?:no|elsewhere|instead|"
    r"first|away|somewhere else|one for|should have)\b"
    rf"|\b{_OMBUDSMAN}\b[^?.]{{0,30}}?\b(?:turn\w* (?:me |us |it )?(?:down|away)|"
    r"sen[dt] (?:me |us )?(?:elsewhere|away|back))",
    re.IGNORECASE,
)
# Questions about what was found or agreed are not why-not questions, whatever verbs they use.
_OUTCOME_QUESTION = re.compile(
    r"\bdid the ombudsman (?:find|uphold|decide)|\bat fault\b|\bhow much\b|"
    r"\bwhat did\b[^?]{0,40}\b(?:agree|pay|offer|do)\b",
    re.IGNORECASE,
)
# The frame of a question about the Ombudsman's handling ("Why did the ombudsman look at
# my complaint about…") says nothing about the case; left in, it pulls the dense search
# towards every decision's standard paragraphs. A why-not question keeps it (dense_text).
_QUESTION_FRAME = re.compile(
    r"^\s*(?:why|how come)\b[^?]*?\b(?:look at|looking at|look into|investigate|consider|"
    r"deal with|help (?:me )?with|take on)\s+(?:(?:my|our|the|a|his|her|their)\s+)?"
    r"(?:\w+['’]s\s+)?(?:complaint|case)?\s*(?:about|over|regarding|concerning|on|against)?\s*",
    re.IGNORECASE,
)
_STATS = re.compile(
    r"\b(how often|how many|how much of|how frequently|how likely|what (?:share|percentage|"
    r"proportion|fraction|number)|(?:uphold|upheld|success) rate|percentage of|share of|"
    r"most (?:common|often|frequent(?:ly)?|usual)|commonest)\b",
    re.IGNORECASE,
)
_SIMILAR = re.compile(
    r"\b(similar|like (?:mine|this|that|my)|same (?:situation|thing|as)|comparable|"
    r"other (?:cases|decisions|complaints) like|cases like)\b",
    re.IGNORECASE,
)

# Lay words → the sub-category they usually mean.
_AREA_WORDS: dict[str, str] = {
    # "refuse" alone is mostly the verb ("refuse to look"): only the noun phrases count.
    r"bins?|rubbish|recycling|refuse (?:collection|collectors?|lorry|sacks?)": (
        "Refuse and recycling"
    ),
    r"pot ?holes?|pavement|tripped (?:on|over)": "Highway maintenance",
    r"parking (?:ticket|fine)|pcn|penalty charge": "Parking and other penalties",
    r"blue badge|disabled badge": "Blue badges",
    r"care homes?|nursing homes?": "Residential care",
    r"home care|carers? (?:visit|came)": "Domiciliary care",
    r"ehc ?p|ehc plan|special (?:educational )?needs": "Special educational needs",
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
    refs = tuple(find_refs(text))
    organisations = match_organisations(text, vocabulary.organisations, vocabulary.is_word)
    soft = SoftHints(
        organisations=organisations,
        categories=_categories(text, vocabulary.sub_categories),
        reasons=tuple(dict.fromkeys(r.value for p, r in _REASON_WORDS.items() if _has(p, text))),
        outcomes=tuple(o.value for pattern, o in _OUTCOME_ASKED if pattern.search(text))[:1],
        dates=_date_range(text),
        unlisted_council="" if organisations else named_council(text),
    )
    intent = _intent(text, refs)
    return QueryPlan(
        text=text,
        filters=DecisionFilter(refs=refs),
        intent=intent,
        soft=soft,
        notes=tuple([f"decision {ref}" for ref in refs] + soft.notes()),
        dense_text=dense_text(text, intent),
        keyword_text=keyword_text(text),
    )


# A lay phrase → the Ombudsman's own term for the same thing, added to what the keyword
# searches read (a decision says "Blue Badge", a person "disabled parking permit"). These are
# the pairs the real-data issue names; the copied decisions never pair them in their own
# words, so they could not be derived from the corpus. Meaning search needs no help here.
_OFFICIAL_TERMS: dict[str, str] = {
    r"disabled (?:parking )?(?:badges?|permits?)|disabled parking": "blue badge",
    r"parking (?:tickets?|fines?)": "penalty charge notice",
    r"bailiffs?": "enforcement agent",
    r"ehcps?": "education health and care plan",
}


def keyword_text(question: str) -> str:
    """``question`` with the official term for each lay phrase it uses, when it lacks it."""
    lowered = question.lower()
    added = [
        term
        for lay, term in _OFFICIAL_TERMS.items()
        if re.search(rf"\b(?:{lay})\b", lowered) and term not in lowered
    ]
    return " ".join([question, *added])


# A word at least this frequent in English (wordfreq's Zipf scale: 3.5 is about three in a
# million words: "help", "dealt", "upheld") is everyday, not a subject. Chosen by
# cross-validation among 3.5-5 and "never" (bench/tune.py --asides).
EVERYDAY_ZIPF = 3.5
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")
_MIN_SITUATION_WORDS = 4


def dense_text(question: str, intent: Intent, everyday: float = EVERYDAY_ZIPF) -> str:
    """What the embedding searches read: a why-not question whole, any other without its
    frame ("Why did the ombudsman look at…") and the sentences that only address the
    Ombudsman ("Can the ombudsman help?"). Those match the stock paragraphs every decision
    has, so they pulled decisions about any subject towards a situation told in the other
    sentences. In a why-not question the refusal is the point, and its words meet the
    summaries that give one ("We will not investigate this complaint about…"): kept, they
    raised the held-out why-not MRR@10 (docs/quality.md)."""
    if intent == Intent.WHY_NOT:
        return question
    stripped = _QUESTION_FRAME.sub("", question, count=1).strip()
    text = stripped if len(stripped.split()) >= 2 else question
    sentences = _SENTENCE_BREAK.split(text)
    situation = " ".join(s for s in sentences if not _only_addresses_ombudsman(s, everyday))
    return situation if len(situation.split()) >= _MIN_SITUATION_WORDS else text


def _only_addresses_ombudsman(sentence: str, everyday: float) -> bool:
    """A sentence to the Ombudsman with no subject word in it: every content word is an
    everyday one ("Has the ombudsman dealt with anything like this?")."""
    if "ombudsman" not in sentence.lower():
        return False
    words = [w for w in spoken_words(sentence) if w not in STOPWORDS]
    return all(zipf_frequency(w, "en") >= everyday for w in words)


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


def match_organisations(
    text: str, organisations: tuple[str, ...], is_word: Callable[[str], bool] = lambda _: False
) -> tuple[str, ...]:
    """Organisations ``text`` names: their distinctive words, in order, as a phrase.

    The longest name wins ("Bath and North East Somerset" is not also "Somerset" or "North
    Somerset"); names with the same words are told apart by type words ("Durham County" vs
    "Durham City") when the text has them. A misspelling is forgiven for one word only, when
    the typed word is not a known word (``is_word``: "working" is not "Woking"), it matches a
    single name, and neither word is a north/south/east/west/city/county word.
    """
    words = _significant_words(text)
    spans = _exact_spans(words, organisations)
    if not spans:
        spans = _misspelt_spans(words, organisations, is_word)
    longest = [s for s in spans if not any(_inside(s, other) for other in spans)]
    return tuple(_by_type_words([name for name, _, _ in longest], text))


# Capitalised words (or an acronym: "BCP") just before "council", with its type words:
# "Bury council", "Stoke-on-Trent City Council".
_COUNCIL_NAME = re.compile(
    r"\b((?:[A-Z][\w'’&-]*\s+)*[A-Z][\w'’&-]*)\s+"
    r"(?i:(?:(?:borough|county|city|district|metropolitan|town)\s+)*council)\b"
)
_NOT_A_NAME = STOPWORDS | _GENERIC_ORG_WORDS | {"local", "parish", "my", "our", "this"}


def named_council(text: str) -> str:
    """The name of the council ``text`` names in the form "<Name> council", less the
    sentence's capitalised function words ("Did Bury council…" → "Bury"); "" if none."""
    for match in _COUNCIL_NAME.finditer(text):
        words = [w for w in match.group(1).split() if w.lower() not in _NOT_A_NAME]
        if words:
            return " ".join(words)
    return ""


def distinctive_words(name: str) -> list[str]:
    """The words that tell one organisation from another ("northmoor"), lower case."""
    return [w for w in re.findall(r"[a-z]+", name.lower()) if w not in _GENERIC_ORG_WORDS]


_Span = tuple[str, int, int]  # a name, where it starts and ends (exclusive) in words or characters
_TYPE_WORDS = frozenset({"borough", "city", "county", "district", "metropolitan", "town"})
_NEVER_FUZZY = frozenset({"north", "south", "east", "west", "city", "county", "upon"})


def _significant_words(text: str) -> list[str]:
    words = re.findall(r"[a-z]+", _spelt_out(text).lower())
    return [w for w in words if w not in _GENERIC_ORG_WORDS]


# How people shorten the names of English counties and councils ("Lancs", "BCP"); spelt
# out before names are matched. "Beds" is left out: as an everyday word it would turn beds
# into Bedfordshire.
_SHORT_NAMES: dict[str, str] = {
    "lancs": "lancashire", "glos": "gloucestershire", "gloucs": "gloucestershire",
    "bucks": "buckinghamshire", "herts": "hertfordshire", "berks": "berkshire",
    "notts": "nottinghamshire", "northants": "northamptonshire", "wilts": "wiltshire",
    "oxon": "oxfordshire", "leics": "leicestershire", "lincs": "lincolnshire",
    "worcs": "worcestershire", "warks": "warwickshire", "staffs": "staffordshire",
    "cambs": "cambridgeshire", "derbys": "derbyshire", "yorks": "yorkshire",
    "mk": "milton keynes", "bcp": "bournemouth christchurch and poole",
    "banes": "bath and north east somerset",
}
_SHORT_NAME = re.compile(rf"\b(?:{'|'.join(_SHORT_NAMES)})\b", re.IGNORECASE)


def _spelt_out(text: str) -> str:
    return _SHORT_NAME.sub(lambda m: _SHORT_NAMES[m.group(0).lower()], text)


def _exact_spans(words: list[str], organisations: tuple[str, ...]) -> list[_Span]:
    spans = []
    for name in organisations:
        key = distinctive_words(name)
        spans += [(name, i, i + len(key)) for i in _phrase_starts(key, words)]
    return spans


def _phrase_starts(key: list[str], words: list[str]) -> list[int]:
    if not key:
        return []
    return [i for i in range(len(words) - len(key) + 1) if words[i : i + len(key)] == key]


def _misspelt_spans(
    words: list[str], organisations: tuple[str, ...], is_word: Callable[[str], bool]
) -> list[_Span]:
    """Names matched with one misspelt word, kept only where that word fits one name."""
    typed = [i for i, word in enumerate(words) if _may_be_misspelt(word, is_word)]
    names_at: dict[int, set[str]] = {}
    spans: list[_Span] = []
    # From the few words that could be misspellings, not from every window of every name:
    # a question rarely has more than one. (Every window of every name: 1.4 ms a question
    # with 142 organisations, against 1.0 ms; the cost grows with the organisations.)
    for name in organisations:
        key = distinctive_words(name)
        for at, slot in ((at, slot) for at in typed for slot in range(len(key))):
            start = at - slot
            window = words[max(start, 0) : start + len(key)]
            if start < 0 or len(window) < len(key) or window[slot] == key[slot]:
                continue
            only_miss = sum(k != w for k, w in zip(key, window, strict=True)) == 1
            if only_miss and _misspelling(key[slot], window[slot], is_word):
                names_at.setdefault(at, set()).add(name)
                spans.append((name, start, start + len(key)))
    unique = {next(iter(names)) for names in names_at.values() if len(names) == 1}
    return [span for span in spans if span[0] in unique]


def _may_be_misspelt(typed: str, is_word: Callable[[str], bool]) -> bool:
    """The typed side of ``_misspelling``'s test."""
    return typed not in _NEVER_FUZZY and len(typed) >= 5 and not is_word(typed)


def _misspelling(meant: str, typed: str, is_word: Callable[[str], bool]) -> bool:
    if meant in _NEVER_FUZZY or len(meant) < 6 or not _may_be_misspelt(typed, is_word):
        return False
    return fuzz.ratio(meant, typed) >= 85


def _inside(span: _Span, other: _Span) -> bool:
    """``span`` lies within ``other``'s words and is shorter."""
    _, start, end = span
    _, other_start, other_end = other
    return other_start <= start and end <= other_end and end - start < other_end - other_start


def _by_type_words(names: list[str], text: str) -> list[str]:
    """Names sharing distinctive words: keep those whose type words the text has, if any."""
    said = _types(text)
    kept = []
    for name in dict.fromkeys(names):
        rivals = [n for n in names if distinctive_words(n) == distinctive_words(name)]
        fitting = [n for n in rivals if _types(n) and _types(n) <= said]
        if not fitting or name in fitting:
            kept.append(name)
    return kept


def _types(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower())) & _TYPE_WORDS


def _has(pattern: str, text: str) -> bool:
    return re.search(rf"\b(?:{pattern})\b", text, re.IGNORECASE) is not None


def _categories(text: str, known: tuple[str, ...]) -> tuple[str, ...]:
    named = _longest_names(text, known)
    lay = [c for pattern, c in _AREA_WORDS.items() if _has(pattern, text)]
    # "SEND"/"SEN" are the acronyms only in capitals; "didn't send me" is a verb.
    if re.search(r"\bSEND?\b", text):
        lay.append("Special educational needs")
    return tuple(dict.fromkeys(named + lay))


def _longest_names(text: str, names: tuple[str, ...]) -> list[str]:
    """The area names the text uses, the longest match winning as for organisations: in
    "school transport", the sub-area "School transport" and not also "Transport" (adult
    care's), whose only mention is inside it."""
    spans: list[_Span] = [
        (name, found.start(), found.end())
        for name in names
        if name
        for found in re.finditer(rf"\b{re.escape(name)}\b", text, re.IGNORECASE)
    ]
    longest = {span[0] for span in spans if not any(_inside(span, other) for other in spans)}
    return [name for name in names if name in longest]


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
