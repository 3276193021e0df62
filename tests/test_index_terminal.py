"""Issue 12, items 7 and 8: ``govsearch index`` at a terminal.

Ctrl-C while indexing — sent as a terminal sends it, to the whole process group of a real
``govsearch index`` in a pseudo-terminal, once its worker processes run — is one line and
exit status 130, with no traceback, and the index is unchanged.  Progress counts bytes, with
documents and passages so far, and shows the stage while Whoosh commits."""

from __future__ import annotations

import os
import pty
import random
import re
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from search.cli import app
from tests.conftest import read_terminal

pytestmark = pytest.mark.slow  # every test runs the command on a pseudo-terminal

runner = CliRunner()
WORDS = "经济 发展 消费 市场 政策 推动 建设 改革 创新 服务 企业 就业 民生 城市 乡村 振兴".split()


def _command() -> list[str]:
    exe = Path(sys.executable).with_name("govsearch")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "search"]


def _workers(pid: int) -> list[int]:
    """The worker processes of ``pid``: its children (from /proc)."""
    found = []
    for name in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
        except (OSError, NotADirectoryError):
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(name))
    return found


def _interrupted(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run ``govsearch`` in a pseudo-terminal; once two indexing workers run, send SIGINT to its
    process group (what Ctrl-C does); its exit status and everything it printed."""
    main, child = pty.openpty()
    env = {**os.environ, "GOVSEARCH_JOBS": "2", "TERM": "dumb", "COLUMNS": "100"}
    env["GOVSEARCH_FAULT"] = "pause:segment"  # the workers wait after their first segment
    proc = subprocess.Popen(
        [*_command(), *args],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    os.close(child)
    try:
        while len(_workers(proc.pid)) < 2 and proc.poll() is None:
            if select.select([main], [], [], 0.1)[0]:
                os.read(main, 65536)  # keep the terminal drained while waiting
        assert proc.poll() is None, "the update finished before its workers were seen"
        os.killpg(proc.pid, signal.SIGINT)
        text = read_terminal(main).decode("utf-8", "replace")
        return proc.wait(timeout=120), re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "", text)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        os.close(main)


@pytest.fixture
def big(tmp_path: Path) -> Path:
    """An indexed small corpus, then 4 MB more of it: an update that takes a while."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "small.txt").write_text("关于促进消费的通知\n", encoding="utf-8")
    assert (
        runner.invoke(app, ["index", str(corpus), "--index", str(tmp_path / "index")]).exit_code
        == 0
    )
    rng = random.Random(7)
    for n in range(8):
        lines = ("".join(rng.choice(WORDS) for _ in range(20)) + "。" for _ in range(4000))
        (corpus / f"big{n}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("rebuild", [[], ["--rebuild"]])
def test_ctrl_c_while_indexing_is_one_line(big: Path, rebuild: list[str]) -> None:
    code, out = _interrupted(["index", "corpus", "--index", "index", *rebuild], big)
    assert code == 130
    assert "Traceback" not in out and "KeyboardInterrupt" not in out
    assert out.rstrip("\n").rsplit("\n", 1)[-1] == "govsearch: interrupted; the index is unchanged"
    assert out.count("govsearch:") == 1
    assert not list(big.glob("index.rebuild"))
    result = runner.invoke(app, ["search", "消费", "-c", "--index", str(big / "index")])
    assert (result.exit_code, result.stdout) == (0, "1\n")


def test_ctrl_c_in_a_first_index_leaves_no_folder(big: Path) -> None:
    code, out = _interrupted(["index", "corpus", "--index", "new"], big)
    assert code == 130 and "Traceback" not in out
    assert not (big / "new").exists()


def test_ctrl_c_in_a_search_is_one_line(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from search.searching import Searcher

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Searcher, "stream", interrupt)
    result = runner.invoke(app, ["search", "消费", "--index", str(built)])
    assert (result.exit_code, result.stdout, result.stderr) == (130, "", "govsearch: interrupted\n")


# --- item 8: progress by bytes and records, with a visible stage while committing ----------------


def test_progress_counts_bytes_documents_and_passages(fresh: tuple[Path, Path]) -> None:
    from search.models import Step
    from search.store.writer import update

    corpus, folder = fresh
    steps: list[Step] = []
    update(folder, [corpus], progress=steps.append)
    size = sum(p.stat().st_size for p in corpus.iterdir())
    assert [s.stage for s in steps] == ["reading"] * (len(steps) - 1) + ["committing"]
    assert all(s.total == size for s in steps)
    assert [s.done for s in steps] == sorted(s.done for s in steps)
    assert (steps[0].done, steps[-1].done) == (0, size)
    assert (steps[-1].documents, steps[-1].passages) == (5, 27)
    assert [s.name for s in steps if s.stage == "reading"] == [
        "broken.txt",
        "gbk_notice.txt",
        "news.jsonl",
        "pages.md",
    ]


def test_progress_moves_inside_a_large_dump(tmp_path: Path) -> None:
    from search.models import Step
    from search.store.writer import update

    corpus = tmp_path / "dump"
    corpus.mkdir()
    records = [f'{{"id": "r{n}", "text": "第{n}条 促进消费。"}}' for n in range(2500)]
    dump = corpus / "dump.jsonl"
    dump.write_text("\n".join(records) + "\n", encoding="utf-8")
    steps: list[Step] = []
    update(tmp_path / "index", [corpus], progress=steps.append)
    inside = [(s.documents, s.passages) for s in steps if 0 < s.done < s.total]
    assert inside == [(1000, 1000), (2000, 2000)]
    assert [(s.stage, s.done, s.documents) for s in steps[-1:]] == [
        ("committing", dump.stat().st_size, 2500),
    ]


def test_the_progress_line_on_a_terminal(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    main, child = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "200"}
    proc = subprocess.Popen(
        [*_command(), "index", str(corpus), "--index", str(folder)],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
    )
    os.close(child)
    output = read_terminal(main)
    assert proc.wait(timeout=120) == 0
    os.close(main)
    out = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output.decode()).replace("\r", "\n")
    lines = [" ".join(line.split()) for line in out.splitlines()]
    size = sum(p.stat().st_size for p in corpus.iterdir())
    kib = f"{size / 1024:.1f}/{size / 1024:.1f} KiB"
    committing = [line for line in lines if line.startswith("committing ")]
    assert committing and all(
        re.fullmatch(
            f"committing ━{{20}} 100% {kib} 5 documents, 27 passages elapsed"
            r" \d:\d\d:\d\d merging segments, writing the manifest and Whoosh's TOC",
            line,
        )
        for line in committing
    )
