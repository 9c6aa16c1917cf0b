"""Chat models from settings, and calling one under a deadline.

``chat_model(settings)`` is the one place a LangChain chat model is built
(``OQA_LLM_PROVIDER``: ``llamacpp`` for a GGUF model in this process — the
packaged local model unless ``OQA_LLM_MODEL`` names another file —, ``ollama``,
or ``openai`` for any OpenAI-compatible server). Tests and embedders pass their
own model to ``Engine(index, chat_model=...)`` instead; everything downstream
only sees ``BaseChatModel``.

``stream_tokens`` runs the model in a worker thread and gives up after
``timeout_s`` seconds *in total*, whatever the provider's own timeouts do, so a
stalled server never hangs a question. Any failure becomes ``LLMFailure``,
whose ``notice`` is the one line shown to the user.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from ingest.vocabulary.settings import Settings
from retrieval.types import RemovedSentence

log = logging.getLogger(__name__)

# Local OpenAI-compatible servers (llama.cpp, vLLM, LM Studio) ignore the key,
# but the client refuses to start without one.
_UNUSED_KEY = "not-needed"


_NOTICES = {
    "timeout": "The language model was unavailable (timeout); showing the extractive answer.",
    "error": "The language model was unavailable (error); showing the extractive answer.",
    "config": "The language model is not configured correctly; showing the extractive answer.",
    "no_answer": "The language model found no answer in the decisions; showing the "
    "extractive answer.",
    "unsupported": "The language model's answer was not supported by the decisions; "
    "showing the extractive answer.",
}


class LLMFailure(Exception):
    """The LLM gave nothing usable; ``kind`` says why, for the notice and the logs."""

    def __init__(
        self, kind: str, detail: str = "", removed: Sequence[RemovedSentence] = ()
    ) -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.removed = list(removed)  # what the checker took out, still shown to the user

    @property
    def notice(self) -> str:
        return _NOTICES[self.kind]


def chat_model(settings: Settings) -> BaseChatModel:
    """The chat model ``settings`` name; raises LLMFailure('config') if it cannot be built."""
    builders = {"llamacpp": _llamacpp, "ollama": _served, "openai": _served}
    if settings.llm_provider not in builders:
        raise LLMFailure("config", f"unknown provider {settings.llm_provider!r}")
    try:
        return builders[settings.llm_provider](settings)
    except Exception as error:  # a missing key, a bad URL, no model file: the integration's own
        # The type only, as below: a client's message may quote its configuration.
        log.warning("LLM provider %s not usable: %s", settings.llm_provider, type(error).__name__)
        raise LLMFailure("config", type(error).__name__) from error


def _llamacpp(settings: Settings) -> BaseChatModel:
    # Imported here: llama-cpp-python is the optional `local-llm` extra.
    from retrieval.llm.local import local_chat_model

    return local_chat_model(settings.llm_model, settings.llm_max_tokens, settings.llm_threads)


def _served(settings: Settings) -> BaseChatModel:
    """A model behind a server, built by LangChain's provider factory (``init_chat_model``
    imports ``langchain_ollama`` or ``langchain_openai`` and builds its chat model class)."""
    from langchain.chat_models import init_chat_model

    provider = settings.llm_provider
    model: BaseChatModel = init_chat_model(
        settings.llm_model or _DEFAULT_MODELS[provider],
        model_provider=provider,
        base_url=settings.llm_base_url or None,
        temperature=0,
        **_SERVER_OPTIONS[provider](settings),
    )
    return model


def _ollama_options(settings: Settings) -> dict[str, Any]:
    return {
        "num_predict": settings.llm_max_tokens,
        "client_kwargs": {"timeout": settings.llm_timeout_s},
    }


def _openai_options(settings: Settings) -> dict[str, Any]:
    key = settings.llm_api_key.get_secret_value()
    if not key and settings.llm_base_url:
        key = _UNUSED_KEY
    return {
        "api_key": key or None,  # None: the client reads OPENAI_API_KEY
        "max_tokens": settings.llm_max_tokens,
        "timeout": settings.llm_timeout_s,
        "max_retries": 0,  # our deadline is the whole answer; a retry would double it
    }


_DEFAULT_MODELS = {"ollama": "qwen2.5:1.5b-instruct", "openai": "gpt-4o-mini"}
# Each server's own option names for the answer length and the timeout (and the key).
_SERVER_OPTIONS = {"ollama": _ollama_options, "openai": _openai_options}


def answer_options(model: BaseChatModel) -> dict[str, Any]:
    """Call options a model class offers for writing answers (the local llama.cpp model: a
    grammar for cited sentences); none for the others."""
    offer = getattr(model, "answer_options", None)
    return offer() if callable(offer) else {}


def stream_tokens(
    model: BaseChatModel, messages: Sequence[BaseMessage], timeout_s: float, **options: Any
) -> Iterator[str]:
    """Text pieces as the model writes them; LLMFailure on error or past the deadline."""
    pieces: queue.Queue[tuple[str, object]] = queue.Queue()
    given_up = threading.Event()
    worker = threading.Thread(
        target=_produce,
        args=(model, list(messages), options, pieces, given_up),
        name="llm-stream",
        daemon=True,
    )
    worker.start()
    try:
        yield from _until_deadline(pieces, time.monotonic() + timeout_s, timeout_s)
    finally:
        # Past the deadline, or the caller stopped reading: the worker stops at its next
        # token, so a local model frees the CPU (and its lock) for the next question.
        given_up.set()


def _until_deadline(
    pieces: queue.Queue[tuple[str, object]], deadline: float, timeout_s: float
) -> Iterator[str]:
    while True:
        try:
            kind, value = pieces.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            # The worker cannot be killed; it stops at its next token, and the provider's
            # own timeout (set from the same setting) ends a request that sends none.
            log.warning("LLM gave up after %.1f s", timeout_s)
            raise LLMFailure("timeout", f"{timeout_s:g} s") from None
        if kind == "end":
            return
        if kind == "error":
            # The type only: a provider's message can echo a (masked) key or the prompt.
            log.warning("LLM call failed: %s", type(value).__name__)
            log.debug("LLM error detail: %s", value)
            raise LLMFailure(_failure_kind(value), type(value).__name__)
        yield str(value)


def _failure_kind(error: object) -> str:
    """A provider's own timeout (httpx, openai, ollama each name theirs) is still a timeout."""
    names = (cls.__name__.lower() for cls in type(error).__mro__)
    return "timeout" if any("timeout" in name for name in names) else "error"


def complete(model: BaseChatModel, messages: Sequence[BaseMessage], timeout_s: float) -> str:
    """The whole reply as one string, under the same deadline."""
    return "".join(stream_tokens(model, messages, timeout_s))


def _produce(
    model: BaseChatModel,
    messages: list[BaseMessage],
    options: dict[str, Any],
    out: queue.Queue[tuple[str, object]],
    given_up: threading.Event,
) -> None:
    try:
        for chunk in model.stream(messages, **options):
            if given_up.is_set():
                break  # leaving the loop closes the model's stream, which ends the generation
            text = str(chunk.text)
            if text:
                out.put(("token", text))
        out.put(("end", None))
    except Exception as error:  # any provider error is reported to the waiting caller
        out.put(("error", error))
