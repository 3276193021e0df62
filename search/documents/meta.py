"""Metadata found in the text of an announcement: title, date, issuer, document number."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from search.documents.blocks import Block

_CN_DIGITS = {ch: i for i, ch in enumerate("〇一二三四五六七八九")} | {
    "零": 0,
    "○": 0,
    "O": 0,
    "o": 0,
}
_DATE = re.compile(
    r"((?:19|20)\d{2}|[〇一二三四五六七八九零○Oo]{4})\s*年\s*"
    r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日"
)
_ISO_DATE = re.compile(  # not inside a longer number or version (1.2023.12.05.7)
    r"(?<!\d)(?<!\d\.)((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d|\.\d)"
)
_DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*[〔［\[（(【]\s*(?:19|20)\d{2}\s*[〕］\]）)】]\s*第?\s*\d{1,5}\s*号"
)
_SOURCE = re.compile(r"^\s*(?:来源|发布机构|发文机关|发布单位)\s*[:：]\s*(\S.{0,40}?)\s*$")
_DATE_LABEL = re.compile(r"(?:发布日期|成文日期|发布时间|日期)\s*[:：]")
_TITLE_WORDS = re.compile(
    r"关于|通知|答复|决定|意见|办法|规定|公告|通告|报告|批复|方案|规划|条例|细则|函|公报|纪要"
)
_ISSUER_END = re.compile(
    r"(?:厅|局|委员会|委|政府|办公室|办公厅|部|院|会|中心|署|处|府|室|所|馆|司|组|队|站|社|行|集团|公司)$"
)
_PUNCTUATION = re.compile(r"[，。；：！？、,;:!?]")
_LABEL_ONLY = re.compile(r"^(?:政府信息公开|附件下载|附件|打印|关闭|索引号.*|来源.*)$")


@dataclass(frozen=True)
class Metadata:
    title: str = ""
    date: str = ""
    issuer: str = ""
    doc_number: str = ""


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if all(ch in _CN_DIGITS for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    # 十, 十二, 二十, 二十一, 三十一
    tens, _, units = text.partition("十")
    if "十" not in text:
        return _CN_DIGITS.get(text, 0)
    return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (
        _CN_DIGITS.get(units, 0) if units else 0
    )


def parse_date(text: str) -> str:
    """The first full date in ``text`` as ISO ``YYYY-MM-DD``, or ``""``: ``2023年12月5日``,
    full-width ``２０２３年１２月５日``, Chinese numerals ``二〇二三年十二月五日`` (``二O二三``
    too), ``2023-12-05``, ``2023.12.05``, ``2023/12/5`` and gov.cn's ``2023-12-05-09:30:00``."""
    text = unicodedata.normalize("NFKC", text)  # full-width digits and punctuation
    for match in _DATE.finditer(text):
        iso = _iso(_number(match.group(1)), _number(match.group(2)), _number(match.group(3)))
        if iso:
            return iso
    for match in _ISO_DATE.finditer(text):
        iso = _iso(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if iso:
            return iso
    return ""


def _iso(year: int, month: int, day: int) -> str:
    """``YYYY-MM-DD`` of a real calendar day between 1900 and 2100, else ``""``."""
    if not 1900 <= year <= 2100:
        return ""
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return ""


def doc_number(text: str) -> str:
    match = _DOC_NUMBER.search(text)
    return re.sub(r"\s+", "", match.group(0)) if match else ""


def _title(blocks: Sequence[Block]) -> str:
    for block in blocks:
        if block.heading:
            return block.text
    head = [b.text.strip() for b in blocks[:8] if not b.heading]
    candidates = [
        t for t in head if len(t) <= 80 and not _LABEL_ONLY.match(t) and not parse_date(t)
    ]
    for text in candidates:
        if _TITLE_WORDS.search(text):
            return text
    return candidates[0] if candidates else ""


def is_signature(text: str) -> bool:
    """Whether a line reads as a signing body: a short name ending as an organisation's does,
    with no punctuation."""
    text = text.strip()
    return 2 <= len(text) <= 30 and bool(_ISSUER_END.search(text)) and not _PUNCTUATION.search(text)


def is_date_line(text: str) -> bool:
    """Whether a line is a date alone (the date under a signature)."""
    text = text.strip()
    return len(text) <= 20 and bool(parse_date(text)) and not _PUNCTUATION.search(text)


def _issuer_and_date(blocks: Sequence[Block]) -> tuple[str, str]:
    """The signing body above the closing date, and that date."""
    tail = [b.text.strip() for b in blocks[-8:] if not b.heading]
    for i in range(len(tail) - 1, -1, -1):
        text = tail[i]
        date = parse_date(text)
        if date and len(text) <= 20:
            above = tail[i - 1] if i > 0 else ""
            if above and len(above) <= 30 and _ISSUER_END.search(above):
                return above, date
            return "", date
    return "", ""


def extract(blocks: Sequence[Block]) -> Metadata:
    """Title, date, issuer and document number of a plain-text announcement."""
    issuer, date = _issuer_and_date(blocks)
    head_text = "\n".join(b.text for b in blocks[:12])
    if not issuer:
        for block in blocks[:12]:
            match = _SOURCE.match(block.text)
            if match:
                issuer = match.group(1)
                break
    if not date:
        for block in blocks[:12]:
            if _DATE_LABEL.search(block.text) or len(block.text) <= 20:
                date = parse_date(block.text)
                if date:
                    break
    return Metadata(_title(blocks), date, issuer, doc_number(head_text))
