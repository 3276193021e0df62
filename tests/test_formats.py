"""HTML, PDF and DOCX readers: blocks, locations and metadata of Chinese documents.

The PDFs and Word files are built here byte by byte (no fonts or writer libraries needed).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from search.documents import docx as docx_reader
from search.documents import read
from search.documents.blocks import Block
from search.documents.formats import READERS, SUFFIXES
from search.documents.meta import Metadata
from search.errors import UnreadableDocument


def test_suffixes() -> None:
    assert {SUFFIXES[s] for s in (".html", ".htm")} == {"html"}
    assert (SUFFIXES[".pdf"], SUFFIXES[".docx"]) == ("pdf", "docx")
    assert set(READERS) == {"html", "pdf", "docx", "doc", "wps", "xlsx", "xls", "ods", "csv", "ofd"}


# --- HTML -------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>关于做好春节期间安全生产工作的通知_辽宁省商务厅</title>
<meta name="ArticleTitle" content="关于做好春节期间安全生产工作的通知">
<meta name="PubDate" content="2024-01-26 10:30">
<meta name="ContentSource" content="辽宁省商务厅">
<script>document.write("统计代码");</script>
<style>.nav { color: red }</style>
</head>
<body>
<div class="header"><h1 class="logo">辽宁省商务厅</h1>
<ul class="main-nav"><li><a href="/">首页</a></li><li>政务公开</li></ul></div>
<nav>网站导航</nav>
<div class="location">当前位置：<a href="/">首页</a> &gt; 通知公告</div>
<div class="article">
<h1>关于做好春节期间安全生产工作的通知</h1>
<div class="TRS_Editor">
<p>辽商发〔2024〕12号</p>
<p style="text-indent:2em">为深入贯彻落实安全生产工作的决策部署，
现将有关事项通知如下。</p>
<h2>一、提高思想认识</h2>
<p>　　各地要充分认识&nbsp;安全生产的重要性。Please read the
Safety   Guideline.</p>
<table><tr><td>联系人</td><td>张三<td>024-1234</tr></table>
<p>辽宁省商务厅<br>2024年1月26日</p>
<p style="display:none">隐藏文字</p>
</div>
<div>【打印本页】 【关闭窗口】</div>
<div class="bdsharebuttonbox">分享到：<a>微信</a></div>
</div>
<form action="/search"><input name="q"><button>搜索</button></form>
<aside>相关文章</aside>
<footer>主办单位：辽宁省商务厅 辽ICP备12345678号</footer>
<script>console.log("x")</script>
</body>
</html>
"""


def test_html_main_text_lines_and_meta_tags() -> None:
    blocks, info = READERS["html"](PAGE.encode("utf-8"), "notice.html")
    assert blocks == [
        Block("关于做好春节期间安全生产工作的通知", 18, 18, 1),
        Block("辽商发〔2024〕12号", 20, 20),
        Block(
            "为深入贯彻落实安全生产工作的决策部署，现将有关事项通知如下。", 21, 22, 0, ((19, 22),)
        ),
        Block("一、提高思想认识", 23, 23, 2),
        Block(
            "各地要充分认识 安全生产的重要性。Please read the Safety Guideline.",
            24,
            25,
            0,
            ((33, 25),),  # "Safety" stands on line 25
        ),
        Block("联系人 张三 024-1234", 26, 26),  # a table row is one passage
        Block("辽宁省商务厅", 27, 27),
        Block("2024年1月26日", 27, 27),
    ]
    assert info == Metadata(
        "关于做好春节期间安全生产工作的通知", "2024-01-26", "辽宁省商务厅", "辽商发〔2024〕12号"
    )


SIDEBAR_PAGE = """<html><head><title>关于首贷贴息的通知</title>
<meta name="firstpublishedtime" content="2023-12-05 09:30:00"></head><body>
<div class="content">
<h1>关于首贷贴息的通知</h1>
<p>对首次获得贷款的企业给予贴息支持，贴息比例见下表。</p>
<table>
<thead><tr><th>项目</th><th>贴息比例</th><th>上限（万元）</th></tr></thead>
<tr><td>首贷贴息</td><td>1</td><td>50</td></tr>
<tr><td>续贷<span>贴息</span></td><td>0.5</td><td>
20</td></tr>
</table>
<table><tr><td><p>布局表格里的正文很长。</p></td></tr><tr><td><table><tr><td>内层</td></tr></table></td></tr></table>
</div>
<div class="box"><h3>相关链接</h3>
<ul><li><a href="/1">关于印发某某办法的通知</a></li>
<li><a href="/2">关于某某工作的通知</a></li></ul>
</div>
<h4>相关文章</h4>
<div><a href="/a">文章一</a> <a href="/b">文章二</a> <a href="/c">文章三</a></div>
<div>首页 &gt; 政务公开 &gt; 通知公告</div>
<p>上一篇：<a href="/p">关于某事的通知</a></p>
<p>附件：<a href="/f.pdf">贴息申请表.pdf</a></p>
<p>依据<a href="/l1">《条例》</a>、<a href="/l2">《办法》</a>和<a href="/l3">《细则》</a>执行。</p>
</body></html>
"""


def test_html_tables_by_row_and_link_lists_dropped() -> None:
    blocks, info = READERS["html"](SIDEBAR_PAGE.encode(), "loan.html")
    assert [(b.line, b.end_line, b.heading, b.text) for b in blocks] == [
        (4, 4, 1, "关于首贷贴息的通知"),
        (5, 5, 0, "对首次获得贷款的企业给予贴息支持，贴息比例见下表。"),
        (8, 8, 0, "项目:首贷贴息 贴息比例:1 上限（万元）:50"),
        (9, 10, 0, "项目:续贷贴息 贴息比例:0.5 上限（万元）:20"),
        (12, 12, 0, "布局表格里的正文很长。"),
        (12, 12, 0, "内层"),
        (22, 22, 0, "附件：贴息申请表.pdf"),
        (23, 23, 0, "依据《条例》、《办法》和《细则》执行。"),
    ]
    assert info.date == "2023-12-05"


GBK_PAGE = """<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>关于朱镕基同志题词的通知 - 某某市人民政府门户网站</title></head>
<body><div id="topnav">首页 | 新闻</div>
<h1>关于朱镕基同志题词的通知</h1>
<div>发布日期：2023年5月8日 来源：某某市档案局 【字体：大 中 小】</div>
<div class="zoom">各有关单位：<br/>
现将有关事项通知如下。</div>
<div class="footer">版权所有</div></body></html>
"""


def test_html_gbk_declared_gb2312_and_title_from_h1() -> None:
    data = GBK_PAGE.encode("gbk")  # 镕 is in GBK, not in GB2312
    blocks, info = READERS["html"](data, "gbk.htm")
    assert blocks == [
        Block("关于朱镕基同志题词的通知", 5, 5, 1),
        Block("发布日期：2023年5月8日 来源：某某市档案局", 6, 6),
        Block("各有关单位：", 7, 7),
        Block("现将有关事项通知如下。", 8, 8),
    ]
    assert info == Metadata("关于朱镕基同志题词的通知", "2023-05-08", "某某市档案局", "")


def test_html_undeclared_gb18030_and_bom() -> None:
    body = "<p>各区人民政府：</p><p>请认真贯彻执行。</p>"
    for data in (body.encode("gb18030"), b"\xef\xbb\xbf" + body.encode("utf-8")):
        blocks, _ = READERS["html"](data, "x.html")
        assert [b.text for b in blocks] == ["各区人民政府：", "请认真贯彻执行。"]


def test_html_page_wrapped_in_one_form_keeps_its_text() -> None:
    page = '<body><form id="form1"><div class="nav">导航</div><p>正文内容。</p></form></body>'
    blocks, _ = READERS["html"](page.encode(), "aspx.html")
    assert blocks == [Block("正文内容。", 1, 1)]


def test_html_deeply_nested_unclosed_tags() -> None:
    page = "<body>" + "<font>字" * 3000 + "<p>正文。</p><div/>尾</body>"
    blocks, _ = READERS["html"](page.encode(), "deep.html")
    assert blocks == [Block("字" * 3000, 1, 1), Block("正文。", 1, 1), Block("尾", 1, 1)]


# --- PDF --------------------------------------------------------------------------------------


def _em(text: str) -> float:
    return sum(0.5 if ch.isascii() else 1.0 for ch in text)


def _wrap(text: str, indent: int = 2, width: int = 28) -> list[tuple[float, str]]:
    """Lines (indent in em, text) as Word breaks them: anywhere in CJK, between Latin words."""
    lines: list[tuple[float, str]] = [(indent, "")]
    for unit in re.findall(r"[A-Za-z0-9.\-]+ ?|.", text):
        indent_now, current = lines[-1]
        if indent_now + _em(current + unit.rstrip()) > width:
            lines.append((0, unit.lstrip()))
        else:
            lines[-1] = (indent_now, current + unit)
    return [(i, t.rstrip()) for i, t in lines]


def _hex(text: str) -> str:
    return "".join(f"{ord(c):04X}" for c in text)


def _font(chars: list[str]) -> list[str]:
    """Objects 3–6: a Type0 font (Identity-H: code = CID = the BMP code point) with a
    ToUnicode map, not embedded; CJK characters 1 em wide, ASCII half."""
    cmap = "".join(f"<{ord(c):04X}> <{ord(c):04X}>\n" for c in chars)
    widths = " ".join(f"{ord(c)} [500]" for c in chars if c.isascii())
    tounicode = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /U def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(chars)} beginbfchar\n{cmap}endbfchar endcmap CMapName currentdict /CMap "
        "defineresource pop end end"
    )
    return [
        "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
        "/DescendantFonts [4 0 R] /ToUnicode 5 0 R >>",
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDToGIDMap /Identity "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        f"/FontDescriptor 6 0 R /DW 1000 /W [{widths}] >>",
        f"<< /Length {len(tounicode.encode())} >>\nstream\n{tounicode}\nendstream",
        "<< /Type /FontDescriptor /FontName /SimSun /Flags 6 /FontBBox [0 -141 1000 859] "
        "/ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 683 /StemV 80 >>",
    ]


def _pdf(pages: list[list[tuple[float, float, float, str]]], extra: str = "") -> bytes:
    """A PDF whose pages hold text runs (x, y, size, text); ``extra`` goes into the trailer."""
    chars = sorted({ch for page in pages for run in page for ch in run[3]})
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", *_font(chars)]  # 2: the page tree
    kids = []
    for page in pages:
        ops = (
            "".join(
                f"BT /F1 {size} Tf {x:.2f} {y:.2f} Td <{_hex(t)}> Tj ET\n" for x, y, size, t in page
            )
            or "0 0 0 rg 72 72 400 600 re f\n"
        )  # a page with no text: a "scanned" image
        objects.append(f"<< /Length {len(ops)} >>\nstream\n{ops}endstream")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {len(objects)} 0 R "
            "/Resources << /Font << /F1 3 0 R >> >> >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R {extra}>>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


TITLE = "关于开展2024年安全生产检查的通知"
P1 = (
    "为深入贯彻落实国务院安全生产委员会的部署要求，切实做好全省商务领域安全生产工作，"
    "推广Safety First management经验，现将有关事项通知如下。"
)
P2 = (
    "检查范围包括商场超市、农贸市场、餐饮企业和加油站等重点场所，重点检查消防通道是否畅通、"
    "电气线路是否老化、燃气设施是否符合规范，对发现的问题隐患要建立台账，明确整改责任人和整改时限，"
    "确保整改到位，坚决防范和遏制重特大事故发生。"
)


def _notice_pdf() -> bytes:
    left, top, pitch = 72.0, 760.0, 28.0
    body: list[tuple[float, str]] = [(0, "各市商务局：")]
    body += [*_wrap(P1), (2, "一、检查范围"), *_wrap(P2)]
    split = 8  # lines on page 1 after the title and document number
    page1 = [(297.5 - _em(TITLE) * 11, top, 22.0, TITLE), (250, top - 36, 16, "辽商发〔2024〕5号")]
    page1 += [
        (left + i * 16, top - 72 - n * pitch, 16.0, t) for n, (i, t) in enumerate(body[:split])
    ]
    page1.append((280.0, 60.0, 12.0, "— 1 —"))
    rest = [*body[split:], (18, "辽宁省商务厅"), (18, "2024年3月1日")]
    page2 = [(left + i * 16, top - n * pitch, 16.0, t) for n, (i, t) in enumerate(rest)]
    page2.append((280.0, 60.0, 12.0, "— 2 —"))
    return _pdf([page1, page2])


def test_pdf_paragraphs_pages_and_metadata() -> None:
    blocks, info = READERS["pdf"](_notice_pdf(), "notice.pdf")
    p2_lines = _wrap(P2)
    on_page1 = "".join(t for _, t in p2_lines[: 8 - 1 - len(_wrap(P1)) - 1])
    assert P2.startswith(on_page1) and len(on_page1) > 20
    assert blocks == [
        Block(TITLE, 1, 1, 1),
        Block("辽商发〔2024〕5号", 1, 1),
        Block("各市商务局：", 1, 1),
        Block(P1, 1, 1),
        Block("一、检查范围", 1, 1),
        Block(on_page1, 1, 1),
        Block(P2[len(on_page1) :], 2, 2),
        Block("辽宁省商务厅", 2, 2),
        Block("2024年3月1日", 2, 2),
    ]
    assert info == Metadata(TITLE, "2024-03-01", "辽宁省商务厅", "辽商发〔2024〕5号")


def test_pdf_signature_and_date_at_the_margin_stay_apart() -> None:
    full = "请各地各部门认真抓好落实，并将落实情况纳入年度考核。"
    assert 2 + _em(full) == 28  # the last sentence fills its line to the right margin
    lines = [*_wrap(P1), (2, full), (0, "浙江省人民政府办公厅"), (0, "2023年12月5日")]
    runs = [(72 + 16 * i, 700.0 - 28 * n, 16.0, t) for n, (i, t) in enumerate(lines)]
    blocks, info = READERS["pdf"](_pdf([runs]), "sig.pdf")
    assert [b.text for b in blocks] == [P1, full, "浙江省人民政府办公厅", "2023年12月5日"]
    assert (info.issuer, info.date) == ("浙江省人民政府办公厅", "2023-12-05")


def test_pdf_red_header_and_title_on_two_lines() -> None:
    header, title = "辽宁省商务厅文件", ["关于进一步加强全省商务领域安全生产", "工作的通知"]
    runs = [(297.5 - _em(header) * 18, 780.0, 36.0, header)]
    runs += [(297.5 - _em(t) * 11, 700.0 - 30 * n, 22.0, t) for n, t in enumerate(title)]
    runs += [(72 + 16 * i, 630.0 - 28 * n, 16.0, t) for n, (i, t) in enumerate(_wrap(P1))]
    blocks, info = READERS["pdf"](_pdf([runs]), "red.pdf")
    assert [(b.heading, b.text) for b in blocks] == [(1, header), (2, "".join(title)), (0, P1)]
    assert info.title == "".join(title)


def test_pdf_without_text_layer_is_reported_as_scanned(monkeypatch: pytest.MonkeyPatch) -> None:
    from search.documents import ocr

    monkeypatch.setattr(ocr, "available", lambda: True)  # installed, but no recognizer given
    with pytest.raises(UnreadableDocument) as caught:
        READERS["pdf"](_pdf([[], []]), "scan.pdf")
    assert caught.value.message == "scan.pdf: no text layer (scanned PDF?)"
    assert caught.value.hint == "run OCR on it first"


def test_encrypted_pdf_needs_a_password() -> None:
    key = "AB" * 32  # /U does not match the empty password: PDFium asks for one
    encrypt = f"<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <{key}> /U <{key}> >>"
    file_id = "01" * 16
    data = _pdf([[(72, 700, 16, "机密")]], f"/Encrypt {encrypt} /ID [<{file_id}> <{file_id}>] ")
    with pytest.raises(UnreadableDocument, match=r"^secret\.pdf: encrypted PDF"):
        READERS["pdf"](data, "secret.pdf")


def test_read_pdf_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "通知.pdf"
    path.write_bytes(_notice_pdf())
    [(document, passages)] = read(path, "doc-1", "通知.pdf")
    assert (document.doc_id, document.path, document.fmt) == ("doc-1", "通知.pdf", "pdf")
    assert (document.title, document.date, document.issuer) == (TITLE, "2024-03-01", "辽宁省商务厅")
    assert [(p.paragraph, p.line, p.end_line) for p in passages[:2]] == [(1, 1, 1), (2, 1, 1)]
    assert passages[3].text == P1 and passages[3].headings == (TITLE,)
    assert (passages[-1].line, passages[-1].text) == (2, "2024年3月1日")


# --- DOCX -------------------------------------------------------------------------------------

_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles {_NS}>
<w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="a3"><w:name w:val="Title"/></w:style>
<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/></w:style>
<w:style w:type="paragraph" w:styleId="2"><w:name w:val="标题 2"/></w:style>
<w:style w:type="paragraph" w:styleId="MyHead"><w:name w:val="My Head"/>
 <w:basedOn w:val="2"/></w:style>
<w:style w:type="character" w:styleId="1Char"><w:name w:val="标题 1 Char"/></w:style>
</w:styles>"""
CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>{title}</dc:title><dc:creator>Administrator</dc:creator>
<dcterms:created xsi:type="dcterms:W3CDTF">2023-12-30T08:00:00Z</dcterms:created>
</cp:coreProperties>"""


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml"
 ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml"
 ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/docProps/core.xml"
 ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{}</Relationships>"""
_R = "http://schemas.openxmlformats.org"
PACKAGE_RELS = (
    f'<Relationship Id="rId1" Type="{_R}/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/>'
    f'<Relationship Id="rId2" Type="{_R}/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
)
STYLES_REL = (
    f'<Relationship Id="rId1" Type="{_R}/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>'
)


def _p(text: str, style: str = "", outline: int | None = None) -> str:
    props = f'<w:pStyle w:val="{style}"/>' if style else ""
    props += f'<w:outlineLvl w:val="{outline}"/>' if outline is not None else ""
    text_run = '<w:r><w:t xml:space="preserve">{}</w:t></w:r>'
    runs = "".join(
        "<w:r><w:br/></w:r>" if part == "\n" else text_run.format(part)
        for part in re.split(r"(\n)", text)
        if part
    )
    return f"<w:p><w:pPr>{props}</w:pPr>{runs}</w:p>"


def _docx(body: str, core_title: str = "", styles: str = STYLES, prolog: str = "") -> bytes:
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<w:document {_NS}>'
        f"<w:body>{body}<w:sectPr/></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS.format(PACKAGE_RELS))
        archive.writestr("word/_rels/document.xml.rels", RELS.format(STYLES_REL))
        archive.writestr("word/document.xml", document)
        archive.writestr("word/styles.xml", styles)
        archive.writestr("docProps/core.xml", CORE.format(title=core_title))
    return buffer.getvalue()


def _cell(*paragraphs: str) -> str:
    return "<w:tc>" + "".join(_p(p) for p in paragraphs) + "</w:tc>"


def test_docx_headings_tables_and_metadata() -> None:
    body = (
        _p("关于印发《安全生产检查方案》的通知", "a3")
        + _p("辽商发〔2024〕7号")
        + _p("")
        + _p("一、总体要求", "1")
        + _p("各地要高度重视，").replace(
            "</w:p>",
            "<w:del><w:r><w:delText>删去的字</w:delText></w:r></w:del>"
            "<w:ins><w:r><w:t>认真组织实施。</w:t></w:r></w:ins></w:p>",
        )
        + _p("（一）检查重点", "MyHead")
        + _p("附表", outline=2)
        + "<w:tbl><w:tr>"
        + _cell("单位", "（盖章）")
        + _cell("辽宁省商务厅")
        + "</w:tr></w:tbl>"
        + _p("辽宁省商务厅\n2024年2月5日")
    )
    blocks, info = READERS["docx"](_docx(body, "Microsoft Word 文档"), "plan.docx")
    assert blocks == [
        Block("关于印发《安全生产检查方案》的通知", 1, 1, 1),
        Block("辽商发〔2024〕7号", 2, 2),
        Block("一、总体要求", 4, 4, 1),
        Block("各地要高度重视，认真组织实施。", 5, 5),
        Block("（一）检查重点", 6, 6, 2),
        Block("附表", 7, 7, 3),
        Block("单位", 8, 8),
        Block("（盖章）", 9, 9),
        Block("辽宁省商务厅", 10, 10),
        Block("辽宁省商务厅", 11, 11),
        Block("2024年2月5日", 11, 11),
    ]
    assert info == Metadata(
        "关于印发《安全生产检查方案》的通知", "2024-02-05", "辽宁省商务厅", "辽商发〔2024〕7号"
    )


def test_docx_core_properties_when_the_text_has_none() -> None:
    body = _p("会议纪要") + _p("与会人员讨论了下一步工作。")
    _, info = READERS["docx"](_docx(body, "第三次专题会议纪要", styles="<broken"), "m.docx")
    assert (info.title, info.date) == ("第三次专题会议纪要", "2023-12-30")


def test_docx_zip_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_reader, "_MAX_PART", 1_000_000)
    bomb = _docx(_p("重复" * 200_000))  # 1.2 MB that packs into 3 KB
    with pytest.raises(UnreadableDocument, match=r"^bomb\.docx: word/document\.xml unpacks to"):
        READERS["docx"](bomb, "bomb.docx")


EXTERNAL_ENTITY = '<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'

# --- damaged files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "data", "message"),
    [
        ("pdf", b"", "bad.pdf: not a readable PDF"),
        ("pdf", b"%PDF-1.4\n" + bytes(range(256)) * 8, "bad.pdf: not a readable PDF"),
        ("pdf", _notice_pdf()[:700], "bad.pdf: "),
        ("docx", b"PK\x03\x04 truncated", "bad.docx: not a Word file"),
        ("docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "bad.docx: damaged Word"),
        ("docx", _docx(_p("正文"))[:-40], "bad.docx: not a Word file"),
        ("docx", _docx("<w:p><w:r><w:t>未闭合"), "bad.docx: damaged Word file (ParseError)"),
        ("docx", _docx("", prolog="<!DOCTYPE x>"), "bad.docx: word/document.xml declares a DTD"),
        (
            "docx",
            _docx("&e;", prolog="<!--" + "x" * 6000 + "-->" + EXTERNAL_ENTITY),
            "bad.docx: word/document.xml declares a DTD",
        ),
        ("html", bytes(range(256)) * 4, "bad.html: binary file"),
    ],
)
def test_damaged_files_raise_unreadable_document(fmt: str, data: bytes, message: str) -> None:
    with pytest.raises(UnreadableDocument) as caught:
        READERS[fmt](data, f"bad.{fmt}")
    assert caught.value.message.startswith(message)
    assert "\n" not in caught.value.message and caught.value.hint


def test_zip_without_word_document() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.xml", "<x/>")
    with pytest.raises(UnreadableDocument, match=r"^a\.docx: no word/document\.xml inside"):
        READERS["docx"](buffer.getvalue(), "a.docx")
