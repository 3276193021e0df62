"""Readers for formats other than plain text: HTML, PDF, Word (.docx, .doc), WPS and
spreadsheets (.xlsx, .xls, .ods, .csv) and OFD.

Each reader takes the file's bytes and its display name and returns its blocks and metadata,
or raises ``UnreadableDocument``.  The modules (and their libraries) load on first use.
"""

from __future__ import annotations

from collections.abc import Callable

from search.documents.blocks import Block
from search.documents.meta import Metadata
from search.suffixes import OTHER_SUFFIXES

Reader = Callable[[bytes, str], tuple[list[Block], Metadata]]


def read_html(data: bytes, name: str) -> tuple[list[Block], Metadata]:
    from search.documents.html import read_html as read

    return read(data, name)


def read_pdf(data: bytes, name: str) -> tuple[list[Block], Metadata]:
    from search.documents.pdf import read_pdf as read

    return read(data, name)


def read_docx(data: bytes, name: str) -> tuple[list[Block], Metadata]:
    from search.documents.docx import read_docx as read

    return read(data, name)


def read_doc(data: bytes, name: str) -> tuple[list[Block], Metadata]:
    from search.documents.doc import read_doc as read

    return read(data, name)


def read_workbook(data: bytes, name: str) -> tuple[list[Block], Metadata]:
    from search.documents.sheets import read_workbook as read

    return read(data, name)


def read_csv(data: bytes, name: str) -> tuple[list[Block], Metadata]:
    from search.documents.sheets import read_csv as read

    return read(data, name)


def read_ofd(data: bytes, name: str) -> tuple[list[Block], Metadata]:
    from search.documents.ofd import read_ofd as read

    return read(data, name)


SUFFIXES: dict[str, str] = OTHER_SUFFIXES
READERS: dict[str, Reader] = {
    "html": read_html,
    "pdf": read_pdf,
    "docx": read_docx,
    "doc": read_doc,
    "wps": read_doc,
    "xlsx": read_workbook,
    "xls": read_workbook,
    "ods": read_workbook,
    "csv": read_csv,
    "ofd": read_ofd,
}
