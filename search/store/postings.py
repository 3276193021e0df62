"""A term's postings in one Whoosh segment as numpy arrays: read a block at a time through
Whoosh's own block reader (an inlined short list at once), for ranking (a query word's
statistics) and for merging segments."""

from __future__ import annotations

from typing import Any

import numpy as np


def term_arrays(
    reader: Any, field: str, btext: bytes, info: Any, fmt: Any
) -> tuple[np.ndarray, np.ndarray]:
    """A term's postings in one Whoosh segment (deleted passages included), as arrays:
    passage numbers and weights, read a block at a time (an inlined list at once)."""
    if info.is_inlined():
        inline_ids, inline_weights, _ = info.inlined_postings()
        ids = np.array(inline_ids, dtype=np.int64)
        if len(inline_weights):
            return ids, np.array(inline_weights, dtype=np.float64)
        return ids, np.ones(len(ids), dtype=np.float64)  # none kept: all 1 (whoosh_codec)
    terms = reader._terms
    m = terms._codec.postings_reader(terms._postfile, info, fmt, term=(field, btext))
    id_blocks: list[np.ndarray] = []
    weight_blocks: list[np.ndarray] = []
    while m.is_active():
        m._read_ids()
        m._read_weights()
        id_blocks.append(np.asarray(m._ids, dtype=np.int64))
        weight_blocks.append(np.asarray(m._weights, dtype=np.float64))
        m._next_block()
    return np.concatenate(id_blocks), np.concatenate(weight_blocks)
