"""What the HTML reader drops or regroups beyond tags and class names.

- **Link lists are navigation.**  A block that is mostly links ("相关链接", "相关文章", a
  list of other notices, a breadcrumb trail, a share bar) with little text of its own is
  dropped, whatever its class is called.  A block holding the main text is never dropped:
  one with 200 or more characters outside links, or a sentence end (。；！？) outside
  links (prose citing 《条例》 by links), is kept and looked into.
- **A data table is read row by row.**  A table without nested tables and without long cells
  (layout tables hold whole articles) becomes one block per row; its header row's names are
  kept with each cell, as for spreadsheets (``项目:首贷贴息 比例:1``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from search.documents.blocks import Block
from search.documents.dom import Node, Text

Noise = Callable[[Node], bool]
_KEEP_TEXT = 200  # characters outside links that make a block content, not navigation
_LONG_CELL = 300  # a cell this long is a layout table's column, not data
_CONTAINERS = frozenset(
    "div ul ol dl section aside nav table tbody thead tfoot tr td th li p span center "
    "dd dt font".split()
)
RELATED = re.compile(
    r"^[【\[]?\s*(?:相关(?:链接|文章|阅读|新闻|文件|信息|稿件|报道|政策)|推荐阅读|延伸阅读|热点推荐"
    r"|热门文章|猜你喜欢|友情链接|更多(?:新闻|信息)?)\s*[】\]]?\s*[:：>»]?"
)
_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[。；！？]")
_WIDE_GAP = re.compile(r"(?<=[\u2e80-\u9fff\uff00-\uffef]) (?=[\u2e80-\u9fff\uff00-\uffef])")


@dataclass(frozen=True)
class LinkStats:
    """Non-space characters of a node's text, of its text inside links, its links, and
    whether its text outside links holds a sentence end (prose that cites links)."""

    chars: int
    link_chars: int
    links: int
    prose: bool = False


class Links:
    """Link statistics of the nodes of one page, each computed once."""

    def __init__(self, noise: Noise) -> None:
        self.noise = noise
        self.known: dict[int, LinkStats] = {}

    def stats(self, node: Node, in_link: bool = False) -> LinkStats:
        key = id(node)
        if key in self.known and not in_link:
            return self.known[key]
        in_link = in_link or node.tag == "a"
        chars = link_chars = 0
        links = 1 if node.tag == "a" else 0
        prose = False
        for child in node.children:
            if isinstance(child, Text):
                size = len(_SPACE.sub("", child.text))
                chars += size
                link_chars += size if in_link else 0
                prose = prose or (not in_link and bool(_SENTENCE_END.search(child.text)))
            elif not self.noise(child):
                found = self.stats(child, in_link)
                chars, link_chars = chars + found.chars, link_chars + found.link_chars
                links, prose = links + found.links, prose or found.prose
        result = LinkStats(chars, link_chars, links, prose)
        if not in_link:
            self.known[key] = result
        return result

    def is_navigation(self, node: Node) -> bool:
        """A container that is mostly links, with little text of its own."""
        if node.tag not in _CONTAINERS:
            return False
        found = self.stats(node)
        if not found.links or found.prose or found.chars - found.link_chars >= _KEEP_TEXT:
            return False
        if found.links >= 3 and found.link_chars >= 0.6 * found.chars:
            return True
        return bool(RELATED.match(text_of(node, self.noise))) and (
            found.link_chars >= 0.4 * found.chars
        )


def text_of(node: Node, noise: Noise) -> str:
    """The text of a node, whitespace collapsed (none kept between two wide characters)."""
    parts: list[str] = []

    def visit(element: Node) -> None:
        for child in element.children:
            if isinstance(child, Text):
                parts.append(child.text)
            elif child.tag == "br":
                parts.append(" ")
            elif not noise(child):
                visit(child)

    visit(node)
    return _WIDE_GAP.sub("", _SPACE.sub(" ", "".join(parts))).strip()


def _rows(table: Node) -> list[Node]:
    found: list[Node] = []
    for child in table.children:
        if isinstance(child, Node):
            if child.tag == "tr":
                found.append(child)
            elif child.tag in ("thead", "tbody", "tfoot"):
                found.extend(_rows(child))
    return found


def _has_table(node: Node) -> bool:
    return any(isinstance(c, Node) and (c.tag == "table" or _has_table(c)) for c in node.children)


def _last_line(node: Node) -> int:
    line = node.line
    for child in node.children:
        if isinstance(child, Text):
            if child.text.strip():  # the line of its last character
                line = max(line, child.line + child.text.rstrip().count("\n"))
        else:
            line = max(line, _last_line(child))
    return line


def table_blocks(table: Node, noise: Noise) -> list[Block] | None:
    """One block per row of a data table, or ``None`` for a layout table."""
    from search.documents.sheets import row_blocks

    if _has_table(table):
        return None
    rows = []
    for row in _rows(table):
        cells = [
            text_of(c, noise)
            for c in row.children
            if isinstance(c, Node) and c.tag in ("td", "th") and not noise(c)
        ]
        if any(len(cell) > _LONG_CELL for cell in cells):
            return None
        rows.append((row, cells))
    lines = {row.line: _last_line(row) for row, _ in rows}
    found = row_blocks([(row.line, cells, False) for row, cells in rows])
    return [Block(b.text, b.line, lines[b.line]) for b, _ in found]
