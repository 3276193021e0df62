"""Create, open and update the index: Whoosh passages, the literal index and the manifest.

The manifest (``manifest.json``) records what was indexed — every file with its size, mtime
and content hash — plus the schema version and the analyser fingerprint.  An update compares
the files found with it and touches only the added, changed and removed ones.  The Whoosh
commit is atomic; the literal index and the manifest are derived from it and written after it
with rename, so an interrupted run leaves the previous state searchable and the next run
completes the work.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from search import analysis, documents, literal
from search.errors import (
    BadInput,
    IndexCorrupt,
    IndexLocked,
    UnreadableDocument,
)
from search.manifest import (
    INDEX_NAME,
    MANIFEST,
    Manifest,
    check_compatible,
    damaged,
    latest_generation,
)
from search.models import Document, Passage, Step
from search.schema import schema

PARALLEL_BYTES = 8 << 20
LOCK_TIMEOUT = float(os.environ.get("GOVSEARCH_LOCK_TIMEOUT", "30"))
Progress = Callable[[Step], None]
Notice = Callable[[str], None]


@dataclass
class IndexReport:
    """What an update did: counts per file, and the problems met on the way."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    still_failed: int = 0  # files that failed before and have not changed: not read again
    documents: int = 0
    passages: int = 0
    seconds: float = 0.0

    @property
    def indexed_nothing(self) -> bool:
        failed = self.failed or self.still_failed
        return bool(failed) and not (self.added or self.changed or self.unchanged)


def _hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def base_dir(folder: Path) -> Path:
    """Document ids of files are paths relative to the folder that holds the index."""
    return folder.resolve().parent


def file_ids(folder: Path) -> Callable[[Path], tuple[str, str]]:
    base = base_dir(folder)

    def ids(path: Path) -> tuple[str, str]:
        try:
            rel = path.relative_to(base).as_posix()
        except ValueError:
            rel = path.as_posix()
        return rel, rel

    return ids


def _open_or_create(folder: Path, rebuild: bool) -> tuple[Any, Manifest]:
    from whoosh import index as windex

    manifest = None if rebuild else Manifest.load(folder)
    if manifest is not None and windex.exists_in(str(folder), INDEX_NAME):
        check_compatible(manifest, folder)
        try:
            return windex.open_dir(str(folder), INDEX_NAME), manifest
        except Exception as exc:  # Whoosh raises many kinds on damaged files
            raise IndexCorrupt(
                f"the index at {folder} cannot be opened ({type(exc).__name__})",
                f"rebuild it: govsearch index --rebuild --index {folder}",
            ) from exc
    folder.mkdir(parents=True, exist_ok=True)
    ignorable = {"README.md", f"{INDEX_NAME}_WRITELOCK"}
    occupied = any(p.name not in ignorable and not p.name.startswith(".") for p in folder.iterdir())
    if (
        occupied
        and not (folder / MANIFEST).exists()
        and not windex.exists_in(str(folder), INDEX_NAME)
    ):
        raise BadInput(
            f"{folder} is not empty and holds no govsearch index",
            "choose an empty folder with --index",
        )
    return windex.create_in(str(folder), schema(), INDEX_NAME), Manifest(
        fingerprint=analysis.fingerprint()
    )


@dataclass(frozen=True)
class _Plan:
    read: list[Path]
    changed: set[str]
    removed: list[str]
    unchanged: int
    still_failed: int = 0


def _plan(found: list[Path], roots: list[Path], manifest: Manifest) -> _Plan:
    read: list[Path] = []
    changed: set[str] = set()
    unchanged = still_failed = 0
    seen = set()
    for path in found:
        key = str(path)
        seen.add(key)
        entry = manifest.files.get(key)
        if entry is None:
            old, stat = manifest.failed.get(key), path.stat()
            if old and (old["size"], old["mtime_ns"]) == (stat.st_size, stat.st_mtime_ns):
                still_failed += 1
            else:
                read.append(path)
            continue
        stat = path.stat()
        if entry["size"] == stat.st_size and entry["mtime_ns"] == stat.st_mtime_ns:
            unchanged += 1
            continue
        if entry["size"] == stat.st_size and entry["sha256"] == _hash(path):
            entry["mtime_ns"] = stat.st_mtime_ns
            unchanged += 1
            continue
        read.append(path)
        changed.add(key)
    resolved = [r.resolve() for r in roots]
    removed = [
        key
        for key in manifest.files
        if key not in seen and any(_under(Path(key), r) for r in resolved)
    ]
    for key in [k for k in manifest.failed if k not in seen]:
        if any(_under(Path(key), r) for r in resolved):
            del manifest.failed[key]
    return _Plan(read, changed, removed, unchanged, still_failed)


def _under(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _fields(document: Document, passage: Passage, source: str) -> dict[str, Any]:
    return {
        "source": source,
        "doc_id": document.doc_id,
        "path": document.path,
        "fmt": document.fmt,
        "paragraph": passage.paragraph,
        "line": passage.line,
        "end_line": passage.end_line,
        "joins": list(passage.joins),
        "headings": "\n".join(passage.headings),
        "title": document.title,
        "text": passage.text,
        "date": document.date,
        "issuer": document.issuer,
        "doc_number": document.doc_number,
        "url": document.url,
    }


def update(
    folder: Path,
    paths: list[Path] | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
    notice: Notice | None = None,
) -> IndexReport:
    """Bring the index at ``folder`` up to date with ``paths`` (default: its roots)."""
    started = time.perf_counter()
    if folder.exists() and not folder.is_dir():
        raise BadInput(f"the index location {folder} is a file", "give a folder with --index")
    if rebuild:
        return _rebuild(folder, paths, progress, started, notice)
    with damaged(folder):
        return _update(folder, paths, progress, notice, started)


def _update(
    folder: Path,
    paths: list[Path] | None,
    progress: Progress | None,
    notice: Notice | None,
    started: float,
) -> IndexReport:
    ix, manifest = _open_or_create(folder, False)
    given = paths if paths else [Path(r) for r in manifest.roots] or [_default_root()]
    found = documents.find(given)
    own = folder.resolve()  # never index the index folder itself (its README, a staging copy)
    found.files[:] = [
        f
        for f in found.files
        if not _under(f, own) and not _under(f, own.parent / (own.name + ".rebuild"))
    ]
    report = IndexReport(skipped=[f"{p}: {why}" for p, why in found.skipped])
    report.failed += [f"{p}: no such file or folder" for p in found.missing if paths]
    report.failed += [
        f"{p}: no documents to index (.txt .md .html .pdf .docx .jsonl)" for p in found.empty
    ]
    if not paths:  # a refreshed root that is gone: its documents are removed below
        report.skipped += [f"{p}: gone, its documents are removed" for p in found.missing]
    plan = _plan(found.files, given, manifest)
    report.unchanged = plan.unchanged
    report.still_failed = plan.still_failed
    if not plan.read and not plan.removed and _nothing_to_do(ix, folder, manifest, given, report):
        report.seconds = time.perf_counter() - started
        return report
    writer = _writer(ix, folder, notice, _jobs(plan.read))
    try:
        # Every file read is deleted first: an interrupted run may have committed it already.
        for key in plan.removed + [str(p) for p in plan.read]:
            writer.delete_by_term("source", key)
        for key in plan.removed:
            del manifest.files[key]
        report.removed = len(plan.removed)
        done = _add_files(writer, plan, manifest, report, folder, progress)
        if progress:
            progress(replace(done, stage="committing"))
        writer.commit()
    except BaseException:
        writer.cancel()
        for task in getattr(writer, "tasks", ()):  # cancel() does not stop spawned workers
            task.terminate()
        raise
    _remember_roots(manifest, given)
    if progress:
        progress(replace(done, stage="finishing"))
    _finish(ix, folder, manifest, report)
    report.seconds = time.perf_counter() - started
    return report


def _remember_roots(manifest: Manifest, given: list[Path]) -> None:
    for root in given:
        resolved = str(root.resolve())
        if not root.exists():
            if resolved in manifest.roots:
                manifest.roots.remove(resolved)
        elif resolved not in manifest.roots:
            manifest.roots.append(resolved)


def _nothing_to_do(
    ix: Any, folder: Path, manifest: Manifest, given: list[Path], report: IndexReport
) -> bool:
    """Nothing was added, changed or removed: when the index is complete and no other update
    runs, only the manifest is saved (refreshed mtimes, new roots) — no commit, no rebuild."""
    complete = (
        manifest.generation == latest_generation(folder)
        and (folder / f"literal-{manifest.generation}").is_dir()
    )
    lock = ix.storage.lock(INDEX_NAME + "_WRITELOCK")
    if not complete or not lock.acquire(blocking=False):
        return False
    try:
        _remember_roots(manifest, given)
        manifest.save(folder)
    finally:
        lock.release()
    report.documents = sum(int(f.get("documents", 0)) for f in manifest.files.values())
    report.passages = sum(int(f.get("passages", 0)) for f in manifest.files.values())
    return True


def _default_root() -> Path:
    from search.config import default_collection

    return default_collection()


def _jobs(files: list[Path]) -> int:
    """Worker processes for Whoosh: both cores for a large update, one for a small one (a
    worker costs a second of start-up).  ``GOVSEARCH_JOBS`` overrides."""
    forced = os.environ.get("GOVSEARCH_JOBS", "")
    if forced.isdigit() and int(forced) > 0:
        return int(forced)
    size = sum(p.stat().st_size for p in files)
    return min(2, os.cpu_count() or 1) if size > PARALLEL_BYTES else 1


def _writer(ix: Any, folder: Path, notice: Notice | None, jobs: int = 1) -> Any:
    """A writer; when another process holds the lock, say so and wait for it a while."""
    from whoosh.index import LockError

    options: dict[str, Any] = {"limitmb": 256}
    if jobs > 1:
        options = {"procs": jobs, "multisegment": True, "start_method": "spawn", "limitmb": 128}
    try:
        return _quiet_workers(ix.writer(timeout=0.0, **options))
    except LockError:
        if notice:
            notice(f"another govsearch is updating {folder}: waiting up to {LOCK_TIMEOUT:.0f}s")
    try:
        return _quiet_workers(ix.writer(timeout=LOCK_TIMEOUT, delay=0.2, **options))
    except LockError as exc:
        raise IndexLocked(
            f"another govsearch is updating the index at {folder}",
            "wait for it to finish, then run the command again",
        ) from exc


def _quiet_workers(writer: Any) -> Any:
    """Whoosh's worker processes start with Ctrl-C ignored (an ignored SIGINT is inherited):
    the parent alone handles it, cancels and ends them — no traceback from each worker."""
    start = getattr(writer, "_new_task", None)
    if start is None:
        return writer

    def new_task() -> Any:
        try:
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        except ValueError:  # not the main thread: signals are not ours to handle
            return start()
        try:
            return start()
        finally:
            signal.signal(signal.SIGINT, previous)

    writer._new_task = new_task
    return writer


def _add_files(
    writer: Any,
    plan: _Plan,
    manifest: Manifest,
    report: IndexReport,
    folder: Path,
    progress: Progress | None,
) -> Step:
    sizes = {str(p): p.stat().st_size for p in plan.read}
    step = Step(0, sum(sizes.values()))
    for path, parsed in documents.iter_read(plan.read, file_ids(folder)):
        key = str(path)
        step = replace(step, name=path.name)
        if progress:
            progress(step)
        if isinstance(parsed, documents.PartlyReadable):
            report.failed.extend(parsed.problems)
            parsed = parsed.parsed
        elif isinstance(parsed, UnreadableDocument):
            report.failed.append(parsed.message)
            manifest.files.pop(key, None)
            _remember_failure(manifest, path, parsed.message)
            step = replace(step, done=step.done + sizes[key])
            continue
        manifest.failed.pop(key, None)
        step = _add_documents(writer, parsed, key, step, sizes[key], progress)
        stat = path.stat()
        manifest.files[key] = {
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "sha256": _hash(path),
            "documents": len(parsed),
            "passages": sum(len(p) for _, p in parsed),
        }
        if key in plan.changed:
            report.changed += 1
        else:
            report.added += 1
    return step


def _remember_failure(manifest: Manifest, path: Path, problem: str) -> None:
    """A file that failed is not read again until its size or mtime change."""
    stat = path.stat()
    manifest.failed[str(path)] = {
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "problem": problem,
    }


def _add_documents(
    writer: Any,
    parsed: documents.Parsed,
    key: str,
    step: Step,
    size: int,
    progress: Progress | None,
) -> Step:
    """Add a file's documents; progress every 1,000 passages, its bytes counted by records."""
    start, reported = step.done, step.passages
    for n, (document, passages) in enumerate(parsed, 1):
        for passage in passages:
            writer.add_document(**_fields(document, passage, key))
        done = start + size * n // len(parsed)
        step = replace(step, done=done, documents=step.documents + 1)
        step = replace(step, passages=step.passages + len(passages))
        if progress and step.passages - reported >= 1000:
            progress(step)
            reported = step.passages
    return replace(step, done=start + size)


def _finish(ix: Any, folder: Path, manifest: Manifest, report: IndexReport) -> None:
    """Write the literal index for the committed generation, then the manifest."""
    with ix.searcher() as searcher:
        reader = searcher.reader()
        generation = reader.generation()
        if generation is None:  # an empty index has no segment to tell it
            generation = ix.latest_generation()
        rows = _rows(reader)
        literal.build(folder / f"literal-{generation}", rows, reader.doc_count_all())
        report.passages = reader.doc_count()
    manifest.generation = generation
    manifest.fingerprint = analysis.fingerprint()
    manifest.updated = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    manifest.save(folder)
    report.documents = sum(int(f.get("documents", 0)) for f in manifest.files.values())
    for old in folder.glob("literal-*"):
        if old.name != f"literal-{generation}":
            shutil.rmtree(old, ignore_errors=True)


def _rows(reader: Any) -> Iterator[literal.Row]:
    for docnum, stored in reader.iter_docs():
        yield literal.Row(docnum, stored)


def _rebuild(
    folder: Path,
    paths: list[Path] | None,
    progress: Progress | None,
    started: float,
    notice: Notice | None,
) -> IndexReport:
    """Build a new index beside the old one and swap it in: the old one stays searchable until
    the new one is complete, and survives any failure."""
    roots = paths
    if not roots:
        try:
            old = Manifest.load(folder)
        except IndexCorrupt:
            old = None
        roots = [Path(r) for r in old.roots] if old and old.roots else [_default_root()]
    staging = folder.with_name(folder.name + ".rebuild")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        report = update(staging, roots, False, progress, notice)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    retired = folder.with_name(folder.name + ".old")
    shutil.rmtree(retired, ignore_errors=True)
    if folder.exists():
        if (folder / "README.md").exists():
            shutil.copy2(folder / "README.md", staging / "README.md")
        os.rename(folder, retired)
    os.rename(staging, folder)
    shutil.rmtree(retired, ignore_errors=True)
    report.seconds = time.perf_counter() - started
    return report
