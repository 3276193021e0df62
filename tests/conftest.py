"""The shared test corpus (ripgrep's SHERLOCK idea): four short announcements written for the
tests — one GBK-encoded, one with lines broken mid-sentence, one Markdown page with headings,
one JSON Lines dump — built into indexes under tmp_path."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from search import analysis

NOTICE_GBK = """沈阳市商务局

关于开展2023年夜经济消费季活动的通知

沈商发〔2023〕12号

各区、县(市)商务主管部门:
  为促进夜经济发展,点亮城市灯光,现将有关事项通知如下。
  一是举办夜间消费节,发放消费券3000万元。
  二是支持首店经济,对新开首店给予奖励。

沈阳市商务局
2023年7月15日
"""

BROKEN = """大连市人民政府办公室

关于推动以旧换新的实施意见

  全市将开展汽车、家电等消费品以旧换新活动,预计带动
销售额增长15%,惠及群众超过50万人。
  各区要落实5G网络建设任务,推动数字消费。

大连市人民政府办公室
2024年3月1日
"""

HEADINGS = """# 辽宁省推进新三样出口

## 外贸形势

全省外贸进出口总额增长3.2%,其中“新三样”产品出口增长显著。

## 下一步安排

鼓励企业参加辽洽会,拓展电动汽车、锂电池、光伏产品出口。

# 沈阳启动一刻钟便民生活圈建设

## 工作目标

到2025年,建成一刻钟便民生活圈100个,方便群众消费。
"""

RECORDS = [
    {
        "id": "news-001",
        "title": "国务院常务会议部署促消费措施",
        "date": "2023-08-18",
        "issuer": "国务院",
        "url": "https://example.gov.cn/news-001",
        "text": "国务院总理主持召开国务院常务会议。\n会议指出,要持续扩大内需,促消费稳增长。",
    },
    {
        "id": "news-002",
        "title": "商务部发布3折消费月活动安排",
        "date": "2024-03-05",
        "issuer": "商务部",
        "url": None,
        "text": "商务部将在全国开展“3折消费月”活动。\n活动期间品牌消费、品质消费同步推进。",
    },
]


def write_corpus(root: Path) -> Path:
    """Write the test corpus into ``root/corpus`` and return that folder."""
    corpus = root / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / "gbk_notice.txt").write_bytes(NOTICE_GBK.encode("gbk"))
    (corpus / "broken.txt").write_text(BROKEN, encoding="utf-8")
    (corpus / "pages.md").write_text(HEADINGS, encoding="utf-8")
    lines = [json.dumps(r, ensure_ascii=False) for r in RECORDS]
    (corpus / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpus


@pytest.fixture(autouse=True)
def _default_analysis() -> None:
    analysis.configure("rjieba", None)


@pytest.fixture(autouse=True)
def _beside_the_corpus(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run from the folder that holds the corpus, as a user would: printed paths are
    relative to the current folder (``corpus/broken.txt``)."""
    if "built" in request.fixturenames:
        monkeypatch.chdir(request.getfixturevalue("built").parent)
    elif "fresh" in request.fixturenames:
        monkeypatch.chdir(request.getfixturevalue("fresh")[0].parent)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built index over the test corpus (read-only for the tests that use it)."""
    from search.store.writer import update

    analysis.configure("rjieba", None)
    root = tmp_path_factory.mktemp("built")
    corpus = write_corpus(root)
    folder = root / "index"
    update(folder, [corpus])
    return folder


@pytest.fixture(scope="session")
def dated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built index over the test corpus plus the dated dump of ``tests/analysts.py``
    (read-only for the facets and trend tests)."""
    from analysts import write_dated

    from search.store.writer import update

    analysis.configure("rjieba", None)
    root = tmp_path_factory.mktemp("dated")
    folder = root / "index"
    update(folder, [write_dated(root)])
    return folder


@pytest.fixture
def fresh(tmp_path: Path) -> tuple[Path, Path]:
    """A writable corpus and index location: (corpus folder, index folder)."""
    corpus = write_corpus(tmp_path)
    return corpus, tmp_path / "index"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(Path(__file__).parent.parent / "seeds", target)
    return target


@pytest.fixture(autouse=True)
def _ocr_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """OCR results go to a temporary cache, never to the user's."""
    monkeypatch.setenv("GOVSEARCH_OCR_CACHE", str(tmp_path_factory.mktemp("ocr-cache")))


def read_terminal(main: int) -> bytes:
    """Everything a child wrote to the pseudo-terminal ``main`` until it closed it."""
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks)
