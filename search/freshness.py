"""Is the index out of date?  A cheap check, meant to run before every search: one ``stat`` of
every file the manifest lists (size and mtime compared with what was indexed) and a walk of the
collection roots for files it does not list — nothing is read or hashed.

A file under a root that the manifest does not list counts as new only when it was created or
modified after the last update (the manifest's own mtime): a file that could not be indexed
then (empty, undecodable) is not reported again and again.  A file whose mtime changed but
whose content did not counts as modified until the next ``govsearch index`` notices it.
"""

from __future__ import annotations

import os
from collections.abc import Container, Iterator
from dataclasses import dataclass
from pathlib import Path

from search.store.manifest import Manifest, manifest_path
from search.suffixes import suffix_format


@dataclass(frozen=True)
class Staleness:
    """Files of the collection that changed since the last update."""

    new: int = 0
    modified: int = 0
    deleted: int = 0

    @property
    def files(self) -> int:
        return self.new + self.modified + self.deleted

    def describe(self) -> str:
        """``the index is out of date: 3 files changed since the last update (1 new, …)``."""
        counts = ((self.new, "new"), (self.modified, "modified"), (self.deleted, "deleted"))
        parts = [f"{n} {what}" for n, what in counts if n]
        files = "1 file" if self.files == 1 else f"{self.files} files"
        return (
            f"the index is out of date: {files} changed since the last update ({', '.join(parts)})"
        )


def check(folder: Path, manifest: Manifest) -> Staleness:
    """Compare the collection on disk with the manifest of the index at ``folder``."""
    modified = deleted = 0
    for key, entry in manifest.files.items():
        try:
            stat = os.stat(key)
        except OSError:
            deleted += 1
            continue
        if stat.st_size != entry.get("size") or stat.st_mtime_ns != entry.get("mtime_ns"):
            modified += 1
    return Staleness(_new_files(folder, manifest), modified, deleted)


def _new_files(folder: Path, manifest: Manifest) -> int:
    try:
        # a sharded index's last update is when its shard list was last written
        done = manifest_path(folder, manifest.generation) if manifest.generation >= 0 else None
        since = (done or folder / "shards.json").stat().st_mtime_ns
    except OSError:
        return 0
    new = 0
    for path in unlisted([Path(root) for root in manifest.roots], manifest.files):
        try:
            stat = path.stat()
        except OSError:
            continue
        if max(stat.st_mtime_ns, stat.st_ctime_ns) > since:
            new += 1
    return new


def unlisted(roots: list[Path], listed: Container[str]) -> Iterator[Path]:
    """Files under ``roots`` that ``documents.find`` would index and ``listed`` lacks.

    The same rules as ``documents.find`` (hidden names and links to folders skipped, supported
    types only), but a path is resolved only when it is not listed as walked: resolving every
    path costs ten times the walk itself.
    """
    for root in roots:
        if not root.is_dir():
            if root.is_file() and str(root.resolve()) not in listed:
                yield root
            continue
        for base, dirs, names in os.walk(root, followlinks=False):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in names:
                if name.startswith(".") or os.path.join(base, name) in listed:
                    continue
                path = Path(base, name)
                if (
                    path.is_file()
                    and suffix_format(path) is not None
                    and str(path.resolve()) not in listed
                ):
                    yield path
