"""Reposts (near-duplicate documents, #15): groups found, a sample to check by hand, and the
cost of the sketches at index time.

    python scripts/bench_reposts.py /work/shared/corpus [--sample 50] [--out FILE]

For each of news-xwlb and news-cpcnews, and both in one index, the script builds an index with
``govsearch index`` (timed: the baseline), reads every document's passages back, times
``sketch.sketch`` over them (the work the build added per document), times the grouping over the
index (``IndexView.repost_groups``, done on the first collapsed page), and reports the groups.
A seeded sample of the groups of both is written to ``--out`` (titles, dates, the first
characters and the exact Jaccard similarity of each member's 5-shingles with the group's first
member) for checking by hand.
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from search.searching import Searcher
from search.store import sketch

FOLDERS = ("news-xwlb", "news-cpcnews")


def build(paths: list[Path], index: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "search", "index", *map(str, paths), "--index", str(index)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def documents(searcher: Searcher) -> list[list[str]]:
    """Per document number, its passages' normalised texts (as the build sketched them)."""
    view = searcher.literal
    return [
        [view.text(int(p)) for p in view.passages_of(n)] for n in range(view.document_count())
    ]


def shingles(texts: list[str]) -> set[str]:
    kept = re.sub(r"[\W_]+", "", "".join(texts))
    return {kept[i : i + sketch.SHINGLE] for i in range(len(kept) - sketch.SHINGLE + 1)}


def measure(name: str, paths: list[Path], sample: int, out: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        built = build(paths, Path(tmp) / "index")
        with Searcher(Path(tmp) / "index") as searcher:
            texts = documents(searcher)
            start = time.perf_counter()
            for doc in texts:
                sketch.sketch(doc)
            sketching = time.perf_counter() - start
            start = time.perf_counter()
            groups = searcher.literal.repost_groups
            grouping = time.perf_counter() - start
            labels, counts = np.unique(groups, return_counts=True)
            shared = labels[counts > 1]
            print(
                f"{name}: {len(texts)} documents; build {built:.1f} s, sketches {sketching:.2f} s "
                f"({sketching / built:.1%} of the build); grouping {grouping * 1000:.0f} ms; "
                f"{len(shared)} groups of near duplicates holding {int(counts[counts > 1].sum())} "
                f"documents (largest {int(counts.max()) if len(counts) else 0})"
            )
            if not sample:
                return
            chosen = random.Random(15).sample(sorted(shared.tolist()), min(sample, len(shared)))
            out.append(f"## {name}: {len(chosen)} of {len(shared)} groups\n")
            for number, label in enumerate(sorted(chosen), 1):
                members = np.flatnonzero(groups == label).tolist()
                first = shingles(texts[members[0]])
                out.append(f"{number}.")
                for member in members:
                    meta = searcher.literal.document(member)
                    own = shingles(texts[member])
                    jaccard = len(first & own) / max(1, len(first | own))
                    head = "".join(texts[member])[:60].replace("\n", " ")
                    out.append(
                        f"   - {meta['doc_id']} {meta['date']} J={jaccard:.2f} "
                        f"{meta['title'][:40]} | {head}"
                    )
            out.append("")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--sample", type=int, default=50)
    parser.add_argument("--out", type=Path, default=Path("reposts-sample.md"))
    args = parser.parse_args()
    folders = [args.corpus / f for f in FOLDERS]
    missing = [str(f) for f in folders if not f.is_dir()]
    if missing:
        sys.exit(f"bench_reposts: no such folder: {', '.join(missing)}")
    out: list[str] = ["# Repost groups, sampled for checking by hand\n"]
    for folder in folders:
        measure(folder.name, [folder], 0, out)
    measure("both", folders, args.sample, out)
    args.out.write_text("\n".join(out), encoding="utf-8")
    print(f"sample written to {args.out}")


if __name__ == "__main__":
    main()
