"""A corpus of bad source files, written into a temporary folder by the tests that use it.

Nothing here is committed as data: a 50 MB file has no place in git, so every
file is generated at test time under ``tmp_path``. The decisions written here
are FICTIONAL (Quillford District Council and Marrowby Borough Council do not
exist; the references are invented).

Each :class:`BadFile` says what the build must do with it: report it with a
one-line reason matching ``reason`` (``FAIL``), or pass over it without a
report because it is not a regular file at all (``NOT_A_FILE``: a folder named
``x.txt``, a named pipe), or ingest it cleanly (``INGEST``: control characters
inside a valid decision; a ``chmod 000`` file when the tests run as root, who
reads any file whatever its mode bits say).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from io import BytesIO
from pathlib import Path

FICTIONAL_COUNCIL = "Quillford District Council"
LARGE_BYTES = 50 * 1024 * 1024


class Expect(StrEnum):
    FAIL = "fail"
    NOT_A_FILE = "not_a_file"
    INGEST = "ingest"


@dataclass(frozen=True)
class BadFile:
    name: str
    kind: str
    expect: Expect
    reason: str = ""  # a regular expression the one-line reason must match (FAIL only)
    ref: str = ""  # the reference it is ingested under (INGEST only)


def decision_text(ref: str, organisation: str = FICTIONAL_COUNCIL, extra: str = "") -> str:
    """A short, valid, fictional decision; ``extra`` is added as a paragraph of the assessment."""
    extra_line = f"- {extra}\n" if extra else ""
    return (
        f"{organisation} ({ref})\n"
        "Category : Environment and regulation > Refuse and recycling\n"
        "Decision : Closed after initial enquiries\n"
        "Decision date : 03 Mar 2025\n"
        "The Ombudsman's final decision:\n"
        "Summary: We will not investigate Mr Q's complaint about missed bin collections on his "
        "street. The Council has put things right and an investigation could not add to that.\n"
        "The complaint\n"
        "- Mr Q complains the Council missed his recycling collection six times last winter.\n"
        "My assessment\n"
        "- The Council apologised, collected the bins within two days each time and moved the "
        "round to a smaller lorry that can reach the lane.\n"
        f"{extra_line}"
        "- An investigation by us could not add to what the Council has already done.\n"
        "Final decision\n"
        "- We will not investigate Mr Q's complaint because we could not add to the Council's "
        "own response.\n"
    )


# --- writers: each makes one file (or folder, pipe, link) at the given path -------------------


def _text(content: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content.encode(encoding))


def _bytes(content: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content)


def _large(path: Path) -> None:
    line = b"The Council did not reply to my letter about the hedge. " * 20 + b"\n"
    with path.open("wb") as handle:
        for _ in range(LARGE_BYTES // len(line) + 1):
            handle.write(line)


def _pdf(with_text: bool) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    if with_text:
        pdf.set_font("helvetica", size=11)
        for line in decision_text("25 600 010").splitlines():
            pdf.multi_cell(0, 6, line.replace("’", "'"), new_x="LMARGIN", new_y="NEXT")
    else:  # a "scanned" page: shapes only, no text layer
        pdf.rect(20, 20, 170, 250, style="F")
    return bytes(pdf.output())


def _zip_bytes() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("decision.txt", decision_text("25 600 011"))
    return buffer.getvalue()


def _symlink_outside(outside: Path) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        target = outside / "secret-decision.txt"
        target.write_text(decision_text("25 600 012"), "utf-8")
        path.symlink_to(target)

    return write


def _folder_link_outside(outside: Path) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        target = outside / "linked-folder"
        target.mkdir()
        (target / "25-600-017.txt").write_text(decision_text("25 600 017"), "utf-8")
        path.symlink_to(target, target_is_directory=True)

    return write


def _folder(path: Path) -> None:
    path.mkdir()
    # A decision inside the oddly named folder is still found and ingested.
    (path / "25-600-013.txt").write_text(decision_text("25 600 013"), "utf-8")


def _unreadable(path: Path) -> None:
    path.write_text(decision_text("25 600 014"), "utf-8")
    path.chmod(0)


def _control_characters() -> str:
    text = decision_text("25 600 015")
    # Bell, escape, form feed, vertical tab, DEL and a C1 control inside real sentences.
    return (
        text.replace("missed his", "missed\x07 his")
        .replace("apologised", "apolo\x1bgised\x0c")
        .replace("smaller lorry", "smaller\x0b lorry\x7f")
        .replace("two days", "two\x85 days\x9b")
    )


def _tiny_paragraphs() -> str:
    head = decision_text("25 600 016").split("My assessment\n")[0]
    return head + "My assessment\n" + "".join(f"{n}. Noted.\n" for n in range(1, 60_001))


def _duplicate(path: Path) -> None:
    # Same reference as the good decision 25 600 001, different text.
    path.write_text(decision_text("25 600 001", extra="A different copy of the text."), "utf-8")


# --- the corpus -----------------------------------------------------------------------------

GOOD_REFS = ("25 600 001", "25 600 002", "25 600 003")


def write_good(folder: Path) -> list[str]:
    """A few valid fictional decisions; returns their references."""
    for ref in GOOD_REFS:
        (folder / f"{ref.replace(' ', '-')}.txt").write_text(decision_text(ref), "utf-8")
    return list(GOOD_REFS)


def catalogue(outside: Path) -> list[tuple[BadFile, Callable[[Path], None]]]:
    """Every bad file with its writer; ``outside`` is a folder beside the source folder."""
    header_only = decision_text("25 600 020").split("The Ombudsman's final decision:")[0]
    utf16 = decision_text("25 600 021").encode("utf-16-le")
    latin1 = decision_text("25 600 022").replace("Mr Q", "M. Quéré")
    truncated = decision_text("25 600 023").encode("utf-8") + "é".encode()[:1]
    long_line = ("word " * 400_000).strip()  # 2 MB on one line, no reference
    f, n, i = Expect.FAIL, Expect.NOT_A_FILE, Expect.INGEST
    return [
        (BadFile("empty.txt", "empty file", f, "empty file"), _bytes(b"")),
        (BadFile("binary.txt", "binary", f, "binary"), _bytes(bytes(range(256)) * 40)),
        (BadFile("png-as.txt", "image renamed .txt", f, "binary"), _bytes(_png())),
        (BadFile("latin1.txt", "latin-1 encoding", f, "not UTF-8"), _text(latin1, "latin-1")),
        (BadFile("utf16.txt", "UTF-16 without BOM", f, "UTF-16"), _bytes(utf16)),
        (BadFile("truncated-utf8.txt", "truncated UTF-8", f, "not UTF-8"), _bytes(truncated)),
        (BadFile("huge.txt", "50 MB text", f, "too large"), _large),
        (
            BadFile("contact.html", "HTML page, not a decision", f, "no decision reference"),
            _text("<html><body><main><h1>Contact us</h1><p>Call us.</p></main></body></html>"),
        ),
        (BadFile("garbage.html", "HTML of binary junk", f, "binary"), _bytes(b"<ht\x00ml>" * 99)),
        (
            BadFile("scanned.pdf", "PDF without text layer", f, "no text layer"),
            _bytes(_pdf(with_text=False)),
        ),
        (BadFile("corrupt.pdf", "corrupt PDF", f, "PDF"), _bytes(b"%PDF-1.7\n1 0 obj <<\n/Ty")),
        (
            BadFile("cut-25-600-010.pdf", "truncated PDF", f, "PDF"),
            _bytes(_pdf(with_text=True)[: len(_pdf(with_text=True)) // 2]),
        ),
        (BadFile("archive.pdf", "zip renamed .pdf", f, "PDF"), _bytes(_zip_bytes())),
        (
            BadFile("header-only.txt", "header but no body", f, "no decision body"),
            _text(header_only),
        ),
        (
            # Sorted after 25-600-001.txt, which is read first and wins.
            BadFile(
                "zz-copy-of-25-600-001.txt",
                "duplicate reference, other text",
                f,
                "already read from",
            ),
            _duplicate,
        ),
        (
            BadFile("whitespace.txt", "only whitespace", f, "no text found"),
            _text(" \n\t\n   \r\n" * 50),
        ),
        (
            BadFile("letter.txt", "no reference anywhere", f, "no decision reference"),
            _text(decision_text("").replace("()", "").replace("( )", "")),
        ),
        (
            BadFile("notes.md", "markdown about something else", f, "no decision reference"),
            _text("# Shopping list\n\n- eggs\n- milk\n\n## Garden\n\nMow the lawn.\n"),
        ),
        (BadFile("long-line.txt", "one 2 MB line", f, "no decision reference"), _text(long_line)),
        (
            BadFile("25-600-016.txt", "60,000 tiny paragraphs", f, "too many"),
            _text(_tiny_paragraphs()),
        ),
        (
            BadFile("escape.txt", "symlink outside the source folder", f, "outside the source"),
            _symlink_outside(outside),
        ),
        (
            BadFile("linked", "symlinked folder outside the source", n),
            _folder_link_outside(outside),
        ),
        (BadFile("x.txt", "folder named x.txt", n), _folder),
        (BadFile("pipe.txt", "named pipe", n), os.mkfifo),
        (
            BadFile("dangling.txt", "dangling symlink", n),
            lambda path: path.symlink_to(outside / "nowhere.txt"),
        ),
        (
            BadFile("25-600-015.txt", "control characters in a decision", i, ref="25 600 015"),
            _text(_control_characters()),
        ),
        (
            BadFile(
                "locked.txt",
                "chmod 000",
                i if os.geteuid() == 0 else f,
                "cannot be read",
                ref="25 600 014",
            ),
            _unreadable,
        ),
    ]


def _png() -> bytes:
    # The PNG signature and an IHDR chunk: enough to be an image file, not text.
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64))


def write_corpus(source: Path, outside: Path) -> list[BadFile]:
    """Write the good decisions and every bad file into ``source``; return the bad files."""
    source.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    write_good(source)
    files = []
    for bad, write in catalogue(outside):
        write(source / bad.name)
        files.append(bad)
    return files
