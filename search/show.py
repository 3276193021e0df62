"""A passage in its document (``govsearch show``).

A location is a ``doc_id`` (the whole document), or ``path:line`` / ``path:pN`` /
``path:sheet:row`` as printed in a hit: the passage(s) whose lines hold that line — every
passage of a JSON Lines record, which shares its line — with ``context`` passages before
and after.  ``path`` is the stored path (relative to the folder that holds the index) or a
path to the same file from here.  A line between passages (a blank line) points at the next
passage.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import numpy as np

from search import query
from search.analyzer import normalize
from search.config import absolute
from search.errors import BadInput
from search.models import SHEET_FORMATS, Document, Passage, Span, sheet_label
from search.query.hits import passage_from
from search.searching import Searcher
from search.snippets import match_spans

_LINE = re.compile(
    r"^(?P<path>.+):(?P<page>p?)(?P<line>[1-9][0-9]*)(?:#p(?P<paragraph>[1-9][0-9]*))?$"
)
_SHEET_HINT = "give path:sheet:row as printed by govsearch search"


@dataclass(frozen=True)
class Excerpt:
    """Passages of one document to show; ``marked`` are the ones the location points at;
    ``spans[i]`` are the query's matches in ``passages[i].text``."""

    document: Document
    passages: tuple[Passage, ...]
    marked: frozenset[int]  # paragraph numbers
    spans: tuple[tuple[Span, ...], ...]


def excerpt(searcher: Searcher, location: str, context: int = 2, query_text: str = "") -> Excerpt:
    """The passages at ``location``; ``BadInput`` when the index holds no such place."""
    document = _document(searcher, location)
    if document is not None:
        shown = searcher.document_passages(document.doc_id)
        return _highlight(document, shown, frozenset(), query_text)
    match = _LINE.match(location)
    if match is None:
        document = _file_document(searcher, location)
        shown = searcher.document_passages(document.doc_id)
        return _highlight(document, shown, frozenset(), query_text)
    line = int(match["line"])
    document, passages, marked = _at_line(searcher, match["path"], line)
    if document.fmt == "jsonl":
        marked = _in_record(location, passages, match["paragraph"])
        if not marked:  # path:line of a record: the whole record, as its doc_id
            return _highlight(document, passages, marked, query_text)
    first = min(i for i, p in enumerate(passages) if p.paragraph in marked)
    last = max(i for i, p in enumerate(passages) if p.paragraph in marked)
    shown = passages[max(0, first - context) : last + context + 1]
    return _highlight(document, shown, marked, query_text)


def _document(searcher: Searcher, doc_id: str) -> Document | None:
    found = searcher.passages_of(doc_id)
    if not found:
        return None
    return searcher.document(searcher.literal.stored(found[0]))


def _file_document(searcher: Searcher, path: str) -> Document:
    """The document of the file at ``path`` (named from here, or as stored)."""
    in_file = _file_passages(searcher, path).tolist()
    if not in_file:
        raise BadInput(
            f"no document {path!r} in the index",
            "give a doc_id, a file, or path:line as printed by govsearch search",
        )
    literal = searcher.literal
    documents = {int(literal.docinfo[d, 0]) for d in in_file}
    stored = literal.stored(in_file[0])
    if len(documents) > 1:
        raise BadInput(
            f"{path} holds {len(documents)} records",
            f"give one as path:line, e.g. {path}:{stored['line']}",
        )
    return searcher.document(stored)


def _file_passages(searcher: Searcher, path: str) -> np.ndarray:
    """The numbers of the passages read from the file at ``path`` (from here, or stored form),
    in collection order (by line)."""
    named = os.path.expanduser(path)
    wanted = {os.path.abspath(named), absolute(named, searcher.base)}
    literal = searcher.literal
    numbers = literal.documents_from(lambda source: absolute(source, searcher.base) in wanted)
    found = [literal.passages_of(n) for n in numbers]
    if not found:
        return np.zeros(0, dtype=np.int64)
    passages = np.concatenate(found)
    return passages[np.argsort(literal.collection_order()[passages], kind="stable")]


def _sheet(passage: Passage, fmt: str) -> str:
    """The location label of the sheet a spreadsheet row stands in (``""`` for other files)."""
    return sheet_label(passage.headings[0]) if fmt in SHEET_FORMATS and passage.headings else ""


def _in_file(searcher: Searcher, path: str) -> tuple[str, str, list[int]]:
    """The stored path's passages, by ``path`` or, for a spreadsheet, ``path:sheet``: the
    path, the sheet label (``""`` if none) and the docnums."""
    literal = searcher.literal
    in_file = _file_passages(searcher, path).tolist()
    if not in_file and ":" in path:
        file_path, _, sheet = path.rpartition(":")
        rows = _file_passages(searcher, file_path).tolist()
        if rows:
            fmt = literal.stored(rows[0]).get("fmt", "")
            in_sheet = [d for d in rows if _sheet(passage_from(literal.stored(d)), fmt) == sheet]
            if not in_sheet:
                raise BadInput(f"{file_path} has no sheet {sheet!r}", _SHEET_HINT)
            return file_path, sheet, in_sheet
    if not in_file:
        raise BadInput(f"no indexed file {path!r}", "give path:line as printed by govsearch search")
    if literal.stored(in_file[0]).get("fmt", "") in SHEET_FORMATS:
        raise BadInput(f"{path} is a spreadsheet: say which sheet", _SHEET_HINT)
    return path, "", in_file


def _at_line(
    searcher: Searcher, path: str, line: int
) -> tuple[Document, list[Passage], frozenset[int]]:
    literal = searcher.literal
    path, sheet, in_file = _in_file(searcher, path)
    # passages by line: the first whose last line reaches ``line`` holds it, if any does
    low, high = 0, len(in_file)
    while low < high:
        middle = (low + high) // 2
        if literal.stored(in_file[middle])["end_line"] < line:
            low = middle + 1
        else:
            high = middle
    if low == len(in_file):
        end = literal.stored(in_file[-1])["end_line"]
        where = f"{path}:{sheet}" if sheet else path
        raise BadInput(
            f"{where} has no passage at line {line}", f"its last passage ends on line {end}"
        )
    stored = literal.stored(in_file[low])
    document = int(literal.docinfo[in_file[low], 0])
    passages = sorted(
        (passage_from(literal.stored(int(p))) for p in literal.passages_of(document)),
        key=lambda p: p.paragraph,
    )
    fmt = stored.get("fmt", "")
    marked = frozenset(
        p.paragraph for p in passages if p.line <= line <= p.end_line and _sheet(p, fmt) == sheet
    )
    # a line between passages (a blank line) points at the next passage
    return searcher.document(stored), passages, marked or frozenset({stored["paragraph"]})


def _in_record(location: str, passages: list[Passage], paragraph: str | None) -> frozenset[int]:
    """The paragraph that ``path:line#pN`` names in a record (none without ``#pN``)."""
    if paragraph is None:
        return frozenset()
    if not any(p.paragraph == int(paragraph) for p in passages):
        raise BadInput(
            f"no paragraph {paragraph} in the record at {location.rpartition('#')[0]}",
            f"it has paragraphs 1 to {max(p.paragraph for p in passages)}",
        )
    return frozenset({int(paragraph)})


def _highlight(
    document: Document, shown: list[Passage], marked: frozenset[int], query_text: str
) -> Excerpt:
    terms: list[str] = []
    if query_text:
        node = query.parse(query_text)
        terms = [t.text for t in query.positive_terms(node) if t.field == "text"]
    spans = tuple(match_spans(normalize(p.text), terms) if terms else () for p in shown)
    return Excerpt(document, tuple(shown), marked, spans)
