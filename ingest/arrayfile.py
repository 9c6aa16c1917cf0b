"""Named numpy arrays and a JSON header in one file, written atomically, read memory-mapped.

Layout: MAGIC, the arrays (each 64-byte aligned, in the order written), the JSON header
(which records every array's dtype, offset and length), then the header's length as a
little-endian uint64. The header comes last so arrays of sizes found while writing can
follow one another. Readers map the arrays read-only: processes share the page cache.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

MAGIC = b"OQAARR01"
_ALIGN = 64


class ArrayWriter:
    """Appends arrays to a new file; ``finish`` writes the header."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.places: dict[str, tuple[str, int, int]] = {}
        self.end = len(MAGIC)
        path.write_bytes(MAGIC)

    def allocate(self, name: str, dtype: Any, count: int) -> np.ndarray:
        """Room for ``count`` values, mapped for writing in place."""
        dtype = np.dtype(dtype)
        start = _aligned(self.end)
        self.end = start + count * dtype.itemsize
        with open(self.path, "r+b") as handle:
            handle.truncate(self.end)
        self.places[name] = (dtype.str, start, count)
        if count == 0:  # np.memmap refuses empty maps
            return np.zeros(0, dtype=dtype)
        return np.memmap(self.path, dtype=dtype, mode="r+", offset=start, shape=(count,))

    def add(self, name: str, values: np.ndarray) -> None:
        target = self.allocate(name, values.dtype, values.size)
        target[:] = values
        if isinstance(target, np.memmap):
            target.flush()

    def finish(self, header: dict[str, Any]) -> None:
        encoded = json.dumps({**header, "arrays": self.places}).encode()
        with open(self.path, "r+b") as handle:
            handle.seek(self.end)
            handle.write(encoded + len(encoded).to_bytes(8, "little"))
            handle.truncate()


def read_arrays(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(header, arrays mapped read-only); ValueError when the file is not whole."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        if size < len(MAGIC) + 8 or handle.read(len(MAGIC)) != MAGIC:
            raise ValueError("not an array file")
        handle.seek(size - 8)
        length = int.from_bytes(handle.read(8), "little")
        if length > size - len(MAGIC) - 8:
            raise ValueError("bad header length")
        handle.seek(size - 8 - length)
        header = json.loads(handle.read(length))
    arrays = {}
    for name, (dtype, start, count) in header.pop("arrays").items():
        if start + count * np.dtype(dtype).itemsize > size - 8 - length:
            raise ValueError(f"array {name} runs past the end")
        arrays[name] = (
            np.memmap(path, dtype=dtype, mode="r", offset=start, shape=(count,))
            if count
            else np.zeros(0, dtype=dtype)
        )
    return header, arrays


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """A temp file beside ``path`` that replaces it on success and is removed otherwise."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    os.chmod(temp, 0o644)
    os.replace(temp, path)


def _aligned(offset: int) -> int:
    return -(-offset // _ALIGN) * _ALIGN
