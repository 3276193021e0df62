"""HTML pages → blocks: the main text of a page, with the source line of every paragraph.

Built on the standard library's ``html.parser`` (no dependency, and it reports the source line
of every tag).  Navigation, scripts, headers, footers, forms, menus and blocks that are mostly links
(``search.documents.htmlclean``) are dropped; a data table is read row by row; the title,
date and issuer come from the ``<meta>`` tags Chinese government sites use, else from the text.
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

from search.documents import meta
from search.documents.blocks import Block
from search.documents.decode import decode
from search.documents.dom import Node, Text
from search.documents.htmlclean import RELATED, Links, table_blocks
from search.errors import UnreadableDocument


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_VOID = _words("area base br col embed hr img input link meta param source track wbr keygen")
_BLOCK = _words(
    "address article aside blockquote body caption center dd details div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre "
    "section summary table tbody td tfoot th thead tr ul"
)
_DROP = _words(
    "script style noscript template svg math iframe object embed canvas map select option "
    "button textarea input nav aside menu dialog head title"
)
# Tags that end an open <p> (HTML's implied end tags), and those that end an open <li>/<td>.
_CLOSES_P = _BLOCK - {"body", "html", "td", "th", "tr", "tbody", "thead", "tfoot"}
_SIBLINGS = {
    "li": {"li"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
    "tr": {"tr"},
    "td": {"td", "th"},
    "th": {"td", "th"},
    "option": {"option"},
}
_NOISE_NAME = re.compile(
    r"nav|menu|crumb|sidebar|share|toolbar|topbar|copyright|sitemap|friendlink|yqlj|dqwz"
    r"|(?:^|[-_])(?:skip|login|search|searchbox|print|close)(?:$|[-_])",
    re.IGNORECASE,
)
_FRAME_NAME = re.compile(
    r"^(?:(?:site|page|g|global|main|top)[-_]?)?(?:header|footer|head|foot|top|bottom)$",
    re.IGNORECASE,
)
_MAX_DEPTH = 200
_NOISE_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "menu", "menubar"})
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
_SPACE = re.compile(r"[ \t\n\r\f\v\u00a0\u3000\u200b\ufeff]+")
_TITLE_SPLIT = re.compile(r"\s*(?:[_|｜]|——|--|\s[-－—–]\s)\s*")
_SITE_NAME = re.compile(r"(?:网|网站|门户|平台|首页|政府|人民政府|信息公开|政务公开|频道|专栏)$")
_SOURCE_IN_LINE = re.compile(
    r"(?:来源|发布机构|发文机关|信息来源)\s*[:：]\s*([^\s|｜【\[（(]{2,30})"
)
_META_TITLE = ("articletitle", "og:title", "dc.title")
_META_DATE = (  # as government CMSs (TRS, Hanweb, gov.cn) and others write them
    "pubdate",
    "publishdate",
    "publish-date",
    "firstpublishedtime",
    "articletimes",
    "article:published_time",
    "datepublished",
    "dcterms.issued",
    "dc.date.issued",
    "dc.date",
    "publishtime",
    "pubtime",
    "createdate",
    "date",
)
_META_ISSUER = ("contentsource", "source", "dc.publisher", "author", "dc.creator")


class _TreeBuilder(HTMLParser):
    """A forgiving DOM: implied end tags for p/li/td…, stray end tags ignored."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, 1)
        self.stack: list[Node] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._imply_end(tag)
        node = Node(tag, {k.lower(): v or "" for k, v in attrs}, self.getpos()[0])
        self.stack[-1].children.append(node)
        if tag not in _VOID and len(self.stack) < _MAX_DEPTH:  # deeper tags (unclosed <font>
            self.stack.append(node)  # in old pages) hold no children: their text goes up

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if self.stack[-1].children == [] and self.stack[-1].tag == tag and tag not in _VOID:
            self.stack.pop()  # <div/>: opened and closed at once

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return
        if tag in ("br", "p"):  # </br> and a stray </p> act as <br> and <p></p>
            self.handle_startendtag(tag, [])

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(Text(data, self.getpos()[0]))

    def _imply_end(self, tag: str) -> None:
        if tag in _CLOSES_P:
            self._close_open("p", stop={"table", "td", "th", "caption", "button", "object"})
        if tag in _SIBLINGS:
            stop = {"table"} if tag in ("tr", "td", "th") else {"ul", "ol", "dl", "table", "select"}
            for sibling in _SIBLINGS[tag]:
                if self._close_open(sibling, stop=stop):
                    break

    def _close_open(self, tag: str, stop: set[str]) -> bool:
        for depth in range(len(self.stack) - 1, 0, -1):
            current = self.stack[depth].tag
            if current == tag:
                del self.stack[depth:]
                return True
            if current in stop:
                return False
        return False


def _charset_of(data: bytes) -> str | None:
    match = _CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "replace").lower()
    if name in ("gb2312", "gbk", "x-gbk", "gb_2312-80", "cp936"):
        return "gb18030"  # a superset: pages labelled GB2312 often use GBK characters
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(data: bytes, name: str) -> str:
    """A BOM, else UTF-8 when the bytes are UTF-8 (pages often declare a charset they do not
    use), else the declared ``<meta charset>``, else GB18030."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode(data, name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    charset = _charset_of(data)
    if charset and "utf-16" not in charset and "utf-32" not in charset:
        try:
            return data.decode(charset)
        except UnicodeDecodeError:
            pass
    return decode(data, name)


def _is_noise(node: Node, inside_article: bool) -> bool:
    tag = node.tag
    if tag in _DROP or "hidden" in node.attrs:
        return True
    attrs = node.attrs
    if attrs.get("aria-hidden") == "true" or _HIDDEN.search(attrs.get("style", "")):
        return True
    if attrs.get("role", "").lower() in _NOISE_ROLES:
        return True
    names = attrs.get("class", "").split() + attrs.get("id", "").split()
    if any(_NOISE_NAME.search(n) for n in names):
        return True
    if inside_article:
        return False
    if tag in ("header", "footer") or any(_FRAME_NAME.match(n) for n in names):
        return True
    return tag == "form" and not _has_content(node)


def _has_content(node: Node) -> bool:
    """Whether a form holds the page itself (ASP.NET pages wrap everything in one)."""
    for child in node.children:
        if isinstance(child, Node):
            if child.tag in ("p", "h1", "h2", "h3", "article", "main", "table"):
                return True
            if _has_content(child):
                return True
    return False


_BUTTON = (
    r"[【\[]?\s*(?:打印本页|打印|关闭窗口|关闭|返回顶部|收藏|字[体号]\s*[:：]?(?:\s*[大中小])*)"
    r"\s*[】\]]?"
)
_BOILERPLATE = re.compile(
    r"^(?:当前位置|您现在的位置|您当前的位置|您所在的位置|您的位置|所在位置)\s*[:：]"
    rf"|^(?:{_BUTTON}\s*)+$|^分享到\s*[:：]|^(?:上一篇|下一篇|上一条|下一条)\s*[:：]"
    r"|^首页\s*[>»›＞](?:[^>»›＞]{1,20}[>»›＞]?)*$"
)
_BUTTONS_AFTER = re.compile(rf"\s*(?:{_BUTTON}\s*)+$")
_WORD = re.compile(r"[^\s\u200b\ufeff]+")
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_ORG_END = re.compile(r"(?:厅|局|委员会|委|政府|办公室|办公厅|部|院|会|中心|署|府|室|所|馆|司)$")


class _Paragraphs:
    """Collects text into blocks: whitespace collapsed, source lines of the pieces kept."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._reset()

    def _reset(self) -> None:
        self.text = ""
        self.gap = ""  # "", "space" or "break" (whitespace holding a line break)
        self.line: int | None = None
        self.last_line = self.end_line = 0
        self.heading = 0
        self.joins: list[tuple[int, int]] = []

    def open(self, line: int, heading: int = 0) -> None:
        self.flush()
        self.line, self.heading = line, heading

    def flush(self) -> None:
        if self.text and self.line is not None:
            self.blocks.append(
                Block(self.text, self.line, self.end_line, self.heading, tuple(self.joins))
            )
        self._reset()

    def add(self, raw: str, line: int) -> None:
        pos = 0
        for match in _WORD.finditer(raw):
            self._gap(raw[pos : match.start()])
            line += raw.count("\n", pos, match.start())
            self._word(match.group(), line)
            pos = match.end()
        self._gap(raw[pos:])

    def _gap(self, space: str) -> None:
        if space and self.text:
            self.gap = "break" if "\n" in space or self.gap == "break" else "space"

    def _word(self, word: str, line: int) -> None:
        if not self.text:
            self.line = line if self.line is None else self.line
            self.last_line = max(self.line, line)
        else:
            wide = _WIDE.match(self.text[-1]) and _WIDE.match(word[0])
            if self.gap == "space" or (self.gap == "break" and not wide):
                self.text += " "
            if line > self.last_line:
                self.joins.append((len(self.text), line))
                self.last_line = line
        self.text += word
        self.end_line = max(self.end_line, line, self.line or 0)
        self.gap = ""


def _walk(node: Node, out: _Paragraphs, links: Links, inside_article: bool = False) -> None:
    for child in node.children:
        if isinstance(child, Text):
            out.add(child.text, child.line)
            continue
        if _is_noise(child, inside_article) or links.is_navigation(child):
            continue
        tag = child.tag
        if tag == "br" and out.heading:  # a title set on two lines stays one heading
            out.add(" ", child.line)
        elif tag in ("br", "hr"):
            out.flush()
        elif tag == "table" and (rows := table_blocks(child, links.noise)) is not None:
            out.flush()
            out.blocks.extend(rows)
        elif tag in _HEADINGS or tag in _BLOCK:
            out.open(child.line, _HEADINGS.get(tag, 0))
            _walk(child, out, links, inside_article or tag in ("article", "main"))
            out.flush()
        else:
            _walk(child, out, links, inside_article)


def _content_noise(node: Node) -> bool:
    return _is_noise(node, True)


def _head(node: Node, metas: dict[str, str], titles: list[str]) -> None:
    """The ``<meta>`` name → content pairs and ``<title>`` texts anywhere in the page."""
    for child in node.children:
        if not isinstance(child, Node):
            continue
        if child.tag == "meta":
            key = (
                (
                    child.attrs.get("name")
                    or child.attrs.get("property")
                    or child.attrs.get("itemprop")
                    or child.attrs.get("http-equiv")
                    or ""
                )
                .strip()
                .lower()
            )
            value = _SPACE.sub(" ", child.attrs.get("content", "")).strip()
            if key and value:
                metas.setdefault(key, value)
        elif child.tag == "title":
            titles.append(
                _SPACE.sub(
                    " ", "".join(t.text for t in child.children if isinstance(t, Text))
                ).strip()
            )
        elif child.tag not in ("script", "style"):
            _head(child, metas, titles)


def _page_title(title: str) -> str:
    """The article's part of a composite ``<title>`` such as ``标题_某某政府网``."""
    parts = [p for p in _TITLE_SPLIT.split(title) if p]
    named = [p for p in parts if not _SITE_NAME.search(p)] or parts
    return max(named, key=len) if named else ""


def _first(metas: dict[str, str], keys: tuple[str, ...]) -> str:
    return next((metas[k] for k in keys if metas.get(k)), "")


def _metadata(blocks: list[Block], metas: dict[str, str], page_title: str) -> meta.Metadata:
    found = meta.extract(blocks)
    h1 = next((b.text for b in blocks if b.heading == 1), "")
    composite = len([p for p in _TITLE_SPLIT.split(page_title) if p]) > 1
    title = _first(metas, _META_TITLE)
    if not title and h1 and (not page_title or h1 in page_title or composite):
        title = h1
    title = title or _page_title(page_title) or found.title
    date = next((d for k in _META_DATE if (d := meta.parse_date(metas.get(k, "")))), "")
    issuer = _first(metas, _META_ISSUER[:3])
    author = _first(metas, _META_ISSUER[3:])
    if not issuer and _ORG_END.search(author):
        issuer = author
    if not issuer and not found.issuer:
        for block in blocks[:15]:
            match = _SOURCE_IN_LINE.search(block.text)
            if match:
                issuer = match.group(1)
                break
    doc_number = found.doc_number or meta.doc_number(_first(metas, ("文号", "docnumber")))
    return meta.Metadata(title, date or found.date, issuer or found.issuer, doc_number)


def read_html(data: bytes, name: str) -> tuple[list[Block], meta.Metadata]:
    """The main text of an HTML page as blocks, and its metadata."""
    text = decode_html(data, name)
    builder = _TreeBuilder()
    try:
        builder.feed(text)
        builder.close()
    except Exception as exc:  # html.parser is forgiving; this is a last guard
        raise UnreadableDocument(
            f"{name}: cannot parse HTML ({type(exc).__name__})", "check the file"
        ) from exc
    out = _Paragraphs()
    _walk(builder.root, out, Links(_content_noise))
    out.flush()
    blocks = [_trimmed(b) for b in out.blocks if not _boilerplate(b.text)]
    metas: dict[str, str] = {}
    titles: list[str] = []
    _head(builder.root, metas, titles)
    return blocks, _metadata(blocks, metas, titles[0] if titles else "")


def _boilerplate(text: str) -> bool:
    """Breadcrumbs, buttons, share bars, next/previous links, a "相关链接" label left alone."""
    related = RELATED.match(text)
    return bool(_BOILERPLATE.match(text) or (related and related.end() == len(text)))


def _trimmed(block: Block) -> Block:
    """Without the font-size and print buttons that follow the date line of many pages."""
    match = _BUTTONS_AFTER.search(block.text)
    if not match or match.start() == 0:
        return block
    text = block.text[: match.start()]
    joins = tuple((offset, line) for offset, line in block.joins if offset < len(text))
    return Block(text, block.line, joins[-1][1] if joins else block.line, block.heading, joins)
