"""Writing new segments: documents are analysed into Whoosh (jieba terms) and into the
segment's side file together, and a segment is closed whenever it holds ``FLUSH_CHARS``
characters, so memory stays flat however large the collection.  A document larger than that
(a large spreadsheet, whose rows are read as they are indexed) is split across segments: each
segment keeps its part as a document of its own with the same ``doc_id``, metadata and source
(so that deleting the file by its source removes every part).  Runs in the updating process
or in worker processes (one batch of files each); a worker returns the segments it wrote, and
only the updating process commits them.
"""

from __future__ import annotations

import hashlib
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from search import documents
from search.errors import UnreadableDocument
from search.models import Document, Passage
from search.store import faults, segment
from search.store.segment import DocumentRow
from search.store.shards import Route
from search.store.whoosh_segment import WhooshSegment

FLUSH_CHARS = int(os.environ.get("GOVSEARCH_FLUSH_CHARS", 4_000_000))
MAX_PASSAGES = (1 << 22) - 1  # passage numbers of a segment's gram postings


@dataclass(frozen=True)
class Job:
    """One file to read: all of it, or (a JSON Lines dump) only the record lines given."""

    path: str
    doc_id: str
    display: str
    lines: tuple[int, ...] | None = None
    route: Route | None = None  # one shard's: only the documents routed to it


@dataclass
class FileResult:
    """What reading one file gave: counts, problems, and each record line's hash."""

    path: str
    documents: int = 0
    passages: int = 0
    problems: list[str] = field(default_factory=list)
    unreadable: bool = False


@dataclass
class BatchResult:
    segments: list[Any] = field(default_factory=list)
    files: list[FileResult] = field(default_factory=list)


class Tally:
    """Bytes, documents and passages read so far, for the progress of an update: in shared
    memory when worker processes add to it."""

    def __init__(self, shared: bool = False) -> None:
        if shared:
            import multiprocessing

            self._values: Any = multiprocessing.get_context("fork").Array("q", 3)
        else:
            self._values = [0, 0, 0]

    def add(self, size: int, documents: int, passages: int) -> None:
        lock = getattr(self._values, "get_lock", None)
        if lock is None:
            self._values[0] += size
            self._values[1] += documents
            self._values[2] += passages
            return
        with lock():
            self._values[0] += size
            self._values[1] += documents
            self._values[2] += passages

    def read(self) -> tuple[int, int, int]:
        return int(self._values[0]), int(self._values[1]), int(self._values[2])


_TALLY: Tally | None = None  # a worker process's (set when the worker starts)


def line_hashes(data: bytes) -> dict[str, str]:
    """Per non-blank line of a JSON Lines dump (1-based, as a string key): a short hash."""
    out: dict[str, str] = {}
    for number, line in enumerate(data.split(b"\n"), 1):
        if line.strip():
            out[str(number)] = hashlib.blake2b(line, digest_size=8).hexdigest()
    return out


class SegmentSink:
    """Adds documents to a Whoosh segment and its side file; closes the segment at the flush
    size.  ``segments`` lists the closed ones."""

    def __init__(self, ix: Any) -> None:
        self.ix = ix
        self.segments: list[Any] = []
        self._whoosh: WhooshSegment | None = None
        self._rows: list[DocumentRow] = []
        self._chars = 0

    def add(self, source: str, record: str, document: Document, passages: Iterable[Passage]) -> int:
        """Add a document (its passages may be an iterator, read as they are added); returns
        how many passages were added."""
        part: list[Passage] = []
        tokens: list[int] = []
        chars = added = 0
        try:
            for passage in passages:
                if self._whoosh is None:
                    self._whoosh = WhooshSegment(self.ix)
                tokens.append(self._whoosh.add(source, record, passage.text))
                part.append(passage)
                chars += len(passage.text)
                added += 1
                if chars >= FLUSH_CHARS or len(part) >= MAX_PASSAGES // 2:  # a part of its own
                    self._close_part(source, document, part, tokens, chars)
                    part, tokens, chars = [], [], 0
                    self.flush()
        finally:  # a problem met while reading: what Whoosh holds is kept in the side file too
            if part:
                self._close_part(source, document, part, tokens, chars)
        if self._whoosh is not None and (
            self._chars >= FLUSH_CHARS or self._whoosh.docnum >= MAX_PASSAGES // 2
        ):
            self.flush()
        return added

    def _close_part(
        self, source: str, document: Document, part: list[Passage], tokens: list[int], chars: int
    ) -> None:
        self._rows.append(segment.document_row(source, document, part, tokens))
        self._chars += chars

    def flush(self) -> None:
        if self._whoosh is None:
            return
        folder = Path(self.ix.storage.folder)
        self.segments.append(close_segment(folder, self._whoosh.finish(), self._rows))
        self._whoosh, self._rows, self._chars = None, [], 0
        _give_back()
        faults.reached("segment")

    def cancel(self) -> None:
        if self._whoosh is not None:
            self._whoosh.cancel()
            self._whoosh = None


def _give_back() -> None:
    """Return the memory a closed segment used to the system (glibc keeps freed heap pages
    otherwise, and a worker's resident size stayed at its largest segment's peak)."""
    import gc

    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, found once among the symbols already loaded (None elsewhere)."""
    import ctypes

    try:
        found: Callable[[int], int] | None = getattr(ctypes.CDLL(None), "malloc_trim", None)
    except OSError:
        return None
    return found


def close_segment(folder: Path, seg: Any, rows: list[DocumentRow]) -> Any:
    """Write the side file of a finished Whoosh segment from ``rows`` (its passages, in order).
    It is written after Whoosh assembles its compound file, so that the assembly does not take
    it in, and before any commit names the segment."""
    segment.write(segment.side_path(folder, seg.segment_id()), rows)
    return seg


Tick = Callable[[str], None]


def run_batch(
    folder: str, jobs: list[Job], tally: Tally | None = None, tick: Tick | None = None
) -> BatchResult:
    """Read ``jobs`` into new segments of the index at ``folder`` (no commit), adding what is
    read to ``tally`` (a worker's own, by default) and calling ``tick`` with each file's name
    before it is read and with ``""`` after each of its documents."""
    tally = tally or _TALLY
    from whoosh import index as windex

    from search.store.manifest import INDEX_NAME

    ix = windex.open_dir(folder, INDEX_NAME)
    sink = SegmentSink(ix)
    result = BatchResult()
    try:
        for job, parsed in _read(jobs, tick):
            result.files.append(_add(sink, job, parsed, tally, tick))
        sink.flush()
    except BaseException:
        sink.cancel()
        raise
    result.segments = sink.segments
    return result


def _add(
    sink: SegmentSink,
    job: Job,
    parsed: documents.Streamed | UnreadableDocument,
    tally: Tally | None,
    tick: Tick | None,
) -> FileResult:
    out = FileResult(job.path)
    size = file_size(job.path)
    if isinstance(parsed, documents.PartlyReadable):
        out.problems = list(parsed.problems)
        parsed = parsed.parsed
    elif isinstance(parsed, UnreadableDocument):
        out.problems = [parsed.message]
        out.unreadable = True
        if tally:
            tally.add(size, 0, 0)
        return out
    counted = 0
    for n, (document, passages) in enumerate(parsed, 1):
        if job.route is not None and not job.route.keeps(document.doc_id):
            continue  # another shard's record (its share of the bytes is counted below)
        record = ""
        if document.fmt == "jsonl" and isinstance(passages, list):
            record = f"{job.path}\x1f{passages[0].line if passages else 0}"
        added = _add_document(sink, job.path, record, document, passages, out)
        out.documents += 1
        out.passages += added
        if tally:  # a file's bytes counted as its documents are added
            share = size * n // len(parsed)
            tally.add(share - counted, 1, added)
            counted = share
        if tick:
            tick("")
    if tally and counted < size:
        tally.add(size - counted, 0, 0)
    return out


def _add_document(
    sink: SegmentSink,
    source: str,
    record: str,
    document: Document,
    passages: Iterable[Passage],
    out: FileResult,
) -> int:
    """Add one document; a problem found while its passages are read (past a large sheet's
    first rows) ends it there, with the problem reported and what was read kept."""
    counter = _Counted(passages)
    try:
        return sink.add(source, record, document, counter)
    except UnreadableDocument as exc:
        out.problems.append(exc.message)
        return counter.count


class _Counted:
    """Passages, counted as they are read."""

    def __init__(self, passages: Iterable[Passage]) -> None:
        self.passages = passages
        self.count = 0

    def __iter__(self) -> Iterator[Passage]:
        for passage in self.passages:
            self.count += 1
            yield passage


def file_size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _read(
    jobs: list[Job], tick: Tick | None
) -> Iterator[tuple[Job, documents.Streamed | UnreadableDocument]]:
    for job in jobs:
        if tick:
            tick(Path(job.path).name)
        try:
            keep = job.route.keeps if job.route else None  # one shard's records of a dump
            dump = documents.suffix_format(Path(job.path)) == "jsonl"
            if job.lines is not None or (keep and dump):
                lines = set(job.lines) if job.lines is not None else None
                yield job, documents.read_records(Path(job.path), job.display, lines, keep)
            else:
                yield job, documents.stream(Path(job.path), job.doc_id, job.display)
        except UnreadableDocument as exc:
            yield job, exc


def _start_worker(tally: Tally) -> None:
    """Worker processes leave Ctrl-C to the updating process (no tracebacks from them), and
    add what they read to the shared tally."""
    global _TALLY
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _TALLY = tally


def run_parallel(
    folder: str,
    batches: list[list[Job]],
    procs: int,
    tally: Tally,
    done: Callable[[BatchResult], None],
    tick: Tick | None = None,
) -> None:
    """Run batches in ``procs`` worker processes; ``done`` gets each result in batch order,
    ``tick`` is called a few times a second meanwhile.  On an error or Ctrl-C the workers are
    ended at once (what they wrote is not committed: the next commit removes it)."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(
        procs, mp_context=context, initializer=_start_worker, initargs=(tally,)
    )
    # the pool's pipes to workers ended on Ctrl-C must not kill this process (a CLI that
    # restores SIGPIPE's default for `| head` would die of it): they raise, and are handled
    previous = _ignore_sigpipe()
    try:
        futures = [pool.submit(run_batch, folder, batch) for batch in batches]
        pending = set(futures)
        while pending:
            _, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            if tick:
                tick("")
        for future in futures:
            done(future.result())
    except BaseException:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)  # its threads end before SIGPIPE returns
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGPIPE, previous)
    pool.shutdown()


def _ignore_sigpipe() -> Any:
    try:
        return signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals are not ours to set
        return None
