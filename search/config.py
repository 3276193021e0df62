"""Where things are: the index folder and the default collection.  The only module that knows
the folder layout."""

from __future__ import annotations

import os
from pathlib import Path

INDEX_ENV = "GOVSEARCH_INDEX"
DEFAULT_INDEX = "index"
DEFAULT_COLLECTION = "seeds"


def index_dir(option: Path | None = None) -> Path:
    """``--index``, else ``$GOVSEARCH_INDEX``, else ``./index``."""
    if option is not None:
        return option
    env = os.environ.get(INDEX_ENV)
    return Path(env) if env else Path(DEFAULT_INDEX)


def default_collection() -> Path:
    return Path(DEFAULT_COLLECTION)


def display_path(path: str) -> str:
    """An absolute path as a user would type it here: relative to the current folder if inside
    (as ripgrep prints it), else absolute."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel == ".." or rel.startswith(".." + os.sep) else rel


def collection_base(folder: Path) -> str:
    """The folder that stored paths of files (their ``doc_id``) are relative to: the one
    holding the index (for one shard of a sharded index: holding the sharded index), links
    resolved as the files' own paths are."""
    from search.store.shards import is_shard

    resolved = folder.resolve()
    return str(resolved.parent.parent if is_shard(resolved) else resolved.parent)


def absolute(stored: str, base: str) -> str:
    """The absolute path of a stored path (relative to ``base``, or already absolute)."""
    return os.path.normpath(os.path.join(base, stored))
