"""Driving the real app with AppTest: one way to open it and to ask, for every app test."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 180  # the first run loads the model; later ones answer in about a second


def new_session() -> AppTest:
    """A browser session of the app, not yet run (a refresh is a new one)."""
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input(key="chat_question").set_value(question).run()
    assert not at.exception, at.exception
    return at
