"""Read decision files (``.txt``, ``.md``, ``.html``/``.htm``, ``.pdf``) into SourceDocs.

``discover`` also yields bulk files (``.jsonl``, one decision a line), which
:mod:`ingest.parse.bulk` reads.

A file that cannot be read raises :class:`SourceError` with a one-line reason;
the pipeline reports it and carries on with the rest.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.parse.html import html_to_text, page_url
from ingest.vocabulary.errors import SourceError
from ingest.vocabulary.records import DocumentType, SourceDoc, SourceHints

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
PDF_SUFFIXES = frozenset({".pdf"})
BULK_SUFFIXES = frozenset({".jsonl"})  # one decision a line: ingest.parse.bulk
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES | BULK_SUFFIXES
# Investigated decisions run to ~60 KB; anything this big is not one decision.
MAX_SOURCE_BYTES = 5_000_000
SIDECAR_SUFFIX = ".meta.json"


def discover(root: Path, skipped: list[tuple[str, str]] | None = None) -> Iterator[Path]:
    """Supported files under ``root`` (recursively, sorted), or ``root`` itself if a file.

    Entries passed over are appended to ``skipped`` with why, so that a build can count
    them: hidden files, links to folders (never followed: one can loop back to its parent)
    and links that lead nowhere or round in a loop."""
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        why = _not_read(path)
        if why is None:
            yield path
        elif why and skipped is not None:
            skipped.append((str(path), why))


def _not_read(path: Path) -> str | None:
    """None for a decision file to read, else why not ("" when it is nothing to report:
    another kind of file, or a folder that is walked)."""
    if path.is_symlink() and not path.exists():
        # A dangling link, or one that loops (resolving it fails either way).
        return "a link that leads to no file; not read"
    if path.is_dir():
        return "a link to a folder; not followed" if path.is_symlink() else ""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return ""
    if path.name.startswith("."):
        return "a hidden file; not read"
    return None if path.is_file() else "not a regular file; not read"


def read_source(path: Path, root: Path | None = None) -> SourceDoc:
    """Read one file into a SourceDoc, or raise SourceError saying why not."""
    check_inside(path, root)
    raw = _read_bytes(path)
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        text = _pdf_text(path, raw)
        url = None
    else:
        text = _decode(path, raw)
        url = None
        if suffix in HTML_SUFFIXES:
            url = page_url(text)
            text = html_to_text(text)
    if not text.strip():
        raise SourceError(str(path), "no text found")
    sidecar = _sidecar(path)
    return SourceDoc(text=text, path=str(path), url=_sidecar_text(sidecar, "url") or url,
                     hints=_sidecar_hints(sidecar))


def check_inside(path: Path, root: Path | None) -> None:
    # A symlink in a source folder must not pull in files from elsewhere.
    if root is None or not root.is_dir():
        return
    if not path.resolve().is_relative_to(root.resolve()):
        raise SourceError(str(path), "links outside the source folder; skipped")


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size == 0:
            raise SourceError(str(path), "empty file")
        if size > MAX_SOURCE_BYTES:
            raise SourceError(
                str(path), f"too large for one decision ({size:,} bytes > {MAX_SOURCE_BYTES:,})"
            )
        return path.read_bytes()
    except OSError as error:
        raise SourceError(str(path), f"cannot be read ({error.strerror or error})") from error


def _decode(path: Path, raw: bytes) -> str:
    head = raw[:8192]
    if b"\x00" in head:
        raise SourceError(str(path), _binary_reason(head))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(
            str(path), f"not UTF-8 text (invalid byte at offset {error.start})"
        ) from error
    return without_controls(text)


def without_controls(text: str) -> str:
    # Control characters (C0, DEL, C1) other than tab/newline are never part of a decision;
    # some (NEL U+0085) would even split a line in two.
    return _CONTROL.sub("", text)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _binary_reason(head: bytes) -> str:
    # UTF-16 without a byte-order mark: for Latin text one byte of every pair is a zero, and
    # the pairs read as printable characters (an image's runs of zeros do not).
    if max(head[0::2].count(0), head[1::2].count(0)) > len(head) // 3:
        for codec in ("utf-16-le", "utf-16-be"):
            text = head[: len(head) // 2 * 2].decode(codec, errors="replace")
            if sum(ch.isprintable() or ch in "\r\n\t" for ch in text) > 0.95 * len(text):
                return "UTF-16 text, not UTF-8 (save it as UTF-8)"
    return "binary file, not text"


def _pdf_text(path: Path, raw: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(BytesIO(raw))
        pages = [page.extract_text() or "" for page in reader.pages]
    # Damaged or encrypted files fail in pypdf's own errors or, deeper in a page, in these.
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        raise SourceError(str(path), f"unreadable PDF ({error})") from error
    text = "\n".join(pages)
    if not text.strip():
        raise SourceError(str(path), "PDF has no text layer (scanned image?)")
    return text


def _sidecar(path: Path) -> dict[str, Any]:
    """The crawler writes ``<name>.meta.json`` beside each page: its URL and listing entry."""
    sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return {}
    try:
        meta = json.loads(sidecar.read_text("utf-8"))
    except (OSError, ValueError):
        logger.warning("ignoring unreadable sidecar %s", sidecar)
        return {}
    return meta if isinstance(meta, dict) else {}


def _sidecar_text(meta: dict[str, Any], key: str) -> str:
    value = meta.get(key)
    return value if isinstance(value, str) else ""


def _sidecar_hints(meta: dict[str, Any]) -> SourceHints:
    """The listing entry names the organisation and the decision date, which the published
    page leaves to the list, and whether it is a statement or a report."""
    kind = _sidecar_text(meta, "status").split(" ", 1)[0].lower()
    return SourceHints(
        ref=_sidecar_text(meta, "ref"),
        organisation=_sidecar_text(meta, "organisation"),
        date=_sidecar_text(meta, "listing_date"),
        document_type=DocumentType(kind) if kind in {t.value for t in DocumentType} else None,
    )
