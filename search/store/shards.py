"""A sharded index: N complete indexes (``shard-0`` … ``shard-<N-1>``) under one index folder,
each holding the documents whose ``doc_id`` hashes to it, and ``shards.json`` recording N.

One shard (the default) is the plain layout: no ``shards.json``, the index's files in the folder
itself.  A document goes to shard ``blake2b(doc_id) mod N`` (a stable hash, never Python's
``hash``), so an update routes every added, changed or deleted document to its shard: a file is
read only by its own shard, a JSON Lines dump by every shard, each keeping its own records.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from search.errors import BadInput, IndexCorrupt

SHARDS_FILE = "shards.json"
ROUTE = "blake2b-64(doc_id) mod shards"


def shard_of(doc_id: str, count: int) -> int:
    """The shard of a document: a stable hash of its ``doc_id``."""
    digest = hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count


@dataclass(frozen=True)
class Route:
    """Which documents one shard of ``count`` keeps."""

    count: int
    shard: int

    def keeps(self, doc_id: str) -> bool:
        return self.count == 1 or shard_of(doc_id, self.count) == self.shard


def shard_folder(folder: Path, shard: int) -> Path:
    return folder / f"shard-{shard}"


def recorded(folder: Path) -> int | None:
    """The shard count of the index at ``folder``: from ``shards.json``, 1 for the plain
    layout, None when there is no index there yet."""
    path = folder / SHARDS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        count = int(data["shards"])
    except FileNotFoundError:
        from search.store.manifest import latest_generation

        return 1 if latest_generation(folder) >= 0 else None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCorrupt(
            f"the shard list {path} is damaged ({exc})",
            f"rebuild it: govsearch index --rebuild --index {folder}",
        ) from exc
    if count < 1:
        raise IndexCorrupt(f"the shard list {path} says {count} shards", "rebuild the index")
    return count


def is_sharded(folder: Path) -> bool:
    return (folder / SHARDS_FILE).is_file()


def is_shard(folder: Path) -> bool:
    """Whether ``folder`` is one shard of a sharded index."""
    return folder.name.startswith("shard-") and is_sharded(folder.parent)


def folders(folder: Path) -> list[Path]:
    """The complete indexes that make up the index at ``folder``: its shards, or itself."""
    count = recorded(folder) if is_sharded(folder) else None
    return [shard_folder(folder, k) for k in range(count)] if count else [folder]


def record(folder: Path, count: int) -> None:
    """Write (or touch, after an update) ``shards.json``, atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SHARDS_FILE
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"shards": count, "route": ROUTE}) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def check_count(folder: Path, asked: int | None, rebuild: bool) -> int:
    """The shard count an update of ``folder`` uses: the recorded one, unless ``asked`` (a
    different count needs ``--rebuild``)."""
    if asked is not None and asked < 1:
        raise BadInput(f"--shards {asked} is not a shard count", "give --shards 1 or more")
    have = recorded(folder)
    if asked is None:
        return have or 1
    if have is not None and asked != have and not rebuild:
        raise BadInput(
            f"the index at {folder} has {have} shard{'s' * (have != 1)}; changing that rebuilds it",
            f"govsearch index --rebuild --shards {asked} --index {folder}",
        )
    return asked
