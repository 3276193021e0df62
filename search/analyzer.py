"""Text analysis as a value: normalisation, and the ``Analyzer`` (segmentation engine + user
dictionary) that splits text into words.

* ``normalize`` maps every code point to exactly one code point (NFKC full/half width, case,
  traditional→simplified), so offsets into the normalised text are offsets into the original.
* An ``Analyzer`` is a frozen value: ``Analyzer("rjieba", userdict)``.  It loads its segmenter
  on first use and keeps it; whoever needs words is handed one (an index records its engine
  and dictionary, ``Analyzer.of`` rebuilds it from that record).  No module state.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from search.errors import BadInput

ENGINES = ("rjieba", "jieba")
_DATA = Path(__file__).parent / "data"  # normalisation table and bundled dictionary

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
    data = (_DATA / "t2s.tsv").read_text(encoding="utf-8")
    for line in data.splitlines():
        if line and not line.startswith("#"):
            trad, simp = line.split("\t")
            table[ord(trad)] = ord(simp)
    return table


def normalize(text: str) -> str:
    """Full/half width, case and traditional→simplified, one code point for one code point."""
    return text.translate(_table())


# --- segmentation ------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Analyzer:
    """A segmentation engine (rjieba, or jieba as the reference) and a user dictionary (the
    bundled one always, plus ``userdict``)."""

    engine: str = "rjieba"
    userdict: Path | None = None

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise BadInput(
                f"unknown segmenter {self.engine!r}", f"choose one of: {', '.join(ENGINES)}"
            )

    @classmethod
    def of(cls, record: dict[str, str]) -> Analyzer:
        """The analyzer an index recorded (its manifest's ``fingerprint``)."""
        userdict = record.get("userdict", "")
        return cls(record.get("engine", "rjieba") or "rjieba", Path(userdict) if userdict else None)

    def entries(self) -> list[tuple[str, int | None, str | None]]:
        """The dictionary entries added to the engine: bundled, then the user's."""
        bundled = (_DATA / "userdict.txt").read_text(encoding="utf-8")
        entries = _read_userdict(bundled, "bundled dictionary")
        if self.userdict is not None:
            try:
                text = self.userdict.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise BadInput(
                    f"cannot read user dictionary {self.userdict}: {exc}",
                    "give a UTF-8 file with one 'word [frequency] [tag]' per line",
                ) from exc
            entries += _read_userdict(text, str(self.userdict))
        return entries

    @cached_property
    def digest(self) -> str:
        digest = hashlib.sha256()
        for word, freq, tag in self.entries():
            digest.update(f"{word}\t{freq}\t{tag}\n".encode())
        return digest.hexdigest()[:16]

    def fingerprint(self) -> dict[str, str]:
        """What an index records so that queries are analysed the way documents were."""
        return {
            "engine": self.engine,
            "dictionary": self.digest,
            "userdict": str(self.userdict) if self.userdict else "",
        }

    @cached_property
    def segmenter(self) -> Any:
        """The engine with the dictionary loaded (on first use)."""
        entries = self.entries()
        if self.engine == "rjieba":
            import rjieba

            # Importing rjieba already loads its dictionary into a default instance: use that
            # one (0.3 s saved at every start) unless a user dictionary must be added to it.
            default = getattr(rjieba, "_DEFAULT_JIEBA", None)
            plain = self.userdict is None and default is not None
            seg: Any = default if plain else rjieba.Jieba()
        else:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            seg = jieba.Tokenizer()
        for word, freq, tag in entries:
            seg.add_word(word, freq, tag)
        return seg

    def segment(self, text: str) -> list[tuple[str, int, int]]:
        """Search-mode tokens ``(word, start, end)`` of already normalised text."""
        if not text:
            return []
        if self.engine == "rjieba":
            return list(self.segmenter.tokenize(text, "search", True))
        return list(self.segmenter.tokenize(text, mode="search", HMM=True))

    def words(self, text: str) -> list[tuple[str, int, int, int]]:
        """Tokens ``(word, position, start, end)`` with whitespace and punctuation dropped.

        A search-mode sub-word gets the position of the word that contains it.
        """
        tokens = self.segment(normalize(text))
        is_main = _main_tokens(tokens)
        out: list[tuple[str, int, int, int]] = []
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

    def query_words(self, text: str) -> list[str]:
        """The distinct main words of a query string, in order (no sub-words)."""
        main_positions: dict[int, str] = {}
        for word, position, start, end in self.words(text):
            if position not in main_positions or end - start >= len(main_positions[position]):
                main_positions[position] = word
        return list(dict.fromkeys(main_positions[p] for p in sorted(main_positions)))


def _main_tokens(tokens: list[tuple[str, int, int]]) -> list[bool]:
    """Which tokens are main words (not search-mode sub-words inside the next main word)."""
    main_start, main_end = -1, -1
    is_main: list[bool] = [False] * len(tokens)
    for i in range(len(tokens) - 1, -1, -1):
        _, start, end = tokens[i]
        inside = main_start <= start and end <= main_end and (start, end) != (main_start, main_end)
        if not inside:
            is_main[i] = True
            main_start, main_end = start, end
    return is_main


def _is_word(word: str) -> bool:
    return word.isalnum() or any(ch.isalnum() for ch in word)
