"""A dated corpus for facets, trends and saved searches: the shared test corpus plus a JSON
Lines dump in a sub-folder whose records spread over years, months and issuers (one undated)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import write_corpus

DATED = [
    ("d-1", "2022-01-10", "国务院", "关于汽车以旧换新的意见", "推动汽车以旧换新。"),
    ("d-2", "2022-11-03", "商务部", "促进消费的通知", "扩大消费。\n以旧换新试点。"),
    ("d-3", "2023-02-14", "商务部", "家电以旧换新", "家电以旧换新,促进消费。"),
    ("d-4", "2023-02-20", "国务院", "稳增长措施", "稳定大宗消费。"),
    ("d-5", "2024-07-01", "商务部", "以旧换新补贴", "加力支持以旧换新。"),
    ("d-6", None, "商务部", "未注明日期的通知", "以旧换新政策解读。"),
]


def write_dated(root: Path) -> Path:
    """The shared corpus under ``root/corpus`` plus ``corpus/more/dated.jsonl``."""
    corpus = write_corpus(root)
    (corpus / "more").mkdir(exist_ok=True)
    lines = [
        json.dumps(
            {"id": i, "date": d, "issuer": who, "title": title, "text": text}, ensure_ascii=False
        )
        for i, d, who, title, text in DATED
    ]
    (corpus / "more" / "dated.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpus
