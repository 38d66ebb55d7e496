"""Bad input to `rag ingest`, end to end through the CLI (issue #6, item 1).

Each nasty file must give a clear message on stderr naming the file (and the line, for record-level
problems), never a traceback; good records in the same file are still stored; and a file rejected
whole leaves the store exactly as it was (same chunk ids). The loader's own unit and property
tests live in tests/test_loading.py; here the whole path (CLI -> Pipeline -> Chroma/BM25) runs.
"""

from __future__ import annotations

import builtins
import gzip
import itertools
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rag.cli import main
from rag.pipeline import Pipeline
from rag.settings import Settings

ABSTRACT = (
    "We study how retrieval augmented generation behaves when the input collection is noisy. "
    "Our experiments cover thousands of abstracts and show that careful loading matters a lot."
)


def rec(pid: str, title: str, abstract: str = ABSTRACT, **extra: Any) -> dict[str, Any]:
    return {"id": pid, "title": title, "abstract": abstract, **extra}


def jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def rag(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `rag ARGV` in-process; returns (exit code, stdout, stderr)."""
    capsys.readouterr()
    rc = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return rc, out, err


def stats(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    rc, out, _ = rag(capsys, "stats")
    assert rc == 0
    return json.loads(out)


def store_ids() -> set[str]:
    """Chunk ids now in the test's store (RAG_HOME set by conftest)."""
    return {cid for cid, _, _ in Pipeline(Settings()).store.iter_rows()}


def paper_ids() -> set[str]:
    return {str(md.get("paper_id")) for _, _, md in Pipeline(Settings()).store.iter_rows()}


def issue_lines(err: str, path: Path) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(str(path))]


# --- record-level problems: message names file:line, the good records are stored ---------------
def test_cp1252_bytes_are_decoded_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "windows.jsonl"
    good = json.dumps(rec("ok", "Plain title")) + "\n"
    # json.dumps(ensure_ascii=False) then cp1252 bytes: what Excel/Notepad on Windows write
    bad = json.dumps(rec("cafe", "Caf\xe9 \u201cquoted\u201d"), ensure_ascii=False) + "\n"
    path.write_bytes(good.encode("utf-8") + bad.encode("cp1252"))
    rc, _, err = rag(capsys, "ingest", str(path))
    assert rc == 0
    [line] = [ln for ln in issue_lines(err, path) if "UTF-8" in ln]
    assert line.startswith(f"{path}:2: warning:") and "cp1252" in line
    assert paper_ids() == {"ok", "cafe"}
    papers = Pipeline(Settings()).papers(["cafe"])
    assert papers["cafe"].title == "Caf\xe9 \u201cquoted\u201d"


def test_nul_bytes_are_removed_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nul.jsonl"
    raw = json.dumps(rec("n", "Nul title")).encode().replace(b"Nul", b"N\x00ul")
    path.write_bytes(json.dumps(rec("a", "First")).encode() + b"\n" + raw + b"\n")
    rc, _, err = rag(capsys, "ingest", str(path))
    assert rc == 0
    assert f"{path}:2: warning: NUL bytes removed" in err
    assert paper_ids() == {"a", "n"}
    assert Pipeline(Settings()).papers(["n"])["n"].title == "Nul title"


def test_truncated_gzip_keeps_the_records_before_the_break(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [rec(f"g{i}", f"Gzipped paper number {i}") for i in range(40)]
    blob = gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(blob[: len(blob) * 2 // 3])
    rc, _, err = rag(capsys, "ingest", str(path))
    assert rc == 0
    [line] = [ln for ln in issue_lines(err, path) if "truncated" in ln]
    assert line.startswith(f"{path}: error: compressed data is truncated or corrupt after line ")
    kept = paper_ids()
    assert kept and kept < {r["id"] for r in rows}  # some, not all
    assert kept == {f"g{i}" for i in range(len(kept))}  # a prefix: the ones before the break


def test_json_lines_that_are_not_objects_cost_only_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps(rec("a", "Alpha")),
                "[1, 2, 3]",
                '"just a string"',
                "null",
                "42",
                '{"id": "broken", "title": ',
                json.dumps(rec("b", "Beta")),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    rc, _, err = rag(capsys, "ingest", str(path))
    assert rc == 0
    for lineno, kind in [(2, "a list"), (3, "a string"), (4, "null"), (5, "a number")]:
        assert f"{path}:{lineno}: error: expected a JSON object, got {kind}; line skipped" in err
    assert f"{path}:6: error: invalid JSON" in err
    assert paper_ids() == {"a", "b"}
    assert "skipped 5" in err


def test_empty_title_or_abstract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = jsonl(
        tmp_path / "empty.jsonl",
        [
            rec("t", ""),
            rec("a", "No abstract", abstract="   "),
            {"id": "m", "title": "Missing abstract"},
            rec("ok", "Fine"),
        ],
    )
    rc, _, err = rag(capsys, "ingest", str(path))
    assert rc == 0
    assert f"{path}:1: error: empty field 'title'; record skipped" in err
    assert f"{path}:2: error: empty field 'abstract'; record skipped" in err
    assert f"{path}:3: error: missing field 'abstract'; record skipped" in err
    assert paper_ids() == {"ok"}


def test_one_megabyte_abstract_is_truncated_and_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    adjs = "robust sparse dense hybrid neural lexical shallow deep early late novel simple".split()
    nouns = "retriever ranker encoder reader index model corpus query method system".split()
    verbs = "improves reduces changes doubles halves stabilises degrades preserves".split()
    # unique sentences (repeated text would hit the chunk-offset bug tested below), few tokens
    sentences = (
        f"The {a} {n} {v} recall on {b} {m} benchmarks. "
        for a in adjs
        for n in nouns
        for v in verbs
        for b in adjs
        for m in nouns
    )
    huge = "".join(itertools.islice(sentences, 20_000))[:1_000_000]
    assert len(huge) == 1_000_000
    path = jsonl(tmp_path / "huge.jsonl", [rec("small", "Small"), rec("huge", "Huge", huge)])
    rc, out, err = rag(capsys, "ingest", "--json", str(path))
    assert rc == 0
    assert f"{path}:2: warning: abstract is 1,000,000 characters; truncated to 200,000" in err
    assert paper_ids() == {"small", "huge"}
    stored = Pipeline(Settings()).papers(["huge"])["huge"].abstract
    assert 190_000 < len(stored) <= 200_000
    assert huge.startswith(stored)  # rebuilt from its chunks exactly
    report = json.loads(out)
    assert report["added"] == 2 and report["chunks_written"] < 2_000


def test_abstract_with_repeated_sentences_round_trips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Boilerplate repeated inside one abstract: chunk offsets must still point at the right
    place, or the abstract rebuilt from its chunks (shown to users and the LLM) is garbled."""
    para = (
        "We propose a retrieval method for scientific abstracts that ranks candidates by dense "
        "and sparse scores. Experiments on three benchmarks show consistent gains over strong "
        "baselines across all metrics we report."
    )
    abstract = " ".join([para] * 6)
    path = jsonl(tmp_path / "rep.jsonl", [rec("rep", "Repeated", abstract)])
    rc, _, _ = rag(capsys, "ingest", str(path))
    assert rc == 0
    assert Pipeline(Settings()).papers(["rep"])["rep"].abstract == abstract


def test_100k_duplicate_records_store_one_paper_and_do_not_flood(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = json.dumps(rec("dup", "The same paper again")) + "\n"
    path = tmp_path / "dups.jsonl"
    path.write_text(line * 100_000, encoding="utf-8")
    rc, out, err = rag(capsys, "ingest", "--json", str(path))
    assert rc == 0
    report = json.loads(out)
    assert report["added"] == 1 and report["duplicates"] == 99_999
    assert "duplicates merged 99999" in err
    assert len(err.splitlines()) < 100  # issues are capped, not 100k lines
    assert "... and 99949 more" in err
    assert stats(capsys)["papers"] == 1


def test_unreadable_file_in_a_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Permission denied simulated (chmod does not stop root): the other files still load."""
    import rag.loading as loading

    folder = tmp_path / "dir"
    folder.mkdir()
    jsonl(folder / "a.jsonl", [rec("a", "Readable")])
    locked = jsonl(folder / "b.jsonl", [rec("b", "Locked")])
    real_open: Callable[..., Any] = builtins.open

    def fake_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(file) == locked:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(loading, "open", fake_open, raising=False)
    rc, _, err = rag(capsys, "ingest", str(folder))
    assert rc == 0
    assert f"{locked}: error: cannot read file: Permission denied" in err
    assert paper_ids() == {"a"}
    rc, _, err = rag(capsys, "ingest", str(locked))  # nothing readable at all: a failure
    assert rc == 1 and "rag ingest: error: no papers could be read" in err


def test_directory_named_like_a_data_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "looks.jsonl"
    fake.mkdir()
    jsonl(fake / "inner.jsonl", [rec("in", "Inside")])
    good = jsonl(tmp_path / "good.jsonl", [rec("g", "Good")])
    rc, _, err = rag(capsys, "ingest", str(good), str(fake))
    assert rc == 0
    assert paper_ids() == {"g", "in"}  # a folder is walked, whatever its name


def test_fifo_named_jsonl_in_a_directory_does_not_hang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A named pipe with a data-file name must be skipped (or reported), not opened: opening a
    FIFO with no writer blocks forever."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    folder = tmp_path / "dir"
    folder.mkdir()
    jsonl(folder / "a.jsonl", [rec("a", "Readable")])
    fifo = folder / "pipe.jsonl"
    os.mkfifo(fifo)
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["rc"] = main(["ingest", str(folder)])
        except BaseException as exc:  # noqa: BLE001 - reported below
            result["exc"] = exc

    capsys.readouterr()
    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout=10)
    hung = t.is_alive()
    if hung:  # unblock the reader: open the write end and close it (the reader sees EOF)
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        t.join(timeout=60)
    _, err = capsys.readouterr()
    assert not hung, "ingest blocked opening a FIFO named *.jsonl"
    assert "exc" not in result, result.get("exc")
    assert result["rc"] == 0
    assert str(fifo) in err  # reported as skipped / not a regular file
    assert paper_ids() == {"a"}


# --- whole-file rejections leave the store unchanged --------------------------------------------
def _csv_missing_columns(path: Path) -> Path:
    path = path.with_suffix(".csv")
    path.write_text(f"id,name,text_body\n1,Alpha,{ABSTRACT}\n", encoding="utf-8")
    return path


def _json_scalar(path: Path) -> Path:
    path = path.with_suffix(".json")
    path.write_text("42\n", encoding="utf-8")
    return path


def _gzip_garbage(path: Path) -> Path:
    path = path.with_suffix(".jsonl.gz")
    path.write_bytes(gzip.compress(b'{"id": "x", "title": "X", "abstract": "y"}\n' * 50)[:12])
    return path


def _all_lines_bad(path: Path) -> Path:
    path = path.with_suffix(".jsonl")
    path.write_bytes(b"\x00\x01\x02 not json\n[1]\n" + b"\xff\xfe\xfd\n")
    return path


def _unsupported(path: Path) -> Path:
    path = path.with_suffix(".pdf")
    path.write_bytes(b"%PDF-1.4 binary")
    return path


@pytest.mark.parametrize(
    "make_bad",
    [_csv_missing_columns, _json_scalar, _gzip_garbage, _all_lines_bad, _unsupported],
    ids=["csv-missing-columns", "json-scalar", "gzip-garbage", "all-lines-bad", "unsupported"],
)
def test_rejected_file_leaves_the_store_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_bad: Callable[[Path], Path]
) -> None:
    good = jsonl(tmp_path / "good.jsonl", [rec("a", "Alpha"), rec("b", "Beta")])
    rc, _, _ = rag(capsys, "ingest", str(good))
    assert rc == 0
    before = store_ids()
    gen_before = Pipeline(Settings()).store.generation
    assert len(before) == 2

    bad = make_bad(tmp_path / "bad")
    rc, _, err = rag(capsys, "ingest", str(bad))
    assert rc == 1
    lines = issue_lines(err, bad)
    assert lines, err
    assert any(": error:" in ln for ln in lines), lines
    assert store_ids() == before
    assert Pipeline(Settings()).store.generation == gen_before
    assert stats(capsys)["papers"] == 2

    # the store still answers searches after the rejected ingest
    rc, out, _ = rag(capsys, "search", "--json", "noisy retrieval augmented generation")
    assert rc == 0 and {r["paper_id"] for r in json.loads(out)["results"]} == {"a", "b"}


def test_csv_missing_columns_message_names_the_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _csv_missing_columns(tmp_path / "bad")
    rc, _, err = rag(capsys, "ingest", str(bad))
    assert rc == 1
    [line] = issue_lines(err, bad)
    assert line.startswith(f"{bad}: error: missing required column(s) 'title'")
    assert "'abstract'" in line and "['id', 'name', 'text_body']" in line
    assert "file skipped" in line


def test_missing_path_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.jsonl"
    rc, _, err = rag(capsys, "ingest", str(missing))
    assert rc == 1
    assert f"{missing}: error: no such file or directory" in err
