"""An ``IndexView``'s per-passage columns: document number (-1 if deleted), date, length,
paragraph and place in collection order (source file, then line, then paragraph), each made
from the segments' side files on its first use (a search reads numbers and lengths; dates,
paragraphs and places only when its options ask: making every column for 467k passages took
20–40 ms of a cold search), and a tie's place made for the candidates alone."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from search.store.view import IndexView, Part

_EMPTY = np.zeros(0, dtype=np.int64)
_LINE_BITS = 20


class PassageColumns:
    """An ``IndexView``'s per-passage columns (see ``IndexView.docinfo``), each made from the
    segments on first use and then read-only."""

    def __init__(self, view: IndexView) -> None:
        self.view = view
        self.made: dict[int, np.ndarray] = {}

    @cached_property
    def source_rank(self) -> dict[str, int]:
        """Each source file's place in the collection's order of files (a sharded
        collection's, when the view is given it)."""
        view = self.view
        sources = view.source_order or sorted({s for p in view.parts for s in p.data.sources})
        return {source: i for i, source in enumerate(sources)}

    def __getitem__(self, key: tuple[Any, int]) -> Any:
        rows, k = key
        return self.column(k)[rows]

    def column(self, k: int) -> np.ndarray:
        found = self.made.get(k)
        if found is None:
            found = self._make(k)
            found.flags.writeable = False
            self.made[k] = found
        return found

    def _make(self, k: int) -> np.ndarray:
        view = self.view
        if not view.parts:
            return _EMPTY
        if k == 4:
            return np.concatenate([self._places(part, slice(None)) for part in view.parts])
        pieces = []
        for part in view.parts:
            d = part.data
            if k == 0:
                piece = d["p.doc"].astype(np.int64) + part.doc_base
                if part.alive is not None:
                    piece[~part.alive] = -1
            elif k == 1:
                piece = d["d.date"][d["p.doc"]].astype(np.int64)
            else:
                piece = d["p.length" if k == 2 else "p.paragraph"].astype(np.int64)
            pieces.append(piece)
        return np.concatenate(pieces)

    def places(self, numbers: np.ndarray) -> np.ndarray:
        """Column 4 of ``numbers`` only (unless the whole column is made, or they are many)."""
        numbers = np.asarray(numbers, dtype=np.int64)
        view = self.view
        if 4 in self.made or len(numbers) * 4 > view.doc_count:
            return self.column(4)[numbers]
        out = np.zeros(len(numbers), dtype=np.int64)
        for part, rows, local in view.by_part(numbers):
            out[rows] = self._places(part, local)
        return out

    def _places(self, part: Part, local: np.ndarray | slice) -> np.ndarray:
        """Places in collection order of some passages of one segment (local numbers)."""
        d = part.data
        rank = np.array([self.source_rank[s] for s in d.sources], dtype=np.int64)
        top = (1 << _LINE_BITS) - 1
        line = np.minimum(d["p.line"][local].astype(np.int64), top)
        paragraph = np.minimum(d["p.paragraph"][local].astype(np.int64), top)
        source = rank[d["d.source"][d["p.doc"][local]]]
        out: np.ndarray = source << (2 * _LINE_BITS) | line << _LINE_BITS | paragraph
        return out
