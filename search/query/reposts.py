"""Reposts collapsed on the ranked page: near-duplicate documents shown once.

Documents are grouped by their sketches (``search.store.sketch``) over the whole index.  On the
ranked page, the matching documents of one group are shown as one: at the place of the group's
best-ranked passage stands the best passage of its **earliest** matching member (by date; an
undated one after every dated one; ties by rank), which lists the other matching members as its
copies.  The representative's other passages keep their places; the copies' passages leave the
result list before the page is cut (and before ``--per-doc`` and ``--sort date`` order it), so
a page of N entries shows more distinct documents.  Nothing that matches is hidden: each
copy is named by the hit that stands for it.  Counts, ``-l`` and ``batch`` never collapse.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def collapse(
    documents: np.ndarray, dates: np.ndarray, index: Any
) -> tuple[np.ndarray, dict[int, tuple[int, ...]]]:
    """The result positions (``documents`` and ``dates``: each passage's document number and
    date, 0 for undated, in rank order) with each group of near duplicates collapsed, in
    order; and, for the position that stands for a group, the document numbers of its copies."""
    groups = np.asarray(index.repost_groups)
    members, first_row = _members(documents, groups)  # first_row: a member's best position
    if not members:
        return np.arange(len(documents)), {}
    place = np.arange(len(documents))  # where each position is shown: its own, by default
    copies: dict[int, tuple[int, ...]] = {}
    for docs in members.values():  # ``docs`` in rank order; min keeps the first of equals
        rep = min(docs, key=lambda d: (dates[first_row[d]] == 0, dates[first_row[d]]))
        place[first_row[rep]] = first_row[docs[0]]  # at the place of the group's best
        copies[first_row[rep]] = tuple(d for d in docs if d != rep)
    dropped = np.isin(documents, [d for others in copies.values() for d in others])
    kept = np.flatnonzero(~dropped)
    return kept[np.argsort(place[kept], kind="stable")], copies


def _members(docs: np.ndarray, groups: np.ndarray) -> tuple[dict[int, list[int]], dict[int, int]]:
    """The groups with two or more of ``docs`` (in rank order), each with those documents in
    the order they first rank; and where each of those documents first ranks."""
    if not len(docs) or not len(groups):
        return {}, {}
    unique, first = np.unique(docs, return_index=True)
    order = np.argsort(first, kind="stable")
    ranked, first = unique[order], first[order]
    of = groups[ranked]
    labels, counts = np.unique(of, return_counts=True)
    keep = np.isin(of, labels[counts > 1])
    out: dict[int, list[int]] = {}
    for doc, group in zip(ranked[keep].tolist(), of[keep].tolist(), strict=True):
        out.setdefault(group, []).append(doc)
    return out, dict(zip(ranked[keep].tolist(), first[keep].tolist(), strict=True))
