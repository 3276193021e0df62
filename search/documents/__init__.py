"""Finding files and reading them into documents and passages.

Knows nothing of Whoosh, jieba or output.  Every reader returns ``(Document, [Passage])``
pairs; a file that cannot be read raises ``UnreadableDocument``.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from search.documents import meta
from search.documents.blocks import Block, iter_passages, passages_from_blocks, text_blocks
from search.documents.decode import decode
from search.errors import BadInput, UnreadableDocument
from search.models import Document, Passage
from search.suffixes import suffix_format

if TYPE_CHECKING:
    from search.documents.ocr import Recognizer

Parsed = list[tuple[Document, list[Passage]]]
Streamed = Sequence[tuple[Document, Iterable[Passage]]]  # a large sheet's passages: an iterator
_STREAMING = {"xlsx": "stream_workbook", "xls": "stream_workbook", "ods": "stream_workbook"}
_STREAMING["csv"] = "stream_csv"


def _format_readers() -> dict[str, Callable[[bytes, str], tuple[list[Block], meta.Metadata]]]:
    from search.documents import formats

    return formats.READERS


@dataclass(frozen=True)
class Found:
    """What walking the given paths found: files to read and files passed over."""

    files: list[Path]
    skipped: list[tuple[Path, str]]
    missing: list[Path] = field(default_factory=list)
    empty: list[Path] = field(default_factory=list)  # folders without a supported file


def find(paths: list[Path]) -> Found:
    """Supported files under ``paths`` (recursive, sorted, hidden names and links to folders
    skipped).  Missing paths and folders with nothing to read are listed; when every path is
    missing, that is a ``BadInput``."""
    files: dict[Path, None] = {}
    skipped: list[tuple[Path, str]] = []
    found = Found([], skipped)
    for given in paths:
        if not given.exists():
            found.missing.append(given)
        elif given.is_file():
            files[given.resolve()] = None
        else:
            before = len(files)
            for path in _walk(given, skipped):
                if suffix_format(path) is None:
                    skipped.append((path, "unsupported file type"))
                else:
                    files[path.resolve()] = None
            if len(files) == before:
                found.empty.append(given)
    if paths and len(found.missing) == len(paths):
        raise BadInput(f"no such file or folder: {paths[0]}", "check the path and try again")
    found.files.extend(sorted(files))
    return found


def _utf8_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _walk(top: Path, skipped: list[tuple[Path, str]]) -> Iterator[Path]:
    """Regular files below ``top`` in sorted order, without recursion (any depth) and without
    following links to folders (no loops)."""
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            skipped.append((folder, f"cannot list folder ({exc.strerror})"))
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            if not _utf8_name(entry.path):
                shown = entry.path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                skipped.append((Path(shown), "file name is not valid UTF-8: rename it"))
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(path)
                elif entry.is_file(follow_symlinks=True):
                    yield path
                else:
                    skipped.append((path, "not a regular file"))
            except OSError as exc:
                skipped.append((path, f"cannot read ({exc.strerror})"))
        stack.extend(reversed(subfolders))


def _bytes(path: Path, display: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(
            f"{display}: cannot read ({exc.strerror})", "check permissions"
        ) from exc


def read(path: Path, doc_id: str, display: str, recognizer: Recognizer | None = None) -> Parsed:
    """Read one file into documents with their passages; ``recognizer`` reads scanned PDF
    pages (one is made for the call when none is given and the OCR extra is installed)."""
    data = _bytes(path, display)
    fmt = suffix_format(path) or "txt"
    if fmt == "jsonl":
        return _records(decode(data, display), display)
    if fmt in ("txt", "md"):
        blocks = list(text_blocks(decode(data, display).splitlines()))
        info = meta.extract(blocks)
    elif fmt == "pdf":
        from search.documents.ocr import Recognizer
        from search.documents.pdf import read_pdf

        blocks, info = read_pdf(data, display, recognizer or Recognizer())
    else:
        blocks, info = _format_readers()[fmt](data, display)
    if not blocks:
        raise UnreadableDocument(f"{display}: no text found", "the file is empty")
    document = Document(
        doc_id, display, info.title, info.date, info.issuer, info.doc_number, "", fmt
    )
    return [(document, passages_from_blocks(doc_id, blocks))]


def stream(path: Path, doc_id: str, display: str) -> Streamed:
    """``read``, except that a spreadsheet's passages are an iterator over its rows as they
    are read (an indexing run holds a large sheet's rows a segment at a time).  Iterating may
    raise ``UnreadableDocument`` for a problem found past the first rows."""
    fmt = suffix_format(path) or "txt"
    function = _STREAMING.get(fmt)
    if function is None:
        return read(path, doc_id, display)
    from search.documents import sheets

    blocks, info = getattr(sheets, function)(_bytes(path, display), display)
    first = next(blocks, None)
    if first is None:
        raise UnreadableDocument(f"{display}: no text found", "the file is empty")
    document = Document(
        doc_id, display, info.title, info.date, info.issuer, info.doc_number, "", fmt
    )
    return [(document, iter_passages(doc_id, itertools.chain([first], blocks)))]


def _str(record: dict[str, object], key: str) -> str:
    value = record.get(key)
    return value.strip() if isinstance(value, str) else ""


def read_records(
    path: Path, display: str, lines: set[int] | None, keep: Callable[[str], bool] | None = None
) -> Parsed:
    """The records on ``lines`` of a JSON Lines dump (an update of a dump that changed; None:
    all), only those whose ``doc_id`` ``keep`` keeps (one shard's)."""
    return _records(decode(_bytes(path, display), display), display, lines, keep)


def _records(
    text: str,
    display: str,
    only: set[int] | None = None,
    keep: Callable[[str], bool] | None = None,
) -> Parsed:
    """Each line of a JSON Lines dump is a document; its passages point at the record's line."""
    out: Parsed = []
    problems: list[str] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip() or (only is not None and number not in only):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{display}:{number}: not JSON ({exc.msg})")
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            problems.append(f'{display}:{number}: no "text" string in this record')
            continue
        doc_id = str(record.get("id") or f"{display}#{number}")
        if keep is not None and not keep(doc_id):
            continue  # another shard's record
        body = record["text"]
        blocks = [Block(p.strip(), number, number) for p in body.split("\n") if p.strip()]
        date = meta.parse_date(_str(record, "date")) or _str(record, "date")[:10]
        document = Document(
            doc_id,
            display,
            _str(record, "title"),
            date,
            _str(record, "issuer"),
            meta.doc_number(body[:2000]),
            _str(record, "url"),
            "jsonl",
        )
        out.append((document, passages_from_blocks(doc_id, blocks)))
    if problems and not out and only is None:
        raise UnreadableDocument(problems[0], 'each line must be a JSON object with a "text" field')
    if problems:
        raise PartlyReadable(out, problems)
    return out


class PartlyReadable(UnreadableDocument):
    """Some records of a dump were read, others were not: ``parsed`` holds the good ones."""

    def __init__(self, parsed: Parsed, problems: list[str]) -> None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(problems[0] + more, "fix or remove those lines; the rest was indexed")
        self.parsed = parsed
        self.problems = problems


def iter_read(
    files: list[Path], ids: Callable[[Path], tuple[str, str]]
) -> Iterator[tuple[Path, Parsed | UnreadableDocument]]:
    from search.documents.ocr import Recognizer

    recognizer = Recognizer()  # one OCR engine for the run, made on the first scanned page
    for path in files:
        doc_id, display = ids(path)
        try:
            yield path, read(path, doc_id, display, recognizer)
        except UnreadableDocument as exc:
            yield path, exc
