"""Text analysis shared by indexing and querying.

* ``normalize`` maps every code point to exactly one code point (NFKC full/half width, case,
  traditional→simplified), so offsets into the normalised text are offsets into the original.
* ``JiebaTokenizer`` meets Whoosh's tokenizer contract: positions are token ordinals and
  ``startchar``/``endchar`` are offsets into the original text.  Search-mode sub-words share the
  position of the word that contains them, so phrase queries stay correct.
* The segmenter (rjieba by default, jieba as the reference) and the user dictionary are process
  state configured by ``configure``; the index records their fingerprint.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from search.errors import BadInput

ENGINES = ("rjieba", "jieba")

# Ranges whose characters NFKC or case folding changes one-to-one.
_NORMALISED_RANGES = (
    (0x0000, 0x0250),
    (0x0370, 0x0530),
    (0x2000, 0x2C00),
    (0x3000, 0x3100),
    (0x3200, 0x3400),
    (0xF900, 0xFB00),
    (0xFE10, 0xFE70),
    (0xFF00, 0xFFF0),
)
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


@lru_cache(maxsize=1)
def _table() -> dict[int, int]:
    table: dict[int, int] = {}
    for low, high in _NORMALISED_RANGES:
        for cp in range(low, high):
            ch = chr(cp)
            if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") or ch in _ZERO_WIDTH:
                table[cp] = 0x20  # controls and invisibles: a space, never a separator
                continue
            out = unicodedata.normalize("NFKC", ch)
            if len(out) != 1:
                out = ch
            low_out = out.lower()
            if len(low_out) == 1:
                out = low_out
            if out != ch:
                table[cp] = ord(out)
    data = resources.files("search").joinpath("data/t2s.tsv").read_text(encoding="utf-8")
    for line in data.splitlines():
        if line and not line.startswith("#"):
            trad, simp = line.split("\t")
            table[ord(trad)] = ord(simp)
    return table


def normalize(text: str) -> str:
    """Full/half width, case and traditional→simplified, one code point for one code point."""
    return text.translate(_table())


# --- segmentation ------------------------------------------------------------------------


class _Segmenter(Protocol):
    def tokenize(self, text: str, mode: str = ..., hmm: bool = ...) -> Any: ...


@dataclass
class _State:
    engine: str = "rjieba"
    userdict: Path | None = None
    userdict_digest: str = ""
    segmenter: Any = None


_state = _State()
_BUNDLED_DICT = "data/userdict.txt"


def _read_userdict(text: str, origin: str) -> list[tuple[str, int | None, str | None]]:
    entries: list[tuple[str, int | None, str | None]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        freq: int | None = None
        tag: str | None = None
        if len(parts) >= 2:
            if not parts[1].isdigit():
                raise BadInput(
                    f"{origin}:{number}: frequency {parts[1]!r} is not a whole number",
                    "each line is: word [frequency] [tag]",
                )
            freq = int(parts[1])
        if len(parts) >= 3:
            tag = parts[2]
        entries.append((normalize(parts[0]), freq, tag))
    return entries


def _dictionary_entries() -> list[tuple[str, int | None, str | None]]:
    bundled = resources.files("search").joinpath(_BUNDLED_DICT).read_text(encoding="utf-8")
    entries = _read_userdict(bundled, "bundled dictionary")
    if _state.userdict is not None:
        try:
            text = _state.userdict.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInput(
                f"cannot read user dictionary {_state.userdict}: {exc}",
                "give a UTF-8 file with one 'word [frequency] [tag]' per line",
            ) from exc
        entries += _read_userdict(text, str(_state.userdict))
    return entries


def configure(engine: str = "rjieba", userdict: Path | None = None) -> None:
    """Select the segmentation engine and user dictionary for this process."""
    if engine not in ENGINES:
        raise BadInput(f"unknown segmenter {engine!r}", f"choose one of: {', '.join(ENGINES)}")
    if engine != _state.engine or userdict != _state.userdict:
        _state.segmenter = None
    _state.engine = engine
    _state.userdict = userdict
    digest = hashlib.sha256()
    for word, freq, tag in _dictionary_entries():
        digest.update(f"{word}\t{freq}\t{tag}\n".encode())
    _state.userdict_digest = digest.hexdigest()[:16]


def fingerprint() -> dict[str, str]:
    """What the index must record so that queries are analysed the way documents were."""
    if not _state.userdict_digest:
        configure(_state.engine, _state.userdict)
    return {
        "engine": _state.engine,
        "dictionary": _state.userdict_digest,
        "userdict": str(_state.userdict) if _state.userdict else "",
    }


def _segmenter() -> Any:
    if _state.segmenter is None:
        entries = _dictionary_entries()
        if _state.engine == "rjieba":
            import rjieba

            # Importing rjieba already loads its dictionary into a default instance: use that
            # one (0.3 s saved at every start) unless a user dictionary must be added to it.
            default = getattr(rjieba, "_DEFAULT_JIEBA", None)
            plain = _state.userdict is None and default is not None
            seg: Any = default if plain else rjieba.Jieba()
            for word, freq, tag in entries:
                seg.add_word(word, freq, tag)
        else:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            seg = jieba.Tokenizer()
            for word, freq, tag in entries:
                seg.add_word(word, freq, tag)
        _state.segmenter = seg
    return _state.segmenter


def segment(text: str) -> list[tuple[str, int, int]]:
    """Search-mode tokens ``(word, start, end)`` of already normalised text."""
    if not text:
        return []
    seg = _segmenter()
    if _state.engine == "rjieba":
        return list(seg.tokenize(text, "search", True))
    return list(seg.tokenize(text, mode="search", HMM=True))


def words(text: str) -> list[tuple[str, int, int, int]]:
    """Tokens ``(word, position, start, end)`` with whitespace and punctuation dropped.

    A search-mode sub-word gets the position of the word that contains it.
    """
    tokens = segment(normalize(text))
    out: list[tuple[str, int, int, int]] = []
    main_start, main_end = -1, -1
    is_main: list[bool] = [False] * len(tokens)
    for i in range(len(tokens) - 1, -1, -1):
        _, start, end = tokens[i]
        inside = main_start <= start and end <= main_end and (start, end) != (main_start, main_end)
        if not inside:
            is_main[i] = True
            main_start, main_end = start, end
    position = -1
    pending: list[tuple[str, int, int]] = []
    for (word, start, end), main in zip(tokens, is_main, strict=True):
        if not main:
            pending.append((word, start, end))
            continue
        if not _is_word(word):
            pending.clear()
            continue
        position += 1
        for sub, s, e in pending:
            out.append((sub, position, s, e))
        pending.clear()
        out.append((word, position, start, end))
    return out


def _is_word(word: str) -> bool:
    return word.isalnum() or any(ch.isalnum() for ch in word)


def query_words(text: str) -> list[str]:
    """The distinct main words of a query string, in order (no sub-words)."""
    seen: dict[str, None] = {}
    main_positions: dict[int, str] = {}
    for word, position, start, end in words(text):
        span = end - start
        if position not in main_positions or span >= len(main_positions[position]):
            main_positions[position] = word
    for position in sorted(main_positions):
        seen.setdefault(main_positions[position], None)
    return list(seen)


def __getattr__(name: str) -> Any:
    """``JiebaTokenizer`` lives in ``search.tokenizer`` (it imports Whoosh, which searching
    does not need); indexes pickle it under this module's name too."""
    if name == "JiebaTokenizer":
        from search.tokenizer import JiebaTokenizer

        return JiebaTokenizer
    raise AttributeError(name)
