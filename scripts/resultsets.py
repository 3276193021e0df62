"""Whole result sets, in process, on a built index, each beside the index's own speed.

    python scripts/resultsets.py INDEX [--word W] [--queries 200] [--repeat 3] [--out bench-out]

For a word held by about a third of the passages (the candidate nearest a third, or
``--word``): ``-c`` (``Searcher.count``, first on a freshly opened index, then again) against
the posting lookup alone; ``-l`` (one hit per
source file) and ``-n 0 --json`` (every hit streamed to /dev/null) against reading every
matching passage's stored record; the memory the JSON run allocates (tracemalloc peak, for all
the hits and for a tenth of them: it must not grow with the hits); and ``batch`` throughput of
``--queries`` two-character keyword queries drawn from the index's titles with a fixed seed
(after 20 of them as a warm-up).
Medians of ``--repeat``.  Writes ``OUT/resultsets.json``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import DEFAULT_OUT, median, write_json

CANDIDATES = ("的", "和", "在", "发展", "工作", "国家", "中国", "建设", "规定", "人民")


def timed(action: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    runs, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        runs.append(time.perf_counter() - start)
    return median(runs), result


def third_word(searcher: Any) -> str:
    """The candidate whose share of the passages is nearest a third."""
    live = len(searcher.literal.live())
    return min(CANDIDATES, key=lambda w: abs(len(searcher.literal.matches(w)) / live - 1 / 3))


def json_run(searcher: Any, word: str, limit: int = 0) -> int:
    """The first ``limit`` (0: every) hits of ``word`` as JSON Lines to /dev/null, as
    ``govsearch search -n 0 --json`` writes them (``jsonlines.write_stream``: a long list by
    two processes); how many."""
    from search.jsonlines import write_stream
    from search.searching import Options

    with open(os.devnull, "w", encoding="utf-8") as sink:
        stream = searcher.stream(word, Options(limit=limit))
        write_stream(stream, sink)
    return int(stream.count)


def json_memory(searcher: Any, word: str, limit: int) -> int:
    """The tracemalloc peak (bytes) of writing ``limit`` hits (0: all) as JSON Lines."""
    tracemalloc.start()
    json_run(searcher, word, limit)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def batch_rate(searcher: Any, n: int) -> float:
    """Keyword queries a second: ``n`` words from the titles, one Searcher, top 10 each."""
    from search.searching import Options

    pairs = {
        title[i : i + 2]
        for title in (doc[1] for doc in searcher.literal.docs)
        for i in range(len(title) - 1)
        if all("\u4e00" <= ch <= "\u9fff" for ch in title[i : i + 2])
    }
    words = random.Random(11).sample(sorted(pairs), min(n, len(pairs)))
    for word in words[:20]:  # warm: the segmenter, the document lengths
        searcher.search(word, Options(limit=10, per_doc=3))
    started = time.perf_counter()
    for word in words:
        searcher.search(word, Options(limit=10, per_doc=3))
    return len(words) / (time.perf_counter() - started)


def measure(index: Path, word: str | None, queries: int, repeat: int) -> dict[str, Any]:
    from search.searching import Options, Searcher

    with Searcher(index) as searcher:
        word = word or third_word(searcher)
    with Searcher(index) as searcher:  # a fresh one: nothing cached, as for one command
        first, _ = timed(lambda: searcher.count(word), 1)
    with Searcher(index) as searcher:
        lit = searcher.literal
        postings, held = timed(lambda: len(lit.matches(word)), repeat)
        count, counted = timed(lambda: searcher.count(word), repeat)
        files_options = Options(0, per_doc=0, strict=True, distinct="file")
        files, listed = timed(lambda: len(list(searcher.stream(word, files_options).hits)), repeat)
        passages = lit.matches(word)
        stored, _ = timed(lambda: [lit.stored(int(p)) for p in passages], 1)
        as_json, hits = timed(lambda: json_run(searcher, word), 1)
        tenth = json_memory(searcher, word, max(1, hits // 10))
        peak = json_memory(searcher, word, 0)
        rate = batch_rate(searcher, queries)
        share = held / max(1, len(lit.live()))
    return {
        "word": word,
        "passages": int(held),
        "share": round(share, 3),
        "count_first_ms": round(first * 1000, 2),
        "count_ms": round(count * 1000, 2),
        "postings_ms": round(postings * 1000, 2),
        "files": int(listed),
        "files_ms": round(files * 1000, 1),
        "json_hits": hits,
        "json_s": round(as_json, 3),
        "stored_read_s": round(stored, 3),
        "json_peak_mb": round(peak / 2**20, 1),
        "json_tenth_peak_mb": round(tenth / 2**20, 1),
        "batch_qps": round(rate, 1),
        "counted": counted,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Whole result sets at index speed.")
    parser.add_argument("index", type=Path)
    parser.add_argument("--word")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    r = measure(args.index, args.word, args.queries, args.repeat)
    print(f"word {r['word']!r}: {r['passages']} passages ({r['share']:.0%} of the index)")
    print(
        f"-c          {r['count_first_ms']:>9.2f} ms   (again: {r['count_ms']:.2f} ms; the "
        f"posting lookup alone, again: {r['postings_ms']:.2f} ms)"
    )
    print(f"-l          {r['files_ms']:>9.1f} ms   ({r['files']} files)")
    print(
        f"-n 0 --json {r['json_s']:>9.3f} s    {r['json_hits']} hits; reading their stored "
        f"records alone {r['stored_read_s']:.3f} s; memory peak {r['json_peak_mb']} MB "
        f"(a tenth of the hits: {r['json_tenth_peak_mb']} MB)"
    )
    print(f"batch       {r['batch_qps']:>9.1f} keyword queries/s")
    args.out.mkdir(parents=True, exist_ok=True)
    write_json(args.out / "resultsets.json", r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
