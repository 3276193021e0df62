"""Spreadsheets (.xlsx, .xlsm, .xls, .ods and .csv) → blocks: one block per row.

The binary formats are read with python-calamine (Rust's calamine: one reader for all of
them, one sheet in memory at a time); .csv with the standard library after the same decoding
as text files (UTF-8, GB18030/GBK).  A sheet's first row of two or more text cells is its
header: each later row of two or more cells becomes ``name:value name:value …`` so that a
column's name and its value are found together; rows above the header (a title), rows of one
cell (a note, a signature) and rows without a header stay plain text.  ``line`` is the row
number as the spreadsheet shows it (a .csv: the line the row starts on) and ``sheet`` the
sheet's name.  The archives of .xlsx and .ods are checked for zip bombs and DTDs, and OLE
containers (.xls) are opened with olefile, before calamine sees them (calamine never expands
XML entities, but it panics on some truncated containers: the panic becomes one line).

Large sheets stream (``stream_workbook``, ``stream_csv``): rows become blocks as they are
read, one sheet at a time (calamine holds the sheet being read, in Rust's compact cells; a
.csv is decoded as it is read).  The metadata comes from the rows read before the first
``HEAD_CHARS`` characters: for a sheet that ends within them (nearly every sheet) that is the
whole sheet, as before; for a larger one, the title and notes above its table (a signature
below a very large table is not looked for).
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import itertools
import os
import re
import struct
import sys
import zipfile
from collections.abc import Iterable, Iterator
from itertools import zip_longest
from typing import Any

from search.documents import meta
from search.documents.blocks import Block
from search.documents.decode import decode
from search.errors import UnreadableDocument

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAX_UNPACKED = 512 * 1024 * 1024  # bytes of all the members of an .xlsx/.ods together
_MAX_RATIO = 200  # unpacked / packed size of one member beyond which it is a zip bomb
_SPACE = re.compile(r"\s+")
_NUMBERISH = re.compile(r"^[\d.,%+\-\s/:年月日]*$")
_RESAVE = "open it in Excel or WPS and save it again"
_FILEPASS, _EOF = 0x002F, 0x000A  # BIFF record types
Row = tuple[int, list[str], bool]  # row number, cell texts, whether any cell was not text
HEAD_CHARS = 200_000  # rows read before the metadata is decided


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without ``.0``, dates in ISO form."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.15g}"
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ").removesuffix(" 00:00:00")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return _SPACE.sub(" ", str(value)).strip()


def _is_header(cells: list[str], typed: bool) -> bool:
    filled = [c for c in cells if c]
    return (
        len(filled) >= 2
        and not typed
        and all(len(c) <= 40 and not _NUMBERISH.match(c) for c in filled)
    )


def row_blocks(rows: Iterable[Row], sheet: str = "") -> Iterator[tuple[Block, bool]]:
    """A block per non-empty row, and whether it is plain (not under a header)."""
    header: list[str] | None = None
    for number, cells, typed in rows:
        if not any(cells):
            continue
        if header is None and _is_header(cells, typed):
            header = cells
            continue
        filled = [c for c in cells if c]
        if header is None or len(filled) == 1:  # a title, a note, a signature
            text = " ".join(filled)
        else:
            pairs = zip_longest(header, cells, fillvalue="")
            text = " ".join(f"{name}:{value}" if name else value for name, value in pairs if value)
        yield Block(text, number, number, sheet=sheet), header is None or len(filled) == 1


def _metadata(found: list[tuple[Block, bool]]) -> meta.Metadata:
    """Title, date and issuer from the plain rows (a title above the table, a signature
    below it); the document number from any of the first rows."""
    plain = [block for block, is_plain in found if is_plain]
    info = meta.extract(plain)
    number = meta.doc_number("\n".join(block.text for block, _ in found[:12]))
    return meta.Metadata(info.title, info.date, info.issuer, number)


def _check_archive(data: bytes) -> None:
    """Refuse zip bombs and XML with a DTD (entity expansion, external entities)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        total = 0
        for info in archive.infolist():
            total += info.file_size
            if total > _MAX_UNPACKED or (
                info.file_size > 16 * 1024 * 1024
                and info.file_size > _MAX_RATIO * max(info.compress_size, 1)
            ):
                size = info.file_size // 1_000_000
                raise _Bad(f"{info.filename} unpacks to {size} MB (zip bomb?)")
            if info.filename.endswith((".xml", ".rels")):
                with archive.open(info) as stream:
                    head = stream.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise _Bad(f"{info.filename} declares a DTD (not allowed in spreadsheets)")


class _Bad(Exception):
    """The file is not a usable spreadsheet (the message says why)."""


def _sheet_rows(sheet: Any) -> Iterator[Row]:
    for index, values in enumerate(sheet.iter_rows(), 1):
        typed = any(not isinstance(v, str) for v in values if v != "")
        yield index, [cell_text(v) for v in values], typed


def _workbook_blocks(data: bytes) -> Iterator[tuple[Block, bool]]:
    """The rows of each worksheet in turn, one sheet in memory at a time."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    workbook = _calamine(lambda: CalamineWorkbook.from_filelike(io.BytesIO(data)))
    try:
        for sheet_info in workbook.sheets_metadata:
            if sheet_info.typ != SheetTypeEnum.WorkSheet:
                continue
            sheet = _calamine(lambda name=sheet_info.name: workbook.get_sheet_by_name(name))
            yield from row_blocks(_sheet_rows(sheet), sheet_info.name)
            del sheet
    finally:
        workbook.close()


def _calamine(call: Any) -> Any:
    """A call into calamine, its panic made one line (and what it prints kept off stderr)."""
    try:
        with _quiet_stderr():
            return call()
    except BaseException as exc:  # a Rust panic is a BaseException: make it an Exception
        if type(exc).__name__ == "PanicException":
            raise _Bad("damaged spreadsheet (calamine failed on it)") from exc
        raise


def _encrypted(name: str) -> UnreadableDocument:
    return UnreadableDocument(
        f"{name}: encrypted spreadsheet (needs a password)",
        "save a copy without the password and index that",
    )


class _Encrypted(Exception):
    """An Office file protected by a password."""


def _check_container(data: bytes) -> None:
    """An OLE file (.xls, or an encrypted .xlsx) is read with olefile first: calamine panics on
    some truncated containers."""
    import olefile

    with olefile.OleFileIO(data) as ole:
        if ole.exists("EncryptedPackage"):
            raise _Encrypted
        streams = [name for name in ("Workbook", "Book") if ole.exists(name)]
        if not streams:
            raise _Bad("no Workbook stream inside (not an Excel file?)")
        if ole.get_size(streams[0]) > _MAX_UNPACKED:
            raise _Bad("its Workbook stream is too large")
        if _has_filepass(ole.openstream(streams[0]).read()):
            raise _Encrypted


def _has_filepass(workbook: bytes) -> bool:
    """Whether the workbook globals (the BIFF records up to the first EOF) hold FILEPASS:
    the workbook is encrypted."""
    position = 0
    while position + 4 <= len(workbook):
        kind, size = struct.unpack_from("<HH", workbook, position)
        if kind == _FILEPASS:
            return True
        if kind == _EOF:
            return False
        position += 4 + size
    return False


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Keep what the Rust library prints when it panics off the terminal (the panic itself
    comes back as an exception)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _read_workbook(data: bytes, name: str) -> Iterator[tuple[Block, bool]]:
    """The rows of a workbook as they are read; its problems as ``UnreadableDocument``."""
    try:
        if data.startswith(_OLE):
            _check_container(data)
        else:
            _check_archive(data)
        yield from _workbook_blocks(data)
    except _Encrypted as exc:
        raise _encrypted(name) from exc
    except _Bad as exc:
        raise UnreadableDocument(f"{name}: {exc}", _RESAVE) from exc
    except Exception as exc:  # CalamineError, XmlError, ZipError, PasswordError, OSError…
        if "password" in f"{type(exc).__name__} {exc}".lower():
            raise _encrypted(name) from exc
        raise UnreadableDocument(
            f"{name}: damaged spreadsheet ({type(exc).__name__})", _RESAVE
        ) from exc


def stream_workbook(data: bytes, name: str) -> tuple[Iterator[Block], meta.Metadata]:
    """The rows of every worksheet of an .xlsx/.xls/.ods file as blocks, read as they are
    asked for (a problem found later raises ``UnreadableDocument`` then), and metadata."""
    if not data.startswith((_OLE, b"PK\x03\x04")):
        blocks, info = _not_a_workbook(data, name)
        return iter(blocks), info
    return _stream(_read_workbook(data, name))


def read_workbook(data: bytes, name: str) -> tuple[list[Block], meta.Metadata]:
    """The rows of every worksheet of an .xlsx/.xls/.ods file as blocks, and metadata."""
    blocks, info = stream_workbook(data, name)
    return list(blocks), info


def _stream(rows: Iterator[tuple[Block, bool]]) -> tuple[Iterator[Block], meta.Metadata]:
    """The blocks of ``rows`` and the metadata of the first ``HEAD_CHARS`` characters of them
    (read now: a problem there is raised now)."""
    head: list[tuple[Block, bool]] = []
    chars = 0
    for row in rows:
        head.append(row)
        chars += len(row[0].text)
        if chars >= HEAD_CHARS:
            break
    info = _metadata(head)
    return itertools.chain((block for block, _ in head), (block for block, _ in rows)), info


def _not_a_workbook(data: bytes, name: str) -> tuple[list[Block], meta.Metadata]:
    """Sites often serve an HTML table or a CSV under an .xls name: read what it is."""
    head = data[:2048].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")) or b"<table" in head:
        from search.documents.html import read_html

        return read_html(data, name)
    if not data.strip():
        raise UnreadableDocument(f"{name}: empty file", "the file is empty")
    return read_csv(data, name)


def _csv_rows(text: str) -> Iterator[Row]:
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(_lines(text), dialect)
    start = 1
    for values in reader:
        yield start, [cell_text(v) for v in values], False
        start = reader.line_num + 1


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends, one at a time (no copy of the whole text)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _csv_blocks(text: str, name: str) -> Iterator[tuple[Block, bool]]:
    try:
        yield from row_blocks(_csv_rows(text))
    except csv.Error as exc:
        raise UnreadableDocument(f"{name}: not a readable CSV file ({exc})", _RESAVE) from exc


def stream_csv(data: bytes, name: str) -> tuple[Iterator[Block], meta.Metadata]:
    """The rows of a CSV file as blocks, read as they are asked for (``line``: the line the
    row starts on), and metadata."""
    return _stream(_csv_blocks(decode(data, name), name))


def read_csv(data: bytes, name: str) -> tuple[list[Block], meta.Metadata]:
    """The rows of a CSV file as blocks (``line``: the line the row starts on)."""
    blocks, info = stream_csv(data, name)
    return list(blocks), info
