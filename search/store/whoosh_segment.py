"""Writing a Whoosh segment directly through Whoosh's codec.

Whoosh's ``SegmentWriter`` collects every posting as a Python tuple in a pool that it pickles
to temporary runs and merges back: two thirds of a build went there.  Here a segment's postings
are gathered as integer arrays (term number, passage number, frequency), sorted with numpy,
and handed to the codec's field writer in order; the per-document writer gets each passage's
field length.  The files are Whoosh's own (the same codec, the same compound file), so any
Whoosh reader reads them.  Merging feeds the inputs' postings, renumbered without their
deleted passages, the same way.
"""

from __future__ import annotations

import heapq
from array import array
from collections import Counter
from collections.abc import Iterator
from typing import Any

import numpy as np

from search.analysis import words
from search.store.manifest import INDEX_NAME
from search.store.postings import term_arrays

TEXT, SOURCE, RECORD = "text", "source", "record"
_FIELDS = (RECORD, SOURCE, TEXT)  # Whoosh wants postings field by field, in name order


class WhooshSegment:
    """One new Whoosh segment: add passages, then ``finish``."""

    def __init__(self, ix: Any) -> None:
        from whoosh.codec import default_codec

        self.storage = ix.storage
        self.schema = ix.schema
        self.codec = default_codec()
        self.segment = self.codec.new_segment(self.storage, INDEX_NAME)
        self.perdoc = self.codec.per_document_writer(self.storage, self.segment)
        self.docnum = 0
        self._lengths: list[int | None] = []  # text field length of each passage, in tokens
        self._terms: dict[str, dict[str, int]] = {name: {} for name in _FIELDS}
        self._cols: dict[str, tuple[array[int], array[int], array[int]]] = {
            name: (array("I"), array("I"), array("I")) for name in _FIELDS
        }

    def add(self, source: str, record: str, text: str) -> int:
        """Add one passage; returns its number of jieba tokens (its length in Whoosh)."""
        tokens = [w for w, _pos, _start, _end in words(text)]
        docnum = self.docnum
        self.perdoc.start_doc(docnum)
        self.perdoc.add_field(TEXT, self.schema[TEXT], None, len(tokens))
        self.perdoc.finish_doc()
        self._lengths.append(len(tokens))
        self._post(TEXT, Counter(tokens).items(), docnum)
        self._post(SOURCE, ((source, 1),), docnum)
        if record:
            self._post(RECORD, ((record, 1),), docnum)
        self.docnum += 1
        return len(tokens)

    def _post(self, field: str, counts: Any, docnum: int) -> None:
        terms = self._terms[field]
        ids, docs, freqs = self._cols[field]
        for term, freq in counts:
            ids.append(terms.setdefault(term, len(terms)))
            docs.append(docnum)
            freqs.append(freq)

    def _postings(self) -> Iterator[Term]:
        """Each field's terms in order, each with its passages and frequencies as arrays."""
        for field in _FIELDS:
            terms = self._terms[field]
            if not terms:
                continue
            encoded = [t.encode("utf-8") for t in terms]
            order = sorted(range(len(encoded)), key=encoded.__getitem__)
            rank = np.empty(len(order), dtype=np.int64)
            rank[order] = np.arange(len(order))
            ids, docs, freqs = (np.frombuffer(c, dtype=np.uint32) for c in self._cols[field])
            ranks = rank[ids]
            sort = np.lexsort((docs, ranks))
            ranks = ranks[sort]
            bounds = np.flatnonzero(ranks[1:] != ranks[:-1]) + 1
            starts = [0, *bounds.tolist()]
            stops = [*bounds.tolist(), len(ranks)]
            doc_list, freq_list = docs[sort].tolist(), freqs[sort].tolist()
            for r, start, stop in zip(ranks[starts].tolist(), starts, stops, strict=True):
                yield field, encoded[order[r]], doc_list[start:stop], freq_list[start:stop]

    def finish(self) -> Any:
        """Write the postings and close the segment (assembled into Whoosh's compound file)."""
        return finish_segment(
            self.codec,
            self.storage,
            self.schema,
            self.segment,
            self.perdoc,
            self._lengths,
            self._postings(),
        )

    def cancel(self) -> None:
        self.perdoc.close()


Term = tuple[str, bytes, list[int], list[int]]  # field, term, passages (ascending), frequencies


def finish_segment(
    codec: Any,
    storage: Any,
    schema: Any,
    segment: Any,
    perdoc: Any,
    lengths: list[int | None],
    terms: Iterator[Term],
) -> Any:
    """Close the per-document file, write the postings (field by field, terms in order),
    assemble the compound file."""
    from whoosh.util.numeric import byte_to_length, length_to_byte

    perdoc.close()
    segment.set_doc_count(len(lengths))
    from search.store.whoosh_codec import codec as compact

    # each passage's text length as Whoosh's per-document reader gives it back (one byte; a
    # passage without words reads back as None, merged as it was read)
    text_lengths = [byte_to_length(length_to_byte(n)) for n in lengths]
    fieldwriter = compact().field_writer(storage, segment)  # the segment keeps Whoosh's codec
    current = None
    for field, btext, ids, weights in terms:
        if field != current:
            if current is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(field, schema[field])
            current = field
        _write_term(fieldwriter, btext, ids, weights, text_lengths if field == TEXT else None)
    if current is not None:
        fieldwriter.finish_field()
    fieldwriter.close()
    if segment.should_assemble():
        segment.create_compound_file(storage)
    return segment


def _write_term(
    fieldwriter: Any,
    btext: bytes,
    ids: list[int],
    weights: list[int],
    lengths: list[int] | None,
) -> None:
    """One term's postings into the codec's blocks, a block at a time, filled exactly as
    Whoosh's ``add_posting`` fills them one posting at a time (block statistics included):
    Whoosh's per-posting loop (``add_postings``) was a third of a merge."""
    fieldwriter.start_term(btext)
    writer = fieldwriter._postwriter
    limit = writer._blocklimit
    for start in range(0, len(ids), limit):
        if start:
            writer._write_block()  # a full block, as add_posting writes it before the next
        block, block_weights = ids[start : start + limit], weights[start : start + limit]
        writer._ids, writer._weights = array("I", block), array("f", block_weights)
        writer._maxweight = max(0, max(block_weights))
        if lengths is not None:
            known = [n for n in map(lengths.__getitem__, block) if n]
            if known:
                writer._minlength, writer._maxlength = min(known), max(known)
    fieldwriter.finish_term()


def merged(ix: Any, inputs: list[Any]) -> Any:
    """One Whoosh segment holding the live passages of ``inputs`` in order."""
    from whoosh.codec import default_codec
    from whoosh.reading import SegmentReader

    codec = default_codec()
    storage, schema = ix.storage, ix.schema
    segment = codec.new_segment(storage, INDEX_NAME)
    perdoc = codec.per_document_writer(storage, segment)
    readers = [SegmentReader(storage, schema, seg) for seg in inputs]
    maps: list[np.ndarray] = []  # per input: each passage's new number, -1 if deleted
    lengths: list[int | None] = []
    for reader in readers:
        docmap = np.full(reader.doc_count_all(), -1, dtype=np.int64)
        for docnum in reader.all_doc_ids():  # live passages, in order
            docmap[docnum] = len(lengths)
            length = reader.doc_field_length(docnum, TEXT)
            perdoc.start_doc(len(lengths))
            perdoc.add_field(TEXT, schema[TEXT], None, length)
            perdoc.finish_doc()
            lengths.append(length)
        maps.append(docmap)
    try:
        terms = _merged_terms(readers, maps, schema)
        return finish_segment(codec, storage, schema, segment, perdoc, lengths, terms)
    finally:
        for reader in readers:
            reader.close()


def _merged_terms(readers: list[Any], maps: list[np.ndarray], schema: Any) -> Iterator[Term]:
    """The inputs' terms in (field, term) order, each with the live postings of every input
    that holds it, renumbered (inputs in order, so the passages stay ascending)."""

    def keyed(i: int) -> Iterator[tuple[str, bytes, int, Any]]:
        for (field, btext), info in readers[i]._terms.items():
            yield field, btext, i, info

    streams = [keyed(i) for i in range(len(readers))]
    group: list[tuple[int, Any]] = []
    last: tuple[str, bytes] | None = None
    for field, btext, i, info in heapq.merge(*streams, key=lambda t: (t[0], t[1])):
        if (field, btext) != last:
            if last is not None:
                yield from _renumbered(last, group, readers, maps, schema)
            last, group = (field, btext), []
        group.append((i, info))
    if last is not None:
        yield from _renumbered(last, group, readers, maps, schema)


def _renumbered(
    term: tuple[str, bytes],
    holders: list[tuple[int, Any]],
    readers: list[Any],
    maps: list[np.ndarray],
    schema: Any,
) -> Iterator[Term]:
    field, btext = term
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for i, info in holders:
        old, weight = term_arrays(readers[i], field, btext, info, schema[field].format)
        new = maps[i][old]
        live = new >= 0
        ids.append(new[live])
        weights.append(weight[live])
    if len(ids) == 1:
        joined, joined_weights = ids[0], weights[0]
    else:
        joined, joined_weights = np.concatenate(ids), np.concatenate(weights)
    if len(joined):
        yield field, btext, joined.tolist(), joined_weights.astype(np.int64).tolist()
