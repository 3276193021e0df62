"""The Whoosh tokenizer over ``Analyzer.words``: ordinal positions, original offsets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whoosh.analysis import Token, Tokenizer

from search.analyzer import Analyzer


class JiebaTokenizer(Tokenizer):
    """Whoosh tokenizer over ``Analyzer.words``: ordinal positions, offsets into the original
    text.

    It holds the engine and user dictionary it was made with (pickled with the index), so that
    an indexing worker process started fresh (spawn) analyses exactly as the parent does; the
    analyzer itself is made from them on first use and never pickled.
    """

    def __init__(self, engine: str = "rjieba", userdict: str = "") -> None:
        super().__init__()
        self.engine = engine
        self.userdict = userdict

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self).__name__)

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_analyzer"}

    def analyzer(self) -> Analyzer:
        """Its analyzer: the update's own when they agree (its segmenter is loaded once)."""
        found: Analyzer | None = self.__dict__.get("_analyzer")
        if found is None:
            from search.analysis import current

            userdict = getattr(self, "userdict", "")
            engine = getattr(self, "engine", "rjieba")
            found = Analyzer(engine, Path(userdict) if userdict else None)
            found = current() if current() == found else found
            self._analyzer = found
        return found

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Any]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for word, position, start, end in self.analyzer().words(value):
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[start:end]  # type: ignore[attr-defined]
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


def analyzer() -> Any:
    """The analyzer of every jieba field for the index update under way: our tokenizer, nothing
    else (it normalises itself).  (``schema.py`` calls this; once it is handed the update's
    ``Analyzer``, ``JiebaTokenizer(a.engine, str(a.userdict or ""))`` replaces it.)"""
    from search.analysis import current

    a = current()
    return JiebaTokenizer(a.engine, str(a.userdict) if a.userdict else "")
