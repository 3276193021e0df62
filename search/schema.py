"""The index's fields and their analysers.  No I/O."""

from __future__ import annotations

from typing import Any

SCHEMA_VERSION = 3


def schema() -> Any:
    """One Whoosh document per passage: its jieba-analysed text and its document's metadata.

    Only ``text`` is analysed: its jieba terms tell ranking where a query word stands as a
    word of its own.  Title, headings, issuer and date are matched and weighted through the
    literal index (``search.literal``), so Whoosh only stores them.  ``source`` (the file) and
    ``doc_id`` are indexed as identifiers for updates and ``show``.
    """
    from whoosh import fields

    from search.tokenizer import analyzer

    return fields.Schema(
        source=fields.ID(stored=True),
        doc_id=fields.ID(stored=True),
        path=fields.STORED(),
        fmt=fields.STORED(),
        paragraph=fields.STORED(),
        line=fields.STORED(),
        end_line=fields.STORED(),
        joins=fields.STORED(),
        headings=fields.STORED(),
        title=fields.STORED(),
        text=fields.TEXT(analyzer=analyzer(), stored=True, phrase=False),
        date=fields.STORED(),
        issuer=fields.STORED(),
        doc_number=fields.STORED(),
        url=fields.STORED(),
    )
