"""Issue 4 (scripted use): ``govsearch stats`` and ``govsearch show``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from search import analysis
from search.cli import app
from search.stats import folder_size

runner = CliRunner()


def _run(folder: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--index", str(folder)])
    return result.exit_code, result.stdout, result.stderr


def test_stats_text(built: Path) -> None:
    code, out, err = _run(built, "stats")
    assert (code, err) == (0, "")
    size = folder_size(built)
    updated = re.search(r"^updated     (\S+)$", out, re.M)
    assert updated and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", updated[1])
    kib = f"{size / 1024:.1f} KiB"
    assert out == (
        f"index       {built}\n"
        "documents   5\n"
        "passages    27\n"
        f"size        {kib} ({size} bytes)\n"
        f"updated     {updated[1]}\n"
        "collection  corpus\n"
        "segmenter   rjieba\n"
        f"dictionary  {analysis.fingerprint()['dictionary']}\n"
        "up to date  yes\n"
        "\n"
        "documents by issuer\n"
        "       1  商务部\n"
        "       1  国务院\n"
        "       1  大连市人民政府办公室\n"
        "       1  沈阳市商务局\n"
        "       1  (no issuer)\n"
        "\n"
        "documents by year\n"
        "       2  2024\n"
        "       2  2023\n"
        "       1  (undated)\n"
    )


def test_stats_json(built: Path) -> None:
    code, out, _ = _run(built, "stats", "--json")
    assert code == 0
    stats = json.loads(out)
    assert stats == {
        "schema_version": 1,
        "index": str(built),
        "documents": 5,
        "passages": 27,
        "size_bytes": folder_size(built),
        "updated": stats["updated"],
        "roots": [str(built.parent / "corpus")],
        "segmenter": "rjieba",
        "dictionary": analysis.fingerprint()["dictionary"],
        "userdict": None,
        "out_of_date_files": 0,
        "by_issuer": [
            {"issuer": "商务部", "documents": 1},
            {"issuer": "国务院", "documents": 1},
            {"issuer": "大连市人民政府办公室", "documents": 1},
            {"issuer": "沈阳市商务局", "documents": 1},
            {"issuer": None, "documents": 1},
        ],
        "by_year": [
            {"year": 2024, "documents": 2},
            {"year": 2023, "documents": 2},
            {"year": None, "documents": 1},
        ],
    }
    assert stats["size_bytes"] > 10_000


def test_stats_without_index(tmp_path: Path) -> None:
    code, out, err = _run(tmp_path / "nowhere", "stats")
    assert (code, out) == (2, "")
    assert err.startswith(f"govsearch: error: no index at {tmp_path / 'nowhere'}")


def test_show_path_line_with_context(built: Path) -> None:
    code, out, err = _run(built, "show", "corpus/broken.txt:6", "-C", "1", "--color", "never")
    assert (code, err) == (0, "")
    assert out == (
        "corpus/broken.txt\n"
        "关于推动以旧换新的实施意见 · 大连市人民政府办公室 · 2024-03-01\n"
        "\n"
        "  3  关于推动以旧换新的实施意见\n"
        "> 5  全市将开展汽车、家电等消费品以旧换新活动,预计带动销售额增长15%,惠及群众超过50万人。\n"
        "  7  各区要落实5G网络建设任务,推动数字消费。\n"
    )


def test_show_default_context_and_highlight(built: Path) -> None:
    code, out, _ = _run(built, "show", "corpus/gbk_notice.txt:9", "消费", "--color", "always")
    assert code == 0
    lines = out.splitlines()
    plain = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]
    assert plain == [
        "corpus/gbk_notice.txt",
        "关于开展2023年夜经济消费季活动的通知 · 沈阳市商务局 · 2023-07-15",
        "",
        "   7  各区、县(市)商务主管部门:",
        "   8  为促进夜经济发展,点亮城市灯光,现将有关事项通知如下。",
        ">  9  一是举办夜间消费节,发放消费券3000万元。",
        "  10  二是支持首店经济,对新开首店给予奖励。",
        "  12  沈阳市商务局",
    ]
    assert lines[5].count("\x1b[1;31m消费\x1b[0m") == 2 and "\x1b[1;31m" not in lines[4]


def test_show_doc_id_is_the_whole_document(built: Path) -> None:
    code, out, _ = _run(built, "show", "news-001", "--color", "never")
    assert code == 0
    assert out == (
        "corpus/news.jsonl (news-001)\n"
        "国务院常务会议部署促消费措施 · 国务院 · 2023-08-18\n"
        "\n"
        "  1#p1  国务院总理主持召开国务院常务会议。\n"
        "  1#p2  会议指出,要持续扩大内需,促消费稳增长。\n"
    )


def test_show_a_record_line_is_the_whole_record(built: Path) -> None:
    code, out, _ = _run(built, "show", "corpus/news.jsonl:2", "-C", "0", "--color", "never")
    assert code == 0
    assert out.splitlines()[0] == "corpus/news.jsonl (news-002)"
    assert out.splitlines()[3:] == [
        "  2#p1  商务部将在全国开展“3折消费月”活动。",
        "  2#p2  活动期间品牌消费、品质消费同步推进。",
    ]


def test_show_accepts_a_path_from_here_and_a_blank_line(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(built.parent.parent)
    where = f"{built.parent.name}/corpus/pages.md:4"  # line 4 is blank: the next passage
    code, out, _ = _run(built, "show", where, "-C", "0", "--color", "never")
    assert code == 0
    assert out.splitlines()[3:] == [
        "> 5  全省外贸进出口总额增长3.2%,其中“新三样”产品出口增长显著。"
    ]


@pytest.mark.parametrize(
    ("location", "message"),
    [
        (
            "nothing",
            "no document 'nothing' in the index — give a doc_id, a file, or path:line as "
            "printed by govsearch search",
        ),
        (
            "corpus/other.txt:3",
            "no indexed file 'corpus/other.txt' — give path:line as printed by govsearch search",
        ),
        (
            "corpus/pages.md:99",
            "corpus/pages.md has no passage at line 99 — its last passage ends on line 15",
        ),
    ],
)
def test_show_unknown_location(built: Path, location: str, message: str) -> None:
    assert _run(built, "show", location) == (2, "", f"govsearch: error: {message}\n")
