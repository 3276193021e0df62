"""Facets, trends and saved searches (#15), in process, on a built index, each beside the
matching it starts from, measured in the same run.

    python scripts/bench_analysts.py INDEX [--word W] [--repeat 5] [--out bench-out]

For a word held by about a third of the passages (``resultsets.third_word``, or ``--word``):

- the baseline: the match alone (``-c``'s work: the whole query's passages) on a freshly
  opened index;
- facets: every facet (issuer, year, month, format, folder) counted over that match, on the
  freshly opened index (its columns read for the first time: what ``search --facets`` adds)
  and again (warm);
- trend: the word and a second, rarer word (``--second``) by month, documents and passages
  (warm: the matches cached, as in one ``trend`` command that counts both);
- a watch run of the word over an index where it has seen everything (the digest of every
  matching document: the cost of a run that finds nothing new), against the match alone;
- cold processes: ``govsearch search W -n 1 --json`` with and without ``--facets`` (all five),
  ``govsearch trend W SECOND --by month --csv`` and ``govsearch search W -c`` (medians of
  ``--repeat`` runs, alternating).

Medians of ``--repeat``.  Writes ``OUT/analysts.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import functools
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _common import DEFAULT_OUT, median, write_json
from resultsets import third_word, timed

NAMES = ("issuer", "year", "month", "format", "folder")


def cold(folder: Path, word: str, repeat: int) -> tuple[float, float]:
    """On a freshly opened index: the match, then the facets over it (medians)."""
    from search.facets import count_facets, full_matches
    from search.searching import Options, Searcher

    matches, facets = [], []
    for _ in range(repeat):
        with Searcher(folder) as searcher:
            start = time.perf_counter()
            found = full_matches(searcher, word, Options())
            middle = time.perf_counter()
            count_facets(searcher.literal, found, NAMES, searcher.base)
            matches.append(middle - start)
            facets.append(time.perf_counter() - middle)
    return median(matches), median(facets)


def processes(folder: Path, word: str, second: str, repeat: int) -> dict[str, float]:
    """Wall time of each command in a new process (medians; the commands alternate)."""
    base = [sys.executable, "-m", "search"]
    commands = {
        "cold_search_s": ["search", word, "-n", "1", "--json"],
        "cold_search_facets_s": ["search", word, "-n", "1", "--json", "--facets", ",".join(NAMES)],
        "cold_count_s": ["search", word, "-c"],
        "cold_trend_s": ["trend", word, second, "--by", "month", "--csv"],
    }
    runs: dict[str, list[float]] = {key: [] for key in commands}
    for _ in range(repeat):
        for key, args in commands.items():
            start = time.perf_counter()
            subprocess.run([*base, *args, "--index", str(folder)], capture_output=True, check=False)
            runs[key].append(time.perf_counter() - start)
    return {key: median(values) for key, values in runs.items()}


def run_trend(searcher: Any, words: list[str], unit: str) -> Any:
    from search import trend
    from search.searching import Options

    return trend.trend(searcher, words, Options(), "month", unit)


def measure(folder: Path, word: str, second: str, repeat: int) -> dict[str, Any]:
    from search import watch
    from search.facets import count_facets, full_matches
    from search.searching import Options, Searcher

    out: dict[str, Any] = {"index": str(folder), "word": word, "second": second}
    out["match_cold_s"], out["facets_cold_s"] = cold(folder, word, repeat)
    with Searcher(folder) as searcher:
        view = searcher.literal
        out["passages"] = len(view.live())
        found = full_matches(searcher, word, Options())
        out["matching_passages"] = len(found)
        facets_s, facets = timed(lambda: count_facets(view, found, NAMES, searcher.base), repeat)
        out["facets_warm_s"] = facets_s
        out["matching_documents"] = facets.documents
        for unit in ("documents", "passages"):
            action = functools.partial(run_trend, searcher, [word, second], unit)
            out[f"trend_month_{unit}_s"], _ = timed(action, repeat)
        seen = watch.baseline(searcher, watch.Watch("bench", word))
        out["watch_run_nothing_new_s"], outcome = timed(
            lambda: watch.run(searcher, seen), repeat
        )
        assert not outcome.hits
    out.update(processes(folder, word, second, repeat))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--word", default="")
    parser.add_argument("--second", default="以旧换新")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    from search.searching import Searcher

    word = args.word
    if not word:
        with Searcher(args.index) as searcher:
            word = third_word(searcher)
    found = measure(args.index, word, args.second, args.repeat)
    write_json(args.out / "analysts.json", found)
    match = found["match_cold_s"]
    print(f"index {found['index']}: {found['passages']} passages")
    print(
        f"word {word}: {found['matching_passages']} passages, "
        f"{found['matching_documents']} documents"
    )
    for key in (
        "match_cold_s",
        "facets_cold_s",
        "facets_warm_s",
        "trend_month_documents_s",
        "trend_month_passages_s",
        "watch_run_nothing_new_s",
    ):
        ratio = found[key] / match
        print(f"{key:<26}{found[key] * 1000:8.1f} ms  {ratio:6.2f}× the cold match")
    for key in ("cold_search_s", "cold_search_facets_s", "cold_count_s", "cold_trend_s"):
        ratio = found[key] / found["cold_search_s"]
        print(f"{key:<26}{found[key]:8.3f} s   {ratio:6.2f}× the cold search")
    return 0


if __name__ == "__main__":
    sys.exit(main())
