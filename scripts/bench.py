"""Performance of indexing and searching, each figure beside a baseline taken in the same run.

    python scripts/bench.py CORPUS... [--out bench-out] [--repeat 3] [--quick]
                            [--naive-sample FRACTION]

(a) full build of the ``.jsonl`` collections (chars/s) against (a1) rjieba segmentation alone
    and (a2) a naive build: classic Whoosh + ``jieba.analyse.ChineseAnalyzer``, one document
    per non-empty line, one writer (``--naive-sample`` times it on a fraction and scales);
(b) re-index with nothing changed, with one small file added, and after adding, changing and
    deleting one announcement of a few paragraphs, as fractions of (a);
(c) warm in-process latency (top 10; p50, p95) of 200 keyword + 50 two-keyword queries drawn
    from the corpus with a fixed seed, and batch throughput (one Searcher, all 250 queries),
    against a Python substring scan of the passages in memory;
(d) cold ``govsearch search WORD``, ``show`` (its best hit) and ``stats`` process wall times
    against ``rg -F WORD`` over the same files (skipped when rg is absent) and ``python3 -c pass``;
(e) index size on disk against the text size (UTF-8 bytes); peak memory (ru_maxrss of the
    child process) of indexing and of a search;
(f) whole result sets (``scripts/resultsets.py``): ``-c``, ``-l``, ``-n 0 --json`` and batch
    throughput for a word in about a third of the passages.

The machine may be shared and noisy: every figure is a median of ``--repeat`` runs (the full
build runs ``--build-repeat`` times) and is read against a baseline measured in the same run.
Writes ``OUT/bench.json`` and ``OUT/bench.md``; the indexes it builds live under OUT too.
``--quick`` benchmarks a 10% sample (every tenth record of each file, written under OUT).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import (
    DEFAULT_OUT,
    collection_files,
    main_words,
    median,
    percentile,
    read_passages,
    write_json,
)
from index_sizes import breakdown as size_breakdown
from resultsets import measure as whole_sets

MB = 1 << 20
_DONE = {"add": "added", "change": "changed", "delete": "deleted"}
SCRIPT = Path(__file__).resolve()


# --- child processes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    seconds: float
    maxrss_mb: float  # ru_maxrss of the child (its largest process, descendants included)
    tree_peak_mb: float  # peak of the summed RSS of the child and its descendants (sampled)
    returncode: int
    stdout: str
    stderr: str


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


def _tree_rss_kb(pid: int) -> int:
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
        stack.extend(_children(current))
    return total


# Runs a command and reports its wall time and ru_maxrss.  A child forked from this (large)
# process would inherit our resident size in its ru_maxrss (Linux keeps the pre-exec peak), so
# commands are started from this small launcher; its own start-up is outside the timing.
_LAUNCHER = """\
import json, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call(sys.argv[2:])
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(sys.argv[1], "w") as fh:
    json.dump([seconds, peak, code], fh)
"""


def measure(cmd: Sequence[str], sample_tree: bool = False, stdin: str | None = None) -> Measured:
    """Run ``cmd`` to completion: wall time, ru_maxrss, sampled RSS of its process tree, exit
    status, output (to temporary files, never /dev/null, which some tools treat specially)."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryFile() as inp,
        tempfile.TemporaryDirectory() as scratch,
    ):
        if stdin is not None:
            inp.write(stdin.encode())
            inp.seek(0)
        report = Path(scratch, "report.json")
        launcher = [sys.executable, "-c", _LAUNCHER, str(report), *cmd]
        proc = subprocess.Popen(launcher, stdin=inp, stdout=out, stderr=err)
        peak = [0]
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.2):
                peak[0] = max(peak[0], sum(_tree_rss_kb(c) for c in _children(proc.pid)))

        sampler = threading.Thread(target=sample, daemon=True) if sample_tree else None
        if sampler:
            sampler.start()
        proc.wait()
        stop.set()
        if sampler:
            sampler.join()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        if proc.returncode or not report.exists():
            return Measured(0.0, 0.0, 0.0, proc.returncode or -1, stdout, stderr)
        seconds, maxrss_kb, code = json.loads(report.read_text())
        return Measured(
            seconds, maxrss_kb / 1024, max(peak[0], maxrss_kb) / 1024, code, stdout, stderr
        )


def _checked(m: Measured, what: str, ok: tuple[int, ...] = (0,)) -> Measured:
    if m.returncode not in ok:
        raise SystemExit(f"{what} failed ({m.returncode}): {m.stderr.strip()[-2000:]}")
    return m


def govsearch_cmd() -> list[str]:
    exe = shutil.which("govsearch")
    return [exe] if exe else [sys.executable, "-m", "search"]


def _child(kind: str, *args: str) -> list[str]:
    return [sys.executable, str(SCRIPT), "_child", kind, *args]


def child_segment(files_json: str) -> None:
    """(a1) rjieba search-mode segmentation of every passage, normalised beforehand."""
    from search import analysis

    analysis.configure("rjieba")
    files = [Path(f) for f in json.loads(files_json)]
    texts = [p.text for p in read_passages(files, files[0].parent / "index")]
    analysis.segment("预热分词器")  # load the dictionary outside the timing
    started = time.perf_counter()
    tokens = sum(len(analysis.segment(t)) for t in texts)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    for t in texts:
        analysis.words(t)  # the tokens as the indexer takes them (positions, sub-words)
    words_seconds = time.perf_counter() - started
    chars = sum(len(t) for t in texts)
    print(
        json.dumps(
            {"seconds": seconds, "words_seconds": words_seconds, "chars": chars, "tokens": tokens}
        )
    )


def child_naive(files_json: str, folder: str, fraction: str) -> None:
    """(a2) classic Whoosh with jieba's ChineseAnalyzer: one document per non-empty line of
    every record's text, one writer; every k-th line when ``fraction`` < 1."""
    import logging

    import jieba
    from jieba.analyse import ChineseAnalyzer
    from whoosh import fields, index

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()  # dictionary load: outside the timing, added once to the estimate
    step = max(1, round(1 / float(fraction)))
    schema = fields.Schema(
        path=fields.ID(stored=True),
        line=fields.STORED(),
        content=fields.TEXT(stored=True, analyzer=ChineseAnalyzer()),
    )
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    started = time.perf_counter()
    ix = index.create_in(folder, schema)
    writer = ix.writer()
    chars = lines = 0
    for path in json.loads(files_json):
        with open(path, encoding="utf-8") as fh:
            for number, raw in enumerate(fh, 1):
                record = json.loads(raw)
                for line in str(record.get("text") or "").split("\n"):
                    if not line.strip():
                        continue
                    lines += 1
                    if lines % step:
                        continue
                    chars += len(line)
                    writer.add_document(path=path, line=number, content=line)
    writer.commit()
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "chars": chars, "lines": lines, "step": step}))


# --- the corpus --------------------------------------------------------------------------------


def sample_files(files: Sequence[Path], out: Path, every: int = 10) -> list[Path]:
    """Every ``every``-th record of each file, written once under ``out/sample-N/``."""
    folder = out / f"sample-{every}"
    folder.mkdir(parents=True, exist_ok=True)
    sampled = []
    for i, path in enumerate(files):
        target = folder / f"{i:02d}-{path.parent.name}-{path.name}"
        if not target.exists():
            with open(path, encoding="utf-8") as src, open(target, "w", encoding="utf-8") as dst:
                for number, line in enumerate(src):
                    if number % every == 0:
                        dst.write(line)
        sampled.append(target.resolve())
    return sampled


def queries_from(texts: Sequence[str], seed: int, keywords: int, pairs: int) -> list[str]:
    """``keywords`` jieba words and ``pairs`` two-word queries (words of one passage)."""
    rng = random.Random(seed)
    singles: list[str] = []
    doubles: list[str] = []
    for _ in range(100 * (keywords + pairs) + 100):
        if len(singles) >= keywords and len(doubles) >= pairs:
            break
        words = list(dict.fromkeys(main_words(rng.choice(texts))))
        if len(singles) < keywords and words:
            word = rng.choice(words)
            if word not in singles:
                singles.append(word)
        elif len(doubles) < pairs and len(words) >= 2:
            doubles.append(" ".join(rng.sample(words, 2)))
    return singles + doubles


def small_file(source: Path, target: Path, tag: str, records: int = 20) -> Path:
    """A small new .jsonl file: ``records`` records of ``source`` under new ids."""
    lines = []
    with open(source, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            record = json.loads(line)
            record["id"] = f"bench-added-{tag}-{record.get('id')}"
            lines.append(json.dumps(record, ensure_ascii=False))
            if len(lines) >= records:
                break
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def one_announcement(base: Sequence[str], texts: Sequence[str], folder: Path) -> dict[str, float]:
    """Wall time of ``govsearch index`` (start-up included) after adding, changing and deleting
    one file of one typical announcement (a title and five paragraphs of the corpus) in a
    folder of its own, each the median of three runs."""
    times: dict[str, list[float]] = {"add": [], "change": [], "delete": []}
    rng = random.Random(5)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    cmd = [*base, str(folder)]
    _checked(measure(cmd), "re-index with an empty folder")
    for k in range(3):
        notice = folder / f"notice-{os.getpid()}-{k}.txt"
        body = ["关于做好有关工作的通知", "", *rng.sample(list(texts), 5)]
        notice.write_text("\n".join(body) + "\n", encoding="utf-8")
        times["add"].append(_checked(measure(cmd), "re-index, one file added").seconds)
        notice.write_text("\n".join([*body, rng.choice(texts)]) + "\n", encoding="utf-8")
        times["change"].append(_checked(measure(cmd), "re-index, one file changed").seconds)
        notice.unlink()
        times["delete"].append(_checked(measure(cmd), "re-index, one file deleted").seconds)
    return {what: median(values) for what, values in times.items()}


def revision() -> str:
    """The checked-out commit of the project and whether search/ has local changes (the
    package is edited while benchmarks run; read-only git calls)."""
    root = SCRIPT.parent.parent
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "search"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (head or "unknown") + (" (search/ modified)" if dirty else "")


def disk_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def disk_breakdown(folder: Path) -> dict[str, int]:
    """Bytes per kind of index file, by suffix (``.seg`` Whoosh segments, ``.lit`` their side
    files, ``.toc`` and ``.json`` the commit and its manifest)."""
    parts: dict[str, int] = {}
    for p in folder.rglob("*"):
        if p.is_file():
            rel = p.relative_to(folder)
            if len(rel.parts) > 1:
                key = f"{rel.parts[0].split('-')[0]}/{p.name}"
            else:
                key = "whoosh " + (p.name.split(".", 1)[1] if "." in p.name else p.name)
            parts[key] = parts.get(key, 0) + p.stat().st_size
    return dict(sorted(parts.items(), key=lambda kv: -kv[1]))


# --- the measurements ----------------------------------------------------------------------------


def warm_queries(
    index: Path, queries: Sequence[str], texts: Sequence[str], repeat: int
) -> dict[str, float]:
    """Per-query median latency (top 10) over ``repeat`` passes after a warm-up pass; batch
    throughput; and the same for a Python substring scan of ``texts``."""
    from search.searching import Options, Searcher

    options = Options(limit=10)
    per_query: list[list[float]] = [[] for _ in queries]
    passes: list[float] = []
    scan_per_query: list[list[float]] = [[] for _ in queries]
    scan_passes: list[float] = []
    with Searcher(index) as searcher:
        for q in queries:
            searcher.search(q, options)
        for _ in range(repeat):
            started = time.perf_counter()
            for i, q in enumerate(queries):
                t0 = time.perf_counter()
                searcher.search(q, options)
                per_query[i].append(time.perf_counter() - t0)
            passes.append(time.perf_counter() - started)
    for _ in range(repeat):
        started = time.perf_counter()
        for i, q in enumerate(queries):
            t0 = time.perf_counter()
            keys = q.split()
            _ = [t for t in texts if all(k in t for k in keys)][:10]
            scan_per_query[i].append(time.perf_counter() - t0)
        scan_passes.append(time.perf_counter() - started)
    lat = [median(x) * 1000 for x in per_query]
    scan = [median(x) * 1000 for x in scan_per_query]
    return {
        "p50_ms": percentile(lat, 50),
        "p95_ms": percentile(lat, 95),
        "max_ms": max(lat),
        "qps": len(queries) / median(passes),
        "scan_p50_ms": percentile(scan, 50),
        "scan_p95_ms": percentile(scan, 95),
        "scan_qps": len(queries) / median(scan_passes),
    }


def cold_processes(
    index: Path, files: Sequence[Path], words: Sequence[str], runs: int
) -> dict[str, Any]:
    """Wall time of whole processes, interleaved: govsearch search, rg -F, python3 -c pass."""
    rg = shutil.which("rg")
    gov: list[float] = []
    gov_rss: list[float] = []
    rgs: list[float] = []
    bare: list[float] = []
    bare_rss: list[float] = []
    shows: list[float] = []
    stats: list[float] = []
    where = ["--index", str(index), "--color", "never"]
    for i in range(runs):
        word = words[i % len(words)]
        m = _checked(
            measure([*govsearch_cmd(), "search", word, *where]), f"govsearch search {word}", (0, 1)
        )
        gov.append(m.seconds)
        gov_rss.append(m.maxrss_mb)
        hit = measure([*govsearch_cmd(), "search", word, "--json", "-n", "1", *where])
        if hit.stdout.strip():  # show the best hit's location, then the index's stats
            location = json.loads(hit.stdout.splitlines()[0])["location"]
            shown = measure([*govsearch_cmd(), "show", location, *where])
            shows.append(_checked(shown, f"govsearch show {location}").seconds)
        stats.append(_checked(measure([*govsearch_cmd(), "stats", *where[:2]]), "stats").seconds)
        if rg:
            r = _checked(measure([rg, "-F", word, *map(str, files)]), "rg", (0, 1))
            rgs.append(r.seconds)
        p = measure([sys.executable, "-c", "pass"])
        bare.append(p.seconds)
        bare_rss.append(p.maxrss_mb)
    return {
        "words": list(words),
        "runs": runs,
        "govsearch_s": median(gov),
        "govsearch_maxrss_mb": max(gov_rss),
        "rg_s": median(rgs) if rgs else None,
        "show_s": median(shows) if shows else None,
        "stats_s": median(stats),
        "python_pass_s": median(bare),
        "python_pass_maxrss_mb": max(bare_rss),
    }


def run_bench(
    corpus: Sequence[Path],
    out: Path,
    repeat: int = 3,
    quick: bool = False,
    pattern: str = "*.jsonl",
    naive_sample: float = 1.0,
    build_repeat: int = 1,
    keyword_queries: int = 200,
    pair_queries: int = 50,
    cold_runs: int = 0,
    seed: int = 1,
    skip_naive: bool = False,
) -> dict[str, Any]:
    """Every measurement; writes ``out/bench.json`` and ``out/bench.md``."""
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    files = collection_files(corpus, pattern)
    if quick:
        files = sample_files(files, out)
    index = out / "bench-index"
    files_json = json.dumps([str(f) for f in files])
    texts = [p.text for p in read_passages(files, index)]
    chars = sum(len(t) for t in texts)
    text_bytes = sum(len(t.encode("utf-8")) for t in texts)
    info: dict[str, Any] = {
        "corpus": [str(c) for c in corpus],
        "files": [str(f) for f in files],
        "quick": quick,
        "repeat": repeat,
        "loadavg_start": os.getloadavg(),
        "revision_start": revision(),
        "text": {
            "passages": len(texts),
            "chars": chars,
            "utf8_bytes": text_bytes,
            "file_bytes": sum(f.stat().st_size for f in files),
        },
    }
    gov = govsearch_cmd()
    partial = out / "bench.partial.json"  # what was measured so far, should a stage fail

    # (a1) segmentation alone, (a) full builds, (a2) naive build
    seg = [
        json.loads(_checked(measure(_child("segment", files_json)), "segmentation").stdout)
        for _ in range(max(1, min(repeat, build_repeat)))
    ]
    seg_seconds = median([s["seconds"] for s in seg])
    words_seconds = median([s["words_seconds"] for s in seg])
    builds: list[Measured] = []
    for _ in range(build_repeat):
        shutil.rmtree(index, ignore_errors=True)
        cmd = [*gov, "index", *map(str, files), "--index", str(index)]
        builds.append(_checked(measure(cmd, sample_tree=True), "full build"))
    build_seconds = median([b.seconds for b in builds])
    naive: dict[str, Any] | None = None
    if not skip_naive:
        naive_dir = str(out / "naive-index")
        m = _checked(
            measure(_child("naive", files_json, naive_dir, str(naive_sample)), sample_tree=True),
            "naive build",
        )
        shutil.rmtree(naive_dir, ignore_errors=True)
        naive = json.loads(m.stdout)
        naive["estimated_seconds"] = naive["seconds"] * chars / max(1, naive["chars"])
        naive["maxrss_mb"] = m.maxrss_mb
        naive["fraction"] = naive_sample
    info["seg"], info["builds"], info["naive"] = seg, [b.seconds for b in builds], naive
    write_json(partial, info)

    # (b) re-index: nothing changed; one small file added (a new file each repetition)
    base = [*gov, "index", *map(str, files), "--index", str(index)]
    unchanged = [_checked(measure(base), "re-index").seconds for _ in range(repeat)]
    added_times = []
    for k in range(repeat):
        extra = small_file(files[0], out / "added" / f"added-{k}.jsonl", f"{os.getpid()}-{k}")
        added_times.append(_checked(measure([*base, str(extra)]), "re-index +1").seconds)
    info["unchanged"], info["added"] = unchanged, added_times
    info["one_file"] = one_announcement(base, texts, out / "announcement")
    write_json(partial, info)

    # (c) warm in-process queries, (d) cold processes
    from search import analysis

    analysis.configure("rjieba")
    queries = queries_from(texts, seed, keyword_queries, pair_queries)
    warm = warm_queries(index, queries, texts, repeat)
    info["warm"] = warm
    write_json(partial, info)
    cold = cold_processes(index, files, queries[:3], cold_runs or max(5, repeat))
    whole = whole_sets(index, None, 200, repeat)

    # (e) sizes and memory
    size = disk_size(index)
    one_file = info["one_file"]
    for key in ("seg", "builds", "naive", "unchanged", "added", "warm", "one_file"):
        info.pop(key, None)
    partial.unlink(missing_ok=True)
    result = {
        **info,
        "build": {
            "seconds": build_seconds,
            "runs": [b.seconds for b in builds],
            "chars_per_s": chars / build_seconds,
            "maxrss_mb": max(b.maxrss_mb for b in builds),
            "tree_peak_mb": max(b.tree_peak_mb for b in builds),
        },
        "segmentation": {
            "seconds": seg_seconds,
            "chars_per_s": chars / seg_seconds,
            "words_seconds": words_seconds,
            "words_chars_per_s": chars / words_seconds,
        },
        "naive": naive,
        "reindex_unchanged_s": median(unchanged),
        "reindex_added_s": median(added_times),
        "one_file_s": one_file,
        "queries": {"count": len(queries), "sample": queries[:5], **warm},
        "cold": cold,
        "whole_sets": whole,
        "index_bytes": size,
        "index_breakdown": disk_breakdown(index),
        "index_components": size_breakdown(index),
        "loadavg_end": os.getloadavg(),
        "revision_end": revision(),
    }
    result["rows"] = table_rows(result)
    write_json(out / "bench.json", result)
    (out / "bench.md").write_text(markdown(result["rows"]) + notes(result), encoding="utf-8")
    return result


def _row(
    figure: str, value: float, baseline: str, base: float | None, ndigits: int = 2
) -> dict[str, Any]:
    ratio = value / base if base else None
    return {
        "figure": figure,
        "value": round(value, ndigits),
        "baseline": baseline,
        "baseline_value": round(base, ndigits) if base is not None else None,
        "ratio": round(ratio, 3) if ratio is not None else None,
    }


def table_rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    text = r["text"]
    build = r["build"]
    seg = r["segmentation"]
    rows = [
        _row(
            "text (M chars)",
            text["chars"] / 1e6,
            f"{text['passages']:,} passages, {text['utf8_bytes'] / MB:,.1f} MB UTF-8",
            None,
        ),
        _row(
            "full build (chars/s)",
            build["chars_per_s"],
            "rjieba segmentation alone (chars/s)",
            seg["chars_per_s"],
            0,
        ),
        _row(
            "full build (chars/s)",
            build["chars_per_s"],
            "analysis.words: segmentation + positions, as indexed (chars/s)",
            seg["words_chars_per_s"],
            0,
        ),
        _row("full build (s)", build["seconds"], "rjieba segmentation alone (s)", seg["seconds"]),
    ]
    naive = r["naive"]
    if naive:
        sampled = (
            f", timed on {naive['fraction']:.0%} of the lines and scaled"
            if naive["fraction"] < 1
            else ""
        )
        rows.append(
            _row(
                "full build (s)",
                build["seconds"],
                f"naive Whoosh + jieba ChineseAnalyzer (s{sampled})",
                naive["estimated_seconds"],
            )
        )
    rows += [
        _row(
            "re-index, nothing changed (s)",
            r["reindex_unchanged_s"],
            "full build (s)",
            build["seconds"],
        ),
        _row(
            "re-index, one small file added (s)",
            r["reindex_added_s"],
            "full build (s)",
            build["seconds"],
        ),
    ]
    for what, seconds in r["one_file_s"].items():
        rows.append(
            _row(
                f"re-index, one announcement {what}d (s)",
                seconds,
                "full build (s)",
                build["seconds"],
            )
        )
    q = r["queries"]
    scan = "Python substring scan of the passages in memory"
    rows += [
        _row("warm query p50, top 10 (ms)", q["p50_ms"], f"{scan} p50 (ms)", q["scan_p50_ms"]),
        _row("warm query p95, top 10 (ms)", q["p95_ms"], f"{scan} p95 (ms)", q["scan_p95_ms"]),
        _row(
            f"batch throughput, {q['count']} queries (q/s)",
            q["qps"],
            f"{scan} (q/s)",
            q["scan_qps"],
            1,
        ),
    ]
    c = r["cold"]
    if c["rg_s"] is not None:
        rows.append(
            _row(
                "cold `govsearch search WORD` (s)",
                c["govsearch_s"],
                "`rg -F WORD` (s)",
                c["rg_s"],
                3,
            )
        )
    rows.append(
        _row(
            "cold `govsearch search WORD` (s)",
            c["govsearch_s"],
            "`python3 -c pass` (s)",
            c["python_pass_s"],
            3,
        )
    )
    for command, key in (("show LOCATION", "show_s"), ("stats", "stats_s")):
        if c.get(key) is not None:
            rows.append(
                _row(
                    f"cold `govsearch {command}` (s)",
                    c[key],
                    "`python3 -c pass` (s)",
                    c["python_pass_s"],
                    3,
                )
            )
    rows += _whole_rows(r["whole_sets"])
    rows += [
        _row(
            "index size on disk (MB)",
            r["index_bytes"] / MB,
            "text, UTF-8 (MB)",
            text["utf8_bytes"] / MB,
        ),
        _row(
            "peak memory, indexing (MB, ru_maxrss)",
            build["maxrss_mb"],
            "text, UTF-8 (MB)",
            text["utf8_bytes"] / MB,
            1,
        ),
        _row(
            "peak memory, indexing (MB, all processes, sampled)",
            build["tree_peak_mb"],
            "text, UTF-8 (MB)",
            text["utf8_bytes"] / MB,
            1,
        ),
        _row(
            "peak memory, search (MB, ru_maxrss)",
            c["govsearch_maxrss_mb"],
            "`python3 -c pass` (MB)",
            c["python_pass_maxrss_mb"],
            1,
        ),
    ]
    return rows


def _whole_rows(w: dict[str, Any]) -> list[dict[str, Any]]:
    """Whole result sets (``scripts/resultsets.py``) for a word in about a third of passages."""
    word = f"{w['word']} ({w['passages']} passages)"
    return [
        _row(f"`-c` {word}, first (ms)", w["count_first_ms"], "", None),
        _row(f"`-l` {word} (ms)", w["files_ms"], "", None, 1),
        _row(
            f"`-n 0 --json` {word} (s)",
            w["json_s"],
            "reading their stored records (s)",
            w["stored_read_s"],
            3,
        ),
        _row("memory of that JSON run (MB, tracemalloc)", w["json_peak_mb"], "", None, 1),
        _row("batch, 200 title-bigram keywords (q/s)", w["batch_qps"], "", None, 1),
    ]


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    lines = ["| figure | value | baseline | ratio |", "|---|---:|---|---:|"]
    for row in rows:
        base = row["baseline"]
        if row["baseline_value"] is not None:
            base = f"{base}: {row['baseline_value']:,}"
        ratio = "" if row["ratio"] is None else f"{row['ratio']:,}"
        lines.append(f"| {row['figure']} | {row['value']:,} | {base} | {ratio} |")
    return "\n".join(lines) + "\n"


def notes(r: dict[str, Any]) -> str:
    """What the table was measured on, under it."""
    text = r["text"]
    sample = "a 10% sample (every tenth record) of " if r["quick"] else ""
    lines = [
        "",
        f"- Text: {sample}{', '.join(r['corpus'])} — {len(r['files'])} files, "
        f"{text['passages']:,} passages, {text['chars']:,} chars.",
        f"- Medians of {r['repeat']} runs (full build: {len(r['build']['runs'])} run(s)); "
        f"load average {r['loadavg_start'][0]:.1f} at start, {r['loadavg_end'][0]:.1f} at end; "
        f"revision {r['revision_start']} → {r['revision_end']}.",
        f"- Cold runs: {r['cold']['runs']} per command, words {', '.join(r['cold']['words'])}; "
        "process start to exit, page cache warm.",
    ]
    parts = r.get("index_components")
    if parts:  # where the index's bytes go, as multiples of the text's UTF-8 size
        utf8 = text["utf8_bytes"]
        groups = {
            **parts["side_groups"],
            **{f"Whoosh {k}": v for k, v in parts["whoosh_files"].items()},
        }
        lines.append(
            f"- Index {parts['index_bytes'] / utf8:.2f}× the text: side files "
            f"{parts['side_bytes'] / utf8:.2f}×, Whoosh {parts['whoosh_bytes'] / utf8:.2f}×; "
            + ", ".join(f"{name} {size / utf8:.3f}×" for name, size in groups.items())
            + "."
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_child"]:
        if argv[1] == "segment":
            child_segment(*argv[2:])
        else:
            child_naive(*argv[2:])
        return 0
    parser = argparse.ArgumentParser(
        description="Indexing and search performance of govsearch against baselines."
    )
    parser.add_argument("corpus", type=Path, nargs="+", help="folders (or files) of .jsonl dumps")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--build-repeat", type=int, default=1, help="full builds (median)")
    parser.add_argument("--quick", action="store_true", help="a 10%% sample of the records")
    parser.add_argument(
        "--naive-sample",
        type=float,
        default=1.0,
        metavar="FRACTION",
        help="time the naive build on this fraction of the lines and scale (default 1)",
    )
    parser.add_argument("--skip-naive", action="store_true", help="no naive baseline")
    parser.add_argument("--cold-runs", type=int, default=0, help="cold runs [max(5, repeat)]")
    parser.add_argument("--glob", default="*.jsonl", help="files to take under each folder")
    parser.add_argument("--seed", type=int, default=1, help="seed of the query sample")
    args = parser.parse_args(argv)
    result = run_bench(
        args.corpus,
        args.out,
        repeat=args.repeat,
        quick=args.quick,
        pattern=args.glob,
        naive_sample=args.naive_sample,
        build_repeat=args.build_repeat,
        cold_runs=args.cold_runs,
        seed=args.seed,
        skip_naive=args.skip_naive,
    )
    print(markdown(result["rows"]), end="")
    print(f"wrote {args.out / 'bench.json'} and {args.out / 'bench.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
