"""Trends: how many matching documents (or passages) each period holds, per query.

``count_periods`` counts one query's full matches of one view by period; a sharded index
counts each shard and adds the counters.  ``assemble`` lays the counts of several queries over
one continuous run of periods (empty periods included, so a chart shows the gaps), with the
undated matches counted apart.  Rendering is in ``search.trend_render``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from search.errors import BadInput

PERIODS = ("year", "quarter", "month")
TREND_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Series:
    """One query's counts, one per period of its ``Trend``; the undated ones apart."""

    query: str
    counts: tuple[int, ...]
    undated: int

    @property
    def total(self) -> int:
        return sum(self.counts) + self.undated


@dataclass(frozen=True)
class Trend:
    by: str  # year, quarter or month
    unit: str  # documents or passages
    periods: tuple[str, ...]  # labels: 2024, 2024-Q1, 2024-03; oldest first
    series: tuple[Series, ...]


def period_keys(dates: np.ndarray, by: str) -> np.ndarray:
    """Dates as yyyymmdd (0: undated) → a period number (year·12 + month − 1, year·4 +
    quarter − 1, or the year); -1 for undated."""
    year, month = dates // 10000, dates // 100 % 100
    if by == "year":
        keys = year
    elif by == "quarter":
        keys = year * 4 + (np.maximum(month, 1) - 1) // 3
    else:
        keys = year * 12 + np.maximum(month, 1) - 1
    return np.where(dates > 0, keys, -1)


def label(key: int, by: str) -> str:
    if by == "year":
        return str(key)
    if by == "quarter":
        return f"{key // 4}-Q{key % 4 + 1}"
    return f"{key // 12}-{key % 12 + 1:02d}"


def count_periods(view: Any, passages: np.ndarray, by: str, unit: str) -> Counter[int]:
    """The matching ``passages`` of ``view`` (or their documents, each once) per period number;
    undated ones under -1."""
    passages = np.asarray(passages, dtype=np.int64)
    if unit == "documents":
        owners = np.asarray(view.docinfo[:, 0])[passages]
        documents, first = np.unique(owners, return_index=True)
        passages = passages[first[documents >= 0]]
    keys, counts = np.unique(period_keys(view.docinfo[passages, 1], by), return_counts=True)
    return Counter(dict(zip(keys.tolist(), counts.tolist(), strict=True)))


def assemble(
    queries: Sequence[str],
    counted: Sequence[Counter[int]],
    by: str,
    unit: str,
    bounds: tuple[int, int] | None = None,
) -> Trend:
    """The counts of each query over every period from the first to the last with a match
    (or ``bounds``: the first and last period number the dates asked for)."""
    dated = [k for c in counted for k, n in c.items() if k >= 0 and n]
    low, high = bounds if bounds else (min(dated, default=0), max(dated, default=-1))
    keys = range(low, high + 1)
    series = tuple(
        Series(q, tuple(c.get(k, 0) for k in keys), c.get(-1, 0))
        for q, c in zip(queries, counted, strict=True)
    )
    return Trend(by, unit, tuple(label(k, by) for k in keys), series)


def bounds(since: str, until: str, by: str, dated: Sequence[int]) -> tuple[int, int] | None:
    """The periods ``--since``/``--until`` cover (a missing end: the matches' own); None
    without a range or without matches to end it."""
    from search.query.parse import parse_dates

    low = _key(parse_dates(since).low, by) if since else min(dated, default=None)
    high = _key(parse_dates(until).high, by) if until else max(dated, default=None)
    return None if low is None or high is None else (low, high)


def _key(date: str, by: str) -> int:
    return int(period_keys(np.array([int(date.replace("-", ""))]), by)[0])


def check_by(by: str) -> str:
    if by not in PERIODS:
        raise BadInput(f"unknown period {by!r}", f"give --by {', '.join(PERIODS)}")
    return by


def trend(searcher: Any, queries: Sequence[str], options: Any, by: str, unit: str) -> Trend:
    """The trend of ``queries`` over the index open in ``searcher`` (``options``: the filters)."""
    from search.facets import full_matches
    from search.store.manifest import damaged

    counted = []
    for query in queries:
        found = full_matches(searcher, query, options)
        with damaged(searcher.folder):
            counted.append(count_periods(searcher.literal, found, by, unit))
    dated = [k for c in counted for k in c if k >= 0]
    return assemble(queries, counted, by, unit, bounds(options.since, options.until, by, dated))


def trend_object(found: Trend) -> dict[str, Any]:
    """The JSON form of ``trend --json`` (README: "Trends")."""
    return {
        "schema_version": TREND_SCHEMA_VERSION,
        "by": found.by,
        "unit": found.unit,
        "periods": list(found.periods),
        "series": [
            {"query": s.query, "counts": list(s.counts), "undated": s.undated, "total": s.total}
            for s in found.series
        ],
    }


def write_csv(found: Trend, out: Any) -> None:
    """``period,<query 1>,<query 2>…`` then one row per period; last, the ``undated`` row."""
    import csv

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period", *(s.query for s in found.series)])
    for i, period in enumerate(found.periods):
        writer.writerow([period, *(s.counts[i] for s in found.series)])
    writer.writerow(["undated", *(s.undated for s in found.series)])
