"""BM25, written once: every stage of ranking scores a word, a bigram or a document with these.

A term's contribution to a score is ``weight × idf × saturation``:

* ``idf(df, n)``: rarity, ``ln(1 + (n − df + 0.5) / (df + 0.5))`` (never negative);
* ``norm(length, average, b)``: the length normalisation ``1 − b + b · length / average``;
* ``saturation(tf, norm, k1)``: ``tf · (k1 + 1) / (tf + k1 · norm)``; 1 for one occurrence in a
  field of average length, approaching ``k1 + 1`` as the frequency grows;
* ``weight``: the field's or the feature's weight (``search.ranking.Weights``).

The functions take plain floats or numpy arrays alike (no numpy import here).
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

Number = TypeVar("Number", float, Any)


def idf(df: int, n: int) -> float:
    """How rare a term held by ``df`` of ``n`` units (passages or documents) is."""
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def norm(length: Number, average: float, b: float) -> Number:
    """Length normalisation of a unit of ``length`` where units average ``average``."""
    return 1.0 - b + b * length / average


def saturation(tf: Number, unit_norm: Number, k1: float) -> Number:
    """The term-frequency factor: ``tf`` occurrences in a unit of normalised length."""
    return tf * (k1 + 1.0) / (tf + k1 * unit_norm)


def contribution(weight: float, term_idf: float, saturated: Number) -> Number:
    """What one term adds to a score: its weight, its idf and its saturated frequency."""
    return weight * term_idf * saturated
