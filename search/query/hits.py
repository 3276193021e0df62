"""Stage 6: collected passage numbers → ``Hit`` values: the stored document and passage, the
highlighted spans and, for ``--explain``, the parts of the score."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from search.models import Document, Hit, Passage
from search.query.collect import Collected
from search.query.explain import Ledger
from search.query.match import Matched
from search.query.plan import Plan
from search.snippets import match_spans

_BATCH = 256  # passages read from the index at once


def hits(
    collected: Collected,
    plan: Plan,
    matched: Matched,
    index: Any,
    ledger: Ledger | None,
    document_of: Callable[[int], Document] | None = None,
    numbered: Callable[[int], Document] | None = None,
    rows: range | None = None,
) -> Iterator[Hit]:
    """The hits one by one, read as they are asked for (a long result list is streamed).  A
    full match highlights the keywords as written; a partial one the words it matched.
    ``document_of(passage)`` gives a passage's document (default: from its stored fields),
    ``numbered(document number)`` a repost's (default: from its metadata); ``rows``, the
    collected passages to read (default: all), each keeps its rank in the whole list."""
    make_document = document_of or (lambda number: document_from(index.stored(number)))
    make_copy = numbered or (lambda number: document_from(index.document(number)))
    units = matched.relaxed.units if matched.relaxed else ()
    relaxed_terms = list(dict.fromkeys(plan.terms + units))
    full_terms = list(plan.terms)
    read = getattr(index, "read_passages", None) or (
        lambda numbers: [index.passage(int(n)) for n in numbers]
    )
    span = rows if rows is not None else range(len(collected.passages))
    for lo in range(span.start, span.stop, _BATCH):  # a batch at a time: no list of every hit
        hi = min(lo + _BATCH, span.stop)
        numbers = collected.passages[lo:hi]
        scores = collected.scores[lo:hi].tolist()
        partials = collected.partial[lo:hi].tolist()
        passages = numbers.tolist()
        for i, (shown, text) in enumerate(read(numbers)):
            passage = passages[i]
            row = lo + i
            terms = relaxed_terms if partials[i] else full_terms
            yield Hit(
                row + 1,
                float(scores[i]),
                make_document(passage),
                shown,
                match_spans(text, terms),
                bool(partials[i]),
                tuple(t for t in terms if t in text),
                ledger.explain(passage, scores[i]) if ledger else None,
                tuple(make_copy(d) for d in collected.copies[row]) if collected.copies else (),
            )


def document_from(stored: dict[str, Any]) -> Document:
    """The document of a passage's stored fields."""
    return Document(
        stored["doc_id"],
        stored["path"],
        stored.get("title", ""),
        stored.get("date", ""),
        stored.get("issuer", ""),
        stored.get("doc_number", ""),
        stored.get("url", ""),
        stored.get("fmt", "txt"),
    )


def passage_from(stored: dict[str, Any]) -> Passage:
    """A passage from its stored fields."""
    return Passage(
        stored["doc_id"],
        stored["paragraph"],
        stored["line"],
        stored["end_line"],
        stored["text"],
        tuple(h for h in stored.get("headings", "").split("\n") if h),
        tuple((int(a), int(b)) for a, b in stored.get("joins", ())),
        bool(stored.get("ocr", False)),
    )
