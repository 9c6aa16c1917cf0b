"""Does a passage say what a claim says? A reading of both, compared fact by fact.

Word overlap cannot tell "we will not investigate" from "we will investigate",
nor "the ICO is better placed" from "the Council is better placed". So a text
is read into what the comparison needs:

- **facts**: every number with its unit ("6 week", "£1000"), month, name
  ("Leeds", "Valuation"), decision reference and labelled person ("Mrs X")
  - each of the claim's must be in the passage;
- **frames**: each predicate of a closed legal vocabulary (investigate,
  uphold, fault, pay, apologise, better placed, appeal ...) with its
  polarity (negated or not), who does it (agent) and to whom (patient) -
  each of the claim's must be matched by one of the passage's with the same
  polarity and compatible roles;
- **modality**: hedges ("normally", "mainly"), possibility ("may", "might"),
  ability ("can", "could"), obligation ("must") and universal words
  ("never", "always", "any") - the claim may not add them, nor drop a hedge;
- **content words**: the claim's other content words must be found, allowing
  a small share (``min_support``) to differ, for synonyms and framing.

Deterministic regular expressions and tables, no model: microseconds a claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from retrieval.keywords import STOPWORDS

# Phrases read as one canonical form before tokens are cut (applied in order, lower case).
_PHRASES: tuple[tuple[str, str], ...] = (
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
_PERSON = re.compile(r"\b(Mr|Mrs|Ms|Miss|Dr)\.? ([A-Z])(?![A-Za-z])")
_TOKEN = re.compile(r"£?\d[\d,]*(?:\.\d+)?[a-z]?|[a-z]+(?:'s)?|[.;:!?,()]")
_REF = re.compile(r"\b(\d{2})[ -]?(\d{3})[ -]?(\d{3})([a-z]?)\b", re.I)
# Capitalised words that are not names in this corpus (and sentence openers).
_NOT_NAMES = frozenset(
    """the a an in on at of for to by this that these those it its he she his her they their we
    our i council councils ombudsman ombudsman's mr mrs ms miss dr care provider plan plans
    because as after before when while although however so but and or if also some any all
    according further someone complaints complaint appeals late there here what which who""".split()
)
_CAPITALISED = re.compile(r"[A-Z][a-zA-Z]+(?:-[A-Za-z]+)?")
_LABEL = re.compile(
    r"(?<![.!?]\s)(?<!^)(?<!\b(?:Mr|Ms|Dr))(?<!\bMrs)(?<!\bMiss)\s\(?([A-HJ-Z])\b(?![’'])"
)

_NEGATIONS = frozenset("not no never nor neither none nothing without".split())
_BE = frozenset("be been being is was were are".split())
_DETERMINERS = frozenset("the a an his her its their our this these those any".split())
_PREPOSITIONS = frozenset("to about of by with from for in on at into over under than".split())
# Where the subject of a predicate stops being looked for.
# Between a list's comma or "and" and its next verb ("and did not visit", ", and then took").
_AUXILIARIES = frozenset(
    "not also to then did does do has have had was were is are will would could can should".split()
)
# Prepositions a negation reaches across: "not to investigate", "no evidence of fault",
# "not at fault".
_SCOPE_PREPOSITIONS = frozenset("to of at".split())
_CLAUSE_WORDS = frozenset(
    "because but although however which while so if when since unless until whereas".split()
)
_PUNCTUATION = frozenset(".;:!?()")

# Words a claim may add or leave out: framing ("the decision said"), not a fact.
_FRAMING = STOPWORDS - {
    "investigate", "investigated", "investigation", "investigating",
    "complaint", "complaints", "complain", "complained", "no", "not",
} | frozenset(
    """decided decide explained stated concluded noted according found find finding therefore
    however also because whether thing things matter person people body""".split()
)  # fmt: skip

# The closed vocabulary of predicates whose polarity and roles are compared (stems).
_IRREGULAR = {
    "paid": "pay", "payment": "pay", "payments": "pay", "paying": "pay", "pays": "pay",
    "upheld": "uphold", "apology": "apologise", "denied": "deny", "denies": "deny",
    "refusal": "refuse", "removal": "remove", "retrain": "train", "training": "train",
    "knew": "know", "known": "know", "told": "tell", "gave": "give", "given": "give",
    "sent": "send", "took": "take", "taken": "take", "kept": "keep", "dealt": "deal",
    "children": "child", "complainant": "complainant", "give": "provide", "gives": "provide",
    "giving": "provide", "exercise": "use", "used": "use", "uses": "use", "using": "use",
    "added": "add", "adds": "add", "admitted": "admit", "admits": "admit", "led": "lead",
    "said": "say", "says": "say",
}  # fmt: skip
_SUFFIXES = ("ing", "ed", "es", "s", "e")
_PREDICATE_WORDS = """investigate consider uphold fault injustice apologise pay refund reimburse
    repay compensate review remind train assess reassess waive remove agree recommend appeal
    deny admit accept refuse delay premature late betterplaced discretion jurisdiction add
    outcome significant transfer provide issue complain follow know tell damage allow
    prevent power reasonable responsible correct wrong visit install send cause use backdate
    assist support complete proceed lead put close say explain state""".split()
# Reporting verbs: compared (who said it) only when the passage reports too.
_REPORTING = frozenset("say explain state".split())
_AL_NOUNS = frozenset("removal refusal approval withdrawal dismissal renewal denial".split())
_PASSIVE_IRREGULAR = frozenset("paid found made given told kept held sent done dealt".split())

_ACTORS = {
    "ombudsman": "ombudsman", "we": "ombudsman", "us": "ombudsman", "our": "ombudsman",
    "i": "ombudsman", "investigator": "ombudsman",
    "council": "council", "councils": "council", "authority": "council", "staff": "staff",
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
_IT_ACTORS = frozenset("council ico housingombudsman provider tribunal court ombudsman".split())
_KIN = frozenset("mother father son daughter child family".split())  # "her mother, Mrs G"
_POSSESSIVES = frozenset("his her its our their".split())
# Pronouns that are always the subject, and always an object, of their verb.
_NOMINATIVE = frozenset("we i he she it they".split())
_ACCUSATIVE = frozenset("us him them".split())

_NUMBER_WORDS = {
    w: str(n)
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
} | {"twenty": "20", "thirty": "30", "hundred": "100", "thousand": "1000", "twice": "2"}
_UNITS = {
    "day": "day", "days": "day", "week": "week", "weeks": "week", "month": "month",
    "months": "month", "year": "year", "years": "year", "hour": "hour", "hours": "hour",
}  # fmt: skip
_MONTHS = frozenset(
    "january february march april may june july august september october november december".split()
)
# Modal classes: a claim may not add any of them; the passage's hedges may not be dropped.
_MODAL_CLASSES = {
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
_KEEP_DROPPED = frozenset({"hedge", "possible"})  # a frame's, which a claim must keep
_ABLE = frozenset("can could able".split())


@dataclass(frozen=True)
class Token:
    word: str
    stem: str
    actor: str | None = None
    possessive: bool = False


@dataclass(frozen=True)
class Frame:
    """A predicate as used: "we will not investigate Mr X's complaint" →
    (invest, negated, agent ombudsman, patient person:mrx)."""

    stem: str
    negated: bool
    agent: str | None
    patient: str | None
    generic: bool = False  # "the Ombudsman does not investigate ..." (a rule, not this case)
    modal: frozenset[str] = frozenset()  # "we normally cannot investigate" → hedge, inability
    relative: bool = False  # in a clause like "the sheets she sent"
    reported: bool = False  # what someone complained or said, not what was found


@dataclass(frozen=True)
class Reading:
    terms: frozenset[str]
    facts: tuple[str, ...]  # in the order the text gives them, each once
    frames: tuple[Frame, ...]
    modal: frozenset[str]
    amounts: tuple[tuple[str | None, str], ...] = field(default=())
    polarity: frozenset[tuple[str, bool]] = frozenset()  # (term, negated) of every content word


def read(text: str) -> Reading:
    """What ``text`` says, in the form ``unsupported`` compares."""
    tokens = _tokens(text)
    words = [t.word for t in tokens]
    return Reading(
        terms=frozenset(t.stem for t in tokens if _is_content(t)),
        facts=tuple(dict.fromkeys([*_facts(words), *_names(text), *_refs(text)])),
        frames=tuple(_frames(tokens)),
        modal=_modal(words),
        amounts=tuple(_amounts(tokens)),
        polarity=frozenset(
            (t.stem, _negated(tokens, i)) for i, t in enumerate(tokens) if _is_content(t)
        ),
    )


def unsupported(claim: Reading, evidence: Reading, header: Reading, min_support: float) -> str:
    """Why ``evidence`` (with its ``header``: organisation and reference) does not say
    ``claim``; "" when it does."""
    missing = [f for f in claim.facts if f not in evidence.facts and f not in header.facts]
    if missing:
        return f"the passage does not say “{_shown(missing[0])}”"
    added = claim.modal - evidence.modal
    if added:
        return f"the passage does not say it with that certainty ({sorted(added)[0]})"
    for frame in claim.frames:
        if frame.stem in _REPORTING_STEMS and frame.stem not in {f.stem for f in evidence.frames}:
            continue  # "the decision says ...": the framing, not a fact
        if not any(_matches(frame, other) for other in evidence.frames):
            return _frame_gap(frame, evidence)
    for amount in claim.amounts:
        if not any(_amount_matches(amount, other) for other in evidence.amounts):
            return f"the passage does not give {amount[1]} to that person"
    flipped = _flipped(claim, evidence)
    if flipped:
        return f"the passage says the opposite about “{flipped}…”"
    terms = claim.terms - {f.stem for f in claim.frames}
    unknown = terms - evidence.terms - header.terms
    if terms and len(unknown) > len(terms) * (1 - min_support):
        return "the passage does not say most of it"
    return ""


def _flipped(claim: Reading, evidence: Reading) -> str:
    """A content word the claim asserts and the passage only denies, or the reverse
    ("the policies were clear" / "unclear policies")."""
    for term, negated in claim.polarity:
        seen = {n for t, n in evidence.polarity if t == term}
        if seen and negated not in seen:
            return term
    return ""


def _shown(fact: str) -> str:
    """A fact as the reader wrote it: "personmrsh" → "Mrs H"."""
    person = re.fullmatch(r"person(mr|mrs|ms|miss|dr)([a-z])", fact)
    return f"{person[1].title()} {person[2].upper()}" if person else fact


def _frame_gap(frame: Frame, evidence: Reading) -> str:
    same = [f for f in evidence.frames if f.stem == frame.stem]
    if not same:
        return f"the passage does not say “{frame.stem}…”"
    if all(f.negated != frame.negated for f in same):
        return f"the passage says the opposite about “{frame.stem}…”"
    if not any(_roles_agree(frame, f) for f in same):
        return f"the passage says someone else does “{frame.stem}…”"
    if all(f.reported and not frame.reported for f in same if _roles_agree(frame, f)):
        return f"the passage reports “{frame.stem}…” as a complaint, not a finding"
    return f"the passage qualifies “{frame.stem}…” differently"


def _matches(claim: Frame, evidence: Frame) -> bool:
    return (
        claim.stem == evidence.stem
        and claim.negated == evidence.negated
        and _roles_agree(claim, evidence)
        and (evidence.generic or not claim.generic)
        and (claim.reported or not evidence.reported)  # an allegation is not a finding
        and not (evidence.modal - claim.modal) & _KEEP_DROPPED
        and claim.modal <= evidence.modal | _KEEP_DROPPED
    )


def _roles_agree(claim: Frame, evidence: Frame) -> bool:
    return _compatible(claim.agent, evidence.agent) and _compatible(claim.patient, evidence.patient)


def _compatible(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return True
    names_a, names_b = set(a.split("|")), set(b.split("|"))
    if names_a & names_b or {a, b} == {"council", "staff"}:
        return True  # the same one (or an apposition: "her mother, Mrs G"); a council's staff
    if "org" in (a, b):
        return bool((names_a | names_b) & _IT_ACTORS)  # an unresolved "it" is an organisation
    # "the complainant" / "she" is whoever the passage names, or one of their family.
    return "person" in (a, b) and all("person" in x or x in _KIN for x in (a, b))


def _amount_matches(claim: tuple[str | None, str], evidence: tuple[str | None, str]) -> bool:
    return claim[1] == evidence[1] and _compatible(claim[0], evidence[0])


# --- reading -------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    text = _PERSON.sub(lambda m: f"person{m[1].lower()}{m[2].lower()}", text)
    text = _REF.sub(" ", text.lower())
    for pattern, replacement in _PHRASES:
        text = re.sub(pattern, replacement, text)
    return text


def _tokens(text: str) -> list[Token]:
    tokens: list[Token] = []
    last_organisation: str | None = None
    for raw in _TOKEN.findall(_normalise(text)):
        possessive = raw.endswith("'s")
        word = raw[:-2] if possessive else raw
        word = _NUMBER_WORDS.get(word, word)
        actor = _actor(word, last_organisation)
        if actor in _IT_ACTORS and word not in ("we", "us", "our", "i"):
            last_organisation = actor
        tokens.append(Token(word, _stem(word), actor, possessive or word in _POSSESSIVES))
    return _without_expletives(_with_appositions(tokens))


def _without_expletives(tokens: list[Token]) -> list[Token]:
    """ "It is reasonable for Mr X to appeal": that "it" stands for nothing."""
    return [
        Token(t.word, t.stem) if t.word == "it" and nxt.word in ("is", "was") else t
        for t, nxt in zip(tokens, [*tokens[1:], Token("", "")], strict=True)
    ]


def _with_appositions(tokens: list[Token]) -> list[Token]:
    """ "her mother, Mrs G," names one person twice: both tokens get both names."""
    for i in range(len(tokens) - 2):
        kin, comma, label = tokens[i], tokens[i + 1], tokens[i + 2]
        if kin.actor in _KIN and comma.word == "," and (label.actor or "").startswith("person:"):
            both = f"{kin.actor}|{label.actor}"
            tokens[i] = Token(kin.word, kin.stem, both, kin.possessive)
            tokens[i + 2] = Token(label.word, label.stem, both, label.possessive)
    return tokens


def _actor(word: str, last_organisation: str | None) -> str | None:
    if word.startswith("person") and len(word) > 6:
        return f"person:{word[6:]}"
    if word in ("it", "its"):
        return last_organisation or "org"  # "It apologised": the organisation just named
    return _ACTORS.get(word)


def _stem(word: str) -> str:
    """Six letters after a light suffix strip, so "delayed", "delays" and "delay" meet."""
    word = _IRREGULAR.get(word, word)
    if word[:1].isdigit() or word.startswith("£"):
        return word.replace(",", "")
    if word.startswith("person"):
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)][:6]
    return word[:6]


_PREDICATES = frozenset(_stem(word) for word in _PREDICATE_WORDS)
_REPORTING_STEMS = frozenset(_stem(word) for word in _REPORTING)


def _is_content(token: Token) -> bool:
    return (
        token.word not in _FRAMING
        and token.actor is None
        and len(token.word) > 2
        and token.word[0].isalpha()
    )


def _modal(words: list[str]) -> frozenset[str]:
    found = {c for c, members in _MODAL_CLASSES.items() if members & set(words)}
    pairs = pairwise(words)
    if any((a in _ABLE and b == "not") or (a == "not" and b in _ABLE) for a, b in pairs):
        found.add("inability")
    return frozenset(found)


def _facts(words: list[str]) -> list[str]:
    facts = []
    for i, word in enumerate(words):
        if word[:1].isdigit() or word.startswith("£"):
            number = word.replace(",", "")
            unit = _UNITS.get(words[i + 1], "") if i + 1 < len(words) else ""
            facts.append(f"{number} {unit}".strip())
        elif (word in _MONTHS and word != "may") or (word.startswith("person") and len(word) > 6):
            facts.append(word)  # "may" is a modal far more often than a month
    return facts


def _names(text: str) -> list[str]:
    """Capitalised words that name something ("Leeds", "Valuation"), lower-cased, and
    one-letter labels inside a sentence ("band B", "her son (Y)")."""
    names = [f"label {m[1].lower()}" for m in _LABEL.finditer(text)]
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        words = _CAPITALISED.findall(sentence)
        for match in _CAPITALISED.finditer(sentence):
            word = match.group(0).lower()
            opener = match.start() == 0
            if word in _NOT_NAMES or word in _ACTORS or (opener and len(words) < 2):
                continue
            if opener and not sentence[match.end() :].lstrip()[:1].isupper():
                continue  # a sentence's first word is a name only when one follows it
            names.append(word.removesuffix("'s"))
    return names


def _refs(text: str) -> list[str]:
    return [f"{a} {b} {c}{d.lower()}" for a, b, c, d in _REF.findall(text)]


def _frames(tokens: list[Token]) -> list[Frame]:
    frames: list[Frame] = []
    reporting = False  # inside what someone complained or said
    for i, token in enumerate(tokens):
        if token.word in _PUNCTUATION - {":"} or token.word in _CLAUSE_WORDS:
            reporting = False
        reporting = reporting or token.word in ("alleged", "allegedly")
        if token.stem in _PREDICATES and token.actor is None:
            passive, noun = _is_passive(tokens, i), _is_noun(token.word)
            by_agent = _by_agent(tokens, i)
            left = _owner(tokens, i) if noun else _left_actor(tokens, i)
            negated = _negated(tokens, i)
            if frames and not negated and _after(tokens, i) in ("or", "nor"):
                negated = frames[-1].negated  # "did not explain X or explain Y"
            agent = by_agent if passive or by_agent else left
            if agent is None and _coordinated(tokens, i):
                # "delayed ... and failed to provide": one subject (not a relative clause's)
                agent = next((f.agent for f in reversed(frames) if not f.relative), None)
            patient = left if passive else _right_actor(tokens, i)
            frames.append(
                Frame(
                    token.stem, negated, agent, patient, _generic(tokens, i),
                    frozenset() if noun else _clause_modal(tokens, i),
                    _in_contact_clause(tokens, i), reporting,
                )
            )  # fmt: skip
            reporting = reporting or _reports(tokens, i)
    return frames


def _reports(tokens: list[Token], i: int) -> bool:
    """ "Mr X complained (that) ...", "she says ...", "the complaint that ..."."""
    word = tokens[i].word
    following = [t.word for t in tokens[i + 1 : i + 3]] + ["", ""]
    if word.startswith("complaint"):
        return following[0] == "that" or (following[0] in ("is", "was") and following[1] == "that")
    return tokens[i].stem in _REPORTING_STEMS | {_stem("complain")} and following[0] != "about"


def _is_noun(word: str) -> bool:
    """ "complaint", "investigation", "payment": their actor is an owner, not a subject."""
    nominal = word.endswith(("tion", "tions", "ment", "ments")) or word in _AL_NOUNS
    return word.startswith("complaint") or nominal


def _owner(tokens: list[Token], i: int) -> str | None:
    """ "Mr X's complaint", "the Council's own investigation"."""
    return next((t.actor for t in tokens[max(0, i - 3) : i] if t.possessive and t.actor), None)


def _after(tokens: list[Token], i: int) -> str:
    """The word a predicate follows, past its auxiliaries ("and" in "and did not visit")."""
    j = i - 1
    while j >= 0 and tokens[j].word in _AUXILIARIES:
        j -= 1
    return tokens[j].word if j >= 0 else ""


def _coordinated(tokens: list[Token], i: int) -> bool:
    """Whether the predicate continues a list of verbs ("..., backdate", "and to review")."""
    j = i - 1
    while j >= 0 and tokens[j].word in _AUXILIARIES:
        j -= 1
    if j >= 1 and tokens[j].word == "," and tokens[j - 1].actor:
        return False  # "her mother, Mrs G, would not have to pay": an apposition ends
    # "closed her case without telling her": the one who closed it did not tell.
    return j >= 0 and tokens[j].word in (",", "and", "or", "without")


def _in_contact_clause(tokens: list[Token], i: int) -> bool:
    """ "the diary sheets she sent": a pronoun right after a noun, then the predicate."""
    return (
        i >= 2
        and tokens[i - 1].word in _NOMINATIVE
        and tokens[i - 2].actor is None
        and tokens[i - 2].word[:1].isalpha()
        and tokens[i - 2].word not in _CLAUSE_WORDS | _AUXILIARIES | {"that", "and", "or"}
    )


def _clause_modal(tokens: list[Token], i: int) -> frozenset[str]:
    """The modal words of the predicate's clause before it ("we normally cannot investigate")."""
    start = i
    while start > 0 and i - start < 5 and not _ends_clause(tokens[start - 1].word):
        start -= 1
    return _modal([t.word for t in tokens[start : i + 1]])


def _ends_clause(word: str) -> bool:
    return word in _PUNCTUATION or word in _CLAUSE_WORDS or word == ","


def _is_passive(tokens: list[Token], i: int) -> bool:
    word = tokens[i].word
    participle = word.endswith("ed") or word in _PASSIVE_IRREGULAR
    before = [t.word for t in tokens[max(0, i - 2) : i] if t.word not in ("not", "also")]
    return participle and bool(before) and before[-1] in _BE


def _by_agent(tokens: list[Token], i: int) -> str | None:
    """ "investigation carried out by the Council" → council."""
    for j in range(i + 1, min(len(tokens), i + 5)):
        if tokens[j].word in _PUNCTUATION:
            return None
        if tokens[j].word == "by":
            return next((t.actor for t in tokens[j + 1 : j + 4] if t.actor), None)
    return None


def _left_actor(tokens: list[Token], i: int) -> str | None:
    """The subject: the nearest actor before the word in its clause that is not itself the
    object of a verb or preposition ("agreed to apologise to Mrs H and pay" → the Council);
    a possessive counts only for the noun it is next to ("Mr X's complaint"). A list of
    verbs ("and failed to provide") takes its subject from the first (``_frames``)."""
    if _coordinated(tokens, i):
        return None
    for j in range(i - 1, -1, -1):
        token = tokens[j]
        if token.word in _PUNCTUATION or token.word in _CLAUSE_WORDS:
            return None
        if not token.actor:
            continue
        if token.possessive:
            if i - j == 1:
                return token.actor  # "the Council's delay"
            continue  # "closed Mrs H's case without telling": Mrs H owns the case
        if _subject_of_infinitive(tokens, j) or _next_to(tokens, j, i):
            return token.actor  # "for Mr X to appeal", "complained the provider only provided"
        if token.word in _NOMINATIVE or not (token.word in _ACCUSATIVE or _governed(tokens, j)):
            return token.actor
    return None


def _next_to(tokens: list[Token], j: int, i: int) -> bool:
    """An actor just before the predicate is its subject even after a verb ("complained the
    provider only provided"), but not after a preposition ("to the Ombudsman too late")."""
    between = [t.word for t in tokens[j + 1 : i]]
    return (
        len(between) <= 3
        and all(w in _AUXILIARIES or w.endswith("ly") or w == "only" for w in between)
        and tokens[j].word not in _ACCUSATIVE
        and _governor(tokens, j) not in _PREPOSITIONS
    )


def _subject_of_infinitive(tokens: list[Token], j: int) -> bool:
    following = tokens[j + 1].word if j + 1 < len(tokens) else ""
    return j > 0 and tokens[j - 1].word == "for" and following == "to"


def _governed(tokens: list[Token], j: int) -> bool:
    """Whether the actor at ``j`` is the object of a preposition or verb ("to the Council")."""
    governor = _governor(tokens, j)
    return governor in _PREPOSITIONS or _stem(governor) in _PREDICATES


def _governor(tokens: list[Token], j: int) -> str:
    """The word before the actor's determiners ("to" in "to the Council")."""
    k = j - 1
    while k >= 0 and tokens[k].word in _DETERMINERS:
        k -= 1
    return tokens[k].word if k >= 0 else ""


def _right_actor(tokens: list[Token], i: int) -> str | None:
    """The object: the first actor after the word, before its clause (or the next
    predicate) begins."""
    following = tokens[i + 1 : i + 7]
    for token, after in zip(following, [*following[1:], Token("", "")], strict=True):
        if _ends_clause(token.word) or token.word == "by" or token.stem in _PREDICATES:
            return None
        if (
            token.actor
            and token.word not in ("it", "its")
            and not (token.possessive and after.actor)
        ):
            return token.actor  # "provide her son with", "for Mrs Y's daughter": the child
    return None


def _negated(tokens: list[Token], i: int) -> bool:
    """Whether an odd number of negations reach this word: a negation covers the words
    after it up to a clause end or a prepositional phrase ("not add to the investigation"
    negates "add", not "investigation")."""
    count = 0
    for j in range(i - 1, max(-1, i - 7), -1):
        word = tokens[j].word
        if word in _PUNCTUATION or word in _CLAUSE_WORDS or word in (",", "and", "that"):
            break
        if word in _NEGATIONS:
            count += 1
            continue
        following = tokens[j + 1].word
        if tokens[j].stem in _PREDICATES and following not in ("or", "nor"):
            break  # the negation is that predicate's ("not investigate Mr X's complaint")
        if word in _PREPOSITIONS and (word not in _SCOPE_PREPOSITIONS or following in _DETERMINERS):
            break  # "not act on alleged noise caused by": the noise is not negated
    return count % 2 == 1


def _generic(tokens: list[Token], i: int) -> bool:
    """A rule in the present tense ("the Ombudsman does not investigate ...")."""
    return bool({"does", "do"} & {t.word for t in tokens[max(0, i - 2) : i]})


def _amounts(tokens: list[Token]) -> list[tuple[str | None, str]]:
    """(who, £amount): "pay Mrs Y £500 and Mr X £150" gives each their own amount."""
    found = []
    for i, token in enumerate(tokens):
        if token.word.startswith("£"):
            who = next((t.actor for t in reversed(tokens[max(0, i - 2) : i]) if t.actor), None)
            found.append((who, token.stem))
    return found
