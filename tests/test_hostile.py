"""Hostile input: every file accounted for, no traceback, inert text in every output format."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from search.cli import app
from search.render import inert
from search.store.writer import update

runner = CliRunner()
EVIL = (
    "通知[bold red]消费[/] \x1b[31m红\x1b[0m \x1b]8;;http://x\x1b\\链接\x1b]8;;\x1b\\ "
    "\x1b]0;标题\x07 \u202e反向\u202c 空\x00字符。"
)


def _hostile(root: Path) -> Path:
    c = root / "hostile"
    c.mkdir()
    (c / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (c / "empty.txt").write_bytes(b"")
    (c / "blank.md").write_text(" \n\t\n\u3000\n", encoding="utf-8")
    (c / "bad-utf8.txt").write_bytes(b"\xff\xfe\xfa\xfb" * 10 + "有效文字。".encode())
    (c / "damaged.txt").write_bytes("消费券发放通知。".encode() * 200 + b"\xff" + "完。".encode())
    (c / "gbk.txt").write_bytes("关于促消费的通知。".encode("gbk"))
    (c / "gb18030.txt").write_bytes("𠀀字与促消费。".encode("gb18030"))
    (c / "utf16.txt").write_bytes("促消费通知。".encode("utf-16"))
    (c / "one line.txt").write_text("促消费。" * 200_000, encoding="utf-8")  # 800k chars, 1 line
    (c / "中文 名.txt").write_text("促消费中文名。", encoding="utf-8")
    (c / "new\nline.txt").write_text("促消费换行名。", encoding="utf-8")
    (c / "evil.txt").write_text(EVIL, encoding="utf-8")
    (c / "records.jsonl").write_text('{"id": 1, "text": "促消费记录"}\n[1,2]\n', encoding="utf-8")
    (c / "loop").symlink_to(c, target_is_directory=True)
    (c / "dangling.txt").symlink_to(c / "missing.txt")
    deep = c
    for i in range(60):
        deep = deep / f"d{i}"
    deep.mkdir(parents=True)
    (deep / "deep.txt").write_text("深层促消费。", encoding="utf-8")
    return c


@pytest.mark.slow
def test_hostile_folder_is_indexed_and_accounted_for(tmp_path: Path) -> None:
    corpus = _hostile(tmp_path)
    report = update(tmp_path / "index", [corpus])
    failed = sorted(line.split(":")[0].rsplit("/", 1)[-1] for line in report.failed)
    assert failed == ["bad-utf8.txt", "binary.txt", "blank.md", "empty.txt", "records.jsonl"]
    # damaged, gbk, gb18030, utf16, one line, 中文 名, new\nline, evil, records, deep
    assert report.added == 10
    skipped = sorted(Path(s.split(": ")[0]).name for s in report.skipped)
    assert skipped == ["dangling.txt", "loop"]
    # every file on disk is accounted for: indexed (all of them mention 消费), failed or skipped
    listed = runner.invoke(app, ["search", "消费", "-l", "--index", str(tmp_path / "index")])
    # -l lists documents: a file's path, a JSON Lines record as path:line
    names = [line.rsplit("/", 1)[-1] for line in listed.stdout.splitlines()]
    assert [n for n in names if ".jsonl:" in n] == ["records.jsonl:1"]
    indexed = sorted({n.split(".jsonl:")[0] + ".jsonl" if ".jsonl:" in n else n for n in names})
    assert len(indexed) == report.added
    on_disk = [
        inert(name)
        for top, folders, files in os.walk(corpus)
        for name in files + [f for f in folders if (Path(top) / f).is_symlink()]
    ]
    assert len(on_disk) == 16
    assert sorted({*failed, *indexed, *skipped}) == sorted(on_disk)  # records.jsonl: 2 of them


def test_outputs_keep_document_text_inert(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "evil.txt").write_text(EVIL, encoding="utf-8")
    folder = tmp_path / "index"
    update(folder, [corpus])
    term = runner.invoke(app, ["search", "消费", "--index", str(folder), "--color", "always"])
    assert term.exit_code == 0
    out = term.stdout
    for raw in ("\x1b[31m", "\x1b]8;", "\x1b]0;", "\x07", "\u202e", "\x00"):
        assert raw not in out
    assert "通知[bold red]\x1b[1;31m消费\x1b[0m[/] ␛[31m红␛[0m" in out  # markup shown literally
    as_json = runner.invoke(app, ["search", "消费", "--index", str(folder), "--json"])
    line = as_json.stdout.strip()
    for raw in ("\x1b", "\x07", "\u202e", "\x00"):
        assert raw not in line
    assert json.loads(line)["text"] == EVIL
    assert "\\u001b[31m" in line and "\\u202e" in line and "\\u0000" in line


def test_file_name_not_utf8_is_skipped_and_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    corpus = tmp_path / "c"
    corpus.mkdir()
    with open(os.fsencode(corpus) + b"/bad\xffname.txt", "wb") as fh:
        fh.write("促消费通知。".encode())
    (corpus / "good.txt").write_text("促消费正文。", encoding="utf-8")
    report = update(tmp_path / "index", [corpus])
    assert report.added == 1
    assert report.skipped == [
        f"{corpus}/bad\ufffdname.txt: file name is not valid UTF-8: rename it"
    ]
    result = runner.invoke(app, ["search", "促消费", "--index", str(tmp_path / "index"), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["path"] == "c/good.txt"


def test_index_of_nothing_is_searchable(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    report = update(tmp_path / "index", [empty])
    assert report.indexed_nothing
    result = runner.invoke(app, ["search", "消费", "--index", str(tmp_path / "index")])
    assert (result.exit_code, result.stdout) == (1, "")


def test_hostile_attachments_fail_one_line_each_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ofdfiles import layout, ofd

    monkeypatch.chdir(tmp_path)  # paths print relative to the current folder
    from ole import compound_file, word_document
    from sheetfiles import xlsx

    c = tmp_path / "att"
    c.mkdir()
    good_ofd = ofd([layout([("body", "促消费的版式文件。")])])
    (c / "good.doc").write_bytes(word_document([("促消费的旧版文档。\r", False)]))
    (c / "good.xlsx").write_bytes(xlsx([("S", [["名称", "内容"], ["甲", "促消费表格"]])]))
    (c / "good.ofd").write_bytes(good_ofd)
    (c / "empty.xlsx").write_bytes(b"")
    (c / "cut.ofd").write_bytes(good_ofd[:-50])
    (c / "locked.doc").write_bytes(compound_file({"EncryptedPackage": b"x"}))
    (c / "dtd.ofd").write_bytes(ofd([[]], prolog='<!DOCTYPE p [<!ENTITY e SYSTEM "/x">]>'))
    (c / "text.doc").write_bytes("其实是文本。".encode())
    report = update(tmp_path / "index", [c])
    assert report.added == 3
    assert sorted(line.split(": ", 1)[1] for line in report.failed) == [
        "an XML part declares a DTD (not allowed in OFD)",
        "empty file",
        "encrypted Word file (needs a password)",
        "not a Word 97–2003 or WPS file (no OLE container)",
        "not an OFD file (not a zip archive)",
    ]
    result = runner.invoke(app, ["search", "促消费", "-l", "--index", str(tmp_path / "index")])
    assert result.stdout.splitlines() == ["att/good.doc", "att/good.ofd", "att/good.xlsx"]
