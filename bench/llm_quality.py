"""LLM-path grounding and follow-up resolution (sample corpus + seed decision).

    python bench/llm_quality.py [--store DIR] [--json FILE]

1. Citation checking. For every labelled question in ``bench/questions/*.jsonl``
   the engine answers with an adversarial fake chat model: it reads the numbered
   passages it is given and writes a draft that mixes supported sentences
   (lightly paraphrased passage sentences, correctly cited) with the failures a
   real model makes - an invented passage number, a citation of the wrong
   decision, a negation flipped, an invented fact, an uncited sentence. Each
   sentence is labelled when written, so we can count what reached the user:
   sentence precision (supported sentences among those kept), supported
   sentences kept, and the share of written citations that survived.
2. Follow-ups. Every conversation in ``bench/questions/conversations/`` is played
   turn by turn with the extractive answerer and the deterministic rewriter; a
   follow-up is resolved when the answer is about the labelled decision (its
   first citation; for "similar" the plan names it and other decisions are
   listed), carries the labelled organisation, or - for a question that stands
   alone - was not rewritten.

Without ``--store`` the corpus is built first into a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

from bench.common import (
    bench_settings,
    build_index,
    load_questions,
    machine_line,
    make_corpus,
    table,
)
from retrieval.answering.citations import markers, statements
from retrieval.check.checker import without_markers
from retrieval.engine import Engine, open_engine
from retrieval.keywords import content_terms
from retrieval.types import Answer, Turn

CONVERSATIONS = Path(__file__).resolve().parent / "questions" / "conversations"
KINDS = (
    "supported",
    "invented_number",
    "wrong_decision",
    "negation_flipped",
    "invented_fact",
    "uncited",
)
_PASSAGE = re.compile(r'<passage n="(\d+)" decision="([^"]+)"[^>]*>\n(.*?)\n</passage>', re.S)
_AUX = re.compile(r"\b(was|is|were|did|will|could|has|had)\b")
_NEG = re.compile(r"\b(not|no|never) ")
_NEGATION_CUE = re.compile(r"(?:not|no|never|cannot|without|\w+n['’]t)$", re.I)


# --- 1. citation checking with an adversarial fake model --------------------------------
class AdversarialDrafts(BaseChatModel):
    """A fake chat model that writes a labelled draft from the passages in its prompt."""

    _labels: dict[str, str] = PrivateAttr(default_factory=dict)
    _reply: str = PrivateAttr(default="")

    @property
    def _llm_type(self) -> str:
        return "adversarial-drafts"

    @property
    def labels(self) -> dict[str, str]:
        """The last draft's sentences (without markers) → what kind of sentence each is."""
        return self._labels

    @property
    def reply(self) -> str:
        return self._reply

    def _generate(
        self, messages: list[BaseMessage], stop: list[str] | None = None, **kwargs: Any
    ) -> ChatResult:
        passages = [(int(n), ref, text) for n, ref, text in _PASSAGE.findall(messages[-1].text)]
        draft = write_draft(passages)
        self._labels = {without_markers(sentence): kind for sentence, kind in draft}
        self._reply = " ".join(sentence for sentence, _ in draft)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(self._reply))])


def write_draft(passages: list[tuple[int, str, str]]) -> list[tuple[str, str]]:
    """(sentence with its markers, kind) for each sentence of the draft."""
    usable = [(n, ref, s) for n, ref, text in passages for s in _claimable(text)[:2]]
    if not usable:
        return [("I could not find anything.", "uncited")]
    # Each kind drops a different word so that no two sentences of a draft are the same.
    draft = [(_paraphrase(s, 5) + f" [{n}].", "supported") for n, _, s in usable[:3]]
    _, ref, sentence = usable[-1]
    draft.append((_paraphrase(sentence, 6) + f" [{len(passages) + 3}].", "invented_number"))
    other = _other_decision(passages, ref, sentence)
    if other is not None:
        draft.append((_paraphrase(sentence, 7) + f" [{other}].", "wrong_decision"))
    flipped = next((s for _, _, s in usable if _NEG.search(s) or _AUX.search(s)), None)
    if flipped is not None:
        draft.append((_flip(flipped) + f" [{_number_of(usable, flipped)}].", "negation_flipped"))
    draft.append(
        ("The Council agreed to pay the complainant £1,234 within a month [1].", "invented_fact")
    )
    draft.append((_paraphrase(usable[0][2], 4) + ".", "uncited"))
    return draft


def _claimable(text: str) -> list[str]:
    return [s for s in statements(text) if len(s.split()) >= 6]


def _paraphrase(sentence: str, every: int) -> str:
    """Drop every ``every``-th word: still the passage's claim, no longer its exact words
    (a negation and the two words after it stay: dropping them changes the claim)."""
    words = sentence.rstrip(".").split()
    negated = {i + j for i, w in enumerate(words) if _NEGATION_CUE.match(w) for j in range(3)}
    return " ".join(w for i, w in enumerate(words) if i % every != every - 1 or i in negated)


def _flip(sentence: str) -> str:
    text = sentence.rstrip(".")
    flipped = _NEG.sub("", text, count=1) if _NEG.search(text) else _AUX.sub(r"\1 not", text, 1)
    return flipped


def _number_of(usable: list[tuple[int, str, str]], sentence: str) -> int:
    return next(n for n, _, s in usable if s == sentence)


def _other_decision(passages: list[tuple[int, str, str]], ref: str, sentence: str) -> int | None:
    """The passage of another decision sharing fewest words with ``sentence``."""
    words = content_terms(sentence)
    others = [(len(words & content_terms(text)), n) for n, r, text in passages if r != ref]
    return min(others)[1] if others else None


@dataclass
class DraftFigures:
    written: Counter[str] = field(default_factory=Counter)
    kept: Counter[str] = field(default_factory=Counter)
    markers_written: int = 0
    citations_kept: int = 0
    fallbacks: int = 0
    questions: int = 0

    def add(self, labels: dict[str, str], answer: Answer, draft: str) -> None:
        self.questions += 1
        self.markers_written += len(markers(draft))
        fell_back = answer.notice.endswith("showing the extractive answer.")
        self.fallbacks += fell_back
        if not fell_back:
            self.citations_kept += len(markers(answer.text))
        for sentence, kind in labels.items():
            self.written[kind] += 1
            self.kept[kind] += not fell_back and sentence in answer.text

    def summary(self) -> dict[str, Any]:
        kept = sum(self.kept.values())
        return {
            "questions": self.questions,
            "written": dict(self.written),
            "kept": dict(self.kept),
            "sentence_precision": _ratio(self.kept["supported"], kept),
            "supported_kept": _ratio(self.kept["supported"], self.written["supported"]),
            "citations_kept_share": _ratio(self.citations_kept, self.markers_written),
            "fallbacks": self.fallbacks,
        }


def draft_figures(engine: Engine) -> dict[str, Any]:
    model = AdversarialDrafts()
    llm = Engine(engine.index, chat_model=model)
    figures = DraftFigures()
    for question in load_questions():
        answer = llm.answer(question.query)
        if answer.answered:  # a question declined before the model was asked writes nothing
            figures.add(model.labels, answer, model.reply)
    return figures.summary()


# --- 2. follow-up resolution -------------------------------------------------------------
def load_conversations(directory: Path = CONVERSATIONS) -> list[dict[str, Any]]:
    rows = []
    for path in sorted(directory.glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    return rows


@dataclass(frozen=True)
class TurnResult:
    conversation: str
    position: int  # 0 for the opening question
    question: str
    rewritten: str
    resolved: bool


def play(engine: Engine, conversation: dict[str, Any]) -> list[TurnResult]:
    history: list[Turn] = []
    results = []
    for position, turn in enumerate(conversation["turns"]):
        answer = engine.answer(turn["q"], history=history)
        ok = resolved(answer, turn)
        results.append(
            TurnResult(conversation["id"], position, turn["q"], answer.rewritten_query, ok)
        )
        history.append(Turn(turn["q"], answer))
    return results


def resolved(answer: Answer, expected: dict[str, Any]) -> bool:
    """Is the answer about what the labelled turn was about?"""
    plan = answer.search.plan
    if expected.get("standalone") and answer.rewritten_query:
        return False
    if "org" in expected and expected["org"] not in plan.filters.organisations:
        return False
    if "intent" in expected and plan.intent.value != expected["intent"]:
        return False
    ref = expected.get("ref")
    if not ref:
        return True
    if expected.get("intent") == "similar":
        return plan.filters.refs == (ref,) and any(c.ref != ref for c in answer.citations)
    return bool(answer.citations) and answer.citations[0].ref == ref


def follow_up_figures(engine: Engine) -> tuple[dict[str, Any], list[TurnResult]]:
    results = [r for c in load_conversations() for r in play(engine, c)]
    follow_ups = [r for r in results if r.position > 0]
    openings = [r for r in results if r.position == 0]
    figures = {
        "conversations": len(openings),
        "follow_ups": len(follow_ups),
        "follow_ups_resolved": sum(r.resolved for r in follow_ups),
        "follow_up_accuracy": _ratio(sum(r.resolved for r in follow_ups), len(follow_ups)),
        "openings_resolved": sum(r.resolved for r in openings),
    }
    return figures, [r for r in results if not r.resolved]


# --- the script --------------------------------------------------------------------------
def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    print(machine_line())
    store = args.store
    if store is None:
        store = workdir / "store"
        build_index(make_corpus(workdir / "corpus"), store)
    engine = open_engine(bench_settings(store), store)
    started = time.perf_counter()
    drafts = draft_figures(engine)
    print(
        f"\nLLM path, adversarial fake model, {drafts['questions']} answered questions "
        f"({time.perf_counter() - started:.1f} s)\n"
    )
    rows = [[k, str(drafts["written"].get(k, 0)), str(drafts["kept"].get(k, 0))] for k in KINDS]
    print(table(["sentence kind", "written", "reached the user"], rows))
    for key in ("sentence_precision", "supported_kept", "citations_kept_share", "fallbacks"):
        print(f"{key}: {drafts[key]}")
    started = time.perf_counter()
    follow, misses = follow_up_figures(engine)
    print(
        f"\nfollow-ups, extractive answerer + deterministic rewriter "
        f"({time.perf_counter() - started:.1f} s)"
    )
    print(
        f"resolved {follow['follow_ups_resolved']}/{follow['follow_ups']} = "
        f"{follow['follow_up_accuracy']}; opening questions right "
        f"{follow['openings_resolved']}/{follow['conversations']}"
    )
    for miss in misses:
        print(
            f"  miss {miss.conversation}#{miss.position}: {miss.question!r} -> "
            f"{miss.rewritten or '(not rewritten)'!r}"
        )
    engine.close()
    return {"llm_drafts": drafts, "follow_ups": follow}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a store built from the benchmark corpus")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oqa-bench-llm-") as tmp:
        figures = run(args, Path(tmp))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
