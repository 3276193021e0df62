"""The data that crosses module boundaries: plain frozen dataclasses, no package imports."""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass(frozen=True)
class Passage:
    """One paragraph of a document with its exact source location.

    ``line``..``end_line`` are 1-based lines of the source file (a JSON Lines record: the
    record's line; a PDF: the page).  ``headings`` is the section path above the paragraph.
    ``joins`` holds ``(offset, line)`` for each source line joined into ``text`` after the first.
    """

    doc_id: str
    paragraph: int
    line: int
    end_line: int
    text: str
    headings: tuple[str, ...] = ()
    joins: tuple[tuple[int, int], ...] = ()

    def line_at(self, offset: int) -> int:
        """The source line on which the character at ``offset`` of ``text`` stands."""
        return line_at(self.line, self.joins, offset)


def location(document: Document, passage: Passage, line: int) -> str:
    """Where a passage is, as ``show`` and ``sed -n`` take it: ``path:line``; ``path:pN`` for
    a PDF page; ``path:line#pN`` for paragraph N of the JSON Lines record on that line (every
    paragraph of a record shares its line)."""
    if document.fmt == "pdf":
        return f"{document.path}:p{line}"
    if document.fmt == "jsonl":
        return f"{document.path}:{line}#p{passage.paragraph}"
    return f"{document.path}:{line}"


@dataclass(frozen=True)
class Span:
    """A highlighted match: half-open ``[start, end)`` code-point offsets into a text."""

    start: int
    end: int


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

    @property
    def match_line(self) -> int:
        """The source line of the first match (the paragraph's first line without one)."""
        return self.passage.line_at(self.spans[0].start) if self.spans else self.passage.line

    @property
    def location(self) -> str:
        """``path:line`` of the first match, the one location of a hit in every output
        (``path:pN`` for a PDF page, ``path:line#pN`` for paragraph N of a JSON Lines
        record)."""
        return location(self.document, self.passage, self.match_line)


@dataclass(frozen=True)
class Step:
    """How far an update is: bytes of the files to read (a file's bytes counted as its
    records are added), documents and passages added so far, the file being read, and the
    stage: ``reading``, then ``committing`` (Whoosh writes and merges its segments), then
    ``finishing`` (the literal index and the manifest)."""

    done: int
    total: int
    documents: int = 0
    passages: int = 0
    name: str = ""
    stage: str = "reading"
