"""Which files are documents, by suffix: a table, no imports (``freshness`` checks it at every
search; ``search.documents`` reads them)."""

from __future__ import annotations

from pathlib import Path

TEXT_SUFFIXES = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md"}
RECORD_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl"}
OTHER_SUFFIXES = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".doc": "doc",
    ".wps": "wps",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xlsb": "xlsx",
    ".xls": "xls",
    ".ods": "ods",
    ".csv": "csv",
    ".ofd": "ofd",
}


def suffix_format(path: Path) -> str | None:
    """The format of a file by its suffix (``txt``, ``md``, ``jsonl``, ``html``, ``pdf``,
    ``docx``, ``doc``, ``wps``, spreadsheets, ``ofd``), or None for a file that is not a
    document."""
    suffix = path.suffix.lower()
    return TEXT_SUFFIXES.get(suffix) or RECORD_SUFFIXES.get(suffix) or OTHER_SUFFIXES.get(suffix)
