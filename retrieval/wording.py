"""Our own explanatory sentences, read from the one reviewed file ``explanations.toml``.

Everything the app or an answer says that is neither quoted from a decision nor a
count comes from here: the tests the Ombudsman applies (in plain words, with the law
behind each), the outcome glossary, the pre-check's questions and the fixed notes
(whose decisions these are, their re-use terms, "not legal advice").
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ingest.vocabulary.records import Outcome, Reason


@dataclass(frozen=True)
class LegalTest:
    """One reason for not investigating, as the law states it and as we explain it."""

    reason: str
    test: str
    basis: str
    meaning: str
    next_step: str
    source: str


@dataclass(frozen=True)
class Option:
    label: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    """A pre-check question; each answer points to the tests it may raise."""

    key: str
    label: str
    source: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Explanations:
    links: dict[str, str]
    sentences: dict[str, str]
    tests: dict[str, LegalTest]
    outcomes: dict[str, str]
    questions: tuple[Question, ...]


@cache
def explanations() -> Explanations:
    """The file, parsed and checked once per process."""
    raw = tomllib.loads(resources.files("retrieval").joinpath("explanations.toml").read_text())
    tests = {key: LegalTest(reason=key, **entry) for key, entry in raw["reasons"].items()}
    questions = tuple(_question(entry) for entry in raw["questions"])
    loaded = Explanations(raw["links"], raw["sentences"], tests, raw["outcomes"], questions)
    _check_complete(loaded)
    return loaded


def _question(entry: dict[str, Any]) -> Question:
    options = tuple(Option(o["label"], tuple(o["reasons"])) for o in entry["options"])
    return Question(entry["key"], entry["label"], entry["source"], options)


def _check_complete(loaded: Explanations) -> None:
    # A reason or outcome without its sentence would show a blank; fail at load instead.
    missing = {r.value for r in Reason} - set(loaded.tests)
    missing |= {o.value for o in Outcome} - set(loaded.outcomes)
    pointed = {r for q in loaded.questions for o in q.options for r in o.reasons}
    missing |= pointed - set(loaded.tests)
    if missing:
        raise ValueError(f"explanations.toml lacks entries for: {', '.join(sorted(missing))}")


def sentence(key: str) -> str:
    return explanations().sentences[key]


def link(key: str) -> str:
    return explanations().links[key]


def test_of(reason: str) -> LegalTest | None:
    return explanations().tests.get(reason)


def outcome_meaning(outcome: str) -> str:
    return explanations().outcomes.get(outcome, "")
