"""The index folder's own records: which Whoosh commit is current, and the manifest of what it
holds (every file with its size, mtime and hash; per JSON Lines dump, each record line's hash),
plus compatibility checks and how damage is reported.

The commit point is Whoosh's TOC: ``_passages_<G>.toc`` names the segments of generation G.
Its manifest, ``manifest-<G>.json``, is written (and fsynced) before that TOC, so a committed
generation always has its manifest, and a manifest without its TOC is an interrupted update's,
ignored and later removed.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import pickle
import re
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from search import analysis
from search.errors import IndexCorrupt, IndexNotFound, IndexOutdated, SearchError

SCHEMA_VERSION = 8
INDEX_NAME = "passages"
OLD_MANIFEST = "manifest.json"  # written by govsearch before segments (schema ≤ 4)
_MANIFEST = re.compile(r"^(manifest|records)-([0-9]+)\.json$")
_TOC = re.compile(rf"^_{INDEX_NAME}_([0-9]+)\.toc$")


def rebuild_hint(folder: Path) -> str:
    return f"rebuild it: govsearch index --rebuild --index {folder}"


def manifest_path(folder: Path, generation: int) -> Path:
    return folder / f"manifest-{generation}.json"


def records_path(folder: Path, generation: int) -> Path:
    return folder / f"records-{generation}.json"


@dataclass
class Manifest:
    schema_version: int = SCHEMA_VERSION
    fingerprint: dict[str, str] = field(default_factory=dict)
    roots: list[str] = field(default_factory=list)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: dict[str, dict[str, Any]] = field(default_factory=dict)  # size, mtime_ns, problem
    updated: str = ""
    generation: int = -1
    records_generation: int = -1  # which records-<G>.json holds the dumps' line hashes
    # the commit's segments as Whoosh's TOC lists them: [segment id, passages, deleted passages]
    # (copied at commit, so that a search reads them without importing Whoosh)
    segments: list[list[Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._records: dict[str, dict[str, str]] | None = None
        self._records_dirty = False

    @classmethod
    def load(cls, folder: Path) -> Manifest | None:
        """The manifest of the newest commit, or None when there is no committed index (an
        index written by an older govsearch counts as none: ``load_manifest`` says so)."""
        if (folder / "shards.json").is_file():
            return _merged(cls, folder)
        generation = latest_generation(folder)
        if generation < 0:
            return None
        return cls.read(folder, generation)

    @classmethod
    def read(cls, folder: Path, generation: int) -> Manifest | None:
        path = manifest_path(folder, generation)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**data)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError) as exc:
            raise IndexCorrupt(
                f"the index manifest {path} is damaged ({exc})", rebuild_hint(folder)
            ) from exc

    def save(self, folder: Path) -> None:
        """Write ``manifest-<generation>.json`` atomically and durably (and, when the dumps'
        line hashes changed, ``records-<generation>.json`` first)."""
        if self._records_dirty:
            _write_json(records_path(folder, self.generation), self._records or {})
            self.records_generation = self.generation
            self._records_dirty = False
        public = {k: v for k, v in self.__dict__.items() if not k.startswith("_")}
        _write_json(manifest_path(folder, self.generation), public)

    def _all_records(self, folder: Path) -> dict[str, dict[str, str]]:
        if self._records is None:
            self._records = {}
            if self.records_generation >= 0:
                path = records_path(folder, self.records_generation)
                try:
                    self._records = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError) as exc:
                    raise IndexCorrupt(
                        f"the index file {path} is damaged ({exc})", rebuild_hint(folder)
                    ) from exc
        return self._records

    def line_hashes(self, folder: Path, key: str) -> dict[str, str] | None:
        """The indexed line hashes of a JSON Lines dump (None: not indexed by record)."""
        return self._all_records(folder).get(key)

    def set_line_hashes(self, folder: Path, key: str, hashes: dict[str, str] | None) -> None:
        if hashes is None and self._records is None and not _is_dump(key):
            return  # only dumps have line hashes: the file of them is not even read
        records = self._all_records(folder)
        if hashes is None:
            if key not in records:
                return
            del records[key]
        else:
            records[key] = hashes
        self._records_dirty = True


def _is_dump(key: str) -> bool:
    """Whether a file is read record by record (a JSON Lines dump, by its suffix)."""
    from search.suffixes import suffix_format

    return suffix_format(Path(key)) == "jsonl"


def _merged(cls: type[Manifest], folder: Path) -> Manifest | None:
    """What a sharded index holds, for reading: its shards' manifests in one (a JSON Lines
    dump, held by every shard, once with its documents and passages summed)."""
    from search.store.shards import folders

    parts = [cls.load(shard) for shard in folders(folder)]
    if any(part is None for part in parts):
        return None
    out = cls(generation=-1)
    for part in parts:
        assert part is not None
        out.schema_version = part.schema_version
        out.fingerprint = out.fingerprint or part.fingerprint
        out.roots += [r for r in part.roots if r not in out.roots]
        out.failed.update(part.failed)
        out.updated = max(out.updated, part.updated)
        for key, entry in part.files.items():
            have = out.files.setdefault(key, {**entry, "documents": 0, "passages": 0})
            have["documents"] += entry.get("documents", 0)
            have["passages"] += entry.get("passages", 0)
    return out


def _write_json(path: Path, value: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(value, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def latest_generation(folder: Path) -> int:
    """The newest committed Whoosh generation, from the names of its TOC files (no opening)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return -1
    return max((int(m.group(1)) for n in names if (m := _TOC.match(n))), default=-1)


def remove_stale_manifests(folder: Path, manifest: Manifest) -> None:
    """Remove the manifests and record files of other generations (older commits, interrupted
    updates)."""
    keep = {("manifest", manifest.generation), ("records", manifest.records_generation)}
    for name in os.listdir(folder):
        m = _MANIFEST.match(name)
        if (m and (m.group(1), int(m.group(2))) not in keep) or name.endswith(".json.tmp"):
            with contextlib.suppress(OSError):
                os.remove(folder / name)


def is_old_format(folder: Path) -> bool:
    return (folder / OLD_MANIFEST).exists() or any(folder.glob("literal-*"))


def check_compatible(manifest: Manifest, folder: Path) -> None:
    """Raise IndexOutdated when the index was built with another schema or analyser."""
    current = analysis.fingerprint()
    if manifest.schema_version != SCHEMA_VERSION or manifest.fingerprint != current:
        was = manifest.fingerprint
        detail = (
            f"schema {manifest.schema_version} → {SCHEMA_VERSION}"
            if manifest.schema_version != SCHEMA_VERSION
            else f"segmenter/dictionary {was.get('engine')}/{was.get('dictionary')} → "
            f"{current['engine']}/{current['dictionary']}"
        )
        raise IndexOutdated(
            f"the index at {folder} was built with another analysis ({detail})",
            rebuild_hint(folder),
        )


def outdated(folder: Path) -> IndexOutdated:
    return IndexOutdated(
        f"the index at {folder} was written by an older govsearch", rebuild_hint(folder)
    )


@contextmanager
def damaged(folder: Path) -> Iterator[None]:
    """Errors from reading index files mean damaged files: say so, with the rebuild hint; a
    full disk or a permission problem says that instead (the previous commit is intact)."""
    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EACCES, errno.EROFS, errno.EDQUOT):
            raise SearchError(
                f"cannot write the index at {folder} ({exc.strerror})",
                "free disk space or fix the folder's permissions; the previous index is intact",
            ) from exc
        raise IndexCorrupt(
            f"the index at {folder} is damaged ({type(exc).__name__}: {exc})",
            rebuild_hint(folder),
        ) from exc
    except (
        EOFError,
        ValueError,
        KeyError,
        IndexError,
        struct.error,
        zlib.error,
        pickle.UnpicklingError,
    ) as exc:
        raise IndexCorrupt(
            f"the index at {folder} is damaged ({type(exc).__name__}: {exc})",
            rebuild_hint(folder),
        ) from exc


def load_manifest(folder: Path) -> Manifest:
    """The manifest of a usable index, or IndexNotFound / IndexOutdated saying what to do."""
    manifest = Manifest.load(folder) if folder.is_dir() else None
    if manifest is None:
        if folder.is_dir() and is_old_format(folder):
            raise outdated(folder)
        raise IndexNotFound(
            f"no index at {folder}", f"build it: govsearch index PATH --index {folder}"
        )
    check_compatible(manifest, folder)
    return manifest
