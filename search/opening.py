"""Opening an index for reading: the last complete state, its manifest and its literal index.

A Whoosh commit newer than the manifest means an update is under way (its writer holds the
lock: the previous state is used) or was interrupted (nobody holds the lock: its derived files
are finished here first).  A literal index written by an older govsearch is rebuilt from the
Whoosh index the same way.
"""

from __future__ import annotations

import time
from pathlib import Path

from search.errors import IndexCorrupt, IndexLocked
from search.literal import LiteralIndex, OldLiteral
from search.manifest import INDEX_NAME, Manifest, latest_generation, load_manifest, open_index


def open_literal(folder: Path) -> tuple[Manifest, LiteralIndex]:
    """The last complete state: the manifest and the literal index of its generation.

    A Whoosh commit newer than the manifest means an update is under way (its writer holds the
    lock: the previous state is used) or was interrupted (nobody holds the lock: its derived
    files are finished here first).  A literal index written by an older govsearch is rebuilt
    from the Whoosh index the same way."""
    manifest = load_manifest(folder)
    if latest_generation(folder) > manifest.generation and not _writer_running(folder):
        _heal(folder)
        manifest = load_manifest(folder)
    for attempt in range(3):
        path = folder / f"literal-{manifest.generation}"
        try:
            return manifest, LiteralIndex(path)
        except OldLiteral as exc:
            if attempt == 2:
                raise IndexLocked(
                    f"{exc}, and an update of the index is under way",
                    "search again when the update has finished",
                ) from exc
            if _writer_running(folder):
                time.sleep(0.2)  # the update under way writes a new one
            else:
                _heal(folder)
            manifest = load_manifest(folder)
        except FileNotFoundError:
            if attempt == 2:
                break
            time.sleep(0.2)  # a concurrent update replaced it: read the manifest again
            manifest = load_manifest(folder)
            if not (folder / f"literal-{manifest.generation}").exists() and not _writer_running(
                folder
            ):
                _heal(folder)
                manifest = load_manifest(folder)
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(
                f"the index at {folder} is damaged ({exc})",
                f"rebuild it: govsearch index --rebuild --index {folder}",
            ) from exc
    raise IndexCorrupt(
        f"the index at {folder} is missing its literal part",
        f"rebuild it: govsearch index --rebuild --index {folder}",
    )


def _writer_running(folder: Path) -> bool:
    from whoosh import index as windex

    ix = windex.open_dir(str(folder), INDEX_NAME, readonly=True)
    lock = ix.storage.lock(INDEX_NAME + "_WRITELOCK")
    if lock.acquire(blocking=False):
        lock.release()
        return False
    return True


def _heal(folder: Path) -> None:
    """An update was interrupted after its Whoosh commit: finish its derived files."""
    from search.indexing import IndexReport, _finish

    ix, manifest = open_index(folder)
    _finish(ix, folder, manifest, IndexReport())
