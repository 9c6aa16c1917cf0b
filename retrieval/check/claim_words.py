"""The words the citation checker reads claims and passages with (retrieval.check.support).

Closed vocabularies, chosen for decisions of the Ombudsman: phrases read as one
form ("refused to" → "not", "the ICO" → one actor), the legal predicates whose
polarity and actors are compared, the actors, modal classes, and a light stem.
"""

from __future__ import annotations

import re
from itertools import pairwise

from retrieval.keywords import STOPWORDS

# Phrases read as one canonical form before tokens are cut (applied in order, lower case).
PHRASES: tuple[tuple[str, str], ...] = (
    (r"[’‘`]", "'"),
    (r"\bwon't\b", "will not"),
    (r"\bcan't\b|\bcannot\b", "can not"),
    (r"n't\b", " not"),
    (r"\b(?:refus|declin|fail)(?:e|es|ed|ing|s)? to\b", "not"),
    (r"\bunable to\b", "can not"),
    (r"\binsufficient\b", "not enough"),
    (r"\bno longer\b", "not"),
    (r"\bun(clear|reasonabl\w*|suitabl\w*|aware|fair\w*|necessar\w*|happy|satisfactory|lawful\w*|"
     r"acceptabl\w*|affordabl\w*|safe|justified|successful\w*|willing)\b", r"not \1"),
    (r"\bdecided against\b", "decided not"),
    # One role word, so "Mrs X complains on behalf of Miss C" keeps who acts for whom.
    (r"\bon behalf of\b", "onbehalfof"),
    (r"\bon ([a-z]+(?:'s)?) behalf\b", r"onbehalfof \1"),
    (r"\black of\b", "no"),
    (r"\binformation commissioner(?:'s office)?(?:'s office)?|\bico\b", "ico"),
    (r"\bhousing ombudsman\b", "housingombudsman"),
    (r"\b(?:care provider|care home|provider)s?\b", "provider"),
    (r"\bsocial workers?\b|\benforcement agents?\b|\bcontractors?\b|\bofficers?\b|\bstaff\b",
     "staff"),
    (r"\b(?:better|best) placed\b|\bthe right body\b|\bmore appropriate body\b", "betterplaced"),
    (r"\blook(?:s|ed|ing)? into\b|\bexamine[sd]?\b", "investigate"),
    (r"\blook(?:s|ed|ing)? at\b", "consider"),
    (r"\bmake a payment\b|\bmade a payment\b", "pay"),
)  # fmt: skip
PERSON = re.compile(r"\b(Mr|Mrs|Ms|Miss|Dr)\.? ([A-Z])(?![A-Za-z])")
TOKEN = re.compile(r"£?\d[\d,]*(?:\.\d+)?[a-z]?|[a-z]+(?:'s)?|[.;:!?,()]")
REF = re.compile(r"\b(\d{2})[ -]?(\d{3})[ -]?(\d{3})([a-z]?)\b", re.I)
# Capitalised words that are not names in this corpus (and sentence openers).
NOT_NAMES = frozenset(
    """the a an in on at of for to by this that these those it its he she his her they their we
    our i council councils ombudsman ombudsman's mr mrs ms miss dr care provider plan plans
    because as after before when while although however so but and or if also some any all
    according further someone complaints complaint appeals late there here what which who""".split()
)
CAPITALISED = re.compile(r"[A-Z][a-zA-Z]+(?:-[A-Za-z]+)?")
LABEL = re.compile(
    r"(?<![.!?]\s)(?<!^)(?<!\b(?:Mr|Ms|Dr))(?<!\bMrs)(?<!\bMiss)\s\(?([A-HJ-Z])\b(?![’'])"
)

NEGATIONS = frozenset("not no never nor neither none nothing without".split())
BE = frozenset("be been being is was were are".split())
DETERMINERS = frozenset("the a an his her its their our this these those any".split())
PREPOSITIONS = frozenset(
    "to about of by with from for in on at into over under than onbehalfof".split()
)
# Where the subject of a predicate stops being looked for.
# Between a list's comma or "and" and its next verb ("and did not visit", ", and then took").
AUXILIARIES = frozenset(
    "not also to then did does do has have had was were is are will would could can should".split()
)
# Prepositions a negation reaches across: "not to investigate", "no evidence of fault",
# "not at fault".
SCOPE_PREPOSITIONS = frozenset("to of at".split())
CLAUSE_WORDS = frozenset(
    "because but although however which while so if when since unless until whereas".split()
)
PUNCTUATION = frozenset(".;:!?()")

# Words a claim may add or leave out: framing ("the decision said"), not a fact.
FRAMING = STOPWORDS - {
    "investigate", "investigated", "investigation", "investigating",
    "complaint", "complaints", "complain", "complained", "no", "not",
} | frozenset(
    """decided decide explained stated concluded noted according found find finding therefore
    however also because whether thing things matter person people body""".split()
)  # fmt: skip

# The closed vocabulary of predicates whose polarity and roles are compared (stems).
IRREGULAR = {
    "paid": "pay", "payment": "pay", "payments": "pay", "paying": "pay", "pays": "pay",
    "upheld": "uphold", "apology": "apologise", "denied": "deny", "denies": "deny",
    "refusal": "refuse", "removal": "remove", "retrain": "train", "training": "train",
    "knew": "know", "known": "know", "told": "tell", "gave": "give", "given": "give",
    "sent": "send", "took": "take", "taken": "take", "kept": "keep", "dealt": "deal",
    "wrote": "write", "written": "write",
    "children": "child", "complainant": "complainant", "give": "provide", "gives": "provide",
    "giving": "provide", "exercise": "use", "used": "use", "uses": "use", "using": "use",
    "added": "add", "adds": "add", "admitted": "admit", "admits": "admit", "led": "lead",
    "said": "say", "says": "say", "state": "say", "states": "say", "stated": "say",
    "explain": "say", "explains": "say", "explained": "say",  # one reporting verb: who said it
}  # fmt: skip
SUFFIXES = ("ing", "ed", "es", "s", "e")
PREDICATE_WORDS = """investigate consider uphold fault injustice apologise pay refund reimburse
    repay compensate review remind train assess reassess waive remove agree recommend appeal
    deny admit accept refuse delay premature late betterplaced discretion jurisdiction add
    outcome significant transfer provide issue complain follow know tell damage allow
    prevent power reasonable responsible correct wrong visit install send cause use backdate
    assist support complete proceed lead put close write say explain state want""".split()
# Reporting verbs: compared (who said it) only when the passage reports too.
REPORTING = frozenset("say explain state want".split())
AL_NOUNS = frozenset("removal refusal approval withdrawal dismissal renewal denial".split())
PASSIVE_IRREGULAR = frozenset("paid found made given told kept held sent done dealt".split())

ACTORS = {
    "ombudsman": "ombudsman", "we": "ombudsman", "us": "ombudsman", "our": "ombudsman",
    "i": "ombudsman", "investigator": "ombudsman",
    "council": "council", "councils": "council", "authority": "council", "staff": "staff",
    "borough": "council", "corporation": "council",  # "the London Borough of Newham"
    "ico": "ico", "housingombudsman": "housingombudsman", "provider": "provider",
    "tribunal": "tribunal", "court": "court", "courts": "court", "police": "police",
    "complainant": "person", "person": "person", "he": "person",
    "him": "person",
    "his": "person", "she": "person", "her": "person", "neighbour": "neighbour",
    "mother": "mother", "father": "father", "son": "son", "daughter": "daughter",
    "child": "child", "children": "child", "family": "family", "landlord": "landlord",
    "driver": "driver", "councillor": "councillor", "tenant": "person", "parent": "person",
    "carer": "person", "resident": "person", "homeowner": "person",
}  # fmt: skip
# What "it" can stand for: the organisation (or the Ombudsman) last named.
IT_ACTORS = frozenset("council ico housingombudsman provider tribunal court ombudsman".split())
KIN = frozenset("mother father son daughter child family".split())  # "her mother, Mrs G"
POSSESSIVES = frozenset("his her its our their".split())
# Pronouns that are always the subject, and always an object, of their verb.
NOMINATIVE = frozenset("we i he she it they".split())
ACCUSATIVE = frozenset("us him them".split())

NUMBER_WORDS = {
    w: str(n)
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
} | {"twenty": "20", "thirty": "30", "hundred": "100", "thousand": "1000", "twice": "2"}
UNITS = {
    "day": "day", "days": "day", "week": "week", "weeks": "week", "month": "month",
    "months": "month", "year": "year", "years": "year", "hour": "hour", "hours": "hour",
}  # fmt: skip
MONTHS = frozenset(
    "january february march april may june july august september october november december".split()
)
# Modal classes: a claim may not add any of them; the passage's hedges may not be dropped.
MODAL_CLASSES = {
    "hedge": frozenset(
        "normally usually generally typically ordinarily mainly mostly often".split()
    ),
    "possible": frozenset("may might possibly perhaps likely unlikely probably".split()),
    "inability": frozenset(),  # "can not", "could not", "not able": read from word pairs
    "obligation": frozenset(
        "must require requires required requiring obliged should need needs".split()
    ),
    "universal": frozenset("never always all every any anyone anything everyone only".split()),
}
KEEP_DROPPED = frozenset({"hedge", "possible"})  # a frame's, which a claim must keep
ABLE = frozenset("can could able".split())


def stem(word: str) -> str:
    """Six letters after a light suffix strip, so "delayed", "delays" and "delay" meet."""
    word = IRREGULAR.get(word, word)
    if word[:1].isdigit() or word.startswith("£"):
        return word.replace(",", "")
    if word.startswith("person"):
        return word
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)][:6]
    return word[:6]


PREDICATES = frozenset(stem(word) for word in PREDICATE_WORDS)
REPORTING_STEMS = frozenset(stem(word) for word in REPORTING)


def modal_classes(words: list[str]) -> frozenset[str]:
    found = {c for c, members in MODAL_CLASSES.items() if members & set(words)}
    pairs = pairwise(words)
    if any((a in ABLE and b == "not") or (a == "not" and b in ABLE) for a, b in pairs):
        found.add("inability")
    return frozenset(found)
