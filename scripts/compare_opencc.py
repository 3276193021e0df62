"""Compare OpenCC packages from PyPI with our one-to-one traditional→simplified table.

For the 't2s' direction it measures, on about 1 MB of traditional Chinese text:

* speed (characters per second, median of several runs) and the time of our own
  ``search.analysis.normalize`` on the same text;
* installed size (disk usage of the package folders, like ``du``), import time and the time of the
  first conversion (constructor plus dictionary loading);
* offset safety: whether ``len(output) == len(input)`` and how many characters differ from the
  output of our table ``search/data/t2s.tsv`` (phrase-level conversions such as 乾燥→干燥 versus
  character-level ones), with the most frequent differences.

Each package runs in a fresh child process of the current interpreter, so import times are cold
and packages that share an import name (``opencc`` is both the native binding and
opencc-python-reimplemented) can live in separate folders given with ``--site``.  Packages that
are not found or do not import are reported and skipped.

Usage::

    python scripts/compare_opencc.py /work/shared/corpus/news-xwlb/docs-01.jsonl \\
        --site /tmp/occ/sites/opencc --site /tmp/occ/sites/opencc-pyo3 ...

A ``.jsonl`` input is a corpus of simplified text (its ``text`` fields): an evenly spread sample
of about ``--mb`` megabytes (UTF-8) is converted to traditional with the first available
package's 's2t'.  Any other file is read as traditional text and used as it is.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.metadata
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "search" / "data" / "t2s.tsv"


@dataclass(frozen=True)
class Impl:
    key: str  # worker name
    label: str  # row title
    dist: str | None  # PyPI distribution, None for our own code
    note: str = ""


IMPLS = (
    Impl("opencc", "opencc (C++ binding)", "opencc"),
    Impl("opencc-pyo3", "opencc-pyo3 (Rust)", "opencc-pyo3"),
    Impl("opencc-purepy", "opencc-purepy", "opencc-purepy"),
    Impl(
        "opencc-purepy-chars",
        "opencc-purepy `.ts()` (characters only)",
        "opencc-purepy",
        "not 't2s': its character-only method",
    ),
    Impl(
        "opencc-python-reimplemented", "opencc-python-reimplemented", "opencc-python-reimplemented"
    ),
    Impl("table", "ours: t2s.tsv via str.translate", None, "the reference for the diff columns"),
    Impl("normalize", "ours: search.analysis.normalize", None, "also NFKC width and case"),
)
# Words whose conversion depends on context (OpenCC's phrase dictionary) or on which candidate
# of TSCharacters is taken.
PROBES = (
    "乾隆年間氣候乾燥",
    "據瞭解，登上瞭望塔",
    "藉口與藉此機會",
    "著名的著作",
    "經濟復甦，萬物甦醒",
    "反覆覆蓋",
    "傢俱與夥伴",
    "於是姓於的人",
    "頭髮發白，一隻手錶",
)
S2T_ORDER = ("opencc", "opencc-pyo3", "opencc-purepy", "opencc-python-reimplemented")


# --- worker: runs in a child process -----------------------------------------------------


def _load_table() -> dict[int, int]:
    table: dict[int, int] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            trad, simp = line.split("\t")
            table[ord(trad)] = ord(simp)
    return table


def _import(key: str) -> tuple[Callable[[str], Callable[[str], str]], str]:
    """Import one implementation; return a factory (mode → converter) and its version."""
    if key in ("opencc", "opencc-python-reimplemented"):
        import opencc

        native = opencc.OpenCC.__module__ == "opencc"
        if native != (key == "opencc"):
            where = os.path.dirname(opencc.__file__)
            raise ImportError(f"the 'opencc' module found in {where} is not {key}")
        version = importlib.metadata.version(key) if not native else opencc.__version__

        def factory(mode: str) -> Callable[[str], str]:
            return opencc.OpenCC(mode).convert

        return factory, version
    if key == "opencc-pyo3":
        import opencc_pyo3

        def factory(mode: str) -> Callable[[str], str]:
            conv = opencc_pyo3.OpenCC(mode)
            return lambda text: conv.convert(text, False)

        return factory, importlib.metadata.version(key)
    if key in ("opencc-purepy", "opencc-purepy-chars"):
        import opencc_purepy

        def factory(mode: str) -> Callable[[str], str]:
            conv = opencc_purepy.OpenCC(mode)
            if key == "opencc-purepy-chars":
                return {"t2s": conv.ts, "s2t": conv.st}[mode]
            # The direction methods raise on failure; convert() would return the error text.
            method: Callable[[str], str] = getattr(conv, mode)
            return method

        return factory, importlib.metadata.version("opencc-purepy")
    if key == "table":

        def factory(mode: str) -> Callable[[str], str]:
            if mode != "t2s":
                raise ValueError("our table is traditional→simplified only")
            table = _load_table()
            return lambda text: text.translate(table)

        return factory, "-"
    if key == "normalize":
        sys.path.insert(0, str(ROOT))
        from search import analysis

        def factory(mode: str) -> Callable[[str], str]:
            if mode != "t2s":
                raise ValueError("normalize is traditional→simplified only")
            return analysis.normalize

        return factory, "-"
    raise ValueError(f"unknown implementation {key!r}")


def worker(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    factory, version = _import(args.worker)
    imported = time.perf_counter()
    convert = factory(args.mode)
    convert("測試乾燥")  # some packages load their dictionaries lazily
    first_use = time.perf_counter()
    result: dict[str, object] = {
        "version": version,
        "import_s": imported - started,
        "first_use_s": first_use - imported,
    }
    if args.input:
        text = Path(args.input).read_text(encoding="utf-8")
        times = []
        out = ""
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            out = convert(text)
            times.append(time.perf_counter() - t0)
        Path(args.output).write_text(out, encoding="utf-8")
        result["times"] = times
        result["probes"] = [convert(p) for p in PROBES] if args.mode == "t2s" else []
    print(json.dumps(result))


# --- parent ------------------------------------------------------------------------------


@dataclass
class Found:
    impl: Impl
    site: str | None  # folder to put on PYTHONPATH, None for the current environment
    size: int | None = None  # bytes on disk
    error: str = ""
    version: str = ""
    import_s: float = 0.0
    first_use_s: float = 0.0
    times: list[float] = field(default_factory=list)
    output: str = ""
    probes: list[str] = field(default_factory=list)


def _disk_usage(path: Path) -> int:
    """Bytes allocated on disk, like ``du``."""
    if path.is_file():
        return path.stat().st_blocks * 512
    total = 0
    for folder, _dirs, files in os.walk(path):
        total += os.stat(folder).st_blocks * 512
        for name in files:
            total += os.lstat(os.path.join(folder, name)).st_blocks * 512
    return total


def _locate(dist: str, sites: list[str]) -> tuple[str | None, int | None]:
    """The --site folder holding ``dist`` (None: the current environment) and its size."""
    for site in [*sites, None]:
        paths = [site] if site else sys.path
        for found in importlib.metadata.distributions(name=dist, path=paths):
            base = Path(str(found.locate_file("")))
            tops = {
                f.parts[0]
                for f in found.files or []
                if f.parts
                and f.parts[0] not in ("..", "bin", "__pycache__")
                and not f.parts[0].endswith((".dist-info", ".pth"))
            }
            size = sum(_disk_usage(base / top) for top in tops if (base / top).exists())
            return site, size
    return None, None


def _run_worker(
    found: Found, args: argparse.Namespace, mode: str, src: Path | None, dst: Path | None
) -> dict[str, object]:
    env = dict(os.environ)
    if found.site:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (found.site, env.get("PYTHONPATH", "")) if p)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", found.impl.key]
    cmd += ["--mode", mode, "--repeat", str(args.repeat)]
    if src is not None and dst is not None:
        cmd += [str(src), "--output", str(dst)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or ["no output"]
        raise RuntimeError(lines[-1])
    data: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return data


def _sample(path: Path, megabytes: float) -> tuple[str, bool]:
    """Text of the sample and whether it still needs converting to traditional."""
    if path.suffix != ".jsonl":
        return path.read_text(encoding="utf-8"), False
    with path.open(encoding="utf-8") as fh:
        texts = [json.loads(line).get("text") or "" for line in fh if line.strip()]
    total = sum(len(t.encode("utf-8")) for t in texts)
    target = int(megabytes * 1_000_000)
    stride = max(1, total // max(target, 1))
    picked: list[str] = []
    size = 0
    for text in texts[::stride] + texts:
        if size >= target:
            break
        picked.append(text)
        size += len(text.encode("utf-8")) + 1
    return "\n".join(picked), True


@dataclass
class Diff:
    chars: int = 0  # characters of our table's output that differ
    lines_resized: int = 0  # lines whose length changed
    pairs: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    context: dict[tuple[str, str, str], str] = field(default_factory=dict)


def _note(diff: Diff, src: str, ours: str, theirs: str, start: int, end: int) -> None:
    key = (src[start:end], ours[start:end], theirs)
    diff.pairs[key] += 1
    if key not in diff.context:
        diff.context[key] = src[max(0, start - 3) : end + 3].replace("\n", " ")


def _compare(src: str, ours: str, theirs: str) -> Diff:
    diff = Diff()
    src_lines, our_lines, their_lines = src.split("\n"), ours.split("\n"), theirs.split("\n")
    if not (len(src_lines) == len(our_lines) == len(their_lines)):
        src_lines, our_lines, their_lines = [src], [ours], [theirs]
    for s, o, t in zip(src_lines, our_lines, their_lines, strict=True):
        if o == t:
            continue
        if len(o) == len(t):
            i = 0
            while i < len(o):
                if o[i] == t[i]:
                    i += 1
                    continue
                j = i
                while j < len(o) and o[j] != t[j]:
                    j += 1
                diff.chars += j - i
                _note(diff, s, o, t[i:j], i, j)
                i = j
            continue
        diff.lines_resized += 1
        matcher = difflib.SequenceMatcher(None, o, t, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                diff.chars += max(i2 - i1, j2 - j1)
                _note(diff, s, o, t[j1:j2], i1, i2)
    return diff


def _mb(size: int | None) -> str:
    if size is None:
        return "-"
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB"


def _show(text: str) -> str:
    """Control characters and the table separator made visible."""
    return "".join(repr(c)[1:-1] if not c.isprintable() or c == "|" else c for c in text)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.001 else f"{seconds * 1000:.2f} ms"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", nargs="?", help="corpus .jsonl (simplified) or traditional text")
    parser.add_argument(
        "--site",
        action="append",
        default=[],
        help="extra folder holding packages (pip install --target); repeatable",
    )
    parser.add_argument("--mb", type=float, default=1.0, help="sample size in MB of UTF-8")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per implementation")
    parser.add_argument("--examples", type=int, default=6, help="differences shown per package")
    parser.add_argument("--save-sample", help="write the traditional sample to this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="t2s", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args)
        return
    if not args.input:
        parser.error("give the corpus or sample path")

    found: list[Found] = []
    for impl in IMPLS:
        if impl.dist is None:
            size = _disk_usage(TABLE) if impl.key == "table" else None
            found.append(Found(impl, None, size))
            continue
        site, size = _locate(impl.dist, args.site)
        item = Found(impl, site, size)
        if size is None:
            item.error = "not installed"
        found.append(item)

    with tempfile.TemporaryDirectory(prefix="compare-opencc-") as tmp:
        sample = Path(tmp) / "sample.txt"
        text, needs_s2t = _sample(Path(args.input), args.mb)
        origin = f"`{args.input}` used as it is"
        if needs_s2t:
            simplified = Path(tmp) / "simplified.txt"
            simplified.write_text(text, encoding="utf-8")
            for key in S2T_ORDER:
                item = next(f for f in found if f.impl.key == key)
                if item.error:
                    continue
                try:
                    _run_worker(item, argparse.Namespace(repeat=1), "s2t", simplified, sample)
                except RuntimeError as exc:
                    item.error = f"s2t failed: {exc}"
                    print(f"{key}: {item.error}", file=sys.stderr)
                    continue
                origin = f"sample of `{args.input}` converted with {key} 's2t'"
                break
            else:
                sys.exit("no package could convert the simplified sample to traditional")
        else:
            sample.write_text(text, encoding="utf-8")
        if args.save_sample:
            Path(args.save_sample).write_text(sample.read_text(encoding="utf-8"), encoding="utf-8")
        src = sample.read_text(encoding="utf-8")

        for n, item in enumerate(found):
            if item.error:
                continue
            try:
                # Import and first use from separate fresh processes, median of them all.
                imports, firsts = [], []
                for _ in range(args.repeat - 1):
                    data = _run_worker(item, args, "t2s", None, None)
                    imports.append(float(data["import_s"]))  # type: ignore[arg-type]
                    firsts.append(float(data["first_use_s"]))  # type: ignore[arg-type]
                out = Path(tmp) / f"out-{n}.txt"
                data = _run_worker(item, args, "t2s", sample, out)
            except RuntimeError as exc:
                item.error = f"failed: {exc}"
                continue
            imports.append(float(data["import_s"]))  # type: ignore[arg-type]
            firsts.append(float(data["first_use_s"]))  # type: ignore[arg-type]
            item.version = str(data["version"])
            item.import_s = statistics.median(imports)
            item.first_use_s = statistics.median(firsts)
            item.times = [float(t) for t in data["times"]]  # type: ignore[attr-defined]
            item.output = out.read_text(encoding="utf-8")
            item.probes = [str(p) for p in data["probes"]]  # type: ignore[attr-defined]

    reference = next(f for f in found if f.impl.key == "table").output
    print(f"Input: {origin}: {len(src):,} characters, {len(src.encode('utf-8')):,} bytes UTF-8.")
    print(f"Python {sys.version.split()[0]}; median of {args.repeat} runs each.\n")
    print(
        "| implementation | version | installed size | import | first use "
        "| t2s speed (chars/s) | median time | len(out) == len(in) "
        "| chars differing from our table | lines changing length |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    diffs: dict[str, Diff] = {}
    for item in found:
        label = item.impl.label + (f" ({item.impl.note})" if item.impl.note else "")
        if item.error:
            print(f"| {label} | - | {_mb(item.size)} | {item.error} | | | | | | |")
            continue
        median = statistics.median(item.times)
        same_len = (
            "yes" if len(item.output) == len(src) else f"no ({len(item.output) - len(src):+d})"
        )
        diff = _compare(src, reference, item.output) if reference else Diff()
        share = f"{diff.chars:,} ({diff.chars / max(len(src), 1):.3%})"
        if item.impl.key == "normalize":
            share += ": width, case and controls, not t2s"
        else:
            diffs[item.impl.label] = diff
        print(
            f"| {label} | {item.version} | {_mb(item.size)} | {_ms(item.import_s)} "
            f"| {_ms(item.first_use_s)} | {len(src) / median:,.0f} | {_ms(median)} "
            f"| {same_len} | {share} | {diff.lines_resized} |"
        )

    print("\nMost frequent differences (input → our table / package), with context:\n")
    for label, diff in diffs.items():
        if not diff.pairs:
            continue
        print(f"* **{label}**: {len(diff.pairs):,} distinct")
        for (src_seg, ours_seg, theirs_seg), count in diff.pairs.most_common(args.examples):
            context = diff.context[(src_seg, ours_seg, theirs_seg)]
            shown = " → ".join(_show(x) for x in (src_seg, ours_seg))
            print(f"  - {shown} / {_show(theirs_seg)} ×{count} (…{_show(context)}…)")

    rows = [f for f in found if f.probes and f.impl.key != "normalize"]
    if rows:
        print("\nContext-dependent words (input, then each output):\n")
        print("| input | " + " | ".join(f.impl.label for f in rows) + " |")
        print("|---" * (len(rows) + 1) + "|")
        for i, probe in enumerate(PROBES):
            print(f"| {probe} | " + " | ".join(f.probes[i] for f in rows) + " |")


if __name__ == "__main__":
    main()
