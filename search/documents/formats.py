"""Readers for formats other than plain text: filled in by the formats work (HTML, PDF, DOCX)."""

from __future__ import annotations

from collections.abc import Callable

from search.documents.blocks import Block
from search.documents.meta import Metadata

Reader = Callable[[bytes, str], tuple[list[Block], Metadata]]

SUFFIXES: dict[str, str] = {}
READERS: dict[str, Reader] = {}
