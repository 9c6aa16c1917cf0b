"""Fixtures shared by the AppTest modules: pointing the app at a store, and a writable copy."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from appdriver import new_session
from streamlit.testing.v1 import AppTest

from ingest.vocabulary.settings import Settings, get_settings


@pytest.fixture
def use_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Point the app's settings at a store (the app reads them via get_settings())."""

    def use(store_dir: Path, **env: str) -> None:
        monkeypatch.setenv("OQA_STORE_DIR", str(store_dir))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield use
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def app_store(built_store: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the index: the app writes saved conversations and feedback beside it."""
    copy = tmp_path_factory.mktemp("app-store") / "store"
    shutil.copytree(built_store.store_dir, copy)
    return copy


@pytest.fixture
def app(app_store: Path, use_store: Callable[..., None]) -> AppTest:
    """The app on a writable copy of the sample index, after its first run."""
    use_store(app_store)
    at = new_session().run()
    assert not at.exception, at.exception
    return at
