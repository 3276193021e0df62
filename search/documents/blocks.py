"""Blocks (a paragraph or heading with its source lines) and how they become passages."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from search.models import Passage, line_at

MAX_PASSAGE = 2000  # code points; longer paragraphs are cut at a sentence end
_SENTENCE_END = re.compile(r"[。！？；!?;]")
_CLOSING = set("。！？；：…”’」』）)》〉】〕!?;:.")
_PROSE_MARK = re.compile(r"[，、。；,;]")
_HEADING = re.compile(r"^(#{1,6})(?:\s+(.*?)\s*#*)?\s*$")
_LIST_START = re.compile(
    r"^(?:[一二三四五六七八九十]+[、是]|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|第[一二三四五六七八九十百\d]+[条章节])"
)


@dataclass(frozen=True)
class Block:
    """A paragraph (``heading`` 0) or a heading (level 1–6) and where it stands in the source.

    ``joins`` lists ``(offset, line)`` for every source line after the first that was joined
    into ``text``: the line on which the text from ``offset`` on stands.  ``sheet`` is the
    spreadsheet a row stands in: it heads the row's section path.
    """

    text: str
    line: int
    end_line: int
    heading: int = 0
    joins: tuple[tuple[int, int], ...] = ()
    sheet: str = ""
    ocr: bool = False  # recognised from a scanned page


def _continues(previous: str, following_raw: str) -> bool:
    """Whether a line broken without closing punctuation goes on in the next line."""
    prev = previous.rstrip()
    if not prev or prev[-1] in _CLOSING or not _PROSE_MARK.search(prev):
        return False
    if not following_raw or following_raw[0].isspace():
        return False
    following = following_raw.strip()
    return not (following.startswith("#") or _LIST_START.match(following))


def _glue(left: str, right: str) -> str:
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii():
        return left + " " + right
    return left + right


def text_blocks(lines: Iterable[str]) -> Iterator[Block]:
    """Split the lines of a plain-text or Markdown file into blocks.

    Every non-blank line is a paragraph, except a line of running prose broken without closing
    punctuation: the next unindented line (blank lines between allowed) joins it.  Markdown
    headings (``#`` to ``######`` and a space) are headings in .txt files too: newspaper pages
    saved as text use them for their articles.
    """
    current: list[str] = []
    start = end = 0
    joins: list[tuple[int, int]] = []
    text = ""

    def flush() -> Iterator[Block]:
        if current:
            yield Block(text, start, end, 0, tuple(joins))

    for number, raw in enumerate(lines, 1):
        raw = raw.rstrip("\r\n")
        stripped = raw.strip()
        if not stripped:
            continue
        heading = _HEADING.match(stripped)
        if heading:
            yield from flush()
            current = []
            if heading.group(2):  # "#" or "# #" alone is an empty heading: no passage
                yield Block(heading.group(2), number, number, len(heading.group(1)))
            continue
        if current and _continues(text, raw):
            glued = _glue(text.rstrip(), stripped)
            joins.append((len(glued) - len(stripped), number))
            text, end = glued, number
            current.append(raw)
            continue
        yield from flush()
        current, text, start, end, joins = [raw], stripped, number, number, []
    yield from flush()


def _cut(text: str) -> Iterator[tuple[int, str]]:
    """Pieces of at most MAX_PASSAGE code points, cut after a sentence end where possible."""
    offset = 0
    while len(text) - offset > MAX_PASSAGE:
        window = text[offset : offset + MAX_PASSAGE]
        ends = [m.end() for m in _SENTENCE_END.finditer(window)]
        size = ends[-1] if ends and ends[-1] > MAX_PASSAGE // 2 else MAX_PASSAGE
        yield offset, text[offset : offset + size]
        offset += size
    yield offset, text[offset:]


def passages_from_blocks(doc_id: str, blocks: Iterable[Block]) -> list[Passage]:
    """Number the paragraphs, attach the heading path, cut over-long paragraphs."""
    return list(iter_passages(doc_id, blocks))


def iter_passages(doc_id: str, blocks: Iterable[Block]) -> Iterator[Passage]:
    """``passages_from_blocks``, one passage at a time, as ``blocks`` are read."""
    number = 0
    path: list[tuple[int, str]] = []
    for block in blocks:
        if block.heading:
            path = [(level, title) for level, title in path if level < block.heading]
        headings = ((block.sheet,) if block.sheet else ()) + tuple(title for _, title in path)
        for offset, piece in _cut(block.text):
            line = line_at(block.line, block.joins, offset)
            end = line_at(block.line, block.joins, offset + len(piece) - 1)
            joins = tuple(
                (o - offset, ln) for o, ln in block.joins if offset < o < offset + len(piece)
            )
            number += 1
            yield Passage(doc_id, number, line, end, piece, headings, joins, block.ocr)
        if block.heading:
            path.append((block.heading, block.text))
