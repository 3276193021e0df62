"""One open index for any number of queries (a batch), and the entry point of the query path.

``Searcher.search`` runs the stages of ``search.query`` in order — parse, plan, match, score,
collect, hits — each handing the next a frozen value.  Ranking, best first:

1. passages that match the whole query before partial matches (the relaxed fallback);
2. passages that contain all keywords written together before those with them scattered;
3. BM25F over the jieba words of the query in text, title and headings, with exact term
   frequencies and a proximity bonus for the best; a typed question also by its character
   bigrams, its passages' documents, pseudo-relevance feedback and a lead-paragraph bonus
   (``search.query.score``);
4. ties: collection order (source file, then line, then paragraph), whatever the build.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from search.analyzer import Analyzer
from search.config import absolute, collection_base, display_path
from search.models import Document, Hit, Passage
from search.query import parse
from search.query.collect import collect
from search.query.explain import Ledger
from search.query.hits import document_from, hits, passage_from
from search.query.match import Matched, count, match
from search.query.plan import PAGE, Options, Plan, plan, ranking
from search.query.score import Ranker, score
from search.store.manifest import damaged
from search.store.reader import open_view

__all__ = ["PAGE", "Options", "Result", "Searcher", "Stream"]


@dataclass(frozen=True)
class Result:
    hits: list[Hit]
    total: int  # matching passages, partial ones included
    strict_total: int  # passages matching the whole query
    keywords: tuple[str, ...] = ()  # the query's keywords (text terms not under NOT)


@dataclass(frozen=True)
class Stream:
    """A result whose hits are read from the index as they are iterated (once)."""

    hits: Iterator[Hit]
    total: int
    strict_total: int
    keywords: tuple[str, ...] = ()
    count: int = 0  # the hits ``hits`` will give
    # the hits of ranks lo + 1 .. hi, read on their own (None: the hits cannot be split)
    part: Callable[[int, int], Iterator[Hit]] | None = None


class Searcher:
    """An open index for searching, ``show`` and ``stats``: the view of its last commit
    (matching and stored fields come from the segments' side files, the words' statistics
    that rank from Whoosh's jieba postings)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        with damaged(folder):
            self.manifest, self.literal = open_view(folder)
        self.base = collection_base(folder)
        self._shown: dict[str, str] = {}  # stored path -> as printed from here
        self._documents: dict[int, Document] = {}  # document number -> as printed
        self.analyzer = Analyzer.of(self.manifest.fingerprint)

    @cached_property
    def ranker(self) -> Ranker:
        """The collection statistics ranking needs, gathered on the first ranked query
        (``-c``, ``show`` and ``stats`` never rank)."""
        return Ranker(self.literal)

    def close(self) -> None:
        self.literal.close()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def search(self, text: str, options: Options = Options()) -> Result:
        """Run one query (raises BadQuery for malformed text, IndexCorrupt for damaged files)."""
        stream = self.stream(text, options)
        with damaged(self.folder):
            return Result(list(stream.hits), stream.total, stream.strict_total, stream.keywords)

    def stream(self, text: str, options: Options = Options()) -> Stream:
        """Run one query; its hits are read as they are iterated (inside ``damaged``)."""
        planned = plan(parse(text), options)
        with damaged(self.folder):
            matched = match(planned, self.literal, self.analyzer)
            weights = self.ranker.weights
            ledger = Ledger(weights.k1, weights.b) if options.explain else None
            scored = score(self.ranker, matched, ranking(planned, matched.relaxed), ledger)
            chosen = collect(scored, options, self.literal)

        def part(lo: int, hi: int) -> Iterator[Hit]:
            return hits(
                chosen,
                planned,
                matched,
                self.literal,
                ledger,
                self._document_at,
                self._numbered,
                range(lo, hi),
            )

        count = len(chosen.passages)
        return Stream(
            part(0, count), len(matched.passages), matched.full, planned.terms, count, part
        )

    def stream_matched(self, planned: Plan, matched: Matched, options: Options) -> Stream:
        """Rank, collect and read matches a caller chose itself (``watch``: the passages of
        the documents it has not seen)."""
        with damaged(self.folder):
            scored = score(self.ranker, matched, ranking(planned, matched.relaxed), None)
            chosen = collect(scored, options, self.literal)
        found = hits(chosen, planned, matched, self.literal, None, self._document_at)
        return Stream(found, len(matched.passages), matched.full, planned.terms)

    def _document_at(self, passage: int) -> Document:
        """The document of a passage, made once per document for all of its hits."""
        return self._numbered(int(self.literal.docinfo.column(0)[passage]))

    def _numbered(self, number: int) -> Document:
        """A document by its number, made once."""
        found = self._documents.get(number)
        if found is None:
            found = self._documents[number] = self.document(dict(self.literal.document(number)))
        return found

    def document(self, found: Document | dict[str, object]) -> Document:
        """A document (or a passage's stored fields) with its path as the user would type it
        here: relative to the current folder when the file is under it, else absolute."""
        if isinstance(found, dict):
            found = document_from(found)
        shown = self._shown.get(found.path)
        if shown is None:
            shown = self._shown[found.path] = display_path(absolute(found.path, self.base))
        return replace(found, path=shown)

    def count(self, text: str, options: Options = Options()) -> int:
        """How many passages match the whole query (nothing ranked, nothing relaxed)."""
        planned = plan(parse(text), options)
        with damaged(self.folder):
            return count(planned, self.literal)

    def document_passages(self, doc_id: str) -> list[Passage]:
        """Every passage of a document, in order (for ``show``)."""
        passages = [passage_from(self.literal.stored(p)) for p in self.passages_of(doc_id)]
        return sorted(passages, key=lambda p: p.paragraph)

    def passages_of(self, doc_id: str) -> list[int]:
        """The passage numbers of every document with this ``doc_id``, document by document,
        each in collection order."""
        numbers = self.literal.documents_with_id(doc_id)
        return [int(p) for n in numbers for p in self.literal.passages_of(n)]
