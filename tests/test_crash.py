"""Crash safety and concurrency with real subprocesses and signals."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from search.indexing import update
from search.manifest import INDEX_NAME, Manifest
from search.searching import Options, Searcher

PARAGRAPH = "第{n}段：全市推进以旧换新和夜经济发展，促消费活动持续开展，惠及群众{n}万人。\n"


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "search", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _big_corpus(root: Path, files: int = 400) -> Path:
    folder = root / "big"
    folder.mkdir()
    for i in range(files):
        body = "".join(PARAGRAPH.format(n=i * 100 + k) for k in range(60))
        (folder / f"doc{i:04d}.txt").write_text(body, encoding="utf-8")
    return folder


def _count(folder: Path, text: str) -> int:
    with Searcher(folder) as searcher:
        return searcher.search(text, Options(limit=0, strict=True)).total


def test_kill_9_during_index_keeps_previous_index(fresh: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, folder = fresh
    update(folder, [corpus])
    before = _count(folder, "消费")
    big = _big_corpus(tmp_path)
    proc = _cli("index", str(big), "--index", str(folder))
    time.sleep(1.5)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert _count(folder, "消费") >= before  # still searchable, never less than before
    report = update(folder, [big])
    assert report.added + report.unchanged == 400
    assert report.failed == []
    assert _count(folder, "以旧换新") == 400 * 60 + 2  # + the two of broken.txt
    again = update(folder)
    assert (again.added, again.changed, again.removed, again.unchanged) == (0, 0, 0, 404)


def test_interrupted_after_commit_is_completed_by_next_reader(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    update(folder, [corpus])
    for literal in folder.glob("literal-*"):
        shutil.rmtree(literal)
    assert _count(folder, "灯") == 1


def test_second_index_waits_then_gives_up(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    update(folder, [corpus])
    from whoosh import index as windex

    lock = windex.open_dir(str(folder), INDEX_NAME).storage.lock(INDEX_NAME + "_WRITELOCK")
    assert lock.acquire(blocking=False)
    try:
        proc = _cli("index", "--index", str(folder), env={"GOVSEARCH_LOCK_TIMEOUT": "1"})
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 2
        lines = err.splitlines()
        assert lines[0].startswith("govsearch: another govsearch is updating")
        assert lines[-1].startswith("govsearch: error: another govsearch is updating the index")
        # a search meanwhile sees the last committed state
        assert _count(folder, "灯") == 1
    finally:
        lock.release()


def test_lock_of_killed_process_is_recovered(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    update(folder, [corpus])
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from whoosh import index as w; "
            f"l = w.open_dir({str(folder)!r}, {INDEX_NAME!r}).storage.lock("
            f"{INDEX_NAME + '_WRITELOCK'!r}); assert l.acquire(); print('held', flush=True); "
            "time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    holder.send_signal(signal.SIGKILL)
    holder.communicate()
    (corpus / "extra.txt").write_text("新增通知正文。\n", encoding="utf-8")
    assert update(folder).added == 1


def test_corrupted_index_says_rebuild(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    update(folder, [corpus])
    [literal] = folder.glob("literal-*")
    postings = literal / "postings.npy"
    postings.write_bytes(postings.read_bytes()[:60])
    proc = _cli("search", "消费", "--index", str(folder))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert err.count("\n") == 1 and "govsearch index --rebuild" in err and "Traceback" not in err


def test_corrupted_segments_say_rebuild(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    update(folder, [corpus])
    for segment in folder.glob("*.seg"):
        segment.write_bytes(segment.read_bytes()[:100])
    (corpus / "extra.txt").write_text("新增通知正文。\n", encoding="utf-8")
    proc = _cli("index", "--index", str(folder))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "govsearch index --rebuild" in err and "Traceback" not in err
    assert _count(folder, "灯") == 1  # searches still answer from the last complete state


def test_truncated_manifest_says_rebuild(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    update(folder, [corpus])
    (folder / "manifest.json").write_text('{"schema_ver', encoding="utf-8")
    proc = _cli("search", "消费", "--index", str(folder))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "--rebuild" in err and "Traceback" not in err
    report = update(folder, [corpus], rebuild=True)
    assert report.added == 4 and Manifest.load(folder) is not None


def test_a_literal_index_from_an_older_version_is_rebuilt_on_opening(
    fresh: tuple[Path, Path],
) -> None:
    import numpy as np

    corpus, folder = fresh
    update(folder, [corpus])
    [literal] = folder.glob("literal-*")
    info = np.load(literal / "docinfo.npy")
    np.save(literal / "docinfo.npy", info[:, :3])  # as the previous release wrote it
    with Searcher(folder) as searcher:
        assert searcher.literal.docinfo.shape[1] == info.shape[1]
        assert [h.passage.paragraph for h in searcher.search("灯").hits] == [5]
    assert (np.load(literal / "docinfo.npy") == info).all()


def test_damaged_stored_fields_say_rebuild_in_show_and_stats(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    update(folder, [corpus])
    [literal] = folder.glob("literal-*")
    blob = literal / "stored.blob.bin"
    blob.write_bytes(b"\xff" * len(blob.read_bytes()))
    for args in (["stats"], ["show", "corpus/broken.txt:3"]):
        proc = _cli(*args, "--index", str(folder))
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 2, args
        assert err.count("\n") == 1 and "govsearch index --rebuild" in err, args
