"""The process-wide analyzer that index updates use (``configure``, ``fingerprint``,
``words``), kept for ``indexing``, ``manifest`` and ``schema`` until they are handed a
``search.analyzer.Analyzer`` value; searching never reads it.

Normalisation and the analyzer itself live in ``search.analyzer`` (re-exported here).  Indexes
pickle their tokenizer as ``search.analysis.JiebaTokenizer`` too: it is found here lazily.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from search.analyzer import ENGINES, Analyzer, normalize

__all__ = ["ENGINES", "Analyzer", "configure", "current", "fingerprint", "normalize", "words"]


@dataclass
class _Default:
    analyzer: Analyzer = field(default_factory=Analyzer)


_default = _Default()


def configure(engine: str = "rjieba", userdict: Path | None = None) -> None:
    """Select the segmentation engine and user dictionary of this process's index updates."""
    analyzer = Analyzer(engine, userdict)
    same = analyzer == _default.analyzer and analyzer.digest == _default.analyzer.digest
    if not same:  # (the digest reads the dictionary now: a bad one is reported here)
        _default.analyzer = analyzer


def current() -> Analyzer:
    """The analyzer of this process's index updates."""
    return _default.analyzer


def fingerprint() -> dict[str, str]:
    return _default.analyzer.fingerprint()


def segment(text: str) -> list[tuple[str, int, int]]:
    return _default.analyzer.segment(text)


def words(text: str) -> list[tuple[str, int, int, int]]:
    return _default.analyzer.words(text)


def query_words(text: str) -> list[str]:
    return _default.analyzer.query_words(text)


def __getattr__(name: str) -> Any:
    """``JiebaTokenizer`` lives in ``search.tokenizer`` (it imports Whoosh, which searching
    does not need); indexes pickle it under this module's name too."""
    if name == "JiebaTokenizer":
        from search.tokenizer import JiebaTokenizer

        return JiebaTokenizer
    raise AttributeError(name)
