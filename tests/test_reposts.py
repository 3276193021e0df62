"""Reposts collapsed (#15): near-duplicate documents grouped by their sketches, shown once on
the ranked page by their earliest matching copy, never hidden from counts and lists."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from search.cli import app
from search.searching import Searcher
from search.store import build, merge, sketch
from search.store.writer import update

runner = CliRunner()

BODY = """各省、自治区、直辖市商务主管部门:
  为贯彻落实中央经济工作会议精神,进一步扩大国内需求,商务部决定在全国范围内开展消费品以旧换新活动。现将有关事项通知如下。
  一、活动时间为2024年3月至12月,各地要结合实际制定实施方案,明确责任分工,确保活动取得实效。
  二、重点支持汽车、家电、家装厨卫等大宗商品以旧换新,鼓励生产和流通企业让利促销,畅通回收渠道。
  三、各地要加强宣传引导,及时总结经验做法,每月底前报送活动进展情况和典型案例。
  四、活动所需资金由地方财政统筹安排,中央财政通过超长期特别国债资金给予支持,具体办法另行通知。
"""

ORIGINAL = f"""商务部

关于开展2024年消费品以旧换新活动的通知

{BODY}
商务部
2024年3月1日
"""

# the same notice reposted by a city's site: its own header, a source line, full-width commas,
# its own signature and date
REPOST = f"""江城市人民政府门户网站

【转载】商务部关于开展2024年消费品以旧换新活动的通知

来源：新华社
{BODY.replace(",", "，")}
江城市人民政府办公室
2024年3月4日
"""

# NOT a repost: the same issuer, addressees and template, another notice
OTHER = """商务部

关于开展2024年绿色智能家电下乡活动的通知

各省、自治区、直辖市商务主管部门:
  为满足农村居民消费升级需求,商务部决定组织开展绿色智能家电下乡活动,与以旧换新工作统筹推进。现将有关事项通知如下。
  一、活动面向县域和乡镇市场,组织家电企业开展巡回展销,提供送货上门和安装维修服务。
  二、支持电商平台开设下乡专区,完善农村物流配送网络,降低流通成本。
  三、各地要做好组织协调,防止以次充好,切实保护农村消费者合法权益。

商务部
2024年3月2日
"""

COLLAPSED = (
    " 1  corpus/original.txt:3\n"
    "    商务部 · 2024-03-01\n"
    "    关于开展2024年消费品以旧换新活动的通知\n"
    "    also in 1 other document\n"
    "\n"
    " 2  corpus/original.txt:8\n"
    "    关于开展2024年消费品以旧换新活动的通知 · 商务部 · 2024-03-01\n"
    "    二、重点支持汽车、家电、家装厨卫等大宗商品以旧换新,鼓励生产和流通企业让利促销,"
    "畅通回收渠道。\n"
    "\n"
    " 3  corpus/original.txt:6\n"
    "    关于开展2024年消费品以旧换新活动的通知 · 商务部 · 2024-03-01\n"
    "    为贯彻落实中央经济工作会议精神,进一步扩大国内需求,商务部决定在全国范围内开展消费品以旧换新"
    "活动。现将有关事项通知如下。\n"
    "\n"
    " 4  corpus/other.txt:6\n"
    "    关于开展2024年绿色智能家电下乡活动的通知 · 商务部 · 2024-03-02\n"
    "    为满足农村居民消费升级需求,商务部决定组织开展绿色智能家电下乡活动,与以旧换新工作统筹推进。"
    "现将有关事项通知如下。\n"
    "\n"
)


def _write(corpus: Path, repost: str | None = REPOST) -> None:
    corpus.mkdir(exist_ok=True)
    (corpus / "original.txt").write_text(ORIGINAL, encoding="utf-8")
    (corpus / "other.txt").write_text(OTHER, encoding="utf-8")
    if repost is None:
        (corpus / "repost.txt").unlink(missing_ok=True)
    else:
        (corpus / "repost.txt").write_text(repost, encoding="utf-8")


@pytest.fixture
def reposts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An index of the original notice, its repost and another notice (from beside them)."""
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "corpus")
    update(tmp_path / "index", [tmp_path / "corpus"])
    return tmp_path / "index"


def _run(folder: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--index", str(folder)])
    return result.exit_code, result.stdout


def test_a_repost_is_collapsed_into_its_earliest_copy(reposts: Path) -> None:
    assert _run(reposts, "search", "以旧换新", "--color", "never") == (0, COLLAPSED)


def test_json_lists_the_copies(reposts: Path) -> None:
    code, out = _run(reposts, "search", "以旧换新", "--json")
    hits = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [(h["location"], "copies" in h) for h in hits] == [
        ("corpus/original.txt:3", True),
        ("corpus/original.txt:8", False),
        ("corpus/original.txt:6", False),
        ("corpus/other.txt:6", False),
    ]
    assert hits[0]["copies"] == [
        {
            "doc_id": "corpus/repost.txt",
            "path": "corpus/repost.txt",
            "title": "【转载】商务部关于开展2024年消费品以旧换新活动的通知",
            "date": "2024-03-04",
            "issuer": "江城市人民政府办公室",
            "url": None,
        }
    ]


def test_all_copies_shows_every_copy(reposts: Path) -> None:
    code, out = _run(reposts, "search", "以旧换新", "--all-copies", "--color", "never")
    heads = [line for line in out.splitlines() if line[:2].strip().isdigit()]
    assert code == 0
    assert heads == [
        " 1  corpus/original.txt:3",
        " 2  corpus/repost.txt:3",
        " 3  corpus/original.txt:8",
        " 4  corpus/repost.txt:9",
        " 5  corpus/original.txt:6",
        " 6  corpus/repost.txt:7",
        " 7  corpus/other.txt:6",
    ]
    assert "also in" not in out


def test_counts_lists_and_batch_keep_every_copy(reposts: Path) -> None:
    assert _run(reposts, "search", "以旧换新", "-c") == (0, "7\n")
    assert _run(reposts, "search", "以旧换新", "-l") == (
        0,
        "corpus/original.txt\ncorpus/repost.txt\ncorpus/other.txt\n",
    )
    code, out = _run(reposts, "search", "以旧换新", "-n", "0", "--json")  # every passage
    assert (code, [json.loads(line).get("copies") for line in out.splitlines()]) == (0, [None] * 7)
    result = runner.invoke(
        app, ["batch", "--format", "trec", "--index", str(reposts)], input="以旧换新\n"
    )
    assert [line.split()[2] for line in result.stdout.splitlines()] == [
        "corpus/original.txt",
        "corpus/repost.txt",
        "corpus/other.txt",
    ]


def test_the_earliest_matching_copy_stands_for_the_group(reposts: Path) -> None:
    # newest first: the repost (2024-03-04) takes the first place, shown by the original
    code, out = _run(reposts, "search", "流通企业", "--sort", "date", "--strict", "--json")
    hits = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [(h["location"], [c["doc_id"] for c in h.get("copies", [])]) for h in hits] == [
        ("corpus/original.txt:8", ["corpus/repost.txt"])
    ]


def test_a_copy_that_does_not_match_is_not_counted(reposts: Path) -> None:
    # only the repost has the source line: it is shown, and it stands for nothing
    code, out = _run(reposts, "search", "新华社", "--color", "never")
    assert code == 0
    assert out == (
        " 1  corpus/repost.txt:5\n"
        "    【转载】商务部关于开展2024年消费品以旧换新活动的通知 · 江城市人民政府办公室 · "
        "2024-03-04\n"
        "    来源：新华社\n"
        "\n"
    )


def test_the_page_is_filled_after_collapsing(reposts: Path) -> None:
    code, out = _run(reposts, "search", "以旧换新", "-n", "2", "--per-doc", "1", "--json")
    assert code == 0
    assert [json.loads(line)["location"] for line in out.splitlines()] == [
        "corpus/original.txt:3",
        "corpus/other.txt:6",
    ]


def test_groups_do_not_depend_on_segments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(build, "FLUSH_CHARS", 400)  # the repost in a segment of its own
    monkeypatch.setattr(merge, "MAX_CHARS", 500)  # never merged
    _write(tmp_path / "corpus")
    update(tmp_path / "index", [tmp_path / "corpus"])
    with Searcher(tmp_path / "index") as searcher:
        assert [p.data.documents for p in searcher.literal.parts] == [2, 1]
    assert _run(tmp_path / "index", "search", "以旧换新", "--color", "never") == (0, COLLAPSED)


def test_updates_regroup_what_changed(reposts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = reposts.parent / "corpus"
    _write(corpus, repost=None)  # the repost deleted
    update(reposts, [corpus])
    code, out = _run(reposts, "search", "以旧换新", "--color", "never")
    assert (code, "also in" in out) == (0, False)
    _write(corpus, repost=REPOST.replace("3月4日", "3月5日"))
    update(reposts, [corpus])  # back, changed a little: still a repost
    assert "also in 1 other document" in _run(reposts, "search", "以旧换新")[1]
    own = "  本市将结合实际开展以旧换新活动，细则另行公布。\n"
    changed = REPOST.replace(BODY.replace(",", "，"), own)
    _write(corpus, repost=changed)  # changed into another notice
    update(reposts, [corpus])
    assert "also in" not in _run(reposts, "search", "以旧换新")[1]


def _sketches(*texts: str) -> np.ndarray:
    return np.array([sketch.sketch([t]) for t in texts])


def test_a_short_text_has_no_sketch_and_is_never_grouped() -> None:
    rows = _sketches("商务部通知。", "商务部通知。")
    assert not rows.any()
    assert sketch.groups(rows, np.ones(2, dtype=bool), np.zeros(2)).tolist() == [0, 1]


def test_the_same_template_a_year_later_is_a_new_notice() -> None:
    rows = _sketches(ORIGINAL, REPOST, ORIGINAL, OTHER, ORIGINAL)
    live = np.array([True, True, True, True, False])  # the last one deleted
    dates = np.array([20240301, 20240304, 20250301, 20240302, 20240301])
    assert sketch.groups(rows, live, dates).tolist() == [0, 0, 2, 3, 4]
    undated = np.array([20240301, 0, 20250301, 20240302, 20240301])
    assert sketch.groups(rows, live, undated).tolist() == [0, 0, 0, 3, 4]
