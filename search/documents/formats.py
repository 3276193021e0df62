"""Readers for formats other than plain text: HTML, PDF, Word (.docx, .doc), WPS and
spreadsheets (.xlsx, .xls, .ods, .csv) and OFD.

Each reader takes the file's bytes and its display name and returns its blocks and metadata,
or raises ``UnreadableDocument``.  The modules (and their libraries) load on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from search.documents.blocks import Block
from search.documents.meta import Metadata
from search.suffixes import OTHER_SUFFIXES

Reader = Callable[[bytes, str], tuple[list[Block], Metadata]]


def _lazy(module: str, function: str) -> Reader:
    """A reader that imports its module (and its libraries) on first use."""

    def read(data: bytes, name: str) -> tuple[list[Block], Metadata]:
        reader: Reader = getattr(importlib.import_module(f"search.documents.{module}"), function)
        return reader(data, name)

    return read


SUFFIXES: dict[str, str] = OTHER_SUFFIXES
READERS: dict[str, Reader] = {
    "html": _lazy("html", "read_html"),
    "pdf": _lazy("pdf", "read_pdf"),
    "docx": _lazy("docx", "read_docx"),
    "doc": _lazy("doc", "read_doc"),
    "wps": _lazy("doc", "read_doc"),
    "xlsx": _lazy("sheets", "read_workbook"),
    "xls": _lazy("sheets", "read_workbook"),
    "ods": _lazy("sheets", "read_workbook"),
    "csv": _lazy("sheets", "read_csv"),
    "ofd": _lazy("ofd", "read_ofd"),
}
