"""The citation checker on the adversarial claim set: what it keeps, per category.

    python bench/claims.py [--wrong] [--json FILE]

Each claim of ``bench/questions/claims/*.jsonl`` cites one passage of one
decision - the passage (the summary, or a chunk as ``ingest`` cuts it) that
contains the claim's ``cite`` anchor. The decision is read at run time from
``data/sample/``, ``../shared/seeds/`` or ``../shared/realdata/corpus.jsonl``
(real text is never copied into the repository). The claim, with ``[1]``
appended, goes through ``retrieval.check.checker.check_claim`` exactly as an LLM
sentence does, with the passage as the model saw it (text, organisation and
reference). Printed per category: claims, kept, kept %; then the two figures
the checker is held to - unsupported claims kept (goal <= 1 %) and faithful
paraphrases kept (goal >= 85 %) - and the time per claim. ``--wrong`` lists
every wrong verdict with the checker's reason.

A claim is one JSON line: ``id``, ``ref`` (its decision), ``cite`` (a short
anchor: the cited passage is the one containing it), ``claim`` (the sentence,
without markers), ``label`` (``supported`` / ``unsupported``), ``category``
(``paraphrase``, ``negation_flip``, ``role_swap``, ``wrong_entity``,
``changed_fact``, ``outcome_change``, ``invented_remedy``, ``wrong_passage``,
``generalised``) and, for a wrong-passage claim, ``true_at`` (where it is true:
an anchor of the same decision, or another reference). ``holdout.jsonl`` was
written after the checker was built; on its first run the checker kept 4 of its
34 unsupported claims and 16 of its 19 paraphrases (it was then improved on them).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import QUESTIONS_DIR, REAL_CORPUS, corpus_files, real_decisions, table
from ingest.indexing.chunk import ChunkLimits, chunk_decision
from ingest.parse.decision import parse_decision
from ingest.parse.sources import read_source
from ingest.vocabulary.errors import ParseError
from ingest.vocabulary.normalise import canonical_ref
from ingest.vocabulary.records import SUMMARY_SECTION, Decision, SourceDoc
from ingest.vocabulary.settings import Settings
from retrieval.check.checker import Claim, KeptClaim, check_claim
from retrieval.llm.answerer import Source

CLAIMS_DIR = QUESTIONS_DIR / "claims"
# Chunks as the index cuts them; words stand in for model tokens (about 1.3 per word).
LIMITS = ChunkLimits(max_tokens=256, target_tokens=Settings().chunk_target_tokens)


@dataclass(frozen=True)
class LabelledClaim:
    id: str
    ref: str
    cite: str
    claim: str
    supported: bool
    category: str
    set: str  # the file: sample, seed, real, holdout (written after the checker)
    true_at: str = ""


@dataclass(frozen=True)
class Verdict:
    claim: LabelledClaim
    kept: bool
    reason: str
    seconds: float

    @property
    def wrong(self) -> bool:
        return self.kept != self.claim.supported


def load_claims(directory: Path = CLAIMS_DIR) -> list[LabelledClaim]:
    claims = []
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                claims.append(
                    LabelledClaim(
                        row["id"], row["ref"], row["cite"], row["claim"],
                        row["label"] == "supported", row["category"], path.stem,
                        row.get("true_at", ""),
                    )
                )  # fmt: skip
    return claims


def load_decisions(refs: set[str]) -> dict[str, Decision]:
    """The decisions with these references, from the sample, the seed and the real set."""
    docs = [read_source(path) for path in corpus_files()]
    docs += [SourceDoc(text=text, path=name) for name, text in real_decisions(REAL_CORPUS)]
    decisions = (_parsed(doc) for doc in docs)
    return {d.ref: d for d in decisions if d is not None and d.ref in refs}


def _parsed(doc: SourceDoc) -> Decision | None:
    try:
        return parse_decision(doc)
    except ParseError:
        return None  # a copy the parser cannot read is not cited by any claim


def passages(decision: Decision) -> list[tuple[str, str]]:
    """(section, text) of the summary, then of each chunk: what retrieval hands the model."""
    chunks = chunk_decision(decision, LIMITS, _word_tokens)
    found = [(SUMMARY_SECTION, decision.summary)] if decision.summary else []
    return found + [(c.section, c.text) for c in chunks if c.section != SUMMARY_SECTION]


def _word_tokens(texts: list[str]) -> list[int]:
    return [len(text.split()) * 4 // 3 for text in texts]


def _plain(text: str) -> str:
    return text.replace("’", "'").replace("‘", "'")


def cited_source(claim: LabelledClaim, decisions: dict[str, Decision]) -> Source:
    """Passage [1] for ``claim``: the first passage of its decision holding its anchor."""
    decision = decisions[claim.ref]
    for section, text in passages(decision):
        if _plain(claim.cite) in _plain(text):
            if claim.true_at and not canonical_ref(claim.true_at):
                # A wrong-passage claim must cite a passage that does not say it.
                assert _plain(claim.true_at) not in _plain(text), claim.id
            return Source(1, decision, section, text)
    raise ValueError(f"{claim.id}: no passage of {claim.ref} contains {claim.cite!r}")


def judge(claim: LabelledClaim, source: Source, min_support: float) -> Verdict:
    started = time.perf_counter()
    result = check_claim(Claim(f"{claim.claim} [1]"), {1: source.evidence()}, min_support)
    seconds = time.perf_counter() - started
    kept = isinstance(result, KeptClaim)
    return Verdict(claim, kept, "" if kept else result.reason, seconds)


def run(min_support: float) -> list[Verdict]:
    claims = load_claims()
    decisions = load_decisions({c.ref for c in claims})
    return [judge(c, cited_source(c, decisions), min_support) for c in claims]


def summary(verdicts: list[Verdict]) -> dict[str, Any]:
    total: Counter[str] = Counter(v.claim.category for v in verdicts)
    kept: Counter[str] = Counter(v.claim.category for v in verdicts if v.kept)
    unsupported = [v for v in verdicts if not v.claim.supported]
    paraphrases = [v for v in verdicts if v.claim.supported]
    sets = sorted({v.claim.set for v in verdicts})
    return {
        "per_category": {c: {"claims": total[c], "kept": kept[c]} for c in sorted(total)},
        "unsupported_kept": _share(unsupported),
        "paraphrases_kept": _share(paraphrases),
        "per_set": {
            name: {
                "unsupported_kept": _share([v for v in unsupported if v.claim.set == name]),
                "paraphrases_kept": _share([v for v in paraphrases if v.claim.set == name]),
            }
            for name in sets
        },
        "ms_per_claim": round(1000 * sum(v.seconds for v in verdicts) / len(verdicts), 2),
    }


def _share(verdicts: list[Verdict]) -> str:
    kept = sum(v.kept for v in verdicts)
    return f"{kept}/{len(verdicts)} ({100 * kept / len(verdicts):.1f} %)"


def print_report(figures: dict[str, Any], verdicts: list[Verdict], wrong: bool) -> None:
    rows = [
        [category, str(row["claims"]), str(row["kept"]), f"{100 * row['kept'] / row['claims']:.0f}"]
        for category, row in figures["per_category"].items()
    ]
    print(table(["category", "claims", "kept", "kept %"], rows))
    print(f"\nunsupported claims kept: {figures['unsupported_kept']}  (goal <= 1 %)")
    print(f"faithful paraphrases kept: {figures['paraphrases_kept']}  (goal >= 85 %)")
    print(f"checker time: {figures['ms_per_claim']} ms per claim\n")
    sets = [
        [name, row["unsupported_kept"], row["paraphrases_kept"]]
        for name, row in figures["per_set"].items()
    ]
    print(table(["set", "unsupported kept", "paraphrases kept"], sets))
    if wrong:
        print("\nwrong verdicts:")
        for v in (v for v in verdicts if v.wrong):
            verdict = "kept" if v.kept else f"removed ({v.reason})"
            print(f"  {v.claim.id} [{v.claim.category}] {verdict}: {v.claim.claim}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wrong", action="store_true", help="list every wrong verdict")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    verdicts = run(Settings().citation_min_support)
    figures = summary(verdicts)
    print_report(figures, verdicts, args.wrong)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
