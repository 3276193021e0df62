"""Updating the index: the only code that writes it.

An update compares the files found with the manifest of the last commit and touches only what
changed: a removed or changed file's passages are deleted in their segments (Whoosh marks them
deleted), a changed JSON Lines dump is updated record by record (by line and line hash), and
what was added or changed is written as new segments (``search.store.build``).  Then small
segments are merged (``search.store.merge``), the manifest of the new generation is written,
and Whoosh writes its TOC: that is the commit.  A run interrupted at any point leaves the
previous commit as it was; the next run's commit removes the files the interrupted one left.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from search import analysis, documents
from search.errors import BadInput, IndexCorrupt, IndexLocked
from search.models import Step
from search.store import faults, merge
from search.store.build import (
    BatchResult,
    Job,
    Tally,
    file_size,
    line_hashes,
    run_batch,
    run_parallel,
)
from search.store.changes import Plan, file_hash, file_ids, under
from search.store.changes import plan as plan_update
from search.store.manifest import (
    INDEX_NAME,
    Manifest,
    check_compatible,
    damaged,
    is_old_format,
    outdated,
    remove_stale_manifests,
)
from search.store.schema import schema
from search.store.shards import Route, is_shard

PARALLEL_BYTES = 8 << 20
BATCH_BYTES = 4 << 20
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
    kinds: dict[str, str] = field(default_factory=dict)  # file → added, changed, removed, …

    def __iadd__(self, other: IndexReport) -> IndexReport:
        """Add another shard's report: a file (a JSON Lines dump in every shard) counts once."""
        self.kinds.update(other.kinds)
        for kind in ("added", "changed", "removed", "unchanged"):
            setattr(self, kind, sum(1 for k in self.kinds.values() if k == kind))
        self.failed += [f for f in other.failed if f not in self.failed]
        self.skipped += [s for s in other.skipped if s not in self.skipped]
        self.still_failed = max(self.still_failed, other.still_failed)
        self.documents += other.documents
        self.passages += other.passages
        return self

    @property
    def indexed_nothing(self) -> bool:
        failed = self.failed or self.still_failed
        return bool(failed) and not (self.added or self.changed or self.unchanged)


def _open_or_create(folder: Path) -> tuple[Any, Manifest]:
    from whoosh import index as windex

    manifest = Manifest.load(folder) if folder.is_dir() else None
    if manifest is not None:
        check_compatible(manifest, folder)
        return _through_files(windex.open_dir(str(folder), INDEX_NAME)), manifest
    if folder.is_dir() and is_old_format(folder):
        raise outdated(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ignorable = {"README.md", f"{INDEX_NAME}_WRITELOCK"}
    occupied = [
        p
        for p in folder.iterdir()
        if p.name not in ignorable
        and not p.name.startswith((".", "manifest-", "records-", f"{INDEX_NAME}"))
        and not p.name.startswith(f"_{INDEX_NAME}_")
    ]
    if occupied:
        raise BadInput(
            f"{folder} is not empty and holds no govsearch index",
            "choose an empty folder with --index",
        )
    if windex.exists_in(str(folder), INDEX_NAME):  # a first build that never committed
        ix = windex.open_dir(str(folder), INDEX_NAME)
    else:
        ix = windex.create_in(str(folder), schema(), INDEX_NAME)
    return _through_files(ix), Manifest(fingerprint=analysis.fingerprint(), generation=-1)


def _through_files(ix: Any) -> Any:
    """The index with its compound segment files read through the file: through an mmap,
    Whoosh copies each whole file into memory when it opens one (deleting a changed file's
    passages opened every segment so: 0.23 s of 0.6 at 10× news-xwlb; a merge its inputs)."""
    ix.storage.supports_mmap = False
    return ix


def update(
    folder: Path,
    paths: list[Path] | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
    notice: Notice | None = None,
    route: Route | None = None,
) -> IndexReport:
    """Bring the index at ``folder`` up to date with ``paths`` (default: its roots); with
    ``route``, ``folder`` is one shard and keeps only the documents routed to it."""
    started = time.perf_counter()
    if folder.exists() and not folder.is_dir():
        raise BadInput(f"the index location {folder} is a file", "give a folder with --index")
    if rebuild:
        return rebuild_beside(folder, paths, progress, notice, update)
    with damaged(folder):
        return _update(folder, paths, progress, notice, started, route)


def _found(
    folder: Path, given: list[Path], paths: list[Path] | None
) -> tuple[list[Path], IndexReport]:
    found = documents.find(given)
    own = folder.resolve()  # never index the index folder itself (its README, a staging copy)
    if is_shard(folder):
        own = own.parent  # nor any shard of it
    files = [
        f
        for f in found.files
        if not under(f, own) and not under(f, own.parent / (own.name + ".rebuild"))
    ]
    report = IndexReport(skipped=[f"{p}: {why}" for p, why in found.skipped])
    report.failed += [f"{p}: no such file or folder" for p in found.missing if paths]
    report.failed += [
        f"{p}: no documents to index (.txt .md .html .pdf .docx .jsonl)" for p in found.empty
    ]
    if not paths:  # a refreshed root that is gone: its documents are removed below
        report.skipped += [f"{p}: gone, its documents are removed" for p in found.missing]
    return files, report


def _update(
    folder: Path,
    paths: list[Path] | None,
    progress: Progress | None,
    notice: Notice | None,
    started: float,
    route: Route | None = None,
) -> IndexReport:
    ix, manifest = _open_or_create(folder)
    given = paths if paths else [Path(r) for r in manifest.roots] or [_default_root()]
    files, report = _found(folder, given, paths)
    plan = plan_update(folder, files, given, manifest, file_ids(folder), route)
    report.unchanged = plan.unchanged
    report.still_failed = plan.still_failed
    report.kinds.update(dict.fromkeys(plan.unchanged_files, "unchanged"))
    report.kinds.update(dict.fromkeys(plan.removed, "removed"))
    writer = _writer(ix, folder, notice)
    try:
        if not plan.jobs and not plan.removed and manifest.generation >= 0:
            _remember_roots(manifest, given)
            manifest.save(folder)  # refreshed mtimes and roots; no new commit
            _discard(writer)
        else:
            final = _write(ix, writer, folder, manifest, plan, report, progress)
            _remember_roots(manifest, given)
            _commit(writer, folder, manifest, final)
    except BaseException:
        if not writer.is_closed:
            _discard(writer)
        raise
    report.documents = sum(int(f.get("documents", 0)) for f in manifest.files.values())
    report.passages = sum(int(f.get("passages", 0)) for f in manifest.files.values())
    report.seconds = time.perf_counter() - started
    return report


def _write(
    ix: Any,
    writer: Any,
    folder: Path,
    manifest: Manifest,
    plan: Plan,
    report: IndexReport,
    progress: Progress | None,
) -> list[Any]:
    """Mark deletions, write the new segments, merge: everything before the commit.  Returns
    the segments of the new commit."""
    # a file new to the manifest has nothing in the index (a commit always carries the manifest
    # that lists what it holds): only removed and changed files have passages to delete, and
    # an update that only adds opens no Whoosh reader
    whole = plan.removed + [j.path for j in plan.jobs if j.lines is None and j.path in plan.changed]
    for key in whole:
        writer.delete_by_term("source", key)
    for key, (gone, _) in plan.records.items():
        passages = [writer.delete_by_term("record", f"{key}\x1f{line}") for line in gone]
        entry = manifest.files[key]
        entry["documents"] -= sum(1 for n in passages if n)
        entry["passages"] -= sum(passages)
    for key in plan.removed:
        del manifest.files[key]
        manifest.set_line_hashes(folder, key, None)
    report.removed = len(plan.removed)
    faults.reached("deleted")
    new_segments: list[Any] = []
    procs = _procs(plan.jobs)
    batches = _batches(plan.jobs, procs)
    parallel = procs > 1 and len(batches) > 1
    tally = Tally(shared=parallel)
    total = sum(file_size(job.path) for job in plan.jobs)
    reporter = _Reporter(progress, tally, total)

    def collect(batch: BatchResult) -> None:
        new_segments.extend(batch.segments)
        for result in batch.files:
            if result.unreadable and result.path in plan.records:
                # a dump updated record by record that cannot be read now: none of it stays
                writer.delete_by_term("source", result.path)
            _account(folder, result, plan, manifest, report)

    if parallel:
        run_parallel(str(folder), batches, procs, tally, collect, reporter.tick)
    else:
        for batch in batches:
            collect(run_batch(str(folder), batch, tally, reporter.tick))
    reporter.stage("committing")
    live = [s for s in writer.segments if s.doc_count() > 0]
    return merge.tiered(ix, live + new_segments)


class _Reporter:
    """Turns the tally of what was read into progress steps: when a file is started, and
    every ``EVERY`` passages (so that a large dump shows progress inside it)."""

    EVERY = 1000

    def __init__(self, progress: Progress | None, tally: Tally, total: int) -> None:
        self.progress, self.tally, self.total = progress, tally, total
        self.name = ""
        self._reported = 0

    def tick(self, name: str) -> None:
        if not self.progress:
            return
        passages = self.tally.read()[2]
        if name:
            self.name = name
        elif passages - self._reported < self.EVERY:
            return
        self._reported = passages - passages % self.EVERY if not name else self._reported
        self.progress(self._step("reading"))

    def stage(self, stage: str) -> None:
        if self.progress:
            self.progress(self._step(stage))

    def _step(self, stage: str) -> Step:
        done, documents, passages = self.tally.read()
        return Step(min(done, self.total), self.total, documents, passages, self.name, stage)


def _account(
    folder: Path, result: Any, plan: Plan, manifest: Manifest, report: IndexReport
) -> None:
    key = result.path
    report.failed.extend(result.problems)
    path = Path(key)
    stat = path.stat()
    if result.unreadable:
        manifest.files.pop(key, None)
        manifest.set_line_hashes(folder, key, None)
        manifest.failed[key] = {
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "problem": result.problems[0] if result.problems else "unreadable",
        }
        return
    manifest.failed.pop(key, None)
    is_dump = documents.suffix_format(path) == "jsonl"
    data = path.read_bytes() if is_dump else b""  # a dump is read once for both hashes
    entry: dict[str, Any] = {
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "sha256": hashlib.sha256(data).hexdigest() if is_dump else file_hash(path),
    }
    if key in plan.records:  # what is left of the old version (see _write), and what is new
        old = manifest.files[key]
        entry["documents"] = old["documents"] + result.documents
        entry["passages"] = old["passages"] + result.passages
        manifest.set_line_hashes(folder, key, plan.records[key][1])
    else:
        entry["documents"] = result.documents
        entry["passages"] = result.passages
        manifest.set_line_hashes(folder, key, line_hashes(data) if is_dump else None)
    manifest.files[key] = entry
    if key in plan.changed:
        report.changed += 1
    else:
        report.added += 1
    report.kinds[key] = "changed" if key in plan.changed else "added"


def _batches(jobs: list[Job], procs: int) -> list[list[Job]]:
    """Jobs in order, cut into batches of about ``BATCH_BYTES`` of files, and into at least
    ``procs`` batches when there are enough files (so that every worker has one)."""
    sizes = [file_size(job.path) for job in jobs]
    limit = min(BATCH_BYTES, max(1, sum(sizes) // max(1, procs)))
    batches: list[list[Job]] = []
    size = limit
    for job, length in zip(jobs, sizes, strict=True):
        if size >= limit:
            batches.append([])
            size = 0
        batches[-1].append(job)
        size += length
    return batches


def _procs(jobs: list[Job]) -> int:
    """Worker processes: both cores for a large update, none for a small one (a worker costs
    start-up time).  ``GOVSEARCH_JOBS`` overrides."""
    forced = os.environ.get("GOVSEARCH_JOBS", "")
    if forced.isdigit() and int(forced) > 0:
        return int(forced)
    size = sum(file_size(job.path) for job in jobs)
    return min(2, os.cpu_count() or 1) if size > PARALLEL_BYTES else 1


def _commit(writer: Any, folder: Path, manifest: Manifest, final: list[Any]) -> None:
    """Write the new generation's manifest, then Whoosh's TOC (the commit point)."""
    manifest.generation = writer.generation
    manifest.segments = [
        [seg.segment_id(), seg.doc_count_all(), sorted(seg.deleted_docs())] for seg in final
    ]
    manifest.fingerprint = analysis.fingerprint()
    manifest.updated = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    manifest.save(folder)
    faults.reached("manifest")
    writer.commit(mergetype=lambda _writer, _segments: final)
    faults.reached("toc")
    remove_stale_manifests(folder, manifest)


def _discard(writer: Any) -> None:
    """Give up the writer (releasing the lock) and the empty segment it opened."""
    writer.cancel()
    for name in writer.newsegment.list_files(writer.storage):
        with contextlib.suppress(OSError):
            writer.storage.delete_file(name)


def _remember_roots(manifest: Manifest, given: list[Path]) -> None:
    for root in given:
        resolved = str(root.resolve())
        if not root.exists():
            if resolved in manifest.roots:
                manifest.roots.remove(resolved)
        elif resolved not in manifest.roots:
            manifest.roots.append(resolved)


def _default_root() -> Path:
    from search.config import default_collection

    return default_collection()


def _writer(ix: Any, folder: Path, notice: Notice | None) -> Any:
    """The index's writer (it holds the lock); when another process holds the lock, say so and
    wait for it a while."""
    from whoosh.index import LockError

    try:
        writer = ix.writer(timeout=0.0)
    except LockError:
        if notice:
            notice(f"another govsearch is updating {folder}: waiting up to {LOCK_TIMEOUT:.0f}s")
        try:
            writer = ix.writer(timeout=LOCK_TIMEOUT, delay=0.2)
        except LockError as exc:
            raise IndexLocked(
                f"another govsearch is updating the index at {folder}",
                "wait for it to finish, then run the command again",
            ) from exc
    return writer


Build = Callable[[Path, list[Path], bool, Progress | None, Notice | None], IndexReport]


def rebuild_beside(
    folder: Path,
    paths: list[Path] | None,
    progress: Progress | None,
    notice: Notice | None,
    build: Build,
) -> IndexReport:
    """Build a new index beside the old one (with ``build``) and swap it in: the old one stays
    searchable until the new one is complete, and survives any failure."""
    started = time.perf_counter()
    roots = paths
    if not roots:
        try:
            old = Manifest.load(_first(folder))
        except IndexCorrupt:
            old = None
        roots = [Path(r) for r in old.roots] if old and old.roots else [_default_root()]
    staging = folder.with_name(folder.name + ".rebuild")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        report = build(staging, roots, False, progress, notice)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    retired = folder.with_name(folder.name + ".old")
    shutil.rmtree(retired, ignore_errors=True)
    if folder.exists():
        for kept in ("README.md", "watches.json"):  # not the index's: the user's and watch's
            if (folder / kept).exists():
                shutil.copy2(folder / kept, staging / kept)
        os.rename(folder, retired)
    os.rename(staging, folder)
    shutil.rmtree(retired, ignore_errors=True)
    report.seconds = time.perf_counter() - started
    return report


def _first(folder: Path) -> Path:
    """The folder of an index's first (or only) shard."""
    from search.store.shards import folders

    try:
        return folders(folder)[0]
    except IndexCorrupt:
        return folder
