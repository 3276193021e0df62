"""The data that crosses module boundaries: plain frozen dataclasses, no package imports."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

SHEET_FORMATS = frozenset({"xlsx", "xls", "ods"})
PAGE_FORMATS = frozenset({"pdf", "ofd"})  # locations name the page: file.pdf:p3
_NOT_SHELL_SAFE = re.compile(r"[^\w.+@%-]+")


@dataclass(frozen=True)
class Document:
    """One announcement: a file, or one record of a JSON Lines dump."""

    doc_id: str
    path: str
    title: str = ""
    date: str = ""
    issuer: str = ""
    doc_number: str = ""
    url: str = ""
    fmt: str = "txt"


def line_at(first: int, joins: tuple[tuple[int, int], ...], offset: int) -> int:
    """The source line of ``offset`` in a text whose lines after ``first`` start at ``joins``
    (``(offset, line)`` pairs in order)."""
    line = first
    for join_offset, join_line in joins:
        if join_offset <= offset:
            line = join_line
    return line


def sheet_label(name: str) -> str:
    """A sheet's name as a location shows it: runs of characters a shell would interpret
    (spaces, brackets, quotes, ``!``, ``$``…) become ``_``."""
    return _NOT_SHELL_SAFE.sub("_", name).strip("_") or "sheet"


@dataclass(frozen=True)
class Passage:
    """One paragraph of a document with its exact source location.

    ``line``..``end_line`` are 1-based lines of the source file (a JSON Lines record: the
    record's line; a PDF: the page; a spreadsheet: the row).  ``headings`` is the section path
    above the paragraph (a spreadsheet row's: its sheet's name).
    ``joins`` holds ``(offset, line)`` for each source line joined into ``text`` after the first.
    """

    doc_id: str
    paragraph: int
    line: int
    end_line: int
    text: str
    headings: tuple[str, ...] = ()
    joins: tuple[tuple[int, int], ...] = ()
    ocr: bool = False  # the text was recognised from a scanned page

    def line_at(self, offset: int) -> int:
        """The source line on which the character at ``offset`` of ``text`` stands."""
        return line_at(self.line, self.joins, offset)

    def place(self, fmt: str, line: int | None = None) -> str:
        """Where ``line`` (default: the first) stands, as a location shows it after the path:
        ``12``, ``p3`` for a PDF page, ``Sheet1:12`` for a spreadsheet row."""
        line = self.line if line is None else line
        if fmt in PAGE_FORMATS:
            return f"p{line}"
        if fmt in SHEET_FORMATS and self.headings:
            return f"{sheet_label(self.headings[0])}:{line}"
        return str(line)


def location(document: Document, passage: Passage, line: int) -> str:
    """Where a passage is, as ``show`` and ``sed -n`` take it: ``path:line``; ``path:pN`` for
    a PDF or OFD page; ``path:Sheet:row`` for a spreadsheet row; ``path:line#pN`` for
    paragraph N of the JSON Lines record on that line (every paragraph of a record shares its
    line)."""
    if document.fmt == "jsonl":
        return f"{document.path}:{line}#p{passage.paragraph}"
    return f"{document.path}:{passage.place(document.fmt, line)}"


class Span(NamedTuple):
    """A highlighted match: half-open ``[start, end)`` code-point offsets into a text (a
    named tuple: a long result list makes hundreds of thousands)."""

    start: int
    end: int


@dataclass(frozen=True)
class Part:
    """One addend of a hit's score (``--explain``).

    ``kind``: ``word`` (a query word) or ``bigram`` (a question's character bigram) counted in
    ``field`` (``text``; ``title`` and ``headings`` for words; ``document``: the passage's whole
    document, its context, where tf is the number of its passages holding the term),
    ``feedback`` (a bigram the best documents share), ``proximity`` (the keywords close
    together) or ``lead`` (the document's first passage).  For the BM25 parts,
    ``value = weight × idf × tf (k1 + 1) / (tf + k1 (1 − b + b length / average))``; title and
    headings count presence only (``value = weight × idf``).
    """

    kind: str
    value: float
    term: str = ""
    field: str = ""
    tf: float = 0.0
    df: int = 0
    length: float = 0.0
    average: float = 0.0
    weight: float = 0.0
    idf: float = 0.0
    gap: int = -1  # proximity: characters between the keywords


@dataclass(frozen=True)
class Explanation:
    """Why a hit ranks where it does: what orders it before the score (its tier), then the
    parts of its score, which add up to ``score`` (unrounded).

    ``whole_query``: it matches the whole query (not a relaxed, partial match); ``together``:
    it holds the keywords written together (``None`` for a single keyword); ``reranked``: it
    was among the best candidates whose exact term frequencies, proximity and, for a question,
    context, feedback and lead were counted (the others count each word once).
    """

    score: float
    whole_query: bool
    together: bool | None
    reranked: bool
    k1: float
    b: float
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Hit:
    """A ranked passage with its document's metadata and the highlighted spans."""

    rank: int
    score: float
    document: Document
    passage: Passage
    spans: tuple[Span, ...] = ()
    partial: bool = False
    matched: tuple[str, ...] = field(default=())
    explain: Explanation | None = None
    copies: tuple[Document, ...] = ()  # the other matching reposts this hit stands for

    @property
    def match_line(self) -> int:
        """The source line of the first match (the paragraph's first line without one)."""
        return self.passage.line_at(self.spans[0].start) if self.spans else self.passage.line

    @property
    def location(self) -> str:
        """``path:line`` of the first match, the one location of a hit in every output
        (``path:pN`` for a PDF page, ``path:Sheet:row`` for a spreadsheet row,
        ``path:line#pN`` for paragraph N of a JSON Lines record)."""
        return location(self.document, self.passage, self.match_line)


@dataclass(frozen=True)
class Step:
    """How far an update is: bytes of the files to read (a file's bytes counted as its
    records are added), documents and passages added so far, the file being read, and the
    stage: ``reading`` (segments are written as they fill), then ``committing`` (merges, the
    manifest and Whoosh's TOC)."""

    done: int
    total: int
    documents: int = 0
    passages: int = 0
    name: str = ""
    stage: str = "reading"
