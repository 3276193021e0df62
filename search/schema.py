"""The index's fields and their analysers.  No I/O."""

from __future__ import annotations

from typing import Any

from search.analysis import analyzer

SCHEMA_VERSION = 1
TITLE_BOOST = 2.0
HEADINGS_BOOST = 1.5


def schema() -> Any:
    """One Whoosh document per passage: its jieba-analysed text and its document's metadata."""
    from whoosh import fields

    jieba = analyzer()
    return fields.Schema(
        source=fields.ID(stored=True),  # the file the passage came from (manifest key)
        doc_id=fields.ID(stored=True),
        path=fields.STORED(),
        fmt=fields.STORED(),
        paragraph=fields.STORED(),
        line=fields.STORED(),
        end_line=fields.STORED(),
        joins=fields.STORED(),
        headings=fields.TEXT(analyzer=jieba, stored=True, phrase=False, field_boost=HEADINGS_BOOST),
        title=fields.TEXT(analyzer=jieba, stored=True, phrase=False, field_boost=TITLE_BOOST),
        text=fields.TEXT(analyzer=jieba, stored=True, phrase=False),
        date=fields.ID(stored=True),
        issuer=fields.STORED(),
        doc_number=fields.STORED(),
        url=fields.STORED(),
    )
