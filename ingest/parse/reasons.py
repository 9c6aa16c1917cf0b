"""Why a complaint (or part of one) was not investigated, in the fixed vocabulary of Reason.

The reasons are read from the passages that give *this* complaint's reasons: the
summary, ``My assessment``, ``Final decision`` and the sections about parts not
investigated. ``The Ombudsman's role and powers`` is never read: it lists every
reason the law allows, whichever applied.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.vocabulary.outcomes import NOT_INVESTIGATED
from ingest.vocabulary.records import Outcome, Reason, Section

_I = re.IGNORECASE
_APPEAL_BODY = r"(?:tribunal|planning inspector(?:ate)?|secretary of state|government minister)"
# "magistrates' court", and as decisions also spell it, "magistrates court" and
# "magistrate's court".
_COURTS = r"(?:magistrate(?:s['’]?|['’]s)?|county|crown|high)\s+court"

# One list of patterns per reason; wording from published decisions (FORMAT.md).
PATTERNS: dict[Reason, list[str]] = {
    Reason.LATE: [
        r"\b(?:is|was|are|were|too|came|complained|complaining|made|brought)\s+late\b"
        r"(?!\s+(?:payments?|fees?|charges?|night|in the))",
        r"\blate complaints?\b",
        r"more than (?:12|twelve) months",
        r"(?:12|twelve) months (?:after|of) (?:he|she|they|mr|mrs|ms|miss|the complainant|\w+) "
        r"(?:knew|became aware|first)",
        r"section 26B",
        r"could (?:reasonably )?have complained (?:to us )?(?:sooner|earlier)",
        r"\bout of time\b",
    ],
    Reason.ALTERNATIVE_REMEDY_APPEAL: [
        # An employment tribunal claim is beside the point: personnel matters are out of
        # jurisdiction whatever remedy exists.
        rf"(?<!employment )\b{_APPEAL_BODY}\b",
        r"section 26\(6\)\((?:a|b)\)",
        r"(?-i:\bSEND\b)",
    ],
    Reason.ALTERNATIVE_REMEDY_COURT: [
        r"\b(?:go|going|gone|apply|applying|take(?: the matter| this| it| legal action)?) to "
        r"(?:the |a )?courts?\b",
        r"matter for the (?:courts?|insurers?)",
        r"\bcourts? (?:is|are|was|would be|can|could) (?:better placed|the (?:right |proper |"
        r"appropriate )?(?:place|forum|route))",
        r"\binsurers?\b",
        r"\blegal claim\b|\bclaim for (?:compensation|damages)|\bnegligen|small claims",
        rf"appeal(?:ed|s)? to (?:the |a )?{_COURTS}",
        r"section 26\(6\)\(c\)",
        r"\bremedy (?:by going |in )(?:to )?(?:the )?courts?\b",
    ],
    Reason.NOT_ENOUGH_FAULT: [
        r"not (?:enough|sufficient) evidence (?:of|to suggest|that there was) (?:\w+ )?fault",
        r"insufficient evidence of (?:\w+ )?fault",
        r"\bno (?:evidence|sign|suggestion) of fault",
        r"unlikely (?:that )?(?:we would|to) find (?:any )?fault",
        r"\bno fault\b",
        r"not (?:see|seen|found|find) (?:any |enough )?(?:evidence of )?fault",
    ],
    Reason.NO_SIGNIFICANT_INJUSTICE: [
        r"\b(?:not|unlikely|no)\b[^.;]{0,60}\bsignificant (?:enough )?(?:personal )?injustice",
        r"not (?:significant )?enough to (?:warrant|justify) (?:our|an) "
        r"(?:involvement|investigation)",
        r"no (?:significant|worthwhile|personal) (?:personal )?injustice",
        r"injustice[^.]{0,60}\bnot (?:significant|serious)",
        r"not significant enough",
        r"\binsufficient (?:personal )?injustice",
        r"not (?:been )?(?:personally|significantly) affected",
    ],
    Reason.COULD_NOT_ADD: [
        r"\b(?:could|can|would|will)\s*not add\b",
        r"\bcan(?:no|['’])t add\b|\bunable to add\b|\bnothing (?:more|further) to add",
        r"\bnot (?:be able to )?add (?:anything|to)\b",
    ],
    Reason.DIFFERENT_OUTCOME_UNLIKELY: [
        r"different outcome|worthwhile outcome|meaningful outcome",
        r"achieve (?:anything |much |something |any )?(?:more|further|different)\b",
        r"would not (?:achieve|lead to) (?:a |any )?(?:different|more|further|anything)",
        r"(?:could|can|would) not (?:achieve|get \w+ \w+|give \w+ \w+) (?:the outcome|what)",
    ],
    Reason.OTHER_BODY_BETTER_PLACED: [
        r"better placed",
        r"information commissioner|(?-i:\bICO\b)",
        r"housing ombudsman",
        r"(?:parliamentary and )?health service ombudsman|(?-i:\bPHSO\b)",
        r"matter for the police|police (?:are|is|would be) (?:better|best|the appropriate)",
    ],
    Reason.OUT_OF_JURISDICTION: [
        r"schedule 5",
        r"(?:outside|out of|beyond|not within) (?:our|the ombudsman['’]s|my) "
        r"(?:jurisdiction|remit|powers)",
        r"\bno jurisdiction\b|\bnot have jurisdiction\b",
        r"internal (?:school )?(?:matters|management)|what happens in schools",
        r"personnel (?:matters|issues)|employment matters",
        r"(?:start|starting|started|commencement|beginning|begin|issue|issuing|bring|bringing)"
        r"(?: of)? (?:court|legal) (?:proceedings|action)",
        r"\bnot (?:a )?bod(?:y|ies) we can investigate",
        r"\blaw does not (?:allow|let|permit) us to investigate",
    ],
    Reason.PREMATURE: [
        r"\bpremature",
        r"complaints? (?:procedure|process)[^.]{0,40}\b(?:not|yet to)\b[^.]{0,20}"
        r"(?:finish|complete|end|conclude|exhaust)",
        r"(?:not|n['’]t) (?:yet )?(?:completed|finished|exhausted|been through|gone through) "
        r"(?:the |its |the council['’]s )?complaints?",
        r"(?:a chance|an opportunity|the opportunity) to (?:respond|consider|deal with)",
        r"section 26\(5\)",
    ],
    Reason.AFFECTS_MOST_PEOPLE: [
        r"all or most (?:of the )?(?:people|residents|of the people)",
        r"affects? (?:everyone|all residents|most people)",
        r"section 26\(7\)",
    ],
}
# "Right of appeal" alone means a tribunal unless the text says the appeal is to a court
# (a licensing appeal to the magistrates' court is the court remedy), or that there is
# none ("the Ombudsman does not provide a right of appeal against that decision" says
# what we are not, in planning decisions).
_GENERIC_APPEAL = [
    re.compile(
        rf"(?<!not provide a )(?<!n't provide a )(?<!n’t provide a )(?<!\bno )"
        rf"right of appeal(?! to (?:the |a )?{_COURTS})",
        _I,
    ),
    re.compile(
        rf"(?:could|can|should|may|might) (?:have )?appeal(?:ed)? to (?!(?:the |a )?{_COURTS})", _I
    ),
]
_COURT_APPEAL = re.compile(rf"appeal(?:ed|s)? to (?:the |a )?{_COURTS}", _I)
_COMPILED = {reason: [re.compile(p, _I) for p in patterns] for reason, patterns in PATTERNS.items()}

# Sections that state this complaint's reasons when it was not investigated.
_REASON_SECTIONS = ("my assessment", "assessment", "our assessment", "final decision",
                    "decision", "analysis", "what i found", "findings", "my findings",
                    "conclusions", "conclusion")
# Sections about parts left out of an investigation: read whole for every outcome.
_NOT_INVESTIGATED_SECTIONS = ("not investigate", "have not investigated", "did not investigate")
_NOT_INVESTIGATED_SENTENCE = re.compile(
    r"\b(?:not|n['’]t|decided not to|will not|cannot) (?:start an |begin an )?investigat", _I
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(“\"‘'])")


def extract_reasons(outcome: Outcome, summary: str, sections: Sequence[Section]) -> list[Reason]:
    """Reasons in order of first mention, without repeats.

    A complaint not investigated (or an unknown outcome whose summary says so) is read
    in full; an investigated one only where it states a part was not investigated.
    ``other`` is given when a complaint was not investigated and no reason is recognised.
    """
    not_investigated = outcome in NOT_INVESTIGATED or (
        outcome is Outcome.UNKNOWN and bool(_NOT_INVESTIGATED_SENTENCE.search(summary))
    )
    text = _passages(summary, sections, whole=not_investigated)
    found = find_reasons(text)
    if not found and not_investigated:
        return [Reason.OTHER]
    return found


def find_reasons(text: str) -> list[Reason]:
    """Every reason mentioned in ``text``, ordered by its first mention."""
    first: dict[Reason, int] = {}
    for reason, patterns in _COMPILED.items():
        if reason is Reason.ALTERNATIVE_REMEDY_APPEAL and not _COURT_APPEAL.search(text):
            patterns = [*patterns, *_GENERIC_APPEAL]
        starts = [m.start() for p in patterns if (m := p.search(text))]
        if starts:
            first[reason] = min(starts)
    return sorted(first, key=lambda reason: first[reason])


def _passages(summary: str, sections: Sequence[Section], whole: bool) -> str:
    """The text reasons are read from, in document order."""
    parts = [summary if whole else _not_investigated_sentences(summary)]
    for section in sections:
        heading = _plain(section.heading)
        body = "\n".join(p.text for p in section.paragraphs)
        dedicated = any(key in heading for key in _NOT_INVESTIGATED_SECTIONS)
        if dedicated or (whole and heading.split(" > ")[0] in _REASON_SECTIONS):
            parts.append(body)
        elif heading in ("final decision", "decision", "what i have investigated"):
            parts.append(_not_investigated_sentences(body))
    return "\n".join(part for part in parts if part)


def _not_investigated_sentences(text: str) -> str:
    """Sentences saying a part was not investigated, each with the sentence that follows
    (which often gives the reason: "I have not investigated X. This is because ...")."""
    sentences = _SENTENCE_END.split(text)
    keep: list[str] = []
    for index, sentence in enumerate(sentences):
        if _NOT_INVESTIGATED_SENTENCE.search(sentence):
            keep.extend(sentences[index : index + 2])
    return " ".join(dict.fromkeys(keep))


def _plain(heading: str) -> str:
    return heading.replace("’", "'").lower()
