"""Saved searches (``govsearch watch``): a query with its filters, and the documents it has
already seen; a run shows the matching documents it has not seen.

A document is seen as its ``doc_id`` and a digest of its content (its metadata and its
passages' normalised text), so a rebuilt index, a merge or a file touched without a change
brings nothing new, while a changed document is new again.  The watches live in their own file,
``watches.json`` in the index folder (never in a segment; ``index --rebuild`` carries it over),
replaced atomically (written beside it, fsynced, renamed), one writer at a time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from search.errors import BadInput, IndexCorrupt

FILE = "watches.json"
WATCH_SCHEMA_VERSION = 1
_NAME = re.compile(r"^[\w.-]{1,64}$")


@dataclass(frozen=True)
class Watch:
    """A saved search: its query and filters, when it was added and last run, and the
    documents it has seen (``doc_id`` + content digests, hex)."""

    name: str
    query: str
    issuer: str = ""
    since: str = ""
    until: str = ""
    added: str = ""
    last_run: str = ""
    seen: frozenset[str] = frozenset()

    def options(self) -> Any:
        """Search options: every matching document once, newest first."""
        from search.query.plan import Options

        return Options(0, self.issuer, self.since, self.until, "date", 0, True, False, "document")


@dataclass(frozen=True)
class Outcome:
    """A watch run: the watch as it is now, its new hits, how many documents match."""

    watch: Watch
    hits: tuple[Any, ...]
    documents: int


def path(folder: Path) -> Path:
    return folder / FILE


def load(folder: Path) -> dict[str, Watch]:
    """The watches of the index at ``folder`` (none yet: empty)."""
    try:
        data = json.loads(path(folder).read_text(encoding="utf-8"))
        return {name: _watch(name, w) for name, w in data["watches"].items()}
    except FileNotFoundError:
        return {}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IndexCorrupt(
            f"the saved searches in {path(folder)} are damaged ({exc})",
            "fix or remove that file (it holds only the saved searches)",
        ) from exc


def _watch(name: str, saved: dict[str, Any]) -> Watch:
    """A watch as saved (keys a later version may add are left out)."""
    known = ("query", "issuer", "since", "until", "added", "last_run")
    fields = {key: str(saved[key]) for key in known if key in saved}
    return Watch(name, **fields, seen=frozenset(str(k) for k in saved.get("seen", ())))


def save(folder: Path, watches: dict[str, Watch]) -> None:
    """Replace the watches file atomically."""
    data = {
        "schema_version": WATCH_SCHEMA_VERSION,
        "watches": {
            name: {
                "query": w.query,
                "issuer": w.issuer,
                "since": w.since,
                "until": w.until,
                "added": w.added,
                "last_run": w.last_run,
                "seen": sorted(w.seen),
            }
            for name, w in sorted(watches.items())
        },
    }
    target = path(folder)
    staging = target.with_name(target.name + ".tmp")
    with open(staging, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=1)
        out.write("\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(staging, target)


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """One reader-writer of the watches at a time (an advisory lock on the index folder)."""
    try:
        import fcntl
    except ImportError:  # no flock on this platform
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise BadInput(f"bad watch name {name!r}", "use up to 64 letters, digits, '_', '-' or '.'")
    return name


def unknown(name: str) -> BadInput:
    return BadInput(f"no saved search named {name!r}", "see govsearch watch list")


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


_KEYED = ("doc_id", "title", "date", "issuer", "doc_number", "url")


def document_key(view: Any, number: int) -> str:
    """A document as a watch remembers it: its ``doc_id`` and a digest of its metadata and
    its passages' text (the same document in a rebuilt index has the same key)."""
    texts = [view.text(p) for p in view.passages_of(number).tolist()]
    return _key(view.document(number), texts)


def document_keys(view: Any, documents: np.ndarray) -> list[str]:
    """``document_key`` of each of the (sorted, live) ``documents``, read segment by segment."""
    from search.facets import split

    keys: list[str] = []
    for part, local in split(view, documents):
        firsts, counts, table = part.data["d.first"], part.data["d.count"], part.data.text
        for n in local.tolist():
            first = int(firsts[n])
            texts = [table.text(p) for p in range(first, first + int(counts[n]))]
            keys.append(_key(view.document(part.doc_base + n), texts))
    return keys


def _key(meta: dict[str, str], texts: list[str]) -> str:
    data = "".join(meta[name] + "\x00" for name in _KEYED) + "".join(t + "\x00" for t in texts)
    return hashlib.blake2b(data.encode("utf-8"), digest_size=10).hexdigest()


def matching_keys(searcher: Any, watch: Watch) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The passages matching ``watch`` in full, their documents, and the documents' keys."""
    from search.facets import full_matches, matching_documents
    from search.store.manifest import damaged

    found = full_matches(searcher, watch.query, watch.options())
    with damaged(searcher.folder):
        documents, _ = matching_documents(searcher.literal, found)
        keys = document_keys(searcher.literal, documents)
    return found, documents, keys


def baseline(searcher: Any, watch: Watch) -> Watch:
    """``watch`` having seen every document that matches it now."""
    _, _, keys = matching_keys(searcher, watch)
    return replace(watch, seen=watch.seen | frozenset(keys), last_run=now())


def run(searcher: Any, watch: Watch) -> Outcome:
    """The documents matching ``watch`` that it has not seen (each by its best passage,
    newest first); the watch then has seen them."""
    from search.query import parse
    from search.query.match import Matched
    from search.query.plan import plan

    found, documents, keys = matching_keys(searcher, watch)
    new = np.array([k not in watch.seen for k in keys], dtype=bool)
    owners = np.asarray(searcher.literal.docinfo[:, 0])[found]
    chosen = found[np.isin(owners, documents[new])] if len(found) else found
    planned = plan(parse(watch.query), watch.options())
    stream = searcher.stream_matched(planned, Matched(chosen, len(chosen), None), watch.options())
    hits = tuple(stream.hits)
    seen = watch.seen | frozenset(keys)
    return Outcome(replace(watch, seen=seen, last_run=now()), hits, len(documents))


def watch_object(watch: Watch) -> dict[str, Any]:
    """One line of ``watch list --json`` (README: "Saved searches")."""
    return {
        "schema_version": WATCH_SCHEMA_VERSION,
        "watch": watch.name,
        "query": watch.query,
        "issuer": watch.issuer or None,
        "since": watch.since or None,
        "until": watch.until or None,
        "added": watch.added,
        "last_run": watch.last_run or None,
        "seen": len(watch.seen),
    }


def outcome_object(outcome: Outcome) -> dict[str, Any]:
    """The summary line of a watch in ``watch run --json``, after its new hits."""
    return {
        "schema_version": WATCH_SCHEMA_VERSION,
        "watch": outcome.watch.name,
        "query": outcome.watch.query,
        "new": len(outcome.hits),
        "documents": outcome.documents,
    }


def describe(watch: Watch) -> str:
    """A watch in one line: its query and filters."""
    filters = [
        f"--{k} {v}"
        for k, v in (("issuer", watch.issuer), ("since", watch.since), ("until", watch.until))
        if v
    ]
    return " ".join([watch.query, *filters])
