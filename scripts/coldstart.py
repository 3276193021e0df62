"""Cold start: wall time of one ``govsearch`` process from start to exit, and what it imports.

    python scripts/coldstart.py INDEX... [--word 消费] [--repeat 10] [--before SRC]
                                         [--out bench-out]

For each command — ``--version``, ``--help``, ``search WORD`` on each INDEX (top 10, no colour,
stdout discarded), ``search WORD -c`` — the median of ``--repeat`` runs, beside the baseline
``python3 -c pass`` measured in the same run (alternating, so load hits both alike); with
``--before SRC`` (a folder holding an older ``search`` package, e.g. from ``git archive``),
also that version's median, alternating with this one.  Then, per command, which heavy packages
it imported (numpy, rich, typer, pydantic, whoosh, rjieba) and the import time of each
(``python -X importtime``, one run).  Writes ``OUT/coldstart.json``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import DEFAULT_OUT, median, write_json

HEAVY = ("numpy", "rich", "typer", "pydantic", "whoosh", "rjieba", "jieba")
# as a user runs it: bytecode cached (a shell with PYTHONDONTWRITEBYTECODE set would time the
# compiling of every module of the package at every run)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def govsearch() -> list[str]:
    """The command as installed beside this Python, else ``python -m search``."""
    script = Path(sys.executable).with_name("govsearch")
    return [str(script)] if script.exists() else [sys.executable, "-m", "search"]


def wall(argv: list[str], source: Path | None = None) -> float:
    env = {**ENV, "PYTHONPATH": str(source)} if source else ENV
    start = time.perf_counter()
    subprocess.run(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
        env=env,
        cwd=tempfile.gettempdir(),  # ``python -m search`` finds the package on the path, not here
    )
    return time.perf_counter() - start


def imports(argv: list[str]) -> dict[str, float]:
    """Cumulative import time (ms) of each heavy top-level package the command loaded."""
    if argv[0] != sys.executable:
        argv = [sys.executable, "-m", "search", *argv[1:]]
    env = {**ENV, "PYTHONPROFILEIMPORTTIME": "1"}
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    out: dict[str, float] = {}
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].strip() in HEAVY:
            out[parts[2].strip()] = round(int(parts[1]) / 1000, 1)
    return out


def commands(indexes: list[Path], word: str) -> dict[str, list[str]]:
    base = govsearch()
    out = {"--version": [*base, "--version"], "--help": [*base, "--help"]}
    for index in indexes:
        search = [*base, "search", word, "--index", str(index.resolve()), "--color", "never"]
        name = index.parent.name if index.name == "index" else index.name
        out[f"search {word} ({name})"] = search
        out[f"search {word} -c ({name})"] = [*search, "-c"]
    return out


def measure(
    command: list[str], repeat: int, before: Path | None, baseline: list[float]
) -> dict[str, object]:
    if before:  # both versions started alike: ``python -m search`` (an older one has no entry)
        command = (
            [sys.executable, "-m", "search", *command[1:]]
            if command[0] != sys.executable
            else command
        )
    runs: list[float] = []
    older: list[float] = []
    wall(command)  # once first: bytecode written, files in the page cache
    if before:
        wall(command, before)
    for _ in range(repeat):
        baseline.append(wall([sys.executable, "-c", "pass"]))
        runs.append(wall(command))
        if before:
            older.append(wall(command, before))
    row: dict[str, object] = {"seconds": round(median(runs), 4), "imports_ms": imports(command)}
    if before:
        row["before_seconds"] = round(median(older), 4)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Cold start of govsearch commands.")
    parser.add_argument("indexes", type=Path, nargs="+", help="built index folders")
    parser.add_argument("--word", default="消费")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--before", type=Path, help="source folder of an older version")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    before = args.before.resolve() if args.before else None
    baseline_runs: list[float] = []
    rows = {
        name: measure(command, args.repeat, before, baseline_runs)
        for name, command in commands(args.indexes, args.word).items()
    }
    baseline = median(baseline_runs)
    print(f"baseline python3 -c pass: {baseline:.3f} s (median of {len(baseline_runs)})")
    print(f"{'command':<30}{'before s':>9}{'median s':>9}{'× pass':>7}  imported (ms)")
    for name, row in rows.items():
        imported = row["imports_ms"]
        assert isinstance(imported, dict)
        heavy = ", ".join(f"{k} {v:g}" for k, v in imported.items()) or "-"
        seconds = float(str(row["seconds"]))
        older = f"{row['before_seconds']:>9.3f}" if before else f"{'-':>9}"
        print(f"{name:<30}{older}{seconds:>9.3f}{seconds / baseline:>7.1f}  {heavy}")
    args.out.mkdir(parents=True, exist_ok=True)
    result = {"baseline_seconds": baseline, "commands": rows}
    write_json(args.out / "coldstart.json", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
