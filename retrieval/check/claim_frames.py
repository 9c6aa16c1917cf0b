"""Predicates in a sentence, with their polarity and actors (retrieval.check.support reads with it).

"We will not investigate Mr X's complaint" → a frame (investigate, negated,
agent the Ombudsman, patient Mr X). Rules of thumb for English as decisions
write it, not a parser: the subject is the nearest actor before the predicate
in its clause that no verb or preposition governs; "by X" names the agent of a
passive or a nominalisation; a list of verbs shares its subject, and so do the
items of a list after "the Council:"; "on behalf of X" names for whom; a negation
reaches the predicate after it and those coordinated with "or", but not what
follows a prepositional phrase; "it" is the organisation last named; what
someone complained of or said is marked as reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.check import claim_words as w


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
    conditional: bool = False  # "even if I could say ...": supposed, not said
    behalf: str | None = None  # "complains on behalf of Miss C": for whom it is done


def _normalise(text: str) -> str:
    text = w.PERSON.sub(lambda m: f"person{m[1].lower()}{m[2].lower()}", text)
    text = w.REF.sub(" ", text.lower())
    for pattern, replacement in w.PHRASES:
        text = re.sub(pattern, replacement, text)
    return text


def read_tokens(text: str) -> list[Token]:
    tokens: list[Token] = []
    last_organisation: str | None = None
    for raw in w.TOKEN.findall(_normalise(text)):
        possessive = raw.endswith("'s")
        word = raw[:-2] if possessive else raw
        word = w.NUMBER_WORDS.get(word, word)
        actor = _actor(word, last_organisation)
        if word in ("decision", "statement") and not (tokens and tokens[-1].possessive):
            actor = "ombudsman"  # "the decision agreed ...": the Ombudsman speaking, not a council
        if actor in w.IT_ACTORS and word not in ("we", "us", "our", "i"):
            last_organisation = actor
        tokens.append(Token(word, w.stem(word), actor, possessive or word in w.POSSESSIVES))
    return _without_expletives(_with_appositions(tokens))


def _without_expletives(tokens: list[Token]) -> list[Token]:
    """ "It is reasonable for Mr X to appeal": that "it" stands for nothing."""
    return [
        Token(t.word, t.stem) if t.word == "it" and nxt.word in ("is", "was") else t
        for t, nxt in _with_next(tokens)
    ]


def _with_next(tokens: list[Token]) -> list[tuple[Token, Token]]:
    """Each token with the one after it (an empty token after the last)."""
    return list(zip(tokens, [*tokens[1:], Token("", "")][: len(tokens)], strict=True))


def _with_appositions(tokens: list[Token]) -> list[Token]:
    """ "her mother, Mrs G," names one person twice: both tokens get both names."""
    for i in range(len(tokens) - 2):
        kin, comma, label = tokens[i], tokens[i + 1], tokens[i + 2]
        if kin.actor in w.KIN and comma.word == "," and (label.actor or "").startswith("person:"):
            both = f"{kin.actor}|{label.actor}"
            tokens[i] = Token(kin.word, kin.stem, both, kin.possessive)
            tokens[i + 2] = Token(label.word, label.stem, both, label.possessive)
    return tokens


def _actor(word: str, last_organisation: str | None) -> str | None:
    if word.startswith("person") and len(word) > 6:
        return f"person:{word[6:]}"
    if word in ("it", "its"):
        return last_organisation or "org"  # "It apologised": the organisation just named
    return w.ACTORS.get(word)


def is_content(token: Token) -> bool:
    return (
        token.word not in w.FRAMING
        and token.actor is None
        and len(token.word) > 2
        and token.word[0].isalpha()
    )


def find_frames(tokens: list[Token]) -> list[Frame]:
    frames: list[Frame] = []
    reporting = False  # inside what someone complained or said
    conditional = False  # inside an "if" clause, up to its comma
    listing: _List | None = None  # "he says the Council: • owes ...; • refused to ..."
    for i, token in enumerate(tokens):
        if token.word == ":":
            before = tokens[i - 1] if i else Token("", "")
            listing = _List(None if before.possessive else before.actor, reporting)
        elif token.word in w.PUNCTUATION - {";"} and not _item_number(tokens, i):
            listing = None
        if token.word in w.PUNCTUATION - {":"} or token.word in w.CLAUSE_WORDS:
            reporting = listing is not None and listing.reported  # every item is his account
        if token.word in w.PUNCTUATION or token.word == ",":
            conditional = False
        conditional = conditional or token.word in ("if", "unless")
        reporting = reporting or token.word in ("alleged", "allegedly")
        if token.stem in w.PREDICATES and token.actor is None:
            passive, noun = _is_passive(tokens, i), _is_noun(token.word)
            by_agent = _by_agent(tokens, i)
            left = _owner(tokens, i) if noun else _left_actor(tokens, i)
            negated = is_negated(tokens, i)
            if frames and not negated and _after(tokens, i) in ("or", "nor"):
                negated = frames[-1].negated  # "did not explain X or explain Y"
            agent = by_agent if passive or by_agent else left
            if agent is None and _coordinated(tokens, i):
                # "delayed ... and failed to provide": one subject (not a relative clause's)
                agent = next((f.agent for f in reversed(frames) if not f.relative), None)
            if agent is None and not passive and listing and _opens_item(tokens, i):
                agent = listing.subject  # each item of the list says what its subject did
            patient = left if passive else _right_actor(tokens, i)
            frames.append(
                Frame(
                    token.stem, negated, agent, patient, _generic(tokens, i),
                    frozenset() if noun else _clause_modal(tokens, i),
                    _in_contact_clause(tokens, i), reporting, conditional and not noun,
                    _behalf(tokens, i),
                )
            )  # fmt: skip
            reporting = reporting or _reports(tokens, i)
    return frames


@dataclass(frozen=True)
class _List:
    """A list after a lead-in ending in ":": the subject its items share ("the Council:")
    and whether the lead-in reports what someone says ("He says the Council:")."""

    subject: str | None
    reported: bool


def _item_number(tokens: list[Token], i: int) -> bool:
    """ "the Council: 1. failed to ...; 2. failed to ...": the full stop of an item's number."""
    return (
        tokens[i].word == "."
        and i >= 2
        and tokens[i - 1].word.isdigit()
        and tokens[i - 2].word in (":", ";", ",", "and")
    )


def _opens_item(tokens: list[Token], i: int) -> bool:
    """Whether the predicate begins an item of a list ("; • wrongly says", ": 1. failed to")."""
    j = i - 1
    while j >= 0 and (
        tokens[j].word in w.AUXILIARIES | {".", ",", "and"}
        or tokens[j].word.isdigit()
        or tokens[j].word.endswith("ly")
    ):
        j -= 1
    return j >= 0 and tokens[j].word in (":", ";")


def _behalf(tokens: list[Token], i: int) -> str | None:
    """For whom the predicate is done: the actor after "on behalf of" in its clause, on
    either side ("Mrs X complains, on behalf of Miss C, ...")."""
    sides = (range(i + 1, min(len(tokens), i + 6)), range(i - 1, max(-1, i - 6), -1))
    for side in sides:
        for j in side:
            if tokens[j].word in w.PUNCTUATION or tokens[j].word in w.CLAUSE_WORDS:
                break
            if tokens[j].word == "onbehalfof":
                return next((t.actor for t in tokens[j + 1 : j + 4] if t.actor), None)
    return None


def _reports(tokens: list[Token], i: int) -> bool:
    """ "Mr X complained (that) ...", "she says ...", "the complaint that ..."."""
    word = tokens[i].word
    following = [t.word for t in tokens[i + 1 : i + 3]] + ["", ""]
    if word.startswith("complaint"):
        return following[0] == "that" or (following[0] in ("is", "was") and following[1] == "that")
    return tokens[i].stem in w.REPORTING_STEMS | {w.stem("complain")} and following[0] != "about"


def _is_noun(word: str) -> bool:
    """ "complaint", "investigation", "payment": their actor is an owner, not a subject."""
    nominal = word.endswith(("tion", "tions", "ment", "ments")) or word in w.AL_NOUNS
    return word.startswith("complaint") or nominal


def _owner(tokens: list[Token], i: int) -> str | None:
    """ "Mr X's complaint", "the Council's own investigation"."""
    return next((t.actor for t in tokens[max(0, i - 3) : i] if t.possessive and t.actor), None)


def _after(tokens: list[Token], i: int) -> str:
    """The word a predicate follows, past its auxiliaries ("and" in "and did not visit")."""
    j = i - 1
    while j >= 0 and tokens[j].word in w.AUXILIARIES:
        j -= 1
    return tokens[j].word if j >= 0 else ""


def _coordinated(tokens: list[Token], i: int) -> bool:
    """Whether the predicate continues a list of verbs ("..., backdate", "and to review")."""
    j = i - 1
    while j >= 0 and tokens[j].word in w.AUXILIARIES:
        j -= 1
    if j >= 1 and tokens[j].word == "," and tokens[j - 1].actor:
        return False  # "her mother, Mrs G, would not have to pay": an apposition ends
    # "closed her case without telling her": the one who closed it did not tell.
    return j >= 0 and tokens[j].word in (",", "and", "or", "without")


def _in_contact_clause(tokens: list[Token], i: int) -> bool:
    """ "the diary sheets she sent": a pronoun right after a noun, then the predicate."""
    return (
        i >= 2
        and tokens[i - 1].word in w.NOMINATIVE
        and tokens[i - 2].actor is None
        and tokens[i - 2].word[:1].isalpha()
        and tokens[i - 2].word not in w.CLAUSE_WORDS | w.AUXILIARIES | {"that", "and", "or"}
    )


def _clause_modal(tokens: list[Token], i: int) -> frozenset[str]:
    """The modal words of the predicate's clause before it ("we normally cannot investigate")."""
    start = i
    while start > 0 and i - start < 5 and not _ends_clause(tokens[start - 1].word):
        start -= 1
    return w.modal_classes([t.word for t in tokens[start : i + 1]])


def _ends_clause(word: str) -> bool:
    return word in w.PUNCTUATION or word in w.CLAUSE_WORDS or word == ","


def _is_passive(tokens: list[Token], i: int) -> bool:
    word = tokens[i].word
    participle = word.endswith("ed") or word in w.PASSIVE_IRREGULAR
    before = [t.word for t in tokens[max(0, i - 2) : i] if t.word not in ("not", "also")]
    return participle and bool(before) and before[-1] in w.BE


def _by_agent(tokens: list[Token], i: int) -> str | None:
    """ "investigation carried out by the Council" → council."""
    for j in range(i + 1, min(len(tokens), i + 5)):
        if tokens[j].word in w.PUNCTUATION:
            return None
        if tokens[j].word == "by":
            return next((t.actor for t in tokens[j + 1 : j + 4] if t.actor), None)
    return None


def _left_actor(tokens: list[Token], i: int) -> str | None:
    """The subject: the nearest actor before the word in its clause that is not itself the
    object of a verb or preposition ("agreed to apologise to Mrs H and pay" → the Council);
    a possessive counts only for the noun it is next to ("Mr X's complaint"). A list of
    verbs ("and failed to provide") takes its subject from the first (``frames``)."""
    if _coordinated(tokens, i):
        return None
    for j in range(i - 1, -1, -1):
        token = tokens[j]
        if token.word in w.PUNCTUATION or token.word in w.CLAUSE_WORDS:
            return None
        if not token.actor:
            continue
        if token.possessive:
            if i - j == 1:
                return token.actor  # "the Council's delay"
            continue  # "closed Mrs H's case without telling": Mrs H owns the case
        if _subject_of_infinitive(tokens, j) or _next_to(tokens, j, i):
            return token.actor  # "for Mr X to appeal", "complained the provider only provided"
        if token.word in w.NOMINATIVE or not (token.word in w.ACCUSATIVE or _governed(tokens, j)):
            return token.actor
    return None


def _next_to(tokens: list[Token], j: int, i: int) -> bool:
    """An actor just before the predicate is its subject even after a verb ("complained the
    provider only provided"), but not after a preposition ("to the Ombudsman too late")."""
    between = [t.word for t in tokens[j + 1 : i]]
    return (
        len(between) <= 3
        and all(b in w.AUXILIARIES or b.endswith("ly") or b == "only" for b in between)
        and tokens[j].word not in w.ACCUSATIVE
        and _governor(tokens, j) not in w.PREPOSITIONS
    )


def _subject_of_infinitive(tokens: list[Token], j: int) -> bool:
    following = tokens[j + 1].word if j + 1 < len(tokens) else ""
    return j > 0 and tokens[j - 1].word == "for" and following == "to"


def _governed(tokens: list[Token], j: int) -> bool:
    """Whether the actor at ``j`` is the object of a preposition or verb ("to the Council")."""
    governor = _governor(tokens, j)
    return governor in w.PREPOSITIONS or w.stem(governor) in w.PREDICATES


def _governor(tokens: list[Token], j: int) -> str:
    """The word before the actor's determiners ("to" in "to the Council")."""
    k = j - 1
    while k >= 0 and tokens[k].word in w.DETERMINERS:
        k -= 1
    return tokens[k].word if k >= 0 else ""


def _right_actor(tokens: list[Token], i: int) -> str | None:
    """The object: the first actor after the word, before its clause (or the next
    predicate) begins."""
    following = tokens[i + 1 : i + 7]
    for token, after in _with_next(following):
        if _ends_clause(token.word) or token.word in ("by", "onbehalfof"):
            return None
        if token.stem in w.PREDICATES:
            return None
        if (
            token.actor
            and token.word not in ("it", "its")
            and not (token.possessive and after.actor)
        ):
            return token.actor  # "provide her son with", "for Mrs Y's daughter": the child
    return None


def is_negated(tokens: list[Token], i: int) -> bool:
    """Whether an odd number of negations reach this word: a negation covers the words
    after it up to a clause end or a prepositional phrase ("not add to the investigation"
    negates "add", not "investigation")."""
    count = 0
    for j in range(i - 1, max(-1, i - 7), -1):
        word = tokens[j].word
        if word in w.PUNCTUATION or word in w.CLAUSE_WORDS or word in (",", "and", "that"):
            break
        if word in w.NEGATIONS:
            count += 1
            continue
        following = tokens[j + 1].word
        if tokens[j].stem in w.PREDICATES and following not in ("or", "nor"):
            break  # the negation is that predicate's ("not investigate Mr X's complaint")
        if word in w.PREPOSITIONS and (
            word not in w.SCOPE_PREPOSITIONS or following in w.DETERMINERS
        ):
            break  # "not act on alleged noise caused by": the noise is not negated
    return count % 2 == 1


def _generic(tokens: list[Token], i: int) -> bool:
    """A rule in the present tense ("the Ombudsman does not investigate ...")."""
    return bool({"does", "do"} & {t.word for t in tokens[max(0, i - 2) : i]})
