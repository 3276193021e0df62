"""Issue 4 (scripted use): terminal conventions — colour, NO_COLOR, quiet on a closed pipe,
``-l``/``-c``, results on stdout and diagnostics on stderr, ``--version``, completion, and
the out-of-date index warning with ``--refresh``."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from search import analysis
from search.cli import app
from tests.conftest import read_terminal

runner = CliRunner()
ANSI = "\x1b["


def _command() -> list[str]:
    exe = Path(sys.executable).with_name("govsearch")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "search"]


def _search(folder: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["search", *args, "--index", str(folder)], env=env)
    return result.exit_code, result.stdout, result.stderr


def _in_terminal(args: list[str], **env: str) -> str:
    """What the command writes to stdout when stdout is a terminal (a pseudo-terminal)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environ.update(TERM="xterm-256color", COLUMNS="200", **env)
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [*_command(), *args],
        stdin=subprocess.DEVNULL,
        stdout=child,
        stderr=subprocess.DEVNULL,
        env=environ,
    )
    os.close(child)
    output = read_terminal(main)
    proc.wait(timeout=60)
    os.close(main)
    return output.decode("utf-8")


# --- colour -------------------------------------------------------------------------------------


def test_color_always_and_never(built: Path) -> None:
    code, out, _ = _search(built, "夜经济", "--color", "always")
    assert code == 0
    assert "\x1b[1;31m夜经济\x1b[0m" in out and "\x1b[1;35mcorpus/gbk_notice.txt:3\x1b[0m" in out
    _, out, _ = _search(built, "夜经济", "--color", "always", env={"NO_COLOR": "1"})
    assert "\x1b[1;31m夜经济\x1b[0m" in out  # the explicit flag wins over the environment
    _, out, _ = _search(built, "夜经济", "--color", "never")
    assert ANSI not in out
    _, out, _ = _search(built, "夜经济")  # auto, and the CliRunner's stdout is no terminal
    assert ANSI not in out


@pytest.mark.slow
def test_color_on_a_terminal_unless_no_color(built: Path) -> None:
    args = ["search", "夜经济", "--index", str(built)]
    assert "\x1b[1;31m夜经济" in _in_terminal(args)
    plain = _in_terminal(args, NO_COLOR="1")
    assert ANSI not in plain and "corpus/gbk_notice.txt:3" in plain
    assert ANSI not in _in_terminal([*args, "--color", "never"])


# --- pipes --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index whose searches print thousands of lines (far more than a pipe buffer)."""
    from search.store.writer import update

    analysis.configure("rjieba", None)
    root = tmp_path_factory.mktemp("many")
    corpus = root / "corpus"
    corpus.mkdir()
    lines = [f"第{i}条 各地要扩大消费,稳定增长,第{i}项措施落实到位。" for i in range(1, 3001)]
    (corpus / "long.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    update(root / "index", [corpus])
    return root / "index"


@pytest.mark.slow
@pytest.mark.parametrize("form", [[], ["--json"], ["-l"]])
def test_closed_pipe_ends_quietly(many: Path, form: list[str]) -> None:
    command = " ".join([*_command(), "search", "消费", "-n", "0", "--index", str(many), *form])
    proc = subprocess.run(
        ["sh", "-c", f"{command} | head -1"], capture_output=True, text=True, timeout=120
    )
    assert proc.stderr == ""
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 1


@pytest.mark.slow
def test_batch_into_a_closed_pipe_ends_quietly(many: Path) -> None:
    command = " ".join([*_command(), "batch", "--index", str(many), "-n", "0"])
    proc = subprocess.run(
        ["sh", "-c", f"printf '消费\\n扩大\\n' | {command} | head -1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stderr == "" and proc.stdout.startswith('{"qid": "1", ')


def test_no_progress_bar_when_not_a_terminal(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    result = runner.invoke(app, ["index", str(corpus), "--index", str(folder)])
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("indexed: 4 added")
    result = runner.invoke(app, ["batch", "--index", str(folder)], input="消费\n灯\n")
    assert result.exit_code == 0 and result.stderr == ""


# --- -l and -c ----------------------------------------------------------------------------------


def test_files_lists_distinct_documents_in_rank_order(built: Path) -> None:
    assert _search(built, "消费", "-l") == (  # a JSON Lines record: path:line
        0,
        "corpus/news.jsonl:2\ncorpus/gbk_notice.txt\ncorpus/news.jsonl:1\ncorpus/broken.txt\n"
        "corpus/pages.md\n",
        "",
    )
    assert _search(built, "消费", "--files", "-n", "2") == (
        0,
        "corpus/news.jsonl:2\ncorpus/gbk_notice.txt\n",
        "",
    )
    assert _search(built, "消费", "-l", "--issuer", "国务院") == (0, "corpus/news.jsonl:1\n", "")
    assert _search(built, "航天", "-l") == (1, "", "")


def test_count_prints_the_number_of_matching_passages(built: Path) -> None:
    assert _search(built, "消费", "-c") == (0, "8\n", "")
    assert _search(built, "消费", "--count", "--since", "2024") == (0, "4\n", "")
    assert _search(built, "航天", "-c") == (1, "0\n", "")


def test_output_modes_exclude_each_other(built: Path) -> None:
    assert _search(built, "消费", "-c", "-l") == (
        2,
        "",
        "govsearch: error: --json, -l/--files and -c/--count exclude each other — pick one\n",
    )


# --- version, completion --------------------------------------------------------------------


def test_version_and_completion() -> None:
    from search import __version__

    assert runner.invoke(app, ["--version"]).stdout == f"govsearch {__version__}\n"
    help_text = runner.invoke(app, ["--help"]).stdout
    assert "--install-completion" in help_text and "--show-completion" in help_text
    for command in ("index", "search", "batch", "stats", "show"):
        assert command in help_text


# --- an out-of-date index -------------------------------------------------------------------


def test_out_of_date_index_warns_and_refresh_updates(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    (corpus / "empty.txt").write_bytes(b"")  # cannot be indexed: must not count as new
    runner.invoke(app, ["index", str(corpus), "--index", str(folder)])
    assert _search(folder, "消费", "-c") == (0, "8\n", "")
    with open(corpus / "broken.txt", "a", encoding="utf-8") as fh:
        fh.write("补充说明:扩大消费。\n")
    (corpus / "pages.md").unlink()
    new = corpus / "new.txt"
    new.write_text("新的通知:促进消费。\n", encoding="utf-8")
    later = time.time() + 5
    os.utime(new, (later, later))
    code, out, err = _search(folder, "消费", "-c")
    assert (code, out) == (0, "8\n")
    assert err == (
        "govsearch: the index is out of date: 3 files changed since the last update "
        f"(1 new, 1 modified, 1 deleted) — update it: govsearch index --index {folder}, "
        "or search with --refresh\n"
    )
    code, out, err = _search(folder, "消费", "-c", "--refresh")
    assert (code, out) == (0, "9\n")
    assert "empty.txt" not in err  # unchanged since it failed: not read or reported again
    assert err.startswith("indexed: 1 added, 1 changed, 1 removed, 2 unchanged, 0 failed")
    assert _search(folder, "消费", "-c") == (0, "9\n", "")
    stats = runner.invoke(app, ["stats", "--index", str(folder)]).stdout
    assert "up to date  yes\n" in stats


def test_the_staleness_walk_follows_the_rules_of_find(fresh: tuple[Path, Path]) -> None:
    from search import documents
    from search.freshness import unlisted

    corpus, _ = fresh
    (corpus / ".hidden.txt").write_text("x", encoding="utf-8")
    (corpus / ".git").mkdir()
    (corpus / ".git" / "inside.txt").write_text("x", encoding="utf-8")
    (corpus / "data.bin").write_bytes(b"x")
    (corpus / "sub").mkdir()
    (corpus / "sub" / "b.md").write_text("x", encoding="utf-8")
    (corpus / "link").symlink_to(corpus / "sub")
    found = documents.find([corpus]).files
    assert sorted(p.resolve() for p in unlisted([corpus], set())) == found
    assert list(unlisted([corpus], {str(p) for p in found})) == []
    assert list(unlisted([corpus / "data.bin"], set())) == [corpus / "data.bin"]
