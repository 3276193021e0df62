"""One committed state of the index, read as a whole: its segments side by side.

``IndexView`` numbers passages and documents globally (a segment's base plus its local number,
as Whoosh's ``MultiReader`` does) and answers what matching, ranking, ``show`` and ``stats``
ask: postings, texts, stored fields and per-passage columns.  Matching runs per segment and
drops the passages Whoosh marks deleted; every statistic ranking uses (passage count, lengths,
document frequencies) is counted over live passages of all segments together, so a collection
ranks the same however its segments were cut.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from search.errors import IndexCorrupt
from search.models import Passage
from search.sets import unique
from search.store.columns import PassageColumns
from search.store.postings import term_arrays
from search.store.segment import DOC_FIELDS, SegmentData

_CACHED = 256
_EMPTY = np.zeros(0, dtype=np.int64)
MMAP = False  # see _readers


@dataclass(frozen=True)
class Part:
    """A segment in the view: its data, its first global passage and document numbers, and
    which of its passages are alive (None: all)."""

    data: SegmentData
    base: int
    doc_base: int
    alive: np.ndarray | None


def _decoded(reader: Any, word: str) -> tuple[np.ndarray, np.ndarray]:
    """A word's postings in one Whoosh segment (deleted passages included), as arrays:
    passage numbers and frequencies (raises ``TermNotFound``)."""
    text = reader._text_to_bytes("text", word)
    info = reader._terms.term_info("text", text)
    return term_arrays(reader, "text", text, info, reader.schema["text"].format)


class _Field:
    """Postings of a per-document (title, issuer) or per-heading field, globally numbered."""

    def __init__(self, view: IndexView, table: str) -> None:
        self.view = view
        self.table = table

    def matches(self, needle: str) -> np.ndarray:
        return self.view._cached((self.table, needle), lambda: self.view._field(self.table, needle))


class IndexView:
    """The segments of one commit, globally numbered (the ``LiteralIndex`` of earlier versions)."""

    def __init__(
        self, parts: Sequence[Part], folder: Path | None = None, generation: int = -1
    ) -> None:
        self.parts = list(parts)
        self.folder = folder  # where Whoosh's segments are (for the jieba statistics)
        self.generation = generation
        # the Whoosh commits the parts come from, in order: (folder, generation, parts)
        self.commits: list[tuple[Path | None, int, int]] = [(folder, generation, len(parts))]
        self.source_order: list[str] | None = None  # of a whole sharded collection, when set
        self._word_postings: OrderedDict[str, tuple[np.ndarray, np.ndarray] | None] = OrderedDict()
        self._whoosh: list[Any] | None = None
        self._bases = [p.base for p in self.parts]
        self._doc_bases = [p.doc_base for p in self.parts]
        last = self.parts[-1] if self.parts else None
        self.doc_count = last.base + last.data.passages if last else 0
        self._documents = last.doc_base + last.data.documents if last else 0
        self._cache: OrderedDict[Any, np.ndarray] = OrderedDict()
        self.titles = _Field(self, "title")
        self.issuers = _Field(self, "issuer")
        self.headings = _Field(self, "head")

    @classmethod
    def joined(cls, views: Sequence[IndexView], folder: Path) -> IndexView:
        """The views of several indexes (the shards of one) as one index."""
        parts: list[Part] = []
        base = doc_base = 0
        for view in views:
            for part in view.parts:
                parts.append(
                    Part(part.data, base + part.base, doc_base + part.doc_base, part.alive)
                )
            base += view.doc_count
            doc_base += view.document_count()
        out = cls(parts, folder)
        out.commits = [c for view in views for c in view.commits]
        return out

    def close(self) -> None:
        for reader in self._whoosh or ():
            reader.close()
        self._whoosh = None
        self.parts = []

    # --- lookup -----------------------------------------------------------------------------

    def _part(self, number: int) -> Part:
        return self.parts[bisect.bisect_right(self._bases, number) - 1]

    def _cached(self, key: Any, compute: Any) -> np.ndarray:
        found = self._cache.get(key)
        if found is None:
            found = compute()
            found.flags.writeable = False
            self._cache[key] = found
            if len(self._cache) > _CACHED:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return found

    def matches(self, needle: str) -> np.ndarray:
        """Sorted global numbers of the live passages whose text contains ``needle``."""
        return self._cached(("text", needle), lambda: self._text_matches(needle))

    def _text_matches(self, needle: str) -> np.ndarray:
        out = []
        for part in self.parts:
            local = part.data.text.matches(needle)
            if part.alive is not None and len(local):
                local = local[part.alive[local]]
            if len(local):
                out.append(local + part.base)
        return np.concatenate(out) if out else _EMPTY

    def _field(self, table: str, needle: str) -> np.ndarray:
        out = []
        for part in self.parts:
            local = getattr(part.data, table).matches(needle)
            if not len(local):
                continue
            if table == "head":  # heading ids → the live passages under them
                hit = np.isin(part.data["p.heading"], local + 1)  # stored as id + 1
                if part.alive is not None:
                    hit &= part.alive
                out.append(np.flatnonzero(hit) + part.base)
            else:
                out.append(local + part.doc_base)
        return np.concatenate(out).astype(np.int64) if out else _EMPTY

    def word_postings(self, word: str) -> tuple[np.ndarray, np.ndarray] | None:
        """A word's live passages (sorted) and its frequency in each, from Whoosh's jieba
        postings over all segments; None when jieba never produced the word as a token
        anywhere in the index (decided over all segments: then ranking counts it literally)."""
        if word in self._word_postings:
            self._word_postings.move_to_end(word)
            return self._word_postings[word]
        from whoosh.reading import TermNotFound

        passages, freqs = [], []
        found = False
        try:
            for part, reader in zip(self.parts, self._readers(), strict=True):
                try:
                    ids, weights = _decoded(reader, word)
                except TermNotFound:
                    continue
                found = True
                if part.alive is not None and len(ids):
                    keep = part.alive[ids]
                    ids, weights = ids[keep], weights[keep]
                passages.append(ids + part.base)
                freqs.append(weights)
        except Exception as exc:  # Whoosh raises many kinds on damaged segment files
            raise IndexCorrupt(
                f"the index at {self.folder} is damaged ({type(exc).__name__}: {exc})",
                f"rebuild it: govsearch index --rebuild --index {self.folder}",
            ) from exc
        out = (np.concatenate(passages), np.concatenate(freqs)) if found else None
        self._word_postings[word] = out
        if len(self._word_postings) > _CACHED:
            self._word_postings.popitem(last=False)
        return out

    def _readers(self) -> list[Any]:
        """One Whoosh reader per segment, in the view's order (opened on first use)."""
        if self._whoosh is None:
            from whoosh.filedb.filestore import FileStorage
            from whoosh.reading import SegmentReader

            from search.store.reader import read_toc
            from search.store.schema import schema

            fields = schema()
            self._whoosh = []
            for folder, generation, _ in self.commits:
                if folder is None:
                    raise ValueError("this view has no index folder to read Whoosh's segments")
                storage = FileStorage(str(folder), readonly=True)
                # read a compound segment's sub-files through the file, not through an mmap
                # that Whoosh copies whole into a BytesIO (50 ms for the 14 segments of 467k
                # passages, at every start)
                storage.supports_mmap = MMAP
                segments = read_toc(folder, generation)
                self._whoosh += [SegmentReader(storage, fields, seg) for seg in segments]
        return self._whoosh

    @cached_property
    def tokens(self) -> np.ndarray:
        """Per passage, its length in jieba tokens (Whoosh's field length, exact)."""
        out = np.zeros(self.doc_count, dtype=np.int64)
        for part in self.parts:
            out[part.base : part.base + part.data.passages] = part.data["p.tokens"]
        return out

    def frequency(self, needle: str) -> int:
        """How many live passages contain ``needle`` of one or two characters."""
        return len(self.matches(needle))

    def text(self, number: int) -> str:
        part = self._part(number)
        return part.data.text.text(number - part.base)

    def texts(self, numbers: np.ndarray) -> list[str]:
        """``text`` of each of ``numbers``, in their order, decoded a segment at a time."""
        out: list[str] = [""] * len(numbers)
        for part, rows, local in self.by_part(numbers):
            for row, text in zip(rows.tolist(), part.data.text.texts(local), strict=True):
                out[row] = text
        return out

    def by_part(self, numbers: np.ndarray) -> Iterator[tuple[Part, np.ndarray, np.ndarray]]:
        """Passage numbers split by segment: each segment holding some of them, where they
        stand in ``numbers`` (rows), and their numbers in the segment."""
        numbers = np.asarray(numbers, dtype=np.int64)
        which = np.searchsorted(np.array(self._bases), numbers, side="right") - 1
        for index in unique(which).tolist():
            part = self.parts[index]
            rows = np.flatnonzero(which == index)
            yield part, rows, numbers[rows] - part.base

    def stored(self, number: int) -> dict[str, Any]:
        """A passage's location, text and document metadata."""
        part = self._part(number)
        return part.data.stored(number - part.base)

    def passage(self, number: int) -> tuple[Passage, str]:
        """A passage as a hit shows it, and its normalised text."""
        part = self._part(number)
        return part.data.passage(number - part.base)

    def read_passages(self, numbers: np.ndarray) -> list[tuple[Passage, str]]:
        """``passage`` of each of ``numbers``, in their order, read segment by segment."""
        out: list[tuple[Passage, str]] = [None] * len(numbers)  # type: ignore[list-item]
        for part, rows, local in self.by_part(numbers):
            for row, found in zip(rows.tolist(), part.data.read_passages(local), strict=True):
                out[row] = found
        return out

    def counts(self, numbers: np.ndarray, needle: str, first_only: bool = False) -> np.ndarray:
        """How often ``needle`` occurs in each of the given passages."""
        out = np.zeros(len(numbers), dtype=np.int64)
        for part, rows, local in self.by_part(numbers):
            out[rows] = part.data.text.counts(local, needle, first_only)
        return out

    def contains(self, numbers: np.ndarray, needle: str) -> np.ndarray:
        return self.counts(numbers, needle, first_only=True) > 0

    # --- columns ----------------------------------------------------------------------------

    @cached_property
    def docinfo(self) -> PassageColumns:
        """Per passage: document number (-1 if deleted), date, length, paragraph, place in
        collection order (source file, then line, then paragraph); ``docinfo[rows, k]``.  Each
        column is made on its first use (a search reads numbers and lengths; dates, paragraphs
        and places only when its options ask)."""
        return PassageColumns(self)

    def places(self, numbers: np.ndarray) -> np.ndarray:
        """These passages' places in collection order (``docinfo[numbers, 4]``), made for them
        alone unless the whole column is already made."""
        return self.docinfo.places(numbers)

    def live(self) -> np.ndarray:
        """Every live passage's number."""
        return np.flatnonzero(self.docinfo[:, 0] >= 0).astype(np.int64)

    def dates(self) -> np.ndarray:
        return self.docinfo.column(1)

    def lengths(self) -> np.ndarray:
        return self.docinfo.column(2)

    def leads(self, numbers: np.ndarray) -> np.ndarray:
        """Which of these passages is its document's first (its lead paragraph)."""
        return self.docinfo[numbers, 3] == 1

    def collection_order(self) -> np.ndarray:
        return self.docinfo.column(4)

    def document_count(self) -> int:
        return self._documents

    def passages_of(self, ordinal: int) -> np.ndarray:
        """A document's live passages (by document number), in order."""
        index = bisect.bisect_right(self._doc_bases, ordinal) - 1
        part = self.parts[index]
        local = ordinal - part.doc_base
        first, count = int(part.data["d.first"][local]), int(part.data["d.count"][local])
        if count == 0 or (part.alive is not None and not part.alive[first]):
            return _EMPTY
        return np.arange(part.base + first, part.base + first + count, dtype=np.int64)

    def documents_where(self, column: int, needle: str) -> np.ndarray:
        """Passages whose document's title (1) or issuer (2) contains ``needle``."""
        ordinals = (self.titles if column == 1 else self.issuers).matches(needle)
        return np.flatnonzero(np.isin(self.docinfo[:, 0], ordinals)).astype(np.int64)

    def document(self, ordinal: int) -> dict[str, str]:
        """A document's metadata (``source``, ``doc_id``, ``path``, ``fmt``, ``title``, ``date``,
        ``issuer``, ``doc_number``, ``url``), by document number, without reading a passage."""
        index = bisect.bisect_right(self._doc_bases, ordinal) - 1
        part = self.parts[index]
        return dict(zip(DOC_FIELDS, part.data.document(ordinal - part.doc_base), strict=True))

    def live_count(self) -> int:
        """How many passages are live (``len(live())`` without the per-passage columns)."""
        return sum(
            p.data.passages if p.alive is None else int(np.count_nonzero(p.alive))
            for p in self.parts
        )

    def live_documents(self, fields: Sequence[str]) -> list[tuple[Any, ...]]:
        """Of every document with live passages, in document order, the metadata ``fields``
        (names of ``document``'s keys), decoded a segment at a time."""
        out: list[tuple[Any, ...]] = []
        for part in self.parts:
            d = part.data
            alive = d["d.count"] > 0
            if part.alive is not None and len(alive):
                alive &= part.alive[np.minimum(d["d.first"], max(0, d.passages - 1))]
            rows = d.metadata(fields)
            out += [rows[n] for n in np.flatnonzero(alive).tolist()]
        return out

    def document_sources(self) -> np.ndarray:
        """Per document number, a number for its source file (the same file, the same
        number, across segments)."""
        numbers: dict[str, int] = {}
        out = [np.zeros(0, dtype=np.int64)]
        for part in self.parts:
            table = np.array(
                [numbers.setdefault(s, len(numbers)) for s in part.data.sources], dtype=np.int64
            )
            out.append(table[part.data["d.source"]] if len(table) else table)
        return np.concatenate(out)

    def documents_with_id(self, doc_id: str) -> list[int]:
        """The numbers of the documents with this ``doc_id`` (deleted ones included)."""
        return [
            part.doc_base + number
            for part in self.parts
            for number in part.data.documents_with_id(doc_id)
        ]

    def documents_from(self, wanted: Callable[[str], bool]) -> list[int]:
        """The numbers of the documents read from a source file for which ``wanted`` holds."""
        out: list[int] = []
        for part in self.parts:
            sources = {i for i, source in enumerate(part.data.sources) if wanted(source)}
            if sources:
                out += (part.data.documents_from(sources) + part.doc_base).tolist()
        return out

    @cached_property
    def document_heads(self) -> np.ndarray:
        """Per document number, the number of its document's first part: itself, unless it
        continues a document split across segments (its first passage is not paragraph 1)."""
        heads = np.arange(self._documents, dtype=np.int64)
        for part in self.parts:
            d = part.data
            first = d["p.paragraph"][d["d.first"].astype(np.int64)] if d.documents else _EMPTY
            for local in np.flatnonzero(first != 1).tolist():
                heads[part.doc_base + local] = self._head(part.doc_base + local)
        heads.flags.writeable = False
        return heads

    def _head(self, number: int) -> int:
        """The live first part of the document that ``number`` continues (itself if none)."""
        meta = self.document(number)
        for other in self.documents_with_id(meta["doc_id"]):
            passages = self.passages_of(other)
            if (
                len(passages)
                and self.docinfo[passages[0], 3] == 1
                and self.document(other)["source"] == meta["source"]
            ):
                return other
        return number

    @cached_property
    def repost_groups(self) -> np.ndarray:
        """Per document number, its group of near duplicates (``sketch.groups``: the smallest
        document number in it), over the live documents of every segment; found on first use."""
        from search.store import sketch

        if not self.parts:
            return _EMPTY
        rows = np.concatenate([part.data["d.sketch"] for part in self.parts])
        dates = np.concatenate([part.data["d.date"] for part in self.parts])
        live = np.zeros(self._documents, dtype=bool)
        alive = self.docinfo[:, 0]
        live[alive[alive >= 0]] = True
        return sketch.groups(rows, live, dates)

    @cached_property
    def docs(self) -> list[list[str]]:
        """Per document number: ``source\\x1fdoc_id``, normalised title and issuer."""
        out: list[list[str]] = []
        for part in self.parts:
            d = part.data
            for n in range(d.documents):
                meta = d.document(n)
                out.append([f"{meta[0]}\x1f{meta[1]}", d.title.text(n), d.issuer.text(n)])
        return out
