"""Bulk copies: a JSONL file with one decision a line, the way scraped archives are shared.

Each line is an object with ``ref`` and ``text`` and, optionally, ``url``,
``organisation``, ``category`` (``Area > Sub-area``), ``outcome`` and ``date``.
The optional fields fill in what the text's own header leaves out. A line that
cannot be read is reported by its number and skipped; the others are built as
if each were a file, so re-running adds nothing that is already indexed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.parse.sources import BULK_SUFFIXES, without_controls
from ingest.vocabulary.errors import SourceError
from ingest.vocabulary.normalise import canonical_ref
from ingest.vocabulary.records import SourceDoc, SourceHints

HINT_FIELDS = ("organisation", "category", "outcome", "date")
# Where a decision read from a bulk file came from: "<file>#L<line number>".
_LINE_MARK = re.compile(r"#L\d+$")
# One decision is at most a few hundred KB; a line far longer is not one.
MAX_LINE_BYTES = 5_000_000


def line_source(path: Path, number: int) -> str:
    return f"{path}#L{number}"


def source_file(source_path: str) -> str:
    """The file a decision was read from: the bulk file for one of its lines."""
    return _LINE_MARK.sub("", source_path)


def is_bulk(path: Path) -> bool:
    return path.suffix.lower() in BULK_SUFFIXES


def count_lines(path: Path) -> int:
    """Non-blank lines: the decisions a bulk file offers (for progress)."""
    try:
        with path.open("rb") as handle:
            return sum(1 for raw in handle if raw.strip())
    except OSError:
        return 1  # reading it fails again, and is reported, in read_lines


def read_lines(path: Path) -> Iterator[SourceDoc | SourceError]:
    """Each non-blank line as a SourceDoc, or the SourceError that says why it is not one."""
    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if raw.strip():
                    yield _line(path, number, raw)
    except OSError as error:
        yield SourceError(str(path), f"cannot be read ({error.strerror or error})")


def _line(path: Path, number: int, raw: bytes) -> SourceDoc | SourceError:
    where = line_source(path, number)
    try:
        return _doc(where, _object(raw))
    except ValueError as error:
        return SourceError(where, f"line {number}: {error}")


def _object(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_LINE_BYTES:
        raise ValueError(f"{len(raw):,} bytes, too long for one decision")
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ValueError(f"not UTF-8 (invalid byte at offset {error.start})") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def _doc(where: str, line: dict[str, Any]) -> SourceDoc:
    fields = {name: _text_field(line, name) for name in ("ref", "text", "url", *HINT_FIELDS)}
    if not fields["text"].strip():
        raise ValueError('no "text"')
    ref = canonical_ref(fields["ref"])
    if not ref:
        raise ValueError(f'"ref" {fields["ref"]!r} is not a decision reference')
    hints = SourceHints.model_validate({"ref": ref} | {name: fields[name] for name in HINT_FIELDS})
    text = without_controls(fields["text"])
    return SourceDoc(text=text, path=where, url=fields["url"] or None, hints=hints)


def _text_field(line: dict[str, Any], name: str) -> str:
    value = line.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f'"{name}" is not a string')
    return value
