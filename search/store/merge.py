"""Merging segments: a tiered policy (as Lucene's) and the merge itself.

Segments are grouped in tiers by their live characters (each tier ``FACTOR`` times the one
below, starting at the flush size).  When a tier holds ``FACTOR`` segments they are merged into
one, never above ``MAX_CHARS``, and a segment more than half that size is final (merged again
only when it is more than ``DELETED_SHARE`` deleted: then it is rewritten alone).  ``MAX_CHARS``
is twice the flush size, so a segment an update closed full is written once and never again: a
build of any size writes each passage once, and its time grows linearly with the collection
(merging flushed 2 M segments into 8 M ones rewrote 90% of the text at 10× news-xwlb, serially,
and halved the build's speed); merging only gathers the small segments that updates and the
ends of batches leave, up to that limit: adding k passages costs O(k) amortised, and memory
stays flat.  The price is a segment per 4 M characters (the flush size), each matched on its
own; measured in README "Growth".

A merge writes the Whoosh segment from its inputs (their postings read a block at a time and
renumbered without the deleted passages) and then its side file from the inputs' side files,
in the same order, before the commit that names it; the inputs' files are removed by Whoosh
when that commit drops them.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from search.store import build, faults, whoosh_segment
from search.store.build import close_segment
from search.store.segment import DocumentRow, SegmentData, side_path

FACTOR = 8
MAX_CHARS = int(os.environ.get("GOVSEARCH_MAX_SEGMENT_CHARS", 2 * build.FLUSH_CHARS))
DELETED_SHARE = 0.3


def _alive(seg: Any, passages: int) -> np.ndarray:
    alive = np.ones(passages, dtype=bool)
    if seg.has_deletions():
        alive[np.fromiter(seg.deleted_docs(), dtype=np.int64)] = False
    return alive


def _live_chars(folder: Path, seg: Any) -> int:
    data = SegmentData(side_path(folder, seg.segment_id()))
    lengths = np.asarray(data["p.length"], dtype=np.int64)
    return int(lengths[_alive(seg, data.passages)].sum())


def plan(sizes: list[tuple[Any, int, float]]) -> list[list[Any]]:
    """Groups of segments to merge, from ``(segment, live characters, deleted share)``."""
    groups: list[list[Any]] = []
    tiers: dict[int, list[tuple[int, Any]]] = {}
    for seg, chars, deleted in sizes:
        if chars * 2 >= MAX_CHARS:  # closed full by an update (or merged up to the limit)
            if deleted > DELETED_SHARE:
                groups.append([seg])
            continue
        flush = build.FLUSH_CHARS
        tier = 0 if chars < flush else 1 + int(math.log(chars / flush, FACTOR))
        tiers.setdefault(tier, []).append((chars, seg))
    for tier in sorted(tiers):
        members = sorted(tiers[tier], key=lambda m: (m[0], m[1].segment_id()))
        while len(members) >= FACTOR:
            group: list[Any] = []
            total = 0
            while members and len(group) < FACTOR and total + members[0][0] <= MAX_CHARS:
                chars, seg = members.pop(0)
                group.append(seg)
                total += chars
            if len(group) < 2:
                break
            groups.append(group)
    return groups


def tiered(ix: Any, segments: list[Any]) -> list[Any]:
    """The segments after the policy's merges (input order kept, merged ones last)."""
    folder = Path(ix.storage.folder)
    sizes = []
    for seg in segments:
        deleted = seg.deleted_count() / max(1, seg.doc_count_all())
        sizes.append((seg, _live_chars(folder, seg), deleted))
    groups = plan(sizes)
    merged_ids = {seg.segment_id() for group in groups for seg in group}
    out = [seg for seg in segments if seg.segment_id() not in merged_ids]
    for group in groups:
        out.append(merge(ix, group))
        faults.reached("merge")
    return [seg for seg in out if seg.doc_count() > 0]


def merge(ix: Any, group: list[Any]) -> Any:
    """One segment holding the live passages of ``group``, in order."""
    folder = Path(ix.storage.folder)
    rows: list[DocumentRow] = []
    for seg in group:
        data = SegmentData(side_path(folder, seg.segment_id()))
        rows.extend(data.document_rows(_alive(seg, data.passages)))
    return close_segment(folder, whoosh_segment.merged(ix, group), rows)
