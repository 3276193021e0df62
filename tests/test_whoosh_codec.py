"""Whoosh segments as written here: short posting lists inline in the term index, integer
weights in blocks, and Whoosh's own reader reading both back exactly."""

from __future__ import annotations

from pathlib import Path

from search.store.manifest import INDEX_NAME
from search.store.schema import schema
from search.store.view import _decoded
from search.store.whoosh_segment import WhooshSegment, merged


def _segment(folder: Path, texts: list[str]) -> tuple[object, object]:
    from whoosh import index as windex

    ix = windex.create_in(str(folder), schema(), indexname=INDEX_NAME)
    writer = WhooshSegment(ix)
    for i, text in enumerate(texts):
        writer.add("a.txt", f"a.txt\x1f{i // 2}", text)
    return ix, writer.finish()


def _postings(reader: object, word: str) -> list[tuple[int, float]]:
    m = reader.postings("text", word)  # type: ignore[attr-defined]
    out = []
    while m.is_active():
        out.append((m.id(), m.weight()))
        m.next()
    return out


def _reader(ix: object, segment: object) -> object:
    from whoosh.reading import SegmentReader

    return SegmentReader(ix.storage, ix.schema, segment)  # type: ignore[attr-defined]


def test_short_lists_are_inline_and_every_list_reads_back(tmp_path: Path) -> None:
    texts = ["通知" + "消费" * (1 + i % 3) + ("国务院" if i in (2, 5) else "") for i in range(17)]
    ix, segment = _segment(tmp_path, texts)
    reader = _reader(ix, segment)
    info = reader.term_info  # type: ignore[attr-defined]
    assert info("text", "国务院").is_inlined()  # two postings
    assert info("text", "通知").is_inlined() is False  # seventeen: a block in the postings file
    assert info("record", "a.txt\x1f8").is_inlined()  # one posting
    assert info("source", "a.txt").is_inlined() is False
    assert _postings(reader, "国务院") == [(2, 1), (5, 1)]
    assert _postings(reader, "消费") == [(i, 1 + i % 3) for i in range(17)]
    assert _postings(reader, "通知") == [(i, 1.0) for i in range(17)]  # all 1: none kept
    assert _postings(reader, "通知") == [(i, 1.0) for i in range(17)]
    ids, weights = _decoded(reader, "消费")
    assert ids.tolist() == list(range(17))
    assert weights.tolist() == [1 + i % 3 for i in range(17)]
    ids, weights = _decoded(reader, "国务院")
    assert (ids.tolist(), weights.tolist()) == ([2, 5], [1.0, 1.0])
    assert info("text", "消费").weight() == sum(1 + i % 3 for i in range(17))
    reader.close()  # type: ignore[attr-defined]


def test_a_merge_reads_inline_lists_and_writes_them_again(tmp_path: Path) -> None:
    texts = ["通知国务院消费消费" if i == 3 else "通知" for i in range(17)]
    ix, segment = _segment(tmp_path, texts)
    segment = merged(ix, [segment])
    reader = _reader(ix, segment)
    assert reader.term_info("text", "消费").is_inlined()  # type: ignore[attr-defined]
    assert _postings(reader, "消费") == [(3, 2)]
    assert _postings(reader, "通知") == [(i, 1.0) for i in range(17)]
    assert _postings(reader, "国务院") == [(3, 1.0)]
    reader.close()  # type: ignore[attr-defined]
