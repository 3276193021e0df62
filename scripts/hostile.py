"""Index a hostile collection and report the summary and the peak memory.

Builds, in a temporary folder, every kind of file a real collection throws at an indexer
(binary, empty, whitespace-only, invalid UTF-8, GBK, GB18030, UTF-16, a 30 MB single-line file,
symlink loops, names with spaces, Chinese and newlines, deep nesting, terminal escapes), adds
the given corpus folders (e.g. ../shared/corpus/news-cpcnews, with real U+FFFD damage) by
symlink, runs ``govsearch index`` on it in a child process and prints its summary and peak RSS.

Usage: python scripts/hostile.py [CORPUS ...] [--big-mb 30]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EVIL = "通知[bold red]消费[/] \x1b[31m红\x1b[0m \x1b]0;标题\x07 \u202e反向\u202c 空\x00字符。"


def make(root: Path, big_mb: int, corpora: list[Path]) -> Path:
    c = root / "hostile"
    c.mkdir()
    (c / "binary.bin.txt").write_bytes(bytes(range(256)) * 64)
    (c / "empty.txt").write_bytes(b"")
    (c / "blank.md").write_text(" \n\t\n\u3000\n", encoding="utf-8")
    (c / "bad-utf8.txt").write_bytes(b"\xff\xfe\xfa\xfb" * 100)
    (c / "gbk.txt").write_bytes("关于促消费的通知。".encode("gbk") * 100)
    (c / "gb18030.txt").write_bytes("𠀀字与促消费。".encode("gb18030"))
    (c / "utf16.txt").write_bytes("促消费通知。".encode("utf-16"))
    sentence = "全省促消费活动持续开展，以旧换新带动销售增长。"
    count = big_mb * 1024 * 1024 // len(sentence.encode())
    (c / "big one line.txt").write_text(sentence * count, encoding="utf-8")
    (c / "中文 名.txt").write_text("促消费中文名。", encoding="utf-8")
    (c / "new\nline.txt").write_text("促消费换行名。", encoding="utf-8")
    (c / "evil.txt").write_text(EVIL, encoding="utf-8")
    (c / "loop").symlink_to(c, target_is_directory=True)
    deep = c
    for i in range(200):
        deep = deep / f"d{i}"
    deep.mkdir(parents=True)
    (deep / "deep.txt").write_text("深层促消费。", encoding="utf-8")
    for corpus in corpora:
        for path in sorted(corpus.glob("*.jsonl")):
            (c / f"{corpus.name}-{path.name}").symlink_to(path.resolve())
    return c


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", type=Path)
    parser.add_argument("--big-mb", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        collection = make(root, args.big_mb, args.corpus)
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "search", "index", str(collection), "--index", str(root / "ix")],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(proc.stderr.rstrip())
        print(f"exit status {proc.returncode}; wall {seconds:.1f}s; peak RSS {peak:.0f} MB")
        if "Traceback" in proc.stderr:
            sys.exit(1)


if __name__ == "__main__":
    main()
