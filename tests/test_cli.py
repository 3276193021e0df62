"""The command line through typer's CliRunner: exact output, exit codes, JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from search.cli import app

runner = CliRunner()


def _search(folder: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["search", *args, "--index", str(folder)])
    return result.exit_code, result.stdout, result.stderr


def test_terminal_output_exact(built: Path) -> None:
    code, out, _ = _search(built, "灯", "--color", "never")
    assert code == 0
    assert out == (
        " 1  corpus/gbk_notice.txt:8\n"
        "    关于开展2023年夜经济消费季活动的通知 · 沈阳市商务局 · 2023-07-15\n"
        "    为促进夜经济发展,点亮城市灯光,现将有关事项通知如下。\n"
        "\n"
    )


def test_json_output_fields(built: Path) -> None:
    code, out, _ = _search(built, "带动销售额", "--json", "--strict")
    assert code == 0
    [line] = out.splitlines()
    hit = json.loads(line)
    assert hit == {
        "schema_version": 1,
        "rank": 1,
        "score": hit["score"],
        "doc_id": "corpus/broken.txt",
        "path": "corpus/broken.txt",
        "line": 5,
        "end_line": 6,
        "match_line": 5,
        "paragraph": 3,
        "location": "corpus/broken.txt:5",
        "title": "关于推动以旧换新的实施意见",
        "date": "2024-03-01",
        "issuer": "大连市人民政府办公室",
        "doc_number": None,
        "url": None,
        "headings": [],
        "text": "全市将开展汽车、家电等消费品以旧换新活动,"
        "预计带动销售额增长15%,惠及群众超过50万人。",
        "spans": [[23, 28]],
        "partial": False,
        "matched": ["带动销售额"],
        "ocr": False,
    }
    assert isinstance(hit["score"], float) and hit["score"] > 0


def test_match_line_points_at_the_joined_line(built: Path) -> None:
    _, out, _ = _search(built, "销售额增长", "--json", "--strict")
    assert json.loads(out)["match_line"] == 6
    _, text_out, _ = _search(built, "销售额增长", "--strict", "--color", "never")
    assert text_out.startswith(" 1  corpus/broken.txt:6\n")


def test_exit_codes(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./seeds here: a missing index is not built
    assert _search(built, "航天")[0] == 1
    code, out, err = _search(built, "")
    assert (code, out) == (2, "")
    assert (
        err
        == 'govsearch: error: the query is empty — give keywords, e.g. govsearch search "促消费"\n'
    )
    code, _, err = _search(built, '"unbalanced')
    assert code == 2 and err.startswith("govsearch: error: unbalanced quote at character 1")
    code, _, err = _search(tmp_path / "nowhere", "消费")
    assert code == 2 and "no index at" in err and "govsearch index" in err


def test_markup_and_escapes_in_documents_are_inert(tmp_path: Path) -> None:
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "evil.txt").write_text(
        "通知[bold red]消费[/] \x1b[31m红色\x1b[0m \x1b]0;title\x07结束。\n", encoding="utf-8"
    )
    folder = tmp_path / "index"
    assert runner.invoke(app, ["index", str(corpus), "--index", str(folder)]).exit_code == 0
    code, out, _ = _search(folder, "消费", "--color", "always")
    assert code == 0
    assert "[bold red]" in out and "\x1b[31m红色" not in out and "\x1b]0;" not in out
    assert "␛[31m红色" in out


def test_index_command_summary_and_missing_path(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    result = runner.invoke(app, ["index", str(corpus), "--index", str(folder)])
    assert result.exit_code == 0
    assert result.stderr.startswith(
        "indexed: 4 added, 0 changed, 0 removed, 0 unchanged, 0 failed, 0 skipped — "
        "5 documents, 27 passages in "
    )
    result = runner.invoke(app, ["index", str(corpus / "missing"), "--index", str(folder)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"govsearch: error: no such file or folder: {corpus / 'missing'}"
        " — check the path and try again\n"
    )


def test_search_builds_seed_index_first(seeds: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(seeds.parent)
    result = runner.invoke(app, ["search", "160余家重点", "--color", "never"])
    assert result.exit_code == 0
    assert result.stderr.startswith("govsearch: no index at index yet: indexing seeds/ first\n")
    assert result.stdout.splitlines()[0] == " 1  seeds/002_251240217543a9b3.txt:11"
    shutil.copy(seeds / "000_27be60c5d12d2868.txt", seeds / "copy.txt")
    again = runner.invoke(app, ["index"])
    assert again.stderr.startswith("indexed: 1 added, 0 changed, 0 removed, 2 unchanged, 0 failed")


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("govsearch ")


@pytest.mark.slow
def test_installed_command_runs(built: Path) -> None:
    exe = Path(sys.executable).with_name("govsearch")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "search"]
    proc = subprocess.run(
        [*command, "search", "灯", "--index", str(built), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["location"] == "corpus/gbk_notice.txt:8"


def test_a_command_runs_from_an_app_narrowed_to_it() -> None:
    from search.cli import _narrowed, app

    assert [c.callback.__name__ for c in _narrowed(["search", "x"]).registered_commands] == [
        "search"
    ]
    assert _narrowed(["search", "x"]).registered_groups == []
    watch = _narrowed(["watch", "list"])
    assert (watch.registered_commands, [g.name for g in watch.registered_groups]) == ([], ["watch"])
    assert len(app.registered_commands) == 7  # the whole app is left as it was
    for args in ([], ["--help"], ["--version"], ["serch", "x"]):
        assert _narrowed(args) is app
