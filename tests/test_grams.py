"""The n-gram postings of a segment: encoding round trips and exact substring matching,
with chunk sizes small enough that every code path (slices ending mid-list, zlib-packed long
lists, two-byte and four-byte gaps, astral characters) runs on a small fixture."""

from __future__ import annotations

import random

import numpy as np
import pytest

from search.store import grams
from search.store.grams import ENCODING, GramTable, encode, gram_pairs


def _table(texts: list[str]) -> GramTable:
    encoded = [t.encode(ENCODING) for t in texts]
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    arrays = {f"t.{name}": value for name, value in encode(gram_pairs(texts)).items()}
    arrays["t.offsets"] = offsets
    return GramTable(arrays, "t.", b"".join(encoded))


@pytest.fixture
def texts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setattr(grams, "_CHUNK_CHARS", 700)
    monkeypatch.setattr(grams, "_CHUNK_PAIRS", 500)
    rng = random.Random(11)
    alphabet = "消费国务院的了通知𠀋Ab1"
    out = ["国务院关于促消费的通知甲乙", "", "消费券", "ab" * 300]
    out += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    out += ["消费"] * 3 + ["稀甲乙"]  # gaps of 1; a list far from its first number; a 2-byte gap
    return out


def test_every_substring_is_found_exactly(texts: list[str]) -> None:
    table = _table(texts)
    needles = ["消费", "消", "国务院", "ab", "bab", "𠀋", "费国", "通知𠀋", "稀", "甲乙", "不在"]
    needles += [t[3:6] for t in texts[10:200] if len(t) >= 6]
    for needle in needles:
        assert table.matches(needle).tolist() == [i for i, t in enumerate(texts) if needle in t]


def test_lists_are_delta_coded_and_long_ones_packed(texts: list[str]) -> None:
    encoded = encode(gram_pairs(texts))
    assert np.all(np.diff(encoded["keys"].astype(np.int64)) > 0)  # one list per key
    widths = set(encoded["width"].tolist())
    assert 1 in widths and 2 in widths  # small gaps one byte, larger ones two (甲乙)
    assert any(w & 0x80 for w in widths)  # a long list zlib-packed
    table = _table(texts)
    key = ord("稀") << grams.SHIFT
    assert table.posting(key).tolist() == [len(texts) - 1]


def test_counts_only_on_character_boundaries() -> None:
    # in UTF-16LE, U+50AB U+594E is ab 50 4e 59: the bytes of 乐 (U+4E50, 50 4e) stand across
    # the boundary of the two characters, and must not count
    texts = ["\u50ab\u594e", "\u4e50\u4e59\u4e50"]
    assert "\u4e50".encode(ENCODING) in texts[0].encode(ENCODING)
    table = _table(texts)
    assert table.counts(np.array([0, 1]), "\u4e50").tolist() == [0, 2]
    assert table.counts(np.array([0, 1]), "\u4e59\u4e50", first_only=True).tolist() == [0, 1]
