"""Opening the last complete commit for reading.  Readers never write: an interrupted update is
finished by the next writer, and a search meanwhile reads the commit before it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from search.errors import IndexCorrupt
from search.store.manifest import (
    INDEX_NAME,
    Manifest,
    latest_generation,
    load_manifest,
    rebuild_hint,
)
from search.store.segment import SegmentData, side_path
from search.store.view import IndexView, Part

_ATTEMPTS = 5


def read_toc(folder: Path, generation: int) -> list[Any]:
    """The segments (with their deleted passages) that Whoosh's TOC of ``generation`` names."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC

    from search.store.schema import schema

    toc = TOC.read(FileStorage(str(folder), readonly=True), INDEX_NAME, generation, schema())
    return list(toc.segments)


def open_view(folder: Path) -> tuple[Manifest, IndexView]:
    """The manifest and the view of the newest commit (of a sharded index: of every shard's
    newest commit, side by side, as one index).  A commit that an update replaces while it is
    being opened (its files removed) is given up for the newer one."""
    from search.store.shards import folders, is_sharded

    if not is_sharded(folder):
        return _open_one(folder)
    opened = [_open_one(shard) for shard in folders(folder)]
    manifest = load_manifest(folder)
    return manifest, IndexView.joined([view for _, view in opened], folder)


def _open_one(folder: Path) -> tuple[Manifest, IndexView]:
    for attempt in range(_ATTEMPTS):
        manifest = load_manifest(folder)
        try:
            return manifest, view_of(folder, manifest)
        except FileNotFoundError:
            if attempt == _ATTEMPTS - 1 or latest_generation(folder) == manifest.generation:
                raise IndexCorrupt(
                    f"the index at {folder} is missing segment files", rebuild_hint(folder)
                ) from None
    raise AssertionError("unreachable")


def view_of(folder: Path, manifest: Manifest) -> IndexView:
    """The commit's segments (as its manifest copies them from Whoosh's TOC) side by side."""
    parts = []
    base = doc_base = 0
    for segment_id, passages, deleted in manifest.segments:
        data = SegmentData(side_path(folder, segment_id))
        if data.passages != passages:
            raise IndexCorrupt(
                f"the index at {folder} is damaged (segment {segment_id} has {passages} "
                f"passages in Whoosh, {data.passages} in its side file)",
                rebuild_hint(folder),
            )
        alive = None
        if deleted:
            alive = np.ones(data.passages, dtype=bool)
            alive[np.array(deleted, dtype=np.int64)] = False
        parts.append(Part(data, base, doc_base, alive))
        base += data.passages
        doc_base += data.documents
    return IndexView(parts, folder, manifest.generation)
