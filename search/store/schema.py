"""The Whoosh schema: one Whoosh document per passage.  No I/O."""

from __future__ import annotations

from typing import Any


def schema() -> Any:
    """One Whoosh document per passage.

    ``text`` holds the passage's jieba terms (our tokenizer: search-mode sub-words included)
    with their frequencies, and each passage's length in terms; ``source`` (the file) and
    ``record`` (a JSON Lines record: ``file\\x1fline``) are identifiers, so that an update
    deletes what changed.  Everything a
    search reads besides Whoosh's commit and deletions is in the segment's side file
    (``search.store.segment``), written with the segment: Whoosh stores no field, so no value
    is stored twice.
    """
    from whoosh import fields, formats

    from search.tokenizer import analyzer

    text = fields.TEXT(analyzer=analyzer(), stored=False, phrase=False)
    text.format = formats.Existence()  # the frequency is the posting's weight: no value bytes
    return fields.Schema(
        source=fields.ID(stored=False),
        record=fields.ID(stored=False),
        text=text,
    )
