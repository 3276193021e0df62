"""Crash safety, proven by fault injection: an update killed at every step leaves the previous
commit searchable, and the next update completes the work with nothing lost or duplicated.
Plus the lock, a full disk, and damaged files."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from search.searching import Options, Searcher
from search.store import faults
from search.store.manifest import INDEX_NAME, Manifest
from search.store.writer import update

pytestmark = pytest.mark.slow  # every test kills or waits for update processes

SMALL = {"GOVSEARCH_FLUSH_CHARS": "30", "GOVSEARCH_MAX_SEGMENT_CHARS": "100000"}


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "search", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _state(folder: Path) -> tuple[int, int, list[tuple[str, int]]]:
    """Documents and passages of the last commit, and every passage matching 通知 or 灯."""
    with Searcher(folder) as searcher:
        view = searcher.literal
        live = view.live()
        documents = len({int(view.docinfo[n, 0]) for n in live.tolist()})
        hits = searcher.search("通知 OR 灯 OR 工程", Options(limit=0, per_doc=0, strict=True)).hits
        found = sorted((h.document.doc_id, h.passage.paragraph) for h in hits)
    return documents, len(live), found


def _change(corpus: Path) -> None:
    """An update that deletes, changes, adds files and records (several segments, a merge)."""
    (corpus / "broken.txt").unlink()
    (corpus / "pages.md").write_text("# 新的通知\n\n灯光工程推进。\n", encoding="utf-8")
    for i in range(20):
        (corpus / f"n{i}.txt").write_text(f"第{i}号通知\n\n灯光{i}号工程推进。\n", encoding="utf-8")
    with (corpus / "news.jsonl").open("a", encoding="utf-8") as fh:
        record = {"id": "news-003", "title": "夜市通知", "text": "夜市灯光工程。"}
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")


@pytest.mark.parametrize("step", faults.STEPS)
def test_an_update_killed_at_each_step_loses_nothing(
    fresh: tuple[Path, Path], tmp_path: Path, step: str
) -> None:
    corpus, folder = fresh
    update(folder, [corpus])
    before = _state(folder)
    _change(corpus)
    expected_folder = tmp_path / "expected" / "index"
    (tmp_path / "expected").mkdir()
    proc = _cli("index", "--index", str(folder), env={**SMALL, faults.ENV: step})
    proc.communicate(timeout=120)
    assert proc.returncode == faults.KILLED  # the kill landed at that step
    if step == "toc":  # the commit was written: the new state is already searched
        assert _state(folder) != before
    else:
        assert _state(folder) == before
    report = update(folder)
    assert report.failed == []
    shutil.copytree(corpus, tmp_path / "expected" / "corpus")
    update(expected_folder, [tmp_path / "expected" / "corpus"])
    assert _state(folder) == _state(expected_folder)
    leftovers = [p.name for p in folder.iterdir() if p.suffix in (".tmp", ".pst", ".trm")]
    assert leftovers == []


def test_a_full_disk_during_a_commit_keeps_the_previous_one(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    update(folder, [corpus])
    before = _state(folder)
    _change(corpus)
    for step in ("segment", "manifest"):
        proc = _cli("index", "--index", str(folder), env={faults.ENV: f"enospc:{step}"})
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 2
        assert err.splitlines() == [
            f"govsearch: error: cannot write the index at {folder} ({os.strerror(errno.ENOSPC)})"
            " — free disk space or fix the folder's permissions; the previous index is intact"
        ]
        assert _state(folder) == before
    assert update(folder).failed == []
    assert _state(folder) != before


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
        with Searcher(folder) as searcher:  # a search meanwhile sees the last commit
            assert searcher.search("灯").total == 1
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


def test_a_damaged_side_file_says_rebuild(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    update(folder, [corpus])
    [side] = folder.glob("*.lit")
    side.write_bytes(side.read_bytes()[:200])
    for args in (["search", "消费"], ["stats"], ["show", "corpus/broken.txt:3"]):
        proc = _cli(*args, "--index", str(folder))
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 2, args
        assert err.count("\n") == 1 and "govsearch index --rebuild" in err, (args, err)


def test_corrupted_segments_say_rebuild(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    update(folder, [corpus])
    for segment in folder.glob("*.seg"):
        segment.write_bytes(segment.read_bytes()[:100])
    (corpus / "broken.txt").write_text("新增通知正文。\n", encoding="utf-8")
    proc = _cli("index", "--index", str(folder))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "govsearch index --rebuild" in err and "Traceback" not in err
    # ranking reads Whoosh's jieba postings: a search says the same, in one line
    proc = _cli("search", "灯", "--index", str(folder))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2  # (after the out-of-date notice: broken.txt was changed)
    assert err.splitlines()[-1].startswith("govsearch: error: the index at")
    assert "is damaged" in err and "govsearch index --rebuild" in err and "Traceback" not in err


def test_truncated_manifest_says_rebuild(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    update(folder, [corpus])
    [manifest] = folder.glob("manifest-*.json")
    manifest.write_text('{"schema_ver', encoding="utf-8")
    proc = _cli("search", "消费", "--index", str(folder))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "--rebuild" in err and "Traceback" not in err
    report = update(folder, [corpus], rebuild=True)
    assert report.added == 4 and Manifest.load(folder) is not None
