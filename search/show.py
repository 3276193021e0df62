"""A passage in its document (``govsearch show``).

A location is a ``doc_id`` (the whole document), or ``path:line`` / ``path:pN`` as printed in a
hit: the passage(s) whose lines hold that line — every passage of a JSON Lines record, which
shares its line — with ``context`` passages before and after.  ``path`` is the stored path
(relative to the folder that holds the index) or a path to the same file from here.  A line
between passages (a blank line) points at the next passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from search import query
from search.analysis import normalize
from search.errors import BadInput
from search.indexing import base_dir
from search.models import Document, Passage, Span
from search.searching import Searcher, document_from
from search.snippets import match_spans

_LINE = re.compile(r"^(?P<path>.+):(?P<page>p?)(?P<line>[1-9][0-9]*)$")


@dataclass(frozen=True)
class Excerpt:
    """Passages of one document to show; ``marked`` are the ones the location points at;
    ``spans[i]`` are the query's matches in ``passages[i].text``."""

    document: Document
    passages: tuple[Passage, ...]
    marked: frozenset[int]  # paragraph ordinals
    spans: tuple[tuple[Span, ...], ...]


def excerpt(searcher: Searcher, location: str, context: int = 2, query_text: str = "") -> Excerpt:
    """The passages at ``location``; ``BadInput`` when the index holds no such place."""
    document = _document(searcher, location)
    if document is not None:
        shown = searcher.document_passages(document.doc_id)
        return _highlight(document, shown, frozenset(), query_text)
    match = _LINE.match(location)
    if match is None:
        raise BadInput(
            f"no document {location!r} in the index",
            "give a doc_id or path:line as printed by govsearch search",
        )
    line = int(match["line"])
    document, passages, marked = _at_line(searcher, match["path"], line)
    first = min(i for i, p in enumerate(passages) if p.paragraph in marked)
    last = max(i for i, p in enumerate(passages) if p.paragraph in marked)
    shown = passages[max(0, first - context) : last + context + 1]
    return _highlight(document, shown, marked, query_text)


def _document(searcher: Searcher, doc_id: str) -> Document | None:
    stored = searcher.searcher.document(doc_id=doc_id)
    if stored is None:
        return None
    return document_from(stored)


def _doc_ids_at(searcher: Searcher, path: str) -> list[str]:
    """The documents read from the file at ``path`` (from here, or stored form)."""
    wanted = {str(Path(path).resolve()), str((base_dir(searcher.folder) / path).resolve())}
    out = []
    for doc_key, *_rest in searcher.literal.docs:
        source, _, doc_id = doc_key.partition("\x1f")
        if source in wanted:
            out.append(doc_id)
    return out


def _at_line(
    searcher: Searcher, path: str, line: int
) -> tuple[Document, list[Passage], frozenset[int]]:
    candidates: list[tuple[Document, list[Passage]]] = []
    for doc_id in _doc_ids_at(searcher, path):
        document = _document(searcher, doc_id)
        if document is not None:
            candidates.append((document, searcher.document_passages(doc_id)))
    if not candidates:
        raise BadInput(f"no indexed file {path!r}", "give path:line as printed by govsearch search")
    for document, passages in candidates:
        marked = frozenset(p.paragraph for p in passages if p.line <= line <= p.end_line)
        if marked:
            return document, passages, marked
    after = [(p.line, d, ps, p) for d, ps in candidates for p in ps if p.line > line]
    if not after:
        end = max(p.end_line for _, ps in candidates for p in ps)
        raise BadInput(
            f"{path} has no passage at line {line}", f"its last passage ends on line {end}"
        )
    _, document, passages, passage = min(after, key=lambda x: x[0])
    return document, passages, frozenset({passage.paragraph})


def _highlight(
    document: Document, shown: list[Passage], marked: frozenset[int], query_text: str
) -> Excerpt:
    terms: list[str] = []
    if query_text:
        node = query.parse(query_text)
        terms = [t.text for t in query.positive_terms(node) if t.field == "text"]
    spans = tuple(match_spans(normalize(p.text), terms) if terms else () for p in shown)
    return Excerpt(document, tuple(shown), marked, spans)
