"""search --facets: exact counts of every matching document per issuer, year, month, format
and folder, after the hits (terminal) or as one more JSON line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from search.cli import app
from search.facets import Facet, Facets, count_facets, merge, parse_names
from search.searching import Searcher
from search.store.writer import update

runner = CliRunner()


@pytest.fixture(autouse=True)
def _beside(dated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(dated.parent)


def _search(folder: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["search", *args, "--index", str(folder)])
    return result.exit_code, result.stdout, result.stderr


def test_facets_after_the_hits_exact(dated: Path) -> None:
    code, out, _ = _search(
        dated,
        "以旧换新",
        "-n",
        "1",
        "--facets",
        "issuer,year,month,format,folder",
        "--color",
        "never",
    )
    assert code == 0
    assert out == (
        " 1  corpus/more/dated.jsonl:1#p1\n"
        "    关于汽车以旧换新的意见 · 国务院 · 2022-01-10\n"
        "    推动汽车以旧换新。\n"
        "\n"
        "6 matching documents\n"
        "\n"
        "by issuer\n"
        "  4  商务部\n"
        "  1  国务院\n"
        "  1  大连市人民政府办公室\n"
        "\n"
        "by year\n"
        "  2  2022\n"
        "  2  2024\n"
        "  1  2023\n"
        "  1  (undated)\n"
        "\n"
        "by month\n"
        "  1  2022-01\n"
        "  1  2022-11\n"
        "  1  2023-02\n"
        "  1  2024-03\n"
        "  1  2024-07\n"
        "  1  (undated)\n"
        "\n"
        "by format\n"
        "  5  jsonl\n"
        "  1  txt\n"
        "\n"
        "by folder\n"
        "  5  corpus/more\n"
        "  1  corpus\n"
    )


def test_facets_json_line_after_the_hits(dated: Path) -> None:
    code, out, _ = _search(dated, "以旧换新", "-n", "2", "--json", "--facets", "year,issuer")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line.get("rank") for line in lines] == [1, 2, None]
    assert lines[-1] == {
        "schema_version": 1,
        "facets": {
            "year": [
                {"value": "2022", "documents": 2},
                {"value": "2024", "documents": 2},
                {"value": "2023", "documents": 1},
                {"value": None, "documents": 1},
            ],
            "issuer": [
                {"value": "商务部", "documents": 4},
                {"value": "国务院", "documents": 1},
                {"value": "大连市人民政府办公室", "documents": 1},
            ],
        },
        "documents": 6,
    }


def test_no_facets_line_without_the_option(dated: Path) -> None:
    _, out, _ = _search(dated, "以旧换新", "-n", "0", "--json")
    assert all("facets" not in json.loads(line) for line in out.splitlines())
    assert len(out.splitlines()) == 7  # every passage (broken.txt has two): no facets line


def test_facets_follow_the_filters_and_count_no_document_twice(dated: Path) -> None:
    code, out, _ = _search(
        dated, "消费", "--issuer", "商务部", "--since", "2022-06", "--json", "--facets", "month"
    )
    assert code == 0
    assert json.loads(out.splitlines()[-1])["facets"] == {
        "month": [
            {"value": "2022-11", "documents": 1},
            {"value": "2023-02", "documents": 1},
            {"value": "2024-03", "documents": 1},
        ]
    }  # news-002 (2024-03) has 消费 in both of its passages: counted once


def test_facets_when_nothing_matches(dated: Path) -> None:
    code, out, _ = _search(dated, "不存在的词", "--facets", "issuer", "--color", "never")
    assert code == 1
    assert out == "0 matching documents\n\nby issuer\n"


def test_unknown_facet_names_the_known_ones(dated: Path) -> None:
    code, out, err = _search(dated, "消费", "--facets", "year,colour")
    assert (code, out) == (2, "")
    assert err == (
        "govsearch: error: unknown facet 'colour' — give some of: issuer,year,month,format,folder\n"
    )


def test_empty_facet_list(dated: Path) -> None:
    code, out, err = _search(dated, "消费", "--facets", "")
    assert (code, out) == (2, "")
    assert err == (
        "govsearch: error: --facets needs a facet name — "
        "give some of: issuer,year,month,format,folder\n"
    )


@pytest.mark.parametrize("flag", ["-c", "-l"])
def test_facets_refused_with_count_and_files(dated: Path, flag: str) -> None:
    code, out, err = _search(dated, "消费", flag, "--facets", "year")
    assert (code, out) == (2, "")
    assert err == "govsearch: error: --facets prints after the hits — drop -l/-c, or use --json\n"


def test_terminal_shows_ten_values_and_says_how_many_more() -> None:
    from io import StringIO

    from rich.console import Console

    from search.facets import write_facets

    many = Facets(12, (Facet("issuer", tuple((f"机关{i:02d}", 1) for i in range(12))),))
    out = StringIO()
    write_facets(many, Console(file=out, color_system=None, width=80))
    assert out.getvalue().splitlines()[-3:] == [
        "  1  机关08",
        "  1  机关09",
        "  … 2 more values (--json lists all)",
    ]


def test_shards_sum_to_the_whole(dated: Path) -> None:
    """Facets of two halves of the matches (as two shards would give them) merge into the
    facets of all of them."""
    with Searcher(dated) as searcher:
        view = searcher.literal
        found = view.matches("以旧换新")
        names = ("issuer", "year", "format")
        whole = count_facets(view, found, names, searcher.base)
        owners = np.asarray(view.docinfo[:, 0])[found]
        first = owners < np.median(owners)
        halves = [count_facets(view, found[part], names, searcher.base) for part in (first, ~first)]
    assert merge(halves) == whole
    assert whole.documents == 6


def test_parse_names() -> None:
    assert parse_names(" Year, issuer,year ") == ("year", "issuer")


def test_merge_counts_one_issuer_spelt_two_ways_once() -> None:
    def one(issuer: str, n: int) -> Facets:
        return Facets(n, (Facet("issuer", ((issuer, n), ("", 1))), Facet("year", (("2024", n),))))

    assert merge([one("國務院", 1), one("国务院", 2), one("商务部", 1)]) == Facets(
        4,
        (
            Facet("issuer", (("国务院", 3), ("商务部", 1), ("", 3))),
            Facet("year", (("2024", 4),)),
        ),
    )


def test_folders_as_typed_from_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files at the top of the collection are in "."; run from elsewhere, folders are paths
    from there."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("促进消费。\n", encoding="utf-8")
    (tmp_path / "sub" / "b.md").write_text("扩大消费。\n", encoding="utf-8")
    folder = tmp_path / "index"
    update(folder, [tmp_path])
    monkeypatch.chdir(tmp_path)
    _, out, _ = _search(folder, "消费", "--json", "--facets", "folder,format")
    assert json.loads(out.splitlines()[-1])["facets"] == {
        "folder": [{"value": ".", "documents": 1}, {"value": "sub", "documents": 1}],
        "format": [{"value": "md", "documents": 1}, {"value": "txt", "documents": 1}],
    }
    monkeypatch.chdir(tmp_path / "sub")
    _, out, _ = _search(folder, "消费", "--json", "--facets", "folder")
    assert json.loads(out.splitlines()[-1])["facets"]["folder"] == [
        {"value": ".", "documents": 1},
        {"value": str(tmp_path), "documents": 1},
    ]


def test_values_are_data_not_markup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    issuer = "[red]机关[/red]\x1b[31m"
    record = {"id": "x", "date": "2024-01-02", "issuer": issuer, "text": "消费。"}
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "x.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    update(tmp_path / "index", [tmp_path / "c"])
    monkeypatch.chdir(tmp_path)
    code, out, _ = _search(
        tmp_path / "index", "消费", "-n", "0", "--facets", "issuer", "--color", "always"
    )
    assert code == 0
    assert "[red]机关[/red]␛[31m" in out and "\x1b[31m" not in out.split("by issuer")[1]
