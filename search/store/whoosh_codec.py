"""Whoosh's codec, writing smaller posting lists that Whoosh's own reader reads unchanged.

Two things change on the writing side only (``W3Codec``'s reader, the one any Whoosh opens
these segments with, already understands both):

* short lists are kept inline in the term index (``_INLINE`` postings or fewer: most terms,
  and every record's identifier, have a few), instead of a block of about 60 bytes of
  pickled header in the postings file and a 12-byte pointer to it;
* weights are frequencies, so a block's weights are pickled as integers (two bytes each)
  rather than as floats (nine).  A block whose weights are all 1 keeps none, as before.

This release of Whoosh calls a ``set_inline`` that its term info lacks, so inlining is done
here.  Imports Whoosh: import this module only where a segment is written.
"""

from __future__ import annotations

from typing import Any

from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter

_INLINE = 16  # postings: a list this short is kept in the term index


class _Postings(W3PostingsWriter):
    def finish_postings(self) -> Any:
        if self.written() or len(self) > self._inlinelimit:
            return super().finish_postings()
        terminfo = self._terminfo
        terminfo.add_block(self)
        weights = self._weights
        kept: tuple[int, ...] = ()  # all 1: Whoosh's ListMatcher gives 1.0 for none
        if any(w != 1.0 for w in weights):
            kept = tuple(int(w) for w in weights)
        terminfo._inlined = (tuple(self._ids), kept, ())
        self._terminfo = None
        return terminfo

    def _mini_weights(self) -> Any:
        weights = self._weights
        first = weights[0] if len(weights) else 1.0
        if all(w == first for w in weights):
            return None if first == 1.0 else float(first)
        return tuple(int(w) for w in weights)


class CompactCodec(W3Codec):
    """``W3Codec`` whose postings writer inlines short lists and packs integer weights."""

    def __init__(self) -> None:
        super().__init__(inlinelimit=_INLINE)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        return _Postings(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )


def codec() -> Any:
    """The codec a new segment is written with."""
    return CompactCodec()
