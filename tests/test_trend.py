"""govsearch trend: matching documents (or passages) per period for each query, side by side,
as bars, JSON, CSV or an image; undated ones counted apart."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from search.cli import app
from search.trend_render import bar

runner = CliRunner()


def _trend(folder: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["trend", *args, "--index", str(folder)])
    return result.exit_code, result.stdout, result.stderr


def test_terminal_chart_exact(dated: Path) -> None:
    code, out, _ = _trend(dated, "以旧换新", "消费", "--color", "never")
    assert code == 0
    assert out == (
        "         以旧换新                           消费\n"
        "2022     ███████████████▌                2  ███████▊                        1\n"
        "2023     ███████▊                        1  ███████████████████████████████ 4\n"
        "2024     ███████████████▌                2  ███████████████▌                2\n"
        "undated                                  1                                  1\n"
        "matching documents per year (total 6, 8); undated documents are counted apart, "
        "not in the bars\n"
    )


def test_quarters_include_the_empty_ones(dated: Path) -> None:
    code, out, _ = _trend(dated, "以旧换新", "消费", "--by", "quarter", "--csv")
    assert code == 0
    assert out == (
        "period,以旧换新,消费\n"
        "2022-Q1,1,0\n2022-Q2,0,0\n2022-Q3,0,0\n2022-Q4,1,1\n"
        "2023-Q1,1,2\n2023-Q2,0,0\n2023-Q3,0,2\n2023-Q4,0,0\n"
        "2024-Q1,1,2\n2024-Q2,0,0\n2024-Q3,1,0\n"
        "undated,1,1\n"
    )


def test_json_counts_passages_within_the_dates(dated: Path) -> None:
    code, out, _ = _trend(
        dated,
        "消费",
        "--by",
        "month",
        "--since",
        "2023-02",
        "--until",
        "2023-04",
        "--passages",
        "--json",
    )
    assert code == 0
    assert json.loads(out) == {
        "schema_version": 1,
        "by": "month",
        "unit": "passages",
        "periods": ["2023-02", "2023-03", "2023-04"],
        "series": [{"query": "消费", "counts": [2, 0, 0], "undated": 0, "total": 2}],
    }


def test_documents_count_once_passages_each(dated: Path) -> None:
    """news-002 (2024-03) has 消费 in both of its passages."""
    _, documents, _ = _trend(dated, "消费", "--since", "2024", "--until", "2024", "--csv")
    _, passages, _ = _trend(
        dated, "消费", "--since", "2024", "--until", "2024", "--csv", "--passages"
    )
    assert (documents, passages) == (
        "period,消费\n2024,2\nundated,0\n",
        "period,消费\n2024,4\nundated,0\n",
    )


def test_issuer_filter(dated: Path) -> None:
    _, out, _ = _trend(dated, "以旧换新", "--issuer", "国务院", "--csv")
    assert out == "period,以旧换新\n2022,1\nundated,0\n"


def test_nothing_matches_exit_1(dated: Path) -> None:
    code, out, _ = _trend(dated, "不存在的词", "--csv")
    assert (code, out) == (1, "period,不存在的词\nundated,0\n")


def test_bad_input(dated: Path, tmp_path: Path) -> None:
    code, _, err = _trend(dated, "消费", "--by", "week")
    assert code == 2 and "week" in err
    code, out, err = _trend(dated, "消费", "--json", "--csv")
    assert (code, out, err) == (
        2,
        "",
        "govsearch: error: --json and --csv exclude each other — pick one\n",
    )
    code, out, err = _trend(dated, "消费", "--plot", str(tmp_path / "chart.pdf"))
    assert (code, out) == (2, "")
    chart = tmp_path / "chart.pdf"
    assert err == f"govsearch: error: cannot write a chart to {chart} — name a .png or .svg file\n"


def test_plot_without_the_extra_says_how_to_install(
    dated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib fails
    code, out, err = _trend(dated, "消费", "--plot", str(tmp_path / "chart.png"))
    assert (code, out) == (2, "")
    assert err == (
        "govsearch: error: --plot needs matplotlib — "
        "install the plot extra: pip install 'govsearch[plot]'\n"
    )
    assert not (tmp_path / "chart.png").exists()


@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_plot_writes_the_image(dated: Path, tmp_path: Path, suffix: str) -> None:
    pytest.importorskip("matplotlib", reason="the plot extra is not installed")
    chart = tmp_path / f"chart{suffix}"
    code, out, _ = _trend(dated, "以旧换新", "消费", "--plot", str(chart), "--csv")
    assert code == 0 and out.startswith("period,")  # the numbers still go to stdout
    data = chart.read_bytes()
    if suffix == ".svg":
        text = data.decode("utf-8")
        assert text.startswith("<?xml") and "<svg" in text
        assert text.count('<g id="patch_') >= 2 * 3  # two series of three years, and more
        again = tmp_path / "again.svg"
        _trend(dated, "以旧换新", "消费", "--plot", str(again), "--csv")
        assert again.read_bytes() == data  # no date inside: the same chart, the same bytes
    else:
        assert data.startswith(b"\x89PNG\r\n\x1a\n")


def test_bar_eighths() -> None:
    assert [bar(n, 8, 1) for n in range(9)] == ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]
    assert bar(1, 1000, 10) == "▏"  # never nothing for a match
    assert bar(3, 4, 4) == "███"


def test_one_end_of_the_range_from_the_options_the_other_from_the_matches(dated: Path) -> None:
    _, out, _ = _trend(dated, "以旧换新", "--until", "2023-06", "--csv")
    assert out == "period,以旧换新\n2022,2\n2023,1\nundated,0\n"
    _, out, _ = _trend(dated, "以旧换新", "--since", "2021", "--csv")
    assert out == "period,以旧换新\n2021,0\n2022,2\n2023,1\n2024,2\nundated,0\n"
