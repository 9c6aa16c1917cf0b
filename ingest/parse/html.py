"""Turn a decision web page into the plain-text layout the parser reads.

Keeps headings on their own lines and list numbering (``1.`` for ordered
lists, ``- `` for bullets); drops scripts, navigation, cookie banners and the
site's ``Back to top`` / ``Print this page`` links.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PageElement

_DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "form", "button", "svg",
              "iframe", "template", "aside")
_FURNITURE = re.compile(r"^(back to top|print this page|skip to (main )?content)$", re.IGNORECASE)
_BLOCKS = frozenset({"p", "div", "section", "article", "main", "tr", "dt", "dd", "br", "blockquote",
                     "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "body"})


def html_to_text(html: str) -> str:
    """The decision inside a page, as lines of text."""
    soup = BeautifulSoup(html, "html.parser")
    # The published page keeps the decision in <article id="article">; other copies in <main>.
    root = soup.find(id="article") or soup.find("main") or soup.find("article") or soup.body
    root = root or soup
    for tag in root.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in root.find_all(_is_cookie_banner):
        tag.decompose()
    _join_label_values(root, soup)
    lines: list[str] = []
    _emit(root, lines)
    return "\n".join(line for line in lines if not _FURNITURE.match(line))


def page_url(html: str) -> str | None:
    """The page's canonical URL if it declares one."""
    soup = BeautifulSoup(html, "html.parser")
    link = soup.find("link", rel="canonical")
    if isinstance(link, Tag) and link.get("href"):
        return str(link["href"])
    meta = soup.find("meta", property="og:url")
    if isinstance(meta, Tag) and meta.get("content"):
        return str(meta["content"])
    return None


def _join_label_values(root: Tag, soup: BeautifulSoup) -> None:
    """``<span class="label">Category</span><span class="value">A &gt; B</span>`` becomes one
    ``Category : A > B`` line, as on a text copy (the published page's header)."""
    for label in root.find_all(class_="label"):
        value = _value_of(label)
        if value is None:
            continue
        term = " ".join(label.get_text(" ").split()).rstrip(":").strip()
        text = " ".join(value.get_text(" ").split())
        line = soup.new_tag("p")
        line.string = f"{term} : {text}" if term else text
        value.decompose()
        label.replace_with(line)


def _value_of(label: Tag) -> Tag | None:
    """The ``value`` beside a ``label``: its sibling, or its wrapper's (``<dt>``/``<dd>``-like
    pairs of wrappers); never one further away, which would belong to another label."""
    for candidate in (label, label.parent):
        following = candidate.find_next_sibling() if isinstance(candidate, Tag) else None
        if isinstance(following, Tag) and "value" in (following.get("class") or []):
            return following
    return None


def _is_cookie_banner(tag: Tag) -> bool:
    marks = " ".join([*tag.get_attribute_list("id"), *tag.get_attribute_list("class")]).lower()
    return "cookie" in marks or "consent" in marks


def _emit(node: Tag, lines: list[str]) -> None:
    """Walk the tree, starting a new line at every block element.

    With a stack, not recursion: a page may nest its elements thousands deep."""
    buffer: list[str] = []

    def flush() -> None:
        text = " ".join("".join(buffer).split())
        if text:
            lines.append(text)
        buffer.clear()

    stack: list[Iterator[PageElement]] = [iter(node.children)]
    while stack:
        child = next(stack[-1], None)
        if child is None:  # the end of a block
            stack.pop()
            flush()
        elif isinstance(child, NavigableString):
            buffer.append(str(child))
        elif isinstance(child, Tag):
            if child.name == "dl":
                flush()
                lines.extend(_definition_lines(child))
            elif child.name == "li":
                flush()
                lines.append(_list_marker(child) + _inline_text(child))
                # Its nested lists next, each a block of its own.
                stack.append(iter(child.find_all(["ul", "ol"], recursive=False)))
            elif child.name in _BLOCKS:
                flush()
                stack.append(iter(child.children))
            else:
                buffer.append(child.get_text())


def _definition_lines(dl: Tag) -> list[str]:
    """``<dt>Category</dt><dd>A &gt; B</dd>`` becomes ``Category : A > B``, as on a text copy."""
    lines: list[str] = []
    term = ""
    for child in dl.find_all(["dt", "dd"]):
        text = " ".join(child.get_text(" ").split())
        if child.name == "dt":
            term = text
        elif text:
            lines.append(f"{term} : {text}" if term else text)
            term = ""
    return lines


def _inline_text(item: Tag) -> str:
    """An item's own text, without the nested lists it holds (those get their own lines)."""
    parts = [
        c.get_text() if isinstance(c, Tag) else str(c)
        for c in item.children
        if not (isinstance(c, Tag) and c.name in ("ul", "ol"))
    ]
    return " ".join("".join(parts).split())


def _list_marker(item: Tag) -> str:
    parent = item.parent
    if not isinstance(parent, Tag) or parent.name != "ol":
        return "- "
    siblings = [li for li in parent.find_all("li", recursive=False)]
    start = _start_number(parent.get("start"))
    return f"{start + siblings.index(item)}. "


def _start_number(value: object) -> int:
    """``<ol start="3">``; a page's ``start="x"`` (or ``start="-"``) counts from 1."""
    text = str(value or "").strip()
    return int(text) if re.fullmatch(r"-?[0-9]{1,9}", text) else 1
