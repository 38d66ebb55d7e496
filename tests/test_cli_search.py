"""CLI JSON contracts (search, batch search, stats, ingest) and stdout/stderr separation.
In-process through `rag.cli.main` so the embedding model loads once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
FILTER_PAPERS = FIXTURES / "core_filter_papers.jsonl"
RESULT_KEYS = {"rank", "paper_id", "title", "score", "evidence"}


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _check_result_set(obj: dict, query: str, k: int) -> None:
    assert set(obj) >= {"query", "results"}
    assert obj["query"] == query
    results = obj["results"]
    assert 0 < len(results) <= k
    assert [r["rank"] for r in results] == list(range(1, len(results) + 1))
    for r in results:
        assert set(r) == RESULT_KEYS
        assert isinstance(r["score"], float) and isinstance(r["paper_id"], str)
        assert r["title"] and r["evidence"]
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)


@pytest.fixture
def at_seed(seed_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RAG_HOME", str(seed_home))
    return seed_home


@pytest.fixture(scope="module")
def filter_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from rag.pipeline import Pipeline
    from rag.settings import Settings

    home = tmp_path_factory.mktemp("cli-filter-store")
    Pipeline(Settings(home=home)).ingest([FILTER_PAPERS], progress=False)
    return home


def test_search_json_shape(at_seed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "RoboFuME robot fine-tuning", "--json"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert set(obj) == {"query", "results"}
    _check_result_set(obj, "RoboFuME robot fine-tuning", 10)
    assert len(obj["results"]) == 10  # default k
    assert obj["results"][0]["paper_id"].startswith("robot-fine-tuning-made-easy")


@pytest.mark.parametrize("method", ["dense", "bm25", "fused"])
def test_search_k_and_method(
    at_seed: Path, capsys: pytest.CaptureFixture[str], method: str
) -> None:
    assert (
        main(["search", "protein transfer learning", "-k", "3", "--method", method, "--json"]) == 0
    )
    obj = json.loads(capsys.readouterr().out)
    _check_result_set(obj, "protein transfer learning", 3)
    assert len(obj["results"]) == 3
    assert obj["results"][0]["paper_id"] == "evaluating-protein-transfer-learning-with-tape"


def test_batch_queries_one_line_per_query(
    at_seed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    qfile = tmp_path / "queries.jsonl"
    queries = [
        {"id": "q1", "text": "RoboFuME"},
        {"id": 2, "text": "Minecraft video pretraining"},
        {"id": "q3", "text": "legal text classification in Turkish"},
    ]
    qfile.write_text(
        json.dumps(queries[0])
        + "\n\n"
        + json.dumps(queries[1])
        + "\n"
        + '{"id": "broken"\n'
        + json.dumps(queries[2])
        + "\n"
    )
    assert main(["search", "--queries", str(qfile), "-k", "3", "--json"]) == 0
    out, err = capsys.readouterr()
    rows = _json_lines(out)
    assert [r["id"] for r in rows] == ["q1", "2", "q3"]  # ids are strings, order kept
    for row, q in zip(rows, queries, strict=True):
        assert set(row) == {"id", "query", "results"}
        _check_result_set(row, q["text"], 3)
        assert len(row["results"]) == 3
    assert f"{qfile}:4" in err  # the bad line is named on stderr and skipped
    assert "3 queries" in err


def test_cli_filters(filter_home: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("RAG_HOME", str(filter_home))
    cases = [
        (["--year-from", "2023"], {"core-f06", "core-f07", "core-f08"}),
        (["--year-to", "2019"], {"core-f01", "core-f02"}),
        (["--year-from", "2021", "--year-to", "2021"], {"core-f04", "core-f09"}),
        (["--venue", "ICML"], {"core-f08", "core-f10"}),
        (["--ids", "core-f02,core-f05"], {"core-f02", "core-f05"}),
        (["--venue", "NeurIPS", "--year-to", "2021"], {"core-f01", "core-f09"}),
    ]
    for method in ("dense", "bm25", "fused"):
        for args, expected in cases:
            argv = ["search", "model", "-k", "20", "--json", "--method", method, *args]
            assert main(argv) == 0
            obj = json.loads(capsys.readouterr().out)
            assert {r["paper_id"] for r in obj["results"]} == expected, (method, args)


def test_search_text_output_and_usage_errors(
    at_seed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "RoboFuME", "-k", "2"]) == 0
    out = capsys.readouterr().out
    assert out.lstrip().startswith("1.") and "Robot Fine-Tuning Made Easy" in out
    assert main(["search"]) == 2
    assert "give a query" in capsys.readouterr().err
    assert main(["search", "RoboFuME", "--venue", "Nowhere"]) == 0
    assert "no results" in capsys.readouterr().out


def test_stats_json(at_seed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["papers"] == 79
    assert stats["chunks"] >= 2 * 79 - 20
    assert stats["embed_model"] == "all-MiniLM-L6-v2"
    assert stats["store"] == str(at_seed.resolve())


def test_ingest_progress_on_stderr_json_on_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # 60 one-sentence papers: enough for the progress bar (shown from 50 papers), cheap to embed
    src = tmp_path / "many.jsonl"
    topics = ["graphs", "proteins", "robots", "speech", "weather", "code"]
    with src.open("w") as fh:
        for i in range(60):
            t = topics[i % len(topics)]
            fh.write(
                json.dumps(
                    {
                        "id": f"core-syn-{i:02d}",
                        "title": f"Study {i} of learning on {t}",
                        "abstract": f"We study item {i} in a small experiment on {t}.",
                    }
                )
                + "\n"
            )
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "home"))
    assert main(["ingest", str(src), "--json"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 1, out  # nothing but the report on stdout
    report = json.loads(lines[0])
    assert (report["added"], report["chunks_written"], report["issues"]) == (60, 60, [])
    assert "ingest" in err and "60/60" in err  # the progress bar went to stderr
    assert "rag ingest: added 60" in err

    # without --json, stdout stays empty
    assert main(["ingest", str(src)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "unchanged 60" in err

    assert main(["stats"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["papers"], stats["chunks"]) == (60, 60)
