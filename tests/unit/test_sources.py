"""read_source and discover over real files made in tmp_path (text, Markdown, HTML, PDF, bad files).

The decision texts are FICTIONAL, except the shared seed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fpdf import FPDF

from ingest.parse.decision import parse_decision
from ingest.parse.sources import MAX_SOURCE_BYTES, discover, read_source
from ingest.vocabulary.errors import ParseError, SourceError
from ingest.vocabulary.records import Outcome

PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head>
<title>Ashgrove City Council (23 900 505)</title>
<link rel="canonical" href="http://lgo.org.uk/decisions/planning-and-development/enforcement/23-900-505/?displaypref=0">
<script>var secret = "SCRIPT TEXT";</script>
<style>.x { color: red }</style>
</head>
<body>
<div id="cookie-banner"><p>We use cookies on this website.</p>
<button>Accept all cookies</button></div>
<header><a href="/">Local Government and Social Care Ombudsman</a></header>
<nav><ul><li><a href="/decisions">NAV DECISIONS</a></li></ul></nav>
<main>
<h1>Ashgrove City Council (23 900 505)</h1>
<dl><dt>Category</dt><dd>Planning and development &gt; Enforcement</dd>
<dt>Decision</dt><dd>Closed after initial enquiries</dd>
<dt>Decision date</dt><dd>15 Apr 2025</dd></dl>
<h2>The Ombudsman's final decision:</h2>
<p><strong>Summary:</strong> We will not investigate Mr X's complaint because it is late.</p>
<p><a href="#top">Back to top</a></p>
<h2>The complaint</h2>
<ol><li>Mr X complains the Council did not act against his <em>neighbour's</em> fence.</li></ol>
<p><a href="#top">Back to top</a></p>
<h2>My assessment</h2>
<ol start="2"><li>Mr X knew about the fence more than 12 months before he complained:
<ul><li>he wrote to the Council in 2019; and</li><li>he was told then how to complain.</li></ul>
</li></ol>
<h2>Final decision</h2>
<ol start="3"><li>We will not investigate Mr X's complaint because it is late.</li></ol>
<p>Investigator's decision on behalf of the Ombudsman</p>
<p>Print this page</p>
</main>
<footer>FOOTER TEXT</footer>
</body></html>
"""


def write_pdf(path: Path, lines: list[str]) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for line in lines:
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


@pytest.fixture
def seed_copy(tmp_path: Path, seed_path: Path) -> Path:
    target = tmp_path / "24-020-817.txt"
    target.write_bytes(seed_path.read_bytes())
    return target


class TestText:
    def test_txt(self, seed_copy: Path) -> None:
        doc = read_source(seed_copy)
        assert doc.text == seed_copy.read_text("utf-8")
        assert (doc.path, doc.url) == (str(seed_copy), None)

    def test_markdown(self, tmp_path: Path, seed_path: Path) -> None:
        path = tmp_path / "24-020-817.md"
        path.write_text("# " + seed_path.read_text("utf-8"), "utf-8")
        assert parse_decision(read_source(path)).ref == "24 020 817"

    def test_bom_and_control_characters_are_removed(self, tmp_path: Path) -> None:
        path = tmp_path / "x.txt"
        path.write_bytes("\ufeffline one\x07\r\nline\ttwo\n".encode())
        assert read_source(path).text == "line one\r\nline\ttwo\n"


class TestHtml:
    @pytest.fixture
    def page(self, tmp_path: Path) -> Path:
        path = tmp_path / "page.html"
        path.write_text(PAGE, "utf-8")
        return path

    def test_furniture_is_dropped(self, page: Path) -> None:
        text = read_source(page).text
        for furniture in ("SCRIPT TEXT", "color: red", "cookies", "NAV DECISIONS", "FOOTER TEXT",
                          "Back to top", "Print this page"):
            assert furniture not in text

    def test_layout_is_kept(self, page: Path) -> None:
        lines = read_source(page).text.splitlines()
        assert lines[:4] == [
            "Ashgrove City Council (23 900 505)",
            "Category : Planning and development > Enforcement",
            "Decision : Closed after initial enquiries",
            "Decision date : 15 Apr 2025",
        ]
        assert "1. Mr X complains the Council did not act against his neighbour's fence." in lines
        assert "- he wrote to the Council in 2019; and" in lines

    def test_canonical_url(self, page: Path) -> None:
        assert read_source(page).url is not None
        decision = parse_decision(read_source(page))
        assert decision.url == (
            "https://www.lgo.org.uk/decisions/planning-and-development/enforcement/23-900-505"
        )

    def test_parses_into_a_decision(self, page: Path) -> None:
        decision = parse_decision(read_source(page))
        assert (decision.ref, decision.outcome) == ("23 900 505", Outcome.CLOSED)
        assert [p.number for p in decision.paragraphs] == [1, 2, 3]
        assert decision.paragraphs[1].text.endswith("\n- he was told then how to complain.")
        assert decision.closing == "Investigator's decision on behalf of the Ombudsman"

    def test_og_url_when_no_canonical_link(self, tmp_path: Path) -> None:
        path = tmp_path / "og.html"
        path.write_text(
            '<html><head><meta property="og:url" content="https://www.lgo.org.uk/d/1">'
            "</head><body><p>text</p></body></html>",
            "utf-8",
        )
        assert read_source(path).url == "https://www.lgo.org.uk/d/1"

    def test_page_that_is_not_a_decision(self, tmp_path: Path) -> None:
        path = tmp_path / "about.html"
        path.write_text(
            "<html><body><nav>Home</nav><main><h1>About us</h1><p>We look at complaints "
            "about councils.</p><h2>Our annual report</h2><p>Read it.</p></main></body></html>",
            "utf-8",
        )
        with pytest.raises(ParseError, match="no decision reference"):
            parse_decision(read_source(path))

    def test_page_without_text(self, tmp_path: Path) -> None:
        path = tmp_path / "empty.html"
        path.write_text("<html><body><script>x()</script></body></html>", "utf-8")
        with pytest.raises(SourceError, match="no text found"):
            read_source(path)


class TestPdf:
    def test_pdf_with_text_layer(self, tmp_path: Path, seed_path: Path) -> None:
        # Helvetica in fpdf2 is Latin-1 only: straighten the seed's typographic quotes.
        lines = seed_path.read_text("utf-8").replace("’", "'").replace("‘", "'").splitlines()
        path = write_pdf(tmp_path / "decision.pdf", lines)
        doc = read_source(path)
        assert doc.url is None
        decision = parse_decision(doc)
        assert decision.ref == "24 020 817"
        assert decision.date is not None and decision.date.isoformat() == "2025-04-15"
        assert len(decision.sections) == 5
        assert decision.summary.startswith("We will not investigate Mr X's complaint")
        assert decision.summary.endswith("complaint about an alleged data breach.")

    def test_pdf_without_text_layer(self, tmp_path: Path) -> None:
        pdf = FPDF()
        pdf.add_page()
        pdf.rect(20, 20, 80, 40, style="F")  # a scanned page: pictures, no text
        path = tmp_path / "scan.pdf"
        pdf.output(str(path))
        with pytest.raises(SourceError, match="no text layer"):
            read_source(path)

    def test_damaged_pdf(self, tmp_path: Path) -> None:
        path = tmp_path / "broken.pdf"
        path.write_bytes(b"%PDF-1.4\nthis is not really a PDF\n")
        with pytest.raises(SourceError, match="unreadable PDF"):
            read_source(path)


class TestBadFiles:
    def test_empty(self, tmp_path: Path) -> None:
        path = tmp_path / "empty.txt"
        path.touch()
        with pytest.raises(SourceError, match="empty file"):
            read_source(path)

    def test_whitespace_only(self, tmp_path: Path) -> None:
        path = tmp_path / "blank.txt"
        path.write_text("\n  \n\t\n", "utf-8")
        with pytest.raises(SourceError, match="no text found"):
            read_source(path)

    def test_binary(self, tmp_path: Path) -> None:
        path = tmp_path / "image.txt"
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
        with pytest.raises(SourceError, match="binary file"):
            read_source(path)

    def test_not_utf8(self, tmp_path: Path) -> None:
        path = tmp_path / "latin1.txt"
        path.write_bytes("Décision du conseil".encode("latin-1"))
        with pytest.raises(SourceError, match="not UTF-8") as caught:
            read_source(path)
        assert caught.value.path == str(path)

    def test_too_large(self, tmp_path: Path) -> None:
        path = tmp_path / "huge.txt"
        with path.open("wb") as handle:  # sparse: no 5 MB written to disk
            handle.truncate(MAX_SOURCE_BYTES + 1)
        with pytest.raises(SourceError, match="too large"):
            read_source(path)

    def test_folder_named_like_a_file(self, tmp_path: Path) -> None:
        folder = tmp_path / "folder.txt"
        folder.mkdir()
        with pytest.raises(SourceError, match="cannot be read"):
            read_source(folder)

    def test_error_is_one_line_naming_the_file(self, tmp_path: Path) -> None:
        path = tmp_path / "empty.txt"
        path.touch()
        with pytest.raises(SourceError) as caught:
            read_source(path)
        assert str(caught.value) == f"{path}: empty file"


class TestLinksAndSidecars:
    def test_symlink_outside_the_folder_is_refused(self, tmp_path: Path, seed_path: Path) -> None:
        root = tmp_path / "corpus"
        root.mkdir()
        link = root / "24-020-817.txt"
        link.symlink_to(seed_path)
        with pytest.raises(SourceError, match="outside the source folder"):
            read_source(link, root)

    def test_symlink_inside_the_folder_is_read(self, tmp_path: Path, seed_copy: Path) -> None:
        link = tmp_path / "alias.txt"
        link.symlink_to(seed_copy)
        assert read_source(link, tmp_path).text == seed_copy.read_text("utf-8")

    def test_sidecar_url(self, seed_copy: Path) -> None:
        url = "https://www.lgo.org.uk/decisions/childrens-care-services/child-protection/24-020-817"
        sidecar = seed_copy.with_name("24-020-817.meta.json")
        sidecar.write_text(json.dumps({"url": url + "?displaypref=1"}), "utf-8")
        doc = read_source(seed_copy)
        assert doc.url == url + "?displaypref=1"
        assert parse_decision(doc).url == url

    def test_sidecar_wins_over_the_page_link(self, tmp_path: Path) -> None:
        page = tmp_path / "23-900-505.html"
        page.write_text(PAGE, "utf-8")
        (tmp_path / "23-900-505.meta.json").write_text('{"url": "https://example.org/x"}', "utf-8")
        assert read_source(page).url == "https://example.org/x"

    @pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"url": 42}'])
    def test_bad_sidecar_is_ignored(self, seed_copy: Path, content: str) -> None:
        seed_copy.with_name("24-020-817.meta.json").write_text(content, "utf-8")
        assert read_source(seed_copy).url is None


class TestDiscover:
    def test_supported_files_sorted_recursively(self, tmp_path: Path) -> None:
        for name in ("b.txt", "a.md", "sub/c.html", "sub/d.PDF", "notes.docx", ".hidden.txt",
                     "x.meta.json"):
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("x", "utf-8")
        (tmp_path / "folder.txt").mkdir()
        found = [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)]
        assert found == ["a.md", "b.txt", "sub/c.html", "sub/d.PDF"]

    def test_a_file_is_its_own_source(self, seed_copy: Path) -> None:
        assert list(discover(seed_copy)) == [seed_copy]

    def test_sample_corpus(self, sample_dir: Path) -> None:
        found = list(discover(sample_dir))
        assert found
        assert all(p.is_file() and not os.path.basename(p).startswith(".") for p in found)
