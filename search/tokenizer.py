"""The Whoosh tokenizer over ``search.analysis.words``: ordinal positions, original offsets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whoosh.analysis import Token, Tokenizer

from search.analysis import _state, configure, words


def _ensure_configured(tokenizer: Any) -> None:
    """Analyse as the tokenizer was made to (an indexing worker started fresh by spawn)."""
    engine = getattr(tokenizer, "engine", _state.engine)
    userdict = getattr(tokenizer, "userdict", "")
    wanted = Path(userdict) if userdict else None
    if _state.engine != engine or _state.userdict != wanted:
        configure(engine, wanted)


class JiebaTokenizer(Tokenizer):
    """Whoosh tokenizer over ``words``: ordinal positions, offsets into the original text.

    It remembers the engine and user dictionary it was made with, so that an indexing worker
    process started fresh (spawn) analyses exactly as the parent does.
    """

    def __init__(self, engine: str = "rjieba", userdict: str = "") -> None:
        super().__init__()
        self.engine = engine
        self.userdict = userdict

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self).__name__)

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
        _ensure_configured(self)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for word, position, start, end in words(value):
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
    """The analyzer of every jieba field: our tokenizer, nothing else (it normalises itself)."""
    return JiebaTokenizer(_state.engine, str(_state.userdict) if _state.userdict else "")
