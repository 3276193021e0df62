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
        self._lengths: list[int] = []  # text field length of each passage, in tokens
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

    def _postings(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        for field in _FIELDS:
            terms = self._terms[field]
            if not terms:
                continue
            encoded = [t.encode("utf-8") for t in terms]
            order = sorted(range(len(encoded)), key=encoded.__getitem__)
            rank = np.empty(len(order), dtype=np.int64)
            rank[order] = np.arange(len(order))
            ids, docs, freqs = (np.frombuffer(c, dtype=np.uint32) for c in self._cols[field])
            sort = np.lexsort((docs, rank[ids]))
            by_rank = [encoded[i] for i in order]
            for r, d, f in zip(
                rank[ids][sort].tolist(), docs[sort].tolist(), freqs[sort].tolist(), strict=True
            ):
                yield field, by_rank[r], d, f, b""

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


class _Lengths:
    """The passages' text lengths as Whoosh's per-document reader would give them back (it
    keeps each as one byte), from memory: the field writer asks for one at every posting,
    and reading them back from the column file took a quarter of its time."""

    def __init__(self, lengths: list[int]) -> None:
        from whoosh.util.numeric import byte_to_length, length_to_byte

        self._text = [byte_to_length(length_to_byte(n)) for n in lengths]

    def doc_field_length_reader(self, fieldname: str) -> Any:
        if fieldname == TEXT:
            return self._text.__getitem__
        return lambda _docnum: 0

    def doc_field_length(self, docnum: int, fieldname: str) -> int:
        return int(self.doc_field_length_reader(fieldname)(docnum))


def finish_segment(
    codec: Any,
    storage: Any,
    schema: Any,
    segment: Any,
    perdoc: Any,
    lengths: list[int],
    postings: Any,
) -> Any:
    """Close the per-document file, write the postings, assemble the compound file."""
    perdoc.close()
    segment.set_doc_count(len(lengths))
    from search.store.whoosh_codec import codec as compact

    fieldwriter = compact().field_writer(storage, segment)  # the segment keeps Whoosh's codec
    fieldwriter.add_postings(schema, _Lengths(lengths), postings)
    fieldwriter.close()
    if segment.should_assemble():
        segment.create_compound_file(storage)
    return segment


def merged(ix: Any, inputs: list[Any]) -> Any:
    """One Whoosh segment holding the live passages of ``inputs`` in order."""
    from whoosh.codec import default_codec
    from whoosh.reading import SegmentReader

    codec = default_codec()
    storage, schema = ix.storage, ix.schema
    segment = codec.new_segment(storage, INDEX_NAME)
    perdoc = codec.per_document_writer(storage, segment)
    readers = [SegmentReader(storage, schema, seg) for seg in inputs]
    maps: list[dict[int, int]] = []
    lengths: list[int] = []
    for reader in readers:
        docmap: dict[int, int] = {}
        for docnum in reader.all_doc_ids():  # live passages, in order
            docmap[docnum] = len(lengths)
            length = reader.doc_field_length(docnum, TEXT)
            perdoc.start_doc(len(lengths))
            perdoc.add_field(TEXT, schema[TEXT], None, length)
            perdoc.finish_doc()
            lengths.append(length)
        maps.append(docmap)

    def renumbered(reader: Any, docmap: dict[int, int]) -> Iterator[tuple[Any, ...]]:
        for field, btext, docnum, weight, _value in reader.iter_postings():
            new = docmap.get(docnum)
            if new is not None:  # an inline list's value is "": no field keeps values
                yield field, btext, new, int(weight), b""

    streams = [renumbered(r, m) for r, m in zip(readers, maps, strict=True)]
    try:
        postings = heapq.merge(*streams, key=lambda p: (p[0], p[1]))
        return finish_segment(codec, storage, schema, segment, perdoc, lengths, postings)
    finally:
        for reader in readers:
            reader.close()
