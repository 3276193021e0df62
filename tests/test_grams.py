"""The n-gram postings of a segment: encoding round trips and exact substring matching,
with chunk sizes small enough that every code path (slices ending mid-list, zlib-packed long
lists, two-byte and four-byte gaps, astral characters) runs on a small fixture."""

from __future__ import annotations

import random

import numpy as np
import pytest

from search.store import grams
from search.store.grams import GramTable, encode, gram_pairs


def _table(texts: list[str]) -> GramTable:
    arrays = grams.table("t.", texts)
    return GramTable(arrays, "t.", arrays["t.blob"].tobytes())


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
    chars = encoded["chars"].tolist()
    assert chars == sorted({0, *(ord(ch) for ch in "".join(texts))})  # 0: a unigram's second
    assert encoded["second"].dtype == np.uint16  # two bytes a key
    ranges, second = encoded["dir"].astype(np.int64), encoded["second"].astype(np.int64)
    keys = [
        chars[first] << grams.SHIFT | chars[int(second[k])]
        for first in range(len(chars))
        for k in range(ranges[first], ranges[first + 1])
    ]
    assert len(keys) == len(encoded["starts"]) - 1
    assert keys == sorted(set(keys))  # one list per key, in key order
    codes = set((encoded["starts"][:-1] & 7).tolist())
    assert 0 in codes and 1 in codes  # small gaps one byte, larger ones two (甲乙)
    assert any(code & 4 for code in codes)  # a long list zlib-packed
    table = _table(texts)
    key = ord("稀") << grams.SHIFT
    assert table.posting(key).tolist() == [len(texts) - 1]


def test_counts_only_on_character_boundaries() -> None:
    # "a" is the most frequent character: code 00.  The 193rd is coded C0 00 and the 12,289th
    # FF 00 00 00 (ranks by frequency, then code point): the 00 inside them is not "a"
    rare = "".join(chr(0x4E00 + 1 + i) for i in range(13000))
    texts = ["a" * 5, rare, "xax"]
    table = _table(texts)
    assert table.code.encode("a") == bytes([0x00])
    assert table.code.encode(rare[190]) == bytes([0xC0, 0x00])
    assert table.code.encode(rare[12286]) == bytes([0xFF, 0, 0, 0])
    numbers = np.array([0, 1, 2])
    assert table.counts(numbers, "a").tolist() == [5, 0, 1]
    assert table.counts(numbers, "aa", first_only=True).tolist() == [1, 0, 0]
    assert table.counts(numbers, rare[12286]).tolist() == [0, 1, 0]
    assert table.code.encode("Ω") is None  # a character of no text: found nowhere
    assert table.counts(numbers, "Ω").tolist() == [0, 0, 0]


def test_texts_decode_as_written(texts: list[str]) -> None:
    # past 12,288 characters, codes take four bytes (鿋 sorts after the 13,000 others); texts
    # under 256 bytes are decoded a character at a time, longer ones with numpy
    many = [*texts, "".join(chr(0x3400 + i) for i in range(13000)), "𠀋" * 3, "x鿋x"]
    table = _table(many)
    assert table.code.encode("鿋") is not None and len(table.code.encode("鿋") or b"") == 4
    assert [table.text(i) for i in range(len(many))] == many
    order = np.array([len(many) - 1, 5, 0, len(many) - 3, 1], dtype=np.int64)
    assert table.joined(order) == "".join(many[i] for i in order.tolist())
    assert table.texts(order) == [many[i] for i in order.tolist()]
    small = np.array([len(many) - 1, 2, 0], dtype=np.int64)
    assert table.texts(small) == [many[i] for i in small.tolist()]


def test_patched_gaps_round_trip_with_exceptions_at_both_ends() -> None:
    gaps = [300, 1, 255, 256, 7, (1 << 22) - 1, 0, 65535, 65536]
    big = [0, 3, 5, 7, 8]  # the gaps of 256 or more; the largest needs two bytes of high bits
    raw = [*(9 | 1 << 23).to_bytes(3, "little"), *(g & 0xFF for g in gaps)]
    raw += [1 | 8 | 32 | 128, 1]  # a bit per gap, low bits first
    raw += [b for i in big for b in (gaps[i] >> 8).to_bytes(2, "little")]
    assert grams.patched(np.array(raw, dtype=np.uint8)).tolist() == gaps
    one = [3, 0, 0, 5, 300 & 0xFF, 2, 0b010, 1]  # high bits in one byte each
    assert grams.patched(np.array(one, dtype=np.uint8)).tolist() == [5, 300, 2]
    assert grams.patched(np.array([2, 0, 0, 5, 255, 0], dtype=np.uint8)).tolist() == [5, 255]
    assert grams.patched(np.array([0, 0, 0], dtype=np.uint8)).tolist() == []


def _lists(pairs: list[tuple[int, list[int]]]) -> tuple[dict[str, np.ndarray], GramTable]:
    keyed = [(key << 22) | n for key, numbers in pairs for n in numbers]
    encoded = encode(np.array(sorted(keyed), dtype=np.uint64))
    arrays = {f"t.{name}": value for name, value in encoded.items()}
    arrays["t.offsets"] = np.zeros(1 << 22, dtype=np.uint32)  # texts are not read here
    code = grams.build(["a"])[0]
    arrays.update((f"t.{name}", value) for name, value in code.items())
    return encoded, GramTable(arrays, "t.", b"")


def test_a_list_takes_the_shorter_of_fixed_and_patched_gaps() -> None:
    big = (1 << 22) - 1
    spread = [0, *range(big - 40, big)]  # one gap of 4 million, then gaps of 1: patched
    wide = list(range(0, 255 * 20, 255))  # gaps of 255: one byte each, fixed
    alone = [big]  # one posting: its first number only
    near = [3, big]  # the largest gap a segment can have, at four bytes
    mixed = [0, 300, 600, *range(601, 621)]  # two gaps of 300 (one flag byte) among 20 of 1
    long = [0, *range(70_000, 140_002)]  # 70,002 gaps, one of 70,000
    lists = [(1, spread), (2, wide), (3, alone), (4, near), (5, mixed), (6, long)]
    encoded, table = _lists(lists)
    codes = [int(start) & 3 for start in encoded["starts"][:-1]]
    assert codes == [3, 0, 0, 2, 3, 3]
    lengths = np.diff(encoded["starts"].astype(np.int64) >> 3).tolist()
    assert lengths[:5] == [3 + 3 + 40 + 5 + 2, 3 + 19, 3, 3 + 4, 3 + 3 + 22 + 3 + 2]
    assert encoded["starts"][5] & 4  # the long list is zlib-packed too
    for key, numbers in [*lists, (7, [])]:
        assert table.posting(key).tolist() == numbers
