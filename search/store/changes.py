"""What an update changes: the files found against the manifest of the last commit (new,
changed, removed, or failed before and unchanged since), and for a changed JSON Lines dump
indexed record by record, which records are gone and which are new (by their line hashes)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search import documents
from search.config import collection_base
from search.store.build import Job, line_hashes
from search.store.manifest import Manifest
from search.store.shards import Route


def file_hash(path: Path) -> str:
    """A file's SHA-256, read a megabyte at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_ids(folder: Path) -> Callable[[Path], tuple[str, str]]:
    """Document ids of files are their paths relative to the folder that holds the index."""
    base = Path(collection_base(folder))

    def ids(path: Path) -> tuple[str, str]:
        try:
            rel = path.relative_to(base).as_posix()
        except ValueError:
            rel = path.as_posix()
        return rel, rel

    return ids



@dataclass(frozen=True)
class Plan:
    jobs: list[Job]
    changed: set[str]
    removed: list[str]
    records: dict[str, tuple[list[int], dict[str, str]]]  # dump → (lines to delete, new hashes)
    unchanged: int
    still_failed: int = 0  # files that failed before and have not changed: not read again
    unchanged_files: tuple[str, ...] = ()


def plan(
    folder: Path,
    found: list[Path],
    roots: list[Path],
    manifest: Manifest,
    ids: Any,
    route: Route | None = None,
) -> Plan:
    jobs: list[Job] = []
    changed: set[str] = set()
    records: dict[str, tuple[list[int], dict[str, str]]] = {}
    still_failed = 0
    same: list[str] = []
    seen = set()
    for path in found:
        key = str(path)
        doc_id, display = ids(path)
        dump = documents.suffix_format(path) == "jsonl"
        if route is not None and not dump and not route.keeps(doc_id):
            continue  # another shard's file
        seen.add(key)
        entry = manifest.files.get(key)
        if entry is None:
            old, stat = manifest.failed.get(key), path.stat()
            if old and (old["size"], old["mtime_ns"]) == (stat.st_size, stat.st_mtime_ns):
                still_failed += 1
            else:
                jobs.append(Job(key, doc_id, display, route=route))
            continue
        stat = path.stat()
        if entry["size"] == stat.st_size and entry["mtime_ns"] == stat.st_mtime_ns:
            same.append(key)
            continue
        if entry["size"] == stat.st_size and entry["sha256"] == file_hash(path):
            entry["mtime_ns"] = stat.st_mtime_ns
            same.append(key)
            continue
        changed.add(key)
        diff = _record_diff(path, manifest.line_hashes(folder, key))
        if diff is None:
            jobs.append(Job(key, doc_id, display, route=route))
        else:
            gone, hashes, lines = diff
            records[key] = (gone, hashes)
            jobs.append(Job(key, doc_id, display, tuple(lines), route))
    resolved = [r.resolve() for r in roots]
    removed = [
        key
        for key in manifest.files
        if key not in seen and any(under(Path(key), r) for r in resolved)
    ]
    for key in [k for k in manifest.failed if k not in seen]:
        if any(under(Path(key), r) for r in resolved):
            del manifest.failed[key]  # a file that failed is gone
    return Plan(jobs, changed, removed, records, len(same), still_failed, tuple(same))


def _record_diff(
    path: Path, old: dict[str, str] | None
) -> tuple[list[int], dict[str, str], list[int]] | None:
    """For a changed JSON Lines dump indexed record by record: the record lines whose indexed
    version is gone, the new line hashes, and the lines to read.  None: read it whole."""
    if old is None or documents.suffix_format(path) != "jsonl":
        return None
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    new = line_hashes(data)
    gone = [int(line) for line, digest in old.items() if new.get(line) != digest]
    fresh = [int(line) for line, digest in new.items() if old.get(line) != digest]
    return gone, new, fresh


def under(path: Path, root: Path) -> bool:
    """Whether ``path`` is ``root`` or inside it."""
    return path == root or root in path.parents
