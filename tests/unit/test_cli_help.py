"""Each command's --help shows its whole summary: Typer renders help as Rich markup, where a
bracketed word such as "[n]" is read as a style tag and silently dropped."""

from __future__ import annotations

import re

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

from ingest.cli import app as ingest_app
from retrieval.cli import app as retrieval_app

RUNNER = CliRunner()


def _commands(app: typer.Typer) -> list[tuple[str, str]]:
    """(name, first line of its docstring) for every command of ``app``."""
    group = get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return [
        (name, (command.callback.__doc__ or "").strip().splitlines()[0])
        for name, command in group.commands.items()
        if command.callback is not None
    ]


def _flat(text: str) -> str:
    """The words of rendered help, without Rich's box drawing or line wrapping."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


@pytest.mark.parametrize("app", [retrieval_app, ingest_app], ids=["retrieval", "ingest"])
def test_every_command_help_shows_its_summary(app: typer.Typer) -> None:
    commands = _commands(app)
    assert len(commands) >= 3
    for name, summary in commands:
        result = RUNNER.invoke(app, [name, "--help"], terminal_width=200)
        assert result.exit_code == 0, (name, result.output)
        assert _flat(summary) in _flat(result.output), (name, summary, result.output)
