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
  inability ("cannot"), obligation ("must") and universal words ("never",
  "always", "any") - the claim may not add them, nor drop a frame's hedge;
- **reported speech**: what someone complained of or said is not a finding;
- **content words**: the claim's other content words must be found, allowing
  a small share (``min_support``) to differ, for synonyms and framing.

Deterministic regular expressions and tables (retrieval.check.claim_words), frames
by rules of thumb (retrieval.check.claim_frames), no model: about a millisecond a claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from retrieval.check import claim_words as w
from retrieval.check.claim_frames import (
    Frame,
    Token,
    find_frames,
    is_content,
    is_negated,
    read_tokens,
)


@dataclass(frozen=True)
class Reading:
    terms: frozenset[str]
    facts: tuple[str, ...]  # in the order the text gives them, each once
    frames: tuple[Frame, ...]
    modal: frozenset[str]
    amounts: tuple[tuple[str | None, str], ...] = field(default=())
    polarity: frozenset[tuple[str, bool]] = frozenset()  # (term, negated) of every content word
    actors: frozenset[str] = frozenset()  # who the text names: "council", "staff", "person:mrx"
    clauses: tuple[tuple[str, ...], ...] = ()  # the content words of each clause, in order
    complements: tuple[str, ...] = ()  # what something is said to be: "was not successful"


def read(text: str) -> Reading:
    """What ``text`` says, in the form ``unsupported`` compares."""
    tokens = read_tokens(text)
    words = [t.word for t in tokens]
    return Reading(
        terms=frozenset(t.stem for t in tokens if is_content(t)),
        facts=tuple(dict.fromkeys([*_facts(words), *_names(text), *_refs(text)])),
        frames=tuple(find_frames(tokens)),
        modal=w.modal_classes(words),
        amounts=tuple(_amounts(tokens)),
        polarity=frozenset(
            (t.stem, is_negated(tokens, i)) for i, t in enumerate(tokens) if is_content(t)
        ),
        actors=frozenset(t.actor for t in tokens if t.actor),
        clauses=tuple(_clauses(tokens)),
        complements=tuple(_complements(tokens)),
    )


# Verbs that report what someone complained of or said.
_REPORTING = w.REPORTING_STEMS | {w.stem("complain")}


def reports(claim: Reading) -> bool:
    """Whether the claim says what someone complained of or said ("Mr X complained that")."""
    return any(f.reported or f.stem in _REPORTING for f in claim.frames)


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
        if frame.stem in w.REPORTING_STEMS and frame.stem not in {f.stem for f in evidence.frames}:
            continue  # "the decision says ...": the framing, not a fact
        if not any(_matches(frame, other) for other in evidence.frames):
            return _frame_gap(frame, evidence)
    for amount in claim.amounts:
        if not any(_amount_matches(amount, other) for other in evidence.amounts):
            return f"the passage does not give {amount[1]} to that person"
    stranger = _stranger(claim, evidence, header)
    if stranger:
        return f"the passage does not mention “{_shown(stranger)}”"
    invented = _invented_clause(claim, evidence, header)
    if invented:
        return f"the passage does not say “{invented}…”"
    unsaid = [c for c in claim.complements if c not in evidence.terms | header.terms]
    if unsaid:
        return f"the passage does not say it was “{unsaid[0]}…”"
    flipped = _flipped(claim, evidence)
    if flipped:
        return f"the passage says the opposite about “{flipped}…”"
    terms = claim.terms - {f.stem for f in claim.frames}
    unknown = terms - evidence.terms - header.terms
    if terms and len(unknown) > len(terms) * (1 - min_support):
        return "the passage does not say most of it"
    return ""


# The Ombudsman speaks in every decision ("the Ombudsman found ..." of a summary that
# never says "we"), every complaint has a complainant ("the parent's complaint"), and an
# unresolved "it" names no one. Named people are facts, checked as such.
_ALWAYS_THERE = frozenset({"ombudsman", "person", "org"})


def _stranger(claim: Reading, evidence: Reading, header: Reading) -> str:
    """An actor the claim names that the passage does not ("the council officer was rude"
    of a passage about a councillor)."""
    present = evidence.actors | header.actors
    for actor in sorted(claim.actors - _ALWAYS_THERE):
        if not any(_compatible(actor, other) for other in present):
            return actor
    return ""


def _clauses(tokens: list[Token]) -> list[tuple[str, ...]]:
    """The content words of each clause: split at punctuation, commas and clause words
    ("the officer was rude to you, and we will not investigate because ...")."""
    clauses: list[tuple[str, ...]] = [()]
    for token in tokens:
        if token.word in w.PUNCTUATION or token.word in w.CLAUSE_WORDS or token.word == ",":
            clauses.append(())
        elif is_content(token):
            clauses[-1] += (token.stem,)
    return [clause for clause in clauses if clause]


def _complements(tokens: list[Token]) -> list[str]:
    """The word after "is" / "was" (past "not" and adverbs) that says what something is
    ("the transition was not fully successful"): the claim's assertion, which the share of
    words allowed to differ must not cover."""
    found = []
    for i, token in enumerate(tokens):
        if token.word not in w.BE:
            continue
        j = i + 1
        while j < len(tokens) and (
            tokens[j].word in w.AUXILIARIES or tokens[j].word.endswith("ly")
        ):
            j += 1
        if j < len(tokens) and is_content(tokens[j]) and tokens[j].word not in _RELATIONS:
            found.append(tokens[j].stem)
    return found


# Words after "was" that relate it to something rather than say what it is ("was against
# the Council", "is about a grant"): what follows them is checked as content words.
_RELATIONS = w.PREPOSITIONS | frozenset(
    "against within without between after before during through towards until since".split()
)


def _invented_clause(claim: Reading, evidence: Reading, header: Reading) -> str:
    """The first word of a clause none of whose content words the passage has: the share of
    words allowed to differ is for synonyms, not for a statement of its own."""
    known = evidence.terms | header.terms
    return next((clause[0] for clause in claim.clauses if not set(clause) & known), "")


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
    person = re.fullmatch(r"person:?(mr|mrs|ms|miss|dr)([a-z])", fact)
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
        and claim.conditional == evidence.conditional  # nor a supposition a fact
        and not (evidence.modal - claim.modal) & w.KEEP_DROPPED
        and claim.modal <= evidence.modal | w.KEEP_DROPPED
    )


def _roles_agree(claim: Frame, evidence: Frame) -> bool:
    return (
        _compatible(claim.agent, evidence.agent)
        and _compatible(claim.patient, evidence.patient)
        # "on behalf of Mrs X" is said only by a passage that says for whom
        and (
            claim.behalf is None
            or (evidence.behalf is not None and _compatible(claim.behalf, evidence.behalf))
        )
    )


def _compatible(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return True
    names_a, names_b = set(a.split("|")), set(b.split("|"))
    if names_a & names_b or {a, b} == {"council", "staff"}:
        return True  # the same one (or an apposition: "her mother, Mrs G"); a council's staff
    if "org" in (a, b):
        return bool((names_a | names_b) & w.IT_ACTORS)  # an unresolved "it" is an organisation
    # "the complainant" / "she" is whoever the passage names, or one of their family.
    return "person" in (a, b) and all("person" in x or x in w.KIN for x in (a, b))


def _amount_matches(claim: tuple[str | None, str], evidence: tuple[str | None, str]) -> bool:
    return claim[1] == evidence[1] and _compatible(claim[0], evidence[0])


def _facts(words: list[str]) -> list[str]:
    facts = []
    for i, word in enumerate(words):
        if word[:1].isdigit() or word.startswith("£"):
            number = word.replace(",", "")
            unit = w.UNITS.get(words[i + 1], "") if i + 1 < len(words) else ""
            facts.append(f"{number} {unit}".strip())
        elif (word in w.MONTHS and word != "may") or (word.startswith("person") and len(word) > 6):
            facts.append(word)  # "may" is a modal far more often than a month
    return facts


def _names(text: str) -> list[str]:
    """Capitalised words that name something ("Leeds", "Valuation"), lower-cased, and
    one-letter labels inside a sentence ("band B", "her son (Y)")."""
    names = [f"label {m[1].lower()}" for m in w.LABEL.finditer(text)]
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        words = w.CAPITALISED.findall(sentence)
        for match in w.CAPITALISED.finditer(sentence):
            word = match.group(0).lower()
            opener = match.start() == 0
            if word in w.NOT_NAMES or word in w.ACTORS or (opener and len(words) < 2):
                continue
            if opener and not sentence[match.end() :].lstrip()[:1].isupper():
                continue  # a sentence's first word is a name only when one follows it
            names.append(word.removesuffix("'s"))
    return names


def _refs(text: str) -> list[str]:
    return [f"{a} {b} {c}{d.lower()}" for a, b, c, d in w.REF.findall(text)]


def _amounts(tokens: list[Token]) -> list[tuple[str | None, str]]:
    """(who, £amount): "pay Mrs Y £500 and Mr X £150" gives each their own amount."""
    found = []
    for i, token in enumerate(tokens):
        if token.word.startswith("£"):
            who = next((t.actor for t in reversed(tokens[max(0, i - 2) : i]) if t.actor), None)
            found.append((who, token.stem))
    return found
