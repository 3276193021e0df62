"""Issue 12: at the terminal, as a person expects — query arguments, exit status and notices,
help.  Exact output on the shared corpus."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from search.cli import app
from tests.conftest import read_terminal

runner = CliRunner()


def _search(folder: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["search", "--index", str(folder), *args])
    return result.exit_code, result.stdout, result.stderr


# --- 1: every argument is query text; -- and -e as in ripgrep -------------------------------


def test_extra_arguments_are_more_keywords(built: Path) -> None:
    assert _search(built, "夜经济", "消费", "-c") == (0, "1\n", "")
    assert _search(built, "夜经济", "-n", "1", "消费", "--color", "never") == (
        0,
        " 1  corpus/gbk_notice.txt:3\n"
        "    沈阳市商务局 · 2023-07-15\n"
        "    关于开展2023年夜经济消费季活动的通知\n"
        "\n",
        "",
    )


@pytest.mark.parametrize(
    "args",
    [
        ["-消费", "夜经济"],
        ["--", "-消费", "夜经济"],
        ["-e", "-消费", "夜经济"],
        ["夜经济", "-e", "-消费"],
        ["夜经济", "--query=-消费"],
        ["夜经济", "-e-消费"],
        ["-e", "夜经济 -消费"],
    ],
)
def test_a_word_starting_with_a_dash_is_query_text(built: Path, args: list[str]) -> None:
    assert _search(built, "-l", *args) == (0, "corpus/gbk_notice.txt\n", "")
    assert _search(built, "-c", *args) == (0, "1\n", "")  # 夜经济 without 消费: line 8 only


def test_after_a_double_dash_options_are_text(built: Path) -> None:
    # -l after -- is text (NOT l), not the option that -c excludes
    assert _search(built, "-c", "--", "-l", "夜经济") == (0, "2\n", "")


def test_an_option_value_starting_with_a_dash_stays_the_options(built: Path) -> None:
    code, out, err = _search(built, "夜经济", "-n", "-1")
    assert (code, out) == (2, "")
    assert "Invalid value for '-n' / '--limit'" in err  # the rest is worded by click
    assert _search(built, "--issuer", "-", "夜经济", "-c") == (1, "0\n", "")


def test_a_mistyped_option_is_still_an_error(built: Path) -> None:
    code, out, err = _search(built, "夜经济", "--limt", "3")
    assert (code, out) == (2, "")
    assert "No such option: --limt" in err


def test_an_empty_query_from_no_words(built: Path) -> None:
    assert _search(built) == (
        2,
        "",
        'govsearch: error: the query is empty — give keywords, e.g. govsearch search "促消费"\n',
    )


# --- 11: help -------------------------------------------------------------------------------


def test_dash_h_is_help_and_descriptions_are_whole() -> None:
    result = runner.invoke(app, ["-h"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert result.stdout.endswith(
        "Commands:\n"
        "  index    Index files and folders, or refresh the index.\n"
        "  search   Ranked passages for a query.\n"
        "  batch    Run many queries: one per line of a file or stdin.\n"
        "  stats    What the index holds.\n"
        "  show     A passage in its document, or a whole document.\n"
        "  trend    Matching documents per year, quarter or month, as bars.\n"
        "  cluster  Long-lived Ray actors that keep the shards open.\n"
        "  watch    Saved searches: what is new since last run.\n"
    )
    assert "…" not in result.stdout


def _command() -> list[str]:
    exe = Path(sys.executable).with_name("govsearch")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "search"]


def _help(*args: str, columns: int) -> str:
    """The help as printed by the installed command on a terminal of ``columns`` columns."""
    command = _command()
    env = {**os.environ, "COLUMNS": str(columns)}
    proc = subprocess.run([*command, *args], capture_output=True, text=True, env=env, check=True)
    return proc.stdout


@pytest.mark.parametrize("command", ["index", "search", "batch", "stats", "show"])
@pytest.mark.parametrize("columns", [60, 100])
def test_help_fits_the_terminal_and_names_no_types(command: str, columns: int) -> None:
    from search.cli_help import width

    out = _help(command, "-h", columns=columns)
    assert max(width(line) for line in out.splitlines()) <= columns
    assert not re.search(r"<[a-z]|\{[A-Z]|list\[|int range|x>=", out)


def test_help_uses_the_terminal_width() -> None:
    line = "  --userdict FILE           Extra jieba dictionary (word [freq] [tag] per line);"
    assert line + " remembered by the index.\n" in _help("index", "-h", columns=120)
    assert line not in _help("index", "-h", columns=80)


def test_search_help_shows_the_query_syntax() -> None:
    out = _help("search", "--help", columns=100)
    assert out.startswith("Usage: govsearch search [OPTIONS] [QUERY...]\n")
    assert (
        "  -e, --query TEXT           Query text, even if it begins with - (repeatable).\n" in out
    )
    assert (
        "Query syntax:\n"
        "  夜经济 消费              passages holding both keywords, each as written, also inside"
        " longer\n"
        "                           words\n"
        '  "以旧换新 补贴"          an exact phrase (also “…” and 「…」 at word boundaries)\n'
        "  夜经济 OR 首店           either of them (also |)\n"
    ) in out
    for example in ("date:2023-01..2023-06", "title:通知", "消费 NOT 汽车", "-- -消费 夜经济"):
        assert f"  {example}" in out


# --- 2: exit status, whole keywords in partial hits, notices on a terminal -------------------


@pytest.mark.parametrize("mode", [[], ["--json"], ["-l"], ["-c"], ["--strict"]])
def test_exit_status_says_whether_the_whole_query_matched(built: Path, mode: list[str]) -> None:
    assert _search(built, "夜经济", "xyzzy", *mode)[0] == 1
    assert _search(built, "夜经济", "消费", *mode)[0] == 0
    assert _search(built, "航天", *mode)[0] == 1


def test_partial_hits_hold_whole_keywords(built: Path) -> None:
    code, out, _ = _search(built, "外贸形势", "促消费稳增长", "--json")
    hits = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert [(h["location"], h["partial"], h["matched"]) for h in hits] == [
        ("corpus/news.jsonl:1#p2", True, ["促消费稳增长"]),
        ("corpus/pages.md:3", True, ["外贸形势"]),
    ]


def test_a_typed_question_is_still_split_into_words(built: Path) -> None:
    code, out, _ = _search(built, "怎么发放消费券", "--json", "-n", "1")
    hit = json.loads(out)
    assert code == 1
    assert (hit["location"], hit["matched"]) == ("corpus/gbk_notice.txt:9", ["发放", "消费"])


def _on_terminal(args: list[str]) -> tuple[int, str]:
    """Exit status and what the command writes when stdout and stderr are a terminal."""
    command = _command()
    environ = {**os.environ, "TERM": "dumb", "NO_COLOR": "1", "COLUMNS": "200"}
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [*command, *args], stdin=subprocess.DEVNULL, stdout=child, stderr=child, env=environ
    )
    os.close(child)
    output = read_terminal(main)
    code = proc.wait(timeout=60)
    os.close(main)
    return code, output.decode("utf-8").replace("\r\n", "\n")


def test_on_a_terminal_a_partial_result_says_so_first(built: Path) -> None:
    code, out = _on_terminal(["search", "夜经济", "xyzzy", "-n", "1", "--index", str(built)])
    assert code == 1
    assert out == (
        "govsearch: no passage contains all of: 夜经济, xyzzy — showing passages with some of"
        " them\n"
        " 1  corpus/gbk_notice.txt:3  [partial: 夜经济]\n"
        "    沈阳市商务局 · 2023-07-15\n"
        "    关于开展2023年夜经济消费季活动的通知\n"
        "\n"
    )


def test_on_a_terminal_no_match_says_so(built: Path) -> None:
    for form in ([], ["-l"], ["--json"]):
        assert _on_terminal(["search", "航天", "--index", str(built), *form]) == (
            1,
            "govsearch: no matches\n",
        )
    assert _on_terminal(["search", "航天", "-c", "--index", str(built)]) == (1, "0\n")
    assert _search(built, "航天") == (1, "", "")  # a script: nothing at all


# --- 3: no silent zero results ---------------------------------------------------------------


def test_a_trailing_star_is_a_prefix_search(built: Path) -> None:
    assert _search(built, "消费*", "-c") == _search(built, "消费", "-c") == (0, "8\n", "")
    assert _search(built, "title:通知*", "-c") == (0, "9\n", "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["消*费"],
            "a * inside a keyword at character 1: 消*费 — keywords match inside longer words:"
            ' drop the *, or quote it: "5*3"',
        ),
        (
            ["date:2018-01..2017-01"],
            "the date range 2018-01..2017-01 ends before it starts: date:2018-01..2017-01"
            " — write the earlier date first: date:2017-01..2018-01",
        ),
        (
            ["NOT", "消费"],
            "NOT only excludes, and nothing is left to search for: NOT 消费"
            " — add what to find, e.g. 夜经济 NOT 消费",
        ),
        (
            ["-消费", "OR", "夜经济"],
            "NOT only excludes, and nothing is left to search for: -消费 OR 夜经济"
            " — add what to find, e.g. 夜经济 NOT 消费",
        ),
        (
            ["消费", "--since", "2024", "--until", "2023-06"],
            "--since 2024 is after --until 2023-06 — give the earlier date to --since",
        ),
    ],
)
def test_queries_that_find_nothing_by_form_are_explained(
    built: Path, args: list[str], message: str
) -> None:
    assert _search(built, *args) == (2, "", f"govsearch: error: {message}\n")


def test_not_beside_a_keyword_still_works(built: Path) -> None:
    assert _search(built, "夜经济", "NOT", "消费", "-c") == (0, "1\n", "")
    assert _search(built, "date:2023", "-c") == (0, "11\n", "")
