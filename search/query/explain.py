"""``--explain``: what each part of ranking added to each candidate's score.

The ranker adds every part of a score to its score array and, when asked to explain, also
notes it here, for the passages it scored.  ``Ledger.explain`` gathers one passage's notes
into the frozen ``Explanation`` of a hit: its parts add up to its score (merged per word and
field, so a word's presence and the correction for its real frequency make one part).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from search.models import Explanation, Part


@dataclass(frozen=True)
class Detail:
    """How a BM25 part was computed: a number, or an array with one per passage noted."""

    tf: Any = 0.0
    df: int = 0
    idf: float = 0.0
    weight: float = 0.0
    length: Any = 0.0
    average: float = 0.0
    gap: int = -1


@dataclass
class _Note:
    """One part of the score of many passages (values and details per passage, or shared)."""

    kind: str
    field: str
    term: str
    passages: np.ndarray
    values: np.ndarray
    detail: Detail
    kept: np.ndarray
    rows: dict[int, int] | None = None

    def row(self, passage: int) -> int | None:
        if self.rows is None:
            self.rows = {p: i for i, p in enumerate(self.passages.tolist())}
        return self.rows.get(passage)

    def get(self, name: str, row: int) -> Any:
        value = getattr(self.detail, name)
        if isinstance(value, np.ndarray):
            return value[self.kept][row].item()
        return value


@dataclass
class Ledger:
    """The notes of one ranking (one query)."""

    k1: float
    b: float
    notes: list[_Note] = field(default_factory=list)
    tier: dict[int, int] = field(default_factory=dict)
    together: bool = False
    reranked: set[int] = field(default_factory=set)

    def note(
        self, part: tuple[str, str, str], passages: np.ndarray, values: Any, detail: Detail
    ) -> None:
        """Record ``values`` (one per passage) added to these passages' scores by ``part``
        (kind, field, term)."""
        values = np.asarray(values, dtype=float)
        kept = values != 0
        if kept.any():
            kind, fld, term = part
            self.notes.append(_Note(kind, fld, term, passages[kept], values[kept], detail, kept))

    def ordered(self, passages: np.ndarray, tier: np.ndarray, together: bool) -> None:
        """What orders the candidates before their score."""
        self.tier = dict(zip(passages.tolist(), tier.tolist(), strict=True))
        self.together = together

    def explain(self, passage: int, score: float) -> Explanation:
        merged: dict[tuple[str, str, str], Part] = {}
        for note in self.notes:
            row = note.row(passage)
            if row is None:
                continue
            key = (note.kind, note.field, note.term)
            part = _part(note, row)
            if key in merged:  # a real frequency corrects the presence counted first
                first = merged[key]
                part = Part(**{**part.__dict__, "value": first.value + part.value})
            merged[key] = part
        tier = self.tier.get(passage, 0)
        return Explanation(
            score=score,
            whole_query=bool(tier >> 1 if self.together else tier),
            together=bool(tier & 1) if self.together else None,
            reranked=passage in self.reranked,
            k1=self.k1,
            b=self.b,
            parts=tuple(merged.values()),
        )


def _part(note: _Note, row: int) -> Part:
    return Part(
        kind=note.kind,
        value=float(note.values[row]),
        term=note.term,
        field=note.field,
        tf=float(note.get("tf", row)),
        df=int(note.get("df", row)),
        length=float(note.get("length", row)),
        average=float(note.get("average", row)),
        weight=float(note.get("weight", row)),
        idf=float(note.get("idf", row)),
        gap=int(note.get("gap", row)),
    )
