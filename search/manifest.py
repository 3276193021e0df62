"""The index folder's state on disk: the manifest, the committed generation, compatibility
checks, and how damage is reported.  Shared by indexing (the writer) and searching (readers)."""

from __future__ import annotations

import errno
import json
import os
import pickle
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from search import analysis
from search.errors import IndexCorrupt, IndexNotFound, IndexOutdated, SearchError
from search.schema import SCHEMA_VERSION

MANIFEST = "manifest.json"
INDEX_NAME = "passages"


@dataclass
class Manifest:
    schema_version: int = SCHEMA_VERSION
    fingerprint: dict[str, str] = field(default_factory=dict)
    roots: list[str] = field(default_factory=list)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: dict[str, dict[str, Any]] = field(default_factory=dict)  # size, mtime_ns, problem
    updated: str = ""
    generation: int = -1

    @classmethod
    def load(cls, folder: Path) -> Manifest | None:
        path = folder / MANIFEST
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**data)
        except (OSError, ValueError, TypeError) as exc:
            raise IndexCorrupt(
                f"the index manifest {path} is damaged ({exc})",
                f"rebuild it: govsearch index --rebuild --index {folder}",
            ) from exc

    def save(self, folder: Path) -> None:
        tmp = folder / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(self.__dict__, ensure_ascii=False, indent=1), encoding="utf-8")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, folder / MANIFEST)


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
            f"rebuild it: govsearch index --rebuild --index {folder}",
        )


@contextmanager
def damaged(folder: Path) -> Iterator[None]:
    """Errors from reading index files mean damaged files: say so, with the rebuild hint."""
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
            f"rebuild it: govsearch index --rebuild --index {folder}",
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
            f"rebuild it: govsearch index --rebuild --index {folder}",
        ) from exc


def latest_generation(folder: Path) -> int:
    """The newest committed Whoosh generation, from the names of its TOC files (no opening)."""
    prefix = f"_{INDEX_NAME}_"
    generations = [
        int(name[len(prefix) : -4])
        for name in os.listdir(folder)
        if name.startswith(prefix) and name.endswith(".toc") and name[len(prefix) : -4].isdigit()
    ]
    return max(generations, default=-1)


def load_manifest(folder: Path) -> Manifest:
    """The manifest of a usable index, or IndexNotFound / IndexOutdated saying what to do."""
    manifest = Manifest.load(folder) if folder.is_dir() else None
    if manifest is None or not isinstance(manifest.generation, int) or manifest.generation < 0:
        raise IndexNotFound(
            f"no index at {folder}",
            f"build it: govsearch index PATH --index {folder}",
        )
    check_compatible(manifest, folder)
    return manifest


def open_index(folder: Path) -> tuple[Any, Manifest]:
    """Open an existing index for searching, or say how to build it."""
    from whoosh import index as windex

    manifest = Manifest.load(folder)
    if manifest is None or not windex.exists_in(str(folder), INDEX_NAME):
        raise IndexNotFound(
            f"no index at {folder}",
            f"build it: govsearch index PATH --index {folder}",
        )
    check_compatible(manifest, folder)
    try:
        return windex.open_dir(str(folder), INDEX_NAME, readonly=True), manifest
    except Exception as exc:  # damaged or truncated files
        raise IndexCorrupt(
            f"the index at {folder} cannot be opened ({type(exc).__name__}: {exc})",
            f"rebuild it: govsearch index --rebuild --index {folder}",
        ) from exc
