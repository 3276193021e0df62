"""Issue 12: at the terminal, as a person expects — locations a shell can use (paths from
here, one location per hit, JSON Lines records), batch input, errors about the index location
and failures reported once.  Exact output on the shared corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from search.cli import app

runner = CliRunner()


def _search(folder: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["search", "--index", str(folder), *args])
    return result.exit_code, result.stdout, result.stderr


def _command() -> list[str]:
    exe = Path(sys.executable).with_name("govsearch")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "search"]


# --- 4: paths a shell can use, from where the user stands -------------------------------------


@pytest.fixture
def apart(tmp_path: Path) -> tuple[Path, Path]:
    """The corpus in work/docs, its index in work/idx: (corpus folder, index folder)."""
    from tests.conftest import write_corpus

    corpus = write_corpus(tmp_path / "work")
    folder = tmp_path / "work" / "idx"
    assert runner.invoke(app, ["index", str(corpus), "--index", str(folder)]).exit_code == 0
    return corpus, folder


def test_paths_are_relative_to_the_current_folder(
    apart: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, folder = apart
    monkeypatch.chdir(corpus)
    assert _search(folder, "首店", "-l") == (0, "gbk_notice.txt\n", "")
    _, out, _ = _search(folder, "首店", "--json")
    hit = json.loads(out)
    assert (hit["doc_id"], hit["path"], hit["location"]) == (
        "corpus/gbk_notice.txt",  # stable, whatever the current folder
        "gbk_notice.txt",
        "gbk_notice.txt:10",
    )
    proc = subprocess.run(["sed", "-n", "10p", "gbk_notice.txt"], capture_output=True, check=True)
    assert proc.stdout.decode("gbk") == "  二是支持首店经济,对新开首店给予奖励。\n"
    monkeypatch.chdir(corpus / "..")
    assert _search(folder, "首店", "-l") == (0, "corpus/gbk_notice.txt\n", "")


def test_paths_outside_the_current_folder_are_absolute(
    apart: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, folder = apart
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert _search(folder, "首店", "-l") == (0, f"{corpus}/gbk_notice.txt\n", "")
    proc = subprocess.run(
        [*_command(), "search", "首店", "-l", "--index", str(folder)],
        capture_output=True,
        check=True,
    )
    wc = subprocess.run(["xargs", "wc", "-l"], input=proc.stdout, capture_output=True, check=True)
    assert wc.stdout.decode() == f"13 {corpus}/gbk_notice.txt\n"


@pytest.mark.parametrize(
    "name", ["gbk_notice.txt:10", "./gbk_notice.txt:10", "ABS:10", "corpus/gbk_notice.txt:10"]
)
def test_show_accepts_every_way_of_naming_a_file(
    apart: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    corpus, folder = apart
    monkeypatch.chdir(corpus)
    name = name.replace("ABS", str(corpus / "gbk_notice.txt"))
    result = runner.invoke(app, ["show", name, "-C", "0", "--index", str(folder)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "gbk_notice.txt (corpus/gbk_notice.txt)\n"
        "关于开展2023年夜经济消费季活动的通知 · 沈阳市商务局 · 2023-07-15\n"
        "\n"
        "> 10  二是支持首店经济,对新开首店给予奖励。\n"
    )


@pytest.mark.parametrize(
    "name", ["gbk_notice.txt", "./gbk_notice.txt", "ABS", "corpus/gbk_notice.txt"]
)
def test_show_a_file_by_any_name_is_the_whole_document(
    apart: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    corpus, folder = apart
    monkeypatch.chdir(corpus)
    name = name.replace("ABS", str(corpus / "gbk_notice.txt"))
    result = runner.invoke(app, ["show", name, "--index", str(folder)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[3:5] == [
        "   1  沈阳市商务局",
        "   3  关于开展2023年夜经济消费季活动的通知",
    ]
    assert len(result.stdout.splitlines()) == 3 + 9


def test_show_a_dump_asks_for_a_record(apart: tuple[Path, Path]) -> None:
    corpus, folder = apart
    result = runner.invoke(app, ["show", str(corpus / "news.jsonl"), "--index", str(folder)])
    assert (result.exit_code, result.stderr) == (
        2,
        f"govsearch: error: {corpus}/news.jsonl holds 2 records — give one as path:line,"
        f" e.g. {corpus}/news.jsonl:1\n",
    )


# --- 6: one location per hit in every format --------------------------------------------------


def test_one_location_per_hit_the_line_of_the_first_match(built: Path) -> None:
    _, out, _ = _search(built, "销售额增长", "--color", "never")
    assert out.startswith(" 1  corpus/broken.txt:6\n")
    _, out, _ = _search(built, "销售额增长", "--json", "--strict")
    hit = json.loads(out)
    assert (hit["location"], hit["line"], hit["end_line"], hit["match_line"]) == (
        "corpus/broken.txt:6",
        5,
        6,
        6,
    )
    result = runner.invoke(
        app, ["batch", "--format", "tsv", "--strict", "--index", str(built)], input="销售额增长\n"
    )
    header, row = result.stdout.splitlines()
    assert dict(zip(header.split("\t"), row.split("\t"), strict=True))["location"] == (
        "corpus/broken.txt:6"
    )
    assert row.split("\t")[5:8] == ["corpus/broken.txt:6", "5", "6"]
    shown = runner.invoke(app, ["show", "corpus/broken.txt:6", "-C", "0", "--index", str(built)])
    assert shown.stdout.endswith(
        "> 5  全市将开展汽车、家电等消费品以旧换新活动,预计带动销售额增长15%,惠及群众超过50万人。\n"
    )


# --- 5: JSON Lines records can be pinpointed -----------------------------------------------------


@pytest.fixture
def dump(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A dump of three records, the second one of five paragraphs; its index."""
    corpus = tmp_path / "dumps"
    corpus.mkdir()
    records = [
        {"id": "a", "title": "甲", "text": "第一段讲消费。"},
        {"id": "b", "title": "乙", "text": "一段。\n二段消费。\n三段。\n四段消费券。\n五段。"},
        {"id": "c", "title": "丙", "text": "只有一段,谈消费。"},
    ]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    (corpus / "d.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    folder = tmp_path / "index"
    assert runner.invoke(app, ["index", str(corpus), "--index", str(folder)]).exit_code == 0
    monkeypatch.chdir(corpus)
    return folder


def test_each_passage_of_a_record_has_its_own_location(dump: Path) -> None:
    _, out, _ = _search(dump, "消费", "--json", "--per-doc", "0")
    assert sorted(json.loads(line)["location"] for line in out.splitlines()) == [
        "d.jsonl:1#p1",
        "d.jsonl:2#p2",
        "d.jsonl:2#p4",
        "d.jsonl:3#p1",
    ]
    _, out, _ = _search(dump, "消费券", "--color", "never")
    assert out.splitlines()[0] == " 1  d.jsonl:2#p4"


def test_files_lists_the_records(dump: Path) -> None:
    code, out, _ = _search(dump, "消费", "-l")
    assert code == 0
    assert sorted(out.splitlines()) == ["d.jsonl:1", "d.jsonl:2", "d.jsonl:3"]


def test_show_a_paragraph_of_a_record_with_context(dump: Path) -> None:
    result = runner.invoke(
        app, ["show", "d.jsonl:2#p4", "消费", "-C", "1", "--color", "never", "--index", str(dump)]
    )
    assert (result.exit_code, result.stdout) == (
        0,
        "d.jsonl (b)\n乙\n\n  2#p3  三段。\n> 2#p4  四段消费券。\n  2#p5  五段。\n",
    )
    whole = runner.invoke(app, ["show", "d.jsonl:2", "-C", "0", "--index", str(dump)])
    assert whole.stdout.count("\n") == 3 + 5 and ">" not in whole.stdout
    bad = runner.invoke(app, ["show", "d.jsonl:2#p9", "--index", str(dump)])
    assert (bad.exit_code, bad.stderr) == (
        2,
        "govsearch: error: no paragraph 9 in the record at d.jsonl:2 — it has paragraphs 1 to 5\n",
    )


# --- 12, 13: batch input and exit status ------------------------------------------------------


def _batch(folder: Path, *args: str, data: bytes) -> tuple[int, str, str]:
    result = runner.invoke(app, ["batch", "--index", str(folder), *args], input=data)
    return result.exit_code, result.stdout, result.stderr


def _trec(out: str) -> list[str]:
    return [" ".join(line.split()[:3]) for line in out.splitlines()]


def test_batch_reads_id_tab_query(built: Path) -> None:
    data = "q1\t夜经济 首店\nq2\t带动销售额\n".encode()
    for form in ([], ["--input", "tsv"]):
        code, out, err = _batch(built, "--format", "trec", *form, data=data)
        assert (code, err) == (0, "")
        assert _trec(out) == ["q1 Q0 corpus/gbk_notice.txt", "q2 Q0 corpus/broken.txt"]
    code, out, _ = _batch(built, "--format", "trec", "--input", "text", data=data)
    # the id is then a word of the query ("q1 夜经济 首店"): partial hits, exit status 1
    assert (code, _trec(out)) == (1, ["1 Q0 corpus/gbk_notice.txt", "2 Q0 corpus/broken.txt"])


def test_batch_tsv_input_reports_a_line_without_a_tab(built: Path) -> None:
    code, out, err = _batch(built, "--input", "tsv", "--format", "trec", data="夜经济\n".encode())
    assert (code, out) == (2, "")
    assert err == (
        "govsearch: line 1: expected id<TAB>query\n"
        "govsearch: 1 bad line skipped (1); 0 queries ran\n"
    )


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_batch_reads_gbk_query_files(built: Path, encoding: str) -> None:
    data = "a\t夜经济 首店\nb\t带动销售额\n".encode(encoding)
    code, out, err = _batch(built, "--format", "trec", data=data)
    assert (code, err) == (0, "")
    assert _trec(out) == ["a Q0 corpus/gbk_notice.txt", "b Q0 corpus/broken.txt"]


def test_a_line_of_other_bytes_among_utf8_lines_is_bad(built: Path) -> None:
    data = "夜经济\n".encode() + "首店\n".encode("gbk")
    code, _, err = _batch(built, "--format", "trec", data=data)
    assert code == 2
    assert err.startswith("govsearch: line 2: neither UTF-8 nor GB18030 text (byte 1)\n")


def test_tsv_snippets_mark_what_is_cut(tmp_path: Path) -> None:
    corpus = tmp_path / "docs"
    corpus.mkdir()
    long = "前" * 200 + "关键词" + "后" * 200
    (corpus / "long.txt").write_text(long + "\n", encoding="utf-8")
    folder = tmp_path / "index"
    runner.invoke(app, ["index", str(corpus), "--index", str(folder)])
    code, out, _ = _batch(folder, "--format", "tsv", data="关键词\n".encode())
    snippet = out.splitlines()[1].split("\t")[-1]
    assert code == 0
    assert snippet.startswith("…前") and snippet.endswith("后…") and "关键词" in snippet


def test_batch_exit_2_wins_over_1(built: Path) -> None:
    assert _batch(built, data='航天\n{"id": 1}\n'.encode())[0] == 2


# --- 10: errors that say what is wrong -------------------------------------------------------


def test_an_index_location_inside_a_file(fresh: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, _ = fresh
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["index", str(corpus), "--index", "afile/sub"])
    assert (result.exit_code, result.stderr) == (
        2,
        "govsearch: error: the index location afile/sub is inside afile, a file"
        " — give a folder with --index\n",
    )
    message = "govsearch: error: the index location afile is a file — give a folder with --index\n"
    assert _search(Path("afile"), "消费") == (2, "", message)
    for command in (["stats"], ["show", "x.txt:1"], ["batch"]):
        result = runner.invoke(app, [*command, "--index", "afile"], input="消费\n")
        assert (result.exit_code, result.stderr) == (2, message), command


def test_a_search_during_the_first_build_says_so(tmp_path: Path) -> None:
    import fcntl

    folder = tmp_path / "index"
    folder.mkdir()
    with open(folder / "passages_WRITELOCK", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert _search(folder, "消费") == (
            2,
            "",
            f"govsearch: error: the index at {folder} is being built"
            " — search again when the running govsearch index has finished\n",
        )


@pytest.mark.parametrize("what", ["missing", "empty"])
def test_a_failed_first_index_leaves_no_folder(tmp_path: Path, what: str) -> None:
    (tmp_path / "empty").mkdir()
    folder = tmp_path / "index"
    result = runner.invoke(app, ["index", str(tmp_path / what), "--index", str(folder)])
    assert result.exit_code == 2
    assert not folder.exists()


def test_a_failed_update_keeps_the_index(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    runner.invoke(app, ["index", str(corpus), "--index", str(folder)])
    result = runner.invoke(app, ["index", str(corpus / "missing"), "--index", str(folder)])
    assert result.exit_code == 2
    assert _search(folder, "消费", "-c") == (0, "8\n", "")


# --- 9: a failure is reported when it is new or the file changed --------------------------------


def test_a_failure_is_reported_once_until_the_file_changes(fresh: tuple[Path, Path]) -> None:
    from search.store.manifest import Manifest
    from search.store.writer import update

    corpus, folder = fresh
    bad = corpus / "empty.txt"
    bad.write_bytes(b"   \n")
    first = update(folder, [corpus])
    assert (first.failed, first.still_failed) == (["corpus/empty.txt: no text found"], 0)
    again = update(folder, [corpus])
    assert (again.failed, again.still_failed, again.unchanged) == ([], 1, 4)
    bad.write_bytes(b"\x00\x01\x02" * 100)
    changed = update(folder, [corpus])
    assert (changed.failed, changed.still_failed) == (["corpus/empty.txt: binary file"], 0)
    manifest = Manifest.load(folder)
    assert manifest is not None
    assert manifest.failed[str(bad)]["problem"] == "corpus/empty.txt: binary file"
    bad.unlink()
    gone = update(folder, [corpus])
    assert (gone.failed, gone.still_failed) == ([], 0)
    manifest = Manifest.load(folder)
    assert manifest is not None and manifest.failed == {}


def test_index_reports_a_failure_once_and_lists_them(
    fresh: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, folder = fresh
    (corpus / "empty.txt").write_bytes(b"   \n")
    (corpus / "bin.txt").write_bytes(b"\x00\x01\x02" * 100)
    monkeypatch.chdir(corpus)  # paths from here: not as stored (corpus/…)
    index = ["index", str(corpus), "--index", str(folder)]
    first = runner.invoke(app, index)
    assert first.stderr.splitlines()[:2] == [
        "govsearch: failed: bin.txt: binary file",
        "govsearch: failed: empty.txt: no text found",
    ]
    again = runner.invoke(app, index)
    assert (again.exit_code, again.stderr.splitlines()[0]) == (
        0,
        "govsearch: 2 files that failed before are unchanged: not read again"
        f" (list: govsearch index --index {folder} --list-failed)",
    )
    assert again.stderr.splitlines()[1].startswith(
        "indexed: 0 added, 0 changed, 0 removed, 4 unchanged, 0 failed, 0 skipped"
    )
    listed = runner.invoke(app, ["index", "--list-failed", "--index", str(folder)])
    assert (listed.exit_code, listed.stdout, listed.stderr) == (
        0,
        "bin.txt: binary file\nempty.txt: no text found\n",
        "",
    )
