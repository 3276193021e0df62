"""Literal recall: does ``govsearch`` find every passage that contains a keyword as written?

    python scripts/recall.py CORPUS... [--index DIR] [--keywords 200] [--seed 1] [--out DIR]
                             [--shards N] [--ray ADDRESS]

Builds (or reuses) an index of the ``.jsonl`` files under the CORPUS folders, samples keywords
from their passages — half of them the hard cases: proper substrings of longer jieba words
(消费 in 促消费), single characters, and digits/Latin mixed with other characters (5g, 2023年,
3折); the rest ordinary jieba words — and runs each with no limit and ``strict``.  The
(doc_id, paragraph) pairs returned are compared with a plain substring scan of the same
passages, normalised (``search.analysis.normalize``).  Prints recall overall and per keyword
class and the first misses; writes ``OUT/recall.json``.  The target is 100%.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import (
    DEFAULT_OUT,
    Para,
    collection_files,
    ensure_index,
    files_key,
    is_keyword_char,
    main_words,
    read_passages,
    write_json,
)

CLASSES = ("substring", "char", "mixed", "word")
_ASCII_RUN = re.compile(r"[0-9a-z]+")


@dataclass
class Outcome:
    keyword: str
    kind: str
    expected: int
    found: int
    missed: list[tuple[str, int]] = field(default_factory=list)
    extra: int = 0  # returned but not containing the keyword (should be 0 too)


def _words(text: str) -> tuple[list[str], list[str]]:
    """The jieba main words of ``text`` of two or more characters, and those of three or more
    (whose proper substrings we sample)."""
    main = main_words(text)
    return main, [w for w in main if len(w) >= 3]


def _pick_word(text: str, rng: random.Random) -> str | None:
    main, _ = _words(text)
    return rng.choice(main) if main else None


def _pick_substring(text: str, rng: random.Random) -> str | None:
    _, long_words = _words(text)
    if not long_words:
        return None
    word = rng.choice(long_words)
    size = rng.randint(2, len(word) - 1)
    start = rng.randint(0, len(word) - size)
    return word[start : start + size]


def _pick_char(text: str, rng: random.Random) -> str | None:
    chars = sorted({ch for ch in text if is_keyword_char(ch)})
    return rng.choice(chars) if chars else None


def mixed_keywords(text: str) -> list[str]:
    """Keywords mixing digits or Latin letters with other characters, as in 5g, g20, 2023年,
    3折: every run of ASCII letters/digits that holds both kinds, and every run with the
    letter/digit-free character (CJK mostly) just before or after it."""
    out: dict[str, None] = {}
    for m in _ASCII_RUN.finditer(text):
        run, start, end = m.group(0), m.start(), m.end()
        if any(c.isdigit() for c in run) and any(c.isalpha() for c in run):
            out[run] = None
        if end < len(text) and is_keyword_char(text[end]) and not text[end].isascii():
            out[run + text[end]] = None
        if start > 0 and is_keyword_char(text[start - 1]) and not text[start - 1].isascii():
            out[text[start - 1] + run] = None
    return list(out)


def _pick_mixed(text: str, rng: random.Random) -> str | None:
    runs = mixed_keywords(text)
    return rng.choice(runs) if runs else None


PICKERS: dict[str, Callable[[str, random.Random], str | None]] = {
    "substring": _pick_substring,
    "char": _pick_char,
    "mixed": _pick_mixed,
    "word": _pick_word,
}


def class_counts(total: int) -> dict[str, int]:
    """Half the keywords in the three hard classes (split evenly), half ordinary words."""
    hard = total // 2
    counts = {"substring": hard - 2 * (hard // 3), "char": hard // 3, "mixed": hard // 3}
    counts["word"] = total - hard
    return counts


def expected_pairs(paras: Sequence[Para], keyword: str) -> set[tuple[str, int]]:
    return {(p.doc_id, p.paragraph) for p in paras if keyword in p.text}


def sample_keywords(
    paras: Sequence[Para], total: int, seed: int, max_hits: int
) -> tuple[list[tuple[str, str, set[tuple[str, int]]]], int]:
    """``(keyword, class, expected pairs)`` drawn from random passages, and how many draws
    were rejected for matching more than ``max_hits`` passages (0 = no cap)."""
    rng = random.Random(seed)
    chosen: list[tuple[str, str, set[tuple[str, int]]]] = []
    seen: set[str] = set()
    rejected = 0
    for kind, wanted in class_counts(total).items():
        got = attempts = 0
        while got < wanted and attempts < 200 * max(1, wanted):
            attempts += 1
            keyword = PICKERS[kind](rng.choice(paras).text, rng)
            if not keyword or keyword in seen:
                continue
            seen.add(keyword)
            pairs = expected_pairs(paras, keyword)
            if max_hits and len(pairs) > max_hits:
                rejected += 1
                continue
            chosen.append((keyword, kind, pairs))
            got += 1
    return chosen, rejected


def check(
    index: Path, keywords: Sequence[tuple[str, str, set[tuple[str, int]]]], ray: str | None = None
) -> list[Outcome]:
    """Run every keyword (no limit, strict) and compare with the expected pairs (with ``ray``,
    through one Ray actor per shard)."""
    from search.cli_support import open_searcher
    from search.searching import Options

    options = Options(limit=0, per_doc=0, strict=True)
    outcomes = []
    with open_searcher(index, ray) as searcher:
        for keyword, kind, expected in keywords:
            hits = searcher.search(keyword, options).hits
            found = {(h.document.doc_id, h.passage.paragraph) for h in hits}
            missed = sorted(expected - found)
            outcomes.append(
                Outcome(
                    keyword,
                    kind,
                    len(expected),
                    len(expected & found),
                    missed,
                    len(found - expected),
                )
            )
    return outcomes


def summarise(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    def row(group: Sequence[Outcome]) -> dict[str, Any]:
        expected = sum(o.expected for o in group)
        found = sum(o.found for o in group)
        return {
            "keywords": len(group),
            "expected": expected,
            "found": found,
            "recall": found / expected if expected else 1.0,
            "keywords_with_misses": sum(1 for o in group if o.missed),
            "extra": sum(o.extra for o in group),
        }

    table = {kind: row([o for o in outcomes if o.kind == kind]) for kind in CLASSES}
    table["all"] = row(outcomes)
    return table


def run_recall(
    corpus: Sequence[Path],
    index: Path | None,
    out: Path,
    keywords: int = 200,
    seed: int = 1,
    pattern: str = "*.jsonl",
    max_hits: int = 5000,
    shards: int = 1,
    ray: str | None = None,
) -> dict[str, Any]:
    """Index (in ``shards``), sample, check; writes ``out/recall.json`` and returns it."""
    files = collection_files(corpus, pattern)
    folder = index or out / f"index-{files_key(files)}" / (f"shards-{shards}" if shards > 1 else "")
    started = time.perf_counter()
    ensure_index(folder, files, shards=shards, ray=ray)
    index_seconds = time.perf_counter() - started
    paras = list(read_passages(files, folder))
    sample, rejected = sample_keywords(paras, keywords, seed, max_hits)
    started = time.perf_counter()
    outcomes = check(folder, sample, ray)
    search_seconds = time.perf_counter() - started
    misses = [
        {"keyword": o.keyword, "class": o.kind, "doc_id": d, "paragraph": p}
        for o in outcomes
        for d, p in o.missed
    ]
    result = {
        "corpus": [str(c) for c in corpus],
        "files": len(files),
        "passages": len(paras),
        "index": str(folder),
        "seed": seed,
        "max_hits": max_hits,
        "rejected_too_frequent": rejected,
        "summary": summarise(outcomes),
        "misses": misses,
        "keywords": [
            {
                "keyword": o.keyword,
                "class": o.kind,
                "expected": o.expected,
                "found": o.found,
                "extra": o.extra,
            }
            for o in outcomes
        ],
        "index_seconds": round(index_seconds, 2),
        "search_seconds": round(search_seconds, 2),
    }
    write_json(out / "recall.json", result)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Recall of literal matching: govsearch --strict against a substring scan."
    )
    parser.add_argument("corpus", type=Path, nargs="+", help="folders (or files) of .jsonl dumps")
    parser.add_argument("--index", type=Path, help="index folder [default: OUT/index-<files>]")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--keywords", type=int, default=200, help="keywords to sample")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("--glob", default="*.jsonl", help="files to take under each folder")
    parser.add_argument(
        "--max-hits",
        type=int,
        default=5000,
        help="redraw a keyword found in more passages than this (0 = keep all)",
    )
    parser.add_argument("--shards", type=int, default=1, help="index in N shards (#14)")
    parser.add_argument("--ray", help="build and search the shards on Ray (local, auto, host:port)")
    args = parser.parse_args(argv)
    result = run_recall(
        args.corpus,
        args.index,
        args.out,
        args.keywords,
        args.seed,
        args.glob,
        args.max_hits,
        args.shards,
        args.ray,
    )
    print(
        f"{result['files']} files, {result['passages']} passages; index {result['index']}; "
        f"seed {result['seed']}; {result['rejected_too_frequent']} keywords redrawn "
        f"(> {result['max_hits']} passages)"
    )
    print(f"{'class':<10}{'keywords':>9}{'expected':>10}{'found':>10}{'recall':>9}{'extra':>7}")
    for kind, row in result["summary"].items():
        print(
            f"{kind:<10}{row['keywords']:>9}{row['expected']:>10}{row['found']:>10}"
            f"{row['recall']:>9.2%}{row['extra']:>7}"
        )
    misses = result["misses"]
    print(f"misses: {len(misses)}" + (" (first 20)" if len(misses) > 20 else ""))
    for miss in misses[:20]:
        print(f"  {miss['class']:<10}{miss['keyword']!r:<16}{miss['doc_id']} ¶{miss['paragraph']}")
    print(f"wrote {args.out / 'recall.json'}")
    return 0 if not misses else 1


if __name__ == "__main__":
    sys.exit(main())
