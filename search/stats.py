"""What an index holds (``govsearch stats``): counts, size, last update, the collection, the
analysis it was built with, and documents by issuer and by year (from the documents' stored
metadata, one entry per ``doc_id``).  Read from the literal index: Whoosh is not opened."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search.freshness import check
from search.searching import Searcher

STATS_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Stats:
    index: str
    documents: int
    passages: int
    size_bytes: int
    updated: str
    roots: tuple[str, ...]
    segmenter: str
    dictionary: str
    userdict: str
    out_of_date_files: int
    by_issuer: tuple[tuple[str, int], ...]  # "" = no issuer found; most documents first
    by_year: tuple[tuple[str, int], ...]  # "" = undated; newest first
    shards: tuple[ShardStats, ...] = ()  # a sharded index's shards


@dataclass(frozen=True)
class ShardStats:
    name: str
    documents: int
    passages: int
    size_bytes: int
    node: str  # the host that holds it, or the Ray node whose actor searches it


def shard_stats(folder: Path, ray: str | None = None) -> tuple[ShardStats, ...]:
    """Per shard of a sharded index (none for the plain layout): its documents and passages
    (from its manifest), size, and node (with ``ray``, a Ray address: the node of the actor
    that searches it; else this host)."""
    import socket

    from search.store.manifest import load_manifest
    from search.store.shards import folders, is_sharded

    if not is_sharded(folder):
        return ()
    nodes = None
    if ray:
        from search.cluster import RayShards

        actors = RayShards(ray, folders(folder))
        nodes = actors.each("node", [()] * len(actors.names))
        actors.close()
    out = []
    for k, shard in enumerate(folders(folder)):
        files = load_manifest(shard).files.values()
        out.append(
            ShardStats(
                shard.name,
                sum(int(f.get("documents", 0)) for f in files),
                sum(int(f.get("passages", 0)) for f in files),
                folder_size(shard),
                nodes[k] if nodes else socket.gethostname(),
            )
        )
    return tuple(out)


def collect(searcher: Searcher) -> Stats:
    """The statistics of the index open in ``searcher``."""
    manifest = searcher.manifest
    literal = searcher.literal
    # each live document's metadata, stored once per document (no passage is read)
    metadata: dict[str, tuple[str, str]] = {}
    for doc_id, issuer, date in literal.live_documents(("doc_id", "issuer", "date")):
        metadata.setdefault(doc_id, (issuer, date))
    issuers = Counter(issuer for issuer, _ in metadata.values())
    years = Counter(date[:4] if date[:4].isdigit() else "" for _, date in metadata.values())
    return Stats(
        index=str(searcher.folder),
        documents=len(metadata),
        passages=literal.live_count(),
        size_bytes=folder_size(searcher.folder),
        updated=manifest.updated,
        roots=tuple(manifest.roots),
        segmenter=manifest.fingerprint.get("engine", ""),
        dictionary=manifest.fingerprint.get("dictionary", ""),
        userdict=manifest.fingerprint.get("userdict", ""),
        out_of_date_files=check(searcher.folder, manifest).files,
        by_issuer=tuple(sorted(issuers.items(), key=lambda kv: (not kv[0], -kv[1], kv[0]))),
        by_year=tuple(sorted(years.items(), reverse=True)),
    )


def folder_size(folder: Path) -> int:
    """Bytes of every file under ``folder``."""
    total = 0
    for root, _dirs, names in os.walk(folder):
        for name in names:
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total


def stats_object(stats: Stats) -> dict[str, Any]:
    """The JSON form (README: "govsearch stats")."""
    return {
        "schema_version": STATS_SCHEMA_VERSION,
        "index": stats.index,
        "documents": stats.documents,
        "passages": stats.passages,
        "size_bytes": stats.size_bytes,
        "updated": stats.updated or None,
        "roots": list(stats.roots),
        "segmenter": stats.segmenter,
        "dictionary": stats.dictionary,
        "userdict": stats.userdict or None,
        "out_of_date_files": stats.out_of_date_files,
        "by_issuer": [{"issuer": k or None, "documents": n} for k, n in stats.by_issuer],
        "by_year": [{"year": int(k) if k else None, "documents": n} for k, n in stats.by_year],
        **({"shards": [s.__dict__ for s in stats.shards]} if stats.shards else {}),
    }
