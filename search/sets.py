"""Sorted distinct values of an array.

``np.unique`` (numpy 2.4) asks ``np.ma.is_masked`` first, which imports ``numpy.ma``: 15–20 ms
of a cold search, for arrays that are never masked.  This is the same sort and compare.
"""

from __future__ import annotations

import numpy as np


def unique(values: np.ndarray) -> np.ndarray:
    """The distinct values of ``values``, sorted (as ``np.unique(values)``)."""
    flat = np.sort(np.asarray(values).ravel())
    if len(flat) < 2:
        return flat
    keep = np.empty(len(flat), dtype=bool)
    keep[0] = True
    np.not_equal(flat[1:], flat[:-1], out=keep[1:])
    return flat[keep]
