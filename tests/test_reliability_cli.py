"""Hostile input to the command line and the loader (issue #13, items 4-7, 9, 10, 12).

Every case runs `rag.cli.main` in-process, the way the `rag` script does: a usage error exits 2,
an ingest that read nothing exits 1, and nothing prints a traceback.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
from pathlib import Path
from typing import Any

import pytest

from rag.cli import main
from rag.loading import load_papers
from rag.pipeline import Pipeline
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
ABSTRACT = "We study noisy retrieval augmented generation over scientific abstracts at scale."


def rag(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `rag ARGV` in-process: (exit code, stdout, stderr); argparse's exit counts too."""
    capsys.readouterr()
    try:
        rc = main(list(argv))
    except SystemExit as exc:
        rc = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return rc, out, err


def jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def rec(pid: str, title: str) -> dict[str, Any]:
    return {"id": pid, "title": title, "abstract": f"{title}. {ABSTRACT}"}


def stored_ids() -> set[str]:
    return {str(md["paper_id"]) for _, _, md in Pipeline(Settings()).store.iter_rows()}


@pytest.fixture
def seeds_env(seed_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RAG_HOME", str(seed_home))
    return seed_home


# --- item 4: -k must be a positive count ---------------------------------------------------------
@pytest.mark.parametrize(
    "argv",
    [
        ["search", "transformers", "-k", "0"],
        ["search", "transformers", "-k", "-1"],
        ["search", "--queries", "q.jsonl", "-k", "0"],
        ["ask", "What is CaseHOLD?", "-k", "-3"],
        ["ask", "What is CaseHOLD?", "-k", "0"],
        ["chat", "-k", "0"],
        ["search", "transformers", "-k", "ten"],
    ],
    ids=["search-0", "search-neg", "queries-0", "ask-neg", "ask-0", "chat-0", "search-word"],
)
def test_k_below_one_is_a_usage_error(
    argv: list[str], capsys: pytest.CaptureFixture[str], seeds_env: Path
) -> None:
    rc, out, err = rag(capsys, *argv)
    assert rc == 2 and out == ""
    assert "-k" in err and ("must be 1 or more" in err or "not a whole number" in err), err


def test_k_one_still_works(capsys: pytest.CaptureFixture[str], seeds_env: Path) -> None:
    rc, out, _ = rag(capsys, "search", "--json", "-k", "1", "legal case holdings benchmark")
    assert rc == 0 and len(json.loads(out)["results"]) == 1


# --- item 5: --queries that is not a UTF-8 JSONL file --------------------------------------------
def test_queries_file_with_non_utf8_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], seeds_env: Path
) -> None:
    path = tmp_path / "q.jsonl"
    good = [json.dumps({"id": i, "text": "legal case holdings benchmark"}) for i in ("a", "c")]
    path.write_bytes(
        good[0].encode()
        + b"\n"
        + '{"id": "b", "text": "caf\xe9"}\n'.encode("latin-1")
        + good[1].encode()
        + b"\n"
    )
    rc, out, err = rag(capsys, "search", "--queries", str(path), "-k", "2")
    assert rc == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["a", "c"]
    assert f"{path}:2: not UTF-8 (byte 0xe9 at column 25)" in err
    assert "2 queries, 1 bad lines skipped" in err

    only_bad = tmp_path / "bad.jsonl"
    only_bad.write_bytes(b"\xff\xfe\x00\x01\n")
    rc, out, err = rag(capsys, "search", "--queries", str(only_bad))
    assert rc == 1 and out == "" and f"{only_bad}:1: not UTF-8" in err


@pytest.mark.parametrize("kind", ["directory", "missing"])
def test_queries_path_that_is_not_a_file(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], seeds_env: Path
) -> None:
    path = tmp_path / "queries.jsonl"
    if kind == "directory":
        path.mkdir()
    rc, out, err = rag(capsys, "search", "--queries", str(path))
    assert rc == 2 and out == ""
    [line] = err.strip().splitlines()
    assert str(path) in line and ("directory" in line or "No such file" in line), line


# --- item 6: queries with no words --------------------------------------------------------------
@pytest.mark.parametrize("query", ["   ", "?!", "... --- ???", "\t"])
def test_query_without_words_is_refused(
    query: str, capsys: pytest.CaptureFixture[str], seeds_env: Path
) -> None:
    rc, out, err = rag(capsys, "search", "--json", query)
    assert rc == 2 and out == "" and "words" in err
    rc, out, err = rag(capsys, "ask", "--json", query)
    assert rc == 2 and out == "" and "words" in err


def test_wordless_line_in_a_queries_file_is_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], seeds_env: Path
) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(
        json.dumps({"id": "p", "text": "?!"}) + "\n" + json.dumps({"id": "w", "text": "CaseHOLD"}),
        encoding="utf-8",
    )
    rc, out, err = rag(capsys, "search", "--queries", str(path))
    assert rc == 0 and [json.loads(x)["id"] for x in out.splitlines()] == ["w"]
    assert f"{path}:1: query 'p' has no words; skipped" in err


# --- item 7: an ingest that read nothing fails ----------------------------------------------------
def _empty_dir(tmp: Path) -> Path:
    (tmp / "empty").mkdir()
    return tmp / "empty"


def _missing(tmp: Path) -> Path:
    return tmp / "missing.jsonl"


def _csv_without_abstract(tmp: Path) -> Path:
    (tmp / "x.csv").write_text("title,foo\nA title,b\n", encoding="utf-8")
    return tmp / "x.csv"


def _header_truncated_gzip(tmp: Path) -> Path:
    blob = gzip.compress((json.dumps(rec("g", "Gzipped")) + "\n").encode() * 20)
    (tmp / "cut.jsonl.gz").write_bytes(blob[:12])
    return tmp / "cut.jsonl.gz"


def _dir_of_unsupported_files(tmp: Path) -> Path:
    (tmp / "docs").mkdir()
    (tmp / "docs" / "paper.pdf").write_bytes(b"%PDF-1.4")
    return tmp / "docs"


@pytest.mark.parametrize(
    "make",
    [
        _empty_dir,
        _missing,
        _csv_without_abstract,
        _header_truncated_gzip,
        _dir_of_unsupported_files,
    ],
    ids=["empty-dir", "missing", "csv-no-abstract", "gzip-header-cut", "dir-of-pdfs"],
)
def test_ingest_that_read_nothing_exits_1(
    make: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make(tmp_path)
    rc, _, err = rag(capsys, "ingest", str(path))
    assert rc == 1
    assert any(line.startswith(f"{path}: error:") for line in err.splitlines()), err
    assert f"rag ingest: error: no papers could be read from {path}" in err


def test_prune_with_an_empty_directory_removes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = jsonl(tmp_path / "good.jsonl", [rec("a", "Alpha"), rec("b", "Beta")])
    assert rag(capsys, "ingest", str(good))[0] == 0
    rc, _, err = rag(capsys, "ingest", "--prune", str(_empty_dir(tmp_path)))
    assert rc == 1 and "--prune skipped" in err
    assert stored_ids() == {"a", "b"}


def test_ingest_with_some_papers_still_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Control: a bad file costs that file only; papers were read, so the ingest succeeded. (A
    path that does not exist is a typo in the command instead: nothing is ingested, see
    tests/test_embedding.py.)"""
    good = jsonl(tmp_path / "good.jsonl", [rec("a", "Alpha")])
    rc, _, err = rag(capsys, "ingest", str(good), str(_csv_without_abstract(tmp_path)))
    assert rc == 0 and "abstract" in err and stored_ids() == {"a"}


# --- item 9: ids given in files -----------------------------------------------------------------
def test_ids_given_in_files_keep_their_inner_whitespace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        rec("id\twith\ttab", "First paper"),
        rec("a b", "Second paper"),
        rec("a  b", "Third paper"),  # differs from "a b" only in whitespace: another paper
        rec("  padded  ", "Fourth paper"),
        rec("   ", "Fifth paper"),
    ]
    path = jsonl(tmp_path / "ids.jsonl", rows)
    rc, out, err = rag(capsys, "ingest", "--json", str(path))
    assert rc == 0 and json.loads(out)["added"] == 5, err
    assert stored_ids() == {"id\twith\ttab", "a b", "a  b", "padded", "fifth-paper"}
    assert f"{path}:5: warning: field 'id' is only whitespace; id taken from the title" in err
    papers = Pipeline(Settings()).papers(["a b", "a  b"])
    assert papers["a b"].title == "Second paper" and papers["a  b"].title == "Third paper"


def test_id_that_cannot_be_stored_costs_its_record(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "x\\ud800", "title": "T", "abstract": "A"}\n', encoding="utf-8")
    result = load_papers([path])
    assert result.papers == []
    [issue] = result.issues
    assert issue.where == f"{path}:1" and "not valid Unicode" in issue.message


# --- item 10: symlinks that lead nowhere --------------------------------------------------------
def test_symlink_loop_and_broken_link_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "dir"
    folder.mkdir()
    jsonl(folder / "a.jsonl", [rec("a", "Alpha")])
    loop = folder / "loop.jsonl"
    os.symlink(loop, loop)
    broken = folder / "broken.jsonl"
    os.symlink(tmp_path / "gone.jsonl", broken)
    rc, _, err = rag(capsys, "ingest", str(folder))
    assert rc == 0 and stored_ids() == {"a"}
    assert f"{loop}: warning: symbolic link loop" in err
    assert f"{broken}: warning: broken symbolic link (to {tmp_path / 'gone.jsonl'})" in err
    assert "pipe or device" not in err

    rc, _, err = rag(capsys, "ingest", str(loop))  # given directly
    assert rc == 1 and f"{loop}: error: symbolic link loop" in err


# --- item 12: messages outside our format; README defaults ---------------------------------------
def test_small_ingest_prints_only_our_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    path = jsonl(tmp_path / "two.jsonl", [rec("a", "Alpha"), rec("b", "Beta")])
    rc, _, err = rag(capsys, "ingest", str(path))
    assert rc == 0
    assert not [r.getMessage() for r in caplog.records if "bm25s" in r.getMessage()]
    assert "Finding newlines" not in err
    assert "requires k less" not in err


def test_readme_configuration_table_matches_the_defaults() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if "`RAG_DENSE_WEIGHT`" in line)
    names = re.findall(r"`RAG_(\w+)`", row.split("|")[1])
    values = [v.strip(" `") for v in row.split("|")[2].split(",")]
    defaults = Settings()
    assert len(names) == len(values) == 4, row
    for name, value in zip(names, values, strict=True):
        assert value == str(getattr(defaults, name.lower())), (name, value)
    deadline = next(line for line in readme.splitlines() if "`RAG_LLM_DEADLINE`" in line)
    assert f"| {defaults.llm_deadline:g} |" in deadline.replace("`", "")
