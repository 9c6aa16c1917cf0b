"""The app's own small SQLite file beside the index: feedback and saved conversations.

It is separate from the index (``oqa.sqlite3``), which readers open read-only and
``ingest verify`` checks; nothing here leaves the machine.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ingest.vocabulary.errors import OQAError

APP_DB = "app.sqlite3"


class LocalDataError(OQAError):
    """The app's own file cannot be written or read."""


@contextmanager
def local_db(store_dir: Path, schema: str, write: bool = True) -> Iterator[sqlite3.Connection]:
    """A connection to ``store_dir/app.sqlite3`` with ``schema`` applied, committed on exit.

    ``write=False`` opens an existing file read-only (an export never creates one).
    """
    path = Path(store_dir) / APP_DB
    try:
        if write:
            db = sqlite3.connect(path, timeout=10)
            db.executescript(schema)
        else:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error as error:
        action = "write" if write else "read"
        raise LocalDataError(
            f"Could not {action} {path} ({error}); feedback and saved conversations need "
            "the index folder to be writable."
        ) from error
    try:
        with db:
            yield db
    finally:
        db.close()
