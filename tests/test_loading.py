"""Tests for rag.loading: every format, dedupe/ids, and every kind of bad input.

Fixtures are written into tmp_path so each test shows the exact bytes it feeds the loader.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.loading import (
    MAX_ABSTRACT_CHARS,
    SUPPORTED_SUFFIXES,
    iter_file,
    load_papers,
    normalise_title,
    slugify,
)
from rag.schema import LoadIssue, LoadResult, Paper

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_ff2e801dd48b50d8.txt"

ABSTRACT = (
    "We study a simple but effective method for retrieval over scientific abstracts and show "
    "that it improves recall on three benchmarks while keeping latency low for all users of "
    "the system."
)
ABSTRACT2 = (
    "A second abstract about something else entirely, long enough to look like an abstract "
    "to the page parser because it has well over thirty words in it, which is the threshold."
)


def rec(
    id_: str | None = None, title: str = "A Title", abstract: str = ABSTRACT, **kw: Any
) -> dict:
    d: dict[str, Any] = {"title": title, "abstract": abstract, **kw}
    if id_ is not None:
        d["id"] = id_
    return d


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def errors(result: LoadResult) -> list[LoadIssue]:
    return [i for i in result.issues if i.level == "error"]


def warnings(result: LoadResult) -> list[LoadIssue]:
    return [i for i in result.issues if i.level == "warning"]


def only(issues: list[LoadIssue], pattern: str) -> LoadIssue:
    hits = [i for i in issues if re.search(pattern, i.message)]
    assert len(hits) == 1, (pattern, [str(i) for i in issues])
    return hits[0]


# --------------------------------------------------------------------------- seed page format


def seed_expected() -> list[tuple[int, str]]:
    """(line, title) of every paper, read straight from the file: 5 header lines, then pairs."""
    lines = [(n, line.strip()) for n, line in enumerate(SEED.read_text().split("\n"), 1)]
    non_empty = [(n, line) for n, line in lines if line]
    return non_empty[5::2]


def test_seed_file_gives_79_papers_with_right_titles() -> None:
    result = load_papers([SEED])
    assert errors(result) == [] and result.issues == []
    assert len(result.papers) == 79
    titles = [p.title for p in result.papers]
    assert titles[0] == "Pre-Trained Language Models for Interactive Decision-Making"
    assert titles[39] == (
        "D-CPT Law: Domain-specific Continual Pre-Training Scaling Law for Large Language Models"
    )
    assert titles[-1] == "Evaluating Protein Transfer Learning with TAPE"
    expected = seed_expected()
    assert titles == [t for _, t in expected]
    assert [p.source for p in result.papers] == [f"{SEED}:{n}" for n, _ in expected]
    # The middle one against the raw file line its source points at.
    line = int(result.papers[39].source.rsplit(":", 1)[1])
    assert SEED.read_text().split("\n")[line - 1].strip() == titles[39]
    for p in result.papers:
        assert len(p.abstract) > 1000 and "  " not in p.abstract


def test_seed_ids_are_readable_unique_and_stable() -> None:
    a, b = load_papers([SEED]), load_papers([str(SEED)])
    ids = [p.id for p in a.papers]
    assert ids == [p.id for p in b.papers]
    assert len(set(ids)) == 79
    assert ids[0] == "pre-trained-language-models-for-interactive-decision-making"
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) and len(i) <= 80 for i in ids)


def test_seed_format_tolerates_header_and_whitespace_variations(tmp_path: Path) -> None:
    raw = SEED.read_text()
    body = [line for line in raw.split("\n") if line.strip()][5:]
    variants = {
        "crlf.txt": raw.replace("\n", "\r\n"),
        "no_header.txt": "\n\n".join(body),
        "other_header.txt": "Papers\nToday's picks\n\n\n" + "\n".join(body) + "\n\n\n",
        "trailing_ws.txt": "\n".join(line + "  \t" for line in raw.split("\n")),
        "no_blank_lines.txt": "\n".join(
            line for line in raw.replace("\n", "\r\n").split("\r\n") if line
        ),
    }
    want = [t for _, t in seed_expected()]
    for name, text in variants.items():
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8"))
        result = load_papers([path])
        assert [p.title for p in result.papers] == want, name
        assert errors(result) == [], name


def test_seed_format_reports_orphan_title_and_abstract(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(
        "new\nSubscribe\n\n"  # header: lines 1-2
        f"First Paper\n{ABSTRACT}\n\n"  # 4-5
        "Lonely Title With No Abstract\n\n"  # 7
        f"Second Paper\n{ABSTRACT2}\n\n"  # 9-10
        f"{ABSTRACT2} And more.\n"  # 12: an abstract with no title
    )
    result = load_papers([path])
    assert [p.title for p in result.papers] == ["First Paper", "Second Paper"]
    assert [p.source for p in result.papers] == [f"{path}:4", f"{path}:9"]
    assert only(errors(result), "'abstract'").where == f"{path}:7"
    assert only(errors(result), "'title'").where == f"{path}:12"


def test_seed_format_accepts_short_abstract_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(
        f"First Paper\n{ABSTRACT}\n\nTerse Paper\nWe show that a tiny method works well here.\n"
        f"\nThird Paper\n{ABSTRACT2}\n"
    )
    result = load_papers([path])
    assert [p.title for p in result.papers] == ["First Paper", "Terse Paper", "Third Paper"]
    assert only(warnings(result), "short").where == f"{path}:5"


# --------------------------------------------------------------------------- other formats


def test_jsonl_fields_and_aliases(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "c.jsonl",
        [
            rec(" p1 ", "Alpha", authors=["Ann Lee", " Bo  Chen "], year=2020, venue="ACL"),
            rec("p2", "Beta", authors="Lee, Ann; Chen, Bo", year="2019", url="http://x/2"),
            rec(7, "Gamma", authors="Ann Lee and Bo Chen", year="2018-05-01"),
            rec("p4", "Delta", authors="Ann Lee, Bo Chen", year=2017.0),
            {"ID": "p5", "Title": "Epsilon", "Abstract": ABSTRACT},
            {"id": "p6", "title": "Zeta", "paperAbstract": ABSTRACT, "author": [{"name": "X Y"}]},
        ],
    )
    result = load_papers([path])
    assert result.issues == []
    by_id = {p.id: p for p in result.papers}
    assert list(by_id) == ["p1", "p2", "7", "p4", "p5", "p6"]
    assert by_id["p1"] == Paper(
        id="p1",
        title="Alpha",
        abstract=ABSTRACT,
        authors=("Ann Lee", "Bo Chen"),
        year=2020,
        venue="ACL",
        source=f"{path}:1",
    )
    assert by_id["p2"].authors == ("Lee, Ann", "Chen, Bo") and by_id["p2"].year == 2019
    assert by_id["p2"].url == "http://x/2"
    assert by_id["7"].authors == ("Ann Lee", "Bo Chen") and by_id["7"].year == 2018
    assert by_id["p4"].authors == ("Ann Lee", "Bo Chen") and by_id["p4"].year == 2017
    assert by_id["p5"].title == "Epsilon" and by_id["p6"].authors == ("X Y",)
    assert [p.source for p in result.papers] == [f"{path}:{n}" for n in range(1, 7)]


def test_jsonl_gz_and_beir(tmp_path: Path) -> None:
    gz = tmp_path / "c.jsonl.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as f:
        for i in range(3):
            f.write(json.dumps(rec(f"g{i}", f"Gz paper {i}")) + "\n")
    beir = write_jsonl(
        tmp_path / "corpus.jsonl",
        [{"_id": "b1", "title": "Beir one", "text": ABSTRACT, "metadata": {}}],
    )
    result = load_papers([gz, beir])
    assert result.issues == []
    assert [p.id for p in result.papers] == ["g0", "g1", "g2", "b1"]
    assert result.papers[1].source == f"{gz}:2"
    assert result.papers[3].abstract == ABSTRACT


def test_json_array_and_wrapped_object(tmp_path: Path) -> None:
    arr = tmp_path / "a.json"
    arr.write_text(json.dumps([rec("a1", "One"), rec("a2", "Two")], indent=2))
    wrapped = tmp_path / "w.json"
    wrapped.write_text(json.dumps({"meta": {"n": 1}, "Papers": [rec("w1", "Three")]}, indent=1))
    single = tmp_path / "s.json"
    single.write_text(json.dumps(rec("s1", "Four")))
    result = load_papers([arr, wrapped, single])
    assert result.issues == []
    assert [p.id for p in result.papers] == ["a1", "a2", "w1", "s1"]
    arr_lines = arr.read_text().split("\n")
    for p in result.papers[:2]:
        n = int(p.source.rsplit(":", 1)[1])
        assert arr_lines[n - 1].strip() == "{", p.source  # the line the object starts on
    assert (
        result.papers[2].source
        == f"{wrapped}:{wrapped.read_text().split(chr(10)).index('  {') + 1}"
    )


def test_json_file_that_is_really_json_lines(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "x.json", [rec("1", "One"), rec("2", "Two")])
    result = load_papers([path])
    assert [p.id for p in result.papers] == ["1", "2"]
    assert result.papers[1].source == f"{path}:2"
    only(warnings(result), "JSON Lines")


def test_json_invalid_element_keeps_earlier_records(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    good = json.dumps(rec("1", "One"))
    path.write_text(f"[\n{good},\n[1, 2],\n{{bad json}}\n]\n")
    result = load_papers([path])
    assert [p.id for p in result.papers] == ["1"]
    assert only(errors(result), "a list").where == f"{path}:3"
    assert only(errors(result), "invalid JSON").where == f"{path}:4"


def test_csv_and_tsv(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["Paper_ID", "TITLE", "Abstract", "Authors", "Year", "extra"])
    w.writerow(["c1", "Csv one", ABSTRACT, "A B; C D", "2021", "x"])
    w.writerow(["c2", "Csv two", "multi\nline\n" + ABSTRACT, "", "", ""])
    w.writerow(["", "Csv three", ABSTRACT, "", "", ""])
    path.write_text(buf.getvalue(), encoding="utf-8")
    tsv = tmp_path / "c.tsv"
    tsv.write_text("_id\ttitle\ttext\nt1\tTsv one\t" + ABSTRACT + "\n", encoding="utf-8")
    semi = tmp_path / "semi.csv"
    semi.write_text("id;title;abstract\ns1;Semi one;" + ABSTRACT + "\n", encoding="utf-8")
    result = load_papers([path, tsv, semi])
    assert result.issues == []
    assert [p.id for p in result.papers] == ["c1", "c2", "csv-three", "t1", "s1"]
    c1, c2, c3 = result.papers[:3]
    assert c1.authors == ("A B", "C D") and c1.year == 2021
    assert c2.abstract.startswith("multi line We study")
    assert [c1.source, c2.source, c3.source] == [f"{path}:2", f"{path}:3", f"{path}:6"]
    assert result.papers[3].source == f"{tsv}:2"


def test_csv_missing_required_columns_is_one_file_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,name,body\n1,x,y\n2,z,w\n")
    result = load_papers([path])
    assert result.papers == []
    [issue] = result.issues
    assert issue.level == "error" and issue.where == str(path)
    assert "'title'" in issue.message and "'abstract'" in issue.message
    only_title = tmp_path / "t.csv"
    only_title.write_text("title,body\nx,y\n")
    [issue] = load_papers([only_title]).issues
    assert "column(s) 'abstract'" in issue.message and "'title' (" not in issue.message


def test_csv_row_problems_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(
        f'id,title,abstract\n1,One,"{ABSTRACT}"\n2,,"{ABSTRACT}"\n3,Three\n4,Four,x,y,z\n'
        f'5,Five,"{ABSTRACT}"\n'
    )
    result = load_papers([path])
    assert [p.id for p in result.papers] == ["1", "5"]
    assert only(errors(result), "empty field 'title'").where == f"{path}:3"
    assert only(errors(result), "missing field 'abstract'").where == f"{path}:4"
    assert only(errors(result), "5 fields").where == f"{path}:5"


def test_directory_recurses_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir()
    write_jsonl(tmp_path / "b" / "1.jsonl", [rec("b1", "B one")])
    write_jsonl(tmp_path / "a" / "2.jsonl", [rec("a2", "A two")])
    write_jsonl(tmp_path / "a" / "1.jsonl", [rec("a1", "A one")])
    write_jsonl(tmp_path / "0.jsonl", [rec("r0", "Root zero")])
    (tmp_path / "notes.md").write_text("hello")
    (tmp_path / ".hidden.jsonl").write_text("not json")
    result = load_papers([tmp_path])
    assert [p.id for p in result.papers] == ["r0", "a1", "a2", "b1"]
    assert errors(result) == []
    assert only(warnings(result), "unsupported").where == str(tmp_path / "notes.md")


def test_unreadable_file_in_directory(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", [rec("a", "Readable A")])
    locked = write_jsonl(tmp_path / "b.jsonl", [rec("b", "Locked B")])
    write_jsonl(tmp_path / "c.jsonl", [rec("c", "Readable C")])
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as root: chmod does not stop reads")
        result = load_papers([tmp_path])
    finally:
        locked.chmod(0o644)
    assert [p.id for p in result.papers] == ["a", "c"]
    issue = only(errors(result), "cannot read")
    assert issue.where == str(locked) and "ermission" in issue.message


def test_missing_and_unsupported_paths_are_errors(tmp_path: Path) -> None:
    md = tmp_path / "x.md"
    md.write_text("hi")
    result = load_papers([tmp_path / "nope.jsonl", md])
    assert result.papers == []
    assert [i.where for i in errors(result)] == [str(tmp_path / "nope.jsonl"), str(md)]
    assert ".jsonl" in errors(result)[1].message
    assert ".jsonl.gz" in SUPPORTED_SUFFIXES and ".txt" in SUPPORTED_SUFFIXES


def test_iter_file_streams_without_dedupe(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [rec("1", "Same"), rec("1", "Same"), "junk"])
    items = list(iter_file(path))
    assert [type(i).__name__ for i in items] == ["Paper", "Paper", "LoadIssue"]
    assert items[2].where == f"{path}:3"  # type: ignore[union-attr]


def test_on_progress_is_called(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [rec(str(i), f"T {i}") for i in range(2500)])
    calls: list[int] = []
    result = load_papers([path], on_progress=calls.append)
    assert len(result.papers) == 2500
    assert calls == [1000, 2000, 2500]


# --------------------------------------------------------------------------- ids and dedupe


def test_slugify_and_normalise_title() -> None:
    assert slugify("Pre-Trained LMs: Über  Fast!") == "pre-trained-lms-uber-fast"
    long = slugify("word " * 40)
    assert len(long) <= 80 and long.endswith("word") and "--" not in long
    cjk = slugify("深度学习")
    assert re.fullmatch(r"paper-[0-9a-f]{12}", cjk) and cjk == slugify("深度学习")
    assert slugify("深度学习") != slugify("机器学习")
    assert normalise_title("  The  BERT—Model!! ") == normalise_title("the bert model")
    assert normalise_title("ﬁne-tuning") == normalise_title("Fine Tuning")
    assert normalise_title("???") != normalise_title("!!!")


def test_slug_collisions_are_disambiguated_deterministically(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "c.jsonl",
        [
            rec(None, "Foo"),
            rec(None, "Föo"),  # same slug, different title
            rec(None, "FOO?"),  # same normalised title as "Foo": a duplicate
            rec("foo-2", "Something else"),  # a given id is never changed
            rec(None, "Foo 2"),  # slugs to "foo-2", taken by the given id
        ],
    )
    ids = [p.id for p in load_papers([path]).papers]
    assert ids == ["foo", "foo-3", "foo-2", "foo-2-2"]
    assert [p.id for p in load_papers([path]).papers] == ids


def test_duplicates_are_merged_and_counted(tmp_path: Path) -> None:
    a = write_jsonl(
        tmp_path / "a.jsonl",
        [rec("p1", "Alpha", year=2020), rec(None, "Beta Paper")],
    )
    b = write_jsonl(
        tmp_path / "b.jsonl",
        [
            rec("p1", "Alpha", abstract=ABSTRACT2, venue="ACL", authors=["Z"], year=1999),
            rec("b2", "beta  paper!", url="http://b"),
            rec("p3", "Gamma"),
        ],
    )
    result = load_papers([a, b])
    assert result.duplicates == 2
    assert [p.id for p in result.papers] == ["p1", "b2", "p3"]
    p1, beta = result.papers[:2]
    assert p1.abstract == ABSTRACT and p1.year == 2020  # first wins
    assert p1.venue == "ACL" and p1.authors == ("Z",)  # missing fields filled
    assert beta.title == "Beta Paper" and beta.url == "http://b" and beta.source == f"{a}:2"
    dup = only(warnings(result), "same id 'p1'")
    assert dup.where == f"{b}:1" and f"{a}:1" in dup.message
    assert only(warnings(result), "same title").where == f"{b}:2"


def test_same_title_distinct_ids_and_abstracts_are_kept(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "c.jsonl",
        [rec("1", "Summary"), rec("2", "Summary", abstract=ABSTRACT2), rec("3", "Summary")],
    )
    result = load_papers([path])
    assert [p.id for p in result.papers] == ["1", "2"]
    assert result.duplicates == 1
    assert only(warnings(result), "kept both").where == f"{path}:2"


def test_100k_duplicates_of_one_record(tmp_path: Path) -> None:
    path = tmp_path / "dups.jsonl"
    line = json.dumps(rec("same", "One Paper")) + "\n"
    path.write_text(line * 100_000)
    result = load_papers([path])
    assert len(result.papers) == 1 and result.duplicates == 99_999
    assert len(result.issues) == 99_999
    assert result.issues[-1].where == f"{path}:100000"


# --------------------------------------------------------------------------- bad input


def test_cp1252_file_is_decoded_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "win.jsonl"
    lines = [
        json.dumps(rec("1", "Plain")),
        json.dumps(rec("2", "Café déjà vu"), ensure_ascii=False),
    ]
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    result = load_papers([path])
    assert [p.title for p in result.papers] == ["Plain", "Café déjà vu"]
    issue = only(warnings(result), "UTF-8")
    assert issue.where == f"{path}:2" and "cp1252" in issue.message


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfid,title,abstract\r\n1,One," + ABSTRACT.encode() + b"\r\n")
    result = load_papers([path])
    assert result.issues == [] and result.papers[0].id == "1"


def test_nul_bytes_are_stripped_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "nul.jsonl"
    text = (
        json.dumps(rec("1", "One")) + "\n" + json.dumps(rec("2", "Two")).replace("Two", "T\x00wo")
    )
    path.write_bytes(text.replace("\\u0000", "\x00").encode())
    result = load_papers([path])
    assert [p.title for p in result.papers] == ["One", "Two"]
    assert only(warnings(result), "NUL").where == f"{path}:2"


def test_truncated_gzip_keeps_records_before_the_break(tmp_path: Path) -> None:
    data = "".join(
        json.dumps(rec(str(i), f"Paper {i}", abstract=f"{ABSTRACT} {i}")) + "\n"
        for i in range(3000)
    )
    blob = gzip.compress(data.encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(blob[: len(blob) // 2])
    result = load_papers([path])
    issue = only(errors(result), "truncated or corrupt")
    assert issue.where == str(path)
    n = len(result.papers)
    assert 0 < n < 3000
    assert f"line {n}" in issue.message  # names the last good line
    assert [p.id for p in result.papers] == [str(i) for i in range(n)]
    garbage = tmp_path / "garbage.jsonl.gz"
    garbage.write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 6 + b"not deflate at all")
    result = load_papers([garbage])
    assert result.papers == [] and errors(result)[0].where == str(garbage)


def test_invalid_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps(rec("1", "One")),
                '{"id": "2", "title": "Two", ',
                "[1, 2, 3]",
                "42",
                "",
                json.dumps(rec("5", "Five")),
                "[" * 100_000,
            ]
        )
    )
    result = load_papers([path])
    assert [p.id for p in result.papers] == ["1", "5"]
    assert [i.where for i in errors(result)] == [f"{path}:{n}" for n in (2, 3, 4, 7)]
    assert "invalid JSON" in errors(result)[0].message
    assert "a list" in errors(result)[1].message and "a number" in errors(result)[2].message


def test_missing_or_empty_title_or_abstract(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "c.jsonl",
        [
            {"id": "1", "abstract": ABSTRACT},
            {"id": "2", "title": "  \t ", "abstract": ABSTRACT},
            {"id": "3", "title": "Three"},
            {"id": "4", "title": "Four", "abstract": None},
            {"id": "5", "title": ["a"], "abstract": ABSTRACT},
            rec("6", "Six"),
        ],
    )
    result = load_papers([path])
    assert [p.id for p in result.papers] == ["6"]
    errs = errors(result)
    assert [i.where for i in errs] == [f"{path}:{n}" for n in range(1, 6)]
    for issue, field in zip(errs, ["title", "title", "abstract", "abstract", "title"], strict=True):
        assert f"'{field}'" in issue.message


def test_huge_abstract_is_truncated_with_warning(tmp_path: Path) -> None:
    big = ("word " * 250_000).strip()  # ~1.25 MB
    path = write_jsonl(tmp_path / "big.jsonl", [rec("1", "Big", abstract=big)])
    result = load_papers([path])
    [paper] = result.papers
    assert 0.9 * MAX_ABSTRACT_CHARS < len(paper.abstract) <= MAX_ABSTRACT_CHARS
    assert paper.abstract.endswith("word")
    assert only(warnings(result), "truncated").where == f"{path}:1"
    csv_path = tmp_path / "big.csv"
    csv_path.write_text(f"title,abstract\nBig,{big}\n")
    assert len(load_papers([csv_path]).papers[0].abstract) <= MAX_ABSTRACT_CHARS


def test_non_numeric_year_warns(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "c.jsonl",
        [rec("1", "One", year="n.d."), rec("2", "Two", year=[2020]), rec("3", "Three", year="")],
    )
    result = load_papers([path])
    assert [p.year for p in result.papers] == [None, None, None]
    assert [i.where for i in warnings(result)] == [f"{path}:1", f"{path}:2"]
    assert all("'year'" in i.message for i in warnings(result))


def test_whitespace_is_collapsed(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "c.jsonl",
        [rec(" 1 ", "  A \t title\n here ", abstract=f"\n {ABSTRACT}\u00a0\u00a0 end \r\n")],
    )
    [p] = load_papers([path]).papers
    assert p.id == "1" and p.title == "A title here" and p.abstract == f"{ABSTRACT} end"


def test_empty_file_warns(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    result = load_papers([path])
    assert result.papers == [] and only(warnings(result), "no papers").where == str(path)


# --------------------------------------------------------------------------- property tests

# Text likely to break a loader: any unicode (incl. NUL and separators), quotes, delimiters.
_text = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from(list(',;"\t\n\r \x00{}[]'))), max_size=40
)
_record = st.fixed_dictionaries(
    {"id": st.one_of(st.none(), _text), "title": _text, "abstract": _text}
)
_junk = st.text(
    alphabet=st.characters(blacklist_characters='"\r\n', blacklist_categories=("Cs",)),
    max_size=60,
)
_items = st.lists(st.one_of(_record, _junk), max_size=25)


def _meaningful(s: str | None) -> bool:
    return s is not None and any(c.isalnum() for c in s)


def _has_lone_surrogate(s: str | None) -> bool:
    return s is not None and any("\ud800" <= c <= "\udfff" for c in s)


def _check_invariants(result: LoadResult, path: Path, valid_lines: list[int]) -> None:
    ids = [p.id for p in result.papers]
    assert len(ids) == len(set(ids))
    for p in result.papers:
        assert p.title.strip() and p.abstract.strip() and p.id
        assert p.title == " ".join(p.title.split())
    kept = {p.source for p in result.papers}
    merged = {i.where for i in result.issues if "duplicate" in i.message}
    for line in valid_lines:
        where = f"{path}:{line}"
        assert where in kept or where in merged, (where, [str(i) for i in result.issues])


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(items=_items)
def test_property_jsonl(tmp_path: Path, items: list[Any]) -> None:
    path = tmp_path / "prop.jsonl"
    lines: list[str] = []
    valid: list[int] = []
    bad_ids: list[int] = []
    for item in items:
        if isinstance(item, dict):
            record = {k: v for k, v in item.items() if v is not None}
            lines.append(json.dumps(record, ensure_ascii=bool(len(lines) % 2)))
            if (
                _meaningful(item["title"])
                and _meaningful(item["abstract"])
                and not _has_lone_surrogate(item["id"])  # such an id is skipped, and says so
            ):
                valid.append(len(lines))
            elif _has_lone_surrogate(item["id"]) and len(lines) % 2 == 0:
                bad_ids.append(len(lines))  # escaped in the JSON, so it reaches the loader
        else:
            lines.append(item)
    # Lone surrogates become invalid UTF-8 here: the loader must fall back, not fail.
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    result = load_papers([path])
    _check_invariants(result, path, valid)
    reported = {i.where for i in result.issues}
    assert all(f"{path}:{line}" in reported for line in bad_ids)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(items=_items, delimiter=st.sampled_from([",", "\t"]))
def test_property_csv(tmp_path: Path, items: list[Any], delimiter: str) -> None:
    path = tmp_path / ("prop.csv" if delimiter == "," else "prop.tsv")
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)  # "\r\n" endings: fields with "\r" get quoted
    writer.writerow(["id", "title", "abstract"])
    valid: list[int] = []
    line = 2
    for item in items:
        if isinstance(item, dict):
            row = [item["id"] or "", item["title"], item["abstract"]]
            if _meaningful(item["title"]) and _meaningful(item["abstract"]):
                valid.append(line)
            start = buf.tell()
            writer.writerow(row)
            line += buf.getvalue()[start:].count("\n")
        else:
            buf.write(item + "\n")
            line += 1
    path.write_bytes(buf.getvalue().encode("utf-8", "surrogatepass"))
    result = load_papers([path])
    _check_invariants(result, path, valid)


def test_csv_unclosed_quote_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(
        f'id,title,abstract\n1,One,"{ABSTRACT}"\n2,"Two,{ABSTRACT}\n3,Three,{ABSTRACT}\n'
        f"4,Four,{ABSTRACT}\n"
    )
    result = load_papers([path])
    assert [p.id for p in result.papers] == ["1"]
    issue = only(errors(result), "unclosed quote")
    assert issue.where == f"{path}:3"


def test_permission_error_is_reported_even_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same as the chmod test, but simulated so it also runs where chmod is ineffective."""
    import builtins

    import rag.loading as loading

    write_jsonl(tmp_path / "a.jsonl", [rec("a", "Readable A")])
    locked = write_jsonl(tmp_path / "b.jsonl", [rec("b", "Locked B")])
    real_open = builtins.open

    def fake_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(file) == locked:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(loading, "open", fake_open, raising=False)
    result = load_papers([tmp_path])
    assert [p.id for p in result.papers] == ["a"]
    issue = only(errors(result), "cannot read file: Permission denied")
    assert issue.where == str(locked)


def test_utf16_and_misnamed_gzip(tmp_path: Path) -> None:
    u16 = tmp_path / "excel.tsv"
    u16.write_bytes(("title\tabstract\r\nWide\t" + ABSTRACT + "\r\n").encode("utf-16"))
    not_gz = write_jsonl(tmp_path / "plain.jsonl.gz", [rec("p", "Plain")])
    is_gz = tmp_path / "packed.jsonl"
    is_gz.write_bytes(gzip.compress((json.dumps(rec("g", "Packed")) + "\n").encode()))
    result = load_papers([u16, not_gz, is_gz])
    assert [p.title for p in result.papers] == ["Wide", "Plain", "Packed"]
    assert errors(result) == []
    assert only(warnings(result), "UTF-16").where == str(u16)
    assert only(warnings(result), "not gzip").where == str(not_gz)
    assert only(warnings(result), "although not named").where == str(is_gz)


def test_seed_paper_merged_with_richer_record_keeps_file_id(tmp_path: Path) -> None:
    extra = write_jsonl(
        tmp_path / "extra.jsonl",
        [
            rec(
                "2205.00001",
                "pre-trained language models for interactive decision making",
                year=2022,
            )
        ],
    )
    result = load_papers([SEED, extra])
    assert len(result.papers) == 79 and result.duplicates == 1
    first = result.papers[0]
    assert first.id == "2205.00001" and first.year == 2022  # a file id beats a made-up slug
    assert first.title == "Pre-Trained Language Models for Interactive Decision-Making"
    assert first.source == f"{SEED}:11"


def test_truncated_json_array_keeps_complete_elements(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text("[\n" + json.dumps(rec("1", "One")) + ",\n" + json.dumps(rec("2", "Two"))[:30])
    result = load_papers([path])
    assert [p.id for p in result.papers] == ["1"]
    assert errors(result)[0].where == f"{path}:3"
    path.write_text("[\n" + json.dumps(rec("1", "One")) + ",\n")
    assert "not closed" in errors(load_papers([path]))[0].message
