"""Stage 3: a plan over the index's n-gram postings → the candidate passages.

A passage matches a keyword when its normalised text contains the keyword as written —
whatever jieba did with it — so recall never depends on segmentation.  Full matches come
first; when they do not fill the page and the plan allows it, partial matches follow: passages
that hold one of the relaxed words (or every quoted phrase) and satisfy every filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from search.analyzer import Analyzer
from search.query.parse import And, DateRange, Node, Not, Or, Term
from search.query.plan import Plan, Relaxed, relax
from search.sets import unique


@dataclass(frozen=True)
class Matched:
    """Candidate passage numbers: the ``full`` full matches, then the partial ones."""

    passages: np.ndarray
    full: int
    relaxed: Relaxed | None  # the partial form, when partial matches were looked for

    def whole(self) -> np.ndarray:
        """Per candidate: does it match the whole query?"""
        return np.arange(len(self.passages)) < self.full


def match(plan: Plan, index: Any, analyzer: Analyzer, partly: bool | None = None) -> Matched:
    """The candidates; partial matches too when the full ones do not fill the page (or as
    ``partly`` says: a shard of a collection relaxes when the whole collection does)."""
    full = passages(index, plan.required)
    if partly is None:
        partly = len(full) < plan.want and plan.relaxable
    if not partly:
        return Matched(full, len(full), None)
    relaxed = relax(plan, analyzer)
    phrases = [k for k in plan.kept if isinstance(k, Term) and k.field == "text"]
    if not relaxed.units and not phrases:
        return Matched(full, len(full), None)
    extra = _partial(index, relaxed.units, plan.kept, full)
    return Matched(np.concatenate([full, extra]), len(full), relaxed)


def count(plan: Plan, index: Any) -> int:
    """How many passages match the whole query."""
    return len(passages(index, plan.required))


def passages(index: Any, node: Node) -> np.ndarray:
    """The sorted passage numbers that satisfy ``node``."""
    if isinstance(node, Term):
        if node.field == "text":
            return np.asarray(index.matches(node.text))
        return np.asarray(index.documents_where(1 if node.field == "title" else 2, node.text))
    if isinstance(node, DateRange):
        dates = index.dates()
        mask = dates > 0
        if node.low:
            mask &= dates >= int(node.low.replace("-", ""))
        if node.high:
            mask &= dates <= int(node.high.replace("-", ""))
        return np.flatnonzero(mask).astype(np.int64)
    if isinstance(node, Not):
        return np.setdiff1d(index.live(), passages(index, node.child), assume_unique=True)
    if isinstance(node, Or):
        sets = [passages(index, c) for c in node.children]
        return unique(np.concatenate(sets)) if sets else np.zeros(0, np.int64)
    return _all_of(index, node)


def _all_of(index: Any, node: And) -> np.ndarray:
    positives = [c for c in node.children if not isinstance(c, Not)]
    negatives = [c.child for c in node.children if isinstance(c, Not)]
    result: np.ndarray = passages(index, positives[0]) if positives else index.live()
    for child in positives[1:]:
        if not len(result):
            break
        result = np.intersect1d(result, passages(index, child), assume_unique=True)
    for negative in negatives:
        if not len(result):
            break
        result = np.setdiff1d(result, passages(index, negative), assume_unique=True)
    return result


def _partial(
    index: Any, units: tuple[str, ...], kept: tuple[Node, ...], full: np.ndarray
) -> np.ndarray:
    """Passages that hold any of ``units`` and satisfy everything kept; when the query has a
    quoted phrase, every passage that holds the phrases (the words then only rank)."""
    phrases = [k for k in kept if isinstance(k, Term) and k.field == "text"]
    if phrases:
        union = passages(index, And(tuple(phrases)))
    else:
        sets = [index.matches(u) for u in units]
        sets = [s for s in sets if len(s)]
        if not sets:
            return np.zeros(0, dtype=np.int64)
        union = unique(np.concatenate(sets))
    for k in kept:
        union = np.intersect1d(union, passages(index, k), assume_unique=True)
    return np.setdiff1d(union, full, assume_unique=True)
