"""Stage 5: the scored passages → the ones to show, in order, the same for every output mode.

In this order: reposts collapsed (``query.reposts``, a ranked page only); at most ``per_doc``
passages of one document on the first page (the others keep their order after it);
``--sort date`` (full matches first, newest first, stable); one passage per document (a TREC
run) or per source file (``-l``), the first in that order; the first ``limit`` (0 = all).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from search.query.plan import PAGE, Options
from search.query.reposts import collapse
from search.query.score import Scored


@dataclass(frozen=True)
class Collected:
    """The passages to show, in order, with their scores and whether they match partly."""

    passages: np.ndarray
    scores: np.ndarray
    partial: np.ndarray  # bool
    copies: tuple[tuple[int, ...], ...] = ()  # per passage: the reposts it stands for (none)


def collect(scored: Scored, options: Options, index: Any) -> Collected:
    documents = np.asarray(index.docinfo[:, 0])
    rows = np.arange(len(scored.passages))
    copies: dict[int, tuple[int, ...]] = {}
    if options.collapse and options.limit and not options.distinct:
        dates = index.dates()[scored.passages]
        rows, copies = collapse(documents[scored.passages], dates, index)
    if options.per_doc:
        rows = _per_document(rows, documents[scored.passages], options.per_doc, options.limit)
    if options.sort == "date":
        dates = index.dates()[scored.passages]
        keys = [(not scored.partial[r], int(dates[r])) for r in rows.tolist()]
        rows = rows[sorted(range(len(rows)), key=keys.__getitem__, reverse=True)]
    if options.distinct:
        owners = documents[scored.passages]
        if options.distinct == "file":
            owners = _files(index)[owners]
        else:  # the parts of a document split across segments are one document
            owners = np.asarray(index.document_heads)[owners]
        rows = rows[_firsts(owners[rows])]
    if options.limit:
        rows = rows[: options.limit]
    shown = tuple(copies.get(row, ()) for row in rows.tolist()) if copies else ()
    return Collected(scored.passages[rows], scored.scores[rows], scored.partial[rows], shown)


def _per_document(rows: np.ndarray, documents: np.ndarray, cap: int, limit: int) -> np.ndarray:
    """At most ``cap`` passages of one document on the first page; the rest keep their order."""
    page = limit or PAGE
    first: list[int] = []
    skipped: list[int] = []
    seen: dict[int, int] = {}
    end = len(rows)
    for i, row in enumerate(rows.tolist()):
        if len(first) == page:
            end = i
            break
        document = int(documents[row])
        if seen.get(document, 0) < cap:
            seen[document] = seen.get(document, 0) + 1
            first.append(row)
        else:
            skipped.append(row)
    head = np.array(first + skipped, dtype=np.int64)
    return np.concatenate([head, rows[end:]]) if end < len(rows) else head


def _firsts(owners: np.ndarray) -> np.ndarray:
    """The positions of the first row of each owner, in order."""
    _, first = np.unique(owners, return_index=True)
    return np.sort(first)


def _files(index: Any) -> np.ndarray:
    """Per document number, a number for its source file."""
    files: np.ndarray = index.document_sources()
    return files
