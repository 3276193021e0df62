"""The index's fields and their analysers.  No I/O."""

from __future__ import annotations

from typing import Any

SCHEMA_VERSION = 5  # 5: ocr (#13)


def schema() -> Any:
    """One Whoosh document per passage: its jieba-analysed text and its document's metadata.

    Only ``text`` is analysed, into its jieba terms (search-mode sub-words included), recorded
    as present or not: matching and BM25F ranking read the literal index (``search.literal``),
    which has exact frequencies and lengths, so Whoosh's frequencies, positions and field lengths
    would cost a third of the build for nothing.  Title, headings, issuer and date are matched
    and weighted through the literal index too, so Whoosh only stores them.  ``source`` (the
    file) and ``doc_id`` are indexed as identifiers for updates and ``show``.
    """
    from whoosh import fields, formats

    from search.tokenizer import analyzer

    text = fields.TEXT(analyzer=analyzer(), stored=True, phrase=False)
    text.format = formats.Existence()
    text.scorable = False
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
        text=text,
        date=fields.STORED(),
        issuer=fields.STORED(),
        doc_number=fields.STORED(),
        url=fields.STORED(),
        ocr=fields.STORED(),
    )
